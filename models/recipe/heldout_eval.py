"""Held-out loss of a committed model.gguf, measured the way train.py measured it while training.

The held-out stream is built as data.py builds heldout.bin (held-out repositories in corpus order, plain
code, no FIM: `<|repo_name|>name\n<|file_sep|>path\ntext…<|endoftext|>`), tokenized with the file's own
vocabulary, and the loss is the mean next-token cross-entropy over train.py's windows: `eval_batches`
batches of `batch` windows of `--len` tokens, batch i drawn with numpy's default_rng(1234 + i).
Batch size and count default to the card's recipe, so the figure is comparable with the card's.

Usage: python3 heldout_eval.py --gguf ../small-cpu/model.gguf --heldout-jsonl work/corpus-heldout.jsonl \
         [--len 1024] [--batch 8] [--batches 4] [--more-batches 64] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

import data
from gguf_reader import decoder_from_gguf, tokenizer_from_gguf
from train import windows


def heldout_stream(repos: list[dict], tok) -> np.ndarray:
    """data.py's heldout.bin for these repositories: encode_repo on each held-out one, in file order."""
    data.TOK = tok
    ids: list[int] = []
    for repo in repos:
        if repo["split"] != "heldout":
            continue
        repo_ids, _ = data.encode_repo(repo)
        ids += repo_ids
    return np.asarray(ids, dtype=np.uint16)


@torch.no_grad()
def window_losses(model, batches: list[torch.Tensor]) -> np.ndarray:
    """Mean loss of each window ([batches·batch]); their mean over equal-length windows is train.py's figure."""
    out = []
    for b in batches:
        logits = model.train_forward(b[:, :-1])
        loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), b[:, 1:].reshape(-1), reduction="none")
        out.append(loss.view(b.shape[0], -1).mean(-1).numpy())
    return np.concatenate(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--heldout-jsonl", required=True, help="held-out repositories, corpus.py's repos.jsonl schema")
    ap.add_argument("--len", type=int, default=None, help="window length (default: the card's training length)")
    ap.add_argument("--batch", type=int, default=None, help="windows per batch (default: the card's recipe)")
    ap.add_argument("--batches", type=int, default=None, help="batches, seeds 1234+i (default: the card's recipe)")
    ap.add_argument("--more-batches", type=int, default=0,
                    help="also report the loss over this many batches (seeds 1234..), a lower-variance figure")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="write the figures here as JSON")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.time()
    model, card = decoder_from_gguf(args.gguf)
    tok = tokenizer_from_gguf(args.gguf)
    train_conf = card.get("recipe", {}).get("train", {})
    length = args.len or model.cfg.train_len
    batch = args.batch or train_conf.get("batch", 8)
    n_batches = args.batches or train_conf.get("eval_batches", 4)
    repos = [json.loads(line) for line in open(args.heldout_jsonl)]
    stream = heldout_stream(repos, tok)
    held = [r for r in repos if r["split"] == "heldout"]
    chars = sum(len(t) for r in held for _, t in r["files"])
    print(f"held-out stream: {len(held)} repositories, {sum(len(r['files']) for r in held)} files, "
          f"{chars} characters → {len(stream)} tokens ({time.time() - t0:.0f} s)", flush=True)
    expected = (card.get("data") or {}).get("heldout")
    if expected:
        print(f"  the card's held-out data: {expected['tokens']} tokens, {expected['bytes']} characters")

    def losses(seeds: range) -> np.ndarray:
        return window_losses(model, [windows(stream, length, batch, np.random.default_rng(s)) for s in seeds])

    first = losses(range(1234, 1234 + n_batches))  # train.py's batches: printed before any more are drawn
    main_loss = float(first.mean())
    result = {"gguf": args.gguf, "len": length, "batch": batch, "batches": n_batches, "tokens": int(len(stream)),
              "characters": chars, "loss": round(main_loss, 4), "cardLoss": card.get("heldoutLoss")}
    print(f"held-out loss {main_loss:.4f} nats/token over {n_batches}×{batch} windows of {length} "
          f"(seeds 1234..{1234 + n_batches - 1}; windows {first.min():.2f}–{first.max():.2f}); "
          f"the card says {card.get('heldoutLoss')} ({time.time() - t0:.0f} s)", flush=True)
    if args.more_batches > n_batches:
        w = np.concatenate([first, losses(range(1234 + n_batches, 1234 + args.more_batches))])
        se = float(w.std(ddof=1) / np.sqrt(len(w)))
        result.update({"moreBatches": args.more_batches, "moreLoss": round(float(w.mean()), 4), "moreStdErr": round(se, 4)})
        print(f"over {args.more_batches}×{batch} windows: {w.mean():.4f} ± {se:.4f} (standard error)")
    result["seconds"] = round(time.time() - t0, 1)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
