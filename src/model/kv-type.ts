// The KV cache's element type: the closed set, the setting that picks one, the graph file of each, and
// the `auto` rule (fp16 where the cache is big enough for its half to matter). Pure: no onnxruntime.

import { kvCacheBytes, neededBytes } from './memory-check';

export const KV_TYPES = ['float32', 'float16'] as const;
export type KvType = (typeof KV_TYPES)[number];

export const KV_TYPE_SETTINGS = ['auto', ...KV_TYPES] as const;
export type KvTypeSetting = (typeof KV_TYPE_SETTINGS)[number];

export function isKvType(value: unknown): value is KvType {
  return (KV_TYPES as readonly unknown[]).includes(value);
}

export function isKvTypeSetting(value: unknown): value is KvTypeSetting {
  return (KV_TYPE_SETTINGS as readonly unknown[]).includes(value);
}

/** Bytes of one cached key or value element. */
export const KV_BYTES = { float32: 4, float16: 2 } as const satisfies Record<KvType, number>;

/**
 * A built model folder's graph per KV type, sharing one external-data file (model.onnx.data): both
 * graphs point at the same weights, so switching type needs no rebuild.
 */
export const KV_GRAPH_FILES = {
  float32: 'model.onnx',
  float16: 'model-kv16.onnx',
} as const satisfies Record<KvType, string>;

/**
 * `auto` takes fp16 when the fp32 cache at the context budget would exceed this: below it the cache is
 * small beside the weights (Qwen2.5-0.5B at 4k tokens: 96 MiB), above it halving it is worth its
 * rounding (Qwen2.5-1.5B at 32k tokens: 1.75 GiB).
 */
export const AUTO_FP16_ABOVE_BYTES = 2 ** 30;

export interface KvChoice {
  type: KvType;
  /** Why, in a few words, for the load log line. */
  reason: string;
}

export interface KvChoiceInput {
  setting: KvTypeSetting;
  /** The KV types the model's graphs offer. */
  offered: readonly KvType[];
  nLayers: number;
  nKvHeads: number;
  headDim: number;
  /** Tokens the cache must hold (the context budget). */
  budget: number;
  weightsBytes: number;
  /** Free memory, bytes. */
  available: number;
}

/** A KV type was asked for by name and the model has no graph for it. */
export class KvTypeUnavailableError extends Error {
  override readonly name = 'KvTypeUnavailableError';
  constructor(
    readonly dir: string,
    readonly asked: KvType,
    readonly offered: readonly KvType[],
  ) {
    super(
      `a ${asked} KV cache was asked for, but the model at ${dir} has graphs for ${offered.join(' and ')} only ` +
        `(a ${asked} graph is built for models imported from GGUF files; Ropewalk's own exported models are float32): ` +
        `use auto or ${offered.join(' or ')}`,
    );
  }
}

const size = (bytes: number) =>
  bytes >= 2 ** 30
    ? `${(bytes / 2 ** 30).toFixed(2)} GiB`
    : bytes >= 2 ** 20
      ? `${(bytes / 2 ** 20).toFixed(0)} MiB`
      : `${(bytes / 2 ** 10).toFixed(0)} KiB`;

/**
 * The KV type to load: the one asked for, or under `auto` fp16 when the model offers it and either the
 * fp32 cache at the budget exceeds AUTO_FP16_ABOVE_BYTES or fp32 would not fit in free memory.
 * Throws KvTypeUnavailableError when a type is asked for by name that the model (`dir`) lacks.
 */
export function chooseKvType(input: KvChoiceInput, dir = 'this path'): KvChoice {
  const { setting, offered, budget } = input;
  const cache = (type: KvType) =>
    kvCacheBytes({ ...input, kvBytesPerValue: KV_BYTES[type] }, budget);
  if (setting !== 'auto') {
    if (!offered.includes(setting)) throw new KvTypeUnavailableError(dir, setting, offered);
    return { type: setting, reason: `as set; ${size(cache(setting))} at ${budget} tokens` };
  }
  const fp32 = cache('float32');
  if (!offered.includes('float16'))
    return {
      type: 'float32',
      reason: `auto: the model has no fp16-KV graph; ${size(fp32)} at ${budget} tokens`,
    };
  if (fp32 > AUTO_FP16_ABOVE_BYTES)
    return {
      type: 'float16',
      reason: `auto: fp32 would be ${size(fp32)} at ${budget} tokens (over ${size(AUTO_FP16_ABOVE_BYTES)}), fp16 is ${size(cache('float16'))}`,
    };
  const need = (type: KvType) => neededBytes({ ...input, kvBytesPerValue: KV_BYTES[type] });
  if (need('float32') > input.available)
    return {
      type: 'float16',
      reason: `auto: with an fp32 cache the model would not fit in the ${size(input.available)} free; fp16 is ${size(cache('float16'))} at ${budget} tokens`,
    };
  return {
    type: 'float32',
    reason: `auto: ${size(fp32)} at ${budget} tokens (fp16 from ${size(AUTO_FP16_ABOVE_BYTES)})`,
  };
}
