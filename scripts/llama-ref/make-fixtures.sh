#!/usr/bin/env bash
# Regenerates test/fixtures/gguf-ref from nothing: random GGUFs, llama-quantize variants, llama.cpp's logits for each.
# Usage: scripts/llama-ref/make-fixtures.sh LLAMA_DIR [OUT_DIR=test/fixtures/gguf-ref]
#   LLAMA_DIR: a llama.cpp checkout built with cmake into LLAMA_DIR/build (llama-quantize, libllama.so).
# Nothing of llama.cpp is committed: only the GGUF files and logits its code produced (see the README there).
set -euo pipefail
llama_dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${2:-$root/test/fixtures/gguf-ref}
bin=$llama_dir/build/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PYTHONPATH=$llama_dir/gguf-py
mkdir -p "$out"

# Our own program against llama.cpp's public API (llama.h); rpath so it finds the build's libraries.
gcc -O2 -Wall -I"$llama_dir/include" -I"$llama_dir/ggml/include" "$here/dump-logits.c" -o "$work/dump-logits" \
  -L"$bin" -lllama -lggml -lggml-base -Wl,-rpath,"$bin"

# The input: FIM-shaped, seeded ids over the ordinary tokens, 64 positions, specials where Qwen puts them.
ids_for() {
  python3 - "$1" <<'PY'
import sys, numpy as np, gguf
r = gguf.GGUFReader(sys.argv[1])
f = lambda k: int(r.fields[k].parts[-1][0])
types = r.fields["tokenizer.ggml.token_type"]
normal = sum(1 for i in types.data if int(types.parts[i][0]) == gguf.TokenType.NORMAL)
rng = np.random.default_rng(7)
body = lambda n: [int(x) for x in rng.integers(0, normal, n)]
pre, suf, mid = (f(f"tokenizer.ggml.fim_{k}_token_id") for k in ("pre", "suf", "mid"))
print(",".join(map(str, [pre] + body(45) + [suf] + body(16) + [mid])))
PY
}

dump() { # MODEL NAME
  "$work/dump-logits" "$1" "$(ids_for "$1")" "$out/$2.llama" 16 f32
}

# Without llama-quantize (a build still running) only the F32 files and their outputs are made.
quant=1
[ -x "$bin/llama-quantize" ] || { quant=0; echo "no $bin/llama-quantize: F32 files only" >&2; }
rm -f "$out"/*.gguf "$out"/*.llama.json "$out"/*.llama.bin "$out"/*.npz
for arch in qwen2 llama starcoder2; do
  # tiny: F32 and its block quants (rows of 64 and 128 are multiples of 32, not of 256).
  python3 "$here/make-random-gguf.py" "$arch" tiny "$out/$arch-tiny-f32.gguf"
  [ -f "$out/$arch-tiny-f32.hf.npz" ] && mv "$out/$arch-tiny-f32.hf.npz" "$out/$arch-tiny.hf.npz"
  dump "$out/$arch-tiny-f32.gguf" "$arch-tiny-f32"
  [ $quant = 1 ] || continue
  for q in F16 Q8_0 Q4_0; do
    lq=$(echo $q | tr A-Z a-z)
    "$bin/llama-quantize" "$out/$arch-tiny-f32.gguf" "$out/$arch-tiny-$lq.gguf" $q 2 >"$work/quantize.log" 2>&1 ||
      { cat "$work/quantize.log"; exit 1; }
    dump "$out/$arch-tiny-$lq.gguf" "$arch-tiny-$lq"
  done
  # kq: rows of 256, so Q4_K_M and Q6_K are real K-quants; its F32 source stays out of the fixtures.
  # K-quants for qwen2 only: the repository's tracked files must stay under 35 MiB, and the K-quant
  # block layout does not depend on the architecture (Q8_0/Q4_0/F16/F32 cover all three).
  [ "$arch" = qwen2 ] || continue
  python3 "$here/make-random-gguf.py" "$arch" kq "$work/$arch-kq-f32.gguf"
  rm -f "$work/$arch-kq-f32.hf.npz"
  for q in Q4_K_M Q6_K; do
    lq=$(echo $q | tr A-Z a-z)
    "$bin/llama-quantize" "$work/$arch-kq-f32.gguf" "$out/$arch-kq-$lq.gguf" $q 2 >"$work/quantize.log" 2>&1 ||
      { cat "$work/quantize.log"; exit 1; }
    if grep -q "fallback" "$work/quantize.log"; then
      echo "llama-quantize fell back for $arch-kq $q:" >&2
      grep "fallback" "$work/quantize.log" >&2
    fi
    dump "$out/$arch-kq-$lq.gguf" "$arch-kq-$lq"
  done
done

# gemma (GeGLU, embeddings scaled by √D, wide heads): F16 only, made from an F32 source left out of the
# fixtures, for the 35 MiB bound on the repository (F32, Q8_0 and Q4_0 were checked by hand).
python3 "$here/make-random-gguf.py" gemma tiny "$work/gemma-tiny-f32.gguf"
for q in F16; do
  lq=$(echo $q | tr A-Z a-z)
  "$bin/llama-quantize" "$work/gemma-tiny-f32.gguf" "$out/gemma-tiny-$lq.gguf" $q 2 >"$work/quantize.log" 2>&1 ||
    { cat "$work/quantize.log"; exit 1; }
  dump "$out/gemma-tiny-$lq.gguf" "gemma-tiny-$lq"
done

# How peaked each file's distributions are (the mean gap between the top two logits), kept in its JSON.
python3 - "$out" <<'PY'
import json, pathlib, sys, numpy as np
for js in sorted(pathlib.Path(sys.argv[1]).glob("*.llama.json")):
    meta = json.loads(js.read_text())
    lg = np.fromfile(js.with_name(meta["logitsFile"]), dtype="<f4").reshape(meta["nPositions"], meta["nVocab"])
    top2 = np.sort(lg, axis=1)[:, -2:]
    meta["meanTop2Gap"] = round(float((top2[:, 1] - top2[:, 0]).mean()), 4)
    meta["minTop2Gap"] = round(float((top2[:, 1] - top2[:, 0]).min()), 4)
    js.write_text(json.dumps(meta, indent=2) + "\n")
    print(f"{js.name:36} gap mean {meta['meanTop2Gap']:7.3f} min {meta['minTop2Gap']:7.4f} greedy {meta['greedyIds']}")
PY
cp "$llama_dir/LICENSE" "$out/LICENSE-llama.cpp"
echo "llama.cpp $(git -C "$llama_dir" rev-parse HEAD)" >"$out/LLAMA_COMMIT"
ls -l "$out"
