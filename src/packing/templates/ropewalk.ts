// Ropewalk's own models (models/README.md): Qwen2.5-Coder's markers at ids 0–6, trained on PSM and SPM,
// SPM by default so that the text being typed ends the prompt and the KV cache covers the rest.

import {
  markers,
  PREFIX,
  SUFFIX,
  type PromptTemplate,
  type TemplateVocab,
} from './prompt-template';

const MARKERS = {
  prefix: '<|fim_prefix|>',
  suffix: '<|fim_suffix|>',
  middle: '<|fim_middle|>',
  fileSep: '<|file_sep|>',
} as const;

export const ropewalkTemplate = {
  family: 'ropewalk',
  label: 'Ropewalk',
  source: 'models/README.md (Prompt formats)',
  orders: ['spm', 'psm'],
  // tokenizer.json (no GGUF facts) is always one of ours; a GGUF of ours names its own pre-tokenizer,
  // and its special tokens sit at ids 0–6 (Qwen's are past 151,642).
  matches: (v: TemplateVocab) =>
    markers(v, MARKERS) !== undefined &&
    (v.facts === undefined ||
      v.facts.pre === 'ropewalk' ||
      (v.tokenId('<|endoftext|>') === 0 && v.tokenId('<|file_sep|>') === 5)),
  bind(v, order) {
    const m = markers(v, MARKERS)!;
    return {
      // The model's <|endoftext|> ends generation through the card; these mean the middle is over.
      stopTokens: [m.fileSep, m.prefix, m.suffix, m.middle],
      head: () => [],
      chunk: (path, text) => [m.fileSep, `${path}\n${text}\n`],
      file: (path) =>
        order === 'spm'
          ? [m.fileSep, `${path}\n`, m.suffix, SUFFIX, m.prefix, PREFIX, m.middle]
          : [m.fileSep, `${path}\n`, m.prefix, PREFIX, m.suffix, SUFFIX, m.middle],
      repository: 'files after <|file_sep|>path',
    };
  },
} as const satisfies PromptTemplate;
