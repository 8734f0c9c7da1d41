"""Llama-style decoder whose rotary angles, attention-logit scale and key positions come from the caller.

RMSNorm, SwiGLU, grouped-query attention, RoPE with θ=10000 in the half-split ("rotate_half") layout.
The cache holds keys *before* rotation: rotation is applied inside attention from explicit cos/sin
tables for the query and the key positions, so a cached span can be reused at any position and the
RoPE scaling method is the runtime's choice (see ../README.md, "The model contract").
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

    def forward(self, x, cos_q, sin_q, cos_k, sin_k, scale, bias, past_k, past_v):
        # x [B, S, D]; cos_q/sin_q [B, 1, S, hd/2]; cos_k/sin_k [B, 1, T, hd/2]; scale [B, S];
        # bias [B, 1, S, T] additive mask; past_k/past_v [B, kv, P, hd] (keys unrotated); T = P + S.
        B, S, _ = x.shape
        g = self.h // self.kv
        q = self.wq(x).view(B, S, self.h, self.hd).transpose(1, 2)  # [B, h, S, hd]
        k = self.wk(x).view(B, S, self.kv, self.hd).transpose(1, 2)  # [B, kv, S, hd]
        v = self.wv(x).view(B, S, self.kv, self.hd).transpose(1, 2)  # [B, kv, S, hd]
        k_all = torch.cat([past_k, k], dim=2)  # [B, kv, T, hd] unrotated: this is what gets cached
        v_all = torch.cat([past_v, v], dim=2)
        qr = rotate(q, cos_q, sin_q)
        kr = rotate(k_all, cos_k, sin_k)
        if bias is None:  # training without a cache on PyTorch 2.x: fused causal attention, same math
            out = F.scaled_dot_product_attention(qr, kr.repeat_interleave(g, dim=1), v_all.repeat_interleave(g, dim=1),
                                                 is_causal=True)
            return self.wo(out.transpose(1, 2).reshape(B, S, self.h * self.hd)), k_all, v_all
        # The per-query logit scale folds into q: [B, 1, S, 1].
        qr = qr * (scale[:, None, :, None] / math.sqrt(self.hd))
        qr = qr.reshape(B, self.kv, g * S, self.hd)  # group the query heads that share a kv head
        att = qr @ kr.transpose(-1, -2)  # [B, kv, g*S, T]
        att = att.view(B, self.kv, g, S, -1) + bias[:, :, None]  # [B, kv, g, S, T]
        att = att.softmax(dim=-1)
        out = att.view(B, self.kv, g * S, -1) @ v_all  # [B, kv, g*S, hd]
        out = out.view(B, self.h, S, self.hd).transpose(1, 2).reshape(B, S, self.h * self.hd)
        return self.wo(out), k_all, v_all


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.attn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.attn = Attention(cfg)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.w1 = nn.Linear(cfg.dim, cfg.ffn_dim, bias=False)
        self.w3 = nn.Linear(cfg.dim, cfg.ffn_dim, bias=False)
        self.w2 = nn.Linear(cfg.ffn_dim, cfg.dim, bias=False)

    def forward(self, x, cos_q, sin_q, cos_k, sin_k, scale, bias, past_k, past_v):
        a, k, v = self.attn(self.attn_norm(x), cos_q, sin_q, cos_k, sin_k, scale, bias, past_k, past_v)
        x = x + a
        h = self.ffn_norm(x)
        return x + self.w2(F.silu(self.w1(h)) * self.w3(h)), k, v


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

    def forward(self, input_ids, attention_mask, cos_q, sin_q, cos_k, sin_k, attention_scale, logits_indices,
                past: list[tuple[torch.Tensor, torch.Tensor]]):
        # input_ids [B, S]; attention_mask [B, T] (1 = attend); cos_q/sin_q [B, S, hd/2];
        # cos_k/sin_k [B, T, hd/2]; attention_scale [n_layers, B, S]; logits_indices [K] into S.
        B, S = input_ids.shape
        P = past[0][0].shape[2]
        T = P + S
        # Causality is by order in the sequence, not by position value: moved chunks keep their order.
        rows = torch.arange(S)[:, None] + P
        cols = torch.arange(T)[None, :]
        allowed = (cols <= rows)[None, :, :] & (attention_mask[:, None, :] > 0)  # [B, S, T]
        bias = ((~allowed).float() * -1e9)[:, None]  # [B, 1, S, T] additive mask
        cq, sq = cos_q[:, None], sin_q[:, None]
        ck, sk = cos_k[:, None], sin_k[:, None]
        x = self.embed(input_ids)
        present = []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, cq, sq, ck, sk, attention_scale[i], bias, past[i][0], past[i][1])
            present.append((k, v))
        x = self.norm(x.index_select(1, logits_indices))  # [B, K, D]: logits only where asked
        # 2-D F.linear exports as Gemm(transB=1) over the embedding itself: tied weights stay one initializer.
        logits = F.linear(x.reshape(-1, x.shape[-1]), self.lm_head.weight)  # [B*K, V]
        return logits.view(B, -1, logits.shape[-1]), present

    def train_forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        """Logits for every position of a batch trained without a cache, with the plain RoPE."""
        B, S = input_ids.shape
        cfg = self.cfg
        cos, sin = rope_tables(torch.arange(S), cfg.head_dim, cfg.rope_theta)
        cos, sin = cos[None, None].to(input_ids.device), sin[None, None].to(input_ids.device)  # [1, 1, S, hd/2]
        fused = hasattr(F, "scaled_dot_product_attention")
        causal = None if fused else torch.full((S, S), -1e9, device=input_ids.device).triu(1)[None, None]  # [1, 1, S, S]
        scale = torch.ones(B, S, device=input_ids.device)
        empty = torch.zeros(B, cfg.n_kv_heads, 0, cfg.head_dim, device=input_ids.device)
        x = self.embed(input_ids)
        for layer in self.layers:
            x, _, _ = layer(x, cos, sin, cos, sin, scale, causal, empty, empty)
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
