import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModelTokenizer } from '../../src/model/model-source';
import { templateFor } from '../../src/packing/templates';
import { TextTokenizer } from '../../src/model/tokenizer';
import { repoRoot } from '../repo-root';
import { tempDir } from '../temp-dir';
import { tokenizerJsonOf } from '../../src/model/tokenizers/tokenizer-json';
import { tinyVocab } from './v2-folder';

const tinyDir = join(repoRoot(), 'models', 'tiny');
const golden = JSON.parse(readFileSync(join(tinyDir, 'golden.json'), 'utf8')) as {
  text: string;
  ids: number[];
  tokenizerCases: { text: string; ids: number[] }[];
};

/** tinyDir's tokenizer as the contract-2 export had it: tokenizer.json, read by @huggingface/tokenizers. */
const jsonPath = join(tempDir('ropewalk-tokenizer-'), 'tokenizer.json');
writeFileSync(jsonPath, JSON.stringify(tokenizerJsonOf(tinyVocab())));
const tokenizerJson = () => TextTokenizer.load(jsonPath);

test("model.gguf's tokenizer gives the ids the Python recipe trained on", () => {
  const tok = loadModelTokenizer(tinyDir);
  assert.deepEqual(tok.encode(golden.text).slice(0, golden.ids.length), golden.ids);
  assert.ok(golden.tokenizerCases.length >= 4);
  for (const c of golden.tokenizerCases)
    assert.deepEqual(tok.encode(c.text), c.ids, JSON.stringify(c.text));
});

test('decoding round-trips text, and special tokens have the contract ids', () => {
  const tok = loadModelTokenizer(tinyDir);
  for (const c of golden.tokenizerCases) assert.equal(tok.decode(c.ids), c.text);
  assert.equal(tok.special['<|endoftext|>'], 0);
  assert.equal(tok.special['<|fim_middle|>'], 2);
  assert.equal(tok.special['<|repo_name|>'], 6);
  // Ropewalk's own models get Ropewalk's prompt format from their GGUF vocabulary.
  assert.equal(templateFor(tok).family, 'ropewalk');
});

test('tokenizer.json (a contract-2 folder) gives the same ids', () => {
  const tok = tokenizerJson();
  assert.deepEqual(tok.encode(golden.text).slice(0, golden.ids.length), golden.ids);
  for (const c of golden.tokenizerCases) {
    assert.deepEqual(tok.encode(c.text), c.ids, JSON.stringify(c.text));
    assert.equal(tok.decode(c.ids), c.text);
  }
});

test("special-token strings written in code stay text, as in the recipe's training data", () => {
  const text = 'stop = "<|endoftext|>"  # <|file_sep|>\n';
  for (const tok of [loadModelTokenizer(tinyDir), tokenizerJson()]) {
    const ids = tok.encode(text);
    assert.ok(!ids.some((id) => id <= 6), ids.join(' '));
    assert.equal(tok.decode(ids), text);
  }
});

test("the GGUF tokenizer agrees with tokenizer.json on every file of this repository's src/", () => {
  // scripts/tokenizer-agreement.mjs runs the same comparison on more code (Python's standard library).
  const gguf = loadModelTokenizer(tinyDir);
  const json = tokenizerJson();
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.ts')) files.push(join(dir, e.name));
    }
  };
  walk(join(repoRoot(), 'src'));
  assert.ok(files.length > 100);
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    assert.deepEqual(gguf.encode(text), json.encode(text), f);
  }
});
