// How fast repository context keeps up with typing: at seeded cursors in a real repository, a line is
// typed again character by character; every keystroke re-indexes the open document incrementally and
// builds the packed prompt, as the editor does. The first prompt at a cursor and the re-index of a file
// from scratch are measured for comparison.

import type { PromptBuilder } from '../completion/prompt-builder';
import type { ContextStrategy } from '../context/proposals';
import type { RepoIndex } from '../context/repo-index';
import { seededRandom } from '../model/sampling';
import { quantile } from './stats';

export interface ContextBenchOptions {
  cursors: number;
  /** Characters typed at each cursor. */
  keystrokes: number;
  budget: number;
  strategy: ContextStrategy;
  seed: number;
}

export interface ContextBenchResult {
  cursors: number;
  keystrokes: number;
  /** Prompt build at a keystroke after the first at its cursor: proposals + packing, ms. */
  warm: { p50: number; p95: number };
  /** The first prompt built at a cursor (chunks not tokenized yet). */
  first: { p50: number; p95: number };
  /** Incremental re-parse and re-index of the edited document, per keystroke. */
  reindexIncremental: { p50: number; p95: number };
  /** Re-parse and re-index of the same file from scratch. */
  reindexFull: { p50: number; p95: number };
  /** Of warm: the proposals and the packing (tokenizing the cursor's file). */
  warmProposals: { p50: number; p95: number };
  warmPack: { p50: number; p95: number };
  meanPromptTokens: number;
  meanChunks: number;
}

const summary = (xs: number[]) => ({ p50: quantile(xs, 0.5), p95: quantile(xs, 0.95) });

/** The timings contextBench collects across cursors, summarised once at the end. */
interface ContextSamples {
  warm: number[];
  first: number[];
  warmProposals: number[];
  warmPack: number[];
  incremental: number[];
  full: number[];
  tokens: number;
  chunks: number;
  builds: number;
}

/** A line to type again: the document with it emptied after its indentation, and where typing starts. */
export interface TypingSite {
  /** The document as the user has it before the first keystroke. */
  text: string;
  cursor: number;
  typed: string;
}

/**
 * A seeded line with something to type, away from the top of the file (imports); undefined when the
 * file has none. Draws from `random` even then, so the sequence of cursors stays as it was.
 */
export function typingSite(
  original: string,
  random: () => number,
  keystrokes: number,
): TypingSite | undefined {
  const lines = original.split('\n');
  const candidates = lines
    .map((l, i) => ({ l, i }))
    .filter(({ l, i }) => i >= Math.min(10, lines.length / 3) && l.trim().length >= keystrokes);
  const pick = candidates[Math.floor(random() * candidates.length)];
  if (!pick) return undefined;
  const lineStart = lines.slice(0, pick.i).join('\n').length + 1;
  const indent = pick.l.length - pick.l.trimStart().length;
  return {
    text: original.slice(0, lineStart + indent) + original.slice(lineStart + pick.l.length),
    cursor: lineStart + indent,
    typed: pick.l.slice(indent),
  };
}

/**
 * Types the site's line one character at a time, as the editor does: each keystroke re-indexes the
 * open document incrementally (timed) and builds the prompt (timed; the first at the cursor apart).
 */
async function typeLine(
  index: RepoIndex,
  builder: PromptBuilder,
  path: string,
  site: TypingSite,
  options: ContextBenchOptions,
  samples: ContextSamples,
): Promise<void> {
  const { cursor, typed } = site;
  let text = site.text;
  for (let k = 0; k <= options.keystrokes; k++) {
    if (k > 0) {
      const at = cursor + k - 1;
      const next = text.slice(0, at) + typed[k - 1] + text.slice(at);
      const t = performance.now();
      await index.editDocument(path, [{ start: at, end: at, text: typed[k - 1] as string }], next);
      samples.incremental.push(performance.now() - t);
      text = next;
    }
    const t = performance.now();
    const built = builder.build({
      path,
      text,
      offset: cursor + k,
      budget: options.budget,
      strategy: options.strategy,
    });
    (k === 0 ? samples.first : samples.warm).push(performance.now() - t);
    if (k > 0) {
      samples.warmProposals.push(built.proposalsMs);
      samples.warmPack.push(built.packMs);
    }
    samples.tokens += built.packed.tokens;
    samples.chunks += built.packed.chunks.length;
    samples.builds++;
  }
}

export async function contextBench(
  index: RepoIndex,
  builder: PromptBuilder,
  fileText: (path: string) => string | undefined,
  options: ContextBenchOptions,
): Promise<ContextBenchResult> {
  const random = seededRandom(options.seed);
  const paths = [...index.files.keys()].sort();
  const samples: ContextSamples = {
    warm: [],
    first: [],
    warmProposals: [],
    warmPack: [],
    incremental: [],
    full: [],
    tokens: 0,
    chunks: 0,
    builds: 0,
  };
  let done = 0;
  for (let attempt = 0; done < options.cursors && attempt < options.cursors * 20; attempt++) {
    const path = paths[Math.floor(random() * paths.length)] as string;
    const original = fileText(path);
    if (original === undefined) continue;
    const site = typingSite(original, random, options.keystrokes);
    if (!site) continue;
    await index.openDocument(path, site.text);
    const t = performance.now();
    await index.update(path, original); // from scratch: the file as on disk
    samples.full.push(performance.now() - t);
    await index.openDocument(path, site.text);
    await typeLine(index, builder, path, site, options, samples);
    index.closeDocument(path);
    await index.update(path, original);
    done++;
  }
  const { tokens, chunks, builds } = samples;
  return {
    cursors: done,
    keystrokes: options.keystrokes,
    warm: summary(samples.warm),
    warmProposals: summary(samples.warmProposals),
    warmPack: summary(samples.warmPack),
    first: summary(samples.first),
    reindexIncremental: summary(samples.incremental),
    reindexFull: summary(samples.full),
    meanPromptTokens: builds ? tokens / builds : 0,
    meanChunks: builds ? chunks / builds : 0,
  };
}

export interface DefinitionCursor {
  path: string;
  /** From 1, as the editor shows them. */
  line: number;
  column: number;
  name: string;
  /** The file that defines `name` (imported by `path`). */
  definedIn: string;
  /** The packed prompt holds a chunk from definedIn with the definition's first line. */
  found: boolean;
  /** The type of the chunk that holds it. */
  via?: string;
  promptTokens: number;
}

/**
 * At seeded cursors right after a use of a name that the file imports from another repository file
 * (`Name(`, `Name.`), does the packed prompt show that definition? The check RepoFusion's proposals exist for.
 */
export function definitionRecall(
  index: RepoIndex,
  builder: PromptBuilder,
  fileText: (path: string) => string | undefined,
  options: Omit<ContextBenchOptions, 'keystrokes'>,
): DefinitionCursor[] {
  const random = seededRandom(options.seed);
  const paths = [...index.files.keys()].sort();
  const out: DefinitionCursor[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; out.length < options.cursors && attempt < options.cursors * 50; attempt++) {
    const path = paths[Math.floor(random() * paths.length)] as string;
    const file = index.files.get(path);
    const text = fileText(path);
    if (!file || text === undefined) continue;
    const imported = new Set(file.imports.map((i) => i.resolved).filter((x): x is string => !!x));
    const local = new Set(file.definitions.map((d) => d.name));
    // Uses after the imports, of names defined only in imported files.
    const uses = [...text.matchAll(/\b([A-Za-z_$][\w$]*)[(.]/g)].filter((m) => {
      const name = m[1] as string;
      if (local.has(name) || m.index < text.length * 0.2) return false;
      const defs = index.definitionsOf(name).filter((d) => imported.has(d.file) && !d.def.parent);
      return defs.length === 1;
    });
    const use = uses[Math.floor(random() * uses.length)];
    if (!use) continue;
    const name = use[1] as string;
    const def = index.definitionsOf(name).find((d) => imported.has(d.file) && !d.def.parent);
    if (!def || seen.has(`${path}:${name}`)) continue;
    seen.add(`${path}:${name}`);
    const offset = use.index + name.length + 1;
    const built = builder.build({
      path,
      text: text.slice(0, offset),
      offset,
      budget: options.budget,
      strategy: options.strategy,
    });
    const defText = fileText(def.file) ?? '';
    const firstLine = (defText.split('\n')[def.def.startLine] ?? '').trim();
    const holder = built.packed.chunks.find(
      (c) =>
        c.source === def.file && (c.text.includes(firstLine) || c.text.includes(def.def.signature)),
    );
    const before = text.slice(0, offset).split('\n');
    out.push({
      path,
      line: before.length,
      column: (before[before.length - 1] as string).length + 1,
      name,
      definedIn: def.file,
      found: !!holder,
      via: holder?.type,
      promptTokens: built.packed.tokens,
    });
  }
  return out;
}
