"""Minimal stand-ins for diffusers' heavy utility modules, so that diffusers' REAL model files
(models/transformers/transformer_sd3.py, models/attention*.py, models/embeddings.py,
models/normalization.py, models/activations.py, models/autoencoders/{autoencoder_kl,vae}.py,
models/unets/unet_2d_blocks.py, models/{resnet,upsampling,downsampling}.py,
models/transformers/{transformer_2d,dual_transformer_2d}.py, models/modeling_outputs.py)
can be imported from a diffusers source checkout without huggingface_hub, accelerate, PIL,
safetensors, packaging, ... installed.

How it works: the packages `diffusers`, `diffusers.models`, `diffusers.models.transformers`,
`diffusers.models.autoencoders`, `diffusers.models.unets` are registered in sys.modules as empty
package objects whose __path__ points at the real source folders. Their __init__.py files (which
import everything) are therefore never executed, but `importlib.import_module(
"diffusers.models.transformers.transformer_sd3")` loads the real file, and its relative imports
(`..attention`, `..embeddings`, ...) load the real neighbouring files. Only the modules below are
ours: `diffusers.utils` (+ `.logging`, `.import_utils`, `.torch_utils`, `.accelerate_utils`),
`diffusers.configuration_utils`, `diffusers.loaders` (+ `.single_file_model`),
`diffusers.image_processor`, `diffusers.models.modeling_utils`.

The stubs carry no model math. ConfigMixin/register_to_config only record the __init__ arguments
in `self.config` (diffusers does the same before running __init__); ModelMixin is a bare
nn.Module. Everything that builds modules or runs forward is diffusers' own code.

Second stage (install_scheduler_pipeline, after the models are loaded): the real
schedulers/scheduling_flow_match_euler_discrete.py and
pipelines/stable_diffusion_3/{pipeline_stable_diffusion_3,pipeline_output}.py are imported the same
way; extra stubs there: diffusers.schedulers.scheduling_utils.SchedulerMixin (bare),
diffusers.pipelines.pipeline_utils.DiffusionPipeline (register_modules = setattr, CPU device, silent
progress bar, no offload hooks), diffusers.callbacks, a `transformers` module with placeholder encoder /
tokenizer classes (never instantiated), VaeImageProcessor / PipelineImageInput placeholders, loader
mixins, is_scipy_available (False), replace_example_docstring (identity), (un)scale_lora_layers (no-op).
The scheduler math, calculate_shift and the denoising loop of __call__ are diffusers' own code.

This file is our own code (written for FlowTune), not copied from diffusers.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import logging as _pylogging
import os
import re
import sys
import types
from collections import OrderedDict

import torch

DIFFUSERS_VERSION = None  # filled by install() from src/diffusers/__init__.py


def _module(name, path=None):
    m = types.ModuleType(name)
    if path is not None:
        m.__path__ = [path]
    m.__package__ = name if path is not None else name.rpartition(".")[0]
    sys.modules[name] = m
    return m


def _torch_version_tuple():
    base = torch.__version__.split("+")[0]
    parts = re.findall(r"\d+", base)[:3]
    return tuple(int(p) for p in parts)


def _version_tuple(v):
    return tuple(int(p) for p in re.findall(r"\d+", v)[:3])


_OPS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def is_torch_version(operation: str, version: str) -> bool:
    # Reports the REAL installed torch version (1.13): diffusers then uses its own
    # F.layer_norm-based LayerNorm class instead of nn.LayerNorm(..., bias=...), identical math.
    return _OPS[operation](_torch_version_tuple(), _version_tuple(version))


def _false(*args, **kwargs):
    return False


class _FrozenConfig(OrderedDict):
    """Attribute access like diffusers' FrozenDict."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(name) from e


class ConfigMixin:
    config_name = "config.json"
    ignore_for_config = []

    def register_to_config(self, **kwargs):
        d = OrderedDict(getattr(self, "_internal_dict", {}) or {})
        d.update(kwargs)
        object.__setattr__(self, "_internal_dict", _FrozenConfig(d))

    @property
    def config(self):
        return self._internal_dict


class LegacyConfigMixin(ConfigMixin):
    pass


def register_to_config(init):
    """Record every __init__ argument (explicit or default) in self.config, then run __init__."""

    @functools.wraps(init)
    def inner_init(self, *args, **kwargs):
        init_kwargs = {k: v for k, v in kwargs.items() if not k.startswith("_")}
        sig = inspect.signature(init)
        ignore = getattr(self, "ignore_for_config", [])
        params = [(n, p) for i, (n, p) in enumerate(sig.parameters.items()) if i > 0]
        new_kwargs = OrderedDict()
        for (name, _), arg in zip(params, args):
            if name not in ignore:
                new_kwargs[name] = arg
        for name, p in params:
            if name in ignore or name in new_kwargs or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            new_kwargs[name] = init_kwargs.get(name, p.default)
        self.register_to_config(**new_kwargs)
        init(self, *args, **init_kwargs)

    return inner_init


class ModelMixin(torch.nn.Module):
    """Bare nn.Module: no hub loading, hooks, offloading, ..."""

    _supports_gradient_checkpointing = False


class LegacyModelMixin(ModelMixin):
    pass


class _Mixin:
    pass


class BaseOutput:
    """Dataclass-friendly output base (attribute + index access); no OrderedDict magic."""

    def __getitem__(self, k):
        if isinstance(k, str):
            return getattr(self, k)
        return self.to_tuple()[k]

    def to_tuple(self):
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self) if getattr(self, f.name) is not None)


def deprecate(*args, take_from=None, standard_warn=True, stacklevel=2):
    # diffusers' version raises once the removal version has passed; nothing on the SD3/VAE
    # forward paths calls it, so a no-op is enough.
    return None


def _identity_decorator(fn=None, *a, **k):
    return fn


def apply_lora_scale(kwargs_name: str = "joint_attention_kwargs"):
    def decorator(forward_fn):
        return forward_fn  # no PEFT / LoRA here; scale 1.0 is a no-op in diffusers too

    return decorator


def maybe_allow_in_graph(cls):
    return cls


def maybe_adjust_dtype_for_device(dtype, device):
    # diffusers downcasts float64 -> float32 only on MPS; we run on CPU.
    if getattr(device, "type", str(device)) == "mps" and dtype == torch.float64:
        return torch.float32
    return dtype


def randn_tensor(shape, generator=None, device=None, dtype=None, layout=None):
    return torch.randn(shape, generator=generator, device=device, dtype=dtype)


def apply_freeu(*args, **kwargs):
    raise NotImplementedError("FreeU is not used by the reference-vector generator")


def get_logger(name=None):
    return _pylogging.getLogger(name)


def install(diffusers_src: str):
    """diffusers_src: path to diffusers' `src/` folder (the one containing `diffusers/`)."""
    global DIFFUSERS_VERSION
    root = os.path.join(os.path.abspath(diffusers_src), "diffusers")
    if not os.path.isfile(os.path.join(root, "models", "transformers", "transformer_sd3.py")):
        raise SystemExit(f"{diffusers_src!r} is not diffusers' src/ folder (no diffusers/models/transformers/transformer_sd3.py)")
    with open(os.path.join(root, "__init__.py"), encoding="utf-8") as f:
        m = re.search(r'^__version__\s*=\s*"([^"]+)"', f.read(), re.M)
    DIFFUSERS_VERSION = m.group(1) if m else "unknown"

    # Real source packages, __init__ not executed.
    pkg = _module("diffusers", root)
    pkg.__version__ = DIFFUSERS_VERSION
    _module("diffusers.models", os.path.join(root, "models"))
    for sub in ("transformers", "autoencoders", "unets"):
        _module(f"diffusers.models.{sub}", os.path.join(root, "models", sub))

    # --- our stubs ---
    utils = _module("diffusers.utils", path="<stub>")
    utils.__path__ = []  # submodules only via sys.modules
    log = _module("diffusers.utils.logging")
    log.get_logger = get_logger
    imp = _module("diffusers.utils.import_utils")
    for n in ("is_torch_npu_available", "is_torch_xla_available", "is_xformers_available", "is_accelerate_available"):
        setattr(imp, n, _false)
    imp.is_torch_xla_version = _false
    imp.is_torch_version = is_torch_version
    imp.is_torch_available = lambda: True
    tu = _module("diffusers.utils.torch_utils")
    tu.is_torch_version = is_torch_version
    tu.maybe_allow_in_graph = maybe_allow_in_graph
    tu.maybe_adjust_dtype_for_device = maybe_adjust_dtype_for_device
    tu.randn_tensor = randn_tensor
    tu.apply_freeu = apply_freeu
    acc = _module("diffusers.utils.accelerate_utils")
    acc.apply_forward_hook = _identity_decorator
    for n in ("is_torch_npu_available", "is_torch_xla_available", "is_xformers_available", "is_accelerate_available"):
        setattr(utils, n, _false)
    utils.is_torch_xla_version = _false
    utils.is_torch_version = is_torch_version
    utils.is_torch_available = lambda: True
    utils.deprecate = deprecate
    utils.logging = log
    utils.BaseOutput = BaseOutput
    utils.apply_lora_scale = apply_lora_scale
    utils.USE_PEFT_BACKEND = False
    utils.import_utils, utils.torch_utils, utils.accelerate_utils = imp, tu, acc

    cfg = _module("diffusers.configuration_utils")
    cfg.ConfigMixin = ConfigMixin
    cfg.LegacyConfigMixin = LegacyConfigMixin
    cfg.register_to_config = register_to_config

    loaders = _module("diffusers.loaders", path="<stub>")
    loaders.__path__ = []
    for n in ("FromOriginalModelMixin", "PeftAdapterMixin", "SD3Transformer2DLoadersMixin"):
        setattr(loaders, n, type(n, (_Mixin,), {}))
    sfm = _module("diffusers.loaders.single_file_model")
    sfm.FromOriginalModelMixin = loaders.FromOriginalModelMixin

    ip = _module("diffusers.image_processor")
    ip.IPAdapterMaskProcessor = type("IPAdapterMaskProcessor", (), {})

    mu = _module("diffusers.models.modeling_utils")
    mu.ModelMixin = ModelMixin
    mu.LegacyModelMixin = LegacyModelMixin


class SchedulerMixin:
    """Bare base: no hub loading / save_pretrained. Same config file name as diffusers'."""

    config_name = "scheduler_config.json"
    _compatibles = []
    has_compatibles = True


class DiffusionPipeline:
    """Bare pipeline base: register_modules sets attributes, CPU execution device, no progress output,
    no offload hooks. Nothing of the denoising math lives here (it is in the real __call__)."""

    def __init__(self):
        pass

    def register_modules(self, **kwargs):
        for name, module in kwargs.items():
            setattr(self, name, module)

    @property
    def _execution_device(self):
        return torch.device("cpu")

    def progress_bar(self, iterable=None, total=None):
        class _Bar:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def update(self, n=1):
                pass

        return _Bar() if iterable is None else iter(iterable)

    def maybe_free_model_hooks(self):
        pass


def _no_op(*args, **kwargs):
    return None


def replace_example_docstring(doc):
    return _identity_decorator


def install_scheduler_pipeline(T, V):
    """Second stage, after load_real_models(): lets diffusers' REAL
    schedulers/scheduling_flow_match_euler_discrete.py and
    pipelines/stable_diffusion_3/pipeline_stable_diffusion_3.py (+ its pipeline_output.py) import.
    Extra stubs: diffusers.schedulers.scheduling_utils (SchedulerMixin), diffusers.pipelines.pipeline_utils
    (DiffusionPipeline), diffusers.callbacks, `transformers` (placeholder classes for the text/image
    encoders, never instantiated), VaeImageProcessor / PipelineImageInput placeholders, loader mixins,
    utils.is_scipy_available (False), replace_example_docstring (identity), (un)scale_lora_layers (no-op).
    Returns (FlowMatchEulerDiscreteScheduler, pipeline module, {module name: file})."""
    root = sys.modules["diffusers"].__path__[0]
    utils = sys.modules["diffusers.utils"]
    imp = sys.modules["diffusers.utils.import_utils"]
    utils.is_scipy_available = imp.is_scipy_available = _false
    utils.replace_example_docstring = replace_example_docstring
    utils.scale_lora_layers = utils.unscale_lora_layers = _no_op

    sch = _module("diffusers.schedulers", os.path.join(root, "schedulers"))
    su = _module("diffusers.schedulers.scheduling_utils")
    su.SchedulerMixin = SchedulerMixin
    su.SCHEDULER_CONFIG_NAME = SchedulerMixin.config_name
    fm = importlib.import_module("diffusers.schedulers.scheduling_flow_match_euler_discrete")
    sch.FlowMatchEulerDiscreteScheduler = fm.FlowMatchEulerDiscreteScheduler

    # what `from ...models.transformers import SD3Transformer2DModel` etc. resolve to: the real classes
    sys.modules["diffusers.models.transformers"].SD3Transformer2DModel = T
    sys.modules["diffusers.models.autoencoders"].AutoencoderKL = V

    tr = _module("transformers")
    for n in ("CLIPTextModelWithProjection", "CLIPTokenizer", "SiglipImageProcessor", "SiglipVisionModel",
              "T5EncoderModel", "T5TokenizerFast"):
        setattr(tr, n, type(n, (), {}))
    cb = _module("diffusers.callbacks")
    cb.MultiPipelineCallbacks = type("MultiPipelineCallbacks", (), {})
    cb.PipelineCallback = type("PipelineCallback", (), {})
    ip = sys.modules["diffusers.image_processor"]
    ip.PipelineImageInput = object
    ip.VaeImageProcessor = type("VaeImageProcessor", (), {"__init__": lambda self, **kw: None})
    loaders = sys.modules["diffusers.loaders"]
    for n in ("FromSingleFileMixin", "SD3IPAdapterMixin", "SD3LoraLoaderMixin"):
        setattr(loaders, n, type(n, (_Mixin,), {}))

    _module("diffusers.pipelines", os.path.join(root, "pipelines"))
    _module("diffusers.pipelines.stable_diffusion_3", os.path.join(root, "pipelines", "stable_diffusion_3"))
    pu = _module("diffusers.pipelines.pipeline_utils")
    pu.DiffusionPipeline = DiffusionPipeline
    pipe = importlib.import_module("diffusers.pipelines.stable_diffusion_3.pipeline_stable_diffusion_3")
    names = [
        "diffusers.schedulers.scheduling_flow_match_euler_discrete",
        "diffusers.pipelines.stable_diffusion_3.pipeline_stable_diffusion_3",
        "diffusers.pipelines.stable_diffusion_3.pipeline_output",
    ]
    files = {n: sys.modules[n].__file__ for n in names}
    return fm.FlowMatchEulerDiscreteScheduler, pipe, files


def load_real_models():
    """Import diffusers' real model modules; returns (SD3Transformer2DModel, AutoencoderKL, modules)."""
    sd3 = importlib.import_module("diffusers.models.transformers.transformer_sd3")
    akl = importlib.import_module("diffusers.models.autoencoders.autoencoder_kl")
    names = [
        "diffusers.models.transformers.transformer_sd3",
        "diffusers.models.attention",
        "diffusers.models.attention_processor",
        "diffusers.models.embeddings",
        "diffusers.models.normalization",
        "diffusers.models.activations",
        "diffusers.models.modeling_outputs",
        "diffusers.models.autoencoders.autoencoder_kl",
        "diffusers.models.autoencoders.vae",
        "diffusers.models.unets.unet_2d_blocks",
        "diffusers.models.resnet",
        "diffusers.models.upsampling",
        "diffusers.models.downsampling",
    ]
    files = {n: sys.modules[n].__file__ for n in names}
    return sd3.SD3Transformer2DModel, akl.AutoencoderKL, files
