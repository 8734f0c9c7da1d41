import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requantize8, requantizeError } from '../../../src/model/gguf/requantize';

test('requantizing to 8 bits errs by at most half a step of each block, and zero blocks stay zero', () => {
  const N = 4;
  const K = 64;
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const values = Float32Array.from({ length: N * K }, (_, i) =>
    i >= N * K - 32 ? 0 : rand() * (1 + (i % 5)),
  );
  const w = requantize8(values, N, K);
  assert.equal(w.bits, 8);
  assert.equal(w.blockSize, 32);
  assert.equal(w.zeroPoints, undefined, 'the default zero point: the fast kernel');
  for (let b = 0; b < (N * K) / 32; b++) {
    const block = values.subarray(b * 32, (b + 1) * 32);
    const step = Math.max(...Array.from(block, Math.abs)) / 127;
    for (let j = 0; j < 32; j++) {
      const back = ((w.packed[b * 32 + j] as number) - 128) * (w.scales[b] as number);
      assert.ok(Math.abs(back - (block[j] as number)) <= step / 2 + 1e-7);
    }
  }
  assert.ok(requantizeError(values, w) > 0);
  assert.deepEqual([...w.packed.subarray(N * K - 32)], new Array(32).fill(128));
  assert.throws(() => requantize8(values.subarray(0, 48), 1, 48), RangeError);
});
