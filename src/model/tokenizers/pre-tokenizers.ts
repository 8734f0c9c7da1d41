// llama.cpp's split regexes per tokenizer.ggml.pre name (the GGUF file stores only the name).

import { UnsupportedTokenizerError } from './tokenizer-errors';

export interface PreTokenizer {
  /** Applied in turn: each splits every piece the previous ones left, keeping the gaps as pieces. */
  regexes: readonly string[];
  /** A whole word that is a token is taken as is, without merging (llama3-style vocabularies). */
  ignoreMerges: boolean;
}

const CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
const LLAMA3 = `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`;
const QWEN2 = `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`;
const QWEN35 = `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`;
// Ropewalk's own models (models/recipe/tokenizer.py): LLAMA3 with case-sensitive contractions and
// merges always applied. llama-bpe's `'[sS]` splits `'SELECT'` as `'S` + `ELECT` where the recipe keeps
// `'SELECT`: 22 of Python 3.11's 668 standard-library files tokenize differently under llama-bpe (and
// dbrx), none under this name (scripts/tokenizer-agreement.mjs), hence a name of Ropewalk's own.
const ROPEWALK = `'(?:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`;
const GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
// deepseek-llm's letter class, spelled out in llama.cpp because HF's regex used \p{Lu}/\p{Ll}/... subsets.
// Written as regex escapes: editors may NFC-normalise literal characters (U+1F7D → U+03CE) and break the ranges.
const DEEPSEEK_LLM_LETTERS =
  'A-Za-z\\u00B5\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u01BA\\u01BC-\\u01BF\\u01C4-\\u0293\\u0295-\\u02AF\\u0370-\\u0373\\u0376\\u0377\\u037B-\\u037D\\u037F\\u0386\\u0388-\\u038A\\u038C\\u038E-\\u03A1\\u03A3-\\u03F5\\u03F7-\\u0481\\u048A-\\u052F\\u0531-\\u0556\\u10A0-\\u10C5\\u13A0-\\u13F5\\u13F8-\\u13FD\\u1C90-\\u1CBA\\u1CBD-\\u1CBF\\u1D00-\\u1D2B\\u1D6B-\\u1D77\\u1D79-\\u1D9A\\u1E00-\\u1F15\\u1F18-\\u1F1D\\u1F20-\\u1F45\\u1F48-\\u1F4D\\u1F50-\\u1F57\\u1F59\\u1F5B\\u1F5D\\u1F5F-\\u1F7D\\u1F80-\\u1FB4\\u1FB6-\\u1FBC\\u1FBE\\u1FC2-\\u1FC4\\u1FC6-\\u1FCC\\u1FD0-\\u1FD3\\u1FD6-\\u1FDB\\u1FE0-\\u1FEC\\u1FF2-\\u1FF4\\u1FF6-\\u1FFC\\u2102\\u2107\\u210A-\\u2113\\u2115\\u2119-\\u211D\\u2124\\u2126\\u2128\\u212A-\\u212D\\u212F-\\u2134\\u2139\\u213C-\\u213F\\u2145-\\u2149\\u214E\\u2183\\u2184\\u2C00-\\u2C7B\\u2C7E-\\u2CE4\\u2CEB-\\u2CEE\\u2CF2\\u2CF3\\uA640-\\uA66D\\uA680-\\uA69B\\uA722-\\uA76F\\uA771-\\uA787\\uA78B-\\uA78E\\uAB70-\\uABBF\\uFB00-\\uFB06\\uFB13-\\uFB17\\uFF21-\\uFF3A\\uFF41-\\uFF5A\\u{10400}-\\u{1044F}\\u{104B0}-\\u{104D3}\\u{104D8}-\\u{104FB}\\u{10C80}-\\u{10CB2}\\u{10CC0}-\\u{10CF2}\\u{118A0}-\\u{118DF}\\u{1E900}-\\u{1E943}';

const GROUPS: readonly {
  names: readonly string[];
  regexes: readonly string[];
  ignoreMerges?: true;
}[] = [
  {
    names: ['default', ''],
    regexes: ['[\\p{P}\\$\\+<=>\\^~\\|]+', GPT2, '\\p{N}+', '[0-9][0-9][0-9]'],
  },
  {
    names: [
      'llama3',
      'llama-v3',
      'llama-bpe',
      'falcon3',
      'falcon-h1',
      'pixtral',
      'midm-2.0',
      'lfm2',
    ],
    regexes: [LLAMA3],
    ignoreMerges: true,
  },
  { names: ['dbrx', 'smaug-bpe', 'glm4', 'chatglm-bpe'], regexes: [LLAMA3] },
  {
    names: ['deepseek-llm'],
    regexes: [
      '[\r\n]',
      `\\s?[${DEEPSEEK_LLM_LETTERS}]+`,
      '\\s?[!-/:-~\\uFF01-\\uFF0F\\uFF1A-\\uFF5E\\u2018-\\u201F\\u3000-\\u3002]+',
      '\\s+$',
      '[\\u4E00-\\u9FA5\\u0800-\\u4E00\\uAC00-\\uD7FF]+',
      '\\p{N}+',
    ],
  },
  {
    names: ['deepseek-coder'],
    regexes: [
      '[\r\n]',
      '\\s?\\p{L}+',
      '\\s?\\p{P}+',
      '[\\u4E00-\\u9FA5\\u0800-\\u4E00\\uAC00-\\uD7FF]+',
      '\\p{N}',
    ],
  },
  { names: ['falcon'], regexes: ['[\\p{P}\\$\\+<=>\\^~\\|`]+', GPT2, '[0-9][0-9][0-9]'] },
  {
    names: [
      'starcoder',
      'refact',
      'command-r',
      'smollm',
      'codeshell',
      'exaone',
      'minerva-7b',
      'mellum2',
    ],
    regexes: ['\\p{N}', GPT2],
  },
  {
    names: [
      'gpt-2',
      'phi-2',
      'mpt',
      'olmo',
      'jais',
      'jina-es',
      'jina-de',
      'gigachat',
      'jina-v2-es',
    ],
    regexes: [GPT2],
  },
  {
    names: [
      'jina-v2-de',
      'a.x-4.0',
      'mellum',
      'modern-bert',
      'exaone4',
      'roberta-bpe',
      'jina-v1-en',
    ],
    regexes: [GPT2],
  },
  { names: ['jina-v2-code', 'trillion'], regexes: [GPT2] },
  {
    names: ['qwen2', 'deepseek-r1-qwen', 'kormo', 'f2llmv2', 'megrez', 'stablelm2'],
    regexes: [QWEN2],
  },
  { names: ['qwen35'], regexes: [QWEN35] },
  { names: ['ropewalk'], regexes: [ROPEWALK] },
];

const BY_NAME = new Map<string, PreTokenizer>();
for (const g of GROUPS) {
  for (const name of g.names)
    BY_NAME.set(name, { regexes: g.regexes, ignoreMerges: g.ignoreMerges ?? false });
}

/** The pre-tokenizer llama.cpp uses for a tokenizer.ggml.pre name (absent: llama.cpp's default). */
export function preTokenizerFor(name: string | undefined): PreTokenizer {
  const pre = BY_NAME.get(name ?? 'default');
  if (!pre) throw new UnsupportedTokenizerError(`pre-tokenizer '${name}' is not implemented`);
  return pre;
}

export const PRE_TOKENIZER_NAMES: readonly string[] = [...BY_NAME.keys()];

/** The first name whose pre-tokenizer is exactly these regexes and merge rule (what an exporter writes). */
export function preTokenizerNameFor(
  regexes: readonly string[],
  ignoreMerges: boolean,
): string | undefined {
  for (const [name, pre] of BY_NAME) {
    if (
      pre.ignoreMerges === ignoreMerges &&
      pre.regexes.length === regexes.length &&
      pre.regexes.every((r, i) => r === regexes[i])
    )
      return name;
  }
  return undefined;
}
