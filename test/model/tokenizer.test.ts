import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TextTokenizer } from '../../src/model/tokenizer';
import { repoRoot } from '../repo-root';

const tinyDir = join(repoRoot(), 'models', 'tiny');
const golden = JSON.parse(readFileSync(join(tinyDir, 'golden.json'), 'utf8')) as {
  text: string;
  ids: number[];
  tokenizerCases: { text: string; ids: number[] }[];
};

test('the JS tokenizer gives the ids the Python recipe trained on', () => {
  const tok = TextTokenizer.load(join(tinyDir, 'tokenizer.json'));
  assert.deepEqual(tok.encode(golden.text).slice(0, golden.ids.length), golden.ids);
  assert.ok(golden.tokenizerCases.length >= 4);
  for (const c of golden.tokenizerCases)
    assert.deepEqual(tok.encode(c.text), c.ids, JSON.stringify(c.text));
});

test('decoding round-trips text, and special tokens have the contract ids', () => {
  const tok = TextTokenizer.load(join(tinyDir, 'tokenizer.json'));
  for (const c of golden.tokenizerCases) assert.equal(tok.decode(c.ids), c.text);
  assert.equal(tok.special['<|endoftext|>'], 0);
  assert.equal(tok.special['<|fim_middle|>'], 2);
  assert.equal(tok.special['<|repo_name|>'], 6);
});
