"""Minimal stand-ins for transformers' heavy utility modules (our own code).

Goal: run transformers' REAL model and tokenizer files
    models/clip/{configuration,modeling,tokenization}_clip.py
    models/t5/{configuration,modeling,tokenization}_t5.py
and the real helper files they need
    activations.py, modeling_attn_mask_utils.py, modeling_outputs.py,
    configuration_utils.py, tokenization_utils.py, tokenization_utils_base.py,
    utils/generic.py, utils/model_parallel_utils.py
straight from a transformers source checkout (`--transformers-src DIR/src`), without
installing transformers or its third-party dependencies (huggingface_hub, tokenizers,
safetensors, filelock, tqdm, ...), none of which Debian bookworm packages.

What is replaced here, and why it does not change the numbers:
  * the `transformers` package object and the `transformers.models*` package objects:
    created empty with their real directories on __path__, so their lazy-import
    __init__.py files (which need huggingface_hub etc.) never run; each submodule
    that is imported is the real file.
  * transformers.utils (package __init__): rebuilt from the REAL utils/generic.py
    (ModelOutput, can_return_tuple, TensorType, PaddingStrategy, to_py_obj, ...) plus
    trivial stand-ins for docstring decorators, hub helpers (only local files are
    resolved) and `is_*_available` probes (torch: yes; everything else: no).
  * transformers.utils.import_utils / logging / chat_template_utils: probes, std logging.
  * transformers.modeling_utils: only `PreTrainedModel` (an nn.Module holding the config;
    weight init, loading, saving and attention dispatch are not used: we randomise the
    weights ourselves and always run the "eager" attention path, which is the reference
    math) and an empty ALL_ATTENTION_FUNCTIONS.
  * transformers.pytorch_utils, cache_utils, generation, onnx, dynamic_module_utils,
    modeling_gguf_pytorch_utils, convert_slow_tokenizer: names imported by the real
    files but not used on the encoder-only / legacy-tokenizer paths exercised here.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import logging as _std_logging
import os
import re
import sys
import types

import torch
from torch import nn

_INSTALLED = None


# --------------------------------------------------------------------------- helpers
def _module(name, path=None, **attrs):
    m = types.ModuleType(name)
    if path is not None:
        m.__path__ = [path]
    m.__dict__.update(attrs)
    sys.modules[name] = m
    parent, _, leaf = name.rpartition(".")
    if parent and parent in sys.modules:
        setattr(sys.modules[parent], leaf, m)
    return m


def _load_real(name, file_path):
    """Import `name` from the real transformers source file `file_path`."""
    spec = importlib.util.spec_from_file_location(name, file_path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    parent, _, leaf = name.rpartition(".")
    if parent and parent in sys.modules:
        setattr(sys.modules[parent], leaf, mod)
    return mod


def _availability_getattr(name):
    # Module-level __getattr__: any `is_xxx_available` probe answers False.
    if name.startswith("is_") and name.endswith("_available"):
        return lambda *a, **k: False
    raise AttributeError(name)


def _identity_decorator_factory(*args, **kwargs):
    """Works as `@dec`, `@dec(...)` and `@dec("doc", ...)`."""
    if len(args) == 1 and not kwargs and (isinstance(args[0], type) or callable(args[0])) and not isinstance(args[0], str):
        return args[0]
    return lambda obj: obj


# ----------------------------------------------------------------------- logging
def _warning_once(self, *args, **kwargs):
    key = (id(self), args)
    if key in _warned:
        return
    _warned.add(key)
    self.warning(*args, **kwargs)


def _info_once(self, *args, **kwargs):
    key = (id(self), "info", args)
    if key in _warned:
        return
    _warned.add(key)
    self.info(*args, **kwargs)


_warned = set()


def _make_logging_module():
    _std_logging.Logger.warning_once = _warning_once
    _std_logging.Logger.info_once = _info_once

    def get_logger(name=None):
        return _std_logging.getLogger(name or "transformers")

    def set_verbosity_error():
        _std_logging.getLogger("transformers").setLevel(_std_logging.ERROR)

    return dict(
        get_logger=get_logger,
        set_verbosity_error=set_verbosity_error,
        WARNING=_std_logging.WARNING,
        ERROR=_std_logging.ERROR,
        INFO=_std_logging.INFO,
        tqdm=lambda it=None, *a, **k: it,
    )


# ------------------------------------------------------------------ hub helpers
def _cached_file(path_or_repo_id, filename, subfolder="", _raise_exceptions_for_missing_entries=True, **kwargs):
    """Local-directory-only replacement for transformers.utils.hub.cached_file."""
    full = os.path.join(str(path_or_repo_id), subfolder or "", filename)
    if os.path.isfile(full):
        return full
    if _raise_exceptions_for_missing_entries:
        raise OSError(f"{full} not found (only local folders are supported here)")
    return None


class _PushToHubMixin:
    def push_to_hub(self, *args, **kwargs):  # no docstring on purpose (real code formats it)
        raise NotImplementedError("no hub access in this tool")

    push_to_hub.__doc__ = None


def _copy_func(f):
    g = types.FunctionType(f.__code__, f.__globals__, name=f.__name__, argdefs=f.__defaults__, closure=f.__closure__)
    g = functools.update_wrapper(g, f)
    g.__kwdefaults__ = f.__kwdefaults__
    return g


# ------------------------------------------------------------ PreTrainedModel
class PreTrainedModel(nn.Module):
    """Stand-in for transformers.modeling_utils.PreTrainedModel.

    Keeps the parts the real modeling code relies on during construction/forward:
    `self.config`, `post_init()`, `_from_config()`, `get_head_mask()`, `dtype`, `device`.
    The attention implementation is pinned to "eager" (transformers' reference math).
    """

    config_class = None
    base_model_prefix = ""
    main_input_name = "input_ids"
    supports_gradient_checkpointing = False
    _no_split_modules = None
    _tied_weights_keys = None
    _keys_to_ignore_on_load_unexpected = None
    _keys_to_ignore_on_load_missing = None

    def __init__(self, config, *inputs, **kwargs):
        super().__init__()
        config._attn_implementation = "eager"
        self.config = config
        self.name_or_path = getattr(config, "name_or_path", "")

    def post_init(self):
        # real: init weights, tie weights, set gradient-checkpointing flags. We
        # randomise every parameter explicitly afterwards; ties are structural
        # (T5EncoderModel passes the same nn.Embedding to its T5Stack).
        pass

    @classmethod
    def _from_config(cls, config, **kwargs):
        return cls(copy.deepcopy(config))

    def get_head_mask(self, head_mask, num_hidden_layers, is_attention_chunked=False):
        if head_mask is not None:
            raise NotImplementedError("head_mask is not supported by this stub")
        return [None] * num_hidden_layers

    def invert_attention_mask(self, encoder_attention_mask):
        raise NotImplementedError("decoder paths are not supported by this stub")

    @property
    def dtype(self):
        return next(self.parameters()).dtype

    @property
    def device(self):
        return next(self.parameters()).device


# ------------------------------------------------------------------- install
def install(transformers_src):
    """Register stubs and return a namespace with the real modules.

    transformers_src: path to transformers' `src` directory (containing `transformers/`).
    """
    global _INSTALLED
    if _INSTALLED is not None:
        return _INSTALLED
    root = os.path.join(os.path.abspath(transformers_src), "transformers")
    if not os.path.isfile(os.path.join(root, "models", "clip", "modeling_clip.py")):
        raise SystemExit(f"{root} does not look like transformers' src/transformers")
    if "transformers" in sys.modules:
        raise SystemExit("a `transformers` package is already imported; run in a clean interpreter")

    with open(os.path.join(root, "__init__.py"), encoding="utf-8") as fh:
        version = re.search(r'^__version__\s*=\s*"([^"]+)"', fh.read(), re.M).group(1)

    J = lambda *p: os.path.join(root, *p)  # noqa: E731

    tf = _module("transformers", root, __version__=version)

    # transformers.utils ------------------------------------------------------
    utils = _module("transformers.utils", J("utils"))
    _module("transformers.utils.logging", **_make_logging_module())
    torch_version = torch.__version__.split("+")[0]
    import_utils = _module(
        "transformers.utils.import_utils",
        is_torch_available=lambda: True,
        get_torch_version=lambda: torch_version,
        is_torch_fx_proxy=lambda x: False,
        is_torchdynamo_compiling=lambda: False,
        is_torchdynamo_exporting=lambda: False,
        is_torch_greater_or_equal=lambda v, accept_dev=False: False,
        requires=lambda *a, **k: (lambda obj: obj),
        PROTOBUF_IMPORT_ERROR="protobuf is not available (stub)",
        __getattr__=_availability_getattr,
    )
    _module("transformers.utils.chat_template_utils", render_jinja_template=None)

    generic = _load_real("transformers.utils.generic", J("utils", "generic.py"))
    _load_real("transformers.utils.model_parallel_utils", J("utils", "model_parallel_utils.py"))

    for k, v in vars(generic).items():
        if not k.startswith("__"):
            setattr(utils, k, v)
    for k in ("is_torch_available", "get_torch_version", "is_torch_fx_proxy", "is_torchdynamo_compiling",
              "is_torch_greater_or_equal", "requires"):
        setattr(utils, k, getattr(import_utils, k))
    utils.logging = sys.modules["transformers.utils.logging"]
    utils.__getattr__ = _availability_getattr
    for name in ("add_start_docstrings", "add_end_docstrings", "add_start_docstrings_to_model_forward",
                 "replace_return_docstrings", "add_code_sample_docstrings", "auto_docstring", "auto_class_docstring"):
        setattr(utils, name, _identity_decorator_factory)
    utils.__dict__.update(
        CONFIG_NAME="config.json",
        CHAT_TEMPLATE_DIR="additional_chat_templates",
        CHAT_TEMPLATE_FILE="chat_template.jinja",
        DUMMY_INPUTS=[[7, 6, 0, 0, 1], [1, 2, 3, 0, 0], [0, 0, 0, 4, 5]],
        DUMMY_MASK=[[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [0, 0, 0, 1, 1]],
        PushToHubMixin=_PushToHubMixin,
        cached_file=_cached_file,
        copy_func=_copy_func,
        download_url=lambda *a, **k: (_ for _ in ()).throw(OSError("no network")),
        extract_commit_hash=lambda resolved_file, commit_hash: commit_hash,
        is_offline_mode=lambda: True,
        is_remote_url=lambda url: str(url).startswith(("http://", "https://")),
        list_repo_templates=lambda *a, **k: [],
        add_model_info_to_auto_map=lambda auto_map, repo_id: auto_map,
        add_model_info_to_custom_pipelines=lambda custom_pipeline, repo_id: custom_pipeline,
        requires_backends=lambda obj, backends: None,
    )

    # other transformers modules that are only imported, not used here ---------
    _module("transformers.dynamic_module_utils", custom_object_save=lambda *a, **k: [])
    _module("transformers.modeling_gguf_pytorch_utils",
            load_gguf_checkpoint=lambda *a, **k: (_ for _ in ()).throw(NotImplementedError("gguf")))
    _module("transformers.onnx", OnnxConfig=type("OnnxConfig", (), {}),
            OnnxSeq2SeqConfigWithPast=type("OnnxSeq2SeqConfigWithPast", (), {}))
    _module("transformers.convert_slow_tokenizer",
            import_protobuf=lambda *a, **k: (_ for _ in ()).throw(ImportError("protobuf not available (stub)")))

    def _not_used(*a, **k):
        raise NotImplementedError("not used on this path")

    _module("transformers.pytorch_utils", ALL_LAYERNORM_LAYERS=[nn.LayerNorm],
            find_pruneable_heads_and_indices=_not_used, prune_linear_layer=_not_used,
            is_torch_greater_or_equal_than_2_6=False)

    class Cache:  # only used in isinstance checks / type annotations on decoder paths
        pass

    class DynamicCache(Cache):
        def __init__(self, *a, **k):
            _not_used()

    class EncoderDecoderCache(Cache):
        def __init__(self, *a, **k):
            _not_used()

    _module("transformers.cache_utils", Cache=Cache, DynamicCache=DynamicCache, EncoderDecoderCache=EncoderDecoderCache)
    _module("transformers.generation", GenerationMixin=type("GenerationMixin", (), {}))
    _module("transformers.modeling_utils", PreTrainedModel=PreTrainedModel, ALL_ATTENTION_FUNCTIONS={})

    # real helper files ---------------------------------------------------------
    ns = types.SimpleNamespace(version=version, root=root)
    ns.configuration_utils = _load_real("transformers.configuration_utils", J("configuration_utils.py"))
    ns.activations = _load_real("transformers.activations", J("activations.py"))
    ns.modeling_attn_mask_utils = _load_real("transformers.modeling_attn_mask_utils", J("modeling_attn_mask_utils.py"))
    ns.modeling_outputs = _load_real("transformers.modeling_outputs", J("modeling_outputs.py"))
    ns.tokenization_utils_base = _load_real("transformers.tokenization_utils_base", J("tokenization_utils_base.py"))
    # Without the `tokenizers` package, tokenization_utils_base defines a fallback AddedToken
    # as `@dataclass(eq=True)` with no annotated fields: every AddedToken then compares equal
    # and is unhashable, and PreTrainedTokenizer.__init__ fails; it also lacks the `__setstate__` that
    # tokenization_utils calls. Give it the semantics of tokenizers.AddedToken (equality and
    # hash on `content`, __setstate__ updating the fields), which is what transformers
    # normally runs with.
    _AT = ns.tokenization_utils_base.AddedToken
    if not hasattr(_AT, "__module__") or _AT.__module__ == "transformers.tokenization_utils_base":
        _AT.__eq__ = lambda self, other: (self.content == other.content) if isinstance(other, _AT) else NotImplemented
        _AT.__hash__ = lambda self: hash(self.content)
        _AT.__setstate__ = lambda self, state: self.__dict__.update(state)
        _AT.__repr__ = lambda self: (
            f"AddedToken({self.content!r}, rstrip={self.rstrip}, lstrip={self.lstrip}, "
            f"single_word={self.single_word}, normalized={self.normalized}, special={self.special})")
    ns.tokenization_utils = _load_real("transformers.tokenization_utils", J("tokenization_utils.py"))

    # real model / tokenizer files ----------------------------------------------
    _module("transformers.models", J("models"))
    _module("transformers.models.clip", J("models", "clip"))
    _module("transformers.models.t5", J("models", "t5"))
    ns.configuration_clip = _load_real("transformers.models.clip.configuration_clip", J("models", "clip", "configuration_clip.py"))
    ns.modeling_clip = _load_real("transformers.models.clip.modeling_clip", J("models", "clip", "modeling_clip.py"))
    ns.tokenization_clip = _load_real("transformers.models.clip.tokenization_clip", J("models", "clip", "tokenization_clip.py"))
    ns.configuration_t5 = _load_real("transformers.models.t5.configuration_t5", J("models", "t5", "configuration_t5.py"))
    ns.modeling_t5 = _load_real("transformers.models.t5.modeling_t5", J("models", "t5", "modeling_t5.py"))
    ns.tokenization_t5 = _load_real("transformers.models.t5.tokenization_t5", J("models", "t5", "tokenization_t5.py"))
    _INSTALLED = ns
    return ns
