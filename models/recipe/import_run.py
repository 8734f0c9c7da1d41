"""Joins a GPU run's output (weights-NN.pt pieces + run-log.json) into the checkpoint train.py writes.

The GPU run (gpu_run.py) returns the model's state dict in bf16, split into `weights-NN.pt` pieces of at
most 15 MiB: each a torch.save'd dict of tensors plus `_step`, the step it was saved at; a tensor too big
for the room left in a piece (base-gpu's 16 MiB embedding) is cut along its rows into `NAME.rows{start}-{stop}`
slices; the tied head is saved once, as the embedding. And `run-log.json`.
This writes `checkpoint.pt` as train.py's save_checkpoint does — fp32 weights, the model config, the
recipe config (`run`), steps, tokens, elapsed seconds and the loss log — so export.py runs unchanged and
its card carries the run's facts. Whatever else run-log.json says (device, timings, held-out losses at
other lengths, the corpus actually used) goes along as `run_log`, and export.py puts it on the card.

run-log.json: {"config": <the recipe config, as configs/NAME.json>, "log": [{"step", "tokens",
"train_loss", "heldout_loss", …}, …], "steps": N, "tokens_seen": N, "train_minutes": M, …} (train.py's
train-log.json, whose "tokens" and "minutes" are read too, plus what the GPU run adds). The pieces' step
must be the log's: a call killed between writing the two would otherwise mix two checkpoints.

Usage: python3 import_run.py --from DIR --out work/NAME/checkpoint.pt
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from model import Decoder, ModelConfig
from weight_pieces import PiecesError, read_pieces


class RunImportError(Exception):
    pass


def loss_log(log: list) -> list[dict]:
    """The log entries export.py plots and cards: step, tokens, train_loss, heldout_loss (others kept)."""
    need = ("step", "tokens", "train_loss", "heldout_loss")
    for e in log:
        missing = [k for k in need if k not in e]
        if missing:
            raise RunImportError(f"run-log.json's log entry {e} has no {', '.join(missing)}")
    return log


def import_run(folder: Path, out: Path) -> dict:
    run_log = json.loads((folder / "run-log.json").read_text())
    conf = run_log.get("config")
    if not isinstance(conf, dict) or "model" not in conf or "name" not in conf:
        raise RunImportError("run-log.json has no config with name and model (the recipe config the run used)")
    cfg = ModelConfig.from_dict(conf["model"])
    try:
        weights, pieces_step = read_pieces(folder)
    except PiecesError as e:
        raise RunImportError(str(e)) from e
    if cfg.tie_embeddings:
        head = weights.pop("lm_head.weight", None)  # tied: the same tensor as embed.weight, if saved at all
        if head is not None and not torch.equal(head, weights.get("embed.weight", head)):
            raise RunImportError("lm_head.weight differs from embed.weight, but the config ties them")
    model = Decoder(cfg)
    state = {k: v.float() for k, v in weights.items()}
    if cfg.tie_embeddings and "embed.weight" in state:
        state["lm_head.weight"] = state["embed.weight"]
    result = model.load_state_dict(state, strict=False)
    if result.missing_keys or result.unexpected_keys:
        raise RunImportError(f"the pieces do not fit the config's Decoder: missing {result.missing_keys[:5]}, "
                             f"unexpected {result.unexpected_keys[:5]}")
    log = loss_log(run_log.get("log") or [])
    steps = run_log.get("steps", log[-1]["step"] if log else 0)
    if pieces_step is not None and pieces_step != steps:
        raise RunImportError(f"the pieces are step {pieces_step}'s, run-log.json says step {steps}")
    tokens = run_log.get("tokens_seen", run_log.get("tokens", log[-1]["tokens"] if log else 0))
    minutes = run_log.get("train_minutes", run_log.get("minutes", log[-1].get("minutes", 0) if log else 0))
    extra = {k: v for k, v in run_log.items() if k not in ("config", "log")}
    out.parent.mkdir(parents=True, exist_ok=True)
    # The data facts export.py puts on the card (tokens and bytes per split), as data.py's stats.json holds them.
    streams = run_log.get("streams") or {}
    (out.parent / "data-stats.json").write_text(json.dumps({"splits": streams.get("splits"), "fim": streams.get("fim")}))
    # train.py's save_checkpoint layout (no optimizer state: the run does not send it back).
    torch.save({"config": cfg.to_dict(), "state": model.state_dict(), "step": steps, "tokens": tokens,
                "elapsed": minutes * 60, "log": log, "run": conf, "run_log": extra}, out)
    return {"parameters": model.num_params(), "tensors": len(weights), "steps": steps, "tokens": tokens,
            "heldout_loss": log[-1]["heldout_loss"] if log else None}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--from", dest="src", required=True, help="the run's output folder (weights-NN.pt, run-log.json)")
    ap.add_argument("--out", required=True, help="checkpoint.pt to write")
    args = ap.parse_args()
    info = import_run(Path(args.src), Path(args.out))
    print(f"{args.out}: {info['parameters'] / 1e6:.2f}M parameters from {info['tensors']} tensors, "
          f"{info['steps']} steps, {info['tokens'] / 1e6:.1f}M tokens, held-out loss {info['heldout_loss']}")


if __name__ == "__main__":
    main()
