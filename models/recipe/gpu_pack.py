"""Assembles work/gpu-pack/, what the GPU training call carries, and says whether it fits the call.

Writes tokenizer.json (from the bundled model's model.gguf through `ropewalk tokenizer-json`, the
vocabulary every Ropewalk model has used) and tokenizer-sample.json (varied texts with the ids Ropewalk's
TypeScript tokenizer gives them; gpu_run.py checks HF `tokenizers` against it before tokenizing). The
corpus builder writes shard-000.jsonl.xz, heldout.jsonl.xz and keep-out-hashes.txt into the same folder.
Then prints the pack's size beside the repository's tracked files against a call's 64 MiB.

--standin MB fills a pack for a dry run: shard-000 from corpus.py's sources restricted to the CPython
standard library and a few Debian packages (about MB of text), the held-out files from the real pack
when one exists, else from that corpus run.

Usage: python3 gpu_pack.py [--pack work/gpu-pack] [--model ../small-cpu/model.gguf] [--standin MB]
"""
from __future__ import annotations

import argparse
import json
import lzma
import random
import shutil
import subprocess
import sys
from pathlib import Path

from tokenizer import Tokenizer, check_sample

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MiB = 1 << 20
CALL_LIMIT = 64 * MiB
REAL_PACK = HERE / "work" / "gpu-pack"

# Texts where tokenizers part ways: whitespace runs and Unicode spaces, contractions in both cases (the
# recipe's are case-sensitive), digits, scripts and marks, emoji sequences, special-token text (text here),
# punctuation runs of the languages the corpus holds.
EDGE_CASES = [
    "", " ", "  ", "    ", "\t", "\n", "\n\n\n", "\r\n", "\r\n\r\n  ", "\r\r\n", " \n \n", "x   \n", "trailing   ",
    "\t\t\treturn x\n", "a\u00a0b", "\u3000全角", "line\u2028sep", "next\u0085line", "\x0b\x0c", "x \x1c y",
    "  \n\t  \n", "if x:\n\n    \n    pass\n",
    "it's", "IT'S", "don't DON'T Don't", "'SELECT' FROM", "we'll We'll WE'LL", "I'd I'D", "they're THEY'RE",
    "'s", "x's'", "'ll've're'm'd't", "rock'n'roll", "O'Reilly's", "''", "'''", "'\"'",
    "1234567", "3.14159", "0x1F", "1_000_000", "١٢٣٤", "½ ¾", "x² + y³", "Ⅻ ⅻ", "2024-11-27T18:12:00Z",
    "naïve café résumé", "日本語のテキストです。", "Привет, мир!", "مرحبا بالعالم", "שלום", "한국어 텍스트",
    "हिन्दी भाषा", "ภาษาไทย", "Ελληνικά", "🦀🐍🚀", "👨‍👩‍👧‍👦 family", "🇯🇵🇫🇷", "e\u0301 vs é", "ﬁ ﬂ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\ufeffimport os", "Ω≈ç√∫˜µ≤≥÷", "∀x∈ℝ: x²≥0", "中文，标点。", "ẞ ß",
    "<|endoftext|>", "x = '<|fim_prefix|>'", "<|file_sep|>src/a.py\n", "<|repo_name|>", "<|fim_pad|>",
    "<|fim_middle|><|fim_suffix|>", "< |endoftext| >", "<|endoftext|", "<|im_start|>user", "'<|endoftext|>'.split()",
    "!!!???", "=>", "===", "!==", "/** @type {string} */", "#!/usr/bin/env node\n", "...rest", "a?.b ?? c",
    "x ??= 1", "**kwargs", "@decorator\ndef f(): ...", "`${a}${b}`", "\\n\\t\\\\", '"""docstring"""',
    r"r'\d+\s*'", 'f"{x!r:>10}"', "<div class=\"a\">&nbsp;</div>", "a<b>c", "i++;--j;", "x=>x*2",
    "# -*- coding: utf-8 -*-", "// TODO(bob): fix", "/* */", "{{}}[[]]", "~~~", "$$", "@@ -1,3 +1,4 @@",
]


def code_files() -> dict[str, list[str]]:
    """This repository's own tracked TypeScript, JavaScript and Python (readable UTF-8 text): always here, so the
    sample is reproducible."""
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    by_lang: dict[str, list[str]] = {"ts": [], "js": [], "py": []}
    for name in names:
        lang = {".ts": "ts", ".mjs": "js", ".js": "js", ".cjs": "js", ".py": "py"}.get(Path(name).suffix)
        if lang is None or "fixtures" in name:
            continue
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if text.strip():
            by_lang[lang].append(text)
    return by_lang


def corpus_texts(pack: Path) -> list[tuple[str, str]]:
    """(path, text) of the pack's held-out repositories, when there: npm and Python code written by others."""
    path = pack / "heldout.jsonl.xz"
    if not path.exists():
        return []
    with lzma.open(path, "rt") as fh:
        return [(p, t) for line in fh for p, t in json.loads(line)["files"]]


def snippet(rng: random.Random, text: str) -> str:
    """A line-aligned window of 40 to 1500 characters, or a whole small file."""
    if len(text) <= 1500 and rng.random() < 0.3:
        return text
    lines = text.splitlines(keepends=True)
    start = rng.randrange(len(lines))
    out, size, want = [], 0, rng.randint(40, 1500)
    for line in lines[start:]:
        out.append(line)
        size += len(line)
        if size >= want:
            break
    return "".join(out)


def sample_texts(pack: Path, per_language: int = 50) -> list[str]:
    rng = random.Random(0)
    texts = list(EDGE_CASES)
    for lang, files in code_files().items():
        if not files:
            sys.exit(f"no {lang} files found under {ROOT}: the sample would miss a language")
        for text in rng.sample(files, min(per_language, len(files))):
            texts.append(snippet(rng, text))
    others = corpus_texts(pack)
    for _, text in rng.sample(others, min(per_language, len(others))):
        if text.strip():
            texts.append(snippet(rng, text))
    return texts


def write_tokenizer(pack: Path, model: Path) -> dict:
    """tokenizer.json and tokenizer-sample.json through the built CLI (ids from Ropewalk's GGUF tokenizer)."""
    cli = ROOT / "dist" / "cli.js"
    if not cli.exists():
        sys.exit(f"{cli} is missing: run `npm run build` in {ROOT} first")
    texts_file = pack / "sample-texts.json"
    texts_file.write_text(json.dumps(sample_texts(pack), ensure_ascii=False))
    try:
        subprocess.run(["node", str(cli), "tokenizer-json", str(model), str(pack / "tokenizer.json"),
                        "--texts", str(texts_file), "--sample", str(pack / "tokenizer-sample.json")], check=True)
    finally:
        texts_file.unlink()
    # A third implementation: the recipe's tokenizer.py, which made the training data of every earlier model.
    return check_sample(Tokenizer.load(pack / "tokenizer.json"), pack / "tokenizer-sample.json")


def standin(pack: Path, mb: float) -> None:
    """A dry run's pack: the first `mb` MB of repositories of the real shard 000 (corpus.py's output), and its
    held-out files, so the dry run reads what the GPU run will read, only less of it."""
    real = next((p for p in (REAL_PACK / "shard-000.jsonl.xz", HERE / "work" / "shards" / "shard-000.jsonl.xz")
                 if p.exists()), None)
    if real is None or not (REAL_PACK / "heldout.jsonl.xz").exists():
        raise SystemExit(f"no corpus yet: build it first (make -C models/recipe corpus), then the stand-in pack "
                         f"takes its first {mb} MB")
    budget, kept = mb * 1e6, 0
    with lzma.open(real, "rt") as src, lzma.open(pack / "shard-000.jsonl.xz", "wt", preset=6) as fh:
        for line in src:
            r = json.loads(line)
            if r["split"] != "train":
                continue
            fh.write(line if line.endswith("\n") else line + "\n")
            kept += sum(len(t) for _, t in r["files"])
            if kept >= budget:
                break
    if pack.resolve() != REAL_PACK.resolve():
        for name in ("heldout.jsonl.xz", "keep-out-hashes.txt"):
            shutil.copy(REAL_PACK / name, pack / name)
    print(f"stand-in shard-000: {kept / 1e6:.1f} MB of {real}'s repositories; held-out files from {REAL_PACK}")


def travelling_bytes() -> int:
    """Bytes a device call sends besides carried paths: tracked files and untracked files git does not ignore."""
    names = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.split(b"\0")
    return sum((ROOT / n.decode()).stat().st_size for n in names if n and (ROOT / n.decode()).is_file())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", default=str(HERE / "work" / "gpu-pack"))
    ap.add_argument("--model", default=str(ROOT / "models" / "small-cpu" / "model.gguf"))
    ap.add_argument("--standin", type=float, metavar="MB", help="fill the pack with a small corpus for a dry run")
    args = ap.parse_args()
    pack = Path(args.pack)
    pack.mkdir(parents=True, exist_ok=True)
    if args.standin:
        if pack.resolve() == (HERE / "work" / "gpu-pack").resolve():
            sys.exit("--standin writes a dry-run pack: give it another --pack than work/gpu-pack")
        standin(pack, args.standin)
    checked = write_tokenizer(pack, Path(args.model))
    print(f"tokenizer.py agrees: {checked['texts']} texts, {checked['ids']} ids")
    tracked = travelling_bytes()
    files = sorted(p for p in pack.iterdir() if p.is_file())
    size = sum(p.stat().st_size for p in files)
    for p in files:
        print(f"  {p.name:28} {p.stat().st_size / MiB:8.2f} MiB")
    missing = [n for n in ("shard-000.jsonl.xz", "heldout.jsonl.xz", "keep-out-hashes.txt")
               if not (pack / n).exists()]
    total = tracked + size
    print(f"pack {size / MiB:.2f} MiB + repository {tracked / MiB:.2f} MiB = {total / MiB:.2f} MiB of a call's "
          f"{CALL_LIMIT / MiB:.0f} MiB ({(CALL_LIMIT - total) / MiB:+.2f} MiB left)")
    if missing:
        print(f"still missing (the corpus builder writes them): {', '.join(missing)}")
    if total > CALL_LIMIT:
        sys.exit("the pack does not fit one call: carry fewer shards in it (the rest by extra calls)")


if __name__ == "__main__":
    main()
