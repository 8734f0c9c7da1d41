// The weights of a contract-2 model.onnx (what models/recipe/export.py writes with torch.onnx.export) by
// GGUF tensor name, as float rows in rotate-half order: the exporter's input.

import { readFileSync } from 'node:fs';
import { onnx } from 'onnx-proto';
import { CorruptModelError } from '../errors';
import type { FloatWeight } from '../graph/decoder-spec';

// model.py's module names → GGUF names (w1 = gate, w3 = up, w2 = down in its SwiGLU).
const LINEAR_MODULES: Record<string, string> = {
  wq: 'attn_q',
  wk: 'attn_k',
  wv: 'attn_v',
  wo: 'attn_output',
  w1: 'ffn_gate',
  w3: 'ffn_up',
  w2: 'ffn_down',
};

/** Named parameters the exporter keeps under their PyTorch names: the embedding and the RMSNorm weights. */
const NAMED = /^model\.(?:layers\.(\d+)\.)?(embed|norm|attn_norm|ffn_norm)\.weight$/;

/**
 * torch.onnx.export names each linear layer's MatMul after its module path: `/model/wq/MatMul` for the first
 * layer's `wq`, `/model/wq_3/MatMul` for the fourth (older exporters), or `/model/layers.3/attn/wq/MatMul`.
 */
const LINEAR_NODE = /\/(w[qkvo123])(?:_(\d+))?\/MatMul$/;

function floats(path: string, t: onnx.ITensorProto): Float32Array {
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT)
    throw new CorruptModelError(path, `initializer ${t.name} is not float32`);
  if (t.rawData && t.rawData.length > 0) {
    const raw = t.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return Float32Array.from(t.floatData ?? []);
}

/**
 * GGUF-named float weights ([N, K] per linear layer, PyTorch's [out, in]) of a contract-2 graph. Every
 * layer's seven matrices, two norms, the embedding and the final norm must be found; `output.weight` is
 * present only when the head is not tied to the embedding.
 */
export function readTorchOnnxWeights(path: string, nLayers: number): Map<string, FloatWeight> {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(readFileSync(path));
  } catch (cause) {
    throw new CorruptModelError(path, 'model.onnx is not a readable ONNX protobuf', { cause });
  }
  const graph = model.graph ?? new onnx.GraphProto();
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name as string, t]));
  const out = new Map<string, FloatWeight>();
  const put = (name: string, dims: number[], data: Float32Array) => {
    if (out.has(name)) throw new CorruptModelError(path, `two initializers map to ${name}`);
    out.set(name, { kind: 'float', dims, data });
  };
  for (const [name, t] of inits) {
    const m = NAMED.exec(name);
    if (!m) continue;
    const [, layer, module] = m;
    const dims = (t.dims ?? []).map(Number);
    const gguf =
      module === 'embed'
        ? 'token_embd'
        : module === 'norm'
          ? 'output_norm'
          : `blk.${layer as string}.${module as string}`;
    put(`${gguf}.weight`, dims, floats(path, t));
  }
  const [vocab, dim] = out.get('token_embd.weight')?.dims ?? [];
  for (const node of graph.node ?? []) {
    const w = inits.get(node.input?.[1] ?? '');
    if (node.opType !== 'MatMul' || !w) continue;
    // MatMul(x, W) stores W as [K, N]; GGUF rows are output channels: transpose to [N, K].
    const [k, n] = (w.dims ?? []).map(Number) as [number, number];
    const m = LINEAR_NODE.exec(node.name ?? '');
    let name: string;
    if (m) {
      const [, module, suffix] = m;
      const layer = /layers\.(\d+)\//.exec(node.name ?? '')?.[1] ?? suffix ?? '0';
      name = `blk.${layer}.${LINEAR_MODULES[module as string] as string}.weight`;
    } else if (k === dim && n === vocab) {
      // An untied head is an anonymous MatMul (model.py calls F.linear); a tied one is export.py's Gemm on the embedding.
      name = 'output.weight';
    } else continue;
    const data = floats(path, w);
    const rows = new Float32Array(n * k);
    for (let i = 0; i < k; i++)
      for (let j = 0; j < n; j++) rows[j * k + i] = data[i * n + j] as number;
    put(name, [n, k], rows);
  }
  const want = ['token_embd.weight', 'output_norm.weight'];
  for (let i = 0; i < nLayers; i++) {
    for (const m of ['attn_norm', 'ffn_norm', ...Object.values(LINEAR_MODULES)])
      want.push(`blk.${i}.${m}.weight`);
  }
  const missing = want.filter((n) => !out.has(n));
  if (missing.length > 0) {
    throw new CorruptModelError(
      path,
      `model.onnx does not have the layout models/recipe/export.py writes (no ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`,
    );
  }
  return out;
}
