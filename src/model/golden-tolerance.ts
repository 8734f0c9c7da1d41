// How near a model's logits must come to PyTorch's golden ones, and a reused cache's to a cold run's:
// float weights within golden.json's absolute tolerance (1e-4), quantized weights within a bound their
// card states, relative to each logits row's spread, because rounding every weight to 8 bits moves
// logits by far more than 1e-4.

import { argmax } from './sampling';

/**
 * A bound for weights quantized to one ggml type, carried by the card (`goldenTolerance`) that the
 * quantizing export writes. It applies only where the built model's weights include that type.
 */
export interface QuantizedGoldenTolerance {
  /** The ggml weight type the bound was measured for, e.g. 'Q8_0'. */
  weights: string;
  /** In every logits row, max |Δ logit| ≤ spreadFraction × (max − min of the reference row). */
  spreadFraction: number;
}

/**
 * The bound for Q8_0 weights, from measurement (models/README.md, "Q8_0 models"): through the graph the
 * importer builds (MatMulNBits with int8 activations), the worst row of the golden cases was 0.41% of
 * its spread for small-cpu's trained weights, 0.22% for tiny's, and 1.10–1.23% for random weights of
 * the base-gpu shape (3 seeds; random logits spread little, so the same absolute error, 0.03–0.06, is
 * a larger share). A wrong tensor is far outside: one layer's K rows in the wrong rotary order gave
 * 6–14% of small-cpu's spread. The bound leaves 1.6× the worst measured case.
 */
export const Q8_0_GOLDEN_TOLERANCE: QuantizedGoldenTolerance = {
  weights: 'Q8_0',
  spreadFraction: 0.02,
};

/** How one case's logits rows compare with PyTorch's. */
export interface LogitsComparison {
  /** max |got − want| over all rows */
  maxAbsDiff: number;
  /** max over rows of (that row's max |got − want|) / (max − min of want's row) */
  maxDiffOfSpread: number;
  /** Rows whose highest logit is the same token in both, out of `rows`. */
  top1Agree: number;
  rows: number;
}

/** Compares `got` with `want`, both [rows, vocab]; lengths that differ compare as infinitely far. */
export function compareLogits(
  got: Float32Array,
  want: Float32Array,
  vocab: number,
): LogitsComparison {
  const rows = Math.floor(want.length / vocab);
  if (got.length !== want.length || rows * vocab !== want.length)
    return { maxAbsDiff: Infinity, maxDiffOfSpread: Infinity, top1Agree: 0, rows };
  let maxAbsDiff = 0;
  let maxDiffOfSpread = 0;
  let top1Agree = 0;
  for (let r = 0; r < rows; r++) {
    const g = got.subarray(r * vocab, (r + 1) * vocab);
    const w = want.subarray(r * vocab, (r + 1) * vocab);
    let diff = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < vocab; i++) {
      const x = w[i] as number;
      diff = Math.max(diff, Math.abs((g[i] as number) - x));
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    maxAbsDiff = Math.max(maxAbsDiff, diff);
    // A flat row (spread 0) allows no difference at all; NaN anywhere fails.
    const ofSpread = diff === 0 ? 0 : hi > lo ? diff / (hi - lo) : Infinity;
    maxDiffOfSpread = Math.max(maxDiffOfSpread, Number.isNaN(ofSpread) ? Infinity : ofSpread);
    if (Number.isNaN(diff)) maxAbsDiff = Infinity;
    if (argmax(g) === argmax(w)) top1Agree++;
  }
  return { maxAbsDiff, maxDiffOfSpread, top1Agree, rows };
}

/** The weights a model is built from, as its card records them (absent for a PyTorch ONNX export). */
export interface WeightFacts {
  goldenTolerance?: QuantizedGoldenTolerance;
  source?: { weightTypes: Record<string, number> };
}

/**
 * The card's quantized bound when it applies: the card states one and the weights the graph was built
 * from include that type. Otherwise undefined, and golden.json's absolute tolerance rules, so a card
 * cannot loosen the check of float weights.
 */
export function quantizedToleranceFor(card: WeightFacts): QuantizedGoldenTolerance | undefined {
  const t = card.goldenTolerance;
  if (t === undefined) return undefined;
  if (!(typeof t.spreadFraction === 'number' && t.spreadFraction > 0 && t.spreadFraction < 1))
    return undefined;
  return (card.source?.weightTypes[t.weights] ?? 0) > 0 ? t : undefined;
}

/** A case's figures as golden.ts's runGolden reports them. */
export interface CaseFigures {
  maxAbsDiff: number;
  maxDiffOfSpread: number;
  reuseMaxAbsDiff?: number;
  reuseMaxDiffOfSpread?: number;
}

/**
 * Whether a case holds: parity with PyTorch, and for a case run on a reused cache, its logits against the
 * cold run's. Float weights: both within `absolute`. Quantized weights: both within the bound's share of
 * the spread. The reuse check compares the graph with itself, yet cannot stay at 1e-4 there: MatMulNBits
 * quantizes its inputs to int8 per block, so a 1e-7 difference in how the cached and the cold call sum
 * attention can move an activation by a whole int8 step (random base-gpu-shaped Q8_0 weights: cached vs
 * cold 1.8–2.5e-2, 0.5–0.7% of the spread; 9e-7 with float activations).
 * Top-1 agreement is reported, not required: with every logit within b of the reference, the top token
 * can only change where the reference's two best are within 2b, a near-tie the bound allows either way.
 */
export function caseHolds(
  c: CaseFigures,
  absolute: number,
  quantized: QuantizedGoldenTolerance | undefined,
): boolean {
  if (quantized === undefined)
    return c.maxAbsDiff <= absolute && (c.reuseMaxAbsDiff ?? 0) <= absolute;
  return (
    c.maxDiffOfSpread <= quantized.spreadFraction &&
    (c.reuseMaxDiffOfSpread ?? 0) <= quantized.spreadFraction
  );
}
