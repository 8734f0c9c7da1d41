#!/usr/bin/env bash
# Ropewalk's engine vs llama.cpp on the same model, in one run: cold prefill, a 64-token edit on a
# cached context, decoding at depth and at zero. llama.cpp is built by you from a source checkout
# (nothing of it is part of Ropewalk); its llama-bench and gguf-py are passed in.
# Usage: scripts/vs-llama-cpp.sh LLAMA_CPP_DIR LLAMA_BENCH [MODEL_NAME=small-cpu | FILE.gguf] [CONTEXT=8192]
#   MODEL_NAME: one of ours, converted to GGUF for llama.cpp. FILE.gguf: used as it is (e.g. a
#   random-weight file from scripts/llama-ref/make-random-gguf.py); Ropewalk then loads the GGUF
#   itself, or ROPEWALK_MODEL if set, and if it cannot, only llama.cpp's column is printed.
# Env: KV (Ropewalk's KV cache type, default float16 as llama-bench's f16; float32 for ours at full
#   precision), THREADS (llama-bench threads, default nproc; Ropewalk uses onnxruntime's own), REPS (llama-bench
#   repetitions, default 3).
set -euo pipefail
llama_dir=$1; llama_bench=$2; name=${3:-small-cpu}; ctx=${4:-8192}; edit=64
threads=${THREADS:-$(nproc)}; reps=${REPS:-3}; ours_kv=${KV:-float16}
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ $name == *.gguf ]]; then
  gguf=$name
  model=${ROPEWALK_MODEL:-$gguf}
else
  # models/NAME/model.gguf names a pre-tokenizer of Ropewalk's own, which llama.cpp refuses; to_gguf.py
  # writes the same weights with llama.cpp's default pre-tokenizer (tokenization does not affect speed).
  gguf=$(mktemp --suffix=.gguf)
  trap 'rm -f "$gguf"' EXIT
  /usr/bin/python3 "$root/models/recipe/to_gguf.py" "$llama_dir" "$root/models/recipe/work/$name/checkpoint.pt" \
    "$root/models/recipe/work/tokenizer.json" "$gguf" >/dev/null
  model=$root/models/$name
fi
ours=$(node "$root/dist/cli.js" engine-bench --model "$model" --context "$ctx" --edit-tokens $edit --provider cpu --kv-type "$ours_kv" \
  --json 2>/dev/null || echo null)
lb() { "$llama_bench" -m "$gguf" -t "$threads" -r "$reps" -o jsonl "$@" 2>/dev/null | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["avg_ts"])'; }
# llama-bench accepts only reduced-precision KV types: f16, its default, reads half the bytes ours does.
for kv in f16; do
  cold=$(lb -p "$ctx" -n 0 -ctk $kv -ctv $kv)
  warm=$(lb -p $edit -n 0 -d $((ctx - edit)) -ctk $kv -ctv $kv)
  deep=$(lb -p 0 -n 16 -d "$ctx" -ctk $kv -ctv $kv)
  zero=$(lb -p 0 -n 16 -d 0 -ctk $kv -ctv $kv)
  OURS="$ours" OURS_KV="$ours_kv" python3 - "$ctx" "$edit" "$kv" "$cold" "$warm" "$deep" "$zero" "$threads" <<'PY'
import json, os, sys
ctx, edit, kv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
cold, warm, deep, zero = (float(x) for x in sys.argv[4:8])
o = json.loads(os.environ["OURS"])
keys = ("coldPrefillMs", "warmPrefillMs", "decodeMsPerTokenAtDepth", "decodeMsPerTokenAtZero")
ll = (ctx / cold * 1000, edit / warm * 1000, 1000 / deep, 1000 / zero)
names = ("cold prefill", f"warm prefill ({edit} tokens)", f"decode at depth {ctx}", "decode at depth 0")
units = ("ms", "ms", "ms/token", "ms/token")
print(f"\nllama.cpp: {sys.argv[8]} threads")
if o is None:
    print(f"\n| {ctx} tokens, llama.cpp KV {kv} | llama.cpp |")
    print("|---|---|")
    for name, b, unit in zip(names, ll, units):
        print(f"| {name} | {b:.2f} {unit} |")
    sys.exit(0)
print(f"\n| {ctx} tokens, llama.cpp KV {kv} | Ropewalk ({os.environ['OURS_KV']} KV) | llama.cpp | Ropewalk / llama.cpp |")
print("|---|---|---|---|")
for name, k, b, unit in zip(names, keys, ll, units):
    print(f"| {name} | {o[k]:.2f} {unit} | {b:.2f} {unit} | {o[k] / b:.2f}× |")
PY
done
