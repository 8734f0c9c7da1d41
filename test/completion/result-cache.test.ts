import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResultCache } from '../../src/completion/result-cache';

const P = 'def area(self):\n    return ';
const S = '\n\nclass Square:\n';

test('an exact position hits; another file, prefix or suffix misses', () => {
  const c = new ResultCache();
  c.set('a.py', P, S, 'self.w * self.h');
  assert.equal(c.get('a.py', P, S), 'self.w * self.h');
  assert.equal(c.get('b.py', P, S), undefined);
  assert.equal(c.get('a.py', P + ' ', S), undefined);
  assert.equal(c.get('a.py', P, S + 'x'), undefined);
});

test('typed-through: characters that start the suggestion give back its rest', () => {
  const c = new ResultCache();
  c.set('a.py', P, S, 'self.w * self.h');
  assert.equal(c.get('a.py', P + 's', S), 'elf.w * self.h');
  assert.equal(c.get('a.py', P + 'self.w', S), ' * self.h');
  assert.equal(c.get('a.py', P + 'self.w * self.', S), 'h');
});

test('typing past the whole suggestion returns nothing, and so does a different character', () => {
  const c = new ResultCache();
  c.set('a.py', P, S, 'self.w');
  assert.equal(c.get('a.py', P + 'self.w', S), undefined);
  assert.equal(c.get('a.py', P + 'self.wx', S), undefined);
  assert.equal(c.get('a.py', P + 'x', S), undefined);
  assert.equal(c.get('a.py', P + 'sElf', S), undefined);
});

test('backspace back to a cached prefix hits again', () => {
  const c = new ResultCache();
  c.set('a.py', P, S, 'self.w * self.h');
  assert.equal(c.get('a.py', P + 'q', S), undefined); // typo, no suggestion
  assert.equal(c.get('a.py', P, S), 'self.w * self.h'); // deleted the typo
  assert.equal(c.get('a.py', P + 'se', S), 'lf.w * self.h');
});

test('typed-through reuse is bounded by maxTypedThrough', () => {
  const c = new ResultCache({ maxTypedThrough: 3 });
  c.set('a.py', P, S, 'abcdef');
  assert.equal(c.get('a.py', P + 'abc', S), 'def');
  assert.equal(c.get('a.py', P + 'abcd', S), undefined);
});

test('entries are bounded; the least recently used goes first', () => {
  const c = new ResultCache({ maxEntries: 2 });
  c.set('a.py', 'one', '', '1');
  c.set('a.py', 'two', '', '2');
  assert.equal(c.get('a.py', 'one', ''), '1'); // now the most recent
  c.set('a.py', 'three', '', '3');
  assert.equal(c.size, 2);
  assert.equal(c.get('a.py', 'two', ''), undefined);
  assert.equal(c.get('a.py', 'one', ''), '1');
  assert.equal(c.get('a.py', 'three', ''), '3');
  c.set('a.py', 'four', '', ''); // empty suggestions are not stored
  assert.equal(c.size, 2);
  c.clear();
  assert.equal(c.size, 0);
});

test('keys look at a bounded tail of the prefix and head of the suffix only', () => {
  const c = new ResultCache({ prefixChars: 8, suffixChars: 4 });
  c.set('a.py', 'AAAA1234|near', 'next|far', 'x');
  assert.equal(c.get('a.py', 'BBBB1234|near', 'next and more'), 'x'); // same last 8 and first 4 characters
  assert.equal(c.get('a.py', 'BBBB1234|nearer', 'next'), undefined);
  // A huge file costs the same as a small one: the key never holds the text itself.
  const big = 'y'.repeat(1_000_000);
  c.set('b.py', big, big, 'z');
  assert.equal(c.get('b.py', big, big), 'z');
});
