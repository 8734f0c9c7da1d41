// qwen2 (Q/K/V bias, tied head) and starcoder2 (LayerNorm with bias, GELU-tanh MLP, biases everywhere,
// separate head) graphs against a float64 reference forward pass, on a nonempty cache.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  buildDecoderGraph,
  dequantize,
  writeDecoderModel,
  type DecoderGraphOptions,
} from '../../../src/model/graph/decoder-graph';
import type { DecoderSpec, FloatWeight, Weight } from '../../../src/model/graph/decoder-spec';
import { maxAbsDiff } from '../../../src/model/golden';
import { OnnxModel } from '../../../src/model/onnx-backend';
import { tempDir } from '../../temp-dir';
import { tokenizerJsonOf } from '../../../src/model/tokenizers/tokenizer-json';
import { tinyVocab } from '../v2-folder';
import { randomInputs, runContract } from './contract-run';
import { randomWeights, smallSpec } from './random-weights';
import { quantize4, quantize8 } from './quantize';
import { referenceForward } from './reference-forward';

/** A folder the engine loads: the built graph, a contract-2 card with the spec's shape, a tokenizer. */
async function modelFolder(
  spec: DecoderSpec,
  weights: Map<string, Weight>,
  dir: string,
  options: DecoderGraphOptions = {},
): Promise<string> {
  await writeDecoderModel(dir, buildDecoderGraph(spec, { get: (n) => weights.get(n) }, options));
  const config = {
    vocab_size: spec.vocabSize,
    dim: spec.dim,
    n_layers: spec.nLayers,
    n_heads: spec.nHeads,
    n_kv_heads: spec.nKvHeads,
    head_dim: spec.headDim,
    ffn_dim: spec.ffnDim,
    rope_theta: 10000,
    train_len: 256,
    norm_eps: spec.normEps,
    tie_embeddings: spec.tiedEmbeddings,
  };
  writeFileSync(
    join(dir, 'model-card.json'),
    JSON.stringify({ name: 'graph-test', contract: 2, config, parameters: 1 }),
  );
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJsonOf(tinyVocab())));
  return dir;
}

for (const arch of ['qwen2', 'starcoder2', 'llama', 'gemma'] as const) {
  test(`${arch}: logits and presents equal a float64 reference within 1e-4`, async (t) => {
    const spec = smallSpec(arch);
    const weights = randomWeights(spec, 3);
    const model = await OnnxModel.load(
      await modelFolder(spec, weights, tempDir(`ropewalk-graph-${arch}-`, t)),
    );
    try {
      for (const [s, p] of [
        [4, 3],
        [1, 6],
        [3, 0],
      ] as const) {
        const x = randomInputs(spec, s, p, 11 * s + p);
        const [got, want] = [await runContract(model, x), referenceForward(spec, weights, x)];
        const d = maxAbsDiff(got.logits, want.logits);
        assert.ok(d <= 1e-4, `S=${s} P=${p}: max |graph − reference| logits ${d}`);
        for (let i = 0; i < spec.nLayers; i++) {
          const dk = maxAbsDiff(
            got.presentKeys[i] as Float32Array,
            want.presentKeys[i] as Float32Array,
          );
          const dv = maxAbsDiff(
            got.presentValues[i] as Float32Array,
            want.presentValues[i] as Float32Array,
          );
          assert.ok(dk <= 1e-4 && dv <= 1e-4, `S=${s} P=${p} layer ${i}: keys ${dk}, values ${dv}`);
        }
      }
    } finally {
      await model.dispose();
    }
  });
}

test('4-bit (zero points) and 8-bit MatMulNBits weights, and a 4-bit tied table (GatherBlockQuantized), read as their dequantized floats', async (t) => {
  const spec = { ...smallSpec('qwen2'), vocabSize: 64 };
  const floats = randomWeights(spec, 9);
  const packed = new Map<string, Weight>(floats);
  const expanded = new Map<string, FloatWeight>(floats);
  for (const [name, w] of floats) {
    if (w.dims.length !== 2) continue;
    const q = /ffn|token_embd/.test(name) ? quantize4(w, 16) : quantize8(w, 16);
    packed.set(name, q);
    expanded.set(name, { kind: 'float', dims: w.dims, data: dequantize(q) });
  }
  // accuracy_level 1 computes in float: the graph must then equal the dequantized weights exactly.
  const dir = await modelFolder(spec, packed, tempDir('ropewalk-graph-nbits-', t), {
    accuracyLevel: 1,
  });
  const model = await OnnxModel.load(dir);
  try {
    const x = randomInputs(spec, 3, 4, 2);
    const [got, want] = [await runContract(model, x), referenceForward(spec, expanded, x)];
    const d = maxAbsDiff(got.logits, want.logits);
    assert.ok(d <= 1e-4, `max |graph − dequantized reference| = ${d}`);
  } finally {
    await model.dispose();
  }
});
