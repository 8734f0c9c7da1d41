// Test helper: models/tiny's weights read from its contract-v2 model.onnx under GGUF tensor names, so the
// TypeScript-built graph can be checked against the PyTorch-exported one.

import { readFileSync } from 'node:fs';
import { onnx } from 'onnx-proto';
import type { DecoderSpec, FloatWeight } from '../../../src/model/graph/decoder-spec';

// export.py's module names → GGUF names (w1 = gate, w3 = up, w2 = down in model.py's SwiGLU).
const MODULES: Record<string, string> = {
  wq: 'attn_q',
  wk: 'attn_k',
  wv: 'attn_v',
  wo: 'attn_output',
  w1: 'ffn_gate',
  w3: 'ffn_up',
  w2: 'ffn_down',
};

function floats(t: onnx.ITensorProto): Float32Array {
  const raw = t.rawData as Uint8Array;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/** GGUF-named float weights ([N, K] per linear layer) of a v2 graph exported by models/recipe/export.py. */
export function readV2Weights(path: string): Map<string, FloatWeight> {
  const model = onnx.ModelProto.decode(readFileSync(path));
  const graph = model.graph as onnx.IGraphProto;
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name as string, t]));
  const out = new Map<string, FloatWeight>();
  const put = (name: string, dims: number[], data: Float32Array) =>
    out.set(name, { kind: 'float', dims, data });
  for (const [name, t] of inits) {
    const dims = (t.dims ?? []).map(Number);
    const m = /^model\.(?:layers\.(\d+)\.)?(\w+)\.weight$/.exec(name);
    if (!m) continue;
    const gguf =
      m[2] === 'embed'
        ? 'token_embd'
        : m[2] === 'norm'
          ? 'output_norm'
          : `blk.${m[1] as string}.${m[2] as string}`;
    put(`${gguf}.weight`, dims, floats(t));
  }
  const seen = new Map<string, number>();
  for (const node of graph.node ?? []) {
    const w = inits.get(node.input?.[1] ?? '');
    if (node.opType !== 'MatMul' || !w) continue;
    const module = /\/(w[qkvo123])(?:_\d+)?\//.exec(node.output?.[0] ?? '')?.[1] as string;
    const layer = seen.get(module) ?? 0;
    seen.set(module, layer + 1);
    const [k, n] = (w.dims ?? []).map(Number) as [number, number]; // stored [K, N]
    const data = floats(w);
    const rows = new Float32Array(n * k);
    for (let i = 0; i < k; i++)
      for (let j = 0; j < n; j++) rows[j * k + i] = data[i * n + j] as number;
    put(`blk.${layer}.${MODULES[module] as string}.weight`, [n, k], rows);
  }
  return out;
}

/** models/tiny's shape as a DecoderSpec (from its model-card.json config). */
export function tinySpec(config: Record<string, number | boolean>): DecoderSpec {
  const n = (k: string) => config[k] as number;
  return {
    architecture: 'llama',
    vocabSize: n('vocab_size'),
    dim: n('dim'),
    nLayers: n('n_layers'),
    nHeads: n('n_heads'),
    nKvHeads: n('n_kv_heads'),
    headDim: n('dim') / n('n_heads'),
    ffnDim: n('ffn_dim'),
    normEps: n('norm_eps'),
    tiedEmbeddings: config.tie_embeddings === true,
    ropeTheta: n('rope_theta'),
    trainLength: n('train_len'),
  };
}
