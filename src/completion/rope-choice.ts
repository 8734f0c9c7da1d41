// Which RoPE method and factor a completion runs with: the one RoPE policy of the editor, the CLI and
// the benchmark's `auto`. A named method; or `auto` = what the benchmark measured best for this model
// and budget, else the model's own scaling, else — beyond the training length — YaRN, because an
// unscaled model past its training length degenerates into repetition.

import { extensionFactor, type RopeMethod, type RopeOptions } from '../model/rope';

export type RopeSetting = RopeMethod | 'auto';

/** The method `auto` falls back to beyond the training length when nothing was measured: YaRN extended best in our perplexity runs (README). */
export const UNMEASURED_EXTENSION_METHOD: RopeMethod = 'yarn';

export interface RopeChoice {
  method: RopeMethod;
  options: RopeOptions;
  /** Where the choice came from, for the log and the status. */
  source: 'setting' | 'benchmark' | 'model card' | 'beyond training length' | 'server';
}

export interface RopeCard {
  trainLength: number;
  defaultRope: { method: RopeMethod; factor?: number };
}

export function chooseRope(
  setting: RopeSetting,
  budget: number,
  card: RopeCard,
  measuredBest?: (budget: number) => RopeMethod | undefined,
): RopeChoice {
  const factor = extensionFactor(budget, card.trainLength);
  if (setting !== 'auto') return { method: setting, options: { factor }, source: 'setting' };
  const best = measuredBest?.(budget);
  if (best) return { method: best, options: { factor }, source: 'benchmark' };
  const own = card.defaultRope;
  // Within the training length nothing needs scaling; a card that names its own scaling (a model trained
  // for it, or with a built-in linear factor) keeps it.
  if (factor === 1 || own.method !== 'none')
    return { method: own.method, options: { factor: own.factor ?? factor }, source: 'model card' };
  return {
    method: UNMEASURED_EXTENSION_METHOD,
    options: { factor },
    source: 'beyond training length',
  };
}
