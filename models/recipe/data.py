"""Training data: repository-level token streams with fill-in-the-middle samples.

Each repository becomes `<|repo_name|>name\n` followed by its files in dependency order, each as
`<|file_sep|>path\n` + text. About half the files are cut into segments that become FIM samples,
half of those in suffix-prefix-middle order:
  PSM  `<|file_sep|>path\n<|fim_prefix|>pre<|fim_suffix|>suf<|fim_middle|>mid<|endoftext|>`
  SPM  `<|file_sep|>path\n<|fim_suffix|>suf<|fim_prefix|>pre<|fim_middle|>mid<|endoftext|>`
The middle is a random span, or in Python files (for a share of samples) a whole syntax node —
an expression, a statement or a block — found with `ast`, the way ExecRepoBench trains.

Usage: python3 data.py [--fim-rate 0.5] [--spm-rate 0.5] [--ast-rate 0.5] [--seg-chars 2400]
Writes work/data/train.bin and heldout.bin (uint16 token ids) and stats.json.
"""
from __future__ import annotations

import argparse
import ast
import json
import random
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from tokenizer import Tokenizer

HERE = Path(__file__).resolve().parent
TOK: Tokenizer | None = None
ARGS = None


def line_offsets(text: str) -> list[int]:
    offs, pos = [0], 0
    for line in text.splitlines(keepends=True):
        pos += len(line)
        offs.append(pos)
    return offs


def syntax_spans(text: str) -> dict[str, list[tuple[int, int]]]:
    """Character spans of expressions, statements and blocks in Python source; empty if it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    lines = text.splitlines(keepends=True)
    offs = line_offsets(text)

    def char_of(lineno: int, col_bytes: int) -> int:
        line = lines[lineno - 1] if lineno - 1 < len(lines) else ""
        return offs[lineno - 1] + len(line.encode("utf-8")[:col_bytes].decode("utf-8", errors="ignore"))

    spans: dict[str, list[tuple[int, int]]] = {"expression": [], "statement": [], "block": []}
    for node in ast.walk(tree):
        if getattr(node, "end_lineno", None) is None:
            continue
        start, end = char_of(node.lineno, node.col_offset), char_of(node.end_lineno, node.end_col_offset)
        if isinstance(node, ast.expr) and not isinstance(node, (ast.Name, ast.Constant)):
            spans["expression"].append((start, end))
        elif isinstance(node, ast.stmt):
            spans["statement"].append((start, end))
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and hasattr(body[0], "lineno"):
                # A block: the whole body of a def/class/if/for/with, from its first statement's line.
                b_start = offs[body[0].lineno - 1]
                b_end = char_of(body[-1].end_lineno, body[-1].end_col_offset)
                spans["block"].append((b_start, b_end))
    return spans


def segments(text: str, seg_chars: int) -> list[tuple[int, int]]:
    """Line-aligned [start, end) pieces of at most seg_chars (a longer single line is its own piece)."""
    out, start = [], 0
    offs = line_offsets(text)
    last = 0
    for o in offs[1:]:
        if o - start > seg_chars and last > start:
            out.append((start, last))
            start = last
        last = o
    if start < len(text):
        out.append((start, len(text)))
    return out


def choose_middle(rng: random.Random, text: str, lo: int, hi: int, spans) -> tuple[int, int]:
    if spans and rng.random() < ARGS.ast_rate:
        level = rng.choice(["expression", "statement", "block"])
        inside = [(a, b) for a, b in spans.get(level, []) if lo <= a and b <= hi and 3 <= b - a <= 1024]
        if inside:
            return rng.choice(inside)
    a, b = sorted(rng.randint(lo, hi) for _ in range(2))
    return a, b


def encode_repo(repo: dict) -> tuple[list[int], dict]:
    tok = TOK
    sp = tok.special
    plain = repo["split"] == "heldout"  # held-out loss is measured on plain code
    rng = random.Random(repo["name"])
    ids = [sp["<|repo_name|>"]] + tok.encode(repo["name"] + "\n")
    stats = {"files": 0, "fim_psm": 0, "fim_spm": 0, "fim_ast": 0}
    for path, text in repo["files"]:
        stats["files"] += 1
        header = [sp["<|file_sep|>"]] + tok.encode(path + "\n")
        if plain or rng.random() >= ARGS.fim_rate:
            ids += header + tok.encode(text)
            continue
        spans = syntax_spans(text) if path.endswith(".py") else {}
        for lo, hi in segments(text, ARGS.seg_chars):
            a, b = choose_middle(rng, text, lo, hi, spans)
            if spans and (a, b) in {s for v in spans.values() for s in v}:
                stats["fim_ast"] += 1
            pre, mid, suf = tok.encode(text[lo:a]), tok.encode(text[a:b]), tok.encode(text[b:hi])
            if rng.random() < ARGS.spm_rate:
                stats["fim_spm"] += 1
                body = [sp["<|fim_suffix|>"]] + suf + [sp["<|fim_prefix|>"]] + pre
            else:
                stats["fim_psm"] += 1
                body = [sp["<|fim_prefix|>"]] + pre + [sp["<|fim_suffix|>"]] + suf
            ids += header + body + [sp["<|fim_middle|>"]] + mid + [sp["<|endoftext|>"]]
    ids.append(sp["<|endoftext|>"])
    return ids, stats


def init(tok_path: str, args) -> None:
    global TOK, ARGS
    TOK, ARGS = Tokenizer.load(tok_path), args


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(HERE / "work" / "corpus" / "repos.jsonl"))
    ap.add_argument("--tokenizer", default=str(HERE / "work" / "tokenizer.json"))
    ap.add_argument("--out", default=str(HERE / "work" / "data"))
    ap.add_argument("--fim-rate", type=float, default=0.5)
    ap.add_argument("--spm-rate", type=float, default=0.5)
    ap.add_argument("--ast-rate", type=float, default=0.5)
    ap.add_argument("--seg-chars", type=int, default=2400)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    repos = [json.loads(l) for l in open(args.corpus)]
    totals = {"train": {"tokens": 0, "bytes": 0}, "heldout": {"tokens": 0, "bytes": 0}}
    fim = {"files": 0, "fim_psm": 0, "fim_spm": 0, "fim_ast": 0}
    streams = {"train": open(out / "train.bin", "wb"), "heldout": open(out / "heldout.bin", "wb")}
    with Pool(args.workers, initializer=init, initargs=(args.tokenizer, args)) as pool:
        # imap keeps the corpus order: dependencies stay before dependents in the stream.
        for repo, (ids, stats) in zip(repos, pool.imap(encode_repo, repos, chunksize=1)):
            split = repo["split"]
            np.asarray(ids, dtype=np.uint16).tofile(streams[split])
            totals[split]["tokens"] += len(ids)
            totals[split]["bytes"] += sum(len(t) for _, t in repo["files"])
            for k in fim:
                fim[k] += stats[k]
    for f in streams.values():
        f.close()
    stats = {"splits": totals, "fim": fim, "args": vars(args)}
    (out / "stats.json").write_text(json.dumps(stats, indent=1))
    print(json.dumps(stats["splits"]), json.dumps(fim))


if __name__ == "__main__":
    main()
