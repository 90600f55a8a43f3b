"""Torch-2-only functions that diffusers' model code calls, supplied for Debian's torch 1.13.

Only what the SD3 transformer / AutoencoderKL forward paths need. Must be installed BEFORE the
diffusers model modules are imported (they test `hasattr(F, "scaled_dot_product_attention")` when
choosing / constructing attention processors).
"""

import math

import torch
import torch.nn.functional as F


def _sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    """Same math as torch 2's F.scaled_dot_product_attention (the "math" backend):
    softmax(q k^T * scale + mask) v, scale defaulting to 1/sqrt(head_dim)."""
    if enable_gqa:
        raise NotImplementedError("enable_gqa is not needed by the SD3 / VAE paths")
    L, S = query.size(-2), key.size(-2)
    scale_factor = 1.0 / math.sqrt(query.size(-1)) if scale is None else scale
    attn_bias = torch.zeros(L, S, dtype=query.dtype, device=query.device)
    if is_causal:
        assert attn_mask is None
        causal = torch.ones(L, S, dtype=torch.bool, device=query.device).tril(diagonal=0)
        attn_bias = attn_bias.masked_fill(causal.logical_not(), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            attn_bias = attn_bias.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            attn_bias = attn_bias + attn_mask
    attn_weight = query @ key.transpose(-2, -1) * scale_factor
    attn_weight = attn_weight + attn_bias
    attn_weight = torch.softmax(attn_weight, dim=-1)
    if dropout_p > 0.0:
        attn_weight = torch.dropout(attn_weight, dropout_p, train=True)
    return attn_weight @ value


def install():
    if not hasattr(F, "scaled_dot_product_attention"):
        F.scaled_dot_product_attention = _sdpa
