#!/usr/bin/python3
"""Generate SD3 / SD3.5 reference test vectors with diffusers' OWN model code.

Tiny random-weight SD3Transformer2DModel and AutoencoderKL models are built by importing
diffusers' real model files from a diffusers source checkout (`--diffusers-src`, diffusers' `src/`
folder); only diffusers' heavy utility modules are replaced by our stubs (diffusers_stubs.py) and
torch-2-only functions are supplied for Debian's torch 1.13 (torch2_shims.py). Every parameter and
the `pos_embed.pos_embed` buffer is re-randomised (also what diffusers zero-initialises), each case
is written in diffusers' pipeline-component folder layout (config.json + safetensors weights) plus
a parity.safetensors with inputs and float32 eval-mode outputs, and finally every written folder is
re-loaded with our own safetensors reader into a fresh diffusers model to confirm it reproduces the
stored outputs (rel. L2 <= 1e-6).

Also (scheduler_pipeline_cases.py): FlowMatchEulerDiscreteScheduler sigma/timestep schedules from
diffusers' real scheduler file (static SD3.5 shift and dynamic shift with mu from the real pipeline's
calculate_shift), and one denoising step of the real StableDiffusion3Pipeline.__call__ (with and
without classifier-free guidance) on the transformer-sd35 weights.

Usage (see README.md):
  nice -n 19 /usr/bin/python3 tools/sd3/make_reference_vectors.py \
      --diffusers-src /tmp/diffusers/src --diffusers-commit <sha> \
      --out tests/FlowTune.Tests/Data/sd3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ inside the repo
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

import diffusers_stubs  # noqa: E402
import safetensors_io as st  # noqa: E402
import scheduler_pipeline_cases as spc  # noqa: E402
import torch2_shims  # noqa: E402

WEIGHTS_NAME = "diffusion_pytorch_model.safetensors"
INDEX_NAME = "diffusion_pytorch_model.safetensors.index.json"
TOL = 1e-6

# ----------------------------------------------------------------------------- configs

TRANSFORMER_BASE = dict(
    sample_size=8,
    patch_size=2,
    in_channels=4,
    num_layers=3,
    attention_head_dim=8,
    num_attention_heads=2,
    joint_attention_dim=12,
    caption_projection_dim=16,  # must equal heads * head_dim
    pooled_projection_dim=10,
    out_channels=4,
    pos_embed_max_size=8,
    dual_attention_layers=[],
    qk_norm=None,
)
SD35 = dict(TRANSFORMER_BASE, qk_norm="rms_norm", dual_attention_layers=[0, 1])

TRANSFORMER_CASES = [
    # name, config, storage dtype, sharded, latent (H, W), weight seed, input seed
    ("transformer-sd3", TRANSFORMER_BASE, "F32", False, (8, 6), 1001, 2001),
    ("transformer-sd35", SD35, "F32", False, (6, 8), 1002, 2002),
    ("transformer-sharded", TRANSFORMER_BASE, "F32", True, (8, 8), 1003, 2003),
    ("transformer-bf16", SD35, "BF16", False, (8, 8), 1004, 2004),
]

VAE_BASE = dict(
    in_channels=3,
    out_channels=3,
    down_block_types=["DownEncoderBlock2D"] * 3,
    up_block_types=["UpDecoderBlock2D"] * 3,
    block_out_channels=[8, 16, 16],
    layers_per_block=1,
    act_fn="silu",
    latent_channels=4,
    norm_num_groups=4,
    sample_size=16,
    scaling_factor=1.5305,
    shift_factor=0.0609,
    latents_mean=None,
    latents_std=None,
    force_upcast=True,
    use_quant_conv=False,
    use_post_quant_conv=False,
    mid_block_add_attention=True,
)
VAE_CASES = [
    # name, config, image (H, W), weight seed, input seed
    ("vae-sd35", VAE_BASE, (16, 16), 3001, 4001),
    ("vae-quant", dict(VAE_BASE, use_quant_conv=True, use_post_quant_conv=True), (16, 12), 3002, 4002),
]

TIMESTEPS = [999.0, 250.5]  # diffusers' 0..1000 scale (sigma * 1000)
BATCH = 2
TEXT_LEN = 5

# ----------------------------------------------------------------------------- helpers


def randomize_(model: torch.nn.Module, seed: int) -> None:
    """Overwrite EVERY parameter and persistent buffer with seeded random values:
    >=2-D weights (linear / conv): N(0, 1/fan_in), fan_in = prod(shape[1:]);
    biases: N(0, 0.1^2); 1-D weights (RMSNorm / GroupNorm scales): 1 + N(0, 0.1^2);
    pos_embed.pos_embed: N(0, 0.5^2)."""
    g = torch.Generator().manual_seed(seed)
    sd = model.state_dict(keep_vars=True)
    with torch.no_grad():
        for name in sorted(sd):
            t = sd[name]
            shape = tuple(t.shape)
            if name.endswith("pos_embed.pos_embed"):
                new = torch.randn(shape, generator=g) * 0.5
            elif name.endswith("bias"):
                new = torch.randn(shape, generator=g) * 0.1
            elif name.endswith("weight") and t.dim() >= 2:
                fan_in = math.prod(shape[1:])
                new = torch.randn(shape, generator=g) / math.sqrt(fan_in)
            elif name.endswith("weight") and t.dim() == 1:
                new = 1.0 + torch.randn(shape, generator=g) * 0.1
            else:
                raise RuntimeError(f"no randomisation rule for {name} {shape}")
            t.copy_(new)


def rel_l2(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a.double() - b.double()).norm() / b.double().norm().clamp_min(1e-30))


def check_not_degenerate(name: str, t: torch.Tensor) -> dict:
    t = t.detach()
    assert torch.isfinite(t).all(), f"{name}: non-finite values"
    std = float(t.std())
    assert std > 0.05, f"{name}: degenerate output (std {std})"
    assert float((t[0] - t[1]).abs().max()) > 1e-3, f"{name}: batch items identical"
    return {"mean": float(t.mean()), "std": std, "absmax": float(t.abs().max())}


def write_config(folder: str, model) -> dict:
    """diffusers' ConfigMixin.to_json_string format: all __init__ args + _class_name, _diffusers_version;
    json.dumps(indent=2, sort_keys=True) + newline."""
    cfg = dict(model.config)
    cfg["_class_name"] = type(model).__name__
    cfg["_diffusers_version"] = diffusers_stubs.DIFFUSERS_VERSION
    cfg = json.loads(json.dumps(cfg))  # tuples -> lists
    with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    return cfg


def read_config(folder: str) -> dict:
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    return {k: v for k, v in cfg.items() if not k.startswith("_")}


def write_weights(folder: str, state: dict, dtype: str, sharded: bool) -> list:
    meta = {"format": "pt"}
    state = {k: v.detach().clone() for k, v in state.items()}
    if not sharded:
        st.save_file(state, os.path.join(folder, WEIGHTS_NAME), dtype=dtype, metadata=meta)
        return [WEIGHTS_NAME]
    # Greedy split in state-dict (module) order at half the bytes, like diffusers'
    # split_torch_state_dict_into_shards with a max_shard_size of ~half the model.
    itemsize = {"F32": 4, "F16": 2, "BF16": 2}[dtype]
    total = sum(v.numel() * itemsize for v in state.values())
    shards, cur, cur_bytes = [], {}, 0
    for k, v in state.items():
        nbytes = v.numel() * itemsize
        if cur and cur_bytes + nbytes > total / 2 and len(shards) == 0:
            shards.append(cur)
            cur, cur_bytes = {}, 0
        cur[k] = v
        cur_bytes += nbytes
    shards.append(cur)
    assert len(shards) == 2
    names, weight_map, written = [], {}, 0
    for i, shard in enumerate(shards):
        fname = f"diffusion_pytorch_model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        written += st.save_file(shard, os.path.join(folder, fname), dtype=dtype, metadata=meta)
        names.append(fname)
        for k in shard:
            weight_map[k] = fname
    assert written == total
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    with open(os.path.join(folder, INDEX_NAME), "w", encoding="utf-8") as f:
        f.write(json.dumps(index, indent=2, sort_keys=True) + "\n")
    return names + [INDEX_NAME]


def read_weights(folder: str) -> tuple[dict, set]:
    """Own reader: single file or index.json + shards, everything upcast to float32."""
    idx = os.path.join(folder, INDEX_NAME)
    if os.path.exists(idx):
        with open(idx, encoding="utf-8") as f:
            index = json.load(f)
        state, dtypes = {}, set()
        for fname in sorted(set(index["weight_map"].values())):
            t, _, d = st.load_file(os.path.join(folder, fname))
            for k in t:
                assert index["weight_map"][k] == fname, k
            state.update(t)
            dtypes |= set(d.values())
        assert set(state) == set(index["weight_map"]), "index/shard key mismatch"
        return state, dtypes
    t, _, d = st.load_file(os.path.join(folder, WEIGHTS_NAME))
    return t, set(d.values())


def capture(model, names):
    """Forward hooks storing intermediate outputs (for debugging a port; optional in tests)."""
    store, handles = {}, []
    mods = dict(model.named_modules())
    for key, modname in names:
        def hook(_m, _inp, out, key=key):
            if isinstance(out, tuple):  # JointTransformerBlock -> (encoder_hidden_states, hidden_states)
                store[key + ".context"], store[key + ".hidden"] = out
            else:
                store[key] = out
        handles.append(mods[modname].register_forward_hook(hook))
    return store, handles


def _dpkg_version(pkg: str):
    try:
        import subprocess
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True,
                              check=True).stdout.strip() or None
    except Exception:
        return None


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# ----------------------------------------------------------------------------- cases


def transformer_inputs(cfg, hw, seed):
    g = torch.Generator().manual_seed(seed)
    h, w = hw
    return {
        "hidden_states": torch.randn((BATCH, cfg["in_channels"], h, w), generator=g),
        "encoder_hidden_states": torch.randn((BATCH, TEXT_LEN, cfg["joint_attention_dim"]), generator=g),
        "pooled_projections": torch.randn((BATCH, cfg["pooled_projection_dim"]), generator=g),
        "timestep": torch.tensor(TIMESTEPS, dtype=torch.float32),
    }


def run_transformer(model, inp):
    with torch.no_grad():
        return model(
            hidden_states=inp["hidden_states"],
            encoder_hidden_states=inp["encoder_hidden_states"],
            pooled_projections=inp["pooled_projections"],
            timestep=inp["timestep"],
            return_dict=True,
        ).sample


def make_transformer(T, out_root, name, cfg, dtype, sharded, hw, wseed, iseed, commit):
    folder = os.path.join(out_root, name)
    os.makedirs(folder)
    model = T(**cfg).eval()
    randomize_(model, wseed)
    keys = list(model.state_dict())
    for k in ("transformer_blocks.0.attn.to_q.weight", "pos_embed.pos_embed",
              "time_text_embed.timestep_embedder.linear_1.weight", "norm_out.linear.weight", "proj_out.weight"):
        assert k in keys, f"missing diffusers key {k}"
    written_cfg = write_config(folder, model)
    files = write_weights(folder, model.state_dict(), dtype, sharded)
    stored, _ = read_weights(folder)
    for k, v in model.state_dict().items():
        # writer+reader against torch's own conversion (round-to-nearest-even for BF16)
        want = v if dtype == "F32" else v.to({"BF16": torch.bfloat16, "F16": torch.float16}[dtype]).float()
        assert torch.equal(stored[k], want), f"{name}: stored {k} differs from torch's {dtype} rounding"
    if dtype != "F32":
        # reference = float32 math on the weights exactly as stored (bf16-rounded, upcast)
        assert any(not torch.equal(stored[k], v) for k, v in model.state_dict().items())
        model.load_state_dict(stored, strict=True)
    inp = transformer_inputs(cfg, hw, iseed)
    debug_names = [("debug.pos_embed_out", "pos_embed"), ("debug.temb", "time_text_embed"),
                   ("debug.context_embedder_out", "context_embedder")]
    debug_names += [(f"debug.block{i}", f"transformer_blocks.{i}") for i in range(cfg["num_layers"])]
    debug_names += [("debug.norm_out", "norm_out"), ("debug.proj_out", "proj_out")]
    store, handles = capture(model, debug_names)
    out = run_transformer(model, inp)
    for h in handles:
        h.remove()
    stats = check_not_degenerate(name, out)
    parity = dict(inp)
    parity["sample"] = out
    for k, v in store.items():
        if v is not None:
            parity[k] = v
    st.save_file(parity, os.path.join(folder, "parity.safetensors"), "F32",
                 metadata={"case": name, "diffusers_commit": commit, "weights_dtype": dtype})
    return folder, {"kind": "SD3Transformer2DModel", "config": written_cfg, "weights_dtype": dtype,
                    "weight_files": files, "latent_hw": list(hw), "timesteps": TIMESTEPS,
                    "weight_seed": wseed, "input_seed": iseed, "num_params": sum(v.numel() for v in model.state_dict().values()),
                    "sample_stats": stats}


def vae_inputs(cfg, hw, seed):
    g = torch.Generator().manual_seed(seed)
    h, w = hw
    down = 2 ** (len(cfg["block_out_channels"]) - 1)
    lh, lw = h, w
    for _ in range(len(cfg["block_out_channels"]) - 1):  # Downsample2D: pad (0,1,0,1), conv k3 s2
        lh, lw = (lh + 1 - 3) // 2 + 1, (lw + 1 - 3) // 2 + 1
    assert (lh, lw) == (h // down, w // down)
    x = torch.rand((BATCH, cfg["in_channels"], h, w), generator=g) * 2 - 1  # image-like, [-1, 1]
    z = torch.randn((BATCH, cfg["latent_channels"], lh, lw), generator=g)
    return x, z


def make_vae(V, out_root, name, cfg, hw, wseed, iseed, commit):
    folder = os.path.join(out_root, name)
    os.makedirs(folder)
    model = V(**cfg).eval()
    randomize_(model, wseed)
    keys = list(model.state_dict())
    for k in ("encoder.conv_in.weight", "encoder.mid_block.attentions.0.to_q.weight",
              "encoder.mid_block.attentions.0.group_norm.weight", "decoder.up_blocks.0.upsamplers.0.conv.weight",
              "encoder.down_blocks.0.downsamplers.0.conv.weight", "decoder.conv_norm_out.weight"):
        assert k in keys, f"missing diffusers key {k}"
    assert ("quant_conv.weight" in keys) == cfg["use_quant_conv"]
    assert ("post_quant_conv.weight" in keys) == cfg["use_post_quant_conv"]
    written_cfg = write_config(folder, model)
    files = write_weights(folder, model.state_dict(), "F32", False)
    x, z = vae_inputs(cfg, hw, iseed)
    store, handles = capture(model, [("debug.encoder_out", "encoder"), ("debug.decoder_mid_out", "decoder.mid_block")])
    with torch.no_grad():
        post = model.encode(x).latent_dist
        mean, logvar = post.mean, post.logvar
        enc_store = dict(store)
        store.clear()
        dec = model.decode(z).sample
    for h in handles:
        h.remove()
    stats = {"encoded_mean": check_not_degenerate(name + ".encoded_mean", mean),
             "decoded": check_not_degenerate(name + ".decoded", dec)}
    parity = {"x": x, "encoded_mean": mean, "encoded_logvar": logvar, "z": z, "decoded": dec,
              "debug.encoder_out": enc_store["debug.encoder_out"], "debug.decoder_mid_out": store["debug.decoder_mid_out"]}
    st.save_file(parity, os.path.join(folder, "parity.safetensors"), "F32",
                 metadata={"case": name, "diffusers_commit": commit, "weights_dtype": "F32"})
    return folder, {"kind": "AutoencoderKL", "config": written_cfg, "weights_dtype": "F32", "weight_files": files,
                    "image_hw": list(hw), "latent_hw": list(z.shape[-2:]), "weight_seed": wseed, "input_seed": iseed,
                    "num_params": sum(v.numel() for v in model.state_dict().values()), "stats": stats}


# ----------------------------------------------------------------------------- self-check


def raw_spot_check(path: str, expected: dict) -> int:
    """Decode the first and last element of every tensor straight from the file bytes with `struct`
    (independent of safetensors_io's numpy path) and compare with the in-memory tensors."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8 : 8 + n])
    checked = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        flat = expected[name].reshape(-1)
        itemsize = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8}[info["dtype"]]
        for idx, off in ((0, b), (flat.numel() - 1, e - itemsize)):
            pos = 8 + n + off
            if info["dtype"] == "F32":
                (val,) = struct.unpack_from("<f", data, pos)
            elif info["dtype"] == "F64":
                (val,) = struct.unpack_from("<d", data, pos)
            elif info["dtype"] == "I64":
                (val,) = struct.unpack_from("<q", data, pos)
            elif info["dtype"] == "BF16":
                (bits,) = struct.unpack_from("<H", data, pos)
                (val,) = struct.unpack("<f", struct.pack("<I", bits << 16))
            else:
                (val,) = struct.unpack_from("<e", data, pos)
            assert val == float(flat[idx]), f"{path}: {name}[{idx}] = {val}, expected {float(flat[idx])}"
            checked += 1
    return checked


def self_check(T, V, folder: str, kind: str, expect_dtype: str) -> dict:
    """Fresh diffusers model from the written config.json, weights via OUR reader, compare outputs."""
    cfg = read_config(folder)
    state, dtypes = read_weights(folder)
    assert dtypes == {expect_dtype}, f"{folder}: stored dtypes {dtypes}"
    parity, _, _ = st.load_file(os.path.join(folder, "parity.safetensors"))
    weight_files = [f for f in os.listdir(folder) if f.startswith("diffusion_pytorch_model") and f.endswith(".safetensors")]
    for f in weight_files:
        raw_spot_check(os.path.join(folder, f), state)
    raw_spot_check(os.path.join(folder, "parity.safetensors"), parity)
    res = {}
    if kind == "SD3Transformer2DModel":
        model = T(**cfg).eval()
        model.load_state_dict(state, strict=True)
        out = run_transformer(model, parity)
        res["sample"] = rel_l2(out, parity["sample"])
    else:
        model = V(**cfg).eval()
        model.load_state_dict(state, strict=True)
        with torch.no_grad():
            post = model.encode(parity["x"]).latent_dist
            dec = model.decode(parity["z"]).sample
        res["encoded_mean"] = rel_l2(post.mean, parity["encoded_mean"])
        res["encoded_logvar"] = rel_l2(post.logvar, parity["encoded_logvar"])
        res["decoded"] = rel_l2(dec, parity["decoded"])
    for k, v in res.items():
        assert v <= TOL, f"{folder}: self-check {k} rel L2 {v} > {TOL}"
    return res


# ----------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--diffusers-src", required=True, help="diffusers' src/ folder (contains diffusers/)")
    ap.add_argument("--diffusers-commit", required=True, help="git commit of that diffusers checkout (recorded)")
    ap.add_argument("--out", required=True, help="output folder, e.g. tests/FlowTune.Tests/Data/sd3")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch2_shims.install()
    diffusers_stubs.install(args.diffusers_src)
    T, V, model_files = diffusers_stubs.load_real_models()
    S, pipe_mod, sp_files = diffusers_stubs.install_scheduler_pipeline(T, V)
    # sanity: the modules that ran are diffusers' files, not ours
    for modname, path in list(model_files.items()) + list(sp_files.items()):
        assert os.path.abspath(path).startswith(os.path.abspath(args.diffusers_src)), (modname, path)

    out_root = os.path.abspath(args.out)
    os.makedirs(out_root, exist_ok=True)
    for name in [c[0] for c in TRANSFORMER_CASES] + [c[0] for c in VAE_CASES] + spc.CASE_NAMES:
        p = os.path.join(out_root, name)
        if os.path.isdir(p):
            shutil.rmtree(p)

    manifest = {
        "generator": "tools/sd3/make_reference_vectors.py",
        "diffusers_commit": args.diffusers_commit,
        "diffusers_version": diffusers_stubs.DIFFUSERS_VERSION,
        "torch_version": torch.__version__,
        "debian_python3_torch": _dpkg_version("python3-torch"),
        "python_version": sys.version.split()[0],
        "diffusers_model_files_sha256": {
            os.path.relpath(p, args.diffusers_src): sha256(p) for p in sorted(set(model_files.values()))
        },
        "diffusers_scheduler_pipeline_files_sha256": {
            os.path.relpath(p, args.diffusers_src): sha256(p) for p in sorted(set(sp_files.values()))
        },
        "cases": {},
    }
    done = []
    for name, cfg, dtype, sharded, hw, wseed, iseed in TRANSFORMER_CASES:
        folder, info = make_transformer(T, out_root, name, cfg, dtype, sharded, hw, wseed, iseed, args.diffusers_commit)
        manifest["cases"][name] = info
        done.append((folder, info["kind"], dtype))
        print(f"[gen] {name}: sample std {info['sample_stats']['std']:.4f}, {info['num_params']} params", flush=True)
    for name, cfg, hw, wseed, iseed in VAE_CASES:
        folder, info = make_vae(V, out_root, name, cfg, hw, wseed, iseed, args.diffusers_commit)
        manifest["cases"][name] = info
        done.append((folder, info["kind"], "F32"))
        print(f"[gen] {name}: decoded std {info['stats']['decoded']['std']:.4f}, {info['num_params']} params", flush=True)

    for name, info in spc.make_scheduler_cases(S, pipe_mod, out_root, args.diffusers_commit,
                                               diffusers_stubs.DIFFUSERS_VERSION).items():
        manifest["cases"][name] = info
        print(f"[gen] {name}", flush=True)
    folder, info = spc.make_pipeline_case(T, S, pipe_mod, out_root, args.diffusers_commit, read_config, read_weights,
                                          check_not_degenerate)
    manifest["cases"][spc.PIPE_CASE] = info
    print(f"[gen] {spc.PIPE_CASE}: t {info['timestep']}, noise_pred std {info['stats']['noise_pred']['std']:.4f}, "
          f"prev_latents std {info['stats']['prev_latents']['std']:.4f}", flush=True)

    for folder, kind, dtype in done:
        res = self_check(T, V, folder, kind, dtype)
        manifest["cases"][os.path.basename(folder)]["self_check_rel_l2"] = res
        print(f"[check] {os.path.basename(folder)}: " + ", ".join(f"{k} {v:.2e}" for k, v in res.items()), flush=True)
    sd35 = spc.load_transformer(T, os.path.join(out_root, spc.PIPE_TRANSFORMER), read_config, read_weights)
    for name, res in spc.check_scheduler_cases(S, pipe_mod, sd35, out_root, raw_spot_check).items():
        manifest["cases"][name]["self_check"] = res
        print(f"[check] {name}: " + ", ".join(res), flush=True)
    res = spc.check_pipeline_case(T, S, out_root, read_config, read_weights, raw_spot_check)
    manifest["cases"][spc.PIPE_CASE]["self_check"] = res
    print(f"[check] {spc.PIPE_CASE}: " + ", ".join(res), flush=True)

    for name in manifest["cases"]:
        folder = os.path.join(out_root, name)
        manifest["cases"][name]["files"] = {
            f: {"bytes": os.path.getsize(os.path.join(folder, f)), "sha256": sha256(os.path.join(folder, f))}
            for f in sorted(os.listdir(folder))
        }
    with open(os.path.join(out_root, "manifest.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(out_root) for fn in fns)
    print(f"[done] {out_root}: {total} bytes")


if __name__ == "__main__":
    main()
