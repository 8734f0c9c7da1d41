import assert from 'node:assert/strict';
import { test } from 'node:test';
import { floatsToHalves, halvesToFloats } from '../../src/model/half';
import { KvCache, KvCapacityError, type KvArray } from '../../src/model/kv-cache';
import { baseInverseFrequencies } from '../../src/model/rope-tables';
import { seededRandom } from '../../src/model/sampling';

// 2 layers, 2 kv heads, head dim 4: 8 floats per token per layer.
const rows = (count: number, start: number) =>
  Float32Array.from({ length: count * 8 }, (_, i) => start + i);

test('append grows by doubling; views are prefixes of the same buffers; truncation is free', () => {
  const c = new KvCache(2, 2, 4, { initialCapacity: 2 });
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
  const c = new KvCache(2, 2, 4, { initialCapacity: 1, maxBytes: 4 * 8 * 2 * 2 * 4 }); // room for 4 tokens
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
  const c = new KvCache(1, 2, 4, { initialCapacity: 4 });
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
  const c = new KvCache(1, 2, 4, { initialCapacity: 4 });
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

// fp16: the same operations on bit patterns; compared with an fp32 cache fed the same entries.

const random = (count: number, seed: number, rowSize = 8) => {
  const r = seededRandom(seed);
  return Float32Array.from({ length: count * rowSize }, () => (r() * 2 - 1) * 3);
};
const widened = (a: KvArray) => (a instanceof Uint16Array ? halvesToFloats(a) : a);

test('an fp16 cache stores the nearest halves of what it is given, in half the bytes', () => {
  const c = new KvCache(2, 2, 4, { initialCapacity: 1, kvType: 'float16' });
  const k = [random(3, 1), random(3, 2)];
  const v = [random(3, 3), random(3, 4)];
  c.append(k, v, 3); // float32 entries, rounded on the way in
  const halves = floatsToHalves(random(2, 5));
  c.append([halves, halves], [halves, halves], 2); // fp16 entries (the fp16 graph's outputs), as they are
  const view = c.view();
  assert.equal(view.kvType, 'float16');
  assert.ok(view.keys[1] instanceof Uint16Array);
  assert.deepEqual(Array.from(view.keys[1]), [...floatsToHalves(k[1] as Float32Array), ...halves]);
  assert.deepEqual(
    Array.from((view.values[0] as Uint16Array).subarray(0, 24)),
    Array.from(floatsToHalves(v[0] as Float32Array)),
  );
  assert.equal(c.bytesFor(1), new KvCache(2, 2, 4).bytesFor(1) / 2);
});

test('the memory bound of an fp16 cache holds twice the tokens', () => {
  const bound = 4 * 8 * 2 * 2 * 4; // 4 fp32 tokens
  const c = new KvCache(2, 2, 4, { initialCapacity: 1, maxBytes: bound, kvType: 'float16' });
  c.append([random(8, 1), random(8, 1)], [random(8, 1), random(8, 1)], 8);
  assert.throws(
    () => c.append([random(1, 1), random(1, 1)], [random(1, 1), random(1, 1)], 1),
    KvCapacityError,
  );
  assert.equal(c.length, 8);
});

test('fp16 shiftKeys is exactly the fp16 rounding of the fp32 rotation, and within fp16 rounding of the fp32 cache', () => {
  const inv = baseInverseFrequencies(8, 10000);
  const keys = random(6, 11, 16);
  const half = new KvCache(1, 2, 8, { kvType: 'float16' });
  half.append([keys], [keys], 6);
  const full = new KvCache(1, 2, 8);
  full.append([keys], [keys], 6);
  for (const [from, to, delta] of [
    [2, 5, 300],
    [1, 3, -41],
  ] as const) {
    // An fp32 cache holding the fp16 cache's (rounded) keys: the rotation the fp16 cache rounds.
    const same = new KvCache(1, 2, 8);
    same.append(half.view().keys, half.view().values, 6);
    for (const c of [half, full, same]) c.shiftKeys(from, to, delta, inv);
    assert.deepEqual(
      Array.from(half.view().keys[0] as Uint16Array),
      Array.from(floatsToHalves(same.view().keys[0] as Float32Array)),
    );
  }
  const h = half.view().keys[0] as Uint16Array;
  // Keys below 3, so pairs below 4.5 in norm: a rounding moves a pair by at most 2⁻¹¹·4.5·√2, a
  // rotation keeps that, and a key shifted twice was rounded three times.
  const f = full.view().keys[0] as Float32Array;
  const hf = halvesToFloats(h);
  const tolerance = 3 * 2 ** -11 * 4.5 * Math.SQRT2;
  f.forEach((x, i) => assert.ok(Math.abs(x - (hf[i] as number)) <= tolerance, `${i}`));
  assert.deepEqual(
    Array.from(half.view().values[0] as Uint16Array),
    Array.from(floatsToHalves(keys)),
  );
  half.shiftKeys(3, 3, 5, inv); // an empty span is a no-op
});

test('fp16 moveTokens, truncate, clone and appendFrom keep the same entries as fp32 ones, rounded', () => {
  const run = (kvType: 'float32' | 'float16') => {
    const c = new KvCache(2, 2, 4, { initialCapacity: 2, kvType });
    c.append([random(5, 1), random(5, 2)], [random(5, 3), random(5, 4)], 5);
    const copy = c.clone(1);
    c.moveTokens(3, 5, 1);
    c.truncate(3);
    c.appendFrom(copy, 2, 2);
    return { c, copy };
  };
  const a = run('float32');
  const b = run('float16');
  assert.equal(b.c.length, 5);
  assert.equal(b.copy.kvType, 'float16');
  for (const [x, y] of [
    [a.c, b.c],
    [a.copy, b.copy],
  ] as const) {
    const vx = x.view();
    const vy = y.view();
    for (const part of ['keys', 'values'] as const)
      for (let l = 0; l < 2; l++)
        assert.deepEqual(
          Array.from(widened(vy[part][l] as KvArray)),
          Array.from(halvesToFloats(floatsToHalves(vx[part][l] as Float32Array))),
        );
  }
  // An fp32 cache takes fp16 entries too (widened exactly).
  const wide = new KvCache(2, 2, 4);
  wide.appendFrom(b.c, 0, 5);
  assert.deepEqual(
    Array.from(wide.view().keys[0] as Float32Array),
    Array.from(widened(b.c.view().keys[0] as KvArray)),
  );
});
