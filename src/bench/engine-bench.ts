// Engine speed at several context sizes: cold prefill, warm prefill after an edit at the end (served from
// the KV cache), decoding with the context cached vs with an empty cache, the memory-bandwidth bound, and
// the KV cache's size in the model's KV type (run once per --kv-type to compare fp16 with fp32).

import type { KvCache } from '../model/kv-cache';
import { weightsOnDisk } from '../model/model-card';
import type { NodePlacement } from '../model/node-placement';
import type { OnnxModel } from '../model/onnx-backend';
import { forwardOnCache } from '../model/generate';
import { extensionFactor, planRope, ropeGeometry, type RopePlan } from '../model/rope';
import { median } from './stats';

export interface EngineBenchRow {
  context: number;
  ep: string;
  kvType: string;
  /** Bytes of the KV cache at `context` tokens (keys and values, all layers). */
  kvBytes: number;
  coldPrefillMs: number;
  warmPrefillMs: number;
  editTokens: number;
  decodeMsPerTokenAtDepth: number;
  decodeMsPerTokenAtZero: number;
  bandwidthBoundMsPerToken: number;
  peakRssMb: number;
  /** Which provider ran each node (the model's test run), when the model was loaded with placement. */
  placement?: NodePlacement;
}

export interface EngineBenchOptions {
  contexts: number[];
  editTokens: number;
  /** Tokens to draw prompts from (repeated as needed). */
  source: number[];
  prefillChunk?: number;
  decodeSteps?: number;
  /** Bytes per second of a large memory copy (read + write counted), measured if not given. */
  bandwidth?: number;
}

/** Bytes moved per second by a large copy (read + write), the ceiling a memory-bound decoder runs against. */
export function measureCopyBandwidth(bytes = 128 * 2 ** 20, repeats = 5): number {
  const a = new Float64Array(bytes / 8).fill(1);
  const b = new Float64Array(bytes / 8);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    b.set(a);
    times.push(performance.now() - t0);
  }
  return (2 * bytes) / (Math.min(...times) / 1000);
}

async function prefill(
  model: OnnxModel,
  cache: KvCache,
  ids: number[],
  start: number,
  plan: RopePlan,
  chunk: number,
): Promise<void> {
  for (let at = 0; at < ids.length; at += chunk)
    await forwardOnCache(model, cache, ids.slice(at, at + chunk), start + at, plan);
}

async function decodeMs(
  model: OnnxModel,
  cache: KvCache,
  steps: number,
  plan: RopePlan,
): Promise<number> {
  const times: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    // Ids spread over the vocabulary, inside it however small it is (a test model's is 320).
    const id = ((s * 7919) % 1000) + 100;
    await forwardOnCache(model, cache, [id % model.card.config.vocab_size], cache.length, plan);
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function engineBench(
  model: OnnxModel,
  options: EngineBenchOptions,
  onRow?: (row: EngineBenchRow) => void,
): Promise<EngineBenchRow[]> {
  const cfg = model.card.config;
  const geometry = ropeGeometry(cfg);
  const chunk = options.prefillChunk ?? 512;
  const steps = options.decodeSteps ?? 16;
  const weightBytes = weightsOnDisk(model.files);
  const rows: EngineBenchRow[] = [];
  for (const context of options.contexts) {
    const ids = Array.from(
      { length: context },
      (_, i) => options.source[i % options.source.length] as number,
    );
    const factor = extensionFactor(context, cfg.train_len);
    const plan = planRope('yarn', geometry, { factor, length: context });
    const cache = model.newCache({ initialCapacity: context + steps + 1 });

    let t0 = performance.now();
    await prefill(model, cache, ids, 0, plan, chunk);
    const coldPrefillMs = performance.now() - t0;

    // The user edits the last `editTokens` tokens: the cache keeps the rest and only the tail is computed.
    const edited = ids.slice(context - options.editTokens).map((t) => (t + 1) % cfg.vocab_size);
    cache.truncate(context - options.editTokens);
    t0 = performance.now();
    await prefill(model, cache, edited, context - options.editTokens, plan, chunk);
    const warmPrefillMs = performance.now() - t0;

    const decodeMsPerTokenAtDepth = await decodeMs(model, cache, steps, plan);
    const shallow = model.newCache({ initialCapacity: steps + 2 });
    await prefill(model, shallow, ids.slice(0, 1), 0, plan, chunk);
    const decodeMsPerTokenAtZero = await decodeMs(model, shallow, steps, plan);

    // A decoded token reads every weight once and the whole cache once (keys and values, all layers).
    const bytesPerToken = weightBytes + cache.bytesFor(context);
    rows.push({
      context,
      ep: model.provider,
      kvType: cache.kvType,
      kvBytes: cache.bytesFor(context),
      coldPrefillMs,
      warmPrefillMs,
      editTokens: options.editTokens,
      decodeMsPerTokenAtDepth,
      decodeMsPerTokenAtZero,
      bandwidthBoundMsPerToken: bytesPerToken,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      ...(model.placement && { placement: model.placement }),
    });
  }
  // Measured last, so that its buffers do not count in the rows' peak RSS.
  const bandwidth = options.bandwidth ?? measureCopyBandwidth();
  for (const row of rows) {
    row.bandwidthBoundMsPerToken = (row.bandwidthBoundMsPerToken / bandwidth) * 1000;
    onRow?.(row);
  }
  return rows;
}

export function formatEngineBench(rows: EngineBenchRow[]): string {
  const head = [
    'context',
    'ep',
    'kv',
    'KV cache',
    'cold prefill',
    'warm prefill',
    'warm/cold',
    'decode@depth',
    'decode@0',
    'depth/0',
    'bw bound',
    'peak RSS',
  ];
  const lines = rows.map((r) => [
    String(r.context),
    r.ep,
    r.kvType,
    `${(r.kvBytes / 2 ** 20).toFixed(1)} MiB`,
    `${r.coldPrefillMs.toFixed(0)} ms`,
    `${r.warmPrefillMs.toFixed(1)} ms (${r.editTokens} tok)`,
    (r.warmPrefillMs / r.coldPrefillMs).toFixed(3),
    `${r.decodeMsPerTokenAtDepth.toFixed(2)} ms`,
    `${r.decodeMsPerTokenAtZero.toFixed(2)} ms`,
    `${(r.decodeMsPerTokenAtDepth / r.decodeMsPerTokenAtZero).toFixed(2)}×`,
    `${r.bandwidthBoundMsPerToken.toFixed(2)} ms`,
    `${r.peakRssMb.toFixed(0)} MB`,
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...lines.map((l) => (l[i] as string).length)),
  );
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [fmt(head), ...lines.map(fmt)].join('\n');
}
