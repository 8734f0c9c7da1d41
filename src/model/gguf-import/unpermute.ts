// llama.cpp's converter reorders the rows of `llama`-architecture Q and K weights so that each
// rotary pair sits side by side (its interleaved RoPE); Ropewalk's graph rotates halves (pair j with
// j + hd/2), so those rows are put back. Rows only: quantized rows move as whole byte runs.

/**
 * [rows, rowBytes] data whose rows are in llama.cpp's order → rotate-half order. Within each head of
 * `headDim` rows, the converter's row 2j + t holds the original row t·hd/2 + j.
 */
export function unpermuteRows(
  data: Uint8Array,
  rowBytes: number,
  nHeads: number,
  headDim: number,
): Uint8Array {
  if (data.length !== nHeads * headDim * rowBytes) {
    throw new RangeError(
      `unpermuteRows: ${data.length} bytes is not ${nHeads} heads × ${headDim} rows × ${rowBytes} bytes`,
    );
  }
  const out = new Uint8Array(data.length);
  const half = headDim / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let j = 0; j < half; j++) {
      for (let t = 0; t < 2; t++) {
        const from = (h * headDim + 2 * j + t) * rowBytes;
        const to = (h * headDim + t * half + j) * rowBytes;
        out.set(data.subarray(from, from + rowBytes), to);
      }
    }
  }
  return out;
}

/** The converter's direction (rotate-half → interleaved): what gguf-export writes, as llama.cpp's converter would. */
export function permuteRows(
  data: Uint8Array,
  rowBytes: number,
  nHeads: number,
  headDim: number,
): Uint8Array {
  const out = new Uint8Array(data.length);
  const half = headDim / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let j = 0; j < half; j++) {
      for (let t = 0; t < 2; t++) {
        const from = (h * headDim + t * half + j) * rowBytes;
        out.set(data.subarray(from, from + rowBytes), (h * headDim + 2 * j + t) * rowBytes);
      }
    }
  }
  return out;
}
