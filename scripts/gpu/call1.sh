#!/usr/bin/env bash
# GPU verification, call 1 of 2 (device command: `bash scripts/gpu/call1.sh`, carry .gpu-carry/part1):
# unpacks the carried Node into /tmp/rw, which the machine keeps only while the next call follows
# within 30 s, and records what the machine is. Call 2 must be sent right after this one returns.
set -uo pipefail
rw=${RW_DIR:-/tmp/rw}
out=${OUT:?OUT is the folder whose files come back}
log=$out/call1.log
exec > >(tee "$log") 2>&1
t0=$(date +%s.%N)
mkdir -p "$rw/bin"
unxz() { # xz where it is installed, else Python's lzma (the GPU image has python3)
  if command -v xz >/dev/null; then xz -dc "$1" >"$2"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}
unxz .gpu-carry/part1/node.xz "$rw/bin/node.tmp" && chmod +x "$rw/bin/node.tmp" && mv "$rw/bin/node.tmp" "$rw/bin/node"
echo "node: $("$rw/bin/node" -v) at $rw/bin/node"
echo "machine: $(uname -srm); $(nproc) CPUs; $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
nvidia-smi -L 2>&1 | head -4
nvidia-smi --query-gpu=driver_version,memory.total --format=csv,noheader 2>&1 | head -2
echo "vulkan loader before .gl: $(ldconfig -p | grep -c 'libvulkan.so.1') entries"
ls /usr/local/nvidia/share/vulkan/icd.d/ /usr/share/vulkan/icd.d/ /etc/vulkan/icd.d/ 2>/dev/null
df -h /tmp | tail -1
date +%s >"$rw/call1.done"
echo "call 1: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s; send call 2 now"
