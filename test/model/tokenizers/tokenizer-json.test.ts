// tokenizer.json written from a GGUF vocabulary: what it declares, which vocabularies it refuses, and that
// @huggingface/tokenizers reads it back to the GGUF tokenizer's ids (special-token text kept as text).

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TextTokenizer } from '../../../src/model/tokenizer';
import { GgufTokenizer, UnsupportedTokenizerError } from '../../../src/model/tokenizers/index';
import { preTokenizerFor } from '../../../src/model/tokenizers/pre-tokenizers';
import { tokenizerJsonOf } from '../../../src/model/tokenizers/tokenizer-json';
import { tempDir } from '../../temp-dir';
import { tinyVocab } from '../v2-folder';

test("the recipe's shape: one isolated Split on the vocabulary's regex, byte level, BPE, control tokens special", () => {
  const vocab = tinyVocab();
  const json = tokenizerJsonOf(vocab);
  const [split, byteLevel] = json.pre_tokenizer.pretokenizers;
  assert.deepEqual(split, {
    type: 'Split',
    pattern: { Regex: preTokenizerFor('ropewalk').regexes[0] },
    behavior: 'Isolated',
    invert: false,
  });
  assert.equal(byteLevel?.type, 'ByteLevel');
  assert.equal(byteLevel?.use_regex, false);
  assert.deepEqual(
    json.added_tokens.map((t) => [t.id, t.content, t.special]),
    [
      [0, '<|endoftext|>', true],
      [1, '<|fim_prefix|>', true],
      [2, '<|fim_middle|>', true],
      [3, '<|fim_suffix|>', true],
      [4, '<|fim_pad|>', true],
      [5, '<|file_sep|>', true],
      [6, '<|repo_name|>', true],
    ],
  );
  assert.equal(Object.keys(json.model.vocab).length, vocab.tokens.length);
  assert.equal(json.model.merges.length, vocab.merges?.length);
  assert.equal(json.model.ignore_merges, false);
});

test('read back, it tokenizes code, unicode and special-token text as the GGUF tokenizer does', (t) => {
  const vocab = tinyVocab();
  const path = join(tempDir('ropewalk-tokjson-', t), 'tokenizer.json');
  writeFileSync(path, JSON.stringify(tokenizerJsonOf(vocab)));
  const hf = TextTokenizer.load(path);
  const gguf = new GgufTokenizer(vocab);
  for (const text of [
    "def f(x):\n    return x  # it's 'SELECT' DON'T\n\n\n",
    'const s = `<|endoftext|>`; // <|fim_middle|>\r\n\t\t  ',
    'naïve café — 日本語 🦀 ١٢٣٤ 12345',
  ]) {
    assert.deepEqual(hf.encode(text), gguf.encode(text), JSON.stringify(text));
    assert.equal(hf.decode(hf.encode(text)), text);
  }
});

test('SentencePiece vocabularies are refused by name', () => {
  const vocab = { ...tinyVocab(), model: 'llama' };
  assert.throws(
    () => tokenizerJsonOf(vocab),
    (e: Error) => e instanceof UnsupportedTokenizerError && /'llama'/.test(e.message),
  );
});
