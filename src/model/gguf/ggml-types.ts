// The ggml weight types a GGUF file may hold: block layout per type, and (de)quantization to float32.

import { bf16ToFloat, floatToHalf, halfToFloat } from '../half';
import { dequantizeQ4_1, dequantizeQ5_0, dequantizeQ5_1 } from './legacy-quants';

export interface GgmlTypeInfo {
  readonly id: number;
  readonly name: string;
  /** Weights per block. */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly blockBytes: number;
}

/** Byte sizes from ggml-common.h's static_asserts; K-quants have 256-weight super-blocks. */
export const GGML_TYPES = {
  F32: { id: 0, name: 'F32', blockSize: 1, blockBytes: 4 },
  F16: { id: 1, name: 'F16', blockSize: 1, blockBytes: 2 },
  Q4_0: { id: 2, name: 'Q4_0', blockSize: 32, blockBytes: 18 },
  Q4_1: { id: 3, name: 'Q4_1', blockSize: 32, blockBytes: 20 },
  Q5_0: { id: 6, name: 'Q5_0', blockSize: 32, blockBytes: 22 },
  Q5_1: { id: 7, name: 'Q5_1', blockSize: 32, blockBytes: 24 },
  Q8_0: { id: 8, name: 'Q8_0', blockSize: 32, blockBytes: 34 },
  Q2_K: { id: 10, name: 'Q2_K', blockSize: 256, blockBytes: 84 },
  Q3_K: { id: 11, name: 'Q3_K', blockSize: 256, blockBytes: 110 },
  Q4_K: { id: 12, name: 'Q4_K', blockSize: 256, blockBytes: 144 },
  Q5_K: { id: 13, name: 'Q5_K', blockSize: 256, blockBytes: 176 },
  Q6_K: { id: 14, name: 'Q6_K', blockSize: 256, blockBytes: 210 },
  BF16: { id: 30, name: 'BF16', blockSize: 1, blockBytes: 2 },
} as const satisfies Record<string, GgmlTypeInfo>;

export type GgmlTypeName = keyof typeof GGML_TYPES;

const byId = new Map<number, GgmlTypeInfo>(Object.values(GGML_TYPES).map((t) => [t.id, t]));

export const DEQUANTIZABLE = [
  'F32',
  'F16',
  'BF16',
  'Q8_0',
  'Q4_0',
  'Q4_1',
  'Q5_0',
  'Q5_1',
  'Q4_K',
  'Q5_K',
  'Q6_K',
] as const;
export const QUANTIZABLE = ['F32', 'F16', 'Q8_0', 'Q4_0', 'Q4_K'] as const;

/** A weight type this code cannot handle for the asked operation. */
export class UnsupportedWeightTypeError extends Error {
  override readonly name = 'UnsupportedWeightTypeError';
  constructor(
    readonly type: number | string,
    operation: string,
    supported: readonly string[],
    options?: ErrorOptions,
  ) {
    const label = typeof type === 'number' ? (byId.get(type)?.name ?? `ggml type ${type}`) : type;
    super(`${label} cannot be ${operation}: supported are ${supported.join(', ')}.`, options);
  }
}

/** The table entry for a ggml type id, or undefined for ids this table does not know. */
export function ggmlType(id: number): GgmlTypeInfo | undefined {
  return byId.get(id);
}

/** Bytes that `count` weights of `type` occupy (count must be whole blocks). */
export function ggmlByteLength(type: number, count: number): number {
  const info = byId.get(type);
  if (!info) throw new UnsupportedWeightTypeError(type, 'sized', Object.keys(GGML_TYPES));
  if (count % info.blockSize !== 0) {
    throw new RangeError(`${count} weights are not whole ${info.name} blocks of ${info.blockSize}`);
  }
  return (count / info.blockSize) * info.blockBytes;
}

function typeId(type: number | GgmlTypeName): number {
  return typeof type === 'number' ? type : GGML_TYPES[type].id;
}

/** Float32 weights from `count` weights of `type` stored in `bytes` (ggml's dequantize_row_*). */
export function dequantize(
  type: number | GgmlTypeName,
  bytes: Uint8Array,
  count: number,
): Float32Array {
  const id = typeId(type);
  const need = ggmlByteLength(id, count);
  if (bytes.byteLength < need) {
    throw new RangeError(`${count} weights need ${need} bytes, got ${bytes.byteLength}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, need);
  const out = new Float32Array(count);
  switch (id) {
    case GGML_TYPES.F32.id:
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    case GGML_TYPES.F16.id:
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return out;
    case GGML_TYPES.BF16.id:
      for (let i = 0; i < count; i++) out[i] = bf16ToFloat(view.getUint16(2 * i, true));
      return out;
    case GGML_TYPES.Q8_0.id:
      return dequantizeQ8_0(view, out);
    case GGML_TYPES.Q4_0.id:
      return dequantizeQ4_0(view, out);
    case GGML_TYPES.Q4_1.id:
      return dequantizeQ4_1(view, out);
    case GGML_TYPES.Q5_0.id:
      return dequantizeQ5_0(view, out);
    case GGML_TYPES.Q5_1.id:
      return dequantizeQ5_1(view, out);
    case GGML_TYPES.Q4_K.id:
      return dequantizeQ4K(view, out, false);
    case GGML_TYPES.Q5_K.id:
      return dequantizeQ4K(view, out, true);
    case GGML_TYPES.Q6_K.id:
      return dequantizeQ6K(view, out);
    default:
      throw new UnsupportedWeightTypeError(id, 'dequantized', DEQUANTIZABLE);
  }
}

// Block: f16 d, then 32 × i8; x = d·q.
function dequantizeQ8_0(v: DataView, out: Float32Array): Float32Array {
  for (let b = 0; b < out.length / 32; b++) {
    const o = b * 34;
    const d = halfToFloat(v.getUint16(o, true));
    for (let j = 0; j < 32; j++) out[b * 32 + j] = d * v.getInt8(o + 2 + j);
  }
  return out;
}

// Block: f16 d, then 16 bytes; byte j holds x[j] in its low nibble and x[j+16] in its high one.
function dequantizeQ4_0(v: DataView, out: Float32Array): Float32Array {
  for (let b = 0; b < out.length / 32; b++) {
    const o = b * 18;
    const d = halfToFloat(v.getUint16(o, true));
    for (let j = 0; j < 16; j++) {
      const q = v.getUint8(o + 2 + j);
      out[b * 32 + j] = d * ((q & 15) - 8);
      out[b * 32 + j + 16] = d * ((q >> 4) - 8);
    }
  }
  return out;
}

/** Sub-block `j`'s 6-bit scale and min from a K-quant's 12 packed bytes (ggml's get_scale_min_k4). */
export function kScaleMin(v: DataView, at: number, j: number): [scale: number, min: number] {
  if (j < 4) return [v.getUint8(at + j) & 63, v.getUint8(at + j + 4) & 63];
  const hi = v.getUint8(at + j + 4);
  return [
    (hi & 0xf) | ((v.getUint8(at + j - 4) >> 6) << 4),
    (hi >> 4) | ((v.getUint8(at + j) >> 6) << 4),
  ];
}

// Q4_K: f16 d, f16 dmin, 12 B scales, 128 B nibbles (144 B). Q5_K adds 32 B of high bits before
// the nibbles (176 B). Each 64 weights share 32 nibble bytes: low nibbles first, then high ones.
function dequantizeQ4K(v: DataView, out: Float32Array, fiveBit: boolean): Float32Array {
  const blockBytes = fiveBit ? 176 : 144;
  for (let b = 0; b < out.length / 256; b++) {
    const o = b * blockBytes;
    const d = halfToFloat(v.getUint16(o, true));
    const dmin = halfToFloat(v.getUint16(o + 2, true));
    const qh = o + 16;
    const qs = fiveBit ? o + 48 : o + 16;
    for (let part = 0; part < 4; part++) {
      const [sc1, m1] = kScaleMin(v, o + 4, 2 * part);
      const [sc2, m2] = kScaleMin(v, o + 4, 2 * part + 1);
      const base = b * 256 + part * 64;
      for (let l = 0; l < 32; l++) {
        const q = v.getUint8(qs + part * 32 + l);
        const h = fiveBit ? v.getUint8(qh + l) >> (2 * part) : 0;
        out[base + l] = d * sc1 * ((q & 15) + (h & 1 ? 16 : 0)) - dmin * m1;
        out[base + 32 + l] = d * sc2 * ((q >> 4) + (h & 2 ? 16 : 0)) - dmin * m2;
      }
    }
  }
  return out;
}

// Q6_K: 128 B low nibbles, 64 B high 2-bit pairs, 16 × i8 scales, f16 d (210 B); q − 32 per
// sub-block of 16. Each half of 128 weights reads 64 low bytes and 32 high bytes.
function dequantizeQ6K(v: DataView, out: Float32Array): Float32Array {
  for (let b = 0; b < out.length / 256; b++) {
    const o = b * 210;
    const d = halfToFloat(v.getUint16(o + 208, true));
    for (let half = 0; half < 2; half++) {
      const ql = o + half * 64;
      const qh = o + 128 + half * 32;
      const sc = o + 192 + half * 8;
      const base = b * 256 + half * 128;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = v.getUint8(qh + l);
        const lo = v.getUint8(ql + l);
        const lo2 = v.getUint8(ql + l + 32);
        out[base + l] = d * v.getInt8(sc + is) * (((lo & 15) | ((h & 3) << 4)) - 32);
        out[base + l + 32] =
          d * v.getInt8(sc + is + 2) * (((lo2 & 15) | (((h >> 2) & 3) << 4)) - 32);
        out[base + l + 64] =
          d * v.getInt8(sc + is + 4) * (((lo >> 4) | (((h >> 4) & 3) << 4)) - 32);
        out[base + l + 96] =
          d * v.getInt8(sc + is + 6) * (((lo2 >> 4) | (((h >> 6) & 3) << 4)) - 32);
      }
    }
  }
  return out;
}

/** C's roundf: halves away from zero (Math.round takes them towards +∞). */
function roundAway(x: number): number {
  return Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
}

/** `values` stored as `type`, round-to-nearest as ggml's quantize_row_*_ref does. */
export function quantize(type: number | GgmlTypeName, values: Float32Array): Uint8Array {
  const id = typeId(type);
  const out = new Uint8Array(ggmlByteLength(id, values.length));
  const v = new DataView(out.buffer);
  const fr = Math.fround;
  switch (id) {
    case GGML_TYPES.F32.id:
      values.forEach((x, i) => v.setFloat32(4 * i, x, true));
      return out;
    case GGML_TYPES.F16.id:
      values.forEach((x, i) => v.setUint16(2 * i, floatToHalf(x), true));
      return out;
    case GGML_TYPES.Q8_0.id:
      for (let b = 0; b < values.length / 32; b++) {
        const xs = values.subarray(b * 32, b * 32 + 32);
        const amax = xs.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
        const d = fr(amax / 127);
        const inv = d ? fr(1 / d) : 0;
        v.setUint16(b * 34, floatToHalf(d), true);
        xs.forEach((x, j) => v.setInt8(b * 34 + 2 + j, roundAway(fr(x * inv))));
      }
      return out;
    case GGML_TYPES.Q4_0.id:
      for (let b = 0; b < values.length / 32; b++) {
        const xs = values.subarray(b * 32, b * 32 + 32);
        // The signed value of largest magnitude maps to −8, so the full range −8..7 is used.
        let max = 0;
        for (const x of xs) if (Math.abs(x) > Math.abs(max)) max = x;
        const d = fr(max / -8);
        const inv = d ? fr(1 / d) : 0;
        v.setUint16(b * 18, floatToHalf(d), true);
        for (let j = 0; j < 16; j++) {
          const lo = Math.min(15, Math.trunc(fr(fr(xs[j]! * inv) + 8.5)));
          const hi = Math.min(15, Math.trunc(fr(fr(xs[j + 16]! * inv) + 8.5)));
          out[b * 18 + 2 + j] = lo | (hi << 4);
        }
      }
      return out;
    case GGML_TYPES.Q4_K.id:
      for (let b = 0; b < values.length / 256; b++)
        quantizeQ4KBlock(values.subarray(b * 256, b * 256 + 256), v, b * 144);
      return out;
    default:
      throw new UnsupportedWeightTypeError(id, 'quantized', QUANTIZABLE);
  }
}

/**
 * One Q4_K super-block (the layout dequantizeQ4K reads): each sub-block of 32 gets the plain min/max fit
 * `x ≈ d·sc·q − dmin·m` with q in 0..15, its scale and min as 6-bit multiples of the block's f16 d and
 * dmin. ggml's own quantizer searches for a better fit (make_qkx2_quants); this one is for writing test
 * and benchmark models, whose file format is what matters, not the last bit of accuracy.
 */
function quantizeQ4KBlock(xs: Float32Array, v: DataView, at: number): void {
  const scales: number[] = [];
  const mins: number[] = [];
  for (let s = 0; s < 8; s++) {
    const sub = xs.subarray(s * 32, s * 32 + 32);
    const lo = Math.min(0, ...sub);
    const hi = Math.max(...sub);
    scales.push((hi - lo) / 15);
    mins.push(-lo);
  }
  // d and dmin as stored (f16), so that the 6-bit multiples are fitted to the values dequantization reads.
  const d = halfToFloat(floatToHalf(Math.max(...scales) / 63));
  const dmin = halfToFloat(floatToHalf(Math.max(...mins) / 63));
  v.setUint16(at, floatToHalf(d), true);
  v.setUint16(at + 2, floatToHalf(dmin), true);
  const six = (x: number, unit: number) => (unit ? Math.min(63, Math.round(x / unit)) : 0);
  const sc = scales.map((x) => six(x, d));
  const m = mins.map((x) => six(x, dmin));
  // The inverse of kScaleMin: sub-blocks 0-3 in the low 6 bits of bytes 0-7, 4-7 split over the
  // low and high nibbles of bytes 8-11 and the top 2 bits of bytes 0-7.
  for (let j = 0; j < 4; j++) {
    const [s4, m4] = [sc[j + 4] as number, m[j + 4] as number];
    v.setUint8(at + 4 + j, (sc[j] as number) | ((s4 >> 4) << 6));
    v.setUint8(at + 8 + j, (m[j] as number) | ((m4 >> 4) << 6));
    v.setUint8(at + 12 + j, (s4 & 15) | ((m4 & 15) << 4));
  }
  for (let part = 0; part < 4; part++)
    for (let l = 0; l < 32; l++) {
      const q = (s: number, x: number) => {
        const step = d * (sc[s] as number);
        return step
          ? Math.max(0, Math.min(15, Math.round((x + dmin * (m[s] as number)) / step)))
          : 0;
      };
      const lo = q(2 * part, xs[part * 64 + l] as number);
      const hi = q(2 * part + 1, xs[part * 64 + 32 + l] as number);
      v.setUint8(at + 16 + part * 32 + l, lo | (hi << 4));
    }
}
