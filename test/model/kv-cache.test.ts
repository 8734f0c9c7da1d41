import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KvCache, KvCapacityError } from '../../src/model/kv-cache';
import { baseInverseFrequencies } from '../../src/model/rope-tables';

// 2 layers, 2 kv heads, head dim 4: 8 floats per token per layer.
const rows = (count: number, start: number) =>
  Float32Array.from({ length: count * 8 }, (_, i) => start + i);

test('append grows by doubling; views are prefixes of the same buffers; truncation is free', () => {
  const c = new KvCache(2, 2, 4, 2);
  c.append([rows(3, 0), rows(3, 100)], [rows(3, 1000), rows(3, 2000)], 3);
  c.append([rows(2, 24), rows(2, 124)], [rows(2, 1024), rows(2, 2024)], 2);
  assert.equal(c.length, 5);
  assert.deepEqual(
    Array.from(c.view().keys[0] as Float32Array),
    Array.from({ length: 40 }, (_, i) => i),
  );
  assert.deepEqual(
    Array.from(c.view().values[1] as Float32Array),
    Array.from({ length: 40 }, (_, i) => 2000 + i),
  );
  c.truncate(2);
  assert.equal(c.view().keys[0]?.length, 16);
  assert.equal(c.bytesFor(1), 8 * 2 * 2 * 4);
});

test('the memory bound is enforced with a named error, and nothing is lost', () => {
  const c = new KvCache(2, 2, 4, 1, 4 * 8 * 2 * 2 * 4); // room for 4 tokens
  c.append([rows(3, 0), rows(3, 0)], [rows(3, 0), rows(3, 0)], 3);
  assert.throws(
    () => c.append([rows(2, 0), rows(2, 0)], [rows(2, 0), rows(2, 0)], 2),
    KvCapacityError,
  );
  assert.equal(c.length, 3);
  c.append([rows(1, 7), rows(1, 7)], [rows(1, 7), rows(1, 7)], 1);
  assert.equal(c.length, 4);
});

test('shifting keys by Δ composes: +Δ then −Δ restores them; values never move', () => {
  const c = new KvCache(1, 2, 4, 4);
  c.append([rows(3, 1)], [rows(3, 1)], 3);
  const before = Float32Array.from(c.view().keys[0] as Float32Array);
  const inv = baseInverseFrequencies(4, 10000);
  c.shiftKeys(1, 3, 37, inv);
  const moved = c.view().keys[0] as Float32Array;
  assert.deepEqual(Array.from(moved.subarray(0, 8)), Array.from(before.subarray(0, 8))); // token 0 untouched
  assert.notDeepEqual(Array.from(moved.subarray(8)), Array.from(before.subarray(8)));
  // A rotation keeps each pair's norm.
  const norm = (a: Float32Array, i: number) => Math.hypot(a[i] as number, a[i + 2] as number);
  assert.ok(Math.abs(norm(moved, 8) - norm(before, 8)) < 1e-4);
  c.shiftKeys(1, 3, -37, inv);
  (c.view().keys[0] as Float32Array).forEach((v, i) =>
    assert.ok(Math.abs(v - (before[i] as number)) < 1e-3),
  );
  assert.deepEqual(Array.from(c.view().values[0] as Float32Array), Array.from(rows(3, 1)));
});

test('moveTokens closes a gap; clone is independent', () => {
  const c = new KvCache(1, 2, 4, 4);
  c.append([rows(4, 0)], [rows(4, 0)], 4);
  const copy = c.clone();
  c.moveTokens(3, 4, 1);
  c.truncate(2);
  assert.deepEqual(Array.from(c.view().keys[0] as Float32Array), [
    ...Array.from({ length: 8 }, (_, i) => i),
    ...Array.from({ length: 8 }, (_, i) => 24 + i),
  ]);
  assert.equal(copy.length, 4);
  assert.equal(copy.view().keys[0]?.[8], 8);
});
