"""Prototype: the same weights as a graph with onnxruntime's fused GroupQueryAttention and a cache of
*rotated* keys that can share one buffer between past and present (no copy of the cache per step).

Rotation of the new tokens' q and k happens before the fused op, from the rope_cos_q/rope_sin_q tables,
so positions stay the runtime's choice; a cached chunk moved by Δ positions is re-rotated by the runtime.

Usage: python3 export_fused.py --checkpoint work/tiny/checkpoint.pt --out /tmp/fused.onnx
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path

import onnx
import torch
import torch.nn.functional as F

from export import share_tied_head
from model import Decoder, load_checkpoint, rotate


class GroupQueryAttention(torch.autograd.Function):
    """Reference math for tracing; exported as com.microsoft::GroupQueryAttention (do_rotary=0)."""

    @staticmethod
    def forward(ctx, q, k, v, past_k, past_v, seqlens_k, total_len, num_heads: int, kv_heads: int, scale: float):
        # q [B, S, h*hd]; k, v [B, S, kv*hd]; past_k/past_v [B, kv, P, hd] (rotated keys)
        B, S, _ = q.shape
        hd = k.shape[-1] // kv_heads
        g = num_heads // kv_heads
        kn = k.view(B, S, kv_heads, hd).transpose(1, 2)
        vn = v.view(B, S, kv_heads, hd).transpose(1, 2)
        pk, pv = torch.cat([past_k, kn], 2), torch.cat([past_v, vn], 2)  # [B, kv, T, hd]
        P = past_k.shape[2]
        T = P + S
        qh = q.view(B, S, kv_heads, g, hd).permute(0, 2, 3, 1, 4).reshape(B, kv_heads, g * S, hd)
        att = (qh @ pk.transpose(-1, -2)) * scale  # [B, kv, g*S, T]
        mask = torch.arange(T)[None, :] <= (torch.arange(S)[:, None] + P)
        att = att.view(B, kv_heads, g, S, T).masked_fill(~mask, float("-inf")).softmax(-1)
        out = (att.view(B, kv_heads, g * S, T) @ pv).view(B, kv_heads, g, S, hd)
        out = out.permute(0, 3, 1, 2, 4).reshape(B, S, num_heads * hd)
        return out, pk, pv

    @staticmethod
    def symbolic(g, q, k, v, past_k, past_v, seqlens_k, total_len, num_heads, kv_heads, scale):
        return g.op("com.microsoft::GroupQueryAttention", q, k, v, past_k, past_v, seqlens_k, total_len,
                    num_heads_i=num_heads, kv_num_heads_i=kv_heads, scale_f=scale, outputs=3)


class FusedModel(torch.nn.Module):
    def __init__(self, model: Decoder):
        super().__init__()
        self.m = model

    def forward(self, input_ids, seqlens_k, total_sequence_length, rope_cos_q, rope_sin_q, attention_scale,
                logits_indices, *past_flat):
        # input_ids [1, S]; seqlens_k int32 [1] = T-1; total_sequence_length int32 scalar = T;
        # rope_cos_q/sin_q [1, S, hd/2]; attention_scale [n_layers, 1, S]; past [1, kv, P or max, hd].
        m = self.m
        cfg = m.cfg
        B, S = input_ids.shape
        h, kv, hd = cfg.n_heads, cfg.n_kv_heads, cfg.head_dim
        cq, sq = rope_cos_q[:, None], rope_sin_q[:, None]  # [1, 1, S, hd/2]
        x = m.embed(input_ids)
        present = []
        for i, layer in enumerate(m.layers):
            a = layer.attn
            xn = layer.attn_norm(x)
            q = a.wq(xn).view(B, S, h, hd).transpose(1, 2)
            k = a.wk(xn).view(B, S, kv, hd).transpose(1, 2)
            q = rotate(q, cq, sq) * attention_scale[i][:, None, :, None]
            k = rotate(k, cq, sq)  # only the new keys are rotated: the cache holds rotated keys
            q = q.transpose(1, 2).reshape(B, S, h * hd)
            k = k.transpose(1, 2).reshape(B, S, kv * hd)
            v = a.wv(xn)
            out, pk, pv = GroupQueryAttention.apply(q, k, v, past_flat[2 * i], past_flat[2 * i + 1], seqlens_k,
                                                    total_sequence_length, h, kv, 1.0 / math.sqrt(hd))
            x = x + a.wo(out)
            hn = layer.ffn_norm(x)
            x = x + layer.w2(F.silu(layer.w1(hn)) * layer.w3(hn))
            present += [pk, pv]
        x = m.norm(x.index_select(1, logits_indices))
        logits = F.linear(x.reshape(-1, x.shape[-1]), m.lm_head.weight)
        return (logits.view(B, -1, logits.shape[-1]), *present)


def export_fused(model: Decoder, path: Path) -> None:
    cfg = model.cfg
    S, P = 4, 3
    half = cfg.head_dim // 2
    past = []
    for _ in range(cfg.n_layers):
        past += [torch.randn(1, cfg.n_kv_heads, P, cfg.head_dim), torch.randn(1, cfg.n_kv_heads, P, cfg.head_dim)]
    args = (torch.tensor([[5, 6, 7, 8]]), torch.tensor([P + S - 1], dtype=torch.int32),
            torch.tensor(P + S, dtype=torch.int32), torch.rand(1, S, half), torch.rand(1, S, half),
            torch.ones(cfg.n_layers, 1, S), torch.tensor([S - 1]), *past)
    inputs = ["input_ids", "seqlens_k", "total_sequence_length", "rope_cos_q", "rope_sin_q", "attention_scale",
              "logits_indices"]
    outputs = ["logits"]
    for i in range(cfg.n_layers):
        inputs += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outputs += [f"present.{i}.key", f"present.{i}.value"]
    dyn = {"input_ids": {1: "sequence"}, "rope_cos_q": {1: "sequence"}, "rope_sin_q": {1: "sequence"},
           "attention_scale": {2: "sequence"}, "logits_indices": {0: "kept"}, "logits": {1: "kept"}}
    for n in inputs[7:]:
        dyn[n] = {2: "past"}
    for n in outputs[1:]:
        dyn[n] = {2: "total"}
    with torch.no_grad():
        torch.onnx.export(FusedModel(model).eval(), args, str(path), input_names=inputs, output_names=outputs,
                          dynamic_axes=dyn, opset_version=17, do_constant_folding=True,
                          custom_opsets={"com.microsoft": 1})
    proto = onnx.load(str(path))
    share_tied_head(proto)
    onnx.save(proto, str(path))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    model, _ = load_checkpoint(Path(a.checkpoint))
    export_fused(model, Path(a.out))
    print("wrote", a.out)
