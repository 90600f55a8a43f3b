#!/usr/bin/env bash
# Builds the native shim (native/) into native/build/. Called by `dotnet build` (src/FlowTune/FlowTune.csproj)
# whenever a native source changes; safe to run by hand.
#   FLOWTUNE_LIBTORCH=/path/to/libtorch  build against another libtorch (e.g. a CUDA pip wheel's site-packages/torch)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/native/build"
mkdir -p "$build"
if ! command -v cmake >/dev/null; then
  echo "build-native: cmake not found; install: apt-get install -y libtorch-dev libopenblas0-openmp libgloo-dev cmake g++" >&2
  exit 1
fi
cmake -S "$root/native" -B "$build" -DCMAKE_BUILD_TYPE=Release -DFLOWTUNE_LIBTORCH="${FLOWTUNE_LIBTORCH:-}" >"$build/cmake.log" 2>&1 \
  || { cat "$build/cmake.log" >&2; echo "build-native: cmake configure failed (is libtorch-dev installed, or FLOWTUNE_LIBTORCH set?)" >&2; exit 1; }
cmake --build "$build" -j "$(nproc)"
