// Code Llama: `<PRE> {prefix} <SUF>{suffix} <MID>` (PSM), as Meta's infilling_prompt_tokens builds it:
// [BOS, ▁<PRE>] + encode(prefix) (SentencePiece's leading space) + [▁<SUF>] + suffix without that
// space + [▁<MID>]. It has no repository format: files are written into the prefix, each headed by its
// path as a comment, the way DeepSeek-Coder was trained.

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

// The tokenizer spells them with the space mark (▁<PRE>); some conversions drop it.
const MARKERS = {
  prefix: ['▁<PRE>', '<PRE>'],
  suffix: ['▁<SUF>', '<SUF>'],
  middle: ['▁<MID>', '<MID>'],
} as const;

export const codellamaTemplate = {
  family: 'codellama',
  label: 'Code Llama',
  source:
    'https://github.com/meta-llama/codellama/blob/main/llama/generation.py (infilling_prompt_tokens, encode_infilling)',
  // Also trained on SPM, but there the prefix (and files written into it) would follow the suffix.
  orders: ['psm'],
  matches: (v: TemplateVocab) => markers(v, MARKERS) !== undefined,
  bind(v) {
    const m = markers(v, MARKERS)!;
    return {
      stopTokens: unique([
        ...presentIds(v, ['▁<EOT>', '<EOT>']),
        ...eos(v),
        m.prefix,
        m.suffix,
        m.middle,
      ]),
      head: () => [...bos(v), m.prefix],
      chunk: (path, text) => [`${pathComment(path)}\n${text}\n\n`],
      file: (path, withRepository) => [
        ...(withRepository ? [`${pathComment(path)}\n`] : []),
        PREFIX,
        m.suffix,
        SUFFIX,
        m.middle,
      ],
      repository: 'none of its own; files headed by their path as a comment, inside the prefix',
    };
  },
} as const satisfies PromptTemplate;
