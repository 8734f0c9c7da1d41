// Repacks GGUF weights into onnxruntime's com.microsoft.MatMulNBits inputs without dequantizing.

import { packQ5_0As8Bit } from './legacy-quants';
import { GGML_TYPES, ggmlByteLength, kScaleMin, type GgmlTypeName } from './ggml-types';
import { halfToFloat } from '../half';

/**
 * MatMulNBits' B, scales and zero points for a weight of N output channels × K inputs; blocks run
 * along K in both formats, so each ggml row becomes one MatMulNBits row.
 * Dequantized weight: scale · (q − zeroPoint) − offset, zeroPoint = 2^(bits−1) when absent, offset 0.
 */
export interface MatMulNBitsWeight {
  bits: 4 | 8;
  blockSize: number;
  /** [N, K/blockSize, blockSize·bits/8], 4-bit values low nibble first along K. */
  packed: Uint8Array;
  /** [N, K/blockSize] */
  scales: Float32Array;
  /** [N, K/blockSize], float zero points (only where the type has per-block minimums). */
  zeroPoints?: Float32Array;
  /**
   * [N, K/blockSize]: subtracted from every value of the block, for types with per-block minimums. The
   * product's share, Σ_blocks (Σ x over the block)·offset, is one small float product beside
   * MatMulNBits, whose fast kernels take no float zero points.
   */
  offsets?: Float32Array;
}

/** Types with an exact mapping (see each packer for how). */
export const MATMUL_NBITS_TYPES = [
  'Q8_0',
  'Q4_0',
  'Q5_0',
  'Q4_K',
  'Q6_K',
] as const satisfies readonly GgmlTypeName[];

/** The MatMulNBits form of a ggml weight [N rows, K], or undefined where there is no exact one. */
export function toMatMulNBits(
  type: number,
  bytes: Uint8Array,
  N: number,
  K: number,
): MatMulNBitsWeight | undefined {
  const need = ggmlByteLength(type, N * K);
  if (bytes.byteLength < need)
    throw new RangeError(`[${N}, ${K}] of type ${type} needs ${need} bytes`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, need);
  switch (type) {
    case GGML_TYPES.Q8_0.id:
      return K % 32 === 0 ? fromQ8_0(v, N * K) : undefined;
    case GGML_TYPES.Q4_0.id:
      return K % 32 === 0 ? fromQ4_0(v, N * K) : undefined;
    case GGML_TYPES.Q5_0.id:
      return K % 32 === 0 ? { bits: 8, blockSize: 32, ...packQ5_0As8Bit(v, N, K) } : undefined;
    case GGML_TYPES.Q4_K.id:
      return K % 256 === 0 ? fromQ4K(v, N * K) : undefined;
    case GGML_TYPES.Q6_K.id:
      return K % 256 === 0 ? fromQ6K(v, N * K) : undefined;
    default:
      return undefined;
  }
}

// Q8_0: i8 q → u8 q + 128 against the default zero point 128; the scale is d. Exact.
function fromQ8_0(v: DataView, count: number): MatMulNBitsWeight {
  const blocks = count / 32;
  const packed = new Uint8Array(count); // [N, K/32, 32]
  const scales = new Float32Array(blocks); // [N, K/32]
  for (let b = 0; b < blocks; b++) {
    scales[b] = halfToFloat(v.getUint16(b * 34, true));
    for (let j = 0; j < 32; j++) packed[b * 32 + j] = v.getInt8(b * 34 + 2 + j) + 128;
  }
  return { bits: 8, blockSize: 32, packed, scales };
}

// Q4_0: ggml byte j holds x[j] (low) and x[j+16] (high); MatMulNBits byte i holds x[2i] (low) and
// x[2i+1] (high). Same default zero point 8, scale d. Exact.
function fromQ4_0(v: DataView, count: number): MatMulNBitsWeight {
  const blocks = count / 32;
  const packed = new Uint8Array(count / 2); // [N, K/32, 16]
  const scales = new Float32Array(blocks); // [N, K/32]
  const q = new Uint8Array(32);
  for (let b = 0; b < blocks; b++) {
    const o = b * 18;
    scales[b] = halfToFloat(v.getUint16(o, true));
    for (let j = 0; j < 16; j++) {
      const byte = v.getUint8(o + 2 + j);
      q[j] = byte & 15;
      q[j + 16] = byte >> 4;
    }
    for (let i = 0; i < 16; i++) packed[b * 16 + i] = q[2 * i]! | (q[2 * i + 1]! << 4);
  }
  return { bits: 4, blockSize: 32, packed, scales };
}

// Q4_K: each sub-block of 32 is d·sc·q − dmin·m = (d·sc)·(q − 8) − (dmin·m − 8·d·sc): 4-bit blocks
// with the implicit zero 8 (the fast kernel's form, as Q4_0) and a per-block offset. Exact up to float
// rounding; a sub-block of scale 0 and a minimum is the offset alone.
function fromQ4K(v: DataView, count: number): MatMulNBitsWeight {
  const subBlocks = count / 32;
  const packed = new Uint8Array(count / 2); // [N, K/32, 16]
  const scales = new Float32Array(subBlocks); // [N, K/32]
  const offsets = new Float32Array(subBlocks); // [N, K/32]
  for (let b = 0; b < count / 256; b++) {
    const o = b * 144;
    const d = halfToFloat(v.getUint16(o, true));
    const dmin = halfToFloat(v.getUint16(o + 2, true));
    for (let s = 0; s < 8; s++) {
      const [sc, m] = kScaleMin(v, o + 4, s);
      const scale = d * sc;
      const sub = b * 8 + s;
      scales[sub] = scale;
      offsets[sub] = dmin * m - 8 * scale;
      // Sub-blocks 2p and 2p+1 share 32 bytes: 2p in the low nibbles, 2p+1 in the high ones.
      const qs = o + 16 + (s >> 1) * 32;
      const shift = (s & 1) * 4;
      for (let i = 0; i < 16; i++) {
        const lo = (v.getUint8(qs + 2 * i) >> shift) & 15;
        const hi = (v.getUint8(qs + 2 * i + 1) >> shift) & 15;
        packed[sub * 16 + i] = lo | (hi << 4);
      }
    }
  }
  return { bits: 4, blockSize: 32, packed, scales, offsets };
}

// Q6_K: 6-bit q with d·sc per sub-block of 16, x = d·sc·(q − 32) → 8 bits, block 16, u8 = q + 96
// against the default zero point 128. Exact.
function fromQ6K(v: DataView, count: number): MatMulNBitsWeight {
  const packed = new Uint8Array(count); // [N, K/16, 16]
  const scales = new Float32Array(count / 16); // [N, K/16]
  for (let b = 0; b < count / 256; b++) {
    const o = b * 210;
    const d = halfToFloat(v.getUint16(o + 208, true));
    for (let s = 0; s < 16; s++) scales[b * 16 + s] = d * v.getInt8(o + 192 + s);
    for (let half = 0; half < 2; half++) {
      const ql = o + half * 64;
      const qh = o + 128 + half * 32;
      const base = b * 256 + half * 128;
      for (let l = 0; l < 32; l++) {
        const h = v.getUint8(qh + l);
        const lo = v.getUint8(ql + l);
        const lo2 = v.getUint8(ql + l + 32);
        packed[base + l] = ((lo & 15) | ((h & 3) << 4)) + 96;
        packed[base + l + 32] = ((lo2 & 15) | (((h >> 2) & 3) << 4)) + 96;
        packed[base + l + 64] = ((lo >> 4) | (((h >> 4) & 3) << 4)) + 96;
        packed[base + l + 96] = ((lo2 >> 4) | (((h >> 6) & 3) << 4)) + 96;
      }
    }
  }
  return { bits: 8, blockSize: 16, packed, scales };
}
