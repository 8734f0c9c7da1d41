import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HeadCachedEncoder, lastSafeSplit } from '../../src/packing/cached-encoder';
import { loadModelTokenizer } from '../../src/model/model-source';
import { repoRoot } from '../repo-root';
import { bundledModel } from '../test-models';

const tok = loadModelTokenizer(bundledModel());

test('the split is after the last newline followed by a non-space', () => {
  assert.equal(lastSafeSplit('a\n  b\nc = 1\n    d'), 'a\n  b\n'.length);
  assert.equal(lastSafeSplit('    x\n    y'), 0);
  assert.equal(lastSafeSplit('\n\nx'), 2);
});

test('split encoding equals encoding the whole text, at every cut of real Python and TypeScript', () => {
  const sources = [
    readFileSync(join(repoRoot(), 'test', 'fixtures', 'shapes.py'), 'utf8'),
    readFileSync(join(repoRoot(), 'src', 'packing', 'pack.ts'), 'utf8'),
    'x = 1\n\n\n)\n\t\r\n# café ☕\n  \nclass A:\n    pass\n',
  ];
  for (const text of sources) {
    const cached = new HeadCachedEncoder(tok, 4, 0);
    for (let cut = 0; cut <= text.length; cut += 7) {
      const s = text.slice(0, cut);
      assert.deepEqual(
        cached.encode(s),
        tok.encode(s),
        `cut at ${cut}: ${JSON.stringify(s.slice(-30))}`,
      );
    }
  }
});

test('typing at the end re-encodes only the text after the last top-level line', () => {
  let encoded = 0;
  const counting = { encode: (t: string) => ((encoded += t.length), tok.encode(t)) };
  const cached = new HeadCachedEncoder(counting, 4, 0);
  const head = 'import os\n\ndef f(x):\n    return x\n\n'.repeat(50);
  cached.encode(head + 'y = f(');
  encoded = 0;
  cached.encode(head + 'y = f(1');
  assert.equal(encoded, 'y = f(1'.length);
});
