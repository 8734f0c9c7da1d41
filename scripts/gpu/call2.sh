#!/usr/bin/env bash
# GPU verification, call 2 of 2 (device command: `bash scripts/gpu/call2.sh`, carry .gpu-carry/part2
# and .gl): unpacks onnxruntime and the app beside the Node call 1 left in /tmp/rw, installs the Vulkan
# loader as the device README says, and runs scripts/gpu/verify.mjs (GPU_PROVIDER, default webgpu,
# against the CPU) under DEADLINE seconds (default 390). Results: $OUT/verify.json, summary.md, logs.
# Env for a dry run elsewhere: RW_DIR (instead of /tmp/rw), NO_GL=1 (leave / alone), GPU_PROVIDER=cpu.
set -uo pipefail
rw=${RW_DIR:-/tmp/rw}
out=${OUT:?OUT is the folder whose files come back}
exec > >(tee "$out/call2.log") 2>&1
node=$rw/bin/node
if [[ ! -x $node ]]; then
  echo "call 2: no $node: call 1 did not run on this machine, or more than 30 s passed and the machine"
  echo "was given back. Send call 1, then call 2 at once."
  exit 3
fi
t0=$(date +%s)
unxz() {
  if command -v xz >/dev/null; then xz -dc "$1" >"$2"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}
# dist/ and node_modules/ are ignored, so they are not in the tree that travelled: unpack them here.
if command -v xz >/dev/null; then tar -xJf .gpu-carry/part2/app.tar.xz
else unxz .gpu-carry/part2/app.tar.xz "$rw/app.tar" && tar -xf "$rw/app.tar"; fi
lib=node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1
unxz .gpu-carry/part2/libonnxruntime.so.1.xz "$lib"
echo "unpacked in $(($(date +%s) - t0)) s: $(du -sh dist node_modules | tr '\n' ' ')"

if [[ -z ${NO_GL:-} ]]; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
  icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [[ -f $icd ]]; then
    export VK_DRIVER_FILES=$icd
    export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  fi
fi
echo "vulkan loader: $(ldconfig -p | grep 'libvulkan.so.1' | head -1 | sed 's/.*=> //'); VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
# The driver library the ICD names must load: say where it resolves (or that it does not).
if [[ -n ${VK_DRIVER_FILES:-} && -f $VK_DRIVER_FILES ]]; then
  icd_lib=$(sed -n 's/.*"library_path": *"\([^"]*\)".*/\1/p' "$VK_DRIVER_FILES")
  echo "ICD library: $icd_lib → $(ldconfig -p | grep -m1 "${icd_lib##*/}" | sed 's/.*=> //')"
fi
export XDG_CACHE_HOME=$rw/cache
"$node" scripts/gpu/verify.mjs --out "$out" --provider "${GPU_PROVIDER:-webgpu}" \
  --deadline "${DEADLINE:-390}" --gguf-tool .gpu-carry/part2/random-gguf.js --gguf-dir "$rw/gguf" \
  ${VERIFY_ARGS:-}
echo "call 2: $(($(date +%s) - t0)) s"
