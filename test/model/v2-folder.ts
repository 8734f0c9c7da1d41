// Test helper: contract-2 model folders made at test time from models/tiny/model.gguf, now that the
// committed models hold model.gguf only: tokenizer.json as models/recipe/tokenizer.py writes it, a
// model.onnx laid out as torch.onnx.export writes export.py's (the exporter's input), and a loadable
// contract-2 folder (the graph Ropewalk builds, beside tokenizer.json and a contract-2 card).

import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { buildDecoderGraph, writeDecoderModel } from '../../src/model/graph/decoder-graph';
import type { FloatWeight, Weight } from '../../src/model/graph/decoder-spec';
import { readGgufSync } from '../../src/model/gguf/gguf-file';
import { plainMetadata } from '../../src/model/gguf-import/gguf-metadata';
import type { ModelCard } from '../../src/model/model-card';
import { vocabFromMetadata, type GgufVocab } from '../../src/model/tokenizers/gguf-vocab';
import { tokenizerJsonOf } from '../../src/model/tokenizers/tokenizer-json';
import { repoRoot } from '../repo-root';
import { tinyGguf, tinySpec, tinyWeights } from './graph/tiny-weights';

const tinyDir = () => join(repoRoot(), 'models', 'tiny');

/** models/tiny's committed card, as the contract-2 export wrote it (contract 2). */
export function tinyV2Card(): ModelCard {
  const card = JSON.parse(readFileSync(join(tinyDir(), 'model-card.json'), 'utf8')) as ModelCard;
  return { ...card, contract: 2 };
}

export function tinyVocab(): GgufVocab {
  return vocabFromMetadata(plainMetadata(readGgufSync(tinyGguf())));
}

function writeCommon(dir: string): void {
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJsonOf(tinyVocab())));
  writeFileSync(join(dir, 'model-card.json'), JSON.stringify(tinyV2Card(), null, 1) + '\n');
  for (const f of ['golden.json', 'golden.bin']) copyFileSync(join(tinyDir(), f), join(dir, f));
}

/**
 * A contract-2 folder the engine loads: tiny's weights as the graph Ropewalk builds (same inputs and
 * outputs as the PyTorch export), tokenizer.json, a contract-2 card and the golden cases.
 */
export async function writeLoadableV2Folder(
  dir: string,
  weights: ReadonlyMap<string, Weight> = tinyWeights(),
): Promise<string> {
  await writeDecoderModel(dir, buildDecoderGraph(tinySpec(), { get: (n) => weights.get(n) }));
  writeCommon(dir);
  return dir;
}

// torch.onnx.export's names for model.py's linear layers, in the order they run (see models/recipe/export.py).
const LINEAR: [module: string, gguf: string][] = [
  ['wq', 'attn_q'],
  ['wk', 'attn_k'],
  ['wv', 'attn_v'],
  ['wo', 'attn_output'],
  ['w1', 'ffn_gate'],
  ['w3', 'ffn_up'],
  ['w2', 'ffn_down'],
];

function initializer(name: string, dims: number[], data: Float32Array): onnx.ITensorProto {
  return {
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  };
}

/**
 * The exporter's input: tiny's weights in a model.onnx named and laid out as torch.onnx.export wrote
 * models/tiny's (named parameters for the embedding and norms, `/model/wq_1/MatMul` on a transposed
 * `onnx::MatMul_N` per linear layer, the tied head as export.py's Gemm on the embedding), beside
 * tokenizer.json, a contract-2 card and the golden cases. Only the weights' nodes are written: the
 * exporter reads weights, it never runs the graph.
 */
export function writeTorchExportFolder(dir: string): string {
  const spec = tinySpec();
  const weights = tinyWeights();
  const w = (name: string) => weights.get(name) as FloatWeight;
  const inits: onnx.ITensorProto[] = [
    initializer('model.embed.weight', w('token_embd.weight').dims, w('token_embd.weight').data),
  ];
  const nodes: onnx.INodeProto[] = [];
  let next = 600;
  for (let i = 0; i < spec.nLayers; i++) {
    for (const norm of ['attn_norm', 'ffn_norm'])
      inits.push(
        initializer(
          `model.layers.${i}.${norm}.weight`,
          [spec.dim],
          w(`blk.${i}.${norm}.weight`).data,
        ),
      );
    for (const [module, gguf] of LINEAR) {
      const { dims, data } = w(`blk.${i}.${gguf}.weight`);
      const [n, k] = dims as [number, number];
      const t = new Float32Array(n * k); // [K, N]: MatMul(x, W)
      for (let r = 0; r < n; r++)
        for (let c = 0; c < k; c++) t[c * n + r] = data[r * k + c] as number;
      const name = `onnx::MatMul_${next++}`;
      inits.push(initializer(name, [k, n], t));
      const scope = `/model/${module}${i === 0 ? '' : `_${i}`}`;
      nodes.push({
        opType: 'MatMul',
        name: `${scope}/MatMul`,
        input: [`${scope}/input`, name],
        output: [`${scope}/MatMul_output_0`],
      });
    }
  }
  inits.push(initializer('model.norm.weight', [spec.dim], w('output_norm.weight').data));
  nodes.push({
    opType: 'Gemm',
    name: 'lm_head_tied',
    input: ['/model/Reshape_26_output_0', 'model.embed.weight'],
    output: ['/model/MatMul_10_output_0'],
  });
  const model = onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'main_graph', node: nodes, initializer: inits },
  }).finish();
  writeFileSync(join(dir, 'model.onnx'), model);
  writeCommon(dir);
  return dir;
}
