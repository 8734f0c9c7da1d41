// Any other vocabulary with fill-in-the-middle markers, found by the GGUF file's
// tokenizer.ggml.fim_*_token_id keys or by the spellings llama.cpp looks for: the layout llama-server's
// /infill writes (repository name and files with the repo/file-separator markers where the vocabulary
// has them), with files as path comments where it has no file separator.

import {
  bos,
  eos,
  pathComment,
  PREFIX,
  SUFFIX,
  unique,
  type PromptTemplate,
  type TemplateVocab,
} from './prompt-template';

// llama.cpp's llama-vocab.cpp spellings, for files whose converter wrote no FIM keys.
const NAMES = {
  pre: ['<|fim_prefix|>', '<fim-prefix>', '<fim_prefix>', '<PRE>', '<|code_prefix|>', '<|prefix|>'],
  suf: ['<|fim_suffix|>', '<fim-suffix>', '<fim_suffix>', '<SUF>', '<|code_suffix|>', '<|suffix|>'],
  mid: ['<|fim_middle|>', '<fim-middle>', '<fim_middle>', '<MID>', '<|code_middle|>', '<|middle|>'],
  pad: ['<|fim_pad|>', '<fim-pad>', '<fim_pad>', '<PAD>'],
  rep: ['<|fim_repo|>', '<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>'],
  sep: ['<|file_sep|>'],
} as const;

const KEYS = {
  pre: 'fimPreId',
  suf: 'fimSufId',
  mid: 'fimMidId',
  pad: 'fimPadId',
  rep: 'fimRepId',
  sep: 'fimSepId',
} as const;

function ids(v: TemplateVocab) {
  const find = (role: keyof typeof NAMES) =>
    v.facts?.[KEYS[role]] ?? NAMES[role].map((t) => v.tokenId(t)).find((x) => x !== undefined);
  const pre = find('pre');
  const suf = find('suf');
  const mid = find('mid');
  if (pre === undefined || suf === undefined || mid === undefined) return undefined;
  return { pre, suf, mid, pad: find('pad'), rep: find('rep'), sep: find('sep') };
}

export const fimKeysTemplate = {
  family: 'fim-keys',
  label: 'FIM markers of the file',
  source:
    "llama.cpp's tools/server format_prompt_infill (the /infill layout) and llama-vocab.cpp (marker spellings)",
  orders: ['psm'],
  matches: (v: TemplateVocab) => ids(v) !== undefined,
  bind(v) {
    const m = ids(v)!;
    const optional = (id: number | undefined) => (id === undefined ? [] : [id]);
    return {
      stopTokens: unique([
        ...eos(v),
        m.pre,
        m.suf,
        m.mid,
        ...optional(m.pad),
        ...optional(m.rep),
        ...optional(m.sep),
      ]),
      head: (name) => [...bos(v), ...(m.rep === undefined ? [] : [m.rep, `${name}\n`])],
      chunk: (path, text) =>
        m.sep === undefined ? [`${pathComment(path)}\n${text}\n\n`] : [m.sep, `${path}\n`, text],
      file: (path, withRepository) => [
        ...(m.sep === undefined
          ? withRepository
            ? [`${pathComment(path)}\n`]
            : []
          : [m.sep, `${path}\n`]),
        m.pre,
        PREFIX,
        m.suf,
        SUFFIX,
        m.mid,
      ],
      repository:
        m.sep === undefined
          ? 'files headed by their path as a comment'
          : 'files after the file-separator marker',
    };
  },
} as const satisfies PromptTemplate;
