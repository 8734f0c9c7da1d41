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
