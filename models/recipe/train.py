"""Trains a decoder from a config on the token streams data.py wrote; logs losses, checkpoints as it goes.

The schedule is set by whichever budget ends first, tokens or wall-clock minutes: after a few
steps the measured speed fixes the number of steps, and the cosine decay ends on the last one.

Usage: python3 train.py --config tiny [--out work/tiny] [--resume]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from model import Decoder, ModelConfig, load_config, save_checkpoint

HERE = Path(__file__).resolve().parent


def windows(data: np.ndarray, length: int, count: int, rng: np.random.Generator) -> torch.Tensor:
    starts = rng.integers(0, len(data) - length - 1, size=count)
    return torch.from_numpy(np.stack([data[s:s + length + 1].astype(np.int64) for s in starts]))


@torch.no_grad()
def heldout_loss(model: Decoder, batches: list[torch.Tensor], device: str) -> float:
    model.eval()
    total, n = 0.0, 0
    for b in batches:
        b = b.to(device)
        with autocast(device):
            logits = model.train_forward(b[:, :-1])
        total += F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), b[:, 1:].reshape(-1),
                                 reduction="sum").item()
        n += b[:, 1:].numel()
    model.train()
    return total / n


def autocast(device: str):
    if device == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return torch.autocast("cpu", enabled=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--data", default=str(HERE / "work" / "data"))
    ap.add_argument("--out")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    conf = load_config(args.config)
    name = conf["name"]
    out = Path(args.out or HERE / "work" / name)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(conf.get("seed", 0))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    cfg = ModelConfig.from_dict(conf["model"])
    tr = conf["train"]
    model = Decoder(cfg).to(device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": tr.get("weight_decay", 0.1)},
                             {"params": no_decay, "weight_decay": 0.0}], lr=tr["lr"], betas=(0.9, 0.95))
    train_data = np.memmap(Path(args.data) / "train.bin", dtype=np.uint16, mode="r")
    held_data = np.memmap(Path(args.data) / "heldout.bin", dtype=np.uint16, mode="r")
    rng = np.random.default_rng(conf.get("seed", 0))
    held = [windows(held_data, cfg.train_len, tr["batch"], np.random.default_rng(1234 + i))
            for i in range(tr.get("eval_batches", 4))]
    step, tokens, elapsed, log = 0, 0, 0.0, []
    ckpt = out / "checkpoint.pt"
    if args.resume and ckpt.exists():
        state = torch.load(ckpt, map_location=device)
        model.load_state_dict(state["state"])
        opt.load_state_dict(state["optim"])
        step, tokens, elapsed, log = state["step"], state["tokens"], state["elapsed"], state["log"]
        rng = np.random.default_rng(conf.get("seed", 0) + step)
    tokens_per_step = tr["batch"] * cfg.train_len * tr.get("accum", 1)
    total_steps = tr.get("max_steps") or None
    warmup = tr.get("warmup_steps", 50)
    print(f"{name}: {model.num_params() / 1e6:.2f}M parameters, {len(train_data) / 1e6:.1f}M train tokens, "
          f"{tokens_per_step} tokens/step on {device}", flush=True)
    ema, t_log, t_ckpt = None, time.time(), time.time()
    t0 = time.time() - elapsed
    while True:
        if total_steps is None and step >= 10:
            rate = step / (time.time() - t0)
            by_time = int(rate * tr["max_minutes"] * 60)
            by_tokens = tr["max_tokens"] // tokens_per_step
            total_steps = max(min(by_time, by_tokens), step + 1)
            print(f"schedule: {total_steps} steps ({total_steps * tokens_per_step / 1e6:.1f}M tokens)", flush=True)
        if total_steps is not None and step >= total_steps:
            break
        horizon = total_steps or 10 ** 9
        lr = tr["lr"] * min(1.0, (step + 1) / warmup) * (
            tr.get("min_lr_ratio", 0.1) + (1 - tr.get("min_lr_ratio", 0.1)) * 0.5 *
            (1 + math.cos(math.pi * min(1.0, max(0, step - warmup) / max(1, horizon - warmup)))))
        for g in opt.param_groups:
            g["lr"] = lr
        for _ in range(tr.get("accum", 1)):
            batch = windows(train_data, cfg.train_len, tr["batch"], rng).to(device)
            with autocast(device):
                logits = model.train_forward(batch[:, :-1])
            loss = F.cross_entropy(logits.float().reshape(-1, cfg.vocab_size), batch[:, 1:].reshape(-1))
            (loss / tr.get("accum", 1)).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        tokens += tokens_per_step
        ema = loss.item() if ema is None else 0.95 * ema + 0.05 * loss.item()
        last = total_steps is not None and step >= total_steps
        if step % tr.get("eval_every", 100) == 0 or last:
            h = heldout_loss(model, held, device)
            log.append({"step": step, "tokens": tokens, "train_loss": round(ema, 4), "heldout_loss": round(h, 4),
                        "lr": lr, "minutes": round((time.time() - t0) / 60, 2)})
            print(json.dumps(log[-1]), flush=True)
        elif time.time() - t_log > 30:
            print(f"step {step}/{total_steps} loss {ema:.3f} {tokens / 1e6:.2f}M tokens "
                  f"{(time.time() - t0) / 60:.1f} min", flush=True)
            t_log = time.time()
        if time.time() - t_ckpt > tr.get("checkpoint_seconds", 300) or last:
            save_checkpoint(model, ckpt, {"optim": opt.state_dict(), "step": step, "tokens": tokens,
                                          "elapsed": time.time() - t0, "log": log, "run": conf})
            t_ckpt = time.time()
    (out / "train-log.json").write_text(json.dumps({"config": conf, "log": log, "tokens": tokens, "steps": step,
                                                    "minutes": round((time.time() - t0) / 60, 2),
                                                    "device": device, "threads": args.threads}, indent=1))
    print(f"done: {step} steps, {tokens / 1e6:.2f}M tokens, {(time.time() - t0) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
