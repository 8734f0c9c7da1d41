// One forward pass of the model over a KV cache under a RoPE plan: the step that generation and the
// benchmarks (perplexity, needle scoring, cost model) share.

import type { KvCache } from './kv-cache';
import type { OnnxModel } from './onnx-backend';
import { planAttentionScale, planTables, type RopePlan } from './rope';

/**
 * Runs `ids` at positions start.. on top of `cache` under `plan`, appends their entries to it, and
 * returns the logits of the last token.
 */
export async function forwardOnCache(
  model: OnnxModel,
  cache: KvCache,
  ids: number[],
  start: number,
  plan: RopePlan,
  /** Every token's logits ([ids.length, vocab]) instead of the last one's: for scoring text. */
  allLogits = false,
): Promise<Float32Array> {
  const positions = Array.from(ids, (_, i) => start + i);
  const t = planTables(plan, positions);
  const out = await model.forward({
    ids,
    cosQ: t.cos,
    sinQ: t.sin,
    attentionScale: planAttentionScale(plan, positions, model.card.config.n_layers),
    logitsIndices: allLogits ? ids.map((_, i) => i) : [ids.length - 1],
    past: cache.length > 0 ? cache.view() : undefined,
  });
  cache.append(out.newKeys, out.newValues, ids.length);
  return out.logits;
}
