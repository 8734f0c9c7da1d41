import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PositionError, buildFimPrompt, splitAt } from '../../src/packing/fim';
import { templateFor } from '../../src/packing/templates';
import { charText as text, charVocab as tok } from './char-vocab';

// Ropewalk's template (the vocabulary has its specials at 0–6): SPM unless PSM is asked for.
const sp = templateFor(tok);

test('SPM puts the suffix first and the prefix last, before <|fim_middle|>', () => {
  const p = buildFimPrompt(tok, sp, { path: 'a.py', prefix: 'x = ', suffix: '\ny = 2' }, 100);
  assert.equal(text(p.ids), '<5>a.py\n<3>\ny = 2<1>x = <2>');
  const psm = buildFimPrompt(
    tok,
    templateFor(tok, 'psm'),
    { path: 'a.py', prefix: 'x = ', suffix: '\ny = 2' },
    100,
  );
  assert.equal(text(psm.ids), '<5>a.py\n<1>x = <3>\ny = 2<2>');
});

test('within the budget the prefix keeps its end and the suffix its start', () => {
  const p = buildFimPrompt(
    tok,
    sp,
    { path: 'f', prefix: 'abcdefghij', suffix: 'KLMNOPQRST' },
    3 + 2 + 12,
    { suffixShare: 0.25 },
  );
  assert.equal(p.ids.length, 17);
  // room = 17 − 3 (header) − 3 (markers) = 11; suffix ⌊11/4⌋ = 2, prefix the last 9.
  assert.equal(text(p.ids), '<5>f\n<3>KL<1>bcdefghij<2>');
  assert.equal(p.suffixTokens, 2);
  assert.equal(p.prefixTokens, 9);
});

test('splitAt counts lines and columns from 1, and rejects positions outside the file', () => {
  assert.deepEqual(splitAt('ab\ncd\n', 2, 2), { prefix: 'ab\nc', suffix: 'd\n' });
  assert.deepEqual(splitAt('ab\r\ncd', 1, 3), { prefix: 'ab', suffix: '\r\ncd' });
  assert.throws(() => splitAt('ab', 2, 1), PositionError);
  assert.throws(() => splitAt('ab', 1, 4), PositionError);
});

test('typing at the end of a long prefix keeps where it is cut, so the cached prefix stays valid', () => {
  const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} = compute(${i})`);
  let prefix = lines.join('\n') + '\n';
  const first = buildFimPrompt(tok, sp, { path: 'f', prefix, suffix: '' }, 8000);
  assert.ok(first.ids.length <= 8000);
  let kept = 0;
  for (const ch of 'result = compute(') {
    prefix += ch;
    const next = buildFimPrompt(tok, sp, { path: 'f', prefix, suffix: '' }, 8000);
    assert.ok(next.ids.length <= 8000);
    // The prompt without its closing marker grows by one token: everything before it is unchanged.
    if (next.ids.slice(0, first.ids.length - 1).every((id, i) => id === first.ids[i])) kept++;
  }
  assert.ok(kept >= 15, `the cut moved in ${17 - kept} of 17 keystrokes`);
  // The cut is at a line start.
  const body = text(first.ids).split('<1>')[1] as string;
  assert.match(body, /^line \d+ = /);
});
