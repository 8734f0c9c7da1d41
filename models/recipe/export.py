"""Exports a checkpoint to the model contract (../README.md), with golden inputs/outputs and a model card.

Writes into --out a contract-2 folder: model.onnx, tokenizer.json, model-card.json, model-card.md,
loss-curve.png, golden.json + golden.bin (PyTorch's logits and cache for fixed inputs, which the
TypeScript tests replay through onnxruntime-node: parity within 1e-4 without Python). The Makefile
then turns it into the committed folder: `ropewalk export-gguf` writes model.gguf (weights, tokenizer
and card in one GGUF file) beside the golden cases.

Usage: python3 export.py --checkpoint work/tiny/checkpoint.pt --out work/tiny/onnx
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import torch

from model import Decoder, load_checkpoint, rope_tables, rotate
from tokenizer import SPECIALS, Tokenizer

HERE = Path(__file__).resolve().parent
CONTRACT_VERSION = 2
OPSET = 17


class ContractModel(torch.nn.Module):
    """Flat-argument wrapper: the ONNX graph's inputs and outputs in contract order."""

    def __init__(self, model: Decoder):
        super().__init__()
        self.model = model

    def forward(self, input_ids, rope_cos_q, rope_sin_q, attention_scale, logits_indices, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        logits, present = self.model(input_ids, rope_cos_q, rope_sin_q, attention_scale, logits_indices, past)
        return (logits, *[t for kv in present for t in kv])


def io_names(n_layers: int) -> tuple[list[str], list[str]]:
    inputs = ["input_ids", "rope_cos_q", "rope_sin_q", "attention_scale", "logits_indices"]
    outputs = ["logits"]
    for i in range(n_layers):
        inputs += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outputs += [f"present.{i}.key", f"present.{i}.value"]
    return inputs, outputs


def empty_cache(model: Decoder):
    cfg = model.cfg
    return [(torch.zeros(1, 0, cfg.n_kv_heads, cfg.head_dim),) * 2 for _ in range(cfg.n_layers)]


def make_inputs(model: Decoder, ids: list[int], positions: list[int], past, logits_indices: list[int],
                factor: float = 1.0, scale: float = 1.0, unscaled_layers: int = 0):
    """Contract inputs for one call: new tokens at `positions` on top of `past` (rotated keys)."""
    cfg = model.cfg
    cos_q, sin_q = rope_tables(torch.tensor([positions]), cfg.head_dim, cfg.rope_theta, factor)
    att_scale = torch.full((cfg.n_layers, 1, len(ids)), scale)
    att_scale[:unscaled_layers] = 1.0
    return [torch.tensor([ids]), cos_q, sin_q, att_scale, torch.tensor(logits_indices)] + \
        [t for kv in (past or empty_cache(model)) for t in kv]


def shift_cache(model: Decoder, past, delta: int, factor: float = 1.0):
    """Moves cached keys by `delta` positions: a rotation by delta·θ' (exact for angle-linear methods)."""
    cfg = model.cfg
    cos, sin = rope_tables(torch.tensor([delta]), cfg.head_dim, cfg.rope_theta, factor)  # [1, hd/2]
    out = []
    for k, v in past:  # k [1, P, kv, hd]
        kr = rotate(k.transpose(1, 2), cos[None, None], sin[None, None]).transpose(1, 2)
        out.append((kr, v))
    return out


def export_onnx(model: Decoder, path: Path) -> None:
    cfg = model.cfg
    wrapper = ContractModel(model).eval()
    past = [(torch.randn(1, 3, cfg.n_kv_heads, cfg.head_dim),) * 2 for _ in range(cfg.n_layers)]
    args = make_inputs(model, [5, 6, 7, 8], [3, 4, 5, 6], past, [3])
    inputs, outputs = io_names(cfg.n_layers)
    dyn = {"input_ids": {1: "sequence"}, "rope_cos_q": {1: "sequence"}, "rope_sin_q": {1: "sequence"},
           "attention_scale": {2: "sequence"}, "logits_indices": {0: "kept"}, "logits": {1: "kept"}}
    for name in inputs[5:]:
        dyn[name] = {1: "past"}
    for name in outputs[1:]:
        dyn[name] = {1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(wrapper, tuple(args), str(path), input_names=inputs, output_names=outputs,
                          dynamic_axes=dyn, opset_version=OPSET, do_constant_folding=True)
    proto = onnx.load(str(path))
    if cfg.tie_embeddings:
        share_tied_head(proto)
    onnx.checker.check_model(proto)
    meta = {"ropewalk.contract": str(CONTRACT_VERSION), "ropewalk.config": json.dumps(cfg.to_dict())}
    for k, v in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.save(proto, str(path))


def share_tied_head(proto: onnx.ModelProto) -> None:
    """The exporter folds the tied head into a transposed copy of the embedding; point it back at the embedding.

    MatMul(x, Eᵀ) becomes Gemm(x, E, transB=1): one initializer, half the file, same numbers.
    """
    from onnx import helper, numpy_helper
    inits = {i.name: i for i in proto.graph.initializer}
    embed_name = next(n for n in inits if n.endswith("embed.weight"))
    embed = numpy_helper.to_array(inits[embed_name])
    for idx, node in enumerate(proto.graph.node):
        if node.op_type != "MatMul" or node.input[1] not in inits:
            continue
        w = numpy_helper.to_array(inits[node.input[1]])
        if w.shape == embed.T.shape and np.array_equal(w, embed.T):
            gemm = helper.make_node("Gemm", [node.input[0], embed_name], list(node.output),
                                    name="lm_head_tied", transB=1)
            proto.graph.node.remove(node)
            proto.graph.node.insert(idx, gemm)
            proto.graph.initializer.remove(inits[node.input[1]])
            return
    raise RuntimeError("tied lm_head not found in the exported graph")


# Texts whose Python-side ids the TypeScript tokenizer must reproduce: indentation, tabs, CRLF,
# digits, non-ASCII identifiers and strings, emoji, JS/TS syntax.
TOKENIZER_TEXTS = [
    "def add(a, b):\n\treturn a + b  # 12345 + 6789\n",
    "export const größe = (x: number): string => `${x}€`;\r\n",
    "    if (user?.name !== undefined) { console.log('héllo 👋 世界'); }\n\n\n",
    'class Ünïcode(Base):\n    """Docstring with \'quotes\' and don\'t."""\n    x = 0x1F_FF\n',
]


def golden(model: Decoder, tok: Tokenizer, out: Path) -> None:
    """Fixed inputs and PyTorch's outputs for the TypeScript parity and cache-reuse tests."""
    snippet = ("class LruCache:\n    def __init__(self, capacity):\n        self.capacity = capacity\n"
               "        self.items = {}\n\n    def get(self, key):\n        if key in self.items:\n")
    ids = tok.encode(snippet)[:48]
    n, split = len(ids), 32
    blobs: list[np.ndarray] = []
    cases = []

    def add(name: str, call: dict, logits: torch.Tensor, present=None) -> None:
        entry = {"name": name, **call, "logits": {"shape": list(logits.shape), "offset": sum(b.size for b in blobs)}}
        blobs.append(logits.detach().numpy().astype(np.float32).ravel())
        if present is not None:
            entry["present0Key"] = {"shape": list(present[0][0].shape), "offset": sum(b.size for b in blobs)}
            blobs.append(present[0][0].detach().numpy().astype(np.float32).ravel())
        cases.append(entry)

    def run(call: dict, past=None):
        args = make_inputs(model, call["ids"], call["positions"], past, call["logitsIndices"],
                           call.get("factor", 1.0), call.get("scale", 1.0), call.get("unscaledLayers", 0))
        with torch.no_grad():
            return ContractModel(model)(*args)

    with torch.no_grad():
        cold = {"ids": ids, "positions": list(range(n)), "logitsIndices": [0, split, n - 1]}
        res = run(cold)
        add("cold", cold, res[0], [res[1:3]])
        prefix = {"ids": ids[:split], "positions": list(range(split)), "logitsIndices": [split - 1]}
        res_p = run(prefix)
        past = [(res_p[1 + 2 * i], res_p[2 + 2 * i]) for i in range(model.cfg.n_layers)]
        add("prefix", prefix, res_p[0])
        tail = {"ids": ids[split:], "positions": list(range(split, n)), "logitsIndices": [0, n - split - 1],
                "pastFrom": "prefix"}
        add("tail-on-cache", tail, run(tail, past)[0])
        # The prefix's cache moved to positions 100.. (keys re-rotated by Δ=100), new tokens at 300..
        moved = {"ids": ids[split:], "positions": list(range(300, 300 + n - split)),
                 "logitsIndices": [n - split - 1], "pastFrom": "prefix", "pastShift": 100}
        add("moved-cache", moved, run(moved, shift_cache(model, past, 100))[0])
        scaled = {"ids": ids, "positions": list(range(n)), "logitsIndices": [n - 1], "factor": 2.0,
                  "scale": 1.25, "unscaledLayers": 1}
        add("scaled", scaled, run(scaled)[0])
    data = np.concatenate(blobs)
    data.tofile(out / "golden.bin")
    (out / "golden.json").write_text(json.dumps({
        "about": "Inputs and PyTorch outputs for parity tests. Offsets and shapes count float32 values in "
                 "golden.bin. Cases with pastFrom run on the cache that case produced (its present.* "
                 "outputs), with the keys rotated by pastShift positions first when given.",
        "text": snippet, "ids": ids, "cases": cases, "tolerance": 1e-4,
        "tokenizerCases": [{"text": t, "ids": tok.encode(t)} for t in TOKENIZER_TEXTS]}, indent=1))


def loss_plot(log: list[dict], path: Path, title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
    toks = [e["tokens"] / 1e6 for e in log]
    ax.plot(toks, [e["train_loss"] for e in log], label="train (EMA)")
    ax.plot(toks, [e["heldout_loss"] for e in log], label="held-out")
    ax.set_xlabel("tokens seen (millions)")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--tokenizer", default=str(HERE / "work" / "tokenizer.json"))
    ap.add_argument("--data-stats", default=str(HERE / "work" / "data" / "stats.json"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--gguf-type", default="f32", choices=["f32", "q8_0"],
                    help="the weights `ropewalk export-gguf --type` will write, for model-card.md's text")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model, state = load_checkpoint(Path(args.checkpoint))
    cfg = model.cfg
    export_onnx(model, out / "model.onnx")
    shutil.copy(args.tokenizer, out / "tokenizer.json")
    tok = Tokenizer.load(out / "tokenizer.json")
    golden(model, tok, out)
    run = state["run"]
    log = state["log"]
    if log:
        loss_plot(log, out / "loss-curve.png", f"Ropewalk {run['name']}")
    stats = json.loads(Path(args.data_stats).read_text()) if Path(args.data_stats).exists() else {}
    card = {
        "name": f"ropewalk-{run['name']}",
        "contract": CONTRACT_VERSION,
        "architecture": "llama-style decoder: RMSNorm, SwiGLU, grouped-query attention, RoPE (rotate-half)",
        "config": cfg.to_dict(),
        "parameters": model.num_params(),
        "trainLength": cfg.train_len,
        "tokensSeen": state["tokens"],
        "steps": state["step"],
        "trainMinutes": round(state["elapsed"] / 60, 1),
        "heldoutLoss": log[-1]["heldout_loss"] if log else None,
        "heldoutLossNote": "mean next-token cross-entropy (nats) on plain code of the held-out repositories "
                           "in models/recipe/corpus-manifest.tsv (shard h), windows of trainLength",
        "specialTokens": {s: tok.special[s] for s in SPECIALS},
        "fim": {"psm": "<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
                "spm": "<|fim_suffix|>{suffix}<|fim_prefix|>{prefix}<|fim_middle|>",
                "end": "<|endoftext|>", "repoHeader": "<|repo_name|>{name}\n", "fileHeader": "<|file_sep|>{path}\n"},
        "defaultRope": {"method": "none"},
        "corpus": "models/recipe/corpus-manifest.tsv",
        "data": stats.get("splits"),
        "license": "MIT (weights); corpus sources are permissively licensed, listed in the manifest",
        "recipe": run,
    }
    if state.get("run_log"):
        # A GPU run's own record (import_run.py): device, timings, held-out losses at other lengths, and
        # the corpus it actually used, such as the machine's site-packages with their licences.
        card["trainingRun"] = state["run_log"]
    (out / "model-card.json").write_text(json.dumps(card, indent=1) + "\n")
    (out / "model-card.md").write_text(model_card_md(card, run, args.gguf_type))
    size = (out / "model.onnx").stat().st_size
    print(f"exported {out}: {model.num_params() / 1e6:.2f}M parameters, model.onnx {size / 1e6:.1f} MB, "
          f"held-out loss {card['heldoutLoss']}")


GGUF_WEIGHTS = {
    "f32": "F32 weights",
    "q8_0": "Q8_0 weights (8 bits per weight in blocks of 32, norms F32; golden cases replayed within the "
            "bound the card states for quantized weights)",
}


def model_card_md(card: dict, run: dict, gguf_type: str = "f32") -> str:
    c = card["config"]
    return f"""# {card['name']}

{run.get('purpose', '')}

| | |
|---|---|
| architecture | {card['architecture']} |
| parameters | {card['parameters'] / 1e6:.2f}M (dim {c['dim']}, {c['n_layers']} layers, {c['n_heads']} heads, {c['n_kv_heads']} kv heads, ffn {c['ffn_dim']}, vocab {c['vocab_size']}, tied embeddings) |
| training length | {card['trainLength']} tokens (RoPE θ={c['rope_theta']:g}); longer prompts need a RoPE scaling method |
| tokens seen | {card['tokensSeen'] / 1e6:.2f}M in {card['steps']} steps, {card['trainMinutes']} minutes |
| held-out loss | {card['heldoutLoss']} nats/token ({card['heldoutLossNote']}) |
| objective | next token, repository-level streams; about half the files as FIM samples (PSM and SPM), middles random spans or whole Python syntax nodes |
| corpus | {card['corpus']} |
| license | {card['license']} |
| file | `model.gguf`: llama-architecture GGUF ({GGUF_WEIGHTS[gguf_type]}, tokenizer, this card as `ropewalk.card`); Ropewalk builds its contract-3 graph from it on first use, see models/README.md |

![loss curve](loss-curve.png)

Rebuild: `make -C models/recipe {run['name']}` (see models/README.md).
"""


if __name__ == "__main__":
    main()
