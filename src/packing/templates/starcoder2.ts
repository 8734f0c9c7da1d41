// StarCoder2: `<repo_name>name<file_sep>path\ncode…`, and the FIM file as
// `<file_sep><fim_prefix>path\nprefix<fim_suffix>suffix<fim_middle>` (PSM), as in its training data.

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
  prefix: '<fim_prefix>',
  suffix: '<fim_suffix>',
  middle: '<fim_middle>',
  fileSep: '<file_sep>',
} as const;

const STOPS = [
  '<|endoftext|>',
  '<file_sep>',
  '<fim_prefix>',
  '<fim_suffix>',
  '<fim_middle>',
  '<fim_pad>',
  '<repo_name>',
];

export const starcoder2Template = {
  family: 'starcoder2',
  label: 'StarCoder2',
  source: 'arXiv:2402.19173 §5.1 (StarCoder 2 and The Stack v2), repository-context FIM format',
  orders: ['psm'],
  matches: (v: TemplateVocab) => markers(v, MARKERS) !== undefined,
  bind(v) {
    const m = markers(v, MARKERS)!;
    const repo = v.tokenId('<repo_name>');
    return {
      stopTokens: unique([...presentIds(v, STOPS), ...eos(v)]),
      // No newline after the name: the paper's `<repo_name>reponame<file_sep>filepath0\ncode0…`.
      head: (name) => [...bos(v), ...(repo === undefined ? [] : [repo, name])],
      chunk: (path, text) => [m.fileSep, `${path}\n${text}\n`],
      file: (path) => [m.fileSep, m.prefix, `${path}\n`, PREFIX, m.suffix, SUFFIX, m.middle],
      repository: 'files after <file_sep>path',
    };
  },
} as const satisfies PromptTemplate;
