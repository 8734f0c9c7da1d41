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
import time
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from tokenizer import Encoder, load_encoder

HERE = Path(__file__).resolve().parent
TOK: Encoder | None = None
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
    """A repository's tokens. A part made by split_repos (`part` k > 0) continues its repository: no header,
    its own seed; only the `last` part ends with <|endoftext|>."""
    tok = TOK
    sp = tok.special
    plain = repo["split"] == "heldout"  # held-out loss is measured on plain code
    part = repo.get("part", 0)
    rng = random.Random(repo["name"] if part == 0 else f"{repo['name']}#{part}")
    ids = [sp["<|repo_name|>"]] + tok.encode(repo["name"] + "\n") if part == 0 else []
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
    if repo.get("last", True):
        ids.append(sp["<|endoftext|>"])
    return ids, stats


def split_repos(repos: list[dict], max_bytes: int) -> list[dict]:
    """Training repositories over max_bytes cut into consecutive parts of whole files, so that the workers
    finish together instead of waiting on one big repository (a 60 MB distribution is half a minute on one
    core); the parts follow each other in the stream under one header. Held-out ones are never cut: their
    stream must stay the one heldout.bin holds."""
    out = []
    for repo in repos:
        if repo["split"] == "heldout" or sum(len(t) for _, t in repo["files"]) <= max_bytes:
            out.append(repo)
            continue
        parts, size = [[]], 0
        for f in repo["files"]:
            if size > 0 and size + len(f[1]) > max_bytes:
                parts.append([])
                size = 0
            parts[-1].append(f)
            size += len(f[1])
        out += [{**repo, "files": files, "part": k, "last": k == len(parts) - 1} for k, files in enumerate(parts)]
    return out


def init(tok_path: str, args, backend: str = "recipe") -> None:
    global TOK, ARGS
    TOK, ARGS = load_encoder(tok_path, backend), args


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(HERE / "work" / "corpus" / "repos.jsonl"))
    ap.add_argument("--tokenizer", default=str(HERE / "work" / "tokenizer.json"))
    ap.add_argument("--out", default=str(HERE / "work" / "data"))
    ap.add_argument("--fim-rate", type=float, default=0.5)
    ap.add_argument("--spm-rate", type=float, default=0.5)
    ap.add_argument("--ast-rate", type=float, default=0.5)
    ap.add_argument("--seg-chars", type=int, default=2400)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--backend", choices=["recipe", "hf", "auto"], default="recipe",
                    help="tokenizer.py's encoder, HF tokenizers (same ids, checked), or HF when installed")
    return ap


# The repositories build_streams encodes: set before the pool forks, so workers read them without pickling.
REPOS: list[dict] = []


def _encode_at(i: int) -> tuple[int, np.ndarray, dict]:
    t = time.process_time()
    ids, stats = encode_repo(REPOS[i])
    return i, np.asarray(ids, dtype=np.uint16), {**stats, "cpu_seconds": time.process_time() - t}


def build_streams(repos: list[dict], tok_path: str, args, workers: int,
                  backend: str = "recipe") -> tuple[dict[str, np.ndarray], dict]:
    """The train and held-out token streams of `repos`, in corpus order (uint16 arrays), and their stats.

    Each repository is encoded by one worker (its FIM choices are seeded by its name, so the order of work
    changes nothing), biggest first so that one big repository does not finish alone at the end; the
    results are put back in corpus order, so dependencies stay before dependents in the stream and the
    held-out stream is the same whichever other repositories come along.
    """
    global REPOS
    REPOS = repos
    parts: dict[str, list[np.ndarray]] = {"train": [], "heldout": []}
    totals = {"train": {"tokens": 0, "bytes": 0, "repos": 0}, "heldout": {"tokens": 0, "bytes": 0, "repos": 0}}
    fim = {"files": 0, "fim_psm": 0, "fim_spm": 0, "fim_ast": 0}
    cpu = 0.0
    # fork: the workers see REPOS as it is now; vocabularies are loaded once per worker.
    ctx = get_context("fork")
    sizes = [sum(len(t) for _, t in r["files"]) for r in repos]
    done: list[tuple[np.ndarray, dict] | None] = [None] * len(repos)
    with ctx.Pool(workers, initializer=init, initargs=(tok_path, args, backend)) as pool:
        for i, ids, stats in pool.imap_unordered(_encode_at, sorted(range(len(repos)), key=lambda i: -sizes[i])):
            done[i] = (ids, stats)
    for repo, (ids, stats) in zip(repos, done):
        split = repo["split"]
        parts[split].append(ids)
        totals[split]["tokens"] += len(ids)
        totals[split]["bytes"] += sum(len(t) for _, t in repo["files"])
        totals[split]["repos"] += repo.get("part", 0) == 0
        for k in fim:
            fim[k] += stats[k]
        cpu += stats["cpu_seconds"]
    REPOS = []
    streams = {k: np.concatenate(v) if v else np.zeros(0, np.uint16) for k, v in parts.items()}
    return streams, {"splits": totals, "fim": fim, "worker_cpu_seconds": round(cpu, 2)}


def main() -> None:
    args = parser().parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    repos = [json.loads(l) for l in open(args.corpus)]
    streams, stats = build_streams(repos, args.tokenizer, args, args.workers, args.backend)
    for split, ids in streams.items():
        ids.tofile(out / f"{split}.bin")
    stats["args"] = vars(args)
    (out / "stats.json").write_text(json.dumps(stats, indent=1))
    print(json.dumps(stats["splits"]), json.dumps(stats["fim"]))


if __name__ == "__main__":
    main()
