"""The bundled model's size: what fits the repository, and what one H100 trains in the GPU run's minutes.

Prints the room the committed model has (the repository's tracked files stay ≤ 35 MiB once
models/small-cpu is replaced), then for each candidate shape its parameters, its Q8_0 GGUF size, its
training FLOPs per token, the tokens the run sees at the assumed model-FLOPs utilisation, and the
Chinchilla-optimal size for that compute. Pure arithmetic: no torch, no data.

Usage: python3 size_budget.py [--mfu 0.25] [--minutes 6] [--shape 384x7x6x2x1024 …]
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
LIMIT = 35 * 1024 * 1024  # bytes of tracked files the repository keeps under
H100_BF16_DENSE = 989e12  # FLOP/s, NVIDIA's H100 SXM datasheet figure without sparsity
VOCAB, HEAD_DIM, TRAIN_LEN = 16384, 64, 2048
Q8_0 = 34 / 32  # bytes per weight: 32 int8 and one fp16 scale per block
CHINCHILLA_TOKENS_PER_PARAM = 20
# (dim, layers, heads, kv heads, ffn): the shapes measured on the CPU, and the old base-gpu draft.
DEFAULT_SHAPES = ["512x4x8x2x1024", "384x7x6x2x1024", "256x18x4x2x704", "512x8x8x2x1408"]


def tracked_bytes(prefix: str = "") -> int:
    names = subprocess.run(["git", "ls-files", "-z", "--", prefix or "."], cwd=REPO, check=True,
                           capture_output=True).stdout.split(b"\0")
    return sum((REPO / n.decode()).stat().st_size for n in names if n)


def gguf_overhead() -> int:
    """Bytes of small-cpu's model.gguf that are not weights: tokenizer, card, alignment (all F32 there)."""
    card = json.loads((REPO / "models/small-cpu/model-card.json").read_text())
    return (REPO / "models/small-cpu/model.gguf").stat().st_size - 4 * card["parameters"]


def shape_params(dim: int, layers: int, heads: int, kv: int, ffn: int) -> tuple[int, int, int]:
    """(matrix weights outside the embedding, norm weights, embedding) of model.py's decoder, head tied."""
    attn = dim * heads * HEAD_DIM * 2 + dim * kv * HEAD_DIM * 2  # wq, wo; wk, wv
    mlp = 3 * dim * ffn  # w1, w3, w2 (SwiGLU)
    return layers * (attn + mlp), (2 * layers + 1) * dim, VOCAB * dim


def flops_per_token(dim: int, layers: int, heads: int, kv: int, ffn: int, seq: int = TRAIN_LEN) -> dict:
    """Training FLOPs per token: 6·N_nonembed + the tied head's 6·dim·V + attention's 12·L·T·dim."""
    mats, _, _ = shape_params(dim, layers, heads, kv, ffn)
    parts = {"nonembed": 6 * mats, "head": 6 * dim * VOCAB, "attention": 12 * layers * seq * heads * HEAD_DIM}
    parts["total"] = sum(parts.values())
    return parts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mfu", type=float, default=0.25, help="model FLOPs utilisation assumed on the H100")
    ap.add_argument("--minutes", type=float, default=6.0, help="minutes of training")
    ap.add_argument("--shape", action="append", help="DIMxLAYERSxHEADSxKVxFFN (repeatable)")
    args = ap.parse_args()

    total = tracked_bytes()
    small = tracked_bytes("models/small-cpu")
    overhead = gguf_overhead()
    # Golden cases, card, loss curve: about what small-cpu's folder holds besides its GGUF.
    beside = small - (REPO / "models/small-cpu/model.gguf").stat().st_size
    room = LIMIT - (total - small)
    weights_room = room - beside - overhead
    print(f"tracked files {total} bytes ({total / 2**20:.3f} MiB) of {LIMIT}; models/small-cpu {small}")
    print(f"room for the new model folder: {room} bytes; less golden/card/curve ({beside}) and the GGUF's "
          f"tokenizer+card ({overhead}): {weights_room} bytes of weights = {weights_room / Q8_0 / 1e6:.2f}M "
          f"parameters at Q8_0")

    compute = args.minutes * 60 * H100_BF16_DENSE * args.mfu
    print(f"\ncompute: {args.minutes} min × {H100_BF16_DENSE / 1e12:.0f} TFLOP/s × MFU {args.mfu} = {compute:.3g} FLOPs")
    head = (f"{'shape d×L×h×kv×ffn':>20} {'params':>7} {'nonemb':>7} {'GGUF MB':>8} {'FLOP/tok':>9} "
            f"{'(6N/head/attn)':>16} {'tok/s':>7} {'tokens':>7} {'tok/param':>9} {'N_opt':>6}")
    print(head)
    for s in args.shape or DEFAULT_SHAPES:
        d, L, h, kv, f = (int(x) for x in s.split("x"))
        mats, norms, emb = shape_params(d, L, h, kv, f)
        n = mats + norms + emb
        fl = flops_per_token(d, L, h, kv, f)
        rate = H100_BF16_DENSE * args.mfu / fl["total"]
        tokens = rate * args.minutes * 60
        # Chinchilla: D = 20·N and C = F·D. With F = r·N (r = this shape's FLOPs per token per parameter,
        # about 10 here against 6 in C = 6ND: the tied head and 2048-token attention), C = 20·r·N².
        n_opt = math.sqrt(compute / (CHINCHILLA_TOKENS_PER_PARAM * fl["total"] / n))
        gguf = (mats + emb) * Q8_0 + 4 * norms + overhead
        split = "/".join(f"{fl[k] / 1e6:.0f}" for k in ("nonembed", "head", "attention"))
        print(f"{s:>20} {n / 1e6:6.2f}M {mats / 1e6:6.2f}M {gguf / 1e6:8.2f} {fl['total'] / 1e6:8.0f}M "
              f"{split:>16} {rate / 1e6:6.2f}M {tokens / 1e6:6.0f}M {tokens / n:9.1f} {n_opt / 1e6:5.1f}M")


if __name__ == "__main__":
    main()
