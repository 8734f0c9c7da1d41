// A GGUF file → a model folder the engine loads like its own: the contract-v3 graphs built from the
// file's weights (kept quantized where onnxruntime can), one per KV cache type over one weights file, a
// model card, and the vocabulary. Built once per file into the model cache; the user's file is only read.

import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildDecoderGraph, writeDecoderModel, type DecoderGraph } from '../graph/decoder-graph';
import { CorruptModelError } from '../errors';
import { readGguf } from '../gguf/gguf-file';
import { KV_TYPES } from '../kv-type';
import { GGUF_CARD_KEY, type ModelCard } from '../model-card';
import { ModelCache, sourceIdentity } from '../model-cache';
import { GgufTokenizer } from '../tokenizers/gguf-tokenizer';
import { vocabFromMetadata } from '../tokenizers/gguf-vocab';
import { shapeFromGguf } from './architecture';
import { ggufWeights } from './gguf-weights';
import { metaNumber, metaString, plainMetadata } from './gguf-metadata';

export interface ImportOptions {
  cache?: ModelCache;
  log?: (line: string) => void;
  /** MatMulNBits' accuracy_level: 4 computes with int8 activations (llama.cpp's Q8 dot products), 80× faster decoding than 1 on a CPU. */
  accuracyLevel?: number;
}

/**
 * Whether `path` is a GGUF file, by its first four bytes: ollama keeps models as `blobs/sha256-…` with
 * no extension, so the name cannot tell.
 */
export function isGgufPath(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    const fd = openSync(path, 'r');
    try {
      const magic = Buffer.alloc(4);
      return readSync(fd, magic, 0, 4, 0) === 4 && magic.toString('latin1') === 'GGUF';
    } finally {
      closeSync(fd);
    }
  } catch {
    return false; // missing or unreadable: the folder loader says what is wrong
  }
}

/** The folder of the model built from `path`, building it first when the cache has none. */
export async function importGguf(path: string, options: ImportOptions = {}): Promise<string> {
  const cache = options.cache ?? new ModelCache();
  const id = sourceIdentity(path);
  const hit = cache.lookup(id);
  if (hit) return hit;
  const t0 = performance.now();
  const dir = await cache.store(id, (into) => buildFolder(path, into, options));
  options.log?.(
    `built ${basename(path)} into ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return dir;
}

async function buildFolder(path: string, dir: string, options: ImportOptions): Promise<void> {
  const file = await readGguf(path);
  const meta = plainMetadata(file);
  const { spec, defaultRope } = shapeFromGguf(file, meta);
  const vocab = vocabFromMetadata(meta);
  // A vocabulary the tokenizer cannot read (an unknown pre-tokenizer, say) is refused before the graph is built.
  const tok = new GgufTokenizer(vocab);
  const weights = ggufWeights(file, spec);
  // Both KV variants from the same weights (read once: ggufWeights keeps what it made), so that the
  // KV type is chosen at load time without a rebuild.
  const [fp32, ...rest] = KV_TYPES.map((kvType) =>
    buildDecoderGraph(spec, weights, { accuracyLevel: options.accuracyLevel ?? 4, kvType }),
  );
  await writeDecoderModel(dir, fp32 as DecoderGraph, ...rest);
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab));
  const ends = [vocab.eosId, metaNumber(meta, 'tokenizer.ggml.eot_token_id')].filter(
    (x): x is number => x !== undefined,
  );
  const built: ModelCard = {
    name: metaString(meta, 'general.name') ?? basename(path).replace(/\.gguf$/i, ''),
    contract: 3,
    kvTypes: [...KV_TYPES],
    config: {
      vocab_size: spec.vocabSize,
      dim: spec.dim,
      n_layers: spec.nLayers,
      n_heads: spec.nHeads,
      n_kv_heads: spec.nKvHeads,
      ffn_dim: spec.ffnDim,
      rope_theta: spec.ropeTheta ?? 10000,
      train_len: spec.trainLength ?? 4096,
      head_dim: spec.headDim,
      architecture: spec.architecture,
    },
    parameters: file.tensors.reduce((a, t) => a + t.dims.reduce((x, y) => x * y, 1), 0),
    trainLength: spec.trainLength ?? 4096,
    tokensSeen: 0,
    heldoutLoss: null,
    specialTokens: tok.special,
    defaultRope,
    stopTokens: [...new Set(ends)],
    source: {
      gguf: path,
      architecture: spec.architecture,
      fileType: fileTypeName(meta),
      weightTypes: weights.summary.types,
    },
  };
  const card = withOwnCard(built, meta, path);
  writeFileSync(join(dir, 'model-card.json'), JSON.stringify(card, null, 1) + '\n');
  options.log?.(
    `${card.name}: ${spec.architecture}, ${(card.parameters / 1e6).toFixed(1)}M parameters, weights ${Object.entries(
      weights.summary.types,
    )
      .map(([k, v]) => `${k}×${v}`)
      .join(
        ' ',
      )}; ${weights.summary.packed} matrices kept quantized, ${weights.summary.requantized} requantized to 8 bits, ${weights.summary.dequantized} as float`,
  );
}

/**
 * A Ropewalk model's GGUF carries its card as ropewalk.card (gguf-export/export-gguf.ts): what GGUF has no
 * key for (FIM formats, tokens seen, held-out loss, the default RoPE method). It overlays the card built
 * from the standard keys, which stay authoritative for the shape the graph was built from.
 */
function withOwnCard(
  built: ModelCard,
  meta: Readonly<Record<string, unknown>>,
  path: string,
): ModelCard {
  const text = metaString(meta, GGUF_CARD_KEY);
  if (text === undefined) return built;
  let own: ModelCard;
  try {
    own = JSON.parse(text) as ModelCard;
  } catch (cause) {
    throw new CorruptModelError(path, `${GGUF_CARD_KEY} is not valid JSON`, { cause });
  }
  if (typeof own !== 'object' || own === null || Array.isArray(own))
    throw new CorruptModelError(path, `${GGUF_CARD_KEY} is not a JSON object`);
  return {
    ...built,
    ...own,
    contract: built.contract,
    config: { ...own.config, ...built.config },
    parameters: built.parameters,
    specialTokens: built.specialTokens,
    stopTokens: built.stopTokens,
    source: built.source,
  };
}

/** llama.cpp's general.file_type numbers for the common files (what "Q4_K_M" means to a user). */
const FILE_TYPES: Record<number, string> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  12: 'Q3_K_M',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  32: 'BF16',
};

export function fileTypeName(meta: Readonly<Record<string, unknown>>): string | undefined {
  const t = metaNumber(meta, 'general.file_type');
  return t === undefined ? undefined : (FILE_TYPES[t] ?? `file type ${t}`);
}
