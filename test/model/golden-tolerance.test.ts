// The golden cases' bounds: logits rows compared with the reference (absolute, share of the spread, top-1),
// which bound a card may state, and which figures pass it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  caseHolds,
  compareLogits,
  Q8_0_GOLDEN_TOLERANCE,
  quantizedToleranceFor,
} from '../../src/model/golden-tolerance';

test('compareLogits: the worst row decides, each row against its own spread; top-1 per row', () => {
  const want = Float32Array.of(0, 10, 2, /* row 2 */ 1, 1.5, 2);
  const got = Float32Array.of(0.1, 9.9, 2, /* row 2 */ 1, 1.45, 2.05);
  const c = compareLogits(got, want, 3);
  assert.equal(c.rows, 2);
  assert.ok(Math.abs(c.maxAbsDiff - 0.1) < 1e-6);
  // Row 1: 0.1 of a spread of 10; row 2: 0.05 of a spread of 1 — the larger share wins.
  assert.ok(Math.abs(c.maxDiffOfSpread - 0.05) < 1e-6);
  assert.equal(c.top1Agree, 2);
  const flipped = compareLogits(Float32Array.of(0, 1, 2, 1, 1.5, 2), want, 3);
  assert.equal(flipped.top1Agree, 1);
});

test('compareLogits: other lengths, NaN and a difference on a flat row are infinitely far', () => {
  assert.equal(
    compareLogits(new Float32Array(2), new Float32Array(3), 3).maxDiffOfSpread,
    Infinity,
  );
  const nan = compareLogits(Float32Array.of(NaN, 1), Float32Array.of(0, 1), 2);
  assert.equal(nan.maxDiffOfSpread, Infinity);
  assert.equal(nan.maxAbsDiff, Infinity);
  assert.equal(
    compareLogits(Float32Array.of(1, 1.5), Float32Array.of(1, 1), 2).maxDiffOfSpread,
    Infinity,
  );
  assert.equal(compareLogits(Float32Array.of(1, 1), Float32Array.of(1, 1), 2).maxDiffOfSpread, 0);
});

test('a card’s quantized bound applies only to weights of that type', () => {
  const q8 = { goldenTolerance: Q8_0_GOLDEN_TOLERANCE };
  assert.deepEqual(
    quantizedToleranceFor({ ...q8, source: { weightTypes: { Q8_0: 13, F32: 7 } } }),
    Q8_0_GOLDEN_TOLERANCE,
  );
  // Float weights (or a PyTorch ONNX export, which has no source) keep golden.json's 1e-4.
  assert.equal(quantizedToleranceFor({ ...q8, source: { weightTypes: { F32: 20 } } }), undefined);
  assert.equal(quantizedToleranceFor(q8), undefined);
  assert.equal(quantizedToleranceFor({ source: { weightTypes: { Q8_0: 13 } } }), undefined);
  // A bound that is no bound is ignored.
  for (const spreadFraction of [0, 1, -0.1, NaN])
    assert.equal(
      quantizedToleranceFor({
        goldenTolerance: { weights: 'Q8_0', spreadFraction },
        source: { weightTypes: { Q8_0: 1 } },
      }),
      undefined,
    );
});

test('caseHolds: float weights within the absolute bound, quantized within the share of the spread', () => {
  const q = Q8_0_GOLDEN_TOLERANCE;
  const small = {
    maxAbsDiff: 5e-5,
    maxDiffOfSpread: 1e-5,
    reuseMaxAbsDiff: 2e-6,
    reuseMaxDiffOfSpread: 1e-7,
  };
  assert.equal(caseHolds(small, 1e-4, undefined), true);
  assert.equal(caseHolds({ ...small, reuseMaxAbsDiff: 2e-4 }, 1e-4, undefined), false);
  const q8 = {
    maxAbsDiff: 0.05,
    maxDiffOfSpread: 0.004,
    reuseMaxAbsDiff: 0.02,
    reuseMaxDiffOfSpread: 0.006,
  };
  assert.equal(caseHolds(q8, 1e-4, undefined), false);
  assert.equal(caseHolds(q8, 1e-4, q), true);
  assert.equal(caseHolds({ ...q8, maxDiffOfSpread: 1.5 * q.spreadFraction }, 1e-4, q), false);
  assert.equal(caseHolds({ ...q8, reuseMaxDiffOfSpread: 1.5 * q.spreadFraction }, 1e-4, q), false);
  const { reuseMaxAbsDiff: _a, reuseMaxDiffOfSpread: _b, ...cold } = q8;
  assert.equal(caseHolds(cold, 1e-4, q), true);
});
