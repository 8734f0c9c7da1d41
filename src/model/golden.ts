// Replays a model's golden cases (PyTorch outputs written by the exporter) through onnxruntime:
// parity with PyTorch, and exactness of prefix reuse from the cache against a cold run.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptModelError } from './errors';
import { compareLogits } from './golden-tolerance';
import type { KvCache } from './kv-cache';
import type { OnnxModel } from './onnx-backend';
import { planRope, planTables, ropeGeometry } from './rope';

interface BlobRef {
  shape: number[];
  offset: number;
}

export interface GoldenCase {
  name: string;
  ids: number[];
  positions: number[];
  pastFrom?: string;
  /** Positions the cached keys of pastFrom are moved by (re-rotated) before this case runs. */
  pastShift?: number;
  logitsIndices: number[];
  factor?: number;
  scale?: number;
  unscaledLayers?: number;
  logits: BlobRef;
  present0Key?: BlobRef;
}

export interface Golden {
  /** The snippet whose first tokens are `ids`, and texts with the ids the recipe's tokenizer gave them. */
  text?: string;
  tokenizerCases?: { text: string; ids: number[] }[];
  ids: number[];
  cases: GoldenCase[];
  tolerance: number;
  data: Float32Array;
}

export interface CaseResult {
  name: string;
  /** max |onnxruntime − PyTorch| over the case's logits */
  maxAbsDiff: number;
  /** max over the case's logits rows of that row's max |onnxruntime − PyTorch| / its PyTorch spread (max − min) */
  maxDiffOfSpread: number;
  /** Rows whose top token is PyTorch's, out of `rows`. */
  top1Agree: number;
  rows: number;
  /** For cases run on a reused cache: max |cached − cold| over logits at the same positions (both onnxruntime). */
  reuseMaxAbsDiff?: number;
  /** The same, each row's difference over the cold row's spread. */
  reuseMaxDiffOfSpread?: number;
}

export function readGolden(dir: string): Golden {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as Omit<Golden, 'data'>;
    const buf = readFileSync(join(dir, 'golden.bin'));
    const data = new Float32Array(
      buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
    );
    return { ...meta, data };
  } catch (cause) {
    throw new CorruptModelError(dir, 'golden.json/golden.bin are missing or unreadable', { cause });
  }
}

export function blob(golden: Golden, ref: BlobRef): Float32Array {
  const size = ref.shape.reduce((a, b) => a * b, 1);
  return golden.data.subarray(ref.offset, ref.offset + size);
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++)
    max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

/** A call to replay: a golden case without its reference outputs (model-check --against makes its own). */
export type ReplayCase = Omit<GoldenCase, 'logits' | 'present0Key'>;

export interface ReplayedCase {
  /** [logitsIndices.length, vocab] */
  logits: Float32Array;
  /** Cache entries the case ran on. */
  pastLength: number;
}

/**
 * Runs cases in order, each on a fresh cache or on a copy of the cache case `pastFrom` left (its keys
 * re-rotated by `pastShift`): the calls behind golden parity and provider parity alike.
 */
export async function replayCases(
  model: OnnxModel,
  cases: readonly ReplayCase[],
): Promise<ReplayedCase[]> {
  const cfg = model.card.config;
  const geometry = ropeGeometry(cfg);
  const caches = new Map<string, KvCache>();
  const results: ReplayedCase[] = [];
  for (const c of cases) {
    const plan = planRope('linear', geometry, { factor: c.factor ?? 1 });
    let cache = model.newCache();
    if (c.pastFrom) {
      const from = caches.get(c.pastFrom);
      if (!from) throw new Error(`golden case ${c.name} needs case ${c.pastFrom} first`);
      cache = from.clone();
      if (c.pastShift) cache.shiftKeys(0, cache.length, c.pastShift, plan.inverseFrequencies);
    }
    const pastLength = cache.length;
    const q = planTables(plan, c.positions);
    const scale = new Float32Array(cfg.n_layers * c.ids.length).fill(c.scale ?? 1);
    scale.fill(1, 0, (c.unscaledLayers ?? 0) * c.ids.length);
    const out = await model.forward({
      ids: c.ids,
      cosQ: q.cos,
      sinQ: q.sin,
      attentionScale: scale,
      logitsIndices: c.logitsIndices,
      past: pastLength > 0 ? cache.view() : undefined,
    });
    cache.append(out.newKeys, out.newValues, c.ids.length);
    caches.set(c.name, cache);
    results.push({ logits: out.logits, pastLength });
  }
  return results;
}

/** Runs every golden case; cases with `pastFrom` run on the cache that case produced. */
export async function runGolden(model: OnnxModel, golden: Golden): Promise<CaseResult[]> {
  const vocab = model.card.config.vocab_size;
  const coldLogits = new Map<number, Float32Array>(); // position in the sequence → cold logits row
  const replayed = await replayCases(model, golden.cases);
  return golden.cases.map((c, i) => {
    const { logits, pastLength } = replayed[i] as ReplayedCase;
    const result: CaseResult = {
      name: c.name,
      ...compareLogits(logits, blob(golden, c.logits), vocab),
    };
    const inPlace = !c.pastShift && c.positions.every((p, j) => p === pastLength + j);
    c.logitsIndices.forEach((idx, row) => {
      const seqPos = pastLength + idx;
      const rowLogits = logits.subarray(row * vocab, (row + 1) * vocab);
      const cold = coldLogits.get(seqPos);
      if (c.name === 'cold') coldLogits.set(seqPos, rowLogits);
      else if (pastLength > 0 && inPlace && cold) {
        const d = compareLogits(rowLogits, cold, vocab);
        result.reuseMaxAbsDiff = Math.max(result.reuseMaxAbsDiff ?? 0, d.maxAbsDiff);
        result.reuseMaxDiffOfSpread = Math.max(result.reuseMaxDiffOfSpread ?? 0, d.maxDiffOfSpread);
      }
    });
    return result;
  });
}
