import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bothEnds, packPrompt } from '../../src/packing/pack';
import { templateFor } from '../../src/packing/templates';
import { charVocab as tok } from './char-vocab';

const sp = templateFor(tok);
const chunk = (key: string, score: number, text = key.repeat(10)) => ({
  key,
  source: `${key}.py`,
  text,
  score,
});
const file = { path: 'main.py', prefix: 'x = ', suffix: '\n' };

test('chunks fill the budget by score, are ordered by key (stable), and the cursor file comes last', () => {
  const p = packPrompt(
    tok,
    sp,
    [chunk('b', 0.9), chunk('a', 0.5), chunk('c', 0.1, 'c'.repeat(400))],
    file,
    { budget: 120 },
  );
  assert.deepEqual(
    p.chunks.map((c) => c.key),
    ['a', 'b'],
  ); // c does not fit; a and b in key order
  assert.ok(p.tokens <= 120);
  const last = p.segments[p.segments.length - 1] as number[];
  assert.equal(last[last.length - 1], tok.tokenId('<|fim_middle|>'));
  assert.equal(p.chunks[0]?.tokens, (p.segments[0] as number[]).length);
});

test('a keystroke later the chunks keep their place, and the reused prefix is reported', () => {
  const chunks = [chunk('b', 0.9), chunk('a', 0.5)];
  const first = packPrompt(tok, sp, chunks, file, { budget: 200 });
  // Scores moved, text typed at the cursor: the chunk part of the prompt is unchanged.
  const second = packPrompt(
    tok,
    sp,
    [chunk('b', 0.4), chunk('a', 0.8)],
    { ...file, prefix: 'x = 1' },
    { budget: 200, previous: first.segments.flat() },
  );
  assert.deepEqual(second.segments.slice(0, 2), first.segments.slice(0, 2));
  assert.ok(
    second.reusedTokens >=
      (first.segments[0] as number[]).length + (first.segments[1] as number[]).length,
  );
});

test('rank and both-ends orders', () => {
  assert.deepEqual(bothEnds([1, 2, 3, 4, 5]), [1, 3, 5, 4, 2]);
  const p = packPrompt(tok, sp, [chunk('a', 0.1), chunk('b', 0.9), chunk('c', 0.5)], file, {
    budget: 400,
    order: 'rank',
  });
  assert.deepEqual(
    p.chunks.map((c) => c.key),
    ['b', 'c', 'a'],
  );
});
