"""Scheduler-sigma and one-denoising-step fixtures, produced by diffusers' REAL
schedulers/scheduling_flow_match_euler_discrete.py (FlowMatchEulerDiscreteScheduler) and
pipelines/stable_diffusion_3/pipeline_stable_diffusion_3.py (calculate_shift, StableDiffusion3Pipeline.__call__).

Called from make_reference_vectors.py (one command generates everything). Our own code here: the case
definitions, the seeded inputs, a callback that injects/records tensors in the real __call__ loop, and
the self-checks (including an independent numpy re-derivation of the formulas that the C# port must
reproduce, compared bit-for-bit).
"""

from __future__ import annotations

import json
import math
import os

import numpy as np
import torch

import safetensors_io as st

SCHEDULER_SD35 = dict(
    num_train_timesteps=1000,
    shift=3.0,
    use_dynamic_shifting=False,
    base_shift=0.5,
    max_shift=1.15,
    base_image_seq_len=256,
    max_image_seq_len=4096,
    invert_sigmas=False,
    shift_terminal=None,
    use_karras_sigmas=False,
    use_exponential_sigmas=False,
    use_beta_sigmas=False,
    time_shift_type="exponential",
    stochastic_sampling=False,
)
SCHEDULER_DYNAMIC = dict(SCHEDULER_SD35, use_dynamic_shifting=True)
SD35_STEPS = [1, 2, 10, 28, 40]
DYNAMIC_STEPS = [10, 28]
# image_seq_len -> (height, width) in pixels giving it in StableDiffusion3Pipeline:
# latents = height // vae_scale_factor (8 for SD3/SD3.5's VAE), image_seq_len = (lh // patch) * (lw // patch)
DYNAMIC_SEQ_LENS = {1024: (512, 512), 4096: (1024, 1024)}
VAE_SCALE_FACTOR = 8  # pipeline's value with vae=None, == 2 ** (len([128, 256, 512, 512]) - 1) for SD3.5's VAE

PIPE_CASE = "pipeline-step"
CASE_NAMES = ["scheduler-sd35", "scheduler-dynamic", "pipeline-step"]
PIPE_TRANSFORMER = "transformer-sd35"
PIPE_SCHEDULER = "scheduler-sd35"
PIPE_SEED = 5001
PIPE_START_SEED = 5002  # latents for the (discarded) steps before the injected one
PIPE_GUIDANCE = 4.5
PIPE_STEPS = 10
PIPE_STEP_INDEX = 3
PIPE_LATENT_SHAPE = (2, 4, 8, 8)
TEXT_LEN = 5


class _Abort(Exception):
    pass


def _f32(x: float) -> float:
    return float(np.float32(x))


def _write_scheduler_config(folder: str, sched, version: str) -> dict:
    """diffusers' ConfigMixin.to_json_string layout (all __init__ args + _class_name + _diffusers_version,
    indent 2, sorted keys, trailing newline), file name scheduler_config.json."""
    cfg = dict(sched.config)
    cfg["_class_name"] = type(sched).__name__
    cfg["_diffusers_version"] = version
    cfg = json.loads(json.dumps(cfg))
    with open(os.path.join(folder, type(sched).config_name), "w", encoding="utf-8") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    return cfg


def _read_scheduler_config(folder: str) -> dict:
    with open(os.path.join(folder, "scheduler_config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    assert cfg["_class_name"] == "FlowMatchEulerDiscreteScheduler"
    return {k: v for k, v in cfg.items() if not k.startswith("_")}


# ----------------------------------------------------------------------------- independent formulas


def formula_sigmas(cfg: dict, n: int, mu: float | None = None):
    """OUR numpy re-derivation of what FlowMatchEulerDiscreteScheduler(**cfg).set_timesteps(n, mu=mu)
    computes (the recipe the C# port follows). Returns (sigmas f32 [n+1], timesteps f32 [n])."""
    T = cfg["num_train_timesteps"]
    shift = cfg["shift"]
    # __init__, float32: t = T, T-1, ..., 1; s = t / T; static: s = shift*s / (1 + (shift-1)*s)
    s = np.arange(T, 0, -1).astype(np.float32) / np.float32(T)
    if not cfg["use_dynamic_shifting"]:
        s = (np.float32(shift) * s) / (np.float32(1.0) + np.float32(shift - 1.0) * s)
    sigma_max, sigma_min = float(s[0]), float(s[-1])  # float32 values as doubles
    # set_timesteps, float64: numpy.linspace(sigma_max*T, sigma_min*T, n) = i*step + start, last = stop
    start, stop = sigma_max * T, sigma_min * T
    if n == 1:
        t = [start]
    else:
        step = (stop - start) / (n - 1)
        t = [i * step + start for i in range(n)]
        t[-1] = stop
    s64 = np.array(t, dtype=np.float64) / T
    if cfg["use_dynamic_shifting"]:  # exponential time shift, sigma = 1.0
        e = math.exp(mu)
        s64 = e / (e + (1.0 / s64 - 1.0))
    else:  # the static shift AGAIN, now in float64
        s64 = (shift * s64) / (1.0 + (shift - 1.0) * s64)
    s32 = s64.astype(np.float32)
    timesteps = s32 * np.float32(T)
    return np.concatenate([s32, np.zeros(1, np.float32)]), timesteps


def formula_mu(L: int, cfg: dict) -> float:
    m = (cfg["max_shift"] - cfg["base_shift"]) / (cfg["max_image_seq_len"] - cfg["base_image_seq_len"])
    b = cfg["base_shift"] - m * cfg["base_image_seq_len"]
    return L * m + b


# ----------------------------------------------------------------------------- scheduler cases


def make_scheduler_cases(S, pipe_mod, out_root: str, commit: str, version: str) -> dict:
    infos = {}
    # --- static shift (SD3.5-Medium)
    folder = os.path.join(out_root, "scheduler-sd35")
    os.makedirs(folder)
    sched = S(**SCHEDULER_SD35)
    cfg = _write_scheduler_config(folder, sched, version)
    tensors = {"train_sigmas": sched.sigmas.clone(), "train_timesteps": sched.timesteps.clone()}
    for n in SD35_STEPS:
        sched.set_timesteps(n)
        assert sched.sigmas.dtype == torch.float32 and sched.timesteps.dtype == torch.float32
        assert sched.sigmas.shape == (n + 1,) and sched.timesteps.shape == (n,)
        tensors[f"sigmas_n{n}"] = sched.sigmas.clone()
        tensors[f"timesteps_n{n}"] = sched.timesteps.clone()
    st.save_file(tensors, os.path.join(folder, "sigmas.safetensors"), "F32",
                 metadata={"case": "scheduler-sd35", "diffusers_commit": commit})
    infos["scheduler-sd35"] = {
        "kind": "FlowMatchEulerDiscreteScheduler", "config": cfg, "num_inference_steps": SD35_STEPS,
        "sigmas": {f"n{n}": [float(x) for x in tensors[f"sigmas_n{n}"]] for n in (1, 2, 10)},
    }

    # --- dynamic (resolution-dependent) shift
    folder = os.path.join(out_root, "scheduler-dynamic")
    os.makedirs(folder)
    sched = S(**SCHEDULER_DYNAMIC)
    cfg = _write_scheduler_config(folder, sched, version)
    tensors = {"train_sigmas": sched.sigmas.clone(), "train_timesteps": sched.timesteps.clone()}
    dtypes, mus = {}, {}
    for L in DYNAMIC_SEQ_LENS:
        # diffusers' own calculate_shift, called with the arguments __call__ passes
        mu = pipe_mod.calculate_shift(L, cfg["base_image_seq_len"], cfg["max_image_seq_len"],
                                      cfg["base_shift"], cfg["max_shift"])
        mus[L] = mu
        tensors[f"mu_{L}"] = torch.tensor([mu], dtype=torch.float64)
        dtypes[f"mu_{L}"] = "F64"
        for n in DYNAMIC_STEPS:
            sched.set_timesteps(n, mu=mu)
            tensors[f"sigmas_n{n}_L{L}"] = sched.sigmas.clone()
            tensors[f"timesteps_n{n}_L{L}"] = sched.timesteps.clone()
    st.save_file(tensors, os.path.join(folder, "sigmas.safetensors"), "F32",
                 metadata={"case": "scheduler-dynamic", "diffusers_commit": commit}, dtypes=dtypes)
    infos["scheduler-dynamic"] = {
        "kind": "FlowMatchEulerDiscreteScheduler", "config": cfg, "num_inference_steps": DYNAMIC_STEPS,
        "mu": {str(L): mus[L] for L in mus},
        "image_seq_len_from": {str(L): {"height": hw[0], "width": hw[1], "vae_scale_factor": VAE_SCALE_FACTOR,
                                        "patch_size": 2} for L, hw in DYNAMIC_SEQ_LENS.items()},
    }
    return infos


def _spy_pipeline_mu(S, pipe_mod, transformer, cfg, hw, n):
    """Run the REAL StableDiffusion3Pipeline.__call__ (dynamic-shift scheduler, no latents given) up to its
    set_timesteps call, record the mu it computed from height/width and the resulting sigmas, then abort."""
    sched = S(**cfg)
    rec = {}
    orig = sched.set_timesteps

    def spy(*args, **kwargs):
        orig(*args, **kwargs)
        rec.update(args=args, kwargs=kwargs, sigmas=sched.sigmas.clone(), timesteps=sched.timesteps.clone())
        raise _Abort

    sched.set_timesteps = spy
    pipe = _pipeline(pipe_mod, transformer, sched)
    try:
        pipe(prompt_embeds=torch.zeros(1, TEXT_LEN, 12), pooled_prompt_embeds=torch.zeros(1, 10),
             guidance_scale=1.0, height=hw[0], width=hw[1], num_inference_steps=n,
             generator=torch.Generator().manual_seed(0), output_type="latent")
    except _Abort:
        pass
    assert rec, "pipeline never called set_timesteps"
    return rec


def check_scheduler_cases(S, pipe_mod, transformer, out_root: str, raw_spot_check) -> dict:
    res = {}
    # scheduler-sd35
    folder = os.path.join(out_root, "scheduler-sd35")
    cfg = _read_scheduler_config(folder)
    path = os.path.join(folder, "sigmas.safetensors")
    stored, _, dtypes = st.load_file(path)
    assert set(dtypes.values()) == {"F32"}
    raw_spot_check(path, stored)
    sched = S(**cfg)  # fresh, from the written config (what diffusers' from_config passes)
    assert torch.equal(sched.sigmas, stored["train_sigmas"]) and torch.equal(sched.timesteps, stored["train_timesteps"])
    for n in SD35_STEPS:
        sched.set_timesteps(n)
        assert torch.equal(sched.sigmas, stored[f"sigmas_n{n}"]), n
        assert torch.equal(sched.timesteps, stored[f"timesteps_n{n}"]), n
        fs, ft = formula_sigmas(cfg, n)
        assert np.array_equal(fs, stored[f"sigmas_n{n}"].numpy()), f"formula sigmas n={n}"
        assert np.array_equal(ft, stored[f"timesteps_n{n}"].numpy()), f"formula timesteps n={n}"
        s = stored[f"sigmas_n{n}"]
        assert s[0] == 1.0 and s[-1] == 0.0 and bool((s[1:] < s[:-1]).all()), f"sigmas n={n} not decreasing"
    res["scheduler-sd35"] = {"rerun_exact": True, "formula_exact": True}

    # scheduler-dynamic
    folder = os.path.join(out_root, "scheduler-dynamic")
    cfg = _read_scheduler_config(folder)
    path = os.path.join(folder, "sigmas.safetensors")
    stored, _, dtypes = st.load_file(path)
    assert {dtypes[k] for k in dtypes if k.startswith("mu_")} == {"F64"}
    assert {dtypes[k] for k in dtypes if not k.startswith("mu_")} == {"F32"}
    raw_spot_check(path, stored)
    sched = S(**cfg)
    assert torch.equal(sched.sigmas, stored["train_sigmas"])
    for L, hw in DYNAMIC_SEQ_LENS.items():
        mu = float(stored[f"mu_{L}"][0])
        assert mu == formula_mu(L, cfg), f"mu_{L} formula"
        for n in DYNAMIC_STEPS:
            sched.set_timesteps(n, mu=mu)
            assert torch.equal(sched.sigmas, stored[f"sigmas_n{n}_L{L}"])
            fs, ft = formula_sigmas(cfg, n, mu)
            assert np.array_equal(fs, stored[f"sigmas_n{n}_L{L}"].numpy()), f"formula sigmas n={n} L={L}"
            assert np.array_equal(ft, stored[f"timesteps_n{n}_L{L}"].numpy()), f"formula timesteps n={n} L={L}"
            # the real __call__ derives the same mu from height/width and passes it to set_timesteps
            rec = _spy_pipeline_mu(S, pipe_mod, transformer, cfg, hw, n)
            assert rec["kwargs"].get("mu") == mu, (L, rec["kwargs"])
            assert torch.equal(rec["sigmas"], stored[f"sigmas_n{n}_L{L}"])
            assert torch.equal(rec["timesteps"], stored[f"timesteps_n{n}_L{L}"])
    # different resolutions really give different schedules
    assert not torch.equal(stored["sigmas_n28_L1024"], stored["sigmas_n28_L4096"])
    res["scheduler-dynamic"] = {"rerun_exact": True, "formula_exact": True, "pipeline_call_mu_exact": True}
    return res


# ----------------------------------------------------------------------------- pipeline step


def _pipeline(pipe_mod, transformer, scheduler):
    return pipe_mod.StableDiffusion3Pipeline(
        transformer=transformer, scheduler=scheduler, vae=None, text_encoder=None, tokenizer=None,
        text_encoder_2=None, tokenizer_2=None, text_encoder_3=None, tokenizer_3=None)


def pipeline_inputs():
    g = torch.Generator().manual_seed(PIPE_SEED)
    b = PIPE_LATENT_SHAPE[0]
    return {
        "latents": torch.randn(PIPE_LATENT_SHAPE, generator=g),
        "prompt_embeds": torch.randn((b, TEXT_LEN, 12), generator=g),
        "negative_prompt_embeds": torch.randn((b, TEXT_LEN, 12), generator=g),
        "pooled_prompt_embeds": torch.randn((b, 10), generator=g),
        "negative_pooled_prompt_embeds": torch.randn((b, 10), generator=g),
    }


def real_pipeline_step(pipe_mod, transformer, scheduler, inp, guidance_scale, steps, k):
    """diffusers' REAL StableDiffusion3Pipeline.__call__ (output_type="latent"), `steps` inference steps.
    Steps 0..k-1 run on throw-away latents; the callback after step k-1 replaces the latents with
    inp["latents"] (the pipeline's own callback_on_step_end mechanism), so loop iteration k runs on the
    stored latents; the callback after step k records what the loop computed."""
    pipe = _pipeline(pipe_mod, transformer, scheduler)
    # let the callback see these loop locals too (check_inputs validates the names against this list)
    pipe._callback_tensor_inputs = list(pipe._callback_tensor_inputs) + ["noise_pred", "timestep", "latent_model_input"]
    seen = {}

    def callback(p, i, t, kw):
        if i == k - 1:
            return {"latents": inp["latents"].clone()}
        if i == k:
            seen.update({name: v.clone() for name, v in kw.items()})
            seen["t"] = t.clone()
            seen["step_index_after"] = p.scheduler.step_index
        return {}

    start = torch.randn(inp["latents"].shape, generator=torch.Generator().manual_seed(PIPE_START_SEED))
    pipe(prompt_embeds=inp["prompt_embeds"], negative_prompt_embeds=inp["negative_prompt_embeds"],
         pooled_prompt_embeds=inp["pooled_prompt_embeds"],
         negative_pooled_prompt_embeds=inp["negative_pooled_prompt_embeds"],
         guidance_scale=guidance_scale, num_inference_steps=steps, latents=start, output_type="latent",
         return_dict=False, callback_on_step_end=callback,
         callback_on_step_end_tensor_inputs=["latents", "prompt_embeds", "pooled_prompt_embeds", "noise_pred",
                                             "timestep", "latent_model_input"])
    assert seen, "callback never reached step k"
    return seen


def manual_pipeline_step(transformer, scheduler, inp, guidance_scale, steps, k, capture=None):
    """The same step written out, in __call__'s order: set_timesteps(steps), set_begin_index(k), t = timesteps[k]."""
    scheduler.set_timesteps(steps)
    scheduler.set_begin_index(k)
    t = scheduler.timesteps[k]
    latents = inp["latents"]
    cfg = guidance_scale > 1  # StableDiffusion3Pipeline.do_classifier_free_guidance
    if cfg:
        prompt_embeds = torch.cat([inp["negative_prompt_embeds"], inp["prompt_embeds"]], dim=0)
        pooled = torch.cat([inp["negative_pooled_prompt_embeds"], inp["pooled_prompt_embeds"]], dim=0)
    else:
        prompt_embeds, pooled = inp["prompt_embeds"], inp["pooled_prompt_embeds"]
    with torch.no_grad():
        lmi = torch.cat([latents] * 2) if cfg else latents
        timestep = t.expand(lmi.shape[0])
        out = transformer(hidden_states=lmi, timestep=timestep, encoder_hidden_states=prompt_embeds,
                          pooled_projections=pooled, joint_attention_kwargs=None, return_dict=False)[0]
        if capture is not None:
            capture["transformer_out"] = out.clone()
        noise_pred = out
        if cfg:
            uncond, text = out.chunk(2)
            noise_pred = uncond + guidance_scale * (text - uncond)
        sigma, sigma_next = scheduler.sigmas[k].clone(), scheduler.sigmas[k + 1].clone()
        prev = scheduler.step(noise_pred, t, latents, return_dict=False)[0]
    assert scheduler.step_index == k + 1
    return {"t": t, "timestep": timestep, "noise_pred": noise_pred, "latents": prev, "sigma": sigma,
            "sigma_next": sigma_next}


def load_transformer(T, folder, read_config, read_weights):
    model = T(**read_config(folder)).eval()
    state, dtypes = read_weights(folder)
    assert dtypes == {"F32"}
    model.load_state_dict(state, strict=True)
    return model


def make_pipeline_case(T, S, pipe_mod, out_root, commit, read_config, read_weights, check_not_degenerate):
    folder = os.path.join(out_root, PIPE_CASE)
    os.makedirs(folder)
    transformer = load_transformer(T, os.path.join(out_root, PIPE_TRANSFORMER), read_config, read_weights)
    sched_cfg = _read_scheduler_config(os.path.join(out_root, PIPE_SCHEDULER))
    inp = pipeline_inputs()
    k = PIPE_STEP_INDEX

    real = real_pipeline_step(pipe_mod, transformer, S(**sched_cfg), inp, PIPE_GUIDANCE, PIPE_STEPS, k)
    real1 = real_pipeline_step(pipe_mod, transformer, S(**sched_cfg), inp, 1.0, PIPE_STEPS, k)
    assert real["step_index_after"] == k + 1 and real1["step_index_after"] == k + 1
    assert real["latent_model_input"].shape[0] == 4 and real["timestep"].shape == (4,)
    assert real1["latent_model_input"].shape[0] == 2 and real1["timestep"].shape == (2,)
    assert torch.equal(real["prompt_embeds"], torch.cat([inp["negative_prompt_embeds"], inp["prompt_embeds"]]))
    assert torch.equal(real["pooled_prompt_embeds"],
                       torch.cat([inp["negative_pooled_prompt_embeds"], inp["pooled_prompt_embeds"]]))
    assert torch.equal(real1["prompt_embeds"], inp["prompt_embeds"])
    assert torch.equal(real["latent_model_input"], torch.cat([inp["latents"]] * 2))

    cap = {}
    man = manual_pipeline_step(transformer, S(**sched_cfg), inp, PIPE_GUIDANCE, PIPE_STEPS, k, capture=cap)
    man1 = manual_pipeline_step(transformer, S(**sched_cfg), inp, 1.0, PIPE_STEPS, k)
    for a, b, tag in ((real, man, "cfg"), (real1, man1, "cfg1")):
        for key in ("t", "timestep", "noise_pred", "latents"):
            assert torch.equal(a[key], b[key]), f"{PIPE_CASE}: real __call__ vs written-out step differ ({tag} {key})"
    t = real["t"]
    assert t.dtype == torch.float32 and torch.equal(real1["t"], t)

    stats = {
        "noise_pred": check_not_degenerate(PIPE_CASE + ".noise_pred", real["noise_pred"]),
        "prev_latents": check_not_degenerate(PIPE_CASE + ".prev_latents", real["latents"]),
        "cfg1_noise_pred": check_not_degenerate(PIPE_CASE + ".cfg1_noise_pred", real1["noise_pred"]),
        "cfg1_prev_latents": check_not_degenerate(PIPE_CASE + ".cfg1_prev_latents", real1["latents"]),
    }
    uncond, text = cap["transformer_out"].chunk(2)
    assert float((text - uncond).abs().max()) > 0.05, "text and uncond predictions (nearly) identical"
    assert float((real["noise_pred"] - real1["noise_pred"]).abs().max()) > 0.05, "guidance has no effect"
    assert float((real["latents"] - inp["latents"]).abs().max()) > 0.01, "step did not move the latents"
    cfg1_vs_text = float((real1["noise_pred"] - text).abs().max())

    parity = dict(inp)
    parity.update({
        "guidance_scale": torch.tensor([PIPE_GUIDANCE], dtype=torch.float64),
        "num_inference_steps": torch.tensor([PIPE_STEPS], dtype=torch.int64),
        "step_index": torch.tensor([k], dtype=torch.int64),
        "timestep": t.reshape(1).clone(),
        "sigma": man["sigma"].reshape(1),
        "sigma_next": man["sigma_next"].reshape(1),
        "noise_pred": real["noise_pred"],
        "prev_latents": real["latents"],
        "cfg1_guidance_scale": torch.tensor([1.0], dtype=torch.float64),
        "cfg1_noise_pred": real1["noise_pred"],
        "cfg1_prev_latents": real1["latents"],
        "debug.transformer_out": cap["transformer_out"],
    })
    dtypes = {"guidance_scale": "F64", "cfg1_guidance_scale": "F64", "num_inference_steps": "I64", "step_index": "I64"}
    st.save_file(parity, os.path.join(folder, "parity.safetensors"), "F32", dtypes=dtypes,
                 metadata={"case": PIPE_CASE, "diffusers_commit": commit, "transformer": PIPE_TRANSFORMER,
                           "scheduler": PIPE_SCHEDULER})
    info = {
        "kind": "StableDiffusion3Pipeline.__call__ denoising step", "transformer": PIPE_TRANSFORMER,
        "scheduler": PIPE_SCHEDULER, "input_seed": PIPE_SEED, "discarded_start_latents_seed": PIPE_START_SEED,
        "guidance_scale": PIPE_GUIDANCE, "num_inference_steps": PIPE_STEPS, "step_index": k,
        "timestep": float(t), "sigma": float(man["sigma"]), "sigma_next": float(man["sigma_next"]),
        "how": ("real __call__ with num_inference_steps=10, output_type='latent'; callback_on_step_end after "
                "step 2 replaces latents with the stored ones, callback after step 3 records latents/noise_pred; "
                "bit-identical to set_timesteps(10) + set_begin_index(3) + one written-out loop iteration"),
        "cfg1_noise_pred_vs_text_half_of_cfg_batch_max_abs_diff": cfg1_vs_text,
        "stats": stats,
    }
    return folder, info


def check_pipeline_case(T, S, out_root, read_config, read_weights, raw_spot_check) -> dict:
    """Re-read parity + config + weights from disk, re-run the written-out step, and check the stored step /
    guidance arithmetic with independent numpy float32 formulas."""
    folder = os.path.join(out_root, PIPE_CASE)
    path = os.path.join(folder, "parity.safetensors")
    p, _, dtypes = st.load_file(path)
    raw_spot_check(path, p)
    assert dtypes["guidance_scale"] == "F64" and dtypes["step_index"] == "I64" and dtypes["latents"] == "F32"
    transformer = load_transformer(T, os.path.join(out_root, PIPE_TRANSFORMER), read_config, read_weights)
    sched_cfg = _read_scheduler_config(os.path.join(out_root, PIPE_SCHEDULER))
    steps, k = int(p["num_inference_steps"][0]), int(p["step_index"][0])
    gs = float(p["guidance_scale"][0])
    inp = {n: p[n] for n in ("latents", "prompt_embeds", "negative_prompt_embeds", "pooled_prompt_embeds",
                             "negative_pooled_prompt_embeds")}
    cap = {}
    man = manual_pipeline_step(transformer, S(**sched_cfg), inp, gs, steps, k, capture=cap)
    man1 = manual_pipeline_step(transformer, S(**sched_cfg), inp, float(p["cfg1_guidance_scale"][0]), steps, k)
    assert torch.equal(man["noise_pred"], p["noise_pred"]) and torch.equal(man["latents"], p["prev_latents"])
    assert torch.equal(man1["noise_pred"], p["cfg1_noise_pred"]) and torch.equal(man1["latents"], p["cfg1_prev_latents"])
    assert torch.equal(cap["transformer_out"], p["debug.transformer_out"])
    assert torch.equal(man["t"].reshape(1), p["timestep"])
    # timestep / sigmas against the stored scheduler fixture
    sig, _, _ = st.load_file(os.path.join(out_root, PIPE_SCHEDULER, "sigmas.safetensors"))
    assert float(p["timestep"][0]) == float(sig[f"timesteps_n{steps}"][k])
    assert float(p["sigma"][0]) == float(sig[f"sigmas_n{steps}"][k])
    assert float(p["sigma_next"][0]) == float(sig[f"sigmas_n{steps}"][k + 1])
    # independent float32 arithmetic (numpy): guidance and Euler step, exactly
    out = p["debug.transformer_out"].numpy()
    b = out.shape[0] // 2
    uncond, text = out[:b], out[b:]
    np_noise = uncond + np.float32(gs) * (text - uncond)
    assert np.array_equal(np_noise, p["noise_pred"].numpy()), "guidance formula"
    dt = np.float32(p["sigma_next"].numpy()[0]) - np.float32(p["sigma"].numpy()[0])
    lat = p["latents"].numpy()
    assert np.array_equal(lat + dt * p["noise_pred"].numpy(), p["prev_latents"].numpy()), "Euler step formula"
    assert np.array_equal(lat + dt * p["cfg1_noise_pred"].numpy(), p["cfg1_prev_latents"].numpy()), "cfg1 Euler step"
    return {"rerun_exact": True, "numpy_guidance_and_step_exact": True}
