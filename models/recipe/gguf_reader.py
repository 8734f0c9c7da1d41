"""Reads a Ropewalk model.gguf back into model.py's Decoder, and its vocabulary into tokenizer.py's Tokenizer.

A small numpy reader of the GGUF v3 layout that `ropewalk export-gguf` writes (src/model/gguf/gguf-writer.ts):
metadata, tensor infos, aligned data; F32, F16, BF16 and Q8_0 tensors. The exporter writes llama.cpp's
`llama` layout, so Q and K rows are interleaved per head (llama.cpp's converter permutation); they are put
back in model.py's rotate-half order here, as src/model/gguf-import/unpermute.ts does in TypeScript.

Usage as a library: `decoder_from_gguf(path)` → (Decoder, card dict); `tokenizer_from_gguf(path)`.
As a script: `python3 gguf_reader.py FILE.gguf` prints the shape and tensor types.
"""
from __future__ import annotations

import argparse
import json
import struct
from pathlib import Path

import numpy as np

MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32
# GGUF value types → struct format (strings and arrays are handled apart).
SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
STRING, ARRAY = 8, 9
F32, F16, Q8_0, BF16 = 0, 1, 8, 30
TYPE_NAMES = {F32: "F32", F16: "F16", Q8_0: "Q8_0", BF16: "BF16"}


class GgufReadError(Exception):
    pass


class _Cursor:
    def __init__(self, data: memoryview):
        self.data, self.at = data, 0

    def take(self, fmt: str):
        (v,) = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return v

    def string(self) -> str:
        n = self.take("<Q")
        s = bytes(self.data[self.at:self.at + n]).decode("utf-8")
        self.at += n
        return s

    def value(self, vtype: int):
        if vtype in SCALARS:
            return self.take(SCALARS[vtype])
        if vtype == STRING:
            return self.string()
        if vtype == ARRAY:
            item, n = self.take("<I"), self.take("<Q")
            if item in SCALARS and item != 7:
                arr = np.frombuffer(self.data, dtype=np.dtype(SCALARS[item]), count=n, offset=self.at)
                self.at += arr.nbytes
                return arr.tolist()
            return [self.value(item) for _ in range(n)]
        raise GgufReadError(f"unknown GGUF value type {vtype}")


class GgufFile:
    """Metadata and tensors of one GGUF file; tensors are read (and dequantized) when asked for."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.raw = np.memmap(self.path, dtype=np.uint8, mode="r")
        c = _Cursor(memoryview(self.raw))
        if bytes(self.raw[:4]) != MAGIC:
            raise GgufReadError(f"{path} is not a GGUF file")
        c.at = 4
        version = c.take("<I")
        if version != 3:
            raise GgufReadError(f"{path}: GGUF version {version}, this reader reads 3")
        n_tensors, n_kv = c.take("<Q"), c.take("<Q")
        self.meta: dict = {}
        for _ in range(n_kv):
            key = c.string()
            self.meta[key] = c.value(c.take("<I"))
        self.tensors: dict[str, tuple[list[int], int, int]] = {}  # name → (ggml dims, type, offset)
        for _ in range(n_tensors):
            name = c.string()
            dims = [c.take("<Q") for _ in range(c.take("<I"))]
            self.tensors[name] = (dims, c.take("<I"), c.take("<Q"))
        align = int(self.meta.get("general.alignment", DEFAULT_ALIGNMENT))
        self.data_start = (c.at + align - 1) // align * align

    def tensor(self, name: str) -> np.ndarray:
        """float32, numpy shape = ggml dims reversed ([N, K] for a matrix of N rows of K)."""
        dims, ttype, offset = self.tensors[name]
        count = int(np.prod(dims))
        at = self.data_start + offset
        shape = tuple(reversed(dims))
        if ttype == F32:
            return np.frombuffer(self.raw, np.float32, count, at).reshape(shape).copy()
        if ttype == F16:
            return np.frombuffer(self.raw, np.float16, count, at).astype(np.float32).reshape(shape)
        if ttype == BF16:
            bits = np.frombuffer(self.raw, np.uint16, count, at).astype(np.uint32) << 16
            return bits.view(np.float32).reshape(shape)
        if ttype == Q8_0:  # blocks of 34 bytes: f16 scale d, then 32 × int8; x = d·q
            blocks = np.frombuffer(self.raw, np.uint8, count // 32 * 34, at).reshape(-1, 34)
            d = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # [blocks, 1]
            q = blocks[:, 2:].copy().view(np.int8).astype(np.float32)  # [blocks, 32]
            return (d * q).reshape(shape)
        raise GgufReadError(f"{name}: ggml type {ttype} is not read here (F32, F16, BF16, Q8_0 are)")

    def type_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for _, ttype, _ in self.tensors.values():
            name = TYPE_NAMES.get(ttype, f"type {ttype}")
            out[name] = out.get(name, 0) + 1
        return out


def unpermute_rows(w: np.ndarray, n_heads: int) -> np.ndarray:
    """llama.cpp's interleaved Q/K rows → rotate-half: within a head, file row 2j+t is row t·hd/2 + j."""
    rows, k = w.shape
    hd = rows // n_heads
    return w.reshape(n_heads, hd // 2, 2, k).transpose(0, 2, 1, 3).reshape(rows, k)


def config_of(g: GgufFile) -> dict:
    """model.py's ModelConfig fields: the card's config (ropewalk.card) over the standard llama.* keys."""
    m = g.meta
    if m.get("general.architecture") != "llama":
        raise GgufReadError(f"{g.path}: architecture {m.get('general.architecture')}, expected llama")
    cfg = {
        "vocab_size": int(m["llama.vocab_size"]) if "llama.vocab_size" in m else len(m["tokenizer.ggml.tokens"]),
        "dim": int(m["llama.embedding_length"]),
        "n_layers": int(m["llama.block_count"]),
        "n_heads": int(m["llama.attention.head_count"]),
        "n_kv_heads": int(m["llama.attention.head_count_kv"]),
        "ffn_dim": int(m["llama.feed_forward_length"]),
        "rope_theta": float(m["llama.rope.freq_base"]),
        "train_len": int(m["llama.context_length"]),
        "norm_eps": float(m["llama.attention.layer_norm_rms_epsilon"]),
        "tie_embeddings": "output.weight" not in g.tensors,
    }
    card = card_of(g)
    # The card's values are the checkpoint's own (norm_eps 1e-5 exactly, not its f32 rounding).
    return {**cfg, **{k: v for k, v in card.get("config", {}).items() if k in cfg}}


def card_of(g: GgufFile) -> dict:
    text = g.meta.get("ropewalk.card")
    return json.loads(text) if text else {}


# GGUF tensor name (per block) → model.py's state-dict name.
BLOCK_NAMES = {
    "attn_norm": "attn_norm.weight", "attn_q": "attn.wq.weight", "attn_k": "attn.wk.weight",
    "attn_v": "attn.wv.weight", "attn_output": "attn.wo.weight", "ffn_norm": "ffn_norm.weight",
    "ffn_gate": "w1.weight", "ffn_up": "w3.weight", "ffn_down": "w2.weight",
}


def state_dict_of(g: GgufFile, cfg: dict) -> dict[str, np.ndarray]:
    sd = {"embed.weight": g.tensor("token_embd.weight"), "norm.weight": g.tensor("output_norm.weight")}
    for i in range(cfg["n_layers"]):
        for gguf, torch_name in BLOCK_NAMES.items():
            w = g.tensor(f"blk.{i}.{gguf}.weight")
            if gguf == "attn_q":
                w = unpermute_rows(w, cfg["n_heads"])
            elif gguf == "attn_k":
                w = unpermute_rows(w, cfg["n_kv_heads"])
            sd[f"layers.{i}.{torch_name}"] = w
    sd["lm_head.weight"] = g.tensor("output.weight") if "output.weight" in g.tensors else sd["embed.weight"]
    return sd


def decoder_from_gguf(path: str | Path):
    """(model.py Decoder in eval mode with the file's weights as float32, the card the file carries)."""
    import torch

    from model import Decoder, ModelConfig

    g = GgufFile(path)
    cfg = config_of(g)
    model = Decoder(ModelConfig.from_dict(cfg))
    sd = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state_dict_of(g, cfg).items()}
    model.load_state_dict(sd, strict=True)
    return model.eval(), card_of(g)


def vocab_and_merges(g: GgufFile) -> tuple[dict[str, int], list[tuple[str, str]]]:
    tokens = g.meta["tokenizer.ggml.tokens"]
    merges = [tuple(m.split(" ", 1)) for m in g.meta.get("tokenizer.ggml.merges", [])]
    return {t: i for i, t in enumerate(tokens)}, merges


def tokenizer_from_gguf(path: str | Path):
    """tokenizer.py's Tokenizer over the file's vocabulary and merges (its split regex is the recipe's own)."""
    from tokenizer import Tokenizer

    g = GgufFile(path)
    if g.meta.get("tokenizer.ggml.pre") != "ropewalk":
        raise GgufReadError(f"{path}: pre-tokenizer {g.meta.get('tokenizer.ggml.pre')}, the recipe's is 'ropewalk'")
    return Tokenizer(*vocab_and_merges(g))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gguf")
    args = ap.parse_args()
    g = GgufFile(args.gguf)
    print(json.dumps({"config": config_of(g), "types": g.type_counts(), "fileType": g.meta.get("general.file_type")}))


if __name__ == "__main__":
    main()
