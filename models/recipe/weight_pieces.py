"""A model's weights as bf16 pieces of bounded size, and back: what a GPU call can hand back (files ≤ 16 MiB).

`weights-NN.pt` is a torch.save'd dict of tensors. A tensor too big for the room left in a piece is cut by
rows into `NAME.rows{start}-{stop}` slices (the 16384-row embedding of a 512-wide model is 16 MiB in
bf16), which read_pieces joins again. The tied head (`lm_head.weight`, the embedding itself) is written
once. Every piece carries `_step`, the training step it was saved at, so a set mixed from two
checkpoints (a call killed between two renames) is refused instead of loaded.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import torch

PIECE_NAME = "weights-{:02d}.pt"
ROWS = re.compile(r"^(?P<name>.+)\.rows(?P<start>\d+)-(?P<stop>\d+)$")
STEP_KEY = "_step"
TIED = {"lm_head.weight": "embed.weight"}
# torch.save's zip container: headers and pickled names per tensor, plus the archive's own records.
OVERHEAD_PER_TENSOR = 4096
OVERHEAD_PER_PIECE = 64 * 1024


class PiecesError(Exception):
    """The pieces in a folder do not make one checkpoint (missing rows, steps that differ, no pieces)."""


def bf16_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The state dict on the CPU, floating tensors in bf16, each with its own storage, the tied head left out."""
    state = model.state_dict()
    out = {}
    for name, t in state.items():
        if name in TIED and TIED[name] in state and state[TIED[name]].data_ptr() == t.data_ptr():
            continue
        t = t.detach().to("cpu")
        out[name] = (t.to(torch.bfloat16) if t.is_floating_point() else t).clone()
    return out


def plan_pieces(state: dict[str, torch.Tensor], max_bytes: int) -> list[dict[str, torch.Tensor]]:
    """Tensors in state order, packed greedily into pieces whose files stay under max_bytes."""
    room_of_empty = max_bytes - OVERHEAD_PER_PIECE
    pieces: list[dict[str, torch.Tensor]] = [{}]
    room = room_of_empty
    for name, t in state.items():
        row_bytes = t[0].numel() * t.element_size() if t.dim() >= 1 and len(t) else t.numel() * t.element_size()
        start, rows = 0, len(t) if t.dim() >= 1 else 1
        while start < rows:
            fit = (room - OVERHEAD_PER_TENSOR) // max(row_bytes, 1)
            if fit <= 0:
                if not pieces[-1]:
                    raise PiecesError(f"{name}: one row ({row_bytes} bytes) does not fit in {max_bytes} bytes")
                pieces.append({})
                room = room_of_empty
                continue
            stop = min(rows, start + fit)
            if start == 0 and stop == rows:
                pieces[-1][name] = t
            else:
                pieces[-1][f"{name}.rows{start}-{stop}"] = t[start:stop].clone()  # a view would save it all
            room -= (stop - start) * row_bytes + OVERHEAD_PER_TENSOR
            start = stop
    return pieces


def write_pieces(state: dict[str, torch.Tensor], out: Path, step: int, max_bytes: int) -> list[dict]:
    """Writes weights-00.pt, weights-01.pt, … into out, each atomically (a .tmp then a rename); removes pieces
    a bigger earlier set left behind. Returns [{file, bytes, tensors}]."""
    written = []
    for i, piece in enumerate(plan_pieces(state, max_bytes)):
        path = out / PIECE_NAME.format(i)
        tmp = path.with_name(path.name + ".tmp")
        torch.save({**piece, STEP_KEY: torch.tensor(step)}, tmp)
        size = tmp.stat().st_size
        if size > max_bytes:
            tmp.unlink()
            raise PiecesError(f"{path.name} came out at {size} bytes, over {max_bytes}")
        os.replace(tmp, path)
        written.append({"file": path.name, "bytes": size, "tensors": sorted(piece)})
    for stale in sorted(out.glob("weights-*.pt"))[len(written):]:
        stale.unlink()
    return written


PIECE = re.compile(r"^weights-(\d+)\.pt$")
# torch.compile and DataParallel wrap the model; their state-dict prefixes are not the Decoder's names.
WRAPPERS = ("_orig_mod.", "module.")


def read_pieces(folder: Path) -> tuple[dict[str, torch.Tensor], int]:
    """The state dict the pieces in folder hold (sliced tensors joined, the tied head restored) and its step.

    Refused, with the reason: no pieces, a numbered piece missing (a transfer that lost one), a tensor in two
    pieces, rows missing or overlapping, pieces from different steps (a call killed between two writes)."""
    found = [(int(m[1]), p) for p in Path(folder).iterdir() if (m := PIECE.match(p.name))]
    if not found:
        raise PiecesError(f"no weights-NN.pt in {folder}")
    found.sort()
    numbers = [n for n, _ in found]
    if numbers != list(range(len(numbers))):
        raise PiecesError(f"pieces {numbers} in {folder} are not 0, 1, …: one is missing")
    state: dict[str, torch.Tensor] = {}
    slices: dict[str, list[tuple[int, int, torch.Tensor]]] = {}
    steps = set()
    for _, p in found:
        piece = torch.load(p, map_location="cpu")
        if not isinstance(piece, dict) or STEP_KEY not in piece:
            raise PiecesError(f"{p.name} is not a weights piece (a dict of tensors with {STEP_KEY})")
        steps.add(int(piece.pop(STEP_KEY)))
        for key, t in piece.items():
            for prefix in WRAPPERS:
                key = key[len(prefix):] if key.startswith(prefix) else key
            m = ROWS.match(key)
            if m:
                slices.setdefault(m["name"], []).append((int(m["start"]), int(m["stop"]), t))
            elif key in state:
                raise PiecesError(f"{key} is in two pieces in {folder}")
            else:
                state[key] = t
    if len(steps) != 1:
        raise PiecesError(f"pieces in {folder} come from different steps {sorted(steps)}: a checkpoint cut short")
    for name, parts in slices.items():
        if name in state:
            raise PiecesError(f"{name} is both whole and in row slices in {folder}")
        parts.sort(key=lambda x: x[0])
        at = 0
        for start, stop, t in parts:
            if start != at or len(t) != stop - start:
                raise PiecesError(f"{name}: rows {at}.. missing or overlapping in {folder}")
            at = stop
        state[name] = torch.cat([t for _, _, t in parts])
    for head, embed in TIED.items():
        if head not in state and embed in state:
            state[head] = state[embed]
    return state, steps.pop()
