// DeepSeek-Coder: `<｜fim▁begin｜>prefix<｜fim▁hole｜>suffix<｜fim▁end｜>` (PSM, as trained). Repository
// files were concatenated in dependency order, each headed by its path as a comment, inside the document
// that FIM was applied to: here they sit after <｜fim▁begin｜>, before the cursor's file.

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

// Fullwidth bars (U+FF5C) and the SentencePiece space mark (U+2581), as the vocabulary spells them.
const MARKERS = { begin: '<｜fim▁begin｜>', hole: '<｜fim▁hole｜>', end: '<｜fim▁end｜>' } as const;

export const deepseekCoderTemplate = {
  family: 'deepseek-coder',
  label: 'DeepSeek-Coder',
  source:
    'https://github.com/deepseek-ai/DeepSeek-Coder#2-code-insertion and #4-repository-level-code-completion; issue #43 (path comments)',
  orders: ['psm'],
  matches: (v: TemplateVocab) => markers(v, MARKERS) !== undefined,
  bind(v) {
    const m = markers(v, MARKERS)!;
    return {
      // The base model ends with its eos (<｜end▁of▁sentence｜>); the instruct models with <|EOT|>.
      stopTokens: unique([...eos(v), ...presentIds(v, ['<|EOT|>']), m.begin, m.hole, m.end]),
      head: () => [...bos(v), m.begin],
      chunk: (path, text) => [`${pathComment(path)}\n${text}\n\n`],
      file: (path, withRepository) => [
        ...(withRepository ? [`${pathComment(path)}\n`] : []),
        PREFIX,
        m.hole,
        SUFFIX,
        m.end,
      ],
      repository: 'files headed by their path as a comment, inside the prefix',
    };
  },
} as const satisfies PromptTemplate;
