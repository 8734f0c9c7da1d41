// What a benchmark cell costs on this machine: a prefill/decode cost model fitted from two timed
// prefills, and the estimate it gives for a prompt size.

import { forwardOnCache } from '../model/generate';
import type { OnnxModel } from '../model/onnx-backend';
import { planRope, ropeGeometry } from '../model/rope';

/** What a run costs, in milliseconds, per prompt size: a·n + b·n² prefill plus per-token decoding. */
export interface CostModel {
  a: number;
  b: number;
  decodeMs: number;
}

/** Times two prefills to fit the cost model on this machine (about a second). */
export async function calibrate(model: OnnxModel): Promise<CostModel> {
  const plan = planRope('none', ropeGeometry(model.card.config));
  // Ordinary ids, whatever the vocabulary's size (a small GGUF vocabulary has a few hundred).
  const vocab = model.card.config.vocab_size;
  const id = (k: number) => (100 + (k % 500)) % vocab;
  const time = async (n: number) => {
    const cache = model.newCache({ initialCapacity: n + 1 });
    const t0 = performance.now();
    for (let at = 0; at < n; at += 512)
      await forwardOnCache(
        model,
        cache,
        Array.from({ length: Math.min(512, n - at) }, (_, i) => id(at + i)),
        at,
        plan,
      );
    const ms = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < 4; i++) await forwardOnCache(model, cache, [id(7)], n + i, plan);
    return { ms, decode: (performance.now() - t1) / 4 };
  };
  await time(512); // warm-up: the first runs of a session are slower
  // The faster of two runs each: a busy machine's worst moments would inflate every estimate.
  const best = (a: { ms: number; decode: number }, b: { ms: number; decode: number }) => ({
    ms: Math.min(a.ms, b.ms),
    decode: Math.min(a.decode, b.decode),
  });
  const small = best(await time(512), await time(512));
  const large = best(await time(2048), await time(2048));
  // Solve ms = a·n + b·n² through the two points.
  const b = Math.max(0, (large.ms / 2048 - small.ms / 512) / (2048 - 512));
  const a = Math.max(1e-4, small.ms / 512 - b * 512);
  return { a, b, decodeMs: Math.max(small.decode, large.decode) };
}

export function estimateMs(cost: CostModel, promptTokens: number, decodeTokens: number): number {
  return (
    cost.a * promptTokens + cost.b * promptTokens * promptTokens + cost.decodeMs * decodeTokens
  );
}
