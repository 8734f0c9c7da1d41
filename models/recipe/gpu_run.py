"""The GPU session's training call: from the carried pack to bf16 weights in $OUT, inside one time budget.

  1. unpack      every shard-*.jsonl.xz in the pack and in --shards-dir (shard 000 alone suffices)
  2. site-pkgs   the machine's own installed Python distributions (site_packages.py), deduplicated against
                 the shards and keep-out-hashes.txt; only their manifest leaves the machine
  3. tokenizer   HF `tokenizers` and the recipe's tokenizer.py from tokenizer.json, each checked id for id
                 against tokenizer-sample.json (the ids Ropewalk's tokenizer gives) and timed; the faster
                 one tokenizes (tokenizer.py alone where `tokenizers` is missing)
  4. streams     data.py's repository streams (FIM, AST middles) on every core into uint16 arrays; the
                 held-out stream from heldout.jsonl.xz exactly as data.py builds heldout.bin
  5. train       train.py's loop: bf16 autocast, torch.compile, fused AdamW, SDPA where PyTorch has them;
                 the schedule ends at the deadline (budget − time spent − a reserve for the end); held-out
                 loss at the training length and at 1024 tokens on small-cpu's windows (the old model's 5.60)
  6. checkpoint  every checkpoint_seconds into --out: weights-NN.pt (bf16, ≤ 15 MiB each) and run-log.json,
                 written atomically, so a call killed at its limit still hands back the last one

Usage (models/recipe/gpu-run.sh runs it on the device machine):
  python3 models/recipe/gpu_run.py --pack models/recipe/work/gpu-pack --shards-dir /tmp/ropewalk-shards \\
      --config base-gpu --out $OUT --budget-minutes 8.5
Dry run on a CPU (models/README.md): --config gpu-dryrun --site-packages /usr/lib/python3/dist-packages
  --site-packages-max-mb 8 --budget-minutes 2
"""
from __future__ import annotations

import time

T_START = time.time()  # before the imports: PyTorch alone takes seconds to load

import argparse
import json
import lzma
import os
import platform
import sys
import traceback
from multiprocessing import get_context
from pathlib import Path

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # parallel by processes; no Rust threads per worker
# torch.cuda.is_available() through NVML: asking before the preparation's worker pools fork leaves the CUDA
# driver uninitialised in the parent until training starts.
os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")

import numpy as np
import torch

import data
import site_packages
from corpus import content_hash
from model import Decoder, ModelConfig, load_config
from tokenizer import TokenizerMismatchError, check_sample, load_encoder
from train import heldout_batches, heldout_loss, make_optimizer, torch_features, train_loop
from weight_pieces import bf16_state, plan_pieces, write_pieces

HERE = Path(__file__).resolve().parent
MiB = 1 << 20
# What a device call hands back: at most 8 files of 16 MiB, 64 MiB in all (models/README.md).
MAX_FILES, MAX_PIECE, MAX_BACK = 8, 15 * MiB, 60 * MiB
# Besides the pieces: run-log.json, stdout.log, and one .tmp while a piece is being written.
OTHER_FILES = 3


class PackError(Exception):
    """The pack folder lacks what the run needs, or holds something that would make the run wrong."""


class RunLog:
    """run-log.json in --out, rewritten atomically whenever something is learned, so that a call killed at its
    limit still says how far it got."""

    def __init__(self, out: Path, started: float):
        self.path, self.started = out / "run-log.json", started
        self.data: dict = {"status": "starting", "timings": {}}

    def minutes(self) -> float:
        return round((time.time() - self.started) / 60, 3)

    def step(self, name: str, seconds: float, **facts) -> None:
        self.data["timings"][name] = {"seconds": round(seconds, 2), **facts}
        shown = ", ".join(f"{k} {v}" for k, v in facts.items() if not isinstance(v, (dict, list)))
        print(f"[{self.minutes():6.2f} min] {name}: {seconds:.1f} s" + (f" ({shown})" if shown else ""), flush=True)
        self.write()

    def write(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.data, indent=1))
        os.replace(tmp, self.path)


def throughput(mb: float, seconds: float, workers: int, cpu_seconds: float | None = None) -> dict:
    """MB per wall second, per worker, and per CPU second the workers spent: on a shared machine the last is
    the figure that carries over to another machine's cores."""
    out = {"mb": round(mb, 2), "workers": workers, "mb_per_s": round(mb / max(seconds, 1e-9), 2),
           "mb_per_s_per_core": round(mb / max(seconds, 1e-9) / workers, 3)}
    if cpu_seconds is not None:
        out.update(cpu_seconds=round(cpu_seconds, 2), mb_per_cpu_s=round(mb / max(cpu_seconds, 1e-9), 3))
    return out


# --- 1. unpack -----------------------------------------------------------------------------------

def find_shards(pack: Path, shards_dir: Path | None) -> list[Path]:
    """shard-*.jsonl.xz in the pack, then in shards_dir, once per file name, in name order."""
    found: dict[str, Path] = {}
    for folder in (pack, shards_dir):
        if folder and folder.is_dir():
            for p in sorted(folder.glob("shard-*.jsonl.xz")):
                found.setdefault(p.name, p)
    return [found[n] for n in sorted(found)]


def decompress(path: str) -> bytes:
    with lzma.open(path) as fh:
        return fh.read()


def _decompress_timed(path: str) -> tuple[bytes, float]:
    t = time.process_time()
    raw = decompress(path)
    return raw, time.process_time() - t


REPOS: list[dict] = []  # set before a pool forks


def _hash_repo(i: int) -> tuple[list[str], float]:
    t = time.process_time()
    return [content_hash(text) for _, text in REPOS[i]["files"]], time.process_time() - t


def read_jsonl(raw: bytes) -> list[dict]:
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


def unpack(pack: Path, shards_dir: Path | None, keep_out: set[str], workers: int, log: RunLog
           ) -> tuple[list[dict], set[str], dict]:
    """The shards' training repositories (held-out or keep-out files removed) and their files' content hashes."""
    global REPOS
    t = time.time()
    shards = find_shards(pack, shards_dir)
    if not shards or shards[0].name != "shard-000.jsonl.xz":
        raise PackError(f"no shard-000.jsonl.xz in {pack} (found {[p.name for p in shards]})")
    ctx = get_context("fork")
    with ctx.Pool(min(len(shards), workers)) as pool:
        raws, xz_cpu = zip(*pool.map(_decompress_timed, [str(p) for p in shards]))
    t_xz = time.time() - t
    facts, repos = [], []
    json_cpu = time.process_time()
    for path, raw in zip(shards, raws):
        rs = read_jsonl(raw)
        facts.append({"file": path.name, "from": str(path.parent), "compressed_bytes": path.stat().st_size,
                      "text_bytes": sum(len(x) for r in rs for _, x in r["files"]), "repos": len(rs),
                      "files": sum(len(r["files"]) for r in rs)})
        repos += rs
    del raws
    t_json, json_cpu = time.time() - t - t_xz, time.process_time() - json_cpu
    REPOS = repos
    t_hash = time.time()
    with ctx.Pool(workers) as pool:
        hashes, hash_cpu = zip(*pool.map(_hash_repo, range(len(repos)), chunksize=4)) if repos else ((), ())
    t_hash = time.time() - t_hash
    REPOS = []
    seen, train, dropped = set(), [], {"heldout-repo-in-shard": 0, "keep-out-file": 0, "duplicate-across-shards": 0}
    for repo, keys in zip(repos, hashes):
        if repo.get("split", "train") != "train":
            dropped["heldout-repo-in-shard"] += 1
            continue
        files = []
        for f, key in zip(repo["files"], keys):
            if key in keep_out:
                dropped["keep-out-file"] += 1
            elif key in seen:
                dropped["duplicate-across-shards"] += 1
            else:
                seen.add(key)
                files.append(f)
        if files:
            train.append({**repo, "files": files})
    mb = sum(f["text_bytes"] for f in facts) / 1e6
    log.data["corpus"] = {"shards": facts, "dropped": dropped, "train_repos": len(train)}
    log.step("unpack", time.time() - t, shards=len(shards), repos=len(train), **throughput(mb, time.time() - t, workers),
             xz=throughput(mb, t_xz, min(len(shards), workers), sum(xz_cpu)),
             json=throughput(mb, t_json, 1, json_cpu), hash=throughput(mb, t_hash, workers, sum(hash_cpu)))
    return train, seen, dropped


def read_heldout(pack: Path) -> list[dict]:
    path = pack / "heldout.jsonl.xz"
    if not path.exists():
        raise PackError(f"no heldout.jsonl.xz in {pack}: without it there is no held-out loss to compare")
    repos = read_jsonl(decompress(str(path)))
    return [{**r, "split": "heldout"} for r in repos]


def read_keep_out(pack: Path) -> set[str]:
    path = pack / "keep-out-hashes.txt"
    if not path.exists():
        raise PackError(f"no keep-out-hashes.txt in {pack}: the run could train on held-out or benchmark files")
    return {line.split()[0] for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")}


# --- 3. tokenizer ---------------------------------------------------------------------------------

def measure_texts(repos: list[dict], mb: float) -> list[str]:
    """Whole files from across the corpus, about mb of them."""
    texts, size = [], 0
    for repo in repos[::max(1, len(repos) // 50)]:
        for _, text in repo["files"][:20]:
            texts.append(text)
            size += len(text.encode())
            if size > mb * 1e6:
                return texts
    return texts


def check_tokenizer(pack: Path, backend: str, repos: list[dict], measure_mb: float, log: RunLog) -> str:
    """Loads the encoders, checks each against the sample (any difference stops the run), times each on one
    core, and returns the backend the streams use: the one asked for, or with `auto` the faster one.

    Measured on 2 CPU cores, the recipe's pure-Python tokenizer (a regex split and a word cache in front
    of BPE) ran faster per core than HF's Rust core, so `auto` lets the machine decide, not an assumption.
    """
    t = time.time()
    candidates = ["hf", "recipe"] if backend == "auto" else [backend]
    encoders, facts = {}, {}
    for name in candidates:
        try:
            encoders[name] = load_encoder(pack / "tokenizer.json", name)
        except ImportError:
            if backend == "hf":
                raise
            facts["hf_missing"] = "the `tokenizers` package is not installed here"
    texts = measure_texts(repos, measure_mb) if measure_mb > 0 else []
    size = sum(len(x.encode()) for x in texts)
    for name, tok in encoders.items():
        result = check_sample(tok, pack / "tokenizer-sample.json")
        entry = {"encoder": tok.description, "sample_texts": result["texts"], "sample_ids": result["ids"]}
        if texts:
            tc = time.process_time()
            n = sum(len(tok.encode(x)) for x in texts)
            cpu = time.process_time() - tc
            entry.update(measure_bytes=size, measure_tokens=n, mb_per_cpu_s=round(size / 1e6 / max(cpu, 1e-9), 3))
        facts[name] = entry
    chosen = max(encoders, key=lambda n: facts[n].get("mb_per_cpu_s", 0)) if backend == "auto" else backend
    facts["chosen"] = chosen
    log.data["tokenizer"] = facts
    log.step("tokenizer_check", time.time() - t, chosen=chosen,
             **{f"{n}_mb_per_cpu_s": facts[n].get("mb_per_cpu_s") for n in encoders})
    return chosen


def tiled_batches(data: np.ndarray, length: int, batch: int, max_tokens: int) -> list[torch.Tensor]:
    """Consecutive windows of length + 1 tokens (each next token scored once), in batches; at most max_tokens."""
    count = min((len(data) - 1) // length, max(1, max_tokens // length))
    rows = [data[i * length:i * length + length + 1].astype(np.int64) for i in range(count)]
    return [torch.from_numpy(np.stack(rows[i:i + batch])) for i in range(0, len(rows), batch)]


def old_model() -> dict:
    """What the bundled model's card says of its held-out evaluation (models/small-cpu), to compare like for like."""
    card = json.loads((HERE.parent / "small-cpu" / "model-card.json").read_text())
    recipe = card["recipe"]
    return {"name": card["name"], "heldout_loss": card["heldoutLoss"], "heldout_tokens": card["data"]["heldout"]["tokens"],
            "length": recipe["model"]["train_len"], "batch": recipe["train"]["batch"],
            "batches": recipe["train"].get("eval_batches", 4)}


# --- 5./6. training and checkpoints ------------------------------------------------------------------

def check_room(model: Decoder) -> None:
    """Refuses, before any training, a model whose pieces could not all come back from the call."""
    pieces = plan_pieces(bf16_state(model), MAX_PIECE)
    size = sum(t.numel() * t.element_size() for p in pieces for t in p.values())
    if len(pieces) + OTHER_FILES > MAX_FILES or size > MAX_BACK:
        raise PackError(f"{model.num_params() / 1e6:.1f}M parameters make {len(pieces)} pieces, {size / MiB:.1f} MiB "
                        f"in bf16: over what a call hands back ({MAX_FILES} files, {MAX_BACK // MiB} MiB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pack", help="the carried pack folder (models/recipe/work/gpu-pack); not needed with --smoke")
    ap.add_argument("--shards-dir", help="more shard-NNN.jsonl.xz, carried by earlier calls")
    ap.add_argument("--config", required=True, help="a name in configs/ or a path")
    ap.add_argument("--out", required=True, help="$OUT: what is left here comes back")
    ap.add_argument("--budget-minutes", type=float, default=8.5, help="preparation + training + final write")
    ap.add_argument("--reserve-seconds", type=float, default=40.0,
                    help="kept at the end for the final evaluation and write")
    ap.add_argument("--started-at", type=float, help="time.time() when the call began (gpu-run.sh passes it)")
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--tokenizer-backend", choices=["auto", "hf", "recipe"], default="auto")
    ap.add_argument("--site-packages", nargs="+", metavar="DIR",
                    help="folders to read distributions from (default: this Python's sys.path)")
    ap.add_argument("--no-site-packages", action="store_true")
    ap.add_argument("--site-packages-max-mb", type=float, help="cap for a dry run")
    ap.add_argument("--measure-tokenize-mb", type=float, default=4.0)
    ap.add_argument("--final-eval-max-tokens", type=float, default=1e8,
                    help="cap on the final evaluation over the whole held-out stream (a dry run's CPU is slow)")
    ap.add_argument("--like-for-like-batches", type=int,
                    help="fewer of the old model's evaluation batches (a dry run; default: all of them)")
    ap.add_argument("--device", choices=["auto", "cuda", "cpu"], default="auto",
                    help="cuda: fail at once when PyTorch sees no GPU (gpu-run.sh), instead of training on CPUs")
    ap.add_argument("--checkpoint-seconds", type=float, default=60.0)
    ap.add_argument("--smoke", action="store_true",
                    help="skip steps 1-4 and train on random tokens: checks the GPU path and measures its speed")
    ap.add_argument("--torch-threads", type=int, help="CPU threads for PyTorch (default: all)")
    args = ap.parse_args()
    if not args.pack and not args.smoke:
        ap.error("--pack is needed (or --smoke)")
    started = args.started_at or T_START
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = RunLog(out, started)
    conf = load_config(args.config)
    deadline = started + args.budget_minutes * 60 - args.reserve_seconds
    log.data.update(config=conf, args=vars(args), machine={
        "cores": len(os.sched_getaffinity(0)), "workers": args.workers, "python": sys.version.split()[0],
        "platform": platform.platform(), "numpy": np.__version__, "torch": torch.__version__})
    log.step("start", time.time() - started, imports_seconds=round(time.time() - T_START, 2))
    try:
        run(args, conf, log, deadline)
    except Exception as e:
        log.data.update(status="failed", error=f"{type(e).__name__}: {e}", traceback=traceback.format_exc())
        log.write()
        raise


def run(args, conf: dict, log: RunLog, deadline: float) -> None:
    if args.device == "cuda" and not torch.cuda.is_available():  # before minutes of preparation, not after
        raise PackError("--device cuda, but PyTorch sees no GPU here")
    if args.smoke:
        train_data, held_data = smoke_streams(conf)
    else:
        train_data, held_data = prepare(args, log)
    train(args, conf, log, deadline, train_data, held_data)


def smoke_streams(conf: dict) -> tuple[np.ndarray, np.ndarray]:
    """Random token streams: the training path alone (compile, kernels, checkpoints, speed) without a corpus."""
    rng = np.random.default_rng(0)
    vocab = conf["model"]["vocab_size"]
    return (rng.integers(0, vocab, 20_000_000, dtype=np.uint16), rng.integers(0, vocab, 1_500_000, dtype=np.uint16))


def prepare(args, log: RunLog) -> tuple[np.ndarray, np.ndarray]:
    """Steps 1-4: the train and held-out token streams."""
    pack = Path(args.pack)
    workers = args.workers
    for name in ("tokenizer.json", "tokenizer-sample.json"):
        if not (pack / name).exists():
            raise PackError(f"no {name} in {pack}: build the pack with `make -C models/recipe gpu-pack`")
    keep_out = read_keep_out(pack)
    heldout = read_heldout(pack)
    log.data["corpus_heldout"] = {"repos": [r["name"] for r in heldout],
                                  "bytes": sum(len(x) for r in heldout for _, x in r["files"])}

    # 1. the shards
    train_repos, seen, _ = unpack(pack, Path(args.shards_dir) if args.shards_dir else None, keep_out, workers, log)

    # 2. the machine's own distributions
    site_repos: list[dict] = []
    if not args.no_site_packages:
        t = time.time()
        site_repos, manifest = site_packages.site_packages_repos(args.site_packages or None, seen | keep_out,
                                                                 workers, args.site_packages_max_mb)
        log.data["corpus"]["site_packages"] = manifest
        log.step("site_packages", time.time() - t, distributions=len(manifest["distributions"]),
                 files=manifest["files"], kept_mb=round(manifest["bytes"] / 1e6, 2),
                 listing_seconds=manifest["listing_seconds"],
                 **throughput(manifest["read_bytes"] / 1e6, time.time() - t, workers, manifest["worker_cpu_seconds"]))

    # 3. the tokenizer, checked before it touches the corpus
    backend = check_tokenizer(pack, args.tokenizer_backend, train_repos, args.measure_tokenize_mb, log)

    # 4. the streams
    t = time.time()
    dargs = data.parser().parse_args([])
    repos = train_repos + site_repos + heldout
    mb = sum(len(x.encode()) for r in repos for _, x in r["files"]) / 1e6
    part_bytes = max(2_000_000, int(mb * 1e6 / (4 * workers)))  # about four parts' work per worker
    repos = data.split_repos(repos, part_bytes)
    streams, stats = data.build_streams(repos, str(pack / "tokenizer.json"), dargs, workers, backend)
    stats["parts"] = {"max_bytes": part_bytes, "encoded": len(repos)}
    del repos, train_repos, site_repos
    train_data, held_data = streams["train"], streams["heldout"]
    stats["data_args"] = {k: v for k, v in vars(dargs).items() if k not in ("corpus", "out", "tokenizer")}
    log.data["streams"] = stats
    log.step("streams", time.time() - t, train_tokens=len(train_data), heldout_tokens=len(held_data),
             bytes_per_token=round(mb * 1e6 / max(1, len(train_data) + len(held_data)), 3),
             **throughput(mb, time.time() - t, workers, stats["worker_cpu_seconds"]))
    return train_data, held_data


def train(args, conf: dict, log: RunLog, deadline: float, train_data: np.ndarray, held_data: np.ndarray) -> None:
    """Steps 5-6: the model trained on the streams until the deadline, checkpointed into --out as it goes."""
    out = Path(args.out)
    t = time.time()
    torch.manual_seed(conf.get("seed", 0))
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    device = "cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()) else "cpu"
    cfg = ModelConfig.from_dict(conf["model"])
    tr = {"seed": conf.get("seed", 0), **conf["train"]}
    tr.pop("max_minutes", None)  # the deadline rules here
    # What the call may lose when it is killed at its limit: a minute of training, never the whole run.
    tr["checkpoint_seconds"] = min(tr.get("checkpoint_seconds", args.checkpoint_seconds), args.checkpoint_seconds)
    tr.setdefault("eval_seconds", args.checkpoint_seconds)
    features = torch_features(device, tr)
    if features["tf32_matmul"]["used"]:  # fp32 products outside autocast (the final evaluation) on tensor cores
        torch.set_float32_matmul_precision("high")
    model = Decoder(cfg).to(device)
    check_room(model)
    opt = make_optimizer(model, tr, features["fused_adamw"]["used"])
    old = old_model()  # its held-out windows (8 × 1024 tokens, 4 batches, seeds 1234+i) give the like-for-like figure
    evals = {"heldout_loss": heldout_batches(held_data, cfg.train_len, tr["batch"], tr.get("eval_batches", 4)),
             "heldout_loss_1024": heldout_batches(held_data, old["length"], old["batch"],
                                                  args.like_for_like_batches or old["batches"])}
    log.data["old_model"] = {**old, "heldout_stream_same_length": len(held_data) == old["heldout_tokens"]}
    if len(held_data) != old["heldout_tokens"]:
        print(f"note: the held-out stream has {len(held_data)} tokens, the old model's had {old['heldout_tokens']}: "
              f"heldout_loss_1024 is not on the same tokens as its {old['heldout_loss']}", flush=True)
    log.data.update(features=features, parameters=model.num_params(), status="training")
    for name, f in features.items():
        if name != "torch":
            print(f"  {name}: {'used' if f['used'] else 'not used'}" + (f" — {f['note']}" if "note" in f else ""))
    log.step("model_setup", time.time() - t, device=device, parameters=model.num_params(),
             train_seconds_left=round(deadline - time.time(), 1))
    if deadline - time.time() < 60:
        print(f"warning: only {deadline - time.time():.0f} s left to train", flush=True)

    def checkpoint(state: dict) -> None:
        tc = time.time()
        pieces = write_pieces(bf16_state(model), out, state["step"], MAX_PIECE)
        log.data.update(steps=state["step"], tokens_seen=state["tokens"], log=state["log"],
                        train_minutes=round(state["elapsed"] / 60, 3),
                        checkpoint={"step": state["step"], "tokens": state["tokens"], "dtype": "bfloat16",
                                    "pieces": pieces, "tied": {"lm_head.weight": "embed.weight"},
                                    "at_minutes": log.minutes(), "write_seconds": round(time.time() - tc, 2)})
        log.write()
        print(f"[{log.minutes():6.2f} min] checkpoint at step {state['step']}: "
              f"{', '.join(p['file'] for p in pieces)} in {time.time() - tc:.1f} s", flush=True)

    t = time.time()
    state = {"step": 0, "tokens": 0, "elapsed": 0.0, "log": []}
    # A TrainingDivergedError leaves the last good checkpoint in --out; main() records the failure.
    state = train_loop(model, opt, train_data, evals, tr, device, state, features=features,
                       deadline=deadline, on_checkpoint=checkpoint)
    log.step("train", time.time() - t, steps=state["step"], tokens=state["tokens"],
             tokens_per_s=round(state["tokens"] / max(state["elapsed"], 1e-9)))

    # the end: the whole held-out stream cut into consecutive windows (every token scored once), at both
    # lengths, in fp32 (TF32 products) like the old model's CPU evaluation, not under bf16 autocast
    t = time.time()
    final = dict(state["log"][-1]) if state["log"] else {}
    hard_end = log.started + args.budget_minutes * 60 - 5  # the reserve is for this; past it, stop scoring
    for name, length, batch in (("heldout_loss_tiled", cfg.train_len, tr["batch"]),
                                ("heldout_loss_1024_tiled", old["length"], old["batch"])):
        total = tokens = 0
        for b in tiled_batches(held_data, length, batch, int(args.final_eval_max_tokens)):
            if tokens and time.time() > hard_end:
                final[name + "_cut_short"] = True
                break
            total += heldout_loss(model, [b], device, bf16=False) * b[:, 1:].numel()
            tokens += b[:, 1:].numel()
        final[name], final[name + "_tokens"] = round(total / max(tokens, 1), 4), tokens
    log.data["heldout"] = {"final": final, "old_model_heldout_loss": old["heldout_loss"]}
    log.data["status"] = "done"
    log.step("final_eval", time.time() - t, **{k: v for k, v in final.items() if "loss" in k})
    log.step("total", time.time() - log.started, budget_minutes=args.budget_minutes)


if __name__ == "__main__":
    try:
        main()
    except (PackError, TokenizerMismatchError) as e:
        print(f"gpu_run: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
