import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptPart, nextLine, nextWord } from '../../src/completion/accept';

test('next word: leading whitespace, then a word or a run of punctuation', () => {
  assert.equal(nextWord('foo(bar)'), 'foo');
  assert.equal(nextWord('(bar)'), '(');
  assert.equal(nextWord('  return x'), '  return');
  assert.equal(nextWord('\n    self.side = side'), '\n    self');
  assert.equal(nextWord('); }'), ');');
  assert.equal(nextWord('ÄpfelBirne + 1'), 'ÄpfelBirne');
  assert.equal(nextWord('   '), '   ');
  assert.equal(nextWord(''), '');
});

test('next line: the first line, or the newline and the line below when the first is empty', () => {
  assert.equal(nextLine('a = 1\nb = 2'), 'a = 1');
  assert.equal(nextLine('\n    a = 1\n    b = 2'), '\n    a = 1');
  assert.equal(nextLine('\n    a = 1'), '\n    a = 1');
  assert.equal(nextLine('only'), 'only');
});

test('accepting a part leaves the rest suggested, and parts add up to the whole', () => {
  const s = '\n    x = f(1)\n    return x';
  assert.deepEqual(acceptPart(s, 'line'), { accepted: '\n    x = f(1)', rest: '\n    return x' });
  assert.deepEqual(acceptPart(s, 'all'), { accepted: s, rest: '' });
  let rest = s;
  const words: string[] = [];
  while (rest !== '') {
    const part = acceptPart(rest, 'word');
    assert.ok(part.accepted.length > 0);
    words.push(part.accepted);
    rest = part.rest;
  }
  assert.deepEqual(words, ['\n    x', ' =', ' f', '(', '1', ')', '\n    return', ' x']);
});
