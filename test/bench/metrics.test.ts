import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  editSimilarity,
  exactMatch,
  identifierMatch,
  levenshtein,
  scoreCompletion,
} from '../../src/bench/metrics';

test('exact match ignores whitespace at the ends and at line ends only', () => {
  assert.equal(exactMatch('  x = 1  \n', 'x = 1'), 1);
  assert.equal(exactMatch('x = 1\ny = 2', 'x = 1   \ny = 2'), 1);
  assert.equal(exactMatch('x  = 1', 'x = 1'), 0);
});

test('edit similarity is 1 − Levenshtein / max length', () => {
  assert.equal(levenshtein('kitten', 'sitting'), 3);
  assert.equal(levenshtein('', 'abc'), 3);
  assert.equal(editSimilarity('kitten', 'sitting'), 1 - 3 / 7);
  assert.equal(editSimilarity('abc', 'abc'), 1);
  assert.equal(editSimilarity('', ''), 1);
  assert.equal(editSimilarity('', 'abcd'), 0);
  assert.equal(editSimilarity('return a + b', 'return a - b'), 1 - 1 / 12);
});

test('identifier match is the F1 of identifier multisets', () => {
  // prediction: foo, bar, baz; reference: foo, bar, qux, qux → common 2; P = 2/3, R = 2/4; F1 = 4/7
  assert.ok(Math.abs(identifierMatch('foo(bar, baz)', 'foo(bar, qux, qux)') - 4 / 7) < 1e-12);
  assert.equal(identifierMatch('self.items.append(v)', 'self.items.append(v)'), 1);
  assert.equal(identifierMatch('42', '42'), 1);
  assert.equal(identifierMatch('x', '42'), 0);
  assert.equal(identifierMatch('a a', 'a'), (2 * (0.5 * 1)) / 1.5);
  assert.deepEqual(scoreCompletion('x = 1', 'x = 1'), {
    exactMatch: 1,
    editSimilarity: 1,
    identifierMatch: 1,
  });
});
