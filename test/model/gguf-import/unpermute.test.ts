import assert from 'node:assert/strict';
import { test } from 'node:test';
import { permuteRows, unpermuteRows } from '../../../src/model/gguf-import/unpermute';

test('llama.cpp puts rotary pairs side by side: rows [r0 r1 r2 r3] of one 4-wide head become [r0 r2 r1 r3]', () => {
  const rows = Uint8Array.from([10, 11, 20, 21, 30, 31, 40, 41]); // 4 rows of 2 bytes
  assert.deepEqual([...permuteRows(rows, 2, 1, 4)], [10, 11, 30, 31, 20, 21, 40, 41]);
  assert.deepEqual([...unpermuteRows(permuteRows(rows, 2, 1, 4), 2, 1, 4)], [...rows]);
});

test('un-permuting restores every head of a larger weight, whatever the row width', () => {
  const heads = 3;
  const hd = 8;
  const rowBytes = 34; // one Q8_0 block per row: rows move whole
  const data = Uint8Array.from({ length: heads * hd * rowBytes }, (_, i) => (i * 7 + 3) % 251);
  const permuted = permuteRows(data, rowBytes, heads, hd);
  assert.notDeepEqual(permuted, data);
  assert.deepEqual(unpermuteRows(permuted, rowBytes, heads, hd), data);
  assert.throws(() => unpermuteRows(data.subarray(1), rowBytes, heads, hd), RangeError);
});
