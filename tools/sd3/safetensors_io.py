"""Tiny safetensors reader/writer (the `safetensors` package is not available here).

Format: 8-byte little-endian u64 N, then N bytes of UTF-8 JSON header
  {"__metadata__": {str: str}, "<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
(offsets relative to the first byte after the header), then the raw little-endian tensor bytes.
Like the reference implementation we pad the header with spaces to a multiple of 8 bytes and lay
tensors out contiguously in header order. Supported dtypes: F32, F16, BF16, F64, I64 (one dtype
for the whole file, or per tensor via `dtypes`).
BF16 is stored as the upper 16 bits of the float32 bit pattern of the bf16-rounded value
(torch's round-to-nearest-even `t.to(torch.bfloat16)`).
"""

from __future__ import annotations

import json
import struct

import numpy as np
import torch

_ITEMSIZE = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8}


def _tensor_bytes(t: torch.Tensor, dtype: str) -> bytes:
    t = t.detach().cpu().contiguous()
    if dtype == "F32":
        return t.to(torch.float32).numpy().astype("<f4", copy=False).tobytes()
    if dtype == "F16":
        return t.to(torch.float16).numpy().astype("<f2", copy=False).tobytes()
    if dtype == "BF16":
        bits = t.to(torch.bfloat16).view(torch.int16).numpy()
        return bits.astype("<i2", copy=False).tobytes()
    if dtype == "F64":
        return t.to(torch.float64).numpy().astype("<f8", copy=False).tobytes()
    if dtype == "I64":
        assert not t.is_floating_point(), "I64 needs an integer tensor"
        return t.to(torch.int64).numpy().astype("<i8", copy=False).tobytes()
    raise ValueError(f"unsupported dtype {dtype}")


def save_file(tensors: dict, path: str, dtype: str = "F32", metadata: dict | None = None,
              dtypes: dict | None = None) -> int:
    """Write `tensors` (name -> torch.Tensor) with every tensor stored as `dtype`
    (or as `dtypes[name]` for the names listed there).
    Returns the number of tensor-data bytes written (what index.json calls total_size)."""
    names = sorted(tensors)
    header = {}
    if metadata is not None:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in names:
        dt = (dtypes or {}).get(name, dtype)
        b = _tensor_bytes(tensors[name], dt)
        header[name] = {"dtype": dt, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)
    return offset


def load_file(path: str, upcast: bool = True):
    """Returns (tensors: name -> torch.Tensor, metadata, dtypes: name -> dtype string).
    With upcast=True every F32/F16/BF16 tensor is returned as float32 (BF16/F16 widened exactly);
    F64 is returned as float64 and I64 as int64 either way."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    base = 8 + n
    metadata = header.pop("__metadata__", None)
    out, dtypes = {}, {}
    for name, info in header.items():
        dt, shape, (b, e) = info["dtype"], info["shape"], info["data_offsets"]
        if dt not in _ITEMSIZE:
            raise ValueError(f"{path}: unsupported dtype {dt} for {name}")
        count = int(np.prod(shape)) if shape else 1
        if e - b != count * _ITEMSIZE[dt]:
            raise ValueError(f"{path}: {name} has {e - b} bytes, expected {count * _ITEMSIZE[dt]}")
        raw = data[base + b : base + e]
        if dt == "F32":
            arr = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        elif dt == "F16":
            arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif dt == "F64":
            arr = np.frombuffer(raw, dtype="<f8").astype(np.float64)
        elif dt == "I64":
            arr = np.frombuffer(raw, dtype="<i8").astype(np.int64)
        else:  # BF16 -> float32 by shifting the 16 bits into the high half
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        t = torch.from_numpy(arr.reshape(shape).copy())
        if not upcast and dt in ("F16", "BF16"):
            t = t.to({"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}[dt])
        out[name] = t
        dtypes[name] = dt
    if base + max([0] + [v["data_offsets"][1] for v in header.values()]) != len(data):
        raise ValueError(f"{path}: trailing bytes / size mismatch")
    return out, metadata, dtypes
