#!/usr/bin/env bash
# Installs what FlowTune needs on Debian 12 (run as root): libtorch (CPU), OpenBLAS with OpenMP threading
# (the reference BLAS makes matmul ~40x slower), Gloo (for c10d), CMake and g++ for the native shim,
# python3 (the reference reward server, tools/reward_server, and its tests) and chromium (the report tests open
# report.html in it through Playwright, which then downloads no browser).
# The .NET 10 SDK is expected on PATH (see README).
set -euo pipefail
packages=(libtorch-dev libopenblas0-openmp libgloo-dev cmake g++ python3 chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "install-deps: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }
echo "install-deps: ok (libtorch $(dpkg-query -W -f='${Version}' libtorch-dev), $(dotnet --version))"
