// Writes random-weight GGUF models of Qwen2.5-Coder's layout with Ropewalk's own GGUF writer, for the GPU
// verification (scripts/gpu/verify.mjs): small ones for provider parity, 0.5B/1.5B shapes for speed.
// Bundled by scripts/gpu/pack.sh (it imports test helpers: the random weights and the family vocabulary),
// because the GPU machine has Node but no esbuild. Usage: node random-gguf.js OUT_DIR NAME...
// NAME = qwen2-SHAPE-TYPE, SHAPE tiny | kq | 0.5b | 1.5b, TYPE f16 | q8_0 | q4_0 | q4_k; prints one JSON
// line per file written ({ name, path, bytes, ms }).

import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DecoderSpec, FloatWeight } from '../../src/model/graph/decoder-spec';
import { GGML_TYPES, quantize } from '../../src/model/gguf/ggml-types';
import type { GgufValue } from '../../src/model/gguf/gguf-values';
import { writeGguf, type GgufTensorToWrite } from '../../src/model/gguf/gguf-writer';
import { randomWeightEntries, shapeMetadata } from '../../test/model/graph/random-weights';
import { QWEN, wordsOf } from '../../test/packing/family-specs';
import { familyVocabMetadata } from '../../test/packing/family-vocab';

interface Shape {
  spec: DecoderSpec;
  /** Every layer the same random weights: only the shapes matter for speed, and writing is 28× faster. */
  shareLayers: boolean;
  /** The vocabulary at Qwen's real ids (151936 rows, as the released models pad it) or compacted. */
  fullVocab: boolean;
}

const qwen = (dim: number, nLayers: number, nHeads: number, headDim: number, ffnDim: number) => ({
  architecture: 'qwen2' as const,
  vocabSize: 0, // set from the vocabulary
  dim,
  nLayers,
  nHeads,
  nKvHeads: 2,
  headDim,
  ffnDim,
  normEps: 1e-6,
  tiedEmbeddings: true,
});

/** tiny and kq as test/fixtures/gguf-ref's (kq: every row a multiple of 256, so Q4_K applies); 0.5B/1.5B as Qwen2.5-Coder's. */
const SHAPES: Record<string, Shape> = {
  tiny: { spec: qwen(64, 2, 4, 16, 128), shareLayers: false, fullVocab: false },
  kq: { spec: qwen(256, 2, 4, 64, 256), shareLayers: false, fullVocab: false },
  '0.5b': { spec: qwen(896, 24, 14, 64, 4864), shareLayers: true, fullVocab: true },
  '1.5b': { spec: qwen(1536, 28, 12, 128, 8960), shareLayers: true, fullVocab: true },
};

const TYPES = { f16: 'F16', q8_0: 'Q8_0', q4_0: 'Q4_0', q4_k: 'Q4_K' } as const;

// Words for the vocabulary's merges: prompts over code become a few tokens a word, not one a byte.
const CODE = `export function complete(request, options) { const prompt = build(request.prefix, request.suffix);
return model.generate(prompt, { maxTokens: options.maxTokens, stop: options.stop }); }
def tokenize(text): return [vocab[piece] for piece in split(text) if piece in vocab]
class Cache: def __init__(self, size): self.size = size; self.entries = {}`;

/**
 * The ggml type of one tensor: vectors stay F32; matrices take the file's type where their rows allow it
 * (Q4_K needs rows of 256, as llama.cpp's quantizer falls back for 896-wide ones), else Q8_0; the
 * embedding table Q8_0 in a Q4_K file (llama.cpp's Q4_K_M gives it Q6_K, which this writer lacks).
 */
function tensorType(w: FloatWeight, name: string, type: keyof typeof TYPES): number {
  if (w.dims.length === 1) return GGML_TYPES.F32.id;
  const fileType = TYPES[type];
  if (fileType !== 'Q4_K') return GGML_TYPES[fileType].id;
  const rowsFit = (w.dims[1] as number) % 256 === 0 && name !== 'token_embd.weight';
  return rowsFit ? GGML_TYPES.Q4_K.id : GGML_TYPES.Q8_0.id;
}

function writeModel(dir: string, name: string): { path: string; bytes: number; ms: number } {
  const m = /^qwen2-(tiny|kq|0\.5b|1\.5b)-(f16|q8_0|q4_0|q4_k)$/.exec(name);
  if (!m) throw new Error(`${name}: expected qwen2-{tiny,kq,0.5b,1.5b}-{f16,q8_0,q4_0,q4_k}`);
  const t0 = performance.now();
  const shape = SHAPES[m[1] as string] as Shape;
  const type = m[2] as keyof typeof TYPES;
  const layout = shape.fullVocab ? { ...QWEN, size: 151936 } : QWEN;
  const vocab = familyVocabMetadata(
    `ropewalk-random-${name}`,
    { ...layout, words: wordsOf([CODE]) },
    { compact: !shape.fullVocab },
  ).filter(([k]) => k !== 'general.architecture');
  const tokens = vocab.find(([k]) => k === 'tokenizer.ggml.tokens')?.[1];
  const spec = { ...shape.spec, vocabSize: tokens?.type === 'array' ? tokens.value.length : 0 };
  const str = (value: string): GgufValue => ({ type: 'string', value });
  const metadata: Array<[string, GgufValue]> = [
    ['general.architecture', str('qwen2')],
    ['general.name', str(`ropewalk-random-${name}`)],
    ...shapeMetadata(spec, 32768, 1e6),
    ...vocab,
  ];
  // Shared layers hand out the same arrays again: quantize each once.
  const quantized = new Map<Float32Array, Uint8Array>();
  const tensors: GgufTensorToWrite[] = [];
  for (const [tensorName, w] of randomWeightEntries(spec, 1234, {
    shareLayers: shape.shareLayers,
  })) {
    // Logits with a standard deviation near 8, as test/fixtures/gguf-ref's: peaked enough that top-1
    // agreement between providers means something (the final norm's gain; the draws stay the same).
    if (tensorName === 'output_norm.weight') w.data.forEach((x, i) => (w.data[i] = x * 8));
    const ggmlType = tensorType(w, tensorName, type);
    let data = quantized.get(w.data);
    if (!data) {
      data = quantize(ggmlType, w.data);
      quantized.set(w.data, data);
    }
    // ggml order: the fastest-varying dimension first ([K, N] for an [N, K] matrix).
    tensors.push({ name: tensorName, dims: [...w.dims].reverse(), type: ggmlType, data });
  }
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.gguf`);
  writeGguf(path, { metadata, tensors });
  return { path, bytes: statSync(path).size, ms: performance.now() - t0 };
}

const [dir, ...names] = process.argv.slice(2);
if (!dir || names.length === 0) {
  console.error(
    'usage: node random-gguf.js OUT_DIR qwen2-{tiny,kq,0.5b,1.5b}-{f16,q8_0,q4_0,q4_k}...',
  );
  process.exit(2);
}
for (const name of names) console.log(JSON.stringify({ name, ...writeModel(dir, name) }));
