// A vocabulary without fill-in-the-middle markers: plain left-to-right completion from the text before
// the cursor. Repository files come first, each headed by its path as a comment; the suffix is not seen.

import {
  bos,
  eos,
  pathComment,
  PREFIX,
  type PromptTemplate,
  type TemplateVocab,
} from './prompt-template';

export const prefixOnlyTemplate = {
  family: 'prefix-only',
  label: 'no FIM markers',
  source: 'left-to-right language modelling',
  orders: ['psm'],
  matches: () => true,
  bind(v: TemplateVocab) {
    return {
      stopTokens: eos(v),
      head: () => bos(v),
      chunk: (path, text) => [`${pathComment(path)}\n${text}\n\n`],
      file: (path, withRepository) => [
        ...(withRepository ? [`${pathComment(path)}\n`] : []),
        PREFIX,
      ],
      notice:
        'the model has no fill-in-the-middle tokens: completions come from the text before the cursor only (the text after it is not seen)',
      repository: 'files headed by their path as a comment',
    };
  },
} as const satisfies PromptTemplate;
