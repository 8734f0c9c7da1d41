// llama.cpp's pre-tokenizer splits, per tokenizer.ggml.pre name, including its Unicode category edges.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { preTokenizerFor } from '../../../src/model/tokenizers/pre-tokenizers';
import { regexSplit } from '../../../src/model/tokenizers/unicode-split';

const split = (pre: string, text: string) => regexSplit(text, preTokenizerFor(pre).regexes);

test('digits: one per word for qwen2 and starcoder, runs of three for llama3, whole for gpt-2', () => {
  assert.deepEqual(split('qwen2', 'abc 123'), ['abc', ' ', '1', '2', '3']);
  assert.deepEqual(split('starcoder', 'abc 123'), ['abc', ' ', '1', '2', '3']);
  assert.deepEqual(split('llama-bpe', 'x 12345'), ['x', ' ', '123', '45']);
  assert.deepEqual(split('gpt-2', 'abc 123'), ['abc', ' 123']);
});

test('code: indentation, newlines and punctuation split as llama.cpp splits them', () => {
  assert.deepEqual(split('qwen2', 'if x:\n    return y'), [
    'if',
    ' x',
    ':\n',
    '   ',
    ' return',
    ' y',
  ]);
  assert.deepEqual(split('deepseek-coder', 'a.b\n'), ['a', '.', 'b', '\n']);
});

test('non-ASCII letters and whitespace follow llama.cpp categories, astral characters stay whole', () => {
  assert.deepEqual(split('gpt-2', 'héllo wörld'), ['héllo', ' wörld']);
  // U+00A0 is whitespace to llama.cpp but not the ASCII space the gpt-2 regex attaches to words.
  assert.deepEqual(split('gpt-2', 'a\u00a0b'), ['a', '\u00a0', 'b']);
  assert.deepEqual(split('qwen2', 'x🎉y'), ['x', '🎉y']);
  assert.deepEqual(regexSplit('', ['\\s+']), []);
});
