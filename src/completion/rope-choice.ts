// Which RoPE method and factor a completion runs with: a named method, or `auto` = what the benchmark
// measured best for this model and budget, else the model card's default. The factor stretches the
// training length to the budget (never below 1: a short prompt needs no stretching).

import type { RopeOptions } from '../model/rope';

export interface RopeChoice {
  method: string;
  options: RopeOptions;
  /** Where the choice came from, for the log and the status. */
  source: 'setting' | 'benchmark' | 'model card';
}

export function chooseRope(
  setting: string, budget: number, card: { trainLength: number; defaultRope: { method: string; factor?: number } },
  measuredBest?: (budget: number) => string | undefined,
): RopeChoice {
  const factor = Math.max(1, budget / card.trainLength);
  if (setting && setting !== 'auto') return { method: setting, options: { factor }, source: 'setting' };
  const best = measuredBest?.(budget);
  if (best) return { method: best, options: { factor }, source: 'benchmark' };
  return { method: card.defaultRope.method, options: { factor: card.defaultRope.factor ?? factor }, source: 'model card' };
}
