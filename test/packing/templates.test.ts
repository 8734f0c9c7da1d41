// Each model family's template against the family's documented prompt: the same two repository files
// and a cursor in the middle of a line, packed by packPrompt from a vocabulary written as a GGUF file in
// the family's layout, must give the ids of the documented prompt string; and the stop tokens the
// family's own examples stop on.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completionStopTokens } from '../../src/completion/complete-once';
import { loadModelTokenizer } from '../../src/model/model-source';
import { GgufTokenizer } from '../../src/model/tokenizers/gguf-tokenizer';
import type { PromptTokenizer } from '../../src/model/tokenizers/load-tokenizer';
import { HeadCachedEncoder } from '../../src/packing/cached-encoder';
import { packPrompt } from '../../src/packing/pack';
import {
  PROMPT_TEMPLATES,
  templateFor,
  UnsupportedOrderError,
  type TemplateFamily,
} from '../../src/packing/templates';
import { tempDir } from '../temp-dir';
import { FAMILY_VOCABS, wordsOf } from './family-specs';
import { familyTokenizer, type FamilyVocabSpec } from './family-vocab';
import { bundledModel } from '../test-models';

const UTILS = 'def add(a, b):\n    return a + b\n';
const MODEL = 'class Point:\n    x = 1\n';
const MAIN = 'from utils import add\n\nresult = add(1, 2)\nprint(result)\n';
// The cursor in the middle of a line: after `result = add(`.
const CURSOR = MAIN.indexOf('add(1') + 'add('.length;
const PREFIX = MAIN.slice(0, CURSOR);
const SUFFIX = MAIN.slice(CURSOR);
const CHUNKS = [
  { key: 'a', source: 'utils.py', text: UTILS, score: 0.9 },
  { key: 'b', source: 'model.py', text: MODEL, score: 0.5 },
];
const FILE = { path: 'main.py', prefix: PREFIX, suffix: SUFFIX };
const WORDS = wordsOf([UTILS, MODEL, MAIN, 'utils.py model.py main.py demo']);

/** The prompt packPrompt builds for the shared case, flat (the cursor file through HeadCachedEncoder, as the editor does). */
function packed(tok: PromptTokenizer, chunks = CHUNKS): number[] {
  return packPrompt(tok, templateFor(tok), chunks, FILE, {
    budget: 4096,
    repo: 'demo',
    fileEncoder: new HeadCachedEncoder(tok, 8, 1),
  }).segments.flat();
}

/** A documented prompt string as ids: every special token's text as that token (HF tokenizers' way). */
function documented(tok: PromptTokenizer, text: string): number[] {
  return new GgufTokenizer(tok.facts!).encodeWithSpecials(text);
}

function family(tok: PromptTokenizer): TemplateFamily {
  return templateFor(tok).family as TemplateFamily;
}

const dir = tempDir('rw-templates-');

const QWEN: FamilyVocabSpec = { ...FAMILY_VOCABS['qwen2.5-coder'], words: WORDS };

test('Qwen2.5-Coder: the repository-level FIM prompt of its example, and its eos_token_ids', async () => {
  const tok = await familyTokenizer(dir, 'qwen', QWEN);
  assert.equal(family(tok), 'qwen2.5-coder');
  // https://github.com/QwenLM/Qwen2.5-Coder/blob/main/examples/Qwen2.5-Coder-repolevel-fim.py
  const doc =
    `<|repo_name|>demo\n<|file_sep|>utils.py\n${UTILS}\n<|file_sep|>model.py\n${MODEL}\n` +
    `<|file_sep|>main.py\n<|fim_prefix|>${PREFIX}<|fim_suffix|>${SUFFIX}<|fim_middle|>`;
  assert.deepEqual(packed(tok), documented(tok, doc));
  // examples/Qwen2.5-Coder-fim.py: eos_token_ids = [151664, 151662, 151659, 151660, 151661, 151662,
  // 151663, 151664, 151645, 151643].
  assert.deepEqual(
    [...completionStopTokens(tok)].sort(),
    [151643, 151645, 151659, 151660, 151661, 151662, 151663, 151664],
  );
  assert.equal(templateFor(tok).order, 'psm');
  // Trained PSM only (arXiv:2409.12186): SPM is refused rather than guessed.
  assert.throws(() => templateFor(tok, 'spm'), UnsupportedOrderError);
});

const STARCODER2: FamilyVocabSpec = { ...FAMILY_VOCABS.starcoder2, words: WORDS };

test('StarCoder2: <repo_name>, files after <file_sep>, the FIM file with its path inside <fim_prefix>', async () => {
  const tok = await familyTokenizer(dir, 'starcoder2', STARCODER2);
  assert.equal(family(tok), 'starcoder2');
  // arXiv:2402.19173 §5.1: `<repo_name>reponame<file_sep>filepath0\ncode0<file_sep><fim_prefix>filepath1\n
  // code1_pre<fim_suffix>code1_suf<fim_middle>code1_mid<file_sep> ...<|endoftext|>`
  const doc =
    `<repo_name>demo<file_sep>utils.py\n${UTILS}\n<file_sep>model.py\n${MODEL}\n` +
    `<file_sep><fim_prefix>main.py\n${PREFIX}<fim_suffix>${SUFFIX}<fim_middle>`;
  assert.deepEqual(packed(tok), documented(tok, doc));
  assert.deepEqual([...completionStopTokens(tok)].sort(), [800, 801, 802, 803, 804, 805, 806]);
});

const DEEPSEEK: FamilyVocabSpec = { ...FAMILY_VOCABS['deepseek-coder'], words: WORDS };

test('DeepSeek-Coder: BOS, <｜fim▁begin｜>, files headed by path comments, the hole and the end', async () => {
  const tok = await familyTokenizer(dir, 'deepseek', DEEPSEEK);
  assert.equal(family(tok), 'deepseek-coder');
  // https://github.com/deepseek-ai/DeepSeek-Coder (README §2 Code Insertion: `<｜fim▁begin｜>…<｜fim▁hole｜>…
  // <｜fim▁end｜>`; §4 Repository Level Code Completion: files in dependency order, each after `# path`);
  // the tokenizer adds BOS (add_bos_token).
  const doc =
    `<｜fim▁begin｜># utils.py\n${UTILS}\n\n# model.py\n${MODEL}\n\n# main.py\n${PREFIX}` +
    `<｜fim▁hole｜>${SUFFIX}<｜fim▁end｜>`;
  assert.deepEqual(packed(tok), [32013, ...documented(tok, doc)]);
  // Without repository files, exactly the README's insertion prompt.
  assert.deepEqual(packed(tok, []), [
    32013,
    ...documented(tok, `<｜fim▁begin｜>${PREFIX}<｜fim▁hole｜>${SUFFIX}<｜fim▁end｜>`),
  ]);
  // The base model ends on its eos; the instruct models on <|EOT|> (README: eos_token_id 32014 vs 32021).
  assert.deepEqual([...completionStopTokens(tok)].sort(), [32014, 32015, 32016, 32017, 32021]);
});

const CODELLAMA: FamilyVocabSpec = { ...FAMILY_VOCABS.codellama, words: WORDS };

test('Code Llama: Meta’s infilling tokens, the leading space on the prefix only', async () => {
  const tok = await familyTokenizer(dir, 'codellama', CODELLAMA);
  assert.equal(family(tok), 'codellama');
  const spm = new GgufTokenizer(tok.facts!);
  // https://github.com/meta-llama/codellama/blob/main/llama/generation.py, infilling_prompt_tokens:
  // [bos, prefix_id] + encode(pre) + [suffix_id] + encode_infilling(suf) + [middle_id], where encode
  // adds SentencePiece's leading space and encode_infilling does not. No repository format: the files
  // are written into the prefix, each after a path comment.
  const pre = `# utils.py\n${UTILS}\n\n# model.py\n${MODEL}\n\n# main.py\n${PREFIX}`;
  const bos = 1;
  const expected = [
    bos,
    32007,
    ...spm.encode(pre),
    32008,
    ...spm.encodeContinuation(SUFFIX),
    32009,
  ];
  assert.deepEqual(packed(tok), expected);
  assert.notDeepEqual(spm.encode(pre).slice(0, 1), spm.encodeContinuation(pre).slice(0, 1));
  // Without files, the prefix itself carries the leading space.
  assert.deepEqual(packed(tok, []), [
    bos,
    32007,
    ...spm.encode(PREFIX),
    32008,
    ...spm.encodeContinuation(SUFFIX),
    32009,
  ]);
  assert.deepEqual(
    [...completionStopTokens(tok)].sort((a, b) => a - b),
    [2, 32007, 32008, 32009, 32010],
  );
});

const CODEGEMMA: FamilyVocabSpec = { ...FAMILY_VOCABS.codegemma, words: WORDS };

test('CodeGemma: BOS, files each ended by <|file_separator|>, then the documented FIM prompt', async () => {
  const tok = await familyTokenizer(dir, 'codegemma', CODEGEMMA);
  assert.equal(family(tok), 'codegemma');
  // https://ai.google.dev/gemma/docs/codegemma/prompt-structure: `<|fim_prefix|>…<|fim_suffix|>…
  // <|fim_middle|>`, no white space added around the markers; <|file_separator|> for multi-file context.
  const doc =
    `# utils.py\n${UTILS}\n<|file_separator|># model.py\n${MODEL}\n<|file_separator|>` +
    `<|fim_prefix|># main.py\n${PREFIX}<|fim_suffix|>${SUFFIX}<|fim_middle|>`;
  assert.deepEqual(packed(tok), [2, ...documented(tok, doc)]);
  assert.deepEqual(packed(tok, []), [
    2,
    ...documented(tok, `<|fim_prefix|>${PREFIX}<|fim_suffix|>${SUFFIX}<|fim_middle|>`),
  ]);
  assert.deepEqual([...completionStopTokens(tok)].sort(), [1, 1000, 1001, 1002, 1003, 1005]);
});

test('Ropewalk’s own model: the bundled prompts (models/README.md), SPM by default, PSM on request', () => {
  const tok = loadModelTokenizer(bundledModel());
  assert.equal(family(tok), 'ropewalk');
  const [sep, pre, mid, suf] = [5, 1, 2, 3];
  const files = [
    sep,
    ...tok.encode(`utils.py\n${UTILS}\n`),
    sep,
    ...tok.encode(`model.py\n${MODEL}\n`),
    sep,
    ...tok.encode('main.py\n'),
  ];
  // `<|file_sep|>path\ntext…<|file_sep|>path\n` + SPM `<|fim_suffix|>suf<|fim_prefix|>pre<|fim_middle|>`.
  assert.deepEqual(packed(tok), [
    ...files,
    suf,
    ...tok.encode(SUFFIX),
    pre,
    ...tok.encode(PREFIX),
    mid,
  ]);
  const psm = packPrompt(tok, templateFor(tok, 'psm'), CHUNKS, FILE, { budget: 4096 });
  assert.deepEqual(psm.segments.flat(), [
    ...files,
    pre,
    ...tok.encode(PREFIX),
    suf,
    ...tok.encode(SUFFIX),
    mid,
  ]);
  assert.deepEqual(completionStopTokens(tok), [sep, pre, suf, mid]);
});

test('a vocabulary without FIM markers completes from the prefix only, and says so', async () => {
  const tok = await familyTokenizer(dir, 'plain', {
    model: 'gpt2',
    pre: 'qwen2',
    size: 700,
    specials: { 600: '<|endoftext|>' },
    eos: 600,
    words: WORDS,
  });
  const template = templateFor(tok);
  assert.equal(template.family, 'prefix-only');
  assert.equal(template.order, 'prefix-only');
  assert.match(template.notice ?? '', /no fill-in-the-middle tokens/);
  assert.match(template.summary, /prefix only/);
  const doc = `# utils.py\n${UTILS}\n\n# model.py\n${MODEL}\n\n# main.py\n${PREFIX}`;
  assert.deepEqual(packed(tok), tok.encode(doc));
  assert.ok(!tok.decode(packed(tok)).includes('print(result)'), 'the suffix is not in the prompt');
  assert.deepEqual(completionStopTokens(tok), [600]);
});

test('markers must be single tokens; the GGUF keys name markers of families without a template', async () => {
  // Qwen's spellings without <|file_sep|>: not Qwen2.5-Coder's format; the markers it has still serve
  // (llama-server's /infill layout), with files as path comments.
  const partial = await familyTokenizer(dir, 'partial', {
    ...QWEN,
    size: 800,
    specials: {
      700: '<|endoftext|>',
      701: '<|fim_prefix|>',
      702: '<|fim_middle|>',
      703: '<|fim_suffix|>',
    },
    bos: 700,
    eos: 700,
  });
  assert.equal(family(partial), 'fim-keys');
  const doc = `# utils.py\n${UTILS}\n\n# model.py\n${MODEL}\n\n# main.py\n<|fim_prefix|>${PREFIX}<|fim_suffix|>${SUFFIX}<|fim_middle|>`;
  assert.deepEqual(packed(partial), documented(partial, doc));
  // Markers known only by tokenizer.ggml.fim_*_token_id (Codestral's [PREFIX]/[SUFFIX]/[MIDDLE], say).
  const keyed = await familyTokenizer(dir, 'keyed', {
    model: 'gpt2',
    pre: 'qwen2',
    size: 800,
    specials: { 700: '</s>', 701: '[PREFIX]', 702: '[SUFFIX]', 703: '[MIDDLE]' },
    eos: 700,
    keys: {
      'tokenizer.ggml.fim_pre_token_id': 701,
      'tokenizer.ggml.fim_suf_token_id': 702,
      'tokenizer.ggml.fim_mid_token_id': 703,
    },
    words: WORDS,
  });
  assert.equal(family(keyed), 'fim-keys');
  assert.deepEqual(
    packed(keyed, []),
    documented(keyed, `[PREFIX]${PREFIX}[SUFFIX]${SUFFIX}[MIDDLE]`),
  );
  assert.deepEqual([...completionStopTokens(keyed)].sort(), [700, 701, 702, 703]);
});

test('every family in the table has a source and trained orders, and ends with the catch-all', () => {
  for (const t of PROMPT_TEMPLATES) {
    assert.ok(t.source.length > 0, t.family);
    assert.ok(t.orders.length > 0, t.family);
  }
  assert.equal(PROMPT_TEMPLATES[PROMPT_TEMPLATES.length - 1]?.family, 'prefix-only');
});
