// Test helper: symmetric per-block int8 quantization into MatMulNBits' layout (u8 = q + 128, no zero points).

import type { FloatWeight, NBitsWeight } from '../../../src/model/graph/decoder-spec';

export function quantize8(w: FloatWeight, blockSize: number): NBitsWeight {
  const [n, k] = w.dims as [number, number];
  const blocks = Math.ceil(k / blockSize);
  const packed = new Uint8Array(n * blocks * blockSize).fill(128); // [N, K/bs, bs]; padding decodes to 0
  const scales = new Float32Array(n * blocks); // [N, K/bs]
  for (let r = 0; r < n; r++)
    for (let blk = 0; blk < blocks; blk++) {
      const from = blk * blockSize;
      const to = Math.min(k, from + blockSize);
      let amax = 0;
      for (let c = from; c < to; c++) amax = Math.max(amax, Math.abs(w.data[r * k + c] as number));
      const scale = amax / 127 || 1;
      scales[r * blocks + blk] = scale;
      for (let c = from; c < to; c++) {
        const q = Math.max(-127, Math.min(127, Math.round((w.data[r * k + c] as number) / scale)));
        packed[r * blocks * blockSize + c] = q + 128;
      }
    }
  return { kind: 'nbits', bits: 8, blockSize, N: n, K: k, packed, scales };
}

/** Asymmetric per-block 4-bit with packed uint8 zero points (low nibble first), MatMulNBits' layout. */
export function quantize4(w: FloatWeight, blockSize: number): NBitsWeight {
  const [n, k] = w.dims as [number, number];
  const blocks = Math.ceil(k / blockSize);
  const zpRow = Math.ceil(blocks / 2);
  const packed = new Uint8Array((n * blocks * blockSize) / 2); // [N, K/bs, bs/2]
  const scales = new Float32Array(n * blocks); // [N, K/bs]
  const zeroPoints = new Uint8Array(n * zpRow); // [N, ⌈(K/bs)/2⌉]
  for (let r = 0; r < n; r++)
    for (let blk = 0; blk < blocks; blk++) {
      const from = blk * blockSize;
      const to = Math.min(k, from + blockSize);
      let [lo, hi] = [0, 0];
      for (let c = from; c < to; c++) {
        lo = Math.min(lo, w.data[r * k + c] as number);
        hi = Math.max(hi, w.data[r * k + c] as number);
      }
      const scale = (hi - lo) / 15 || 1;
      const zero = Math.max(0, Math.min(15, Math.round(-lo / scale)));
      scales[r * blocks + blk] = scale;
      const zAt = r * zpRow + (blk >> 1);
      zeroPoints[zAt] = (zeroPoints[zAt] as number) | (blk & 1 ? zero << 4 : zero);
      for (let c = from; c < to; c++) {
        const q = Math.max(
          0,
          Math.min(15, Math.round((w.data[r * k + c] as number) / scale) + zero),
        );
        const at = r * blocks * (blockSize / 2) + (c >> 1);
        packed[at] = (packed[at] as number) | (c & 1 ? q << 4 : q);
      }
    }
  return { kind: 'nbits', bits: 4, blockSize, N: n, K: k, packed, scales, zeroPoints };
}
