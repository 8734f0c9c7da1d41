#!/usr/bin/env bash
# llama.cpp's speed on a Qwen2.5-Coder-shaped random model, the table Ropewalk's engine is compared against.
# Usage: scripts/llama-ref/speed-ref.sh LLAMA_DIR [SHAPE=qwen-0.5b] [TYPES="Q8_0 Q4_K_M"] [THREADS=2] [REPS=2]
# The GGUF files (1 GB and more) go to /tmp/ropewalk-speed-ref and are never committed.
# Tests: prefill 2048 and 4096 tokens; 16 decoded tokens at depth 0 and 4096; a 64-token prompt at depth 4096.
set -euo pipefail
llama_dir=$(cd "$1" && pwd); shape=${2:-qwen-0.5b}; types=${3:-Q8_0 Q4_K_M}; threads=${4:-2}; reps=${5:-2}
here=$(cd "$(dirname "$0")" && pwd)
bin=$llama_dir/build/bin
dir=/tmp/ropewalk-speed-ref
mkdir -p "$dir"
src=$dir/qwen2-$shape-f16.gguf
[ -f "$src" ] || PYTHONPATH=$llama_dir/gguf-py python3 "$here/make-random-gguf.py" qwen2 "$shape" "$src" --dtype f16
for q in $types; do
  f=$dir/qwen2-$shape-$(echo "$q" | tr A-Z a-z).gguf
  [ -f "$f" ] || "$bin/llama-quantize" "$src" "$f" "$q" "$threads" >/dev/null 2>&1
  # llama-bench runs each -p/-n/-d combination; -n 0 / -p 0 keep prefill and decoding apart.
  "$bin/llama-bench" -m "$f" -t "$threads" -r "$reps" -p 2048,4096 -n 0 -o md
  "$bin/llama-bench" -m "$f" -t "$threads" -r "$reps" -p 0 -n 16 -d 0,4096 -o md
  "$bin/llama-bench" -m "$f" -t "$threads" -r "$reps" -p 64 -n 0 -d 4096 -o md
done
