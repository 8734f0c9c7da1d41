"""Trains a decoder from a config on the token streams data.py wrote; logs losses, checkpoints as it goes.

The schedule (warm-up, then cosine decay) follows whichever budget runs out first, tokens or wall-clock
time: its progress is the larger of tokens seen / max_tokens and time spent / the time allowed, so it
ends on the last step whatever the speed turns out to be. The loop (`train_loop`) is shared with
gpu_run.py, which adds a deadline, bf16 autocast, torch.compile and fused AdamW where PyTorch has them.

Usage: python3 train.py --config tiny [--out work/tiny] [--resume]
"""
from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from model import Decoder, ModelConfig, load_config, save_checkpoint

HERE = Path(__file__).resolve().parent


class TrainingDivergedError(Exception):
    """The training loss became NaN or infinite: stopping keeps the last good checkpoint."""


def windows(data: np.ndarray, length: int, count: int, rng: np.random.Generator) -> torch.Tensor:
    starts = rng.integers(0, len(data) - length - 1, size=count)
    return torch.from_numpy(np.stack([data[s:s + length + 1].astype(np.int64) for s in starts]))


def heldout_batches(data: np.ndarray, length: int, batch: int, count: int) -> list[torch.Tensor]:
    """The evaluation windows: fixed seeds 1234 + i, so every run (and heldout_eval.py) scores the same tokens."""
    return [windows(data, length, batch, np.random.default_rng(1234 + i)) for i in range(count)]


def autocast(device: str, bf16: bool = True):
    if device == "cuda" and bf16:
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return torch.autocast("cpu", enabled=False)


@torch.no_grad()
def heldout_loss(model: Decoder, batches: list[torch.Tensor], device: str, bf16: bool = True) -> float:
    model.eval()
    total, n = 0.0, 0
    for b in batches:
        b = b.to(device)
        with autocast(device, bf16):
            logits = model.train_forward(b[:, :-1])
        total += F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), b[:, 1:].reshape(-1),
                                 reduction="sum").item()
        n += b[:, 1:].numel()
    model.train()
    return total / n


def torch_features(device: str, tr: dict) -> dict[str, dict]:
    """What this PyTorch offers for training speed, and whether the run uses it (a config can say no).

    Detected, never assumed: Debian's PyTorch 1.13 (the CPU machines) has no torch.compile, no fused AdamW
    and no scaled_dot_product_attention, and bf16 autocast on a CPU would be emulated, slower than fp32.
    """
    cuda = device == "cuda"
    sdpa = hasattr(F, "scaled_dot_product_attention")
    compile_ok = hasattr(torch, "compile")
    fused_ok = "fused" in inspect.signature(torch.optim.AdamW).parameters
    bf16_ok = cuda and torch.cuda.is_bf16_supported()

    def feature(available: bool, wanted: bool, why_not: str) -> dict:
        used = available and wanted
        note = "" if used else (why_not if not available else "turned off in the config")
        return {"available": available, "used": used, **({"note": note} if note else {})}

    version = torch.__version__
    return {
        "torch": {"version": version, "cuda": torch.version.cuda, "device": device,
                  "gpu": torch.cuda.get_device_name(0) if cuda else None},
        "sdpa": feature(sdpa, True, f"torch {version} has no F.scaled_dot_product_attention: "
                        "model.py computes attention with an explicit mask"),
        "compile": feature(compile_ok and cuda, tr.get("compile", True),
                           f"torch {version} has no torch.compile" if not compile_ok
                           else "not used on the CPU (the dry run measures the loop, not kernels)"),
        "fused_adamw": feature(fused_ok and cuda, tr.get("fused_adamw", True),
                               f"torch {version}'s AdamW has no fused= option" if not fused_ok
                               else "fused AdamW is used on CUDA only"),
        "bf16_autocast": feature(bf16_ok, tr.get("bf16", True),
                                 "this GPU has no bf16" if cuda else
                                 "not on the CPU: bf16 matrix products there are emulated; fp32 instead"),
        "tf32_matmul": feature(cuda, True, "CUDA only"),
    }


def make_optimizer(model: Decoder, tr: dict, fused: bool) -> torch.optim.Optimizer:
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": tr.get("weight_decay", 0.1)},
              {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=tr["lr"], betas=(0.9, 0.95), **({"fused": True} if fused else {}))


def lr_at(tr: dict, step: int, progress: float) -> float:
    """Linear warm-up over warmup_steps, then cosine from lr to min_lr_ratio·lr as progress goes 0 → 1."""
    floor = tr.get("min_lr_ratio", 0.1)
    warm = min(1.0, (step + 1) / tr.get("warmup_steps", 50))
    return tr["lr"] * warm * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def train_loop(model: Decoder, opt: torch.optim.Optimizer, train_data: np.ndarray,
               evals: dict[str, list[torch.Tensor]], tr: dict, device: str, state: dict, *,
               features: dict, deadline: float | None = None,
               on_checkpoint: Callable[[dict], None] = lambda state: None) -> dict:
    """Trains until the token budget, tr["max_minutes"] of training or `deadline` (time.time()) runs out.

    state: {"step", "tokens", "elapsed" (training seconds before this call), "log"} — updated and returned.
    evals: name → held-out batches; each is scored every eval_every steps (or eval_seconds) and at the end,
    and logged under its name. on_checkpoint(state) runs every checkpoint_seconds and at the end; it never
    runs on a diverged loss, so the last good checkpoint stays.
    """
    cfg = model.cfg
    length, accum, batch = cfg.train_len, tr.get("accum", 1), tr["batch"]
    tokens_per_step = batch * length * accum
    max_tokens = tr.get("max_tokens")
    max_seconds = tr["max_minutes"] * 60 if tr.get("max_minutes") else None
    bf16 = features["bf16_autocast"]["used"]
    rope = model.train_rope(length, device)

    def loss_of(b: torch.Tensor) -> torch.Tensor:  # b [batch, length + 1] token ids on the device
        with autocast(device, bf16):
            logits = model.train_forward(b[:, :-1], rope)
        return F.cross_entropy(logits.float().reshape(-1, cfg.vocab_size), b[:, 1:].reshape(-1))

    step_loss = torch.compile(loss_of) if features["compile"]["used"] else loss_of
    pin = device == "cuda"
    rng = np.random.default_rng(tr.get("seed", 0) + state["step"])
    e0 = state["elapsed"]
    t_call = time.time()
    t_first = end = None  # set after the first step (which holds torch.compile's work)
    ema, pending = state.get("ema"), []
    t_log = t_eval = t_ckpt = time.time()
    eval_every, eval_seconds = tr.get("eval_every", 100), tr.get("eval_seconds")
    print(f"{model.num_params() / 1e6:.2f}M parameters, {len(train_data) / 1e6:.1f}M train tokens, "
          f"{tokens_per_step} tokens/step on {device}" + (f", {max_tokens / 1e6:.0f}M tokens at most" if max_tokens
                                                          else ""), flush=True)

    def progress() -> float:
        by_tokens = state["tokens"] / max_tokens if max_tokens else 0.0
        if t_first is None:  # before this call's first step: the time a resumed run already spent
            return max(by_tokens, e0 / max_seconds if max_seconds else 0.0)
        by_time = (e0 + time.time() - t_first) / max(1e-9, e0 + end - t_first)
        return max(by_tokens, by_time)

    def read_losses() -> None:
        nonlocal ema, pending
        if pending:
            for v in torch.stack(pending).tolist():  # one device sync per read, not one per step
                ema = v if ema is None else 0.95 * ema + 0.05 * v
            pending = []
        state["ema"] = ema

    def evaluate(lr: float) -> None:
        read_losses()
        entry = {"step": state["step"], "tokens": state["tokens"], "train_loss": round(ema, 4)}
        for name, batches in evals.items():
            entry[name] = round(heldout_loss(model, batches, device, bf16), 4)
        entry.update(lr=lr, minutes=round((e0 + time.time() - t_call) / 60, 2))
        state["log"].append(entry)
        print(json.dumps(entry), flush=True)

    done = progress() >= 1.0
    while not done:
        step = state["step"]
        lr = lr_at(tr, step, progress())
        for g in opt.param_groups:
            g["lr"] = lr
        for attempt in (0, 1):
            try:
                for _ in range(accum):
                    b = windows(train_data, length, batch, rng)
                    b = (b.pin_memory() if pin else b).to(device, non_blocking=pin)
                    loss = step_loss(b)
                    (loss / accum).backward()
                    pending.append(loss.detach())
                break
            except Exception as e:  # torch.compile failing on the machine (both passes compile in step 1)
                if attempt or t_first is not None or step_loss is loss_of:
                    raise
                why = f"{type(e).__name__}: {str(e)[:300]}"
                print(f"torch.compile failed ({why}); training eagerly", flush=True)
                features["compile"].update(used=False, note=f"failed: {why}")
                step_loss, pending = loss_of, []
                opt.zero_grad(set_to_none=True)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        state["step"] += 1
        state["tokens"] += tokens_per_step
        if t_first is None:
            if device == "cuda":
                torch.cuda.synchronize()
            t_first = time.time()
            limits = [t for t in (deadline, t_first + max_seconds - e0 if max_seconds else None) if t]
            end = min(limits) if limits else float("inf")
            print(f"first step done in {t_first - t_call:.1f} s (compile: {features['compile']['used']}); "
                  f"schedule ends in {end - t_first:.0f} s", flush=True)
        done = progress() >= 1.0  # one reading: the last step is evaluated and checkpointed
        now = time.time()
        if state["step"] % eval_every == 0 or (eval_seconds and now - t_eval > eval_seconds) or done:
            evaluate(lr)
            t_eval = t_log = time.time()
        elif now - t_log > 30:
            read_losses()
            print(f"step {state['step']} loss {ema:.3f} {state['tokens'] / 1e6:.2f}M tokens lr {lr:.2e} "
                  f"{(e0 + now - t_call) / 60:.1f} min, progress {progress():.3f}", flush=True)
            t_log = now
        if now - t_ckpt > tr.get("checkpoint_seconds", 300) or done:
            read_losses()
            if not math.isfinite(ema):
                raise TrainingDivergedError(f"training loss {ema} at step {state['step']}")
            state["elapsed"] = e0 + time.time() - t_call
            on_checkpoint(state)
            t_ckpt = time.time()
    state["elapsed"] = e0 + time.time() - t_call
    return state


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
    tr = {"seed": conf.get("seed", 0), **conf["train"]}
    features = torch_features(device, tr)
    model = Decoder(cfg).to(device)
    opt = make_optimizer(model, tr, features["fused_adamw"]["used"])
    train_data = np.memmap(Path(args.data) / "train.bin", dtype=np.uint16, mode="r")
    held_data = np.memmap(Path(args.data) / "heldout.bin", dtype=np.uint16, mode="r")
    evals = {"heldout_loss": heldout_batches(held_data, cfg.train_len, tr["batch"], tr.get("eval_batches", 4))}
    state = {"step": 0, "tokens": 0, "elapsed": 0.0, "log": []}
    ckpt = out / "checkpoint.pt"
    if args.resume and ckpt.exists():
        saved = torch.load(ckpt, map_location=device)
        model.load_state_dict(saved["state"])
        opt.load_state_dict(saved["optim"])
        state = {k: saved[k] for k in ("step", "tokens", "elapsed", "log")}

    def checkpoint(s: dict) -> None:
        save_checkpoint(model, ckpt, {"optim": opt.state_dict(), "step": s["step"], "tokens": s["tokens"],
                                      "elapsed": s["elapsed"], "log": s["log"], "run": conf})

    state = train_loop(model, opt, train_data, evals, tr, device, state, features=features,
                       on_checkpoint=checkpoint)
    (out / "train-log.json").write_text(json.dumps({"config": conf, "log": state["log"], "tokens": state["tokens"],
                                                    "steps": state["step"],
                                                    "minutes": round(state["elapsed"] / 60, 2),
                                                    "device": device, "threads": args.threads,
                                                    "features": features}, indent=1))
    print(f"done: {state['step']} steps, {state['tokens'] / 1e6:.2f}M tokens, {state['elapsed'] / 60:.1f} min",
          flush=True)


if __name__ == "__main__":
    main()
