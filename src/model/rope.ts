// RoPE length-extension methods as pure functions: each turns (model geometry, factor, length) into
// per-pair inverse frequencies and a per-query attention-logit scale, the two things contract v1 takes
// at run time. This is their public face (types, plans, tables); the formulas are in rope-planners.ts.

import { readFileSync } from 'node:fs';
import { rotaryTables, type RotaryTables } from './rope-tables';
import { ROPE_METHOD_NAMES, isRopeMethod, type RopeMethod } from './rope-methods';
import { RopeSettingsError, UnknownRopeMethodError } from './rope-errors';
import { planners, type Planner } from './rope-planners';

export { ROPE_METHOD_NAMES, extensionFactor, isRopeMethod, type RopeMethod } from './rope-methods';
export { RopeSettingsError, UnknownRopeMethodError } from './rope-errors';
export { yarnCorrectionIndex } from './rope-planners';

export interface RopeGeometry {
  headDim: number;
  /** RoPE base the model was trained with (θ = 10000 for Ropewalk's models). */
  base: number;
  /** Training length L. */
  trainLength: number;
  nLayers: number;
}

/** The geometry of a model config, as the RoPE planners need it. */
export function ropeGeometry(config: {
  dim: number;
  n_heads: number;
  rope_theta: number;
  train_len: number;
  n_layers: number;
  head_dim?: number;
}): RopeGeometry {
  return {
    headDim: config.head_dim ?? config.dim / config.n_heads,
    base: config.rope_theta,
    trainLength: config.train_len,
    nLayers: config.n_layers,
  };
}

export interface RopeOptions {
  /** s = L'/L; 1 means no extension. */
  factor?: number;
  /** Tokens in the sequence this plan serves (dynamic NTK, LongRoPE's short/long choice). */
  length?: number;
  /** Method-specific settings (YaRN's betas, Llama-3's low/high, ABF's base, LongRoPE's factors…). */
  [setting: string]: unknown;
}

export interface RopePlan {
  method: RopeMethod;
  /** θ'_i for i < headDim/2. */
  inverseFrequencies: Float64Array;
  /** Multiplier of the attention logits of a query at `position` in `layer`. */
  logitScale(position: number, layer: number): number;
  /** Identifies the angles and scales: cached keys/values computed under another id are recomputed. */
  id: string;
}

/**
 * Reads LongRoPE per-pair factors from a JSON file: `{"short_factor": [...], "long_factor": [...]}` (the
 * names of a Hugging Face `rope_scaling` block; camelCase accepted too), one factor per rotary pair.
 */
export function readLongRopeFactors(path: string): { shortFactor: number[]; longFactor: number[] } {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new RopeSettingsError(
      `cannot read LongRoPE factors from ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const pick = (a: string, b: string) => data[a] ?? data[b];
  const shortFactor = pick('short_factor', 'shortFactor');
  const longFactor = pick('long_factor', 'longFactor');
  const ok = (f: unknown): f is number[] =>
    Array.isArray(f) && f.length > 0 && f.every((x) => typeof x === 'number' && x > 0);
  if (!ok(shortFactor) || !ok(longFactor))
    throw new RopeSettingsError(
      `${path} needs short_factor and long_factor arrays of positive numbers`,
    );
  return { shortFactor, longFactor };
}

export function ropeMethodNames(): RopeMethod[] {
  return [...ROPE_METHOD_NAMES];
}

/** Parses "yarn:4" or "linear" into a method name and factor. */
export function parseRopeSpec(spec: string): { method: RopeMethod; factor: number } {
  const [method = '', factorText] = spec.split(':');
  if (!isRopeMethod(method)) throw new UnknownRopeMethodError(method);
  const factor = factorText === undefined ? 1 : Number(factorText);
  if (!Number.isFinite(factor) || factor < 1)
    throw new RopeSettingsError(`RoPE factor must be a number ≥ 1 in "${spec}"`);
  return { method, factor };
}

export function planRope(
  method: string,
  geometry: RopeGeometry,
  options: RopeOptions = {},
): RopePlan {
  // Names also arrive from settings files and other processes: checked here, whatever the caller's type.
  if (!isRopeMethod(method)) throw new UnknownRopeMethodError(method);
  const planner: Planner = planners[method];
  const p = planner(geometry, options);
  const factor = options.factor ?? 1;
  return { method, ...p, id: `${method}:${factor}${p.id ? `:${p.id}` : ''}` };
}

/** Rotary tables of a plan for the given positions: [positions, headDim/2]. */
export function planTables(plan: RopePlan, positions: ArrayLike<number>): RotaryTables {
  return rotaryTables(positions, plan.inverseFrequencies);
}

/** attention_scale input for queries at `positions`: [nLayers, positions.length]. */
export function planAttentionScale(
  plan: RopePlan,
  positions: ArrayLike<number>,
  nLayers: number,
): Float32Array {
  const out = new Float32Array(nLayers * positions.length);
  for (let layer = 0; layer < nLayers; layer++) {
    for (let j = 0; j < positions.length; j++)
      out[layer * positions.length + j] = plan.logitScale(positions[j] as number, layer);
  }
  return out;
}
