#!/bin/sh
# Rasterizes a benchmark's SVG charts to PNG with Debian's headless Chromium (a script, never at run
# time: the extension and the CLI write SVG only). Usage: scripts/bench-png.sh DIR  (DIR/charts/*.svg)
set -eu
dir=${1:?usage: scripts/bench-png.sh BENCH_OUT_DIR}
command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install chromium)" >&2; exit 1; }
for svg in "$dir"/charts/*.svg; do
  # The chart's own size, from its root element.
  w=$(sed -n 's/^<svg[^>]* width="\([0-9]*\)".*/\1/p' "$svg" | head -1)
  h=$(sed -n 's/^<svg[^>]* height="\([0-9]*\)".*/\1/p' "$svg" | head -1)
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="${w:-560},${h:-320}" \
    --screenshot="${svg%.svg}.png" "file://$(realpath "$svg")" >/dev/null 2>&1
  echo "${svg%.svg}.png"
done
