#!/usr/bin/python3
"""A tiny, complete SD3.5-style pipeline folder in diffusers' exact layout, plus what diffusers' REAL
StableDiffusion3Pipeline computes with it (prompt encoding, a full 3-step generation, decoding).

Output: tests/FlowTune.Tests/Data/sd3/pipeline-tiny/
    model_index.json                      as DiffusionPipeline.save_pretrained writes it
    transformer/  vae/  scheduler/        diffusers components (config + F32 safetensors)
    text_encoder/ text_encoder_2/ text_encoder_3/   transformers components (config + F32 model.safetensors)
    tokenizer/ tokenizer_2/ tokenizer_3/  copied from tests/FlowTune.Tests/Data/sd3-text/
    reference.safetensors, reference.json the pipeline's outputs, its call arguments, provenance, self-checks

What runs is diffusers' and transformers' own source: the model files (as for make_reference_vectors.py and
tools/sd3-text/make_text_vectors.py), plus diffusers' pipelines/stable_diffusion_3/pipeline_stable_diffusion_3.py,
pipeline_output.py, schedulers/scheduling_flow_match_euler_discrete.py, image_processor.py (the real
VaeImageProcessor), utils/pil_utils.py and callbacks.py. Ours: the stubs (diffusers_stubs.py,
tools/sd3-text/transformers_stubs.py), the stage below that lets the pipeline file import, the configs, the
weight randomisation, the writers/readers and the checks. See README.md ("Pipeline fixture").

    nice -n 19 /usr/bin/python3 tools/sd3/make_pipeline_fixture.py \
        --diffusers-src /tmp/diffusers/src --diffusers-commit 58eb52c0803ea9af3abec60841c2a093bdf1f951 \
        --transformers-src /tmp/transformers/src --transformers-commit b499a14b17062257a41accc12e833f48f0a69409
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import types

sys.dont_write_bytecode = True  # no __pycache__ inside the repo
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
TEXT_TOOLS = os.path.join(REPO, "tools", "sd3-text")
sys.path.insert(0, HERE)
sys.path.insert(1, TEXT_TOOLS)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import diffusers_stubs  # noqa: E402
import safetensors_io as st  # noqa: E402
import torch2_shims  # noqa: E402
import make_reference_vectors  # noqa: E402
import scheduler_pipeline_cases  # noqa: E402

DEFAULT_OUT = os.path.join(REPO, "tests", "FlowTune.Tests", "Data", "sd3", "pipeline-tiny")
TOKENIZER_SRC = os.path.join(REPO, "tests", "FlowTune.Tests", "Data", "sd3-text")
WEIGHTS_NAME = "diffusion_pytorch_model.safetensors"
SIZE_LIMIT = 1_500_000

# ----------------------------------------------------------------------------- what the fixture holds

PROMPTS = ["a red cube left of a blue sphere", "three  green   cones!"]
NEGATIVE_PROMPT = ""
MAX_SEQUENCE_LENGTH = 12  # T5 tokens (SD3 default 256)
HEIGHT = WIDTH = 32  # pixels -> latents 8x8 (vae_scale_factor 4)
NUM_INFERENCE_STEPS = 3
GUIDANCE_SCALE = 4.5
LATENT_SHAPE = (2, 4, 8, 8)

SEEDS = {"transformer": 6001, "vae": 6002, "text_encoder": 6011, "text_encoder_2": 6012, "text_encoder_3": 6013,
         "latents": 6101}

CLIP_MAX_LENGTH = 16  # tokenizer(_2)/tokenizer_config.json model_max_length == max_position_embeddings
CLIP_VOCAB = 562  # the copied CLIP tokenizers: ids 0..561
T5_VOCAB = 128  # the copied T5 tokenizer: ids 0..109

CLIP_L = dict(vocab_size=CLIP_VOCAB, hidden_size=8, intermediate_size=16, projection_dim=8, num_hidden_layers=2,
              num_attention_heads=2, max_position_embeddings=CLIP_MAX_LENGTH, hidden_act="quick_gelu",
              layer_norm_eps=1e-5, bos_token_id=0, eos_token_id=2, pad_token_id=1, attention_dropout=0.0,
              dropout=0.0)
CLIP_G = dict(CLIP_L, hidden_size=12, intermediate_size=24, projection_dim=12, num_hidden_layers=3,
              hidden_act="gelu")
T5 = dict(vocab_size=T5_VOCAB, d_model=32, d_kv=8, num_heads=2, d_ff=48, num_layers=2, num_decoder_layers=2,
          feed_forward_proj="gated-gelu", relative_attention_num_buckets=8, relative_attention_max_distance=20,
          layer_norm_epsilon=1e-6, dropout_rate=0.1, is_encoder_decoder=True, tie_word_embeddings=False,
          pad_token_id=0, eos_token_id=1, decoder_start_token_id=0, use_cache=True)

TRANSFORMER = dict(
    sample_size=8,  # default_sample_size: height/width default to 8 * vae_scale_factor = 32
    patch_size=2,
    in_channels=4,
    num_layers=3,
    attention_head_dim=8,
    num_attention_heads=2,
    joint_attention_dim=T5["d_model"],  # 32
    caption_projection_dim=16,
    pooled_projection_dim=CLIP_L["projection_dim"] + CLIP_G["projection_dim"],  # 20
    out_channels=4,
    pos_embed_max_size=8,
    dual_attention_layers=[0],
    qk_norm="rms_norm",
)
# the VAE of the vae-sd35 fixture (no quant convs, vae_scale_factor 4) at the pipeline's 32-pixel size
VAE = {**make_reference_vectors.VAE_BASE, "sample_size": 32}
SCHEDULER = dict(scheduler_pipeline_cases.SCHEDULER_SD35)  # SD3.5 (Large / Medium) scheduler_config.json values

ENCODE_KWARGS = dict(prompt=PROMPTS, prompt_2=None, prompt_3=None, negative_prompt=NEGATIVE_PROMPT,
                     do_classifier_free_guidance=True, num_images_per_prompt=1, max_sequence_length=MAX_SEQUENCE_LENGTH)
CALL_KWARGS = dict(prompt=PROMPTS, negative_prompt=NEGATIVE_PROMPT, height=HEIGHT, width=WIDTH,
                   num_inference_steps=NUM_INFERENCE_STEPS, guidance_scale=GUIDANCE_SCALE,
                   max_sequence_length=MAX_SEQUENCE_LENGTH, num_images_per_prompt=1)
OUTPUT_TYPES = ["latent", "pt", "np"]

# ----------------------------------------------------------------------------- import stage (ours)


def _load_file_as(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def install(diffusers_src, transformers_src):
    """transformers' real text models/tokenizers, diffusers' real models, then what the real SD3 pipeline file
    imports. Returns a namespace with the classes and the list of real source files that ran."""
    torch2_shims.install()
    import transformers_stubs

    tfns = transformers_stubs.install(transformers_src)  # registers `transformers` (real files) first
    diffusers_stubs.install(diffusers_src)
    T, V, model_files = diffusers_stubs.load_real_models()
    root = sys.modules["diffusers"].__path__[0]
    mod = diffusers_stubs._module

    utils = sys.modules["diffusers.utils"]
    imp = sys.modules["diffusers.utils.import_utils"]
    utils.CONFIG_NAME = "config.json"
    utils.is_scipy_available = imp.is_scipy_available = diffusers_stubs._false
    utils.replace_example_docstring = lambda doc: (lambda fn: fn)
    utils.scale_lora_layers = utils.unscale_lora_layers = lambda *a, **k: None  # never reached (no lora_scale)
    pil_utils = _load_file_as("diffusers.utils.pil_utils", os.path.join(root, "utils", "pil_utils.py"))
    utils.PIL_INTERPOLATION = pil_utils.PIL_INTERPOLATION
    utils.pil_utils = pil_utils

    # the REAL image_processor.py (VaeImageProcessor) replaces diffusers_stubs' placeholder module
    del sys.modules["diffusers.image_processor"]
    image_processor = importlib.import_module("diffusers.image_processor")
    callbacks = importlib.import_module("diffusers.callbacks")  # real file (ConfigMixin + CONFIG_NAME only)

    sch = mod("diffusers.schedulers", os.path.join(root, "schedulers"))
    su = mod("diffusers.schedulers.scheduling_utils")
    su.SchedulerMixin = diffusers_stubs.SchedulerMixin
    fm = importlib.import_module("diffusers.schedulers.scheduling_flow_match_euler_discrete")
    sch.FlowMatchEulerDiscreteScheduler = S = fm.FlowMatchEulerDiscreteScheduler

    sys.modules["diffusers.models.transformers"].SD3Transformer2DModel = T
    sys.modules["diffusers.models.autoencoders"].AutoencoderKL = V
    loaders = sys.modules["diffusers.loaders"]
    for n in ("FromSingleFileMixin", "SD3IPAdapterMixin", "SD3LoraLoaderMixin"):
        setattr(loaders, n, type(n, (), {}))

    # `from transformers import ...` in the pipeline file: the real classes; SigLIP (IP-Adapter only) and
    # T5TokenizerFast (only a type annotation there) as placeholders that are never instantiated
    tr = sys.modules["transformers"]
    tr.CLIPTextModelWithProjection = tfns.modeling_clip.CLIPTextModelWithProjection
    tr.CLIPTokenizer = tfns.tokenization_clip.CLIPTokenizer
    tr.T5EncoderModel = tfns.modeling_t5.T5EncoderModel
    for n in ("SiglipImageProcessor", "SiglipVisionModel", "T5TokenizerFast"):
        setattr(tr, n, type(n, (), {}))

    mod("diffusers.pipelines", os.path.join(root, "pipelines"))
    mod("diffusers.pipelines.stable_diffusion_3", os.path.join(root, "pipelines", "stable_diffusion_3"))
    pu = mod("diffusers.pipelines.pipeline_utils")
    pu.DiffusionPipeline = diffusers_stubs.DiffusionPipeline
    pipe_mod = importlib.import_module("diffusers.pipelines.stable_diffusion_3.pipeline_stable_diffusion_3")

    real = dict(model_files)
    for n in ("diffusers.pipelines.stable_diffusion_3.pipeline_stable_diffusion_3",
              "diffusers.pipelines.stable_diffusion_3.pipeline_output",
              "diffusers.schedulers.scheduling_flow_match_euler_discrete", "diffusers.image_processor",
              "diffusers.utils.pil_utils", "diffusers.callbacks"):
        real[n] = sys.modules[n].__file__
    for n, p in real.items():
        assert os.path.abspath(p).startswith(os.path.abspath(diffusers_src)), (n, p)
    assert pipe_mod.VaeImageProcessor is image_processor.VaeImageProcessor
    assert pipe_mod.PipelineCallback is callbacks.PipelineCallback
    return types.SimpleNamespace(
        T=T, V=V, S=S, Pipeline=pipe_mod.StableDiffusion3Pipeline, pipe_mod=pipe_mod, tfns=tfns,
        CLIPTextConfig=tfns.configuration_clip.CLIPTextConfig, T5Config=tfns.configuration_t5.T5Config,
        CLIP=tfns.modeling_clip.CLIPTextModelWithProjection, T5Enc=tfns.modeling_t5.T5EncoderModel,
        CLIPTokenizer=tfns.tokenization_clip.CLIPTokenizer, T5Tokenizer=tfns.tokenization_t5.T5Tokenizer,
        diffusers_files=real)


# ----------------------------------------------------------------------------- helpers


def write_diffusers_config(folder, obj, version):
    """ConfigMixin.to_json_string: every __init__ argument + _class_name + _diffusers_version, indent 2,
    sorted keys, trailing newline; file name = the class's config_name."""
    cfg = dict(obj.config)
    cfg["_class_name"] = type(obj).__name__
    cfg["_diffusers_version"] = version
    cfg = json.loads(json.dumps(cfg))
    name = getattr(type(obj), "config_name", "config.json")
    with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    return cfg


def read_diffusers_config(path):
    with open(path, encoding="utf-8") as f:
        cfg = json.load(f)
    return cfg["_class_name"], {k: v for k, v in cfg.items() if not k.startswith("_")}


def fetch_class_library_tuple(module):
    """What diffusers' pipeline_loading_utils._fetch_class_library_tuple gives for these objects:
    (top-level package of the class's module, class name); None -> (None, None)."""
    if module is None:
        return [None, None]
    lib = type(module).__module__.split(".")[0]
    assert lib in ("diffusers", "transformers"), type(module).__module__
    return [lib, type(module).__name__]


def rel_l2(a, b):
    a, b = a.double(), b.double()
    return float((a - b).norm() / b.norm().clamp_min(1e-30))


def check_not_degenerate(name, t):
    t = t.detach()
    assert torch.isfinite(t).all(), f"{name}: non-finite"
    std = float(t.float().std())
    assert std > 0.02, f"{name}: degenerate (std {std})"
    assert float((t[0].float() - t[1].float()).abs().max()) > 1e-3, f"{name}: batch items identical"
    return {"mean": float(t.float().mean()), "std": std, "min": float(t.min()), "max": float(t.max())}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def dpkg_version(pkg):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True,
                              check=True).stdout.strip() or None
    except Exception:
        return None


def raw_spot_check(path, expected):
    """First/last element of every tensor decoded straight from the file bytes with struct."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n])
    fmt = {"F32": ("<f", 4), "F64": ("<d", 8), "I64": ("<q", 8)}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        code, size = fmt[info["dtype"]]
        b, e = info["data_offsets"]
        flat = expected[name].reshape(-1)
        for idx, off in ((0, b), (flat.numel() - 1, e - size)):
            (val,) = struct.unpack_from(code, data, 8 + n + off)
            want = flat[idx].item()
            assert val == want, f"{path}: {name}[{idx}] = {val}, expected {want}"


# ----------------------------------------------------------------------------- building the folder


def build_components(ns):
    comps = {}
    t = ns.T(**TRANSFORMER).eval()
    make_reference_vectors.randomize_(t, SEEDS["transformer"])
    keys = set(t.state_dict())
    for k in ("transformer_blocks.0.attn2.to_q.weight", "transformer_blocks.0.attn.norm_q.weight",
              "pos_embed.pos_embed", "context_embedder.weight", "time_text_embed.text_embedder.linear_1.weight"):
        assert k in keys, k
    assert "transformer_blocks.1.attn2.to_q.weight" not in keys
    assert tuple(t.state_dict()["context_embedder.weight"].shape) == (16, T5["d_model"])
    comps["transformer"] = t
    v = ns.V(**VAE).eval()
    make_reference_vectors.randomize_(v, SEEDS["vae"])
    assert "quant_conv.weight" not in v.state_dict() and "post_quant_conv.weight" not in v.state_dict()
    comps["vae"] = v
    comps["scheduler"] = ns.S(**SCHEDULER)

    import make_text_vectors as mtv  # tools/sd3-text: its randomise_ rule (Linear, Embedding, LayerNorm)

    for sub, kw, is_t5 in (("text_encoder", CLIP_L, False), ("text_encoder_2", CLIP_G, False),
                           ("text_encoder_3", T5, True)):
        cfg = (ns.T5Config if is_t5 else ns.CLIPTextConfig)(**kw)
        m = (ns.T5Enc if is_t5 else ns.CLIP)(cfg).eval()
        mtv.randomise_(m, SEEDS[sub], ns.tfns)
        comps[sub] = m
    return comps, mtv


def write_folder(ns, comps, mtv, out, version):
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    configs = {}
    for sub in ("transformer", "vae"):
        folder = os.path.join(out, sub)
        os.makedirs(folder)
        configs[sub] = write_diffusers_config(folder, comps[sub], version)
        st.save_file({k: v.detach().clone() for k, v in comps[sub].state_dict().items()},
                     os.path.join(folder, WEIGHTS_NAME), "F32", metadata={"format": "pt"})
    folder = os.path.join(out, "scheduler")
    os.makedirs(folder)
    configs["scheduler"] = write_diffusers_config(folder, comps["scheduler"], version)
    arch = {"text_encoder": "CLIPTextModelWithProjection", "text_encoder_2": "CLIPTextModelWithProjection",
            "text_encoder_3": "T5EncoderModel"}
    for sub, a in arch.items():
        folder = os.path.join(out, sub)
        os.makedirs(folder)
        mtv.save_config(comps[sub].config, folder, a)  # transformers' own config.json writer
        sd = dict(comps[sub].state_dict())
        if a == "T5EncoderModel":  # tied to shared.weight; transformers' save_pretrained drops the duplicate
            assert sd["encoder.embed_tokens.weight"].data_ptr() == sd["shared.weight"].data_ptr()
            del sd["encoder.embed_tokens.weight"]
        st.save_file({k: v.detach().clone() for k, v in sd.items()}, os.path.join(folder, "model.safetensors"),
                     "F32", metadata={"format": "pt"})
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
            configs[sub] = json.load(f)
    for sub in ("tokenizer", "tokenizer_2", "tokenizer_3"):
        shutil.copytree(os.path.join(TOKENIZER_SRC, sub), os.path.join(out, sub))
        with open(os.path.join(out, sub, "tokenizer_config.json"), encoding="utf-8") as f:
            configs[sub] = {k: v for k, v in json.load(f).items() if k != "added_tokens_decoder"}

    # tokenizers as diffusers loads them: from_pretrained(root, subfolder=...)
    comps["tokenizer"] = ns.CLIPTokenizer.from_pretrained(out, subfolder="tokenizer")
    comps["tokenizer_2"] = ns.CLIPTokenizer.from_pretrained(out, subfolder="tokenizer_2")
    comps["tokenizer_3"] = ns.T5Tokenizer.from_pretrained(out, subfolder="tokenizer_3")
    assert comps["tokenizer"].model_max_length == CLIP_MAX_LENGTH == comps["tokenizer_2"].model_max_length
    assert len(comps["tokenizer"]) == CLIP_VOCAB == len(comps["tokenizer_2"]) and len(comps["tokenizer_3"]) <= T5_VOCAB

    # model_index.json: DiffusionPipeline.register_modules records (library, class) per __init__ component
    # (None -> [null, null]); save_pretrained writes it with save_config (to_json_string, sorted keys)
    order = ["transformer", "scheduler", "vae", "text_encoder", "tokenizer", "text_encoder_2", "tokenizer_2",
             "text_encoder_3", "tokenizer_3", "image_encoder", "feature_extractor"]
    index = {"_class_name": ns.Pipeline.__name__, "_diffusers_version": version}
    for name in order:
        index[name] = fetch_class_library_tuple(comps.get(name))
    with open(os.path.join(out, "model_index.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(index, indent=2, sort_keys=True) + "\n")
    configs["model_index"] = index
    return configs


def load_folder(ns, out):
    """Fresh modules from the written folder only: model_index.json picks the classes, configs from the
    component folders (diffusers: Class(**config); transformers: Config.from_json_file), weights through
    safetensors_io (our reader), tokenizers through transformers' from_pretrained(root, subfolder=...)."""
    with open(os.path.join(out, "model_index.json"), encoding="utf-8") as f:
        index = json.load(f)
    classes = {("diffusers", "SD3Transformer2DModel"): ns.T, ("diffusers", "AutoencoderKL"): ns.V,
               ("diffusers", "FlowMatchEulerDiscreteScheduler"): ns.S,
               ("transformers", "CLIPTextModelWithProjection"): ns.CLIP, ("transformers", "T5EncoderModel"): ns.T5Enc,
               ("transformers", "CLIPTokenizer"): ns.CLIPTokenizer, ("transformers", "T5Tokenizer"): ns.T5Tokenizer}
    assert index["_class_name"] == "StableDiffusion3Pipeline"
    comps = {}
    for name, entry in index.items():
        if name.startswith("_"):
            continue
        lib, cls_name = entry
        if lib is None:
            comps[name] = None
            continue
        cls = classes[(lib, cls_name)]
        folder = os.path.join(out, name)
        if lib == "diffusers":
            fname = "scheduler_config.json" if name == "scheduler" else "config.json"
            written_cls, cfg = read_diffusers_config(os.path.join(folder, fname))
            assert written_cls == cls_name
            obj = cls(**cfg)
            if name != "scheduler":
                state, _, dtypes = st.load_file(os.path.join(folder, WEIGHTS_NAME))
                assert set(dtypes.values()) == {"F32"}
                obj.load_state_dict(state, strict=True)
                obj.eval()
        elif cls_name.endswith("Tokenizer"):
            obj = cls.from_pretrained(out, subfolder=name)
        else:
            cfg_cls = ns.T5Config if cls is ns.T5Enc else ns.CLIPTextConfig
            obj = cls(cfg_cls.from_json_file(os.path.join(folder, "config.json"))).eval()
            state, meta, dtypes = st.load_file(os.path.join(folder, "model.safetensors"))
            assert meta == {"format": "pt"} and set(dtypes.values()) == {"F32"}
            missing, unexpected = obj.load_state_dict(state, strict=False)
            assert not unexpected, unexpected
            assert missing == (["encoder.embed_tokens.weight"] if cls is ns.T5Enc else []), missing
            if cls is ns.T5Enc:
                assert obj.encoder.embed_tokens.weight is obj.shared.weight
        comps[name] = obj
    return comps


# ----------------------------------------------------------------------------- running the real pipeline


def make_pipeline(ns, comps):
    return ns.Pipeline(**{k: comps[k] for k in ("transformer", "scheduler", "vae", "text_encoder", "tokenizer",
                                                 "text_encoder_2", "tokenizer_2", "text_encoder_3", "tokenizer_3")})


def initial_latents():
    return torch.randn(LATENT_SHAPE, generator=torch.Generator().manual_seed(SEEDS["latents"]))


def run_real(ns, comps, latents):
    """diffusers' REAL StableDiffusion3Pipeline: encode_prompt, then __call__ for each output type."""
    res = {}
    pipe = make_pipeline(ns, comps)
    assert pipe.vae_scale_factor == 4 and pipe.tokenizer_max_length == CLIP_MAX_LENGTH
    assert pipe.default_sample_size == TRANSFORMER["sample_size"] and pipe.patch_size == 2

    # token ids exactly as the pipeline fed them to the encoders (forward pre-hooks; ids are positional)
    seen = {k: [] for k in ("text_encoder", "text_encoder_2", "text_encoder_3")}
    hooks = [comps[k].register_forward_pre_hook(lambda m, args, k=k: seen[k].append(args[0].clone()))
             for k in seen]
    with torch.no_grad():
        pe, npe, pp, npp = pipe.encode_prompt(**ENCODE_KWARGS)
    for h in hooks:
        h.remove()
    assert all(len(v) == 2 for v in seen.values()), {k: len(v) for k, v in seen.items()}  # positive, negative
    res.update(prompt_embeds=pe, negative_prompt_embeds=npe, pooled_prompt_embeds=pp,
               negative_pooled_prompt_embeds=npp)
    for short, k in (("clip_l", "text_encoder"), ("clip_g", "text_encoder_2"), ("t5", "text_encoder_3")):
        res[f"ids_{short}"], res[f"negative_ids_{short}"] = seen[k]

    # full generations; the callback sees the latents after each scheduler.step (and the guided velocity)
    pipe._callback_tensor_inputs = list(pipe._callback_tensor_inputs) + ["noise_pred"]
    for ot in OUTPUT_TYPES:
        steps = []

        def cb(p, i, t, kw, steps=steps):
            steps.append((i, t.clone(), kw["latents"].clone(), kw["noise_pred"].clone()))
            return {}

        out = pipe(**CALL_KWARGS, latents=latents.clone(), output_type=ot, return_dict=True,
                   callback_on_step_end=cb, callback_on_step_end_tensor_inputs=["latents", "noise_pred"])
        assert [s[0] for s in steps] == list(range(NUM_INFERENCE_STEPS))
        images = out.images
        if ot == "latent":
            res["final_latents"] = images
            res["timesteps"] = torch.stack([s[1] for s in steps])
            res["sigmas"] = pipe.scheduler.sigmas.clone()
            for i, _, lat, v in steps:
                res[f"step_latents_{i}"] = lat
                res[f"step_noise_pred_{i}"] = v
            assert torch.equal(steps[-1][2], images)
        elif ot == "pt":
            res["images"] = images
        else:
            assert isinstance(images, np.ndarray) and images.dtype == np.float32
            res["images_np"] = torch.from_numpy(images.copy())
        if ot != "latent":  # same denoising for every output type
            assert torch.equal(steps[-1][2], res["final_latents"]), ot
    return res


def run_written_out(ns, comps, latents):
    """OUR written-out version of what the pipeline does (its glue, not its code), with the same modules.
    Must reproduce the real pipeline bit for bit; it also gives the debug.* intermediates."""
    d = {}
    tok1, tok2, tok3 = comps["tokenizer"], comps["tokenizer_2"], comps["tokenizer_3"]
    te1, te2, te3 = comps["text_encoder"], comps["text_encoder_2"], comps["text_encoder_3"]
    transformer, vae, sched = comps["transformer"], comps["vae"], comps["scheduler"]

    def clip(tok, enc, texts):
        ids = tok(texts, padding="max_length", max_length=tok.model_max_length, truncation=True,
                  return_tensors="pt").input_ids
        out = enc(ids, output_hidden_states=True)
        return out.hidden_states[-2], out.text_embeds  # penultimate layer (no final LN), projected pooled

    def encode(texts, tag):
        hl, pl = clip(tok1, te1, texts)
        hg, pg = clip(tok2, te2, texts)
        ids3 = tok3(texts, padding="max_length", max_length=MAX_SEQUENCE_LENGTH, truncation=True,
                    add_special_tokens=True, return_tensors="pt").input_ids
        t5 = te3(ids3)[0]
        c = torch.cat([hl, hg], dim=-1)  # [B, 16, 8 + 12]
        d[f"debug.{tag}clip_l_hidden"], d[f"debug.{tag}clip_g_hidden"], d[f"debug.{tag}t5_hidden"] = hl, hg, t5
        d[f"debug.{tag}clip_l_pooled"], d[f"debug.{tag}clip_g_pooled"] = pl, pg
        c = torch.nn.functional.pad(c, (0, t5.shape[-1] - c.shape[-1]))  # zero features up to T5's width
        return torch.cat([c, t5], dim=-2), torch.cat([pl, pg], dim=-1)  # [B, 16 + 12, 32], [B, 20]

    with torch.no_grad():
        pe, pp = encode(PROMPTS, "")
        npe, npp = encode([NEGATIVE_PROMPT] * len(PROMPTS), "negative_")
        d.update(prompt_embeds=pe, pooled_prompt_embeds=pp, negative_prompt_embeds=npe,
                 negative_pooled_prompt_embeds=npp)
        emb = torch.cat([npe, pe], dim=0)  # CFG batch: [negative..., positive...]
        pool = torch.cat([npp, pp], dim=0)
        sched.set_timesteps(NUM_INFERENCE_STEPS)
        lat = latents.clone()  # no initial noise scaling for flow matching
        for i, t in enumerate(sched.timesteps):
            x = torch.cat([lat, lat], dim=0)
            out = transformer(hidden_states=x, timestep=t.expand(x.shape[0]), encoder_hidden_states=emb,
                              pooled_projections=pool, return_dict=False)[0]
            d[f"debug.transformer_out_{i}"] = out
            uncond, text = out.chunk(2)
            v = uncond + GUIDANCE_SCALE * (text - uncond)
            dt = sched.sigmas[i + 1] - sched.sigmas[i]
            lat = lat + dt * v
            d[f"step_noise_pred_{i}"], d[f"step_latents_{i}"] = v, lat
        d["final_latents"] = lat
        z = lat / vae.config.scaling_factor + vae.config.shift_factor
        raw = vae.decode(z, return_dict=False)[0]
        d["debug.vae_decode_input"], d["debug.vae_decoded"] = z, raw
        d["images"] = (raw * 0.5 + 0.5).clamp(0, 1)
    d["timesteps"], d["sigmas"] = sched.timesteps.clone(), sched.sigmas.clone()
    return d


def numpy_formulas(ref, sf, shift):
    """Independent float32 numpy arithmetic of guidance, Euler step, latent un-scaling and post-processing,
    from the stored intermediates. Returns {name: exact?} (asserted exact except where noted)."""
    res = {}
    lat = ref["latents"].numpy()
    sig = ref["sigmas"].numpy()
    gs = np.float32(GUIDANCE_SCALE)
    for i in range(NUM_INFERENCE_STEPS):
        out = ref[f"debug.transformer_out_{i}"].numpy()
        b = out.shape[0] // 2
        u, c = out[:b], out[b:]
        v = u + gs * (c - u)
        assert np.array_equal(v, ref[f"step_noise_pred_{i}"].numpy()), f"guidance step {i}"
        lat = lat + (sig[i + 1] - sig[i]) * v
        assert np.array_equal(lat, ref[f"step_latents_{i}"].numpy()), f"Euler step {i}"
    assert np.array_equal(lat, ref["final_latents"].numpy())
    z_div = lat / np.float32(sf) + np.float32(shift)
    res["vae_input_is_true_f32_division"] = bool(np.array_equal(z_div, ref["debug.vae_decode_input"].numpy()))
    z_mul = lat * (np.float32(1.0) / np.float32(sf)) + np.float32(shift)
    res["vae_input_is_multiply_by_f32_reciprocal"] = bool(np.array_equal(z_mul, ref["debug.vae_decode_input"].numpy()))
    res["vae_input_max_abs_diff_vs_division"] = float(np.abs(z_div - ref["debug.vae_decode_input"].numpy()).max())
    raw = ref["debug.vae_decoded"].numpy()
    img = np.clip(raw * np.float32(0.5) + np.float32(0.5), 0, 1)
    assert np.array_equal(img, ref["images"].numpy()), "post-processing"
    assert np.array_equal(ref["images"].numpy().transpose(0, 2, 3, 1), ref["images_np"].numpy()), "np = pt NHWC"
    res["guidance_euler_postprocess_exact"] = True
    return res


# ----------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--diffusers-src", required=True)
    ap.add_argument("--diffusers-commit", required=True)
    ap.add_argument("--transformers-src", required=True)
    ap.add_argument("--transformers-commit", required=True)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()

    import logging

    logging.getLogger().setLevel(logging.ERROR)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    ns = install(args.diffusers_src, args.transformers_src)
    logging.getLogger("transformers").setLevel(logging.ERROR)
    version = diffusers_stubs.DIFFUSERS_VERSION
    out = os.path.abspath(args.out)

    comps, mtv = build_components(ns)
    configs = write_folder(ns, comps, mtv, out, version)
    latents = initial_latents()

    real = run_real(ns, comps, latents)
    mine = run_written_out(ns, comps, latents)
    for k, v in real.items():
        if k in mine:
            assert torch.equal(v, mine[k]), f"real pipeline vs written-out: {k} differs ({rel_l2(v.float(), mine[k].float())})"
    # ids the pipeline used == the tokenizers' SD3-style calls
    assert real["ids_clip_l"].shape == (2, CLIP_MAX_LENGTH) and real["ids_t5"].shape == (2, MAX_SEQUENCE_LENGTH)
    for k in ("ids_clip_l", "ids_clip_g", "negative_ids_clip_l", "negative_ids_clip_g"):
        assert int(real[k].max()) < CLIP_VOCAB
    assert int(real["ids_t5"].max()) < T5_VOCAB

    ref = {"latents": latents}
    ref.update(real)
    ref.update({k: v for k, v in mine.items() if k.startswith("debug.")})
    ref.update({
        "guidance_scale": torch.tensor([GUIDANCE_SCALE], dtype=torch.float64),
        "num_inference_steps": torch.tensor([NUM_INFERENCE_STEPS], dtype=torch.int64),
        "height": torch.tensor([HEIGHT], dtype=torch.int64),
        "width": torch.tensor([WIDTH], dtype=torch.int64),
        "max_sequence_length": torch.tensor([MAX_SEQUENCE_LENGTH], dtype=torch.int64),
    })
    ref = {k: v.detach().contiguous() for k, v in ref.items()}
    dtypes = {k: ("I64" if v.dtype == torch.int64 else "F64" if v.dtype == torch.float64 else "F32")
              for k, v in ref.items()}
    assert all(v.dtype in (torch.float32, torch.float64, torch.int64) for v in ref.values())

    stats = {}
    for k in ("prompt_embeds", "pooled_prompt_embeds", "final_latents", "images", "step_noise_pred_0",
              "debug.vae_decoded"):
        stats[k] = check_not_degenerate(k, ref[k])
    for k, pos in (("negative_prompt_embeds", "prompt_embeds"),
                   ("negative_pooled_prompt_embeds", "pooled_prompt_embeds")):
        t = ref[k]  # "" for both rows: the rows are equal by design
        assert torch.isfinite(t).all() and float(t.std()) > 0.02, k
        assert float((t[0] - ref[pos][0]).abs().max()) > 1e-3, f"{k} equals {pos}"
        stats[k] = {"mean": float(t.mean()), "std": float(t.std()), "min": float(t.min()), "max": float(t.max())}
    img = ref["images"]
    stats["images"]["fraction_clamped_0"] = float((img == 0).float().mean())
    stats["images"]["fraction_clamped_1"] = float((img == 1).float().mean())
    assert 0.0 <= float(img.min()) and float(img.max()) <= 1.0 and img.shape == (2, 3, HEIGHT, WIDTH)
    assert float(((img > 0) & (img < 1)).float().mean()) > 0.5, "images mostly clamped"
    t5w, clipw = T5["d_model"], CLIP_L["hidden_size"] + CLIP_G["hidden_size"]
    assert torch.equal(ref["prompt_embeds"][:, :CLIP_MAX_LENGTH, clipw:], torch.zeros(2, CLIP_MAX_LENGTH, t5w - clipw))
    for i in range(NUM_INFERENCE_STEPS):
        u, c = ref[f"debug.transformer_out_{i}"].chunk(2)
        assert float((c - u).abs().max()) > 0.05, "text and uncond predictions (nearly) identical"
    assert float((ref["final_latents"] - latents).abs().max()) > 0.1
    # the negative prompt "" is one sequence repeated over the batch
    assert torch.equal(ref["negative_prompt_embeds"][0], ref["negative_prompt_embeds"][1])
    numpy_res = numpy_formulas(ref, VAE["scaling_factor"], VAE["shift_factor"])

    ref_path = os.path.join(out, "reference.safetensors")
    st.save_file(ref, ref_path, "F32", dtypes=dtypes,
                 metadata={"generator": "tools/sd3/make_pipeline_fixture.py", "diffusers_commit": args.diffusers_commit,
                           "transformers_commit": args.transformers_commit})

    # ---------------- self-check: everything again from the written files only
    stored, _, sdt = st.load_file(ref_path)
    raw_spot_check(ref_path, stored)
    assert sdt == dtypes and set(stored) == set(ref)
    for k in ref:
        assert torch.equal(stored[k], ref[k]), f"stored {k} differs"
    fresh = load_folder(ns, out)
    for name in ("transformer", "vae", "text_encoder", "text_encoder_2", "text_encoder_3"):
        a, b = comps[name].state_dict(), fresh[name].state_dict()
        assert set(a) == set(b) and all(torch.equal(a[k], b[k]) for k in a), name
    for sub in ("transformer", "vae", "text_encoder", "text_encoder_2", "text_encoder_3"):
        fn = WEIGHTS_NAME if sub in ("transformer", "vae") else "model.safetensors"
        w, _, _ = st.load_file(os.path.join(out, sub, fn))
        raw_spot_check(os.path.join(out, sub, fn), w)
    again = run_real(ns, fresh, stored["latents"])
    for k, v in again.items():
        assert torch.equal(v, stored[k]), f"self-check: {k} differs after reload"
    again2 = run_written_out(ns, fresh, stored["latents"])
    for k, v in again2.items():
        assert torch.equal(v, stored[k]), f"self-check (written-out): {k} differs after reload"
    self_check = {"reload_real_pipeline_bit_exact": sorted(again), "reload_written_out_bit_exact": sorted(again2),
                  "numpy": numpy_res}

    # ---------------- reference.json
    def ids_list(k):
        return [[int(x) for x in row] for row in ref[k]]

    def kw_json(kw):
        return {k: v for k, v in kw.items()}

    files = {}
    for dp, _, fns in os.walk(out):
        for fn in sorted(fns):
            full = os.path.join(dp, fn)
            rel = os.path.relpath(full, out).replace(os.sep, "/")
            if rel != "reference.json":
                files[rel] = {"bytes": os.path.getsize(full), "sha256": sha256(full)}
    info = {
        "generator": "tools/sd3/make_pipeline_fixture.py",
        "command": ("nice -n 19 /usr/bin/python3 tools/sd3/make_pipeline_fixture.py --diffusers-src <diffusers>/src "
                    f"--diffusers-commit {args.diffusers_commit} --transformers-src <transformers>/src "
                    f"--transformers-commit {args.transformers_commit}"),
        "diffusers_commit": args.diffusers_commit, "diffusers_version": version,
        "transformers_commit": args.transformers_commit, "transformers_version": ns.tfns.version,
        "torch_version": torch.__version__, "python_version": sys.version.split()[0],
        "debian_packages": {p: dpkg_version(p) for p in ("python3-torch", "python3-numpy", "python3-regex",
                                                         "python3-sentencepiece", "python3-packaging", "python3-pil")},
        "diffusers_files_sha256": {os.path.relpath(p, args.diffusers_src): sha256(p)
                                   for p in sorted(set(ns.diffusers_files.values()))},
        "prompts": PROMPTS,
        "negative_prompt": NEGATIVE_PROMPT,
        "calls": {
            "encode_prompt": dict(kw_json(ENCODE_KWARGS), note="pipe.encode_prompt(**kwargs); device: cpu"),
            **{f"__call__[output_type={ot!r}]": dict(kw_json(CALL_KWARGS), latents="reference.safetensors:latents",
                                                       output_type=ot, return_dict=True,
                                                       callback_on_step_end="records latents and noise_pred after every step, returns {}",
                                                       callback_on_step_end_tensor_inputs=["latents", "noise_pred"])
               for ot in OUTPUT_TYPES},
        },
        "token_ids": {k: ids_list(k) for k in ("ids_clip_l", "ids_clip_g", "ids_t5", "negative_ids_clip_l",
                                               "negative_ids_clip_g", "negative_ids_t5")},
        "tokens": {
            "tokenizer": [comps["tokenizer"].tokenize(p) for p in PROMPTS],
            "tokenizer_2": [comps["tokenizer_2"].tokenize(p) for p in PROMPTS],
            "tokenizer_3": [comps["tokenizer_3"].tokenize(p) for p in PROMPTS],
        },
        "t5_untruncated_lengths": [len(comps["tokenizer_3"](p).input_ids) for p in PROMPTS],
        "clip_untruncated_lengths": [len(comps["tokenizer"](p).input_ids) for p in PROMPTS],
        "timesteps": [float(x) for x in ref["timesteps"]],
        "sigmas": [float(x) for x in ref["sigmas"]],
        "seeds": SEEDS,
        "init": ("diffusers components: every parameter and pos_embed.pos_embed, sorted names, >=2-D weight "
                 "N(0,1/fan_in), bias N(0,0.1^2), 1-D weight 1+N(0,0.1^2), pos_embed N(0,0.5^2); text encoders: "
                 "tools/sd3-text randomise_ (Linear weight N(0,1)/sqrt(fan_in), bias 0.1 N(0,1), Embedding 0.5 N(0,1), "
                 "LayerNorm/T5LayerNorm weight 1+0.1 N(0,1), bias 0.1 N(0,1)); latents N(0,1) torch.Generator seed "
                 f"{SEEDS['latents']}"),
        "configs": configs,
        "tensors": {k: {"dtype": dtypes[k], "shape": list(v.shape)} for k, v in sorted(ref.items())},
        "stats": stats,
        "self_check": self_check,
        "files": files,
    }
    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=1, ensure_ascii=False)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(out) for fn in fns)
    assert total <= SIZE_LIMIT, f"folder is {total} bytes > {SIZE_LIMIT}"
    print(f"[done] {out}: {total} bytes; images in (0,1): "
          f"{1 - stats['images']['fraction_clamped_0'] - stats['images']['fraction_clamped_1']:.3f}; numpy {numpy_res}")


if __name__ == "__main__":
    main()
