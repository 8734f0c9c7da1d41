import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planReuse } from '../../src/model/reuse-plan';

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const A = range(1000, 40);
const B = range(2000, 40);
const C = range(3000, 40);
const tail = range(9000, 10);

test('an unchanged prompt keeps everything but the last token', () => {
  const old = [...A, ...B, ...tail];
  const p = planReuse(old, [A, B, tail]);
  assert.equal(p.keep, old.length - 1);
  assert.deepEqual(p.steps, [{ kind: 'compute', at: old.length - 1, tokens: [9009] }]);
});

test('a typed-on prompt keeps the old prompt and computes the new tail', () => {
  const p = planReuse([...A, ...tail], [A, [...tail, 7, 8]]);
  assert.equal(p.keep, 50);
  assert.deepEqual(p.steps, [{ kind: 'compute', at: 50, tokens: [7, 8] }]);
  assert.equal(p.reused, 50);
});

test('a chunk removed from the middle: the chunk after it is copied to its new place', () => {
  const p = planReuse([...A, ...B, ...C, ...tail], [A, C, tail]);
  assert.equal(p.keep, 40);
  assert.deepEqual(p.steps, [
    { kind: 'copy', from: 80, at: 40, length: 40 },
    { kind: 'compute', at: 80, tokens: tail }, // under the 32-token minimum: recomputed
  ]);
  assert.equal(p.moved, 40);
  assert.equal(p.reused, 80);
});

test('when the prompt ends with a moved chunk, its last token is computed for the logits', () => {
  const p = planReuse([...A, ...B, ...C], [A, C]);
  assert.deepEqual(p.steps, [
    { kind: 'copy', from: 80, at: 40, length: 39 },
    { kind: 'compute', at: 79, tokens: [C[39] as number] },
  ]);
});

test('a new chunk inserted: computed; chunks shorter than the minimum are recomputed', () => {
  const p = planReuse([...A, ...C, ...tail], [A, B, C, tail]);
  assert.deepEqual(
    p.steps.map((s) => s.kind),
    ['compute', 'copy', 'compute'],
  );
  assert.deepEqual(p.steps[0], { kind: 'compute', at: 40, tokens: B });
  assert.deepEqual(p.steps[1], { kind: 'copy', from: 40, at: 80, length: 40 });
  // tail (10 tokens) is under the 32-token minimum: computed with the rest.
  assert.deepEqual(p.steps[2], { kind: 'compute', at: 120, tokens: tail });
});

test('an empty cache computes everything', () => {
  const p = planReuse([], [A, tail]);
  assert.equal(p.keep, 0);
  assert.deepEqual(p.steps, [{ kind: 'compute', at: 0, tokens: [...A, ...tail] }]);
  assert.equal(p.reused, 0);
});

test('a moved chunk edited near its end (the cursor file after a context chunk changed) copies its cached start', () => {
  const file = range(5000, 60);
  const typed = [...file.slice(0, 55), 1, 2, 3];
  const p = planReuse([...A, ...B, ...file], [A, C, typed]);
  assert.equal(p.keep, 40);
  assert.deepEqual(p.steps, [
    { kind: 'compute', at: 40, tokens: C },
    { kind: 'copy', from: 80, at: 80, length: 55 },
    { kind: 'compute', at: 135, tokens: [1, 2, 3] },
  ]);
  assert.equal(p.moved, 55);
});
