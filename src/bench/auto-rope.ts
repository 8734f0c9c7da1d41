// The benchmark's answer to `ropeMethod: auto`: per model and context budget, the method a run found
// best, saved as a small JSON file per model. Read once per model by an AutoRopeStore and reloaded when
// a benchmark finishes; names are validated, so a hand-edited or older file cannot reach the engine
// with a method it does not know.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { extensionFactor, isRopeMethod, type RopeMethod } from '../model/rope';

export interface AutoRopeChoice {
  method: RopeMethod;
  factor: number;
  /** The score that decided it (see AutoRopeFile.metric). */
  score?: number;
}

export interface AutoRopeFile {
  modelId: string;
  trainLength: number;
  /** What "best" meant, e.g. "editSimilarity (level all, mean over strategies)". */
  metric: string;
  createdAt: string;
  /** Budget in tokens (as a string key) → the best method there. */
  budgets: Record<string, AutoRopeChoice>;
}

export function defaultAutoRopeDir(): string {
  return join(homedir(), '.cache', 'ropewalk', 'auto');
}

/** A file name for a model id that is safe on every platform. */
function fileFor(dir: string, modelId: string): string {
  return join(dir, `${modelId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

/** A saved file with only its valid entries; undefined when missing or unreadable (the caller falls back). */
export function readAutoRope(
  modelId: string,
  dir = defaultAutoRopeDir(),
  warn?: (line: string) => void,
): AutoRopeFile | undefined {
  let data: AutoRopeFile;
  try {
    data = JSON.parse(readFileSync(fileFor(dir, modelId), 'utf8')) as AutoRopeFile;
  } catch {
    return undefined; // never benchmarked, or unreadable
  }
  if (!data || typeof data.budgets !== 'object' || !(data.trainLength > 0)) return undefined;
  const budgets: Record<string, AutoRopeChoice> = {};
  for (const [budget, choice] of Object.entries(data.budgets)) {
    if (Number.isFinite(Number(budget)) && isRopeMethod(choice?.method)) budgets[budget] = choice;
    else
      warn?.(
        `auto RoPE file of ${modelId}: budget ${budget} names an unknown method ${JSON.stringify(choice?.method)}; ignored`,
      );
  }
  return { ...data, budgets };
}

/**
 * Saves a run's choices, merged into what earlier runs saved for the model: a run that measured only
 * some budgets (a quick one, or another repository's) replaces those budgets and keeps the others.
 */
export function saveAutoRope(file: AutoRopeFile, dir = defaultAutoRopeDir()): string {
  mkdirSync(dir, { recursive: true });
  const path = fileFor(dir, file.modelId);
  const earlier = readAutoRope(file.modelId, dir);
  const merged =
    earlier && earlier.trainLength === file.trainLength
      ? { ...file, budgets: { ...earlier.budgets, ...file.budgets } }
      : file;
  writeFileSync(path + '.tmp', JSON.stringify(merged, null, 1) + '\n');
  renameSync(path + '.tmp', path); // a reader never sees half a file
  return path;
}

/**
 * The saved choice for `budget` tokens: the one for the smallest benchmarked budget that holds it (the
 * largest past them all), at the benchmark's factor rule; undefined when the model was never benchmarked.
 */
export function bestRopeIn(
  file: AutoRopeFile | undefined,
  budget: number,
): AutoRopeChoice | undefined {
  const entries = Object.entries(file?.budgets ?? {})
    .map(([b, c]): [number, AutoRopeChoice] => [Number(b), c])
    .sort((x, y) => x[0] - y[0]);
  const hit = entries.find(([b]) => b >= budget) ?? entries.at(-1);
  if (!file || !hit) return undefined;
  const choice = hit[1];
  return {
    method: choice.method,
    factor: extensionFactor(budget, file.trainLength),
    ...(choice.score !== undefined ? { score: choice.score } : {}),
  };
}

/** The saved choices of every model, each file read once; `reload()` after a benchmark wrote new ones. */
export class AutoRopeStore {
  private readonly files = new Map<string, AutoRopeFile | undefined>();

  constructor(
    readonly dir = defaultAutoRopeDir(),
    private readonly warn?: (line: string) => void,
  ) {}

  bestFor(modelId: string, budget: number): AutoRopeChoice | undefined {
    if (!this.files.has(modelId))
      this.files.set(modelId, readAutoRope(modelId, this.dir, this.warn));
    return bestRopeIn(this.files.get(modelId), budget);
  }

  reload(): void {
    this.files.clear();
  }
}
