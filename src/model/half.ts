// IEEE binary16 and bfloat16 ↔ float32, exact (Node 20 has no Float16Array): GGUF weights and the
// fp16 KV cache. Decoding is a 65536-entry table; encoding works on float32 bit patterns, rounding to
// nearest even like a hardware conversion (F16C's VCVTPS2PH, ggml's GGML_FP32_TO_FP16).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

let table: Float32Array | undefined;

/** Every binary16 pattern's float32 value, built on first use (256 KB). */
function decodeTable(): Float32Array {
  if (table) return table;
  table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0)
      table[h] = (h & 0x8000 ? -1 : 1) * frac * 2 ** -24; // zero or subnormal
    else if (exp === 31)
      bits[h] = sign | 0x7f800000 | (frac << 13); // inf, or NaN with its payload
    else bits[h] = sign | ((exp + 112) << 23) | (frac << 13); // exponent rebased from 15 to 127
  }
  return table;
}

/** The float32 value of an IEEE binary16 bit pattern. */
export function halfToFloat(h: number): number {
  return decodeTable()[h & 0xffff] as number;
}

/**
 * The binary16 pattern nearest to the float32 with bit pattern `bits` (ties to even), subnormals
 * included; beyond the largest half (65504, with ties at 65520 going up) it is ±infinity, and a NaN
 * stays a NaN (quiet, with its sign and the top of its payload).
 */
export function halfBitsOf(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs >= 0x38800000) {
    // A normal half (≥ 2⁻¹⁴), or too big for one.
    if (abs > 0x7f800000) return sign | 0x7e00 | ((abs >>> 13) & 0x3ff);
    if (abs >= 0x47800000) return sign | 0x7c00; // ≥ 2¹⁶, or infinity
    // Rebase the exponent (127 → 15), then round the 13 dropped bits: adding 0xfff plus the kept
    // lowest bit carries exactly when the rest is over half, or half with an odd result. A carry out
    // of the mantissa bumps the exponent, which is the right result (up to infinity at 65520).
    const m = abs - 0x38000000;
    return sign | ((m + 0xfff + ((m >>> 13) & 1)) >>> 13);
  }
  // Below 2⁻²⁵ everything rounds to zero, and 2⁻²⁵ itself is a tie that goes to the even 0.
  if (abs <= 0x33000000) return sign;
  // A subnormal half: the mantissa with its implicit one, shifted to units of 2⁻²⁴.
  const m = (abs & 0x7fffff) | 0x800000;
  const shift = 126 - (abs >>> 23); // 14 (for [2⁻¹⁵, 2⁻¹⁴)) … 24 (for [2⁻²⁵, 2⁻²⁴))
  const kept = m >>> shift;
  const rest = m & ((1 << shift) - 1);
  const mid = 1 << (shift - 1);
  return sign | (kept + (rest > mid || (rest === mid && kept & 1) ? 1 : 0));
}

/** The binary16 bit pattern nearest to `value` once rounded to float32 (ties to even). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  return halfBitsOf(u32[0] as number);
}

/** `src` (binary16 patterns) as floats, into `dst` (same length or longer). */
export function halvesToFloats(
  src: Uint16Array,
  dst: Float32Array = new Float32Array(src.length),
): Float32Array {
  const t = decodeTable();
  for (let i = 0; i < src.length; i++) dst[i] = t[src[i] as number] as number;
  return dst;
}

/** `src` rounded to binary16 (ties to even), into `dst` (same length or longer). */
export function floatsToHalves(
  src: Float32Array,
  dst: Uint16Array = new Uint16Array(src.length),
): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) dst[i] = halfBitsOf(bits[i] as number);
  return dst;
}

/** The float32 value of a bfloat16 bit pattern: the top half of a float32. */
export function bf16ToFloat(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0] as number;
}
