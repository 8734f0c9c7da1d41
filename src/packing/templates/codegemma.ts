// CodeGemma: `<|fim_prefix|>prefix<|fim_suffix|>suffix<|fim_middle|>` (PSM), `<|file_separator|>` for
// multi-file contexts; the model writes it when a file ends, so it follows each repository file here.

import {
  bos,
  eos,
  markers,
  pathComment,
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
  fileSep: '<|file_separator|>',
} as const;

export const codegemmaTemplate = {
  family: 'codegemma',
  label: 'CodeGemma',
  source:
    'https://ai.google.dev/gemma/docs/codegemma/prompt-structure; arXiv:2406.11409 §2 (FIM, multi-file packing)',
  // Trained on PSM and SPM; only PSM's token order is documented.
  orders: ['psm'],
  matches: (v: TemplateVocab) => markers(v, MARKERS) !== undefined,
  bind(v) {
    const m = markers(v, MARKERS)!;
    return {
      stopTokens: unique([
        m.fileSep,
        m.prefix,
        m.suffix,
        m.middle,
        ...eos(v),
        ...presentIds(v, ['<end_of_turn>']),
      ]),
      head: () => bos(v),
      // The path format of its multi-file packing is not published: a comment names the file.
      chunk: (path, text) => [`${pathComment(path)}\n${text}\n`, m.fileSep],
      file: (path, withRepository) => [
        m.prefix,
        ...(withRepository ? [`${pathComment(path)}\n`] : []),
        PREFIX,
        m.suffix,
        SUFFIX,
        m.middle,
      ],
      repository: 'files headed by their path as a comment, each ended by <|file_separator|>',
    };
  },
} as const satisfies PromptTemplate;
