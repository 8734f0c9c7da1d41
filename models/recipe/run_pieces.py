"""Writes weights as a GPU run returns them, for dry runs of `make import` and a check of import_run.py.

The run's output format, written by the run's own writer (weight_pieces.py): the state dict in bf16 as
`weights-NN.pt` files of at most --piece-mib MiB, each with `_step` (a bigger tensor cut along its rows into
`NAME.rows{start}-{stop}` slices), and `run-log.json`. The weights
come from a committed model.gguf (trained weights: tiny's, small-cpu's), a checkpoint, or a seeded random
initialisation of a config (--random base-gpu). With --check, import_run.py joins the pieces again and
every weight must equal the bf16-rounded original exactly.

Usage: python3 run_pieces.py (--gguf ../tiny/model.gguf | --checkpoint FILE | --random CONFIG)
                             --out DIR [--piece-mib 15] [--check]
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import torch

from model import Decoder, ModelConfig, load_checkpoint, load_config
from weight_pieces import bf16_state, write_pieces

MIB = 1 << 20


def source(args) -> tuple[Decoder, dict]:
    """The model and what its run-log.json says: the recipe config, a loss log, tokens, steps, minutes."""
    if args.gguf:
        from gguf_reader import decoder_from_gguf

        model, card = decoder_from_gguf(args.gguf)
        recipe = card.get("recipe") or {"name": Path(args.gguf).parent.name, "model": model.cfg.to_dict()}
        recipe = {**recipe, "model": model.cfg.to_dict()}
        log = [{"step": card.get("steps", 0), "tokens": card.get("tokensSeen", 0), "train_loss": card.get("heldoutLoss"),
                "heldout_loss": card.get("heldoutLoss"), "minutes": card.get("trainMinutes", 0)}]
        return model, {"config": recipe, "log": log if card.get("heldoutLoss") is not None else [],
                       "tokens_seen": card.get("tokensSeen", 0), "steps": card.get("steps", 0),
                       "train_minutes": card.get("trainMinutes", 0), "dryRun": f"weights of {args.gguf}"}
    if args.checkpoint:
        model, state = load_checkpoint(Path(args.checkpoint))
        return model, {"config": state["run"], "log": state["log"], "tokens_seen": state["tokens"],
                       "steps": state["step"], "train_minutes": state["elapsed"] / 60,
                       "dryRun": f"weights of {args.checkpoint}"}
    conf = load_config(args.random)
    torch.manual_seed(conf.get("seed", 0) if args.seed is None else args.seed)
    model = Decoder(ModelConfig.from_dict(conf["model"])).eval()
    # Norm weights drawn around 1 rather than all ones: torch.onnx.export merges identical initializers,
    # and export-gguf cannot tell which norm a merged one was (trained norms are never equal).
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.mul_(1 + 0.1 * torch.randn_like(p))
    return model, {"config": conf, "log": [], "tokens_seen": 0, "steps": 0, "train_minutes": 0,
                   "dryRun": f"random initialisation of {conf['name']}"}


def main() -> None:
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--gguf")
    g.add_argument("--checkpoint")
    g.add_argument("--random", help="a config name or file: its shape, seeded random weights")
    ap.add_argument("--seed", type=int, help="with --random: the seed (default: the config's)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--piece-mib", type=float, default=15)
    ap.add_argument("--check", action="store_true", help="join the pieces with import_run.py and compare")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model, run_log = source(args)
    # The GPU run's own writer: bf16, the tied head saved once, tensors cut into row slices to fit a piece.
    n = len(write_pieces(bf16_state(model), out, run_log["steps"], int(args.piece_mib * MIB)))
    (out / "run-log.json").write_text(json.dumps(run_log, indent=1) + "\n")
    print(f"{out}: {n} pieces of ≤ {args.piece_mib} MiB, {model.num_params() / 1e6:.2f}M parameters")
    if args.check:
        from import_run import import_run

        with tempfile.TemporaryDirectory() as tmp:
            ckpt = Path(tmp) / "checkpoint.pt"
            import_run(out, ckpt)
            back, data = load_checkpoint(ckpt)
        for name, t in model.state_dict().items():
            want = t.to(torch.bfloat16).float()
            got = back.state_dict()[name]
            assert got.dtype == torch.float32 and torch.equal(got, want), name
        assert back.lm_head.weight is back.embed.weight or not model.cfg.tie_embeddings
        assert data["tokens"] == run_log["tokens_seen"] and data["run"] == run_log["config"]
        print(f"check: import_run.py gives back all {len(model.state_dict())} tensors, bf16-rounded, exactly")


if __name__ == "__main__":
    main()
