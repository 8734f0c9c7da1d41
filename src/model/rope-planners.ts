// The RoPE methods' planners, one per method: each turns (geometry, options) into per-pair inverse
// frequencies and a logit scale; rope.ts checks the name and gives the plan its id. Formulas:
// shared/research/rope-methods.md (checked against transformers' rope utils).

import { RopeSettingsError } from './rope-errors';
import type { RopeMethod } from './rope-methods';
import type { RopeGeometry, RopeOptions, RopePlan } from './rope';
import { baseInverseFrequencies } from './rope-tables';

export type Planner = (
  g: RopeGeometry,
  o: RopeOptions,
) => Omit<RopePlan, 'method' | 'id'> & { id?: string };

const one = () => 1;

function factorOf(o: RopeOptions): number {
  const s = o.factor ?? 1;
  if (!(typeof s === 'number' && Number.isFinite(s) && s >= 1))
    throw new RopeSettingsError(`RoPE factor must be ≥ 1, got ${String(s)}`);
  return s;
}

function numberSetting(o: RopeOptions, key: string, fallback: number): number {
  const v = o[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new RopeSettingsError(`RoPE setting ${key} must be a number`);
  return v;
}

/** NTK-aware base change: b' = b · r^(d/(d−2)). */
function ntkBase(g: RopeGeometry, ratio: number): number {
  return g.base * Math.pow(ratio, g.headDim / (g.headDim - 2));
}

/** YaRN's correction index: the pair index whose wavelength fits `rotations` times into L. */
export function yarnCorrectionIndex(g: RopeGeometry, rotations: number): number {
  return (g.headDim * Math.log(g.trainLength / (rotations * 2 * Math.PI))) / (2 * Math.log(g.base));
}

/** 360-bin histogram of (n·θ) mod 2π for n < count, smoothed so that KL stays finite. */
function angleHistogram(theta: number, count: number, bins = 360): Float64Array {
  const h = new Float64Array(bins);
  const twoPi = 2 * Math.PI;
  for (let n = 0; n < count; n++) {
    const a = (n * theta) % twoPi;
    h[Math.min(bins - 1, Math.floor((a / twoPi) * bins))]! += 1;
  }
  const eps = 1e-10;
  let total = 0;
  for (let i = 0; i < bins; i++) total += h[i]! + eps;
  for (let i = 0; i < bins; i++) h[i] = (h[i]! + eps) / total;
  return h;
}

function kl(p: Float64Array, q: Float64Array): number {
  let d = 0;
  for (let i = 0; i < p.length; i++) d += p[i]! * Math.log(p[i]! / q[i]!);
  return d;
}

export const planners = {
  none: (g) => ({ inverseFrequencies: baseInverseFrequencies(g.headDim, g.base), logitScale: one }),

  linear: (g, o) => {
    const s = factorOf(o);
    return {
      inverseFrequencies: baseInverseFrequencies(g.headDim, g.base).map((t) => t / s),
      logitScale: one,
    };
  },

  ntk: (g, o) => ({
    inverseFrequencies: baseInverseFrequencies(g.headDim, ntkBase(g, factorOf(o))),
    logitScale: one,
  }),

  'dynamic-ntk': (g, o) => {
    const s = factorOf(o);
    const len = Math.max(numberSetting(o, 'length', g.trainLength), g.trainLength);
    const ratio = (s * len) / g.trainLength - (s - 1);
    return {
      inverseFrequencies: baseInverseFrequencies(g.headDim, ntkBase(g, ratio)),
      logitScale: one,
      id: `len=${len}`,
    };
  },

  yarn: (g, o) => {
    const s = factorOf(o);
    const betaFast = numberSetting(o, 'betaFast', 32);
    const betaSlow = numberSetting(o, 'betaSlow', 1);
    const base = baseInverseFrequencies(g.headDim, g.base);
    const lo = Math.max(Math.floor(yarnCorrectionIndex(g, betaFast)), 0);
    let hi = Math.min(Math.ceil(yarnCorrectionIndex(g, betaSlow)), g.headDim - 1);
    if (hi === lo) hi += 0.001; // transformers' guard against a zero-width ramp
    const inv = base.map((t, i) => {
      const gamma = Math.min(1, Math.max(0, (i - lo) / (hi - lo))); // 1 on low-frequency pairs: interpolated
      return gamma * (t / s) + (1 - gamma) * t;
    });
    // cos and sin are both multiplied by t, so the logits are multiplied by t².
    const t = s > 1 ? 0.1 * Math.log(s) + 1 : 1;
    return { inverseFrequencies: inv, logitScale: () => t * t };
  },

  llama3: (g, o) => {
    const s = factorOf(o);
    const low = numberSetting(o, 'lowFreqFactor', 1);
    const high = numberSetting(o, 'highFreqFactor', 4);
    const L = numberSetting(o, 'originalLength', g.trainLength);
    const inv = baseInverseFrequencies(g.headDim, g.base).map((t) => {
      const wavelength = (2 * Math.PI) / t;
      if (wavelength < L / high) return t;
      if (wavelength > L / low) return t / s;
      const alpha = (L / wavelength - low) / (high - low);
      return (1 - alpha) * (t / s) + alpha * t;
    });
    return { inverseFrequencies: inv, logitScale: one };
  },

  // Entropy-aware ABF: a larger base, and queries past L_ref scaled by ln(m+1)/ln L_ref,
  // except in the first `unscaledLayers` layers.
  abf: (g, o) => {
    const base = numberSetting(o, 'base', 500000);
    const ref = numberSetting(o, 'referenceLength', g.trainLength);
    const unscaled = numberSetting(o, 'unscaledLayers', 2);
    const lnRef = Math.log(ref);
    return {
      inverseFrequencies: baseInverseFrequencies(g.headDim, base),
      logitScale: (m, layer) => (layer < unscaled ? 1 : Math.max(1, Math.log(m + 1) / lnRef)),
    };
  },

  // DPRoPE: per pair, interpolate (λ = s) or extrapolate (λ = 1), whichever keeps the distribution of
  // rotary angles over the target length closest (KL) to the one seen in training.
  dprope: (g, o) => {
    const s = factorOf(o);
    const bins = numberSetting(o, 'bins', 360);
    const target = Math.round(s * g.trainLength);
    const lambdas: number[] = [];
    const inv = baseInverseFrequencies(g.headDim, g.base).map((t) => {
      const orig = angleHistogram(t, g.trainLength, bins);
      const keep = kl(orig, angleHistogram(t, target, bins));
      const interp = kl(orig, angleHistogram(t / s, target, bins));
      const lambda = s > 1 && interp < keep ? s : 1;
      lambdas.push(lambda);
      return t / lambda;
    });
    return { inverseFrequencies: inv, logitScale: one, id: `lambdas=${lambdas.join(',')}` };
  },

  // LongRoPE: searched per-pair factors (short set within L, long set beyond), read from a file by the
  // caller and passed as settings; cos and sin × √(1 + ln s / ln L), so logits × (1 + ln s / ln L).
  longrope: (g, o) => {
    const s = factorOf(o);
    const short = o.shortFactor;
    const long = o.longFactor;
    const half = g.headDim / 2;
    const valid = (f: unknown): f is number[] =>
      Array.isArray(f) && f.length === half && f.every((x) => typeof x === 'number' && x > 0);
    if (!valid(short) || !valid(long))
      throw new RopeSettingsError(
        `longrope needs shortFactor and longFactor arrays of ${half} positive numbers`,
      );
    const length = numberSetting(o, 'length', g.trainLength);
    const factors = length > g.trainLength ? long : short;
    const mscale = s > 1 ? 1 + Math.log(s) / Math.log(g.trainLength) : 1;
    return {
      inverseFrequencies: baseInverseFrequencies(g.headDim, g.base).map((t, i) => t / factors[i]!),
      logitScale: () => mscale,
      id: length > g.trainLength ? 'long' : 'short',
    };
  },
} satisfies Record<RopeMethod, Planner>;
