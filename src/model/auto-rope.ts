// The `auto` RoPE setting: per model and context budget, the method the benchmark found best, saved as
// a small JSON file per model; a model never benchmarked falls back to its card's default.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface AutoRopeChoice {
  method: string;
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

/**
 * Saves a run's choices, merged into what earlier runs saved for the model: a run that measured only
 * some budgets (a quick one, or another repository's) replaces those budgets and keeps the others.
 */
export function saveAutoRope(file: AutoRopeFile, dir = defaultAutoRopeDir()): string {
  mkdirSync(dir, { recursive: true });
  const path = fileFor(dir, file.modelId);
  const earlier = readAutoRope(file.modelId, dir);
  const merged = earlier && earlier.trainLength === file.trainLength ? { ...file, budgets: { ...earlier.budgets, ...file.budgets } } : file;
  writeFileSync(path + '.tmp', JSON.stringify(merged, null, 1) + '\n');
  renameSync(path + '.tmp', path); // a reader never sees half a file
  return path;
}

export function readAutoRope(modelId: string, dir = defaultAutoRopeDir()): AutoRopeFile | undefined {
  try {
    const data = JSON.parse(readFileSync(fileFor(dir, modelId), 'utf8')) as AutoRopeFile;
    return data && typeof data.budgets === 'object' ? data : undefined;
  } catch {
    return undefined; // never benchmarked, or unreadable: the caller falls back
  }
}

/**
 * The method for `budget` tokens: the saved choice for the smallest benchmarked budget that holds
 * it (the largest one past them all), at factor budget / training length as in the benchmark;
 * the card's default (`fallback`) when the model was never benchmarked.
 */
export function bestRopeFor(modelId: string, budget: number, fallback: { method: string; factor?: number }, dir = defaultAutoRopeDir()): AutoRopeChoice & { source: 'auto' | 'default' } {
  const file = readAutoRope(modelId, dir);
  const entries = Object.entries(file?.budgets ?? {})
    .map(([b, c]) => [Number(b), c] as const)
    .filter(([b, c]) => Number.isFinite(b) && typeof c?.method === 'string')
    .sort((a, b) => a[0] - b[0]);
  if (!file || entries.length === 0) return { method: fallback.method, factor: fallback.factor ?? 1, source: 'default' };
  const hit = entries.find(([b]) => b >= budget) ?? entries[entries.length - 1];
  const [, choice] = hit as readonly [number, AutoRopeChoice];
  // The benchmark ran every method at factor budget / training length: the same rule here.
  return { method: choice.method, factor: Math.max(1, budget / file.trainLength), ...(choice.score !== undefined ? { score: choice.score } : {}), source: 'auto' };
}
