#!/usr/bin/env bash
# Ropewalk's engine vs llama.cpp on the same model, in one run: cold prefill, a 64-token edit on a
# cached context, decoding at depth and at zero. llama.cpp is built by you from a source checkout
# (nothing of it is part of Ropewalk); its llama-bench and gguf-py are passed in.
# Usage: scripts/vs-llama-cpp.sh LLAMA_CPP_DIR LLAMA_BENCH [MODEL_NAME=small-cpu] [CONTEXT=8192]
set -euo pipefail
llama_dir=$1; llama_bench=$2; name=${3:-small-cpu}; ctx=${4:-8192}; edit=64
root=$(cd "$(dirname "$0")/.." && pwd)
gguf=$(mktemp --suffix=.gguf)
trap 'rm -f "$gguf"' EXIT
/usr/bin/python3 "$root/models/recipe/to_gguf.py" "$llama_dir" "$root/models/recipe/work/$name/checkpoint.pt" \
  "$root/models/$name/tokenizer.json" "$gguf" >/dev/null
ours=$(node "$root/dist/cli.js" engine-bench --model "$root/models/$name" --context "$ctx" --edit-tokens $edit --provider cpu --json 2>/dev/null)
lb() { "$llama_bench" -m "$gguf" -t "$(nproc)" -r 3 -o jsonl "$@" 2>/dev/null | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["avg_ts"])'; }
# llama-bench accepts only reduced-precision KV types: f16, its default, reads half the bytes ours does.
for kv in f16; do
  cold=$(lb -p "$ctx" -n 0 -ctk $kv -ctv $kv)
  warm=$(lb -p $edit -n 0 -d $((ctx - edit)) -ctk $kv -ctv $kv)
  deep=$(lb -p 0 -n 16 -d "$ctx" -ctk $kv -ctv $kv)
  zero=$(lb -p 0 -n 16 -d 0 -ctk $kv -ctv $kv)
  OURS="$ours" python3 - "$ctx" "$edit" "$kv" "$cold" "$warm" "$deep" "$zero" <<'PY'
import json, os, sys
ctx, edit, kv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
cold, warm, deep, zero = (float(x) for x in sys.argv[4:8])
o = json.loads(os.environ["OURS"])
rows = [("cold prefill", o["coldPrefillMs"], ctx / cold * 1000, "ms"),
        (f"warm prefill ({edit} tokens)", o["warmPrefillMs"], edit / warm * 1000, "ms"),
        (f"decode at depth {ctx}", o["decodeMsPerTokenAtDepth"], 1000 / deep, "ms/token"),
        ("decode at depth 0", o["decodeMsPerTokenAtZero"], 1000 / zero, "ms/token")]
print(f"\n| {ctx} tokens, llama.cpp KV {kv} | Ropewalk (fp32 KV) | llama.cpp | Ropewalk / llama.cpp |")
print("|---|---|---|---|")
for name, a, b, unit in rows:
    print(f"| {name} | {a:.2f} {unit} | {b:.2f} {unit} | {a / b:.2f}× |")
PY
done
