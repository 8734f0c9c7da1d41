# A plain numpy forward pass over an F32 random GGUF: a second opinion beside llama.cpp's logits, and a quick peakedness check.
"""Usage: PYTHONPATH=LLAMA_DIR/gguf-py python3 ref-forward.py MODEL-f32.gguf [IDS] [--compare X.llama.json]

Prints the mean/min gap between the top two logits over the positions and the greedy argmax per
position; with --compare, the largest difference from llama.cpp's logits for the same ids.
"""

import argparse
import json
import pathlib

import numpy as np
import gguf


def field(r, key):
    f = r.fields[key]
    return f.parts[-1][0].item()


def rope(x, base, neox):
    # x: [seq, heads, hd]. neox pairs (i, i + hd/2) as HF does; llama.cpp's "normal" pairs (2i, 2i+1),
    # which is what the llama converter's row permutation prepares the weights for.
    seq, _, hd = x.shape
    inv = base ** (-np.arange(0, hd, 2, dtype=np.float64) / hd)
    ang = np.arange(seq)[:, None] * inv[None, :]  # [seq, hd/2]
    cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    if neox:
        a, b = x[..., : hd // 2], x[..., hd // 2 :]
        return np.concatenate([a * cos - b * sin, a * sin + b * cos], axis=-1)
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = a * cos - b * sin, a * sin + b * cos
    return out


def forward(path, ids):
    r = gguf.GGUFReader(path)
    arch = bytes(r.fields["general.architecture"].parts[-1]).decode()
    t = {x.name: np.asarray(x.data, dtype=np.float64) for x in r.tensors}
    nl, nh, nkv = (field(r, f"{arch}.{k}") for k in ("block_count", "attention.head_count", "attention.head_count_kv"))
    base = field(r, f"{arch}.rope.freq_base")
    ln = arch == "starcoder2"
    eps = field(r, f"{arch}.attention.layer_norm_epsilon" if ln else f"{arch}.attention.layer_norm_rms_epsilon")

    def norm(x, p):
        if ln:
            x = x - x.mean(-1, keepdims=True)
            return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * t[p + ".weight"] + t[p + ".bias"]
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * t[p + ".weight"]

    def lin(x, p):
        y = x @ t[p + ".weight"].T
        return y + t[p + ".bias"] if p + ".bias" in t else y

    x = t["token_embd.weight"][ids]
    n = len(ids)
    mask = np.triu(np.full((n, n), -np.inf), 1)
    for i in range(nl):
        p = f"blk.{i}."
        h = norm(x, p + "attn_norm")
        q, k, v = (lin(h, p + f"attn_{c}") for c in "qkv")
        hd = q.shape[-1] // nh
        q, k, v = q.reshape(n, nh, hd), k.reshape(n, nkv, hd), v.reshape(n, nkv, hd)
        q, k = rope(q, base, arch != "llama"), rope(k, base, arch != "llama")
        rep = nh // nkv
        k, v = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)  # head j reads kv head j // rep
        s = np.einsum("qhd,khd->hqk", q, k) / np.sqrt(hd) + mask
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        x = x + lin(np.einsum("hqk,khd->qhd", s, v).reshape(n, nh * hd), p + "attn_output")
        h = norm(x, p + "ffn_norm")
        if ln:
            u = lin(h, p + "ffn_up")
            # ggml_gelu is the tanh approximation.
            g = 0.5 * u * (1 + np.tanh(np.sqrt(2 / np.pi) * (u + 0.044715 * u**3)))
        else:
            gt = lin(h, p + "ffn_gate")
            g = gt / (1 + np.exp(-gt)) * lin(h, p + "ffn_up")
        x = x + lin(g, p + "ffn_down")
    x = norm(x, "output_norm")
    head = t["output.weight"] if "output.weight" in t else t["token_embd.weight"]
    return x @ head.T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("ids", nargs="?")
    ap.add_argument("--compare")
    a = ap.parse_args()
    ref = json.loads(pathlib.Path(a.compare).read_text()) if a.compare else None
    if a.ids:
        ids = [int(x) for x in a.ids.split(",")]
    elif ref:
        ids = ref["ids"]
    else:
        ids = list(np.random.default_rng(7).integers(0, 300, 64))
    lg = forward(a.model, ids)
    top2 = np.sort(lg, axis=1)[:, -2:]
    gap = top2[:, 1] - top2[:, 0]
    print(f"gap mean {gap.mean():.3f} min {gap.min():.4f}; logit std {lg.std():.2f}")
    print("argmax", lg.argmax(1).tolist())
    if ref:
        ll = np.fromfile(pathlib.Path(a.compare).with_name(ref["logitsFile"]), dtype="<f4")
        ll = ll.reshape(ref["nPositions"], ref["nVocab"])
        print(f"max |numpy - llama.cpp| {np.abs(lg - ll).max():.3g}; argmax agree {(lg.argmax(1) == ll.argmax(1)).mean():.3f}")


if __name__ == "__main__":
    main()
