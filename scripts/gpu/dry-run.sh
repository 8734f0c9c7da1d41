#!/usr/bin/env bash
# Rehearses the two GPU calls on this machine, as the device machine will see them: each call gets a
# fresh copy of the working tree as it travels (tracked files and untracked ones git does not ignore; no
# dist/, no node_modules/) plus only that call's carried folders, a scratch folder as /tmp/rw and one as
# OUT, and a PATH whose `node` fails, so that nothing of this machine's Node or packages leaks in.
# Usage, in the repository root, after scripts/gpu/pack.sh:
#   scripts/gpu/dry-run.sh [SCRATCH=/tmp/rw-dry]       GPU_PROVIDER=cpu (default here) | webgpu
# Env: DEADLINE (default 390), VERIFY_ARGS (e.g. "--only parity"), and for GPU_PROVIDER=webgpu a
# Vulkan driver this machine has (LD_LIBRARY_PATH, VK_DRIVER_FILES: lavapipe, see scripts/gpu/README.md).
set -euo pipefail
root=$(git rev-parse --show-toplevel)
scratch=${1:-/tmp/rw-dry}
rm -rf "$scratch"
mkdir -p "$scratch/rw" "$scratch/nonode" "$scratch/out1" "$scratch/out2"
printf '#!/bin/sh\necho "dry run: this machine'"'"'s node was called: $0 $*" >&2\nexit 99\n' >"$scratch/nonode/node"
chmod +x "$scratch/nonode/node"

# One call's tree: what travels, plus the named carried paths.
tree() {
  local dest=$1
  shift
  mkdir -p "$dest"
  (cd "$root" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$dest"
  # A link travels as a link, and one that points outside the tree (a worktree's node_modules linked to
  # the main checkout's) would dangle there and, here, lead into this machine's files: dropped, said.
  find "$dest" -type l | while read -r link; do
    case $(readlink -f "$link") in
      "$dest"/*) ;;
      *) echo "dry run: dropped ${link#"$dest"/} (a link out of the tree; it would dangle there)" && rm "$link" ;;
    esac
  done
  for p in "$@"; do
    mkdir -p "$dest/$(dirname "$p")"
    cp -r "$root/$p" "$dest/$p"
  done
}

call() {
  local n=$1
  shift
  local t0
  t0=$(date +%s.%N)
  local rc=0
  (cd "$scratch/tree$n" && env -u NODE_PATH PATH="$scratch/nonode:$PATH" RW_DIR="$scratch/rw" \
    OUT="$scratch/out$n" NO_GL=1 GPU_PROVIDER="${GPU_PROVIDER:-cpu}" "$@") || rc=$?
  awk -v n="$n" -v rc="$rc" -v a="$t0" -v b="$(date +%s.%N)" \
    'BEGIN { printf "dry run: call %s: rc %s, %.1f s wall\n", n, rc, b - a }'
  return $rc
}

tree "$scratch/tree1" .gpu-carry/part1
tree "$scratch/tree2" .gpu-carry/part2 .gl
du -sb "$scratch/tree1" "$scratch/tree2" | awk '{ printf "dry run: %s travels %.2f MiB\n", $2, $1 / 1048576 }'
call 1 bash scripts/gpu/call1.sh
call 2 bash scripts/gpu/call2.sh || true
echo "dry run: results in $scratch/out2 ($(ls "$scratch/out2" | tr '\n' ' '))"
