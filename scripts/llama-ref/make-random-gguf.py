# Writes seeded random-weight GGUF files in the real tensor layout of qwen2, llama, starcoder2 and gemma, for parity tests against llama.cpp.
"""Usage: PYTHONPATH=LLAMA_DIR/gguf-py python3 make-random-gguf.py ARCH SHAPE OUT.gguf
           [--seed N] [--logit-gain G] [--dtype f32|f16]

ARCH: qwen2 | llama | starcoder2 | gemma (head dim twice dim / heads, as Gemma's heads are wide).  SHAPE: tiny | kq | qwen-0.5b | qwen-1.5b (see SHAPES).
llama files also get OUT.hf.npz: the q/k weights before llama.cpp's RoPE row permutation,
so a reader can check its un-permute against them.
"""

import argparse
import re
import sys
from collections import Counter

import numpy as np
import gguf

# tiny: every row a multiple of 32 (Q8_0/Q4_0 blocks) and F32 under 1 MB.
# kq: rows a multiple of 256, so llama-quantize really writes K-quants instead of falling back.
SHAPES = {
    "tiny": dict(dim=64, layers=2, heads=4, kv_heads=2, ffn=128, vocab=320, ctx=512),
    "kq": dict(dim=256, layers=2, heads=4, kv_heads=2, ffn=256, vocab=320, ctx=512),
    "qwen-0.5b": dict(dim=896, layers=24, heads=14, kv_heads=2, ffn=4864, vocab=151936, ctx=32768),
    "qwen-1.5b": dict(dim=1536, layers=28, heads=12, kv_heads=2, ffn=8960, vocab=151936, ctx=32768),
}

# Qwen2.5-Coder's added tokens, in its own order; the big shapes put them at Qwen's real ids.
SPECIALS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|fim_prefix|>",
    "<|fim_middle|>",
    "<|fim_suffix|>",
    "<|fim_pad|>",
    "<|repo_name|>",
    "<|file_sep|>",
]
QWEN_SPECIAL_BASE = 151643

# Text the merges are learned from: code-like, so common pairs (indent, "de", "()") get tokens.
MERGE_CORPUS = """
def add(a, b):
    return a + b

class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm(self):
        return (self.x * self.x + self.y * self.y) ** 0.5

function main() {
    const items = [1, 2, 3];
    for (const item of items) {
        console.log(item);
    }
    return items.length;
}
"""


def bytes_to_unicode():
    """GPT-2's byte -> printable character map; byte-level BPE vocabularies spell bytes this way."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return bs, [chr(c) for c in cs]


def learn_merges(n_merges):
    """A deterministic little BPE over MERGE_CORPUS (ties broken by the pair's text)."""
    bs, cs = bytes_to_unicode()
    enc = dict(zip(bs, cs))
    words = Counter(
        tuple(enc[b] for b in w.encode()) for w in re.findall(r" ?\w+| ?[^\w\s]+|\s+", MERGE_CORPUS)
    )
    merges = []
    for _ in range(n_merges):
        pairs = Counter()
        for w, c in words.items():
            for p in zip(w, w[1:]):
                pairs[p] += c
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        merged = Counter()
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            merged[tuple(out)] += c
        words = merged
    return merges


def build_vocab(vocab):
    """Byte tokens, learned merges, then Qwen's special tokens; [PADn] fills any gap, as converters do."""
    _, cs = bytes_to_unicode()
    special_base = QWEN_SPECIAL_BASE if vocab > QWEN_SPECIAL_BASE + len(SPECIALS) else vocab - len(SPECIALS)
    n_merges = min(special_base - 256, 200)
    merges = learn_merges(n_merges)
    tokens = cs + [a + b for a, b in merges]
    types = [gguf.TokenType.NORMAL] * len(tokens)
    while len(tokens) < special_base:
        tokens.append(f"[PAD{len(tokens)}]")
        types.append(gguf.TokenType.UNUSED)
    tokens += SPECIALS
    types += [gguf.TokenType.CONTROL] * len(SPECIALS)
    while len(tokens) < vocab:
        tokens.append(f"[PAD{len(tokens)}]")
        types.append(gguf.TokenType.UNUSED)
    ids = {t: special_base + i for i, t in enumerate(SPECIALS)}
    return tokens, types, [f"{a} {b}" for a, b in merges], ids


def permute(w, n_head):
    """llama.cpp's converter order for Q/K rows: per head, HF's [first half | second half] of the
    rotary pairs becomes interleaved (x0, x_half, x1, x_half+1, ...), for its 'normal' RoPE."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("arch", choices=["qwen2", "llama", "starcoder2", "gemma"])
    ap.add_argument("shape", choices=list(SHAPES))
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1234)
    # The final norm's gain: scales every logit, so it sets how far apart the top two are.
    ap.add_argument("--logit-gain", type=float, default=8.0)
    # f16 halves the big shapes on disk (1 GB for 0.5B); llama-quantize reads either.
    ap.add_argument("--dtype", choices=["f32", "f16"], default="f32")
    a = ap.parse_args()
    s = SHAPES[a.shape]
    d, nl, nh, nkv, ff, nv = s["dim"], s["layers"], s["heads"], s["kv_heads"], s["ffn"], s["vocab"]
    hd = d // nh * (2 if a.arch == "gemma" else 1)
    rng = np.random.default_rng(a.seed)

    def mat(rows, cols, gain=1.0):
        # 1/sqrt(fan-in) keeps each projection's output near unit scale, layer after layer.
        return (rng.standard_normal((rows, cols), dtype=np.float32) * (gain / np.sqrt(cols))).astype(np.float32)

    def vec(n, scale, mean=0.0):
        return (mean + rng.standard_normal(n, dtype=np.float32) * scale).astype(np.float32)

    w = gguf.GGUFWriter(a.out, a.arch)
    w.add_name(f"ropewalk-random-{a.arch}-{a.shape}")
    w.add_context_length(s["ctx"])
    w.add_embedding_length(d)
    w.add_block_count(nl)
    w.add_feed_forward_length(ff)
    w.add_head_count(nh)
    w.add_head_count_kv(nkv)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if a.dtype == "f16" else gguf.LlamaFileType.ALL_F32)
    if a.arch == "qwen2":
        w.add_rope_freq_base(1_000_000.0)
        w.add_layer_norm_rms_eps(1e-6)
    elif a.arch == "llama":
        w.add_rope_freq_base(10_000.0)
        w.add_layer_norm_rms_eps(1e-5)
        w.add_rope_dimension_count(hd)
        w.add_vocab_size(nv)
    elif a.arch == "gemma":
        w.add_rope_freq_base(10_000.0)
        w.add_layer_norm_rms_eps(1e-6)
        w.add_key_length(hd)
        w.add_value_length(hd)
    else:
        w.add_rope_freq_base(100_000.0)
        w.add_layer_norm_eps(1e-5)

    tokens, types, merges, sid = build_vocab(nv)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    eot = sid["<|endoftext|>"]
    w.add_bos_token_id(eot)
    w.add_eos_token_id(eot)
    w.add_pad_token_id(eot)
    w.add_add_bos_token(False)
    K = gguf.Keys.Tokenizer
    for key, tok in [
        (K.FIM_PRE_ID, "<|fim_prefix|>"),
        (K.FIM_SUF_ID, "<|fim_suffix|>"),
        (K.FIM_MID_ID, "<|fim_middle|>"),
        (K.FIM_PAD_ID, "<|fim_pad|>"),
        (K.FIM_REP_ID, "<|repo_name|>"),
        (K.FIM_SEP_ID, "<|file_sep|>"),
    ]:
        w.add_uint32(key, sid[tok])

    layernorm = a.arch == "starcoder2"
    tensors = {}
    hf = {}
    # Embeddings at half the scale of a layer's output, so the layers (not the input token) decide the top logit.
    # Gemma multiplies the looked-up rows by sqrt(d): a table that much smaller gives the same input scale.
    emb = 0.5 / np.sqrt(d) if a.arch == "gemma" else 0.5
    tensors["token_embd.weight"] = vec(nv * d, emb).reshape(nv, d)
    tensors["output_norm.weight"] = vec(d, 0.1, a.logit_gain / np.sqrt(d) / emb)
    if layernorm:
        tensors["output_norm.bias"] = vec(d, 0.1)
    if a.arch == "llama":
        tensors["output.weight"] = vec(nv * d, 0.5).reshape(nv, d)  # llama: untied head
    for i in range(nl):
        p = f"blk.{i}."
        tensors[p + "attn_norm.weight"] = vec(d, 0.1, 1.0)
        if layernorm:
            tensors[p + "attn_norm.bias"] = vec(d, 0.1)
        q, k, v = mat(nh * hd, d, 2.0), mat(nkv * hd, d, 2.0), mat(nkv * hd, d)
        if a.arch == "llama":
            hf[p + "attn_q.weight"], hf[p + "attn_k.weight"] = q, k
            q, k = permute(q, nh), permute(k, nkv)
        tensors[p + "attn_q.weight"], tensors[p + "attn_k.weight"], tensors[p + "attn_v.weight"] = q, k, v
        if a.arch in ("qwen2", "starcoder2"):  # they carry Q/K/V biases
            tensors[p + "attn_q.bias"] = vec(nh * hd, 0.2)
            tensors[p + "attn_k.bias"] = vec(nkv * hd, 0.2)
            tensors[p + "attn_v.bias"] = vec(nkv * hd, 0.2)
        tensors[p + "attn_output.weight"] = mat(d, nh * hd)
        if layernorm:
            tensors[p + "attn_output.bias"] = vec(d, 0.1)
        tensors[p + "ffn_norm.weight"] = vec(d, 0.1, 1.0)
        if layernorm:  # starcoder2: LayerNorm, GELU MLP (up, down; no gate), biases throughout
            tensors[p + "ffn_norm.bias"] = vec(d, 0.1)
            tensors[p + "ffn_up.weight"] = mat(ff, d)
            tensors[p + "ffn_up.bias"] = vec(ff, 0.1)
            tensors[p + "ffn_down.weight"] = mat(d, ff, 2.0)
            tensors[p + "ffn_down.bias"] = vec(d, 0.1)
        else:  # SwiGLU (gemma: GeGLU), same tensors
            tensors[p + "ffn_gate.weight"] = mat(ff, d)
            tensors[p + "ffn_up.weight"] = mat(ff, d)
            tensors[p + "ffn_down.weight"] = mat(d, ff, 2.0)
    for name, t in tensors.items():
        # Norms and biases stay F32, as llama.cpp's converter and llama-quantize keep them.
        w.add_tensor(name, t.astype(np.float16) if a.dtype == "f16" and t.ndim == 2 else t)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    if hf:
        np.savez(a.out.removesuffix(".gguf") + ".hf.npz", **hf)
    print(f"{a.out}: {a.arch} {a.shape} {len(tensors)} tensors, specials {sid}", file=sys.stderr)


if __name__ == "__main__":
    main()
