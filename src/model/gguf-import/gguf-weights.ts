// A GGUF file's tensors as the graph builder's weights: matrices kept quantized as MatMulNBits where
// the type maps exactly, dequantized to float otherwise; llama-architecture Q/K rows put back in
// rotate-half order. Each tensor is read from its offset when the builder asks for it.

import type { DecoderSpec, Weight, WeightSource } from '../graph/decoder-spec';
import { dequantize, ggmlType } from '../gguf/ggml-types';
import { readTensor, type GgufFile } from '../gguf/gguf-file';
import { toMatMulNBits } from '../gguf/matmul-nbits';
import { requantize8 } from '../gguf/requantize';
import { unpermuteRows } from './unpermute';

export interface WeightSummary {
  /** ggml type name → tensors of that type, e.g. { Q8_0: 169, F32: 121 }: what the file holds. */
  types: Record<string, number>;
  /** Matrices kept quantized exactly (MatMulNBits), requantized to 8 bits (no fast exact form), and read as float. */
  packed: number;
  requantized: number;
  dequantized: number;
}

export function ggufWeights(
  file: GgufFile,
  spec: DecoderSpec,
): WeightSource & { summary: WeightSummary } {
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const summary: WeightSummary = { types: {}, packed: 0, requantized: 0, dequantized: 0 };
  for (const t of file.tensors) {
    const name = ggmlType(t.type)?.name ?? `type ${t.type}`;
    summary.types[name] = (summary.types[name] ?? 0) + 1;
  }
  // The builder asks for a tied table twice (lookup and output head): the same object both times, read once.
  const made = new Map<string, Weight | undefined>();
  const get = (name: string): Weight | undefined => {
    if (!made.has(name)) made.set(name, read(name));
    return made.get(name);
  };
  return { summary, get };

  function read(name: string): Weight | undefined {
    const info = byName.get(name);
    if (!info) return undefined;
    let bytes: Uint8Array = readTensor(file, name);
    const count = info.dims.reduce((a, b) => a * b, 1);
    const [K = 0, N = 1] = info.dims.length === 1 ? [1, count] : info.dims; // ggml order: [K, N]; a vector is N rows of 1
    const heads = permutedHeads(spec, name);
    if (heads !== undefined) bytes = unpermuteRows(bytes, bytes.length / N, heads, spec.headDim);
    if (info.dims.length === 1)
      return { kind: 'float', dims: [count], data: dequantize(info.type, bytes, count) };
    const nbits = toMatMulNBits(info.type, bytes, N, K);
    // Float zero points have no fast CPU kernel, and a table looked up by GatherBlockQuantized takes no
    // offsets: such a matrix is requantized to 8 bits instead.
    const lookedUp = name === 'token_embd.weight';
    if (nbits && !nbits.zeroPoints && !(lookedUp && nbits.offsets)) {
      summary.packed++;
      return { kind: 'nbits', N, K, ...nbits };
    }
    const values = dequantize(info.type, bytes, N * K);
    if (!FLOAT_TYPES.has(info.type) && K % 32 === 0) {
      summary.requantized++;
      return { kind: 'nbits', N, K, ...requantize8(values, N, K) };
    }
    summary.dequantized++;
    return {
      kind: 'float',
      dims: [N, K],
      data: values,
      ...(info.type === 1 && { halfInputs: true }),
    };
  }
}

/** Float weights stay float (exact; the user chose them for that): F32, F16, BF16. */
const FLOAT_TYPES = new Set([0, 1, 30]);

/** llama.cpp's converter permutes the rows of llama-architecture Q and K weights: by query or by kv heads. */
function permutedHeads(spec: DecoderSpec, name: string): number | undefined {
  if (spec.architecture !== 'llama') return undefined;
  if (/\.attn_q\.(weight|bias)$/.test(name)) return spec.nHeads;
  if (/\.attn_k\.(weight|bias)$/.test(name)) return spec.nKvHeads;
  return undefined;
}
