// Every RoPE method against the formulas of shared/research/rope-methods.md, plus a contract suite
// that all methods share.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  RopeSettingsError,
  UnknownRopeMethodError,
  parseRopeSpec,
  planAttentionScale,
  planRope,
  planTables,
  readLongRopeFactors,
  ropeMethodNames,
  yarnCorrectionIndex,
  type RopeGeometry,
} from '../../src/model/rope';
import { tempDir } from '../temp-dir';

const g: RopeGeometry = { headDim: 64, base: 10000, trainLength: 1024, nLayers: 4 };
const theta = (i: number, base = 10000, d = 64) => Math.pow(base, (-2 * i) / d);
const close = (a: number, b: number, rel = 1e-12) =>
  assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);
const half = g.headDim / 2;
const longrope = {
  shortFactor: Array.from({ length: half }, () => 1),
  longFactor: Array.from({ length: half }, (_, i) => 1 + i / 8),
};

describe('contract: every method', () => {
  for (const method of ropeMethodNames()) {
    const extra = method === 'longrope' ? longrope : {};
    test(`${method}: finite positive frequencies, scale ≥ 1, stable id`, () => {
      const plan = planRope(method, g, { factor: 4, length: 4096, ...extra });
      assert.equal(plan.inverseFrequencies.length, half);
      for (const t of plan.inverseFrequencies) assert.ok(Number.isFinite(t) && t > 0 && t <= 1);
      for (const m of [0, 1023, 4095])
        for (let l = 0; l < g.nLayers; l++) assert.ok(plan.logitScale(m, l) >= 1);
      assert.equal(plan.id, planRope(method, g, { factor: 4, length: 4096, ...extra }).id);
      assert.ok(plan.id.startsWith(`${method}:4`), plan.id);
    });
    if (method !== 'abf') {
      test(`${method}: factor 1 within the training length is the plain RoPE`, () => {
        const plan = planRope(method, g, { factor: 1, length: 512, ...extra });
        plan.inverseFrequencies.forEach((t, i) => close(t, theta(i)));
        assert.equal(plan.logitScale(700, 3), 1);
      });
    }
  }
  test('tables and attention scale have the contract shapes', () => {
    const plan = planRope('yarn', g, { factor: 4 });
    const t = planTables(plan, [0, 1, 2]);
    assert.equal(t.cos.length, 3 * half);
    const s = planAttentionScale(plan, [0, 1, 2], g.nLayers);
    assert.equal(s.length, g.nLayers * 3);
  });
});

test('linear (PI) divides every frequency by s', () => {
  const p = planRope('linear', g, { factor: 4 });
  p.inverseFrequencies.forEach((t, i) => close(t, theta(i) / 4));
});

test('NTK-aware changes the base to b·s^(d/(d−2))', () => {
  const p = planRope('ntk', g, { factor: 4 });
  const base = 10000 * Math.pow(4, 64 / 62);
  p.inverseFrequencies.forEach((t, i) => close(t, theta(i, base)));
  close(p.inverseFrequencies[0]!, 1); // the fastest pair is untouched
});

test('dynamic NTK equals none within L and follows (s·ℓ/L − (s−1)) beyond', () => {
  const within = planRope('dynamic-ntk', g, { factor: 4, length: 1000 });
  within.inverseFrequencies.forEach((t, i) => close(t, theta(i)));
  const beyond = planRope('dynamic-ntk', g, { factor: 4, length: 2048 });
  const base = 10000 * Math.pow((4 * 2048) / 1024 - 3, 64 / 62);
  beyond.inverseFrequencies.forEach((t, i) => close(t, theta(i, base)));
  assert.notEqual(within.id, beyond.id);
});

test('YaRN: correction range, ramp orientation and the t² logit scale', () => {
  // c(32) = 64·ln(1024/(2π·32)) / (2 ln 10000) ≈ 5.655 → lo 5; c(1) ≈ 17.70 → hi 18.
  close(yarnCorrectionIndex(g, 32), (64 * Math.log(1024 / (64 * Math.PI))) / (2 * Math.log(10000)));
  const p = planRope('yarn', g, { factor: 4 });
  for (let i = 0; i <= 5; i++) close(p.inverseFrequencies[i]!, theta(i)); // high frequency: extrapolated
  for (let i = 18; i < half; i++) close(p.inverseFrequencies[i]!, theta(i) / 4); // low frequency: interpolated
  const gamma = (10 - 5) / (18 - 5);
  close(p.inverseFrequencies[10]!, gamma * (theta(10) / 4) + (1 - gamma) * theta(10));
  const t = 0.1 * Math.log(4) + 1;
  close(p.logitScale(5000, 0), t * t);
});

test('Llama-3: keep short wavelengths, divide long ones, blend between', () => {
  const p = planRope('llama3', g, { factor: 8 });
  p.inverseFrequencies.forEach((t, i) => {
    const wl = (2 * Math.PI) / theta(i);
    if (wl < 1024 / 4) close(t, theta(i));
    else if (wl > 1024) close(t, theta(i) / 8);
    else {
      const a = (1024 / wl - 1) / 3;
      close(t, (1 - a) * (theta(i) / 8) + a * theta(i));
    }
  });
  // The geometry has pairs in all three bands.
  const bands = new Set(
    Array.from({ length: half }, (_, i) => {
      const wl = (2 * Math.PI) / theta(i);
      return wl < 256 ? 'keep' : wl > 1024 ? 'divide' : 'blend';
    }),
  );
  assert.equal(bands.size, 3);
});

test('entropy-aware ABF: base 500000, log-scaled queries past L, first two layers unscaled', () => {
  const p = planRope('abf', g);
  p.inverseFrequencies.forEach((t, i) => close(t, theta(i, 500000)));
  assert.equal(p.logitScale(8191, 0), 1);
  assert.equal(p.logitScale(8191, 1), 1);
  close(p.logitScale(8191, 2), Math.log(8192) / Math.log(1024));
  assert.equal(p.logitScale(100, 3), 1); // max(1, ·) within the reference length
});

test('DPRoPE interpolates the slow pairs and extrapolates the fast ones, by angle-distribution KL', () => {
  const p = planRope('dprope', g, { factor: 4 });
  const lambdas = p.inverseFrequencies.map((t, i) => Math.round(theta(i) / t));
  assert.ok(lambdas.every((l) => l === 1 || l === 4));
  assert.equal(lambdas[0], 1); // a pair that turns many times within L already saw every angle
  assert.equal(lambdas[half - 1], 4); // a pair that never completed a turn in training must be interpolated
  assert.equal(p.id, planRope('dprope', g, { factor: 4 }).id);
});

test('LongRoPE: per-pair factors (long beyond L) and logits × (1 + ln s / ln L)', () => {
  const short = planRope('longrope', g, { factor: 4, length: 512, ...longrope });
  short.inverseFrequencies.forEach((t, i) => close(t, theta(i)));
  const long = planRope('longrope', g, { factor: 4, length: 4096, ...longrope });
  long.inverseFrequencies.forEach((t, i) => close(t, theta(i) / (1 + i / 8)));
  close(long.logitScale(3000, 2), 1 + Math.log(4) / Math.log(1024));
  assert.throws(() => planRope('longrope', g, { factor: 4 }), RopeSettingsError);
});

test('specs parse as METHOD[:FACTOR]; bad ones are named errors', () => {
  assert.deepEqual(parseRopeSpec('yarn:4'), { method: 'yarn', factor: 4 });
  assert.deepEqual(parseRopeSpec('none'), { method: 'none', factor: 1 });
  assert.throws(() => parseRopeSpec('rerope:2'), UnknownRopeMethodError);
  assert.throws(() => parseRopeSpec('linear:0.5'), RopeSettingsError);
  assert.throws(() => planRope('linear', g, { factor: Number.NaN }), RopeSettingsError);
});

test('LongRoPE factors are read from a JSON file (Hugging Face rope_scaling names)', (t) => {
  const dir = tempDir('ropewalk-rope-', t);
  writeFileSync(
    join(dir, 'f.json'),
    JSON.stringify({ short_factor: longrope.shortFactor, long_factor: longrope.longFactor }),
  );
  const f = readLongRopeFactors(join(dir, 'f.json'));
  const p = planRope('longrope', g, { factor: 4, length: 4096, ...f });
  p.inverseFrequencies.forEach((t, i) => close(t, theta(i) / (1 + i / 8)));
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ short_factor: [1, -2] }));
  assert.throws(() => readLongRopeFactors(join(dir, 'bad.json')), RopeSettingsError);
  assert.throws(() => readLongRopeFactors(join(dir, 'missing.json')), RopeSettingsError);
});
