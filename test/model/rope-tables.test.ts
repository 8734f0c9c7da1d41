import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseInverseFrequencies, rotaryTables } from '../../src/model/rope-tables';

test('inverse frequencies follow θ_i = base^(-2i/d)', () => {
  const inv = baseInverseFrequencies(8, 10000);
  assert.deepEqual(Array.from(inv), [1, 10000 ** -0.25, 10000 ** -0.5, 10000 ** -0.75]);
});

test('tables hold cos and sin of position × frequency, row per position', () => {
  const inv = baseInverseFrequencies(4, 10000);
  const t = rotaryTables([0, 3, 32767], inv);
  assert.equal(t.count, 3);
  assert.equal(t.cos.length, 6);
  assert.equal(t.cos[0], 1);
  assert.equal(t.sin[0], 0);
  assert.equal(t.cos[2], Math.fround(Math.cos(3)));
  assert.equal(t.sin[3], Math.fround(Math.sin(3 * 0.01)));
  // Far positions are computed in float64 before rounding: exact to float32 precision.
  assert.equal(t.sin[4], Math.fround(Math.sin(32767)));
});
