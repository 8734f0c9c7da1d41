// Matrices with no fast exact MatMulNBits form, requantized to 8 bits per block of 32 (symmetric, the
// default zero point): onnxruntime 1.30's CPU kernel has no fast path for float zero points (Q4_K's
// exact form ran 1 row × [896, 4864] in 2.96 ms against 0.09 ms at 8 bits), and none at all for Q4_1,
// Q5_1, Q5_K. The added error is at most half an 8-bit step of each block — below the source's own.

import type { MatMulNBitsWeight } from './matmul-nbits';

/** [N, K] floats → 8-bit blocks of 32 along K: scale amax/127, byte round(x/scale) + 128. */
export function requantize8(values: Float32Array, N: number, K: number): MatMulNBitsWeight {
  if (K % 32 !== 0) throw new RangeError(`requantize8: K = ${K} is not a multiple of 32`);
  const blocks = (N * K) / 32;
  const packed = new Uint8Array(N * K); // [N, K/32, 32]
  const scales = new Float32Array(blocks); // [N, K/32]
  for (let b = 0; b < blocks; b++) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(values[b * 32 + j] as number));
    const scale = amax / 127;
    scales[b] = scale;
    for (let j = 0; j < 32; j++) {
      const q = scale === 0 ? 0 : Math.round((values[b * 32 + j] as number) / scale);
      packed[b * 32 + j] = Math.max(-127, Math.min(127, q)) + 128;
    }
  }
  return { bits: 8, blockSize: 32, packed, scales };
}

/** The largest |x − requantized x| over the matrix, for the log and the tests. */
export function requantizeError(values: Float32Array, w: MatMulNBitsWeight): number {
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const back = ((w.packed[i] as number) - 128) * (w.scales[Math.floor(i / 32)] as number);
    worst = Math.max(worst, Math.abs(back - (values[i] as number)));
  }
  return worst;
}
