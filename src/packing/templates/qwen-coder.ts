// Qwen2.5-Coder: repository-level FIM, `<|repo_name|>name\n<|file_sep|>path\ntext…<|file_sep|>path\n`
// then `<|fim_prefix|>prefix<|fim_suffix|>suffix<|fim_middle|>` (PSM, as trained).

import {
  bos,
  eos,
  markers,
  presentIds,
  PREFIX,
  SUFFIX,
  unique,
  type PromptTemplate,
  type TemplateVocab,
} from './prompt-template';

const MARKERS = {
  prefix: '<|fim_prefix|>',
  suffix: '<|fim_suffix|>',
  middle: '<|fim_middle|>',
  fileSep: '<|file_sep|>',
} as const;

/** The eos_token_ids of Qwen's own FIM examples (examples/Qwen2.5-Coder-fim.py). */
const STOPS = [
  '<|endoftext|>',
  '<|fim_prefix|>',
  '<|fim_middle|>',
  '<|fim_suffix|>',
  '<|fim_pad|>',
  '<|repo_name|>',
  '<|file_sep|>',
  '<|im_end|>',
];

export const qwenCoderTemplate = {
  family: 'qwen2.5-coder',
  label: 'Qwen2.5-Coder',
  source:
    'https://github.com/QwenLM/Qwen2.5-Coder/blob/main/examples/Qwen2.5-Coder-repolevel-fim.py; arXiv:2409.12186 §3',
  orders: ['psm'],
  matches: (v: TemplateVocab) => markers(v, MARKERS) !== undefined,
  bind(v) {
    const m = markers(v, MARKERS)!;
    const repo = v.tokenId('<|repo_name|>');
    return {
      stopTokens: unique([...presentIds(v, STOPS), ...eos(v)]),
      head: (name) => [...bos(v), ...(repo === undefined ? [] : [repo, `${name}\n`])],
      chunk: (path, text) => [m.fileSep, `${path}\n${text}\n`],
      file: (path) => [m.fileSep, `${path}\n`, m.prefix, PREFIX, m.suffix, SUFFIX, m.middle],
      repository: 'files after <|file_sep|>path',
    };
  },
} as const satisfies PromptTemplate;
