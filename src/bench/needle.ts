// "Needle in a repository": a value defined in a file placed at some depth of a prompt made of the
// repository's own files, asked for at the cursor in another file at the end. Accuracy per (length,
// depth, RoPE method) isolates what a method does to long-range retrieval, beyond the training length.

import { buildFimPrompt } from '../packing/fim';
import { DEFAULT_REPO_NAME } from '../packing/pack';
import {
  encodePieces,
  fillSlots,
  piecesIds,
  wholeFile,
  type PromptEncoder,
  type TemplateLayout,
} from '../packing/templates';

export type NeedleLanguage = 'python' | 'typescript';

export interface NeedleCase {
  /** Prompt tokens in all. */
  length: number;
  /** Where the needle sits, as a fraction of the filler before it (0 = first, 1 = just before the cursor's file). */
  depth: number;
  value: number;
  /** Tells needles of different trials apart (ROPEWALK_NEEDLE_<n>). */
  serial: number;
  language: NeedleLanguage;
}

export interface NeedleFiles {
  name: string;
  needle: { path: string; text: string };
  query: { path: string; prefix: string; suffix: string };
}

/**
 * The file that defines the value and the file that asks for it, in the repository's language. The
 * question ends before the space: BPE tokenizers attach it to the number (" 48213"), and a prompt
 * ending in a bare space throws the model off.
 */
export function needleFiles(language: NeedleLanguage, serial: number, value: number): NeedleFiles {
  const name = `ROPEWALK_NEEDLE_${serial}`;
  if (language === 'python') {
    return {
      name,
      needle: {
        path: 'ropewalk_needle.py',
        text: `# Settings shared by the checks.\n${name} = ${value}\n`,
      },
      query: {
        path: 'check_needle.py',
        prefix: `from ropewalk_needle import ${name}\n\n\ndef test_needle():\n    assert ${name} ==`,
        suffix: '\n',
      },
    };
  }
  return {
    name,
    needle: {
      path: 'ropewalk-needle.ts',
      text: `// Settings shared by the checks.\nexport const ${name} = ${value};\n`,
    },
    query: {
      path: 'check-needle.ts',
      prefix: `import { ${name} } from './ropewalk-needle';\n\nconsole.assert(${name} ===`,
      suffix: ');\n',
    },
  };
}

export interface NeedlePrompt {
  /**
   * [opening and filler before, needle file, filler after, cursor file]: the shape generate() reuses
   * chunks by.
   */
  segments: number[][];
  tokens: number;
  /** Token offset of the needle file in the prompt. */
  needleAt: number;
  value: number;
}

export class NeedleFillerError extends Error {
  override readonly name = 'NeedleFillerError';
}

/**
 * The prompt of one case, in the model family's template: repository files (`filler`, repeated if need
 * be) up to `length` tokens, the needle file at `depth` of them, the asking file last as a
 * fill-in-the-middle prompt.
 */
export function buildNeedlePrompt(
  tok: PromptEncoder,
  template: Pick<TemplateLayout, 'head' | 'chunk' | 'file'>,
  filler: { path: string; text: string }[],
  c: NeedleCase,
): NeedlePrompt {
  const files = needleFiles(c.language, c.serial, c.value);
  const opening = encodePieces(template.head(DEFAULT_REPO_NAME), tok, true);
  const head = fillSlots(opening, { prefix: [], suffix: [] });
  const needle = piecesIds(template.chunk(files.needle.path, wholeFile(files.needle.text)), tok);
  const query = buildFimPrompt(tok, template, files.query, 1 << 20, { withRepository: true }).ids;
  const room = c.length - head.length - needle.length - query.length;
  if (room < 0)
    throw new NeedleFillerError(`a needle prompt of ${c.length} tokens has no room for filler`);
  // The filler never mentions the needle's name, so the value can only come from the needle file.
  const usable = filler.filter((f) => !f.text.includes(files.name) && f.text.trim().length > 0);
  if (room > 0 && usable.length === 0)
    throw new NeedleFillerError('no repository files to fill a needle prompt with');
  const stream: number[] = [];
  for (let i = 0; stream.length < room; i++) {
    const f = usable[i % usable.length] as { path: string; text: string };
    stream.push(...piecesIds(template.chunk(f.path, f.text), tok, i === 0 && opening.atStart));
    if (i > 100_000) break;
  }
  const body = stream.slice(0, room);
  const cut = Math.round(Math.min(1, Math.max(0, c.depth)) * body.length);
  const segments = [[...head, ...body.slice(0, cut)], needle, body.slice(cut), query];
  return { segments, tokens: c.length, needleAt: head.length + cut, value: c.value };
}

/** The completion names the value: its first integer is the needle's. */
export function needleCorrect(completion: string, value: number): boolean {
  const m = completion.match(/-?\d+/);
  return m !== null && Number(m[0]) === value;
}
