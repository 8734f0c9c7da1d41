// binary16 ↔ float32: known values, every half pattern, every rounding tie between two neighbours.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  floatsToHalves,
  floatToHalf,
  halfBitsOf,
  halfToFloat,
  halvesToFloats,
} from '../../src/model/half';
import { seededRandom } from '../../src/model/sampling';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number) => ((f32[0] = x), u32[0] as number);
const floatOfBits = (b: number) => ((u32[0] = b), f32[0] as number);

/** IEEE 754 binary16 by its definition, independently of the table. */
function halfByDefinition(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

test('known values encode to their IEEE binary16 patterns', () => {
  const cases: Array<[number, number]> = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.1, 0x2e66],
    [1 / 3, 0x3555],
    [65504, 0x7bff], // the largest half
    [floatOfBits(0x477fefff), 0x7bff], // just below 65520 rounds down
    [65520, 0x7c00], // the tie above the largest half goes to infinity
    [1e6, 0x7c00],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // the smallest normal
    [2 ** -24, 0x0001], // the smallest subnormal
    [2 ** -25, 0x0000], // tie between 0 and 2⁻²⁴: to the even 0
    [floatOfBits(0x33000001), 0x0001], // just above that tie
    [1.5 * 2 ** -24, 0x0002], // tie between 1 and 2 units: to the even 2
    [2.5 * 2 ** -24, 0x0002], // tie between 2 and 3 units: to the even 2
    [1023 * 2 ** -24, 0x03ff], // the largest subnormal
    [1023.5 * 2 ** -24, 0x0400], // rounds up into the normals
    [1 + 2 ** -11, 0x3c00], // tie: to the even 1
    [1 + 3 * 2 ** -11, 0x3c02], // tie: to the even 0x3c02
    [2049, 0x6800],
    [2051, 0x6802],
    [-1e-10, 0x8000], // underflow keeps the sign
  ];
  for (const [value, half] of cases)
    assert.equal(floatToHalf(value), half, `${value} → 0x${half.toString(16)}`);
  const nan = floatToHalf(NaN);
  assert.equal(nan & 0x7c00, 0x7c00);
  assert.notEqual(nan & 0x3ff, 0, 'NaN stays a NaN, not infinity');
  assert.ok(Number.isNaN(halfToFloat(floatToHalf(NaN))));
});

test('every half pattern decodes to its defined value and encodes back to itself', () => {
  for (let h = 0; h < 65536; h++) {
    const value = halfToFloat(h);
    const defined = halfByDefinition(h);
    if (Number.isNaN(defined)) {
      assert.ok(Number.isNaN(value), `0x${h.toString(16)} is a NaN`);
      // Encoding quiets a signalling NaN (as F16C does) and keeps its sign and payload.
      const asFloat = ((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13);
      assert.equal(halfBitsOf(asFloat), h | 0x200, `NaN 0x${h.toString(16)}`);
      continue;
    }
    assert.ok(Object.is(value, defined), `0x${h.toString(16)}: ${value} vs ${defined}`);
    assert.equal(floatToHalf(value), h, `0x${h.toString(16)} round trip`);
  }
});

test('between every two neighbouring halves: the midpoint goes to the even one, either side of it to the nearer', () => {
  for (const sign of [0, 0x8000]) {
    for (let h = 0; h < 0x7c00; h++) {
      const lo = Math.abs(halfToFloat(h));
      // Above the largest half the next step would be 2¹⁶: the midpoint is 65520.
      const hi = h === 0x7bff ? 65536 : Math.abs(halfToFloat(h + 1));
      const mid = (lo + hi) / 2; // exact in float32: a half has 11 significant bits
      const s = sign ? -1 : 1;
      const even = h & 1 ? h + 1 : h;
      assert.equal(floatToHalf(s * mid), sign | even, `tie after 0x${h.toString(16)}`);
      const below = floatOfBits(bitsOf(mid) - 1);
      const above = floatOfBits(bitsOf(mid) + 1);
      assert.equal(floatToHalf(s * below), sign | h, `below the tie after 0x${h.toString(16)}`);
      assert.equal(floatToHalf(s * above), sign | (h + 1), `above the tie 0x${h.toString(16)}`);
    }
  }
});

test('the array conversions equal the scalar ones, on views with an offset too', () => {
  const r = seededRandom(7);
  const buffer = new Float32Array(1001);
  for (let i = 0; i < buffer.length; i++)
    buffer[i] = (r() * 2 - 1) * 2 ** Math.floor(r() * 40 - 28); // subnormals to overflow
  const src = buffer.subarray(1);
  const halves = floatsToHalves(src);
  src.forEach((x, i) => assert.equal(halves[i], floatToHalf(x)));
  const back = halvesToFloats(halves.subarray(3), new Float32Array(halves.length));
  for (let i = 3; i < halves.length; i++)
    assert.equal(back[i - 3], halfToFloat(halves[i] as number));
});
