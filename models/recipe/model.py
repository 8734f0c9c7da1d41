"""Llama-style decoder whose rotary angles and attention-logit scale come from the caller.

RMSNorm, SwiGLU, grouped-query attention, RoPE with θ=10000 in the half-split ("rotate_half") layout.
Two forward paths share the weights: `train_forward` (a batch, causal, plain RoPE) and `forward`, the
model contract of ../README.md: new tokens at positions the runtime chooses (cos/sin tables), a
token-major cache of rotated keys read in place, and only the new cache entries returned.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class ModelConfig:
    vocab_size: int = 16384
    dim: int = 256
    n_layers: int = 4
    n_heads: int = 8
    n_kv_heads: int = 2
    ffn_dim: int = 688
    rope_theta: float = 10000.0
    train_len: int = 1024
    norm_eps: float = 1e-5
    tie_embeddings: bool = True

    @property
    def head_dim(self) -> int:
        return self.dim // self.n_heads

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})

    def to_dict(self) -> dict:
        return asdict(self)


def rope_tables(positions: torch.Tensor, head_dim: int, theta: float = 10000.0, factor: float = 1.0):
    """cos, sin [..., head_dim/2] for the plain method (factor>1: linear interpolation), in float64 first."""
    inv_freq = theta ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim) / factor
    angles = positions.to(torch.float64)[..., None] * inv_freq
    return angles.cos().float(), angles.sin().float()


def rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    # x [B, h, T, hd]; cos, sin [B, 1, T, hd/2]; pairs are (i, i + hd/2).
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.h, self.kv, self.hd = cfg.n_heads, cfg.n_kv_heads, cfg.head_dim
        self.wq = nn.Linear(cfg.dim, self.h * self.hd, bias=False)
        self.wk = nn.Linear(cfg.dim, self.kv * self.hd, bias=False)
        self.wv = nn.Linear(cfg.dim, self.kv * self.hd, bias=False)
        self.wo = nn.Linear(self.h * self.hd, cfg.dim, bias=False)

    def qkv(self, x, cos, sin):
        # x [B, S, D]; cos, sin [B|1, 1, S, hd/2] → q [B, h, S, hd], k [B, kv, S, hd] (both rotated), v [B, kv, S, hd]
        B, S, _ = x.shape
        q = self.wq(x).view(B, S, self.h, self.hd).transpose(1, 2)
        if cos.dtype != q.dtype:  # bf16 autocast: rotate in q's type, or fp32 tables would promote q and k to
            cos, sin = cos.to(q.dtype), sin.to(q.dtype)  # fp32 and keep SDPA off its flash kernel
        q = rotate(q, cos, sin)
        k = rotate(self.wk(x).view(B, S, self.kv, self.hd).transpose(1, 2), cos, sin)
        v = self.wv(x).view(B, S, self.kv, self.hd).transpose(1, 2)
        return q, k, v

    def forward(self, x, cos, sin, bias):
        """Training: causal attention over the batch, no cache. bias [1, 1, S, S] additive, or None for fused SDPA."""
        B, S, _ = x.shape
        g = self.h // self.kv
        q, k, v = self.qkv(x, cos, sin)
        if bias is None:  # PyTorch 2.x: fused causal attention, same math
            out = F.scaled_dot_product_attention(q, k.repeat_interleave(g, dim=1), v.repeat_interleave(g, dim=1),
                                                 is_causal=True)
        else:
            qg = q.reshape(B, self.kv, g * S, self.hd) / math.sqrt(self.hd)  # query heads grouped by kv head
            att = (qg @ k.transpose(-1, -2)).view(B, self.kv, g, S, S) + bias[:, :, None]  # [B, kv, g, S, S]
            out = (att.softmax(-1).view(B, self.kv, g * S, S) @ v).view(B, self.h, S, self.hd)
        return self.wo(out.transpose(1, 2).reshape(B, S, self.h * self.hd))

    def forward_cached(self, x, cos, sin, scale, past_k, past_v, causal):
        """The contract's attention (batch 1): read the cache in place, return only the new entries.

        x [1, S, D]; cos/sin [1, 1, S, hd/2] for the new tokens; scale [1, S] logit multiplier;
        past_k/past_v [1, P, kv, hd] token-major, keys already rotated; causal [C, S] with C = h·S.
        Scores against the cache are one 2-D product [C, kv·hd] × [kv·hd, P] with the g query heads of
        each kv head as rows of a block-diagonal matrix, so K and V are each read once, contiguously,
        and nothing is concatenated; the new tokens' scores join through a shared softmax denominator.
        """
        S = x.shape[1]
        kv, hd, g = self.kv, self.hd, self.h // self.kv
        q, k, v = self.qkv(x, cos, sin)
        q = q * (scale[:, None, :, None] / math.sqrt(hd))  # [1, h, S, hd]
        k = k.transpose(1, 2)  # [1, S, kv, hd]: the cache layout
        v = v.transpose(1, 2)
        eye = torch.eye(kv)
        qh = q[0].view(kv, g, S, hd).permute(0, 3, 1, 2).reshape(kv, hd, g * S)  # [kv, hd, g·S]
        qbd = (qh[:, :, None, :] * eye[:, None, :, None]).reshape(kv * hd, kv * g * S)  # block-diagonal [kv·hd, C]
        pk, pv = past_k.reshape(-1, kv * hd), past_v.reshape(-1, kv * hd)  # [P, kv·hd]
        kn, vn = k.reshape(S, kv * hd), v.reshape(S, kv * hd)  # [S, kv·hd]
        qt = qbd.t()  # [C, kv·hd]
        # Scores laid out [C, P]: the softmax's reductions and broadcasts then run along the long,
        # contiguous axis (with [P, C] and C = 6 they cost more than the products; measured 1.5× slower).
        sp = qt @ pk.t()  # [C, P]
        sn = qt @ kn.t()  # [C, S]
        # One max over cache and new scores together: a reduction over an empty cache alone (P = 0) is
        # not well defined in onnxruntime's last-axis ReduceMax.
        mx = torch.cat([sp, sn], dim=1).amax(-1, keepdim=True)  # [C, 1]
        ep = torch.exp(sp - mx)
        en = torch.exp(sn - mx) * causal
        # The cache's share of the denominator as a product with ones: a last-axis ReduceSum over an empty
        # cache is not well defined in onnxruntime either, while a product with an empty inner axis is 0.
        den = ep @ torch.ones_like(pv[:, :1]) + en.sum(-1, keepdim=True)  # [C, 1]
        out = (ep @ pv + en @ vn) / den  # [C, kv·hd]
        out = (out.view(kv, g * S, kv, hd) * eye[:, None, :, None]).sum(2)  # diagonal blocks [kv, g·S, hd]
        out = out.view(kv, g, S, hd).permute(2, 0, 1, 3).reshape(1, S, self.h * hd)
        return self.wo(out), k, v


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.attn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.attn = Attention(cfg)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.w1 = nn.Linear(cfg.dim, cfg.ffn_dim, bias=False)
        self.w3 = nn.Linear(cfg.dim, cfg.ffn_dim, bias=False)
        self.w2 = nn.Linear(cfg.ffn_dim, cfg.dim, bias=False)

    def ffn(self, x):
        h = self.ffn_norm(x)
        return x + self.w2(F.silu(self.w1(h)) * self.w3(h))

    def forward(self, x, cos, sin, bias):
        return self.ffn(x + self.attn(self.attn_norm(x), cos, sin, bias))

    def forward_cached(self, x, cos, sin, scale, past_k, past_v, causal):
        a, k, v = self.attn.forward_cached(self.attn_norm(x), cos, sin, scale, past_k, past_v, causal)
        return self.ffn(x + a), k, v


class Decoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.lm_head = nn.Linear(cfg.dim, cfg.vocab_size, bias=False)
        if cfg.tie_embeddings:
            self.lm_head.weight = self.embed.weight
        self.apply(self._init)
        for name, p in self.named_parameters():
            if name.endswith(("wo.weight", "w2.weight")):  # GPT-2's scaled init of residual projections
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * cfg.n_layers))

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, input_ids, cos_q, sin_q, attention_scale, logits_indices,
                past: list[tuple[torch.Tensor, torch.Tensor]]):
        """The model contract (models/README.md), batch 1.

        input_ids [1, S]; cos_q/sin_q [1, S, hd/2] for the new tokens' positions; attention_scale
        [n_layers, 1, S]; logits_indices [K] into S; past[i] = (keys, values) [1, P, kv, hd] with keys
        rotated at their positions. Returns logits [1, K, V] and each layer's new (keys, values) [1, S, kv, hd].
        Causality is by order in the sequence, not by position value: moved chunks keep their order.
        """
        S = input_ids.shape[1]
        cols = torch.arange(self.cfg.n_heads * S) % S  # the query token of each score column
        causal = (torch.arange(S)[None, :] <= cols[:, None]).float()  # [C, S]
        cq, sq = cos_q[:, None], sin_q[:, None]  # [1, 1, S, hd/2]
        x = self.embed(input_ids)
        present = []
        for i, layer in enumerate(self.layers):
            x, k, v = layer.forward_cached(x, cq, sq, attention_scale[i], past[i][0], past[i][1], causal)
            present.append((k, v))
        x = self.norm(x.index_select(1, logits_indices))  # [1, K, D]: logits only where asked
        # 2-D F.linear exports as Gemm(transB=1) over the embedding itself: tied weights stay one initializer.
        logits = F.linear(x.reshape(-1, x.shape[-1]), self.lm_head.weight)  # [K, V]
        return logits.view(1, -1, logits.shape[-1]), present

    def train_rope(self, length: int, device) -> tuple[torch.Tensor, torch.Tensor]:
        """cos, sin [1, 1, length, hd/2] of the plain RoPE at positions 0..length-1, for train_forward."""
        cos, sin = rope_tables(torch.arange(length), self.cfg.head_dim, self.cfg.rope_theta)
        return cos[None, None].to(device), sin[None, None].to(device)

    def train_forward(self, input_ids: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor] | None = None
                      ) -> torch.Tensor:
        """Logits for every position of a batch trained without a cache, with the plain RoPE.

        `rope` is train_rope(S) computed once by the caller: under torch.compile, tables built here would be
        host-side float64 work and a copy to the device inside every step."""
        B, S = input_ids.shape
        cos, sin = rope if rope is not None else self.train_rope(S, input_ids.device)
        fused = hasattr(F, "scaled_dot_product_attention")
        causal = None if fused else torch.full((S, S), -1e9, device=input_ids.device).triu(1)[None, None]  # [1, 1, S, S]
        x = self.embed(input_ids)
        for layer in self.layers:
            x = layer(x, cos, sin, causal)
        return self.lm_head(self.norm(x))

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


def save_checkpoint(model: Decoder, path: Path, extra: dict) -> None:
    torch.save({"config": model.cfg.to_dict(), "state": model.state_dict(), **extra}, path)


def load_checkpoint(path: Path) -> tuple[Decoder, dict]:
    data = torch.load(path, map_location="cpu")
    model = Decoder(ModelConfig.from_dict(data["config"]))
    model.load_state_dict(data["state"])
    return model.eval(), data


def load_config(name_or_path: str) -> dict:
    path = Path(name_or_path)
    if not path.exists():
        path = Path(__file__).resolve().parent / "configs" / f"{name_or_path}.json"
    return json.loads(path.read_text())
