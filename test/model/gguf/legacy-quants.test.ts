import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dequantize } from '../../../src/model/gguf/ggml-types';
import { floatToHalf } from '../../../src/model/half';
import { toMatMulNBits } from '../../../src/model/gguf/matmul-nbits';

/** One Q5_0 block: weight j takes q = j (0…31): low nibbles in qs, the 16s bit in qh. */
function q5_0Block(d: number): Uint8Array {
  const b = new Uint8Array(22);
  const v = new DataView(b.buffer);
  v.setUint16(0, floatToHalf(d), true);
  let qh = 0;
  for (let j = 0; j < 32; j++) if (j & 16) qh |= 1 << j;
  v.setUint32(2, qh >>> 0, true);
  for (let j = 0; j < 16; j++) b[6 + j] = (j & 15) | (((j + 16) & 15) << 4);
  return b;
}

test('Q5_0: weight j of a block with q = j reads d·(j − 16)', () => {
  const out = dequantize('Q5_0', q5_0Block(0.5), 32);
  assert.deepEqual(
    [...out],
    Array.from({ length: 32 }, (_, j) => 0.5 * (j - 16)),
  );
});

test('Q5_1 and Q4_1 add their minimum: x = d·q + m', () => {
  const q51 = new Uint8Array(24);
  const v = new DataView(q51.buffer);
  v.setUint16(0, floatToHalf(0.25), true);
  v.setUint16(2, floatToHalf(-1), true);
  v.setUint32(4, 0xffffffff, true); // every weight's 5th bit set: q = 16 + nibble
  q51.fill(0x21, 8); // nibbles 1 (low) and 2 (high)
  const out = dequantize('Q5_1', q51, 32);
  assert.equal(out[0], 0.25 * 17 - 1);
  assert.equal(out[16], 0.25 * 18 - 1);
  const q41 = new Uint8Array(20);
  const w = new DataView(q41.buffer);
  w.setUint16(0, floatToHalf(2), true);
  w.setUint16(2, floatToHalf(0.5), true);
  q41.fill(0xf3, 4);
  const o41 = dequantize('Q4_1', q41, 32);
  assert.equal(o41[0], 2 * 3 + 0.5);
  assert.equal(o41[31], 2 * 15 + 0.5);
});

test('Q5_0 becomes 8-bit MatMulNBits exactly: (byte − 128)·scale is the dequantized weight', () => {
  const N = 3;
  const K = 64;
  const bytes = new Uint8Array(((N * K) / 32) * 22);
  for (let b = 0; b < (N * K) / 32; b++) bytes.set(q5_0Block(0.125 * (b + 1)), b * 22);
  for (let i = 0; i < bytes.length; i++)
    if (i % 22 >= 6) bytes[i] = (bytes[i] as number) ^ ((i * 37) % 256); // vary the nibbles
  const w = toMatMulNBits(6, bytes, N, K);
  assert.ok(w);
  assert.equal(w.bits, 8);
  assert.equal(w.blockSize, 32);
  const want = dequantize('Q5_0', bytes, N * K);
  const got = Array.from(w.packed, (u, i) => (u - 128) * (w.scales[Math.floor(i / 32)] as number));
  assert.deepEqual(got, [...want]);
});
