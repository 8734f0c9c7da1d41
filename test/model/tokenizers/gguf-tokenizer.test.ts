// The GGUF tokenizers on small vocabularies built here: merges, special tokens, byte fallback, ▁ handling.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byteChar } from '../../../src/model/tokenizers/byte-encoding';
import {
  GgufTokenizer,
  TokenType,
  UnsupportedTokenizerError,
  vocabFromMetadata,
  type GgufVocab,
} from '../../../src/model/tokenizers/index';

const QWEN_SPECIALS = [
  '<|endoftext|>',
  '<|fim_prefix|>',
  '<|fim_middle|>',
  '<|fim_suffix|>',
  '<|file_sep|>',
];

/** A byte-level vocabulary: the 256 byte characters, a few merged words, Qwen-like control tokens, one user token. */
function bpeVocab(pre = 'qwen2'): GgufVocab {
  const tokens: string[] = [];
  for (let b = 0; b < 256; b++) tokens.push(byteChar(b));
  const merges = [
    'h e',
    'l l',
    'he ll',
    'hell o',
    'Ġ w',
    'o r',
    'Ġw or',
    'l d',
    'Ġwor ld',
    'b c',
    'a b',
  ];
  for (const m of merges) tokens.push(m.replace(' ', ''));
  const tokenType = tokens.map(() => TokenType.normal as number);
  for (const s of QWEN_SPECIALS) {
    tokens.push(s);
    tokenType.push(TokenType.control);
  }
  tokens.push('<tool>');
  tokenType.push(TokenType.userDefined);
  return { model: 'gpt2', pre, tokens, tokenType, merges, eosId: tokens.indexOf('<|endoftext|>') };
}

const bpe = new GgufTokenizer(bpeVocab());
const id = (t: string) => bpe.tokenId(t)!;

test('byte-level BPE merges words through the ranked merges', () => {
  assert.deepEqual(bpe.encode('hello world'), [id('hello'), id('Ġworld')]);
  // 'b c' outranks 'a b', so "abc" is a + bc, not ab + c.
  assert.deepEqual(bpe.encode('abc'), [id('a'), id('bc')]);
  assert.deepEqual(bpe.encode(''), []);
});

test('control tokens are text in encode and whole tokens in encodeWithSpecials', () => {
  const text = '<|fim_prefix|>hello';
  const plain = bpe.encode(text);
  assert.ok(!plain.includes(id('<|fim_prefix|>')));
  assert.equal(bpe.decode(plain), text);
  assert.deepEqual(bpe.encodeWithSpecials(text), [id('<|fim_prefix|>'), id('hello')]);
  assert.deepEqual(bpe.encodeWithSpecials('<|endoftext|><|endoftext|>'), [
    id('<|endoftext|>'),
    id('<|endoftext|>'),
  ]);
});

test('user-defined tokens are matched whole even in plain text, as llama.cpp does', () => {
  assert.deepEqual(bpe.encode('hello<tool>hello'), [id('hello'), id('<tool>'), id('hello')]);
});

test('non-ASCII text falls back to byte tokens and decodes back exactly', () => {
  const text = 'héllo 世界 🎉\n\tdef f(x):\n    return x';
  const ids = bpe.encode(text);
  assert.equal(bpe.decode(ids), text);
  assert.ok(ids.includes(id(byteChar(0xc3))), 'é is spelled by its UTF-8 bytes');
  assert.equal(bpe.decode([id('<|file_sep|>'), id('hello')]), '<|file_sep|>hello');
});

test('an unknown pre-tokenizer name is refused rather than guessed', () => {
  assert.throws(() => new GgufTokenizer(bpeVocab('no-such-pre')), UnsupportedTokenizerError);
});

test('control and user-defined tokens are the special ones; byte-level BPE has no leading-space rule', () => {
  assert.equal(bpe.special['<|endoftext|>'], id('<|endoftext|>'));
  assert.equal(bpe.special['<tool>'], id('<tool>'));
  assert.equal(bpe.special['hello'], undefined);
  assert.deepEqual(bpe.encodeContinuation('hello world'), bpe.encode('hello world'));
});

/** A SentencePiece vocabulary: unk, bos/eos, the 256 byte tokens, and pieces with scores. */
function spmVocab(): GgufVocab {
  const tokens = ['<unk>', '<s>', '</s>'];
  const tokenType: number[] = [TokenType.unknown, TokenType.control, TokenType.control];
  const scores = [0, 0, 0];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    tokenType.push(TokenType.byte);
    scores.push(0);
  }
  const pieces: [string, number][] = [
    ['▁', -10],
    ['h', -11],
    ['e', -12],
    ['l', -13],
    ['o', -14],
    ['i', -15],
    ['▁h', -5],
    ['el', -4],
    ['lo', -3],
    ['▁hel', -2],
    ['▁hello', -1],
    ['▁hi', -6],
  ];
  for (const [p, s] of pieces) {
    tokens.push(p);
    tokenType.push(TokenType.normal);
    scores.push(s);
  }
  return {
    model: 'llama',
    pre: 'default',
    tokens,
    tokenType,
    scores,
    bosId: 1,
    eosId: 2,
    unkId: 0,
    addBos: true,
  };
}

test('SentencePiece merges by score, prefixes ▁ and falls back to byte tokens', () => {
  const spm = new GgufTokenizer(spmVocab());
  const sid = (t: string) => spm.tokenId(t)!;
  assert.deepEqual(spm.encode('hello'), [sid('▁hello')]);
  assert.deepEqual(spm.encode('hi é'), [sid('▁hi'), sid('▁'), sid('<0xC3>'), sid('<0xA9>')]);
  assert.equal(spm.decode(spm.encode('hi é')), ' hi é');
  // After a special token the next text gets the ▁ prefix again.
  assert.deepEqual(spm.encodeWithSpecials('hello</s>hi'), [sid('▁hello'), 2, sid('▁hi')]);
  assert.deepEqual(spm.encode('hello</s>'), [sid('▁hello'), ...spm.encode('</s>').slice(1)]);
  // Text that continues other text gets no ▁ (Code Llama's encode_infilling).
  assert.deepEqual(spm.encodeContinuation('hello'), [sid('h'), sid('el'), sid('lo')]);
  assert.deepEqual(spm.encodeContinuation('hi hello'), [sid('h'), sid('i'), sid('▁hello')]);
});

test('vocabFromMetadata reads the tokenizer keys of a GGUF metadata map', () => {
  const v = vocabFromMetadata({
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.pre': 'qwen2',
    'tokenizer.ggml.tokens': ['a', 'b'],
    'tokenizer.ggml.token_type': [1, 3],
    'tokenizer.ggml.merges': ['a b'],
    'tokenizer.ggml.eos_token_id': 1n,
    'tokenizer.ggml.add_bos_token': false,
  });
  assert.deepEqual(v, {
    model: 'gpt2',
    pre: 'qwen2',
    tokens: ['a', 'b'],
    tokenType: [1, 3],
    merges: ['a b'],
    eosId: 1,
    addBos: false,
  });
  assert.throws(() => vocabFromMetadata({}), /tokenizer\.ggml\.model/);
});
