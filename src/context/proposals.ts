// Prompt proposals at a cursor (RepoFusion's types): definitions of the identifiers in use, parent
// classes, outlines of imported files, test ↔ implementation siblings; and, as a separate strategy,
// similar code windows (Jaccard, RepoCoder style, in similar-windows.ts).

import { posix } from 'node:path';
import type { ContextStrategy } from './context-strategy';
import { languageForPath, languageSpec } from './languages';
import type { IndexedFile, RepoIndex } from './repo-index';
import { IDENT, similarWindows } from './similar-windows';
import type { Definition } from './syntax';

export type ProposalType =
  'definition' | 'parent-class' | 'imported-outline' | 'sibling' | 'similar-window';
export { CONTEXT_STRATEGIES, isContextStrategy, type ContextStrategy } from './context-strategy';
export { similarWindows };

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

/** Collects proposals, each once: the same text from the same file (a class's outline, and its file's outline) is said once. */
class ProposalList {
  private readonly out: Proposal[] = [];
  private readonly seen = new Set<string>();

  push(p: Proposal): void {
    if (
      this.seen.has(p.key) ||
      !p.text.trim() ||
      this.out.some((o) => o.source === p.source && o.text.includes(p.text))
    )
      return;
    this.seen.add(p.key);
    this.out.push(p);
  }

  /** Best first, ties by key so that the order is stable, cut to what a prompt could use. */
  ranked(): Proposal[] {
    return this.out
      .sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))
      .slice(0, MAX_PROPOSALS);
  }
}

/** Identifiers before the cursor, each once, nearest first (the line being typed weighs most). */
function identifiersBefore(cursor: Cursor): string[] {
  const before = cursor.text.slice(
    Math.max(0, cursor.text.lastIndexOf('\n', cursor.offset - 1) - 2000),
    cursor.offset,
  );
  const idents = [...before.matchAll(IDENT)].map((m) => m[0]).reverse();
  return [...new Set(idents)];
}

/** A class proposed as a definition: its parents are proposed next, for its inherited members. */
interface UsedClass {
  file: string;
  name: string;
  score: number;
}

/** Definitions of the identifiers in use, from other files; returns the classes among them. */
function definitionProposals(
  index: RepoIndex,
  cursor: Cursor,
  imported: ReadonlySet<string>,
  fileText: (path: string) => string | undefined,
  list: ProposalList,
): UsedClass[] {
  const current = index.files.get(cursor.path);
  const localNames = new Set((current?.definitions ?? []).map((d) => d.name));
  const usedClasses: UsedClass[] = [];
  identifiersBefore(cursor).forEach((name, rank) => {
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
      list.push({
        type: 'definition',
        source: file,
        text: body,
        score,
        key: `def:${file}:${def.name}:${def.startLine}`,
      });
      if (def.kind === 'class') usedClasses.push({ file, name: def.name, score });
    }
  });
  return usedClasses;
}

/** Outlines of the classes and interfaces named as bases in `parents` (of class `only`, when given). */
function parentClassProposals(
  index: RepoIndex,
  parents: Record<string, string[]>,
  only: string | undefined,
  score: number,
  list: ProposalList,
): void {
  for (const [cls, bases] of Object.entries(parents)) {
    if (only && cls !== only) continue;
    for (const base of bases) {
      const name = base.replace(/<.*$/, '').split('.').pop() as string;
      for (const { file, def } of index.definitionsOf(name)) {
        if (def.kind !== 'class' && def.kind !== 'interface') continue;
        list.push({
          type: 'parent-class',
          source: file,
          text: outline(index.files.get(file) as IndexedFile, name),
          score,
          key: `parent:${file}:${name}`,
        });
      }
    }
  }
}

/** RepoFusion-style proposals from the index, scored so that nearer, more direct evidence ranks first. */
export function astProposals(
  index: RepoIndex,
  cursor: Cursor,
  fileText: (path: string) => string | undefined,
): Proposal[] {
  const list = new ProposalList();
  const current = index.files.get(cursor.path);
  const imported = new Set(
    (current?.imports ?? []).map((i) => i.resolved).filter((x): x is string => !!x),
  );
  const usedClasses = definitionProposals(index, cursor, imported, fileText, list);

  // Parent classes: of the classes in this file, and of the classes proposed above (their inherited members).
  parentClassProposals(index, current?.parents ?? {}, undefined, 0.9, list);
  for (const c of usedClasses)
    parentClassProposals(
      index,
      index.files.get(c.file)?.parents ?? {},
      c.name,
      c.score * 0.8,
      list,
    );

  // Outlines of imported files.
  for (const file of imported) {
    const f = index.files.get(file);
    if (f)
      list.push({
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
      list.push({
        type: 'sibling',
        source: file,
        text: outline(f),
        score: 0.5,
        key: `sibling:${file}`,
      });
  }
  return list.ranked();
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
