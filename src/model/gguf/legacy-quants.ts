// ggml's older 32-weight block types that K-quant files still hold: llama-quantize falls back to Q5_0
// (and Q5_1, Q4_1) for tensors whose rows are not whole 256-weight super-blocks — every matrix of
// Qwen2.5-Coder-0.5B's 896-wide layers in a Q4_K_M file, for one.

import { halfToFloat } from '../half';

/** The 5th bits of a block's 32 weights: bit j for weight j (low half) and bit j + 16 (high half). */
function fifthBits(v: DataView, at: number, j: number): [number, number] {
  const qh = v.getUint32(at, true);
  return [((qh >>> j) << 4) & 0x10, (qh >>> (j + 12)) & 0x10];
}

/** Q5_0 block (22 B): f16 d, u32 high bits, 16 B of low nibbles; x = d·(q − 16). */
export function dequantizeQ5_0(v: DataView, out: Float32Array): Float32Array {
  for (let b = 0; b < out.length / 32; b++) {
    const o = b * 22;
    const d = halfToFloat(v.getUint16(o, true));
    for (let j = 0; j < 16; j++) {
      const q = v.getUint8(o + 6 + j);
      const [h0, h1] = fifthBits(v, o + 2, j);
      out[b * 32 + j] = d * (((q & 15) | h0) - 16);
      out[b * 32 + j + 16] = d * (((q >> 4) | h1) - 16);
    }
  }
  return out;
}

/** Q5_1 block (24 B): f16 d, f16 m, u32 high bits, 16 B of low nibbles; x = d·q + m. */
export function dequantizeQ5_1(v: DataView, out: Float32Array): Float32Array {
  for (let b = 0; b < out.length / 32; b++) {
    const o = b * 24;
    const d = halfToFloat(v.getUint16(o, true));
    const m = halfToFloat(v.getUint16(o + 2, true));
    for (let j = 0; j < 16; j++) {
      const q = v.getUint8(o + 8 + j);
      const [h0, h1] = fifthBits(v, o + 4, j);
      out[b * 32 + j] = d * ((q & 15) | h0) + m;
      out[b * 32 + j + 16] = d * ((q >> 4) | h1) + m;
    }
  }
  return out;
}

/** Q4_1 block (20 B): f16 d, f16 m, 16 B of nibbles (x[j] low, x[j+16] high); x = d·q + m. */
export function dequantizeQ4_1(v: DataView, out: Float32Array): Float32Array {
  for (let b = 0; b < out.length / 32; b++) {
    const o = b * 20;
    const d = halfToFloat(v.getUint16(o, true));
    const m = halfToFloat(v.getUint16(o + 2, true));
    for (let j = 0; j < 16; j++) {
      const q = v.getUint8(o + 4 + j);
      out[b * 32 + j] = d * (q & 15) + m;
      out[b * 32 + j + 16] = d * (q >> 4) + m;
    }
  }
  return out;
}

/**
 * Q5_0 as MatMulNBits' 8-bit form, exactly: per block of 32, scale d and the stored byte q + 112, so
 * that (byte − 128)·d = (q − 16)·d with the default zero point of 128.
 */
export function packQ5_0As8Bit(
  v: DataView,
  N: number,
  K: number,
): { packed: Uint8Array; scales: Float32Array } {
  const blocks = (N * K) / 32;
  const packed = new Uint8Array(N * K); // [N, K/32, 32]
  const scales = new Float32Array(blocks); // [N, K/32]
  for (let b = 0; b < blocks; b++) {
    const o = b * 22;
    scales[b] = halfToFloat(v.getUint16(o, true));
    for (let j = 0; j < 16; j++) {
      const q = v.getUint8(o + 6 + j);
      const [h0, h1] = fifthBits(v, o + 2, j);
      packed[b * 32 + j] = ((q & 15) | h0) + 112;
      packed[b * 32 + j + 16] = ((q >> 4) | h1) + 112;
    }
  }
  return { packed, scales };
}
