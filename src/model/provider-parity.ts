// The same calls through two sessions of one model, a GPU provider's and the CPU's: top-1 agreement and
// the largest logit difference at every position, for `model-check --against` (a GPU provider's kernels
// are checked against the CPU's, also for models without PyTorch references, such as GGUF imports).

import { replayCases, type ReplayCase } from './golden';
import { compareLogits } from './golden-tolerance';
import type { OnnxModel } from './onnx-backend';
import { seededRandom } from './sampling';

export interface CaseParity {
  name: string;
  /** Positions compared (rows of logits). */
  rows: number;
  /** Rows whose argmax is the same on both sessions. */
  top1Agree: number;
  maxAbsDiff: number;
}

export interface ProviderParity {
  provider: string;
  reference: string;
  rows: number;
  top1Agree: number;
  maxAbsDiff: number;
  /** The top-1 must agree everywhere and no logit differ by more than this. */
  tolerance: number;
  ok: boolean;
  cases: CaseParity[];
}

/** Every position's logits, not only the ones a golden case kept: more rows to compare. */
function allPositions(c: ReplayCase): ReplayCase {
  return { ...c, logitsIndices: c.ids.map((_, i) => i) };
}

/**
 * Calls for a model without golden cases, in the golden cases' shape: a cold prompt, a tail on its cache,
 * the prompt again on a cache moved by 7 positions, and the prompt at 4× linear RoPE scaling. Ids are
 * seeded and inside any vocabulary.
 */
export function probeCases(vocab: number, length = 48, seed = 16): ReplayCase[] {
  const r = seededRandom(seed);
  const ids = Array.from({ length }, () => Math.floor(r() * vocab));
  const tail = ids.slice(0, 12).map((t) => (t + 1) % vocab);
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  return [
    { name: 'cold', ids, positions: range(0, length), logitsIndices: [] },
    {
      name: 'tail-on-cache',
      ids: tail,
      positions: range(length, tail.length),
      pastFrom: 'cold',
      logitsIndices: [],
    },
    {
      name: 'moved-cache',
      ids: tail,
      positions: range(length + 7, tail.length),
      pastFrom: 'cold',
      pastShift: 7,
      logitsIndices: [],
    },
    { name: 'scaled', ids, positions: range(0, length), factor: 4, logitsIndices: [] },
  ].map(allPositions);
}

/** Runs `cases` (every position's logits) on both models and compares them row by row. */
export async function compareProviders(
  model: OnnxModel,
  reference: OnnxModel,
  cases: readonly ReplayCase[],
  tolerance = 1e-2,
): Promise<ProviderParity> {
  const all = cases.map(allPositions);
  const [a, b] = [await replayCases(model, all), await replayCases(reference, all)];
  const vocab = model.card.config.vocab_size;
  const perCase: CaseParity[] = all.map((c, i) => {
    const [la, lb] = [a[i]?.logits as Float32Array, b[i]?.logits as Float32Array];
    const { rows, top1Agree, maxAbsDiff } = compareLogits(la, lb, vocab);
    return { name: c.name, rows, top1Agree, maxAbsDiff };
  });
  const rows = perCase.reduce((n, c) => n + c.rows, 0);
  const top1Agree = perCase.reduce((n, c) => n + c.top1Agree, 0);
  const diff = Math.max(...perCase.map((c) => c.maxAbsDiff));
  return {
    provider: model.provider,
    reference: reference.provider,
    rows,
    top1Agree,
    maxAbsDiff: diff,
    tolerance,
    ok: top1Agree === rows && diff <= tolerance,
    cases: perCase,
  };
}
