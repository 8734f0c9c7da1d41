// Completion tasks cut from a repository's own files, ExecRepoBench's multi-level way: a hole chosen
// on the syntax tree (an expression, a statement of a weighted node type, a block or function body),
// a single line or a random span; the hidden middle is 10–512 characters and never trivial.

import type { Node } from 'web-tree-sitter';
import { languageForPath, type LanguageSpec, type StatementKind } from '../context/languages';
import type { SyntaxLoader } from '../context/syntax';
import { Random, shortHash } from './random';

export type HoleLevel = 'expression' | 'statement' | 'block' | 'line' | 'span';
export const HOLE_LEVELS: readonly HoleLevel[] = [
  'expression',
  'statement',
  'block',
  'line',
  'span',
];

export type { StatementKind };

/** ExecRepoBench's node-type weights for statement-level holes. */
export const STATEMENT_WEIGHTS: Readonly<Record<StatementKind, number>> = {
  import: 0.1,
  comment: 0.05,
  return: 0.1,
  if: 0.15,
  for: 0.15,
  while: 0.1,
  class: 0.1,
  function: 0.1,
  assignment: 0.05,
  expression: 0.05,
};

export interface CompletionTask {
  /** Stable across runs with the same seed: results are keyed by it. */
  id: string;
  level: HoleLevel;
  /** For statement holes, the node type drawn. */
  kind?: StatementKind;
  path: string;
  language: string;
  /** UTF-16 offsets of the hole in the original text. */
  start: number;
  end: number;
  prefix: string;
  middle: string;
  suffix: string;
}

export interface TaskOptions {
  /** Tasks wanted in all; levels take turns. */
  samples: number;
  seed: number;
  levels?: readonly HoleLevel[];
  minChars?: number;
  maxChars?: number;
  /** Only these languages (ids from context/languages). */
  languages?: string[];
}

interface SpanOf {
  start: number;
  end: number;
}

interface FileCandidates {
  expression: SpanOf[];
  statement: (SpanOf & { kind: StatementKind; lines: number; descendants: SpanOf[] })[];
  block: SpanOf[];
}

const TRIVIAL_WORDS = new Set([
  'pass',
  '...',
  'continue',
  'break',
  'return',
  'None',
  'null',
  'undefined',
  'true',
  'false',
  'True',
  'False',
  'this',
  'self',
  'super()',
]);

/** A middle not worth asking for: only punctuation or whitespace, a bare keyword, or nothing once trimmed. */
export function isTrivialMiddle(middle: string): boolean {
  const t = middle.trim().replace(/;$/, '');
  return t.length < 2 || /^[\s\p{P}\p{S}]*$/u.test(t) || TRIVIAL_WORDS.has(t);
}

/** The statement kind of a node, by its language's table; an expression statement that assigns is an assignment. */
function statementKind(node: Node, spec: LanguageSpec): StatementKind | undefined {
  // Own properties only: a node type may be named like an Object.prototype member.
  const kind = Object.hasOwn(spec.holes.statements, node.type)
    ? spec.holes.statements[node.type]
    : undefined;
  if (kind !== 'expression') return kind;
  const first = node.namedChild(0)?.type ?? '';
  return /assignment/.test(first) ? 'assignment' : 'expression';
}

/** The part of a block node that is its body's text: the statements (Python), or inside the braces. */
function blockSpan(node: Node, spec: LanguageSpec): SpanOf | undefined {
  if (!spec.holes.bodies.includes(node.type)) return undefined;
  if (!spec.holes.bracedBodies) return { start: node.startIndex, end: node.endIndex };
  const parent = node.parent?.type ?? '';
  if (!/function|method|class|if|for|while|arrow|else|try|catch/.test(parent)) return undefined;
  return { start: node.startIndex + 1, end: node.endIndex - 1 };
}

function collect(root: Node, spec: LanguageSpec, ok: (s: SpanOf) => boolean): FileCandidates {
  const out: FileCandidates = { expression: [], statement: [], block: [] };
  const expressions = new Set(spec.holes.expressions);
  const visit = (node: Node) => {
    if (node.hasError) return; // a hole in broken code says nothing about completion
    const span = { start: node.startIndex, end: node.endIndex };
    if (expressions.has(node.type) && ok(span)) out.expression.push(span);
    const kind = statementKind(node, spec);
    if (kind) {
      const descendants: SpanOf[] = [];
      const walk = (n: Node) => {
        for (const c of n.namedChildren) {
          if (!c) continue;
          const s = { start: c.startIndex, end: c.endIndex };
          if (ok(s) && descendants.length < 256) descendants.push(s);
          walk(c);
        }
      };
      walk(node);
      out.statement.push({
        ...span,
        kind,
        lines: node.endPosition.row - node.startPosition.row + 1,
        descendants,
      });
    }
    const block = blockSpan(node, spec);
    if (block && ok(block)) out.block.push(block);
    for (const c of node.namedChildren) if (c) visit(c);
  };
  visit(root);
  return out;
}

/**
 * Builds `options.samples` tasks from `files` (repository path → text), deterministic for a seed.
 * Levels take turns; each task draws a file, then a hole of its level; a file or level without a
 * fitting hole is drawn again (a bounded number of times).
 */
export async function buildTasks(
  files: ReadonlyMap<string, string>,
  loader: SyntaxLoader,
  options: TaskOptions,
): Promise<CompletionTask[]> {
  const minChars = options.minChars ?? 10;
  const maxChars = options.maxChars ?? 512;
  const levels = options.levels ?? HOLE_LEVELS;
  const rng = new Random(options.seed);
  const eligible = [...files.keys()].sort().filter((p) => {
    const spec = languageForPath(p);
    return (
      spec &&
      (!options.languages || options.languages.includes(spec.id)) &&
      (files.get(p)?.length ?? 0) > 2 * minChars
    );
  });
  const cache = new Map<string, FileCandidates | null>();
  const candidatesOf = async (
    path: string,
    spec: LanguageSpec,
    text: string,
  ): Promise<FileCandidates | null> => {
    if (cache.has(path)) return cache.get(path) ?? null;
    let result: FileCandidates | null;
    try {
      const { tree } = await loader.parse(spec, text);
      try {
        const ok = (s: SpanOf) => {
          const m = text.slice(s.start, s.end);
          return m.length >= minChars && m.length <= maxChars && !isTrivialMiddle(m);
        };
        result = collect(tree.rootNode, spec, ok);
      } finally {
        tree.delete();
      }
    } catch {
      result = null; // a file the grammar cannot take gives no tasks
    }
    cache.set(path, result);
    return result;
  };

  const tasks: CompletionTask[] = [];
  const seen = new Set<string>();
  if (eligible.length === 0) return tasks;
  for (let i = 0; tasks.length < options.samples && i < options.samples * 40; i++) {
    const level = levels[tasks.length % levels.length] as HoleLevel;
    const path = rng.pick(eligible);
    const text = files.get(path) as string;
    const spec = languageForPath(path) as LanguageSpec;
    const hole = drawHole(
      level,
      text,
      await candidatesOf(path, spec, text),
      rng,
      minChars,
      maxChars,
    );
    if (!hole) continue;
    const middle = text.slice(hole.start, hole.end);
    if (middle.length < minChars || middle.length > maxChars || isTrivialMiddle(middle)) continue;
    const key = `${path}:${hole.start}:${hole.end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    tasks.push({
      id: `${level}-${shortHash(key)}`,
      level,
      ...(hole.kind ? { kind: hole.kind } : {}),
      path,
      language: spec.id,
      start: hole.start,
      end: hole.end,
      prefix: text.slice(0, hole.start),
      middle,
      suffix: text.slice(hole.end),
    });
  }
  return tasks;
}

function drawHole(
  level: HoleLevel,
  text: string,
  c: FileCandidates | null,
  rng: Random,
  minChars: number,
  maxChars: number,
): (SpanOf & { kind?: StatementKind }) | undefined {
  switch (level) {
    case 'expression':
      return c?.expression.length ? rng.pick(c.expression) : undefined;
    case 'block':
      return c?.block.length ? rng.pick(c.block) : undefined;
    case 'statement': {
      if (!c?.statement.length) return undefined;
      // The node type is drawn with ExecRepoBench's weights among the types this file has.
      const present: Partial<Record<StatementKind, number>> = {};
      for (const s of c.statement) present[s.kind] = STATEMENT_WEIGHTS[s.kind];
      const kind = rng.weighted(present);
      const nodes = c.statement.filter((s) => s.kind === kind);
      const node = rng.pick(nodes);
      const size = node.end - node.start;
      // Whole node when short (p = .8), else a random descendant.
      if (
        node.lines < 10 &&
        size >= minChars &&
        size <= maxChars &&
        !isTrivialMiddle(text.slice(node.start, node.end)) &&
        rng.next() < 0.8
      ) {
        return { start: node.start, end: node.end, kind: node.kind };
      }
      return node.descendants.length
        ? { ...rng.pick(node.descendants), kind: node.kind }
        : undefined;
    }
    case 'line': {
      const starts = [0];
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      const row = rng.int(0, starts.length - 1);
      const lineStart = starts[row] as number;
      const lineEnd = row + 1 < starts.length ? (starts[row + 1] as number) - 1 : text.length;
      const line = text.slice(lineStart, lineEnd);
      const indent = line.length - line.trimStart().length;
      // The line from its first character: the indentation belongs to the prefix, as when typing.
      return { start: lineStart + indent, end: lineStart + line.trimEnd().length };
    }
    case 'span': {
      if (text.length <= minChars) return undefined;
      const length = rng.int(minChars, Math.min(maxChars, text.length));
      const start = rng.int(0, text.length - length);
      return { start, end: start + length };
    }
  }
}
