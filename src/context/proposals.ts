// Prompt proposals at a cursor (RepoFusion's types): definitions of the identifiers in use, parent
// classes, outlines of imported files, test ↔ implementation siblings; and, as a separate strategy,
// similar code windows (Jaccard, RepoCoder style).

import { posix } from 'node:path';
import type { ContextStrategy } from './context-strategy';
import { languageForPath, languageSpec } from './languages';
import type { IndexedFile, RepoIndex } from './repo-index';
import type { Definition } from './syntax';

export type ProposalType =
  'definition' | 'parent-class' | 'imported-outline' | 'sibling' | 'similar-window';
export { CONTEXT_STRATEGIES, isContextStrategy, type ContextStrategy } from './context-strategy';

export interface Proposal {
  type: ProposalType;
  /** Repository path the text comes from. */
  source: string;
  text: string;
  score: number;
  /** Stable identity: the same proposal keeps its key from one keystroke to the next. */
  key: string;
}

export interface Cursor {
  path: string;
  text: string;
  /** UTF-16 offset of the cursor in text. */
  offset: number;
}

const IDENT = /[A-Za-z_$][A-Za-z0-9_$]*/g;
const MAX_DEFINITION_LINES = 40;
const MAX_UNRESOLVED_DEFINITIONS = 3;
const MAX_PROPOSALS = 64;

/** The lines of `file`'s text covered by a span, cut to `maxLines`. */
function sliceLines(text: string, def: Definition, maxLines: number): string {
  const lines = text.split('\n').slice(def.startLine, def.endLine + 1);
  return lines.length > maxLines
    ? [...lines.slice(0, maxLines), '    ...'].join('\n')
    : lines.join('\n');
}

/** Signatures of a file's definitions, members indented under their class: what a reader skims first. */
export function outline(file: IndexedFile, only?: string): string {
  const lines: string[] = [];
  for (const d of file.definitions) {
    if (only && d.name !== only && d.parent !== only) continue;
    lines.push(d.parent ? `    ${d.signature}` : d.signature);
  }
  return lines.join('\n');
}

function siblingNames(path: string): string[] {
  const dir = posix.dirname(path);
  const base = posix.basename(path);
  const ext = posix.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  // A file of no known language is named the JavaScript way (the most common convention).
  const out = (languageForPath(path) ?? languageSpec('javascript')).testSiblings(stem, ext);
  const names = new Set(out.filter((n) => n !== base));
  const found: string[] = [];
  for (const n of names) {
    for (const d of [
      dir,
      posix.join(dir, 'tests'),
      posix.join(dir, '__tests__'),
      posix.dirname(dir),
      posix.join(posix.dirname(dir), 'tests'),
    ]) {
      found.push(posix.normalize(posix.join(d, n)));
    }
  }
  return found;
}

/** RepoFusion-style proposals from the index, scored so that nearer, more direct evidence ranks first. */
export function astProposals(
  index: RepoIndex,
  cursor: Cursor,
  fileText: (path: string) => string | undefined,
): Proposal[] {
  const out: Proposal[] = [];
  const seen = new Set<string>();
  const push = (p: Proposal) => {
    // The same text from the same file (a class's outline, and its file's outline) is said once.
    if (
      seen.has(p.key) ||
      !p.text.trim() ||
      out.some((o) => o.source === p.source && o.text.includes(p.text))
    )
      return;
    seen.add(p.key);
    out.push(p);
  };
  const current = index.files.get(cursor.path);
  const imported = new Set(
    (current?.imports ?? []).map((i) => i.resolved).filter((x): x is string => !!x),
  );

  // Identifiers before the cursor, nearest first (the line being typed weighs most).
  const before = cursor.text.slice(
    Math.max(0, cursor.text.lastIndexOf('\n', cursor.offset - 1) - 2000),
    cursor.offset,
  );
  const idents = [...before.matchAll(IDENT)].map((m) => m[0]).reverse();
  const order = [...new Set(idents)];
  const localNames = new Set((current?.definitions ?? []).map((d) => d.name));
  const usedClasses: { file: string; name: string; score: number }[] = [];
  order.forEach((name, rank) => {
    if (localNames.has(name)) return; // defined in this file: the file itself is in the prompt
    const all = index.definitionsOf(name).filter((d) => d.file !== cursor.path);
    // Resolution through imports first; a name defined in many unrelated places says little on its own.
    const viaImports = all.filter((d) => imported.has(d.file));
    const candidates = viaImports.length
      ? viaImports
      : all.length <= MAX_UNRESOLVED_DEFINITIONS
        ? all
        : [];
    for (const { file, def } of candidates) {
      const text = fileText(file);
      if (text === undefined) continue;
      const direct = imported.has(file) ? 1 : 0.5; // reached through an import, or only by name
      const body =
        def.kind === 'class'
          ? outline(index.files.get(file) as IndexedFile, def.name)
          : sliceLines(text, def, MAX_DEFINITION_LINES);
      const score = direct / (1 + rank * 0.1);
      push({
        type: 'definition',
        source: file,
        text: body,
        score,
        key: `def:${file}:${def.name}:${def.startLine}`,
      });
      if (def.kind === 'class') usedClasses.push({ file, name: def.name, score });
    }
  });

  // Parent classes: of the classes in this file, and of the classes proposed above (their inherited members).
  const parentsOf = (
    parents: Record<string, string[]>,
    only: string | undefined,
    score: number,
  ) => {
    for (const [cls, bases] of Object.entries(parents)) {
      if (only && cls !== only) continue;
      for (const base of bases) {
        const name = base.replace(/<.*$/, '').split('.').pop() as string;
        for (const { file, def } of index.definitionsOf(name)) {
          if (def.kind !== 'class' && def.kind !== 'interface') continue;
          push({
            type: 'parent-class',
            source: file,
            text: outline(index.files.get(file) as IndexedFile, name),
            score,
            key: `parent:${file}:${name}`,
          });
        }
      }
    }
  };
  parentsOf(current?.parents ?? {}, undefined, 0.9);
  for (const c of usedClasses)
    parentsOf(index.files.get(c.file)?.parents ?? {}, c.name, c.score * 0.8);

  // Outlines of imported files.
  for (const file of imported) {
    const f = index.files.get(file);
    if (f)
      push({
        type: 'imported-outline',
        source: file,
        text: outline(f),
        score: 0.6,
        key: `outline:${file}`,
      });
  }

  // Test ↔ implementation.
  for (const file of siblingNames(cursor.path)) {
    const f = index.files.get(file);
    if (f && file !== cursor.path)
      push({ type: 'sibling', source: file, text: outline(f), score: 0.5, key: `sibling:${file}` });
  }
  return out
    .sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))
    .slice(0, MAX_PROPOSALS);
}

function tokenSet(text: string): Set<string> {
  return new Set(text.match(IDENT) ?? []);
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 0 : inter / union;
}

/**
 * Files most likely to hold windows similar to the query: those sharing its rarer identifiers
 * (idf-weighted), from the index's inverted table, so that a query reads a few dozen files instead of
 * the whole repository.
 */
function candidateFiles(
  index: RepoIndex,
  query: Set<string>,
  exclude: string,
  limit: number,
): string[] {
  const n = index.files.size;
  const score = new Map<string, number>();
  for (const name of query) {
    const users = index.filesUsing(name);
    // A name most files use (self, this, return) says nothing about which file is similar.
    if (users.size === 0 || users.size > Math.max(8, n / 4)) continue;
    const idf = Math.log(1 + n / users.size);
    for (const f of users) if (f !== exclude) score.set(f, (score.get(f) ?? 0) + idf);
  }
  return [...score]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([f]) => f);
}

/** RepoCoder's retrieval: windows of `size` lines (stride size/2) over other files, by Jaccard with the last 20 lines. */
export function similarWindows(
  index: RepoIndex,
  cursor: Cursor,
  fileText: (path: string) => string | undefined,
  top = 8,
  size = 30,
  maxFiles = 48,
): Proposal[] {
  const query = tokenSet(cursor.text.slice(0, cursor.offset).split('\n').slice(-20).join('\n'));
  const scored: { p: Proposal; start: number }[] = [];
  for (const path of candidateFiles(index, query, cursor.path, maxFiles)) {
    const text = fileText(path);
    if (text === undefined) continue;
    const lines = text.split('\n');
    for (let start = 0; start < lines.length; start += size / 2) {
      const window = lines.slice(start, start + size).join('\n');
      const score = jaccard(query, tokenSet(window));
      if (score > 0)
        scored.push({
          p: {
            type: 'similar-window',
            source: path,
            text: window,
            score,
            key: `window:${path}:${start}`,
          },
          start,
        });
      if (start + size >= lines.length) break;
    }
  }
  scored.sort((a, b) => b.p.score - a.p.score || a.p.key.localeCompare(b.p.key));
  // Overlapping windows of one file say the same thing twice: keep the best of each overlap.
  const kept: { p: Proposal; start: number }[] = [];
  for (const w of scored) {
    if (kept.some((k) => k.p.source === w.p.source && Math.abs(k.start - w.start) < size)) continue;
    kept.push(w);
    if (kept.length >= top) break;
  }
  return kept.map((k) => k.p);
}

export function proposalsFor(
  strategy: ContextStrategy,
  index: RepoIndex,
  cursor: Cursor,
  fileText: (path: string) => string | undefined,
): Proposal[] {
  switch (strategy) {
    case 'infile':
      return [];
    case 'jaccard':
      return similarWindows(index, cursor, fileText);
    case 'ast':
      return astProposals(index, cursor, fileText);
    case 'ast+jaccard': {
      const ast = astProposals(index, cursor, fileText);
      // Reciprocal-rank fusion keeps the two scales comparable.
      const fused = [
        ...ast.map((p, i) => ({ ...p, score: 1 / (60 + i) })),
        ...similarWindows(index, cursor, fileText).map((p, i) => ({ ...p, score: 1 / (60 + i) })),
      ];
      return fused.sort((a, b) => b.score - a.score || a.key.localeCompare(b.key));
    }
  }
}
