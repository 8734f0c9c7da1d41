// ggml weight types: dequantization of hand-built blocks, quantize → dequantize round trips, errors.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dequantize,
  GGML_TYPES,
  ggmlByteLength,
  quantize,
  UnsupportedWeightTypeError,
} from '../../../src/model/gguf/ggml-types';
import { floatToHalf, halfToFloat } from '../../../src/model/half';

const half = (x: number) => floatToHalf(x) & 0xff;
const halfHi = (x: number) => floatToHalf(x) >> 8;

test('half-float conversion rounds to nearest even and keeps subnormals', () => {
  for (const x of [0, 1, -2, 0.5, 65504, 2 ** -24, 2 ** -14, 1 / 3]) {
    assert.equal(halfToFloat(floatToHalf(x)), Math.abs(x) < 2 ** -25 ? 0 : roundToHalf(x));
  }
  assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00); // a tie goes to the even mantissa
  assert.equal(floatToHalf(1e6), 0x7c00);
});

function roundToHalf(x: number): number {
  return x === 1 / 3 ? 0.333251953125 : x;
}

test('Q8_0 and Q4_0 blocks dequantize as hand-computed', () => {
  const q8 = new Uint8Array(34);
  q8.set([half(0.5), halfHi(0.5)], 0);
  q8[2] = 3;
  q8[3] = 0xff; // −1
  assert.deepEqual([...dequantize('Q8_0', q8, 32).subarray(0, 3)], [1.5, -0.5, 0]);
  const q4 = new Uint8Array(18);
  q4.set([half(2), halfHi(2)], 0);
  q4[2] = 0x1f; // x[0] = 2·(15−8), x[16] = 2·(1−8)
  const x = dequantize('Q4_0', q4, 32);
  assert.deepEqual([x[0], x[1], x[16]], [14, -16, -14]);
});

test('F16, BF16 and F32 read as stored', () => {
  assert.deepEqual([...dequantize('BF16', Uint8Array.of(0x80, 0x3f, 0x00, 0xc0), 2)], [1, -2]);
  assert.deepEqual([...dequantize('F16', Uint8Array.of(0x00, 0x3c, 0x00, 0xb8), 2)], [1, -0.5]);
  assert.deepEqual([...dequantize('F32', new Uint8Array(Float32Array.of(3.5).buffer), 1)], [3.5]);
});

test('Q4_K: 6-bit scales and mins per sub-block, low nibbles then high nibbles per 64', () => {
  const b = new Uint8Array(144);
  b.set([half(1), halfHi(1), half(0.5), halfHi(0.5)], 0);
  b[4 + 0] = 2; // sub-block 0: scale 2
  b[4 + 4] = 4; // sub-block 0: min 4
  b[4 + 1] = 3; // sub-block 1: scale 3, min 0
  // Sub-block 4: scale = (scales[8] & 15) | (scales[0] >> 6) << 4 = 16 + 1; min = (scales[8] >> 4) | ((scales[4] >> 6) << 4) = 2.
  b[4 + 0] = 2 | 0x40;
  b[4 + 8] = 0x21;
  b[16] = 0x75; // x[0]: q 5, x[32]: q 7
  b[16 + 64] = 0x0a; // x[128] (sub-block 4): q 10
  const x = dequantize('Q4_K', b, 256);
  assert.equal(x[0], 1 * 2 * 5 - 0.5 * 4);
  assert.equal(x[1], -2);
  assert.equal(x[32], 1 * 3 * 7);
  assert.equal(x[128], 17 * 10 - 0.5 * 2);
});

test('Q5_K adds the high bit from qh; Q6_K joins low nibbles, 2 high bits and int8 scales', () => {
  const b = new Uint8Array(176);
  b.set([half(1), halfHi(1), half(1), halfHi(1)], 0);
  b[4 + 0] = 1; // sub-block 0: scale 1, min 0
  b[4 + 1] = 1;
  b[16 + 0] = 0b11; // qh[0]: high bit for x[0] and x[32]
  b[48 + 0] = 0x32; // x[0]: 2 + 16, x[32]: 3 + 16
  const x = dequantize('Q5_K', b, 256);
  assert.deepEqual([x[0], x[32], x[1]], [18, 19, 0]);

  const c = new Uint8Array(210);
  c.set([half(0.5), halfHi(0.5)], 208);
  c[192 + 0] = 2; // scale of x[0..15]
  c[192 + 2] = 0xfe; // −2: scale of x[32..47]
  c[0] = 0x0f; // x[0] low 15
  c[128] = 0b0111; // x[0] high 3 → q = 63; x[32] high 1
  const y = dequantize('Q6_K', c, 256);
  assert.equal(y[0], 0.5 * 2 * (63 - 32));
  assert.equal(y[32], 0.5 * -2 * (16 - 32));
  assert.equal(y[1], 0.5 * 2 * -32);
});

test('quantize then dequantize stays within a step of each block', () => {
  const xs = Float32Array.from({ length: 256 }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 7)));
  for (const [type, steps] of [
    ['Q8_0', 127],
    ['Q4_0', 8],
  ] as const) {
    const back = dequantize(type, quantize(type, xs), xs.length);
    for (let b = 0; b < 8; b++) {
      const block = xs.subarray(b * 32, b * 32 + 32);
      const amax = block.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const step = amax / steps;
      for (let j = 0; j < 32; j++) {
        // Half a step (Q4_0: a whole one, as +amax clips to 7 when −amax maps to −8), plus the
        // f16 rounding of the scale times the largest quant.
        const bound = step * ((type === 'Q4_0' ? 1 : 0.5) + 2 ** -10 * steps) + 1e-6;
        assert.ok(Math.abs(back[b * 32 + j]! - block[j]!) <= bound, `${type} ${b * 32 + j}`);
      }
    }
  }
  assert.deepEqual(
    dequantize('F16', quantize('F16', Float32Array.of(0.25)), 1),
    Float32Array.of(0.25),
  );
});

test('Q4_K: quantize then dequantize stays within a step of each sub-block, mins and scales 6-bit', () => {
  // Two super-blocks; sub-blocks of different ranges and offsets, one all positive, one constant.
  const xs = Float32Array.from({ length: 512 }, (_, i) => {
    const s = i >> 5;
    if (s === 3) return 0.75; // constant: min 0, one scale step
    const x = Math.sin(i * 0.37) * (0.5 + (s % 5));
    return s === 9 ? Math.abs(x) + 2 : x; // all positive: the fit's min is 0
  });
  const q = quantize('Q4_K', xs);
  assert.equal(q.byteLength, 2 * 144);
  const back = dequantize('Q4_K', q, xs.length);
  for (let s = 0; s < 16; s++) {
    const sub = xs.subarray(s * 32, s * 32 + 32);
    const range = Math.max(...sub) - Math.min(0, ...sub);
    for (let j = 0; j < 32; j++) {
      // Half a 4-bit step, and the 6-bit rounding of the sub-block's scale and min (each off by at
      // most half a unit of the block's largest, times 15 and 1).
      const bound = range / 30 + (range / 63) * 0.5 + 0.02 * range + 1e-6;
      const i = s * 32 + j;
      assert.ok(Math.abs(back[i]! - xs[i]!) <= bound, `Q4_K ${i}: ${back[i]} vs ${xs[i]}`);
    }
  }
  assert.ok(Math.abs(back[3 * 32]! - 0.75) < 0.05, 'constant sub-block');
});

test('types without (de)quantization name themselves and what is supported', () => {
  assert.throws(
    () => dequantize('Q2_K', new Uint8Array(84), 256),
    (e: unknown) => {
      assert.ok(e instanceof UnsupportedWeightTypeError);
      assert.match(e.message, /Q2_K cannot be dequantized: supported are F32, F16, BF16, Q8_0/);
      return true;
    },
  );
  assert.throws(() => quantize('Q6_K', new Float32Array(256)), UnsupportedWeightTypeError);
  assert.throws(() => ggmlByteLength(99, 1), /ggml type 99/);
  assert.equal(ggmlByteLength(GGML_TYPES.Q6_K.id, 512), 420);
});
