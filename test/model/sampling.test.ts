import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argmax, sampleToken, seededRandom } from '../../src/model/sampling';

const logits = Float32Array.from([0, 3, 1, 2.9, -5]);

test('temperature 0 is greedy', () => {
  assert.equal(argmax(logits), 1);
  assert.equal(sampleToken(logits), 1);
  assert.equal(sampleToken(logits, { temperature: 0, random: () => 0.99 }), 1);
});

test('sampling follows the softmax, and top-p cuts the tail', () => {
  const random = seededRandom(7);
  const counts = new Map<number, number>();
  for (let i = 0; i < 4000; i++) {
    const t = sampleToken(logits, { temperature: 1, random });
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const z = [0, 3, 1, 2.9, -5].map(Math.exp);
  const p1 = (z[1] as number) / z.reduce((a, b) => a + b);
  assert.ok(
    Math.abs((counts.get(1) ?? 0) / 4000 - p1) < 0.03,
    `token 1 drawn ${(counts.get(1) ?? 0) / 4000}, expected ${p1}`,
  );
  // top-p 0.5: only the best token survives (its share is ~0.49 < 0.5, so the second joins; nothing else).
  const kept = new Set<number>();
  for (let i = 0; i < 500; i++)
    kept.add(sampleToken(logits, { temperature: 1, topP: 0.5, random }));
  assert.deepEqual([...kept].sort(), [1, 3]);
});

test('a seeded generator is reproducible', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  for (let i = 0; i < 5; i++) assert.equal(a(), b());
});
