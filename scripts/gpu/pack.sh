#!/usr/bin/env bash
# Packs what the GPU verification carries to the lent machine (no Node, no network there), sized per
# call, and prints each call's size against the 64 MiB a call may carry (tracked files included).
#   part 1 (call 1): the Node binary of this machine, stripped, xz'd                   → .gpu-carry/part1/
#   part 2 (call 2): onnxruntime-node's linux-x64 library (xz), the built dist/ and the few
#                    node_modules the CLI loads (tar.xz), the random-GGUF writer bundle → .gpu-carry/part2/
#   .gl/: the Vulkan loader and GL vendor-neutral dispatch (Debian's amd64 .debs), for Dawn on NVIDIA
# Both parts together are ~34 MB and the tracked files ~35 MiB, hence two calls (scripts/gpu/README.md).
# Usage, in the repository root: scripts/gpu/pack.sh        (reuses xz output newer than its source)
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
carry=.gpu-carry
mkdir -p "$carry/part1" "$carry/part2"
limit=$((64 * 1024 * 1024))

# xz -9e of a file into dest, unless dest is already newer than the source.
pack_xz() {
  local src=$1 dest=$2
  if [[ -f $dest && $dest -nt $src ]]; then return; fi
  nice -n 10 xz -9e -T1 -c "$src" >"$dest.tmp" && mv "$dest.tmp" "$dest"
}

# --- part 1: node ---
node_bin=$(readlink -f "$(command -v node)")
node_major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
[[ $node_major == 20 ]] || echo "pack: warning: node is $("$node_bin" -v), the project targets Node 20" >&2
stripped=$carry/node.stripped
if [[ ! -f $stripped || $node_bin -nt $stripped ]]; then
  # Debug info and symbols are 12 MB of the official binary; the program runs the same without them.
  if command -v strip >/dev/null; then strip -o "$stripped" "$node_bin"; else cp "$node_bin" "$stripped"; fi
fi
pack_xz "$stripped" "$carry/part1/node.xz"

# --- part 2: onnxruntime's library, the app, the GGUF writer ---
ort=node_modules/onnxruntime-node
pack_xz "$ort/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$carry/part2/libonnxruntime.so.1.xz"
if [[ -z ${SKIP_BUILD:-} ]]; then nice -n 10 npm run --silent build >/dev/null; fi
# What dist/cli.js requires at run time (esbuild leaves these external): onnxruntime-node (its JS, its
# binding; the library travels apart, above), onnxruntime-common, web-tree-sitter (loaded with the CLI).
nice -n 10 tar -cJf "$carry/part2/app.tar.xz" \
  dist/cli.js dist/inference-process.js dist/index-worker.js dist/report.js \
  "$ort/package.json" "$ort/dist" "$ort/bin/napi-v6/linux/x64/onnxruntime_binding.node" \
  node_modules/onnxruntime-common/package.json node_modules/onnxruntime-common/dist/cjs \
  node_modules/web-tree-sitter/package.json node_modules/web-tree-sitter/tree-sitter.cjs \
  node_modules/web-tree-sitter/tree-sitter.wasm
npx --no-install esbuild scripts/gpu/random-gguf.ts --bundle --platform=node --target=node20 \
  --outfile="$carry/part2/random-gguf.js" --log-level=warning

# --- .gl: the device README's recipe (amd64 packages whatever this machine's processor) ---
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p .gl /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  apt-get $o update >/dev/null
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 2>/dev/null)
fi

# A link travels as a link: a node_modules linked to another checkout would dangle on the machine,
# where call 2 unpacks into node_modules/.
[[ -L node_modules ]] && echo "pack: warning: node_modules is a link; run the calls from a checkout whose node_modules is a folder" >&2

# --- sizes against what a call may carry ---
bytes() { if [[ $# -eq 0 ]]; then echo 0; else du -cb "$@" | tail -1 | cut -f1; fi; }
tracked=$(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1)
mapfile -d '' untracked < <(git ls-files -z -o --exclude-standard)
loose=$(bytes "${untracked[@]}")
p1=$(bytes "$carry/part1")
p2=$(bytes "$carry/part2")
gl=$(bytes .gl)
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }
report() {
  local name=$1 total=$2
  printf '%-34s %12s  (%s of 64 MiB%s)\n' "$name" "$total" "$(mib "$total")" \
    "$([[ $total -le $limit ]] || echo ', OVER')"
}
printf '%-34s %12s  (%s)\n' 'tracked files' "$tracked" "$(mib "$tracked")"
printf '%-34s %12s  (%s)\n' 'untracked, not ignored' "$loose" "$(mib "$loose")"
printf '%-34s %12s  (%s)\n' "$carry/part1 (node)" "$p1" "$(mib "$p1")"
printf '%-34s %12s  (%s)\n' "$carry/part2 (onnxruntime, app)" "$p2" "$(mib "$p2")"
printf '%-34s %12s  (%s)\n' '.gl (Vulkan loader)' "$gl" "$(mib "$gl")"
report 'call 1 carries' $((tracked + loose + p1))
report 'call 2 carries' $((tracked + loose + p2 + gl))
report 'one call with both (for reference)' $((tracked + loose + p1 + p2 + gl))
(( tracked + loose + p1 <= limit && tracked + loose + p2 + gl <= limit )) || {
  echo 'pack: a call is over 64 MiB' >&2
  exit 1
}
