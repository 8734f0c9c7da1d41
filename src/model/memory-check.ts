// Before a model is loaded: will its weights and its KV cache at the chosen budget fit in the memory
// this machine has free? A clear "what fits instead" beats an out-of-memory crash half-way through.

import { freemem, totalmem } from 'node:os';

export interface MemoryNeed {
  /** Bytes of weights as the engine holds them (quantized weights stay quantized). */
  weightsBytes: number;
  nLayers: number;
  nKvHeads: number;
  headDim: number;
  /** Prompt tokens the KV cache must hold. */
  budget: number;
  /** 4 for an fp32 cache, 2 for fp16. */
  kvBytesPerValue: number;
  /** Whether the model has an fp16-KV graph, to suggest when an fp32 cache does not fit (default: yes). */
  fp16Offered?: boolean;
}

/** Keys and values, every layer, `tokens` positions. */
export function kvCacheBytes(
  need: Pick<MemoryNeed, 'nLayers' | 'nKvHeads' | 'headDim' | 'kvBytesPerValue'>,
  tokens: number,
): number {
  return 2 * need.nLayers * need.nKvHeads * need.headDim * need.kvBytesPerValue * tokens;
}

/** Working memory beyond weights and cache (activations, onnxruntime's arenas, the process): a measured margin, not a promise. */
const OVERHEAD = 1.2;
const BASE_BYTES = 300 * 1024 * 1024;

export function neededBytes(need: MemoryNeed): number {
  return Math.round((need.weightsBytes + kvCacheBytes(need, need.budget)) * OVERHEAD + BASE_BYTES);
}

export class ModelTooBigError extends Error {
  override readonly name = 'ModelTooBigError';
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

/**
 * Throws ModelTooBigError when the model would not fit in `available` bytes (default: free memory),
 * saying what would: the largest budget that fits with these weights, or that the weights alone are
 * too big (a smaller quantization or model).
 */
export function checkMemory(
  need: MemoryNeed,
  available = freemem(),
  total = totalmem(),
): { needed: number; available: number } {
  const needed = neededBytes(need);
  if (needed <= available) return { needed, available };
  const perToken = kvCacheBytes(need, 1) * OVERHEAD;
  const room = available - (need.weightsBytes * OVERHEAD + BASE_BYTES);
  const fits = room > 0 ? Math.floor(room / perToken / 1024) * 1024 : 0;
  const advice =
    fits >= 1024
      ? `a context budget of ${fits} tokens fits (ropewalk.contextBudget)${need.kvBytesPerValue === 4 && need.fp16Offered !== false ? ', or an fp16 KV cache (ropewalk.kvCacheType)' : ''}`
      : `the weights alone need ${gib(need.weightsBytes * OVERHEAD + BASE_BYTES)}: choose a smaller quantization (Q4_K_M) or a smaller model`;
  throw new ModelTooBigError(
    `the model needs about ${gib(needed)} at ${need.budget} tokens (weights ${gib(need.weightsBytes)}, KV cache ${gib(kvCacheBytes(need, need.budget))}), ` +
      `but ${gib(available)} of ${gib(total)} is free: ${advice}`,
  );
}
