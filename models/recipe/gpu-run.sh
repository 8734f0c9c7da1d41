#!/usr/bin/env bash
# What the GPU session passes to the device `run` tool (models/README.md, "The GPU run"):
#   bash models/recipe/gpu-run.sh          the training call; carry models/recipe/work/gpu-pack
#   bash models/recipe/gpu-run.sh stage    a call that carries models/recipe/work/shards/shard-NNN.jsonl.xz
#                                          and moves them to /tmp/ropewalk-shards for the training call
#                                          (the machine keeps /tmp only while calls follow within 30 s)
#   bash models/recipe/gpu-run.sh smoke    optional: ~1.5 min on random tokens, no carry (the GPU path alone)
# CONFIG and BUDGET_MINUTES override base-gpu and 8.5. Everything the run leaves in $OUT comes back.
set -o pipefail
start=$(date +%s.%N)  # the budget counts from here, PyTorch's import included
cd "$(dirname "$0")/../.." || exit 1
case "${1:-train}" in
  stage)
    mkdir -p /tmp/ropewalk-shards
    cp -v models/recipe/work/shards/shard-*.jsonl.xz /tmp/ropewalk-shards/ && ls -la /tmp/ropewalk-shards
    ;;
  train)
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
    echo "cores $(nproc); shards waiting: $(ls /tmp/ropewalk-shards 2>/dev/null | tr '\n' ' ')"
    PYTHONUNBUFFERED=1 python3 models/recipe/gpu_run.py --pack models/recipe/work/gpu-pack \
      --shards-dir /tmp/ropewalk-shards --config "${CONFIG:-base-gpu}" --out "$OUT" --device cuda \
      --budget-minutes "${BUDGET_MINUTES:-8.5}" --started-at "$start" 2>&1 | tee "$OUT/stdout.log"
    ;;
  smoke)
    # The training path alone on random tokens for about a minute: compile, kernels, checkpoints, tokens/s.
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
    PYTHONUNBUFFERED=1 python3 models/recipe/gpu_run.py --smoke --device cuda --config "${CONFIG:-base-gpu}" \
      --out "$OUT" --budget-minutes "${BUDGET_MINUTES:-1.5}" --reserve-seconds 15 --started-at "$start" \
      2>&1 | tee "$OUT/stdout.log"
    ;;
  *)
    echo "usage: bash models/recipe/gpu-run.sh [train|stage|smoke]" >&2
    exit 2
    ;;
esac
