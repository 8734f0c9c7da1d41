"""Byte-level BPE: trains on the corpus, encodes text, writes a Hugging Face `tokenizer.json`.

Written here because Debian ships no HF `tokenizers`; the file it writes is the standard format,
so the TypeScript side loads it with a maintained tokenizer library.

Usage: python3 tokenizer.py --vocab 16384 [--sample-mb 12] [--out work/tokenizer.json]
"""
from __future__ import annotations

import argparse
import heapq
import json
from collections import defaultdict
from pathlib import Path

import regex

HERE = Path(__file__).resolve().parent

# Pre-tokenizer: GPT-4-style splits (a word may carry one leading symbol, digits in threes,
# newlines grouped with the whitespace before them) without inline flags, so the same pattern
# runs in JavaScript's RegExp with the `u` flag.
SPLIT_PATTERN = (
    r"'(?:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
SPLIT = regex.compile(SPLIT_PATTERN)

# Special tokens: ids 0..6, fixed so that the model contract can name them.
SPECIALS = [
    "<|endoftext|>",
    "<|fim_prefix|>",
    "<|fim_middle|>",
    "<|fim_suffix|>",
    "<|fim_pad|>",
    "<|file_sep|>",
    "<|repo_name|>",
]


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte → printable character map (what ByteLevel pre-tokenizers use)."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = keep[:]
    n = 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(keep, chars)}


BYTE_CHAR = bytes_to_unicode()


def to_symbols(piece: str) -> str:
    return "".join(BYTE_CHAR[b] for b in piece.encode("utf-8"))


def train(texts, vocab_size: int, min_count: int = 2) -> tuple[dict[str, int], list[tuple[str, str]]]:
    counts: dict[str, int] = defaultdict(int)
    for text in texts:
        for piece in SPLIT.findall(text):
            counts[to_symbols(piece)] += 1
    words = [list(w) for w, c in counts.items() if c >= min_count]
    freq = [counts["".join(w)] for w in words]
    vocab: dict[str, int] = {s: i for i, s in enumerate(SPECIALS)}
    for b in range(256):
        vocab[BYTE_CHAR[b]] = len(vocab)
    pair_count: dict[tuple[str, str], int] = defaultdict(int)
    where: dict[tuple[str, str], set[int]] = defaultdict(set)
    for wi, w in enumerate(words):
        for pair in zip(w, w[1:]):
            pair_count[pair] += freq[wi]
            where[pair].add(wi)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    merges: list[tuple[str, str]] = []
    while len(vocab) < vocab_size and heap:
        neg, pair = heapq.heappop(heap)
        current = pair_count.get(pair, 0)
        if current != -neg:  # stale entry: the count fell since it was pushed
            if current >= min_count:
                heapq.heappush(heap, (-current, pair))
            continue
        if current < min_count:
            break
        a, b = pair
        new = a + b
        merges.append(pair)
        vocab[new] = len(vocab)
        touched: dict[tuple[str, str], int] = defaultdict(int)
        for wi in list(where[pair]):
            w, f = words[wi], freq[wi]
            i = 0
            while i < len(w) - 1:
                if w[i] == a and w[i + 1] == b:
                    if i > 0:
                        touched[(w[i - 1], a)] -= f
                        touched[(w[i - 1], new)] += f
                        where[(w[i - 1], new)].add(wi)
                    if i + 2 < len(w):
                        touched[(b, w[i + 2])] -= f
                        touched[(new, w[i + 2])] += f
                        where[(new, w[i + 2])].add(wi)
                    w[i:i + 2] = [new]
                i += 1
        del pair_count[pair]
        del where[pair]
        for p, delta in touched.items():
            if p == pair:
                continue
            pair_count[p] = pair_count.get(p, 0) + delta
            if delta > 0:
                heapq.heappush(heap, (-pair_count[p], p))
    return vocab, merges


class Tokenizer:
    """Encoder for a trained vocabulary: the same splits and merge order as HF's BPE model."""

    def __init__(self, vocab: dict[str, int], merges: list[tuple[str, str]]):
        self.vocab = vocab
        self.ranks = {p: i for i, p in enumerate(merges)}
        self.cache: dict[str, list[int]] = {}
        self.special = {s: vocab[s] for s in SPECIALS}
        self.inverse = {i: s for s, i in vocab.items()}
        self.char_byte = {c: b for b, c in BYTE_CHAR.items()}
        self.description = "tokenizer.py (the recipe's pure-Python BPE)"

    @classmethod
    def load(cls, path: str | Path) -> "Tokenizer":
        data = json.loads(Path(path).read_text())
        vocab = data["model"]["vocab"]
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in data["model"]["merges"]]
        return cls(vocab, merges)

    def _bpe(self, word: str) -> list[int]:
        parts = list(word)
        while len(parts) > 1:
            best, best_rank = -1, None
            for i in range(len(parts) - 1):
                r = self.ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best < 0:
                break
            parts[best:best + 2] = [parts[best] + parts[best + 1]]
        return [self.vocab[p] for p in parts]

    def encode(self, text: str) -> list[int]:
        out: list[int] = []
        cache = self.cache
        for piece in SPLIT.findall(text):
            ids = cache.get(piece)
            if ids is None:
                ids = self._bpe(to_symbols(piece))
                if len(cache) < 2_000_000:
                    cache[piece] = ids
            out.extend(ids)
        return out

    def decode(self, ids: list[int]) -> str:
        data = bytearray()
        for i in ids:
            s = self.inverse[i]
            if s in self.special:
                data.extend(s.encode())
            else:
                data.extend(self.char_byte[c] for c in s)
        return data.decode("utf-8", errors="replace")


class HfTokenizer:
    """tokenizer.json through Hugging Face's `tokenizers` (Rust): Tokenizer's ids, many times faster.

    The special added tokens are left out, as Ropewalk's TextTokenizer leaves them out: HF would match
    `<|endoftext|>` written in code as the special token, where the recipe's tokenizer (which made every
    earlier model's training data) and Ropewalk's GGUF tokenizer keep it text. The specials stay in the
    vocabulary, so data.py still inserts their ids where a stream needs them.
    """

    def __init__(self, path: str | Path):
        from tokenizers import Tokenizer as Rust, __version__

        data = json.loads(Path(path).read_text())
        data["added_tokens"] = [t for t in data.get("added_tokens", []) if not t.get("special")]
        self.inner = Rust.from_str(json.dumps(data))
        self.special = {s: data["model"]["vocab"][s] for s in SPECIALS}
        self.description = f"tokenizers {__version__} (Hugging Face, Rust)"

    def encode(self, text: str) -> list[int]:
        return self.inner.encode(text, add_special_tokens=False).ids


Encoder = Tokenizer | HfTokenizer


def load_encoder(path: str | Path, backend: str = "auto") -> Encoder:
    """`hf`: HfTokenizer (ImportError if `tokenizers` is missing); `recipe`: Tokenizer; `auto`: hf when installed."""
    if backend in ("hf", "auto"):
        try:
            return HfTokenizer(path)
        except ImportError:
            if backend == "hf":
                raise
    return Tokenizer.load(path)


class TokenizerMismatchError(Exception):
    """An encoder gives other ids than the sample recorded (Ropewalk's tokenizer's ids for the same texts)."""


def check_sample(tok: Encoder, sample_path: str | Path) -> dict:
    """Encodes every text of tokenizer-sample.json and compares id for id; raises on the first differences."""
    cases = json.loads(Path(sample_path).read_text())["cases"]
    bad = []
    for i, c in enumerate(cases):
        ids = tok.encode(c["text"])
        if ids != c["ids"]:
            at = next((k for k, (a, b) in enumerate(zip(ids, c["ids"])) if a != b), min(len(ids), len(c["ids"])))
            bad.append(f"case {i} {c['text'][:50]!r}: from token {at}, got {ids[at:at + 6]}, "
                       f"expected {c['ids'][at:at + 6]}")
    if bad:
        raise TokenizerMismatchError(f"{tok.description} differs from {sample_path} on {len(bad)} of {len(cases)} "
                                     f"texts; not tokenizing the corpus with it:\n  " + "\n  ".join(bad[:8]))
    return {"texts": len(cases), "ids": sum(len(c["ids"]) for c in cases), "encoder": tok.description}


def to_hf_json(vocab: dict[str, int], merges: list[tuple[str, str]]) -> dict:
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": vocab[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}
            for s in SPECIALS
        ],
        "normalizer": None,
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": SPLIT_PATTERN}, "behavior": "Isolated", "invert": False},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
            ],
        },
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        "model": {
            "type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
            "vocab": vocab,
            "merges": [f"{a} {b}" for a, b in merges],
        },
    }


def corpus_texts(path: Path, max_bytes: int, split: str = "train"):
    """Files from the corpus, spread over all repositories so that both languages are sampled."""
    repos = [json.loads(l) for l in path.open()]
    repos = [r for r in repos if r["split"] == split]
    per_repo = max_bytes // max(len(repos), 1)
    for r in repos:
        used = 0
        for _, text in r["files"]:
            if used > per_repo:
                break
            used += len(text)
            yield text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(HERE / "work" / "corpus" / "repos.jsonl"))
    ap.add_argument("--vocab", type=int, default=16384)
    ap.add_argument("--sample-mb", type=float, default=12.0)
    ap.add_argument("--out", default=str(HERE / "work" / "tokenizer.json"))
    args = ap.parse_args()
    vocab, merges = train(corpus_texts(Path(args.corpus), int(args.sample_mb * 1e6)), args.vocab)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(to_hf_json(vocab, merges), ensure_ascii=False))
    tok = Tokenizer(vocab, merges)
    sample = "def fibonacci(n: int) -> int:\n    if n < 2:\n        return n\n"
    assert tok.decode(tok.encode(sample)) == sample
    print(f"vocab {len(vocab)}, merges {len(merges)}; '{sample[:28]}…' → {len(tok.encode(sample))} tokens")


if __name__ == "__main__":
    main()
