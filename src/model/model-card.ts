// Reads and validates model-card.json: the facts about a model that the runtime depends on.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptModelError, ModelNotFoundError } from './errors';
import type { QuantizedGoldenTolerance } from './golden-tolerance';
import { isKvType, KV_GRAPH_FILES, KV_TYPES, type KvType } from './kv-type';
import { isRopeMethod, type RopeMethod } from './rope';

/**
 * The contract of Ropewalk's exported models; 3 is a graph built from a GGUF file (same inputs and
 * outputs; besides the float32-KV graph, one whose cache inputs and outputs are float16).
 */
export const CONTRACT_VERSION = 2;
export const CONTRACT_VERSIONS: readonly number[] = [2, 3];

/**
 * The GGUF metadata key holding a Ropewalk model's card as JSON text: what GGUF has no key for (FIM
 * formats, training facts, the default RoPE method). Written by gguf-export, read by gguf-import.
 */
export const GGUF_CARD_KEY = 'ropewalk.card';

export interface ModelConfig {
  vocab_size: number;
  dim: number;
  n_layers: number;
  n_heads: number;
  n_kv_heads: number;
  ffn_dim: number;
  rope_theta: number;
  train_len: number;
  /** Given when it is not dim / n_heads. */
  head_dim?: number;
  architecture?: string;
  /** RMSNorm epsilon and whether the output head is the embedding (Ropewalk's own models' cards). */
  norm_eps?: number;
  tie_embeddings?: boolean;
}

export interface ModelCard {
  name: string;
  contract: number;
  /** The KV cache types the folder has a graph for (KV_GRAPH_FILES); absent: float32 alone (contract 2). */
  kvTypes?: KvType[];
  config: ModelConfig;
  parameters: number;
  trainLength: number;
  tokensSeen: number;
  heldoutLoss: number | null;
  specialTokens: Record<string, number>;
  defaultRope: { method: RopeMethod; factor?: number };
  license?: string;
  /** Ids that end generation besides `<|endoftext|>` (a GGUF model's eos/eot tokens). */
  stopTokens?: number[];
  /**
   * How near its golden cases a model with quantized weights must come (written by a quantizing
   * `export-gguf`); float weights are held to golden.json's absolute tolerance.
   */
  goldenTolerance?: QuantizedGoldenTolerance;
  /** Where an imported model came from and what its weights are. */
  source?: {
    gguf: string;
    architecture: string;
    fileType?: string;
    weightTypes: Record<string, number>;
  };
}

export interface ModelFiles {
  dir: string;
  /** The float32-KV graph (every model has one); its external data, if any, is `${onnx}.data`. */
  onnx: string;
  /** The graph per KV type the model offers; float16 shares the float32 graph's weights file. */
  kvGraphs: Partial<Record<KvType, string>>;
  /** tokenizer.json (a contract-2 folder) or vocab.json (a GGUF file's vocabulary, saved by the import). */
  tokenizer: string;
  card: ModelCard;
  /**
   * The folder whose golden.json the model replays when checked: the model's own folder, or for a model
   * built from a folder's model.gguf, that folder (the cache holds only what was built). Absent: none.
   */
  goldenDir?: string;
}

/** Bytes of a model's weights on disk: the float32-KV graph and, for a built model, its external data (which the fp16-KV graph shares). */
export function weightsOnDisk(files: Pick<ModelFiles, 'onnx'>): number {
  const data = `${files.onnx}.data`;
  return statSync(files.onnx).size + (existsSync(data) ? statSync(data).size : 0);
}

export function headDim(config: ModelConfig): number {
  return config.head_dim ?? config.dim / config.n_heads;
}

const REQUIRED_CONFIG: (keyof ModelConfig)[] = [
  'vocab_size',
  'dim',
  'n_layers',
  'n_heads',
  'n_kv_heads',
  'rope_theta',
  'train_len',
];

/** Locates a model folder's files and validates its card; throws ModelNotFoundError or CorruptModelError. */
export function readModelFiles(dir: string): ModelFiles {
  const onnx = join(dir, 'model.onnx');
  const tokenizer = [join(dir, 'tokenizer.json'), join(dir, 'vocab.json')].find((p) =>
    existsSync(p),
  );
  const cardPath = join(dir, 'model-card.json');
  if (!existsSync(onnx) || !existsSync(cardPath)) throw new ModelNotFoundError(dir);
  if (!tokenizer) throw new CorruptModelError(dir, 'tokenizer.json is missing');
  let card: ModelCard;
  try {
    card = JSON.parse(readFileSync(cardPath, 'utf8')) as ModelCard;
  } catch (cause) {
    throw new CorruptModelError(dir, 'model-card.json is not valid JSON', { cause });
  }
  if (!CONTRACT_VERSIONS.includes(card.contract)) {
    throw new CorruptModelError(
      dir,
      `contract version ${String(card.contract)}, this Ropewalk reads ${CONTRACT_VERSIONS.join(' and ')}`,
    );
  }
  for (const key of REQUIRED_CONFIG) {
    const value = card.config?.[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new CorruptModelError(
        dir,
        `model-card.json config.${key} is missing or not a positive number`,
      );
    }
  }
  if (
    card.config.dim % card.config.n_heads !== 0 ||
    card.config.n_heads % card.config.n_kv_heads !== 0
  ) {
    throw new CorruptModelError(dir, 'heads do not divide the model dimension or the kv heads');
  }
  // The card's RoPE default reaches the engine by name: an unknown one is a broken card, said now.
  card.defaultRope ??= { method: 'none' };
  if (!isRopeMethod(card.defaultRope.method)) {
    throw new CorruptModelError(
      dir,
      `model-card.json defaultRope.method ${JSON.stringify(card.defaultRope.method)} is not a RoPE method Ropewalk knows`,
    );
  }
  const goldenDir = existsSync(join(dir, 'golden.json')) ? dir : undefined;
  return {
    dir,
    onnx,
    tokenizer,
    card,
    kvGraphs: kvGraphs(dir, card),
    ...(goldenDir ? { goldenDir } : {}),
  };
}
/** The graph file of each KV type the card declares, checked to be there and known. */
function kvGraphs(dir: string, card: ModelCard): Partial<Record<KvType, string>> {
  const types = card.kvTypes ?? ['float32'];
  if (!Array.isArray(types) || !types.every(isKvType) || !types.includes('float32'))
    throw new CorruptModelError(
      dir,
      `model-card.json kvTypes ${JSON.stringify(types)} must list float32 and may add ${KV_TYPES.filter((t) => t !== 'float32').join(', ')}`,
    );
  const graphs: Partial<Record<KvType, string>> = {};
  for (const type of types) {
    const path = join(dir, KV_GRAPH_FILES[type]);
    if (!existsSync(path))
      throw new CorruptModelError(
        dir,
        `${KV_GRAPH_FILES[type]} (the ${type}-KV graph the card lists) is missing`,
      );
    graphs[type] = path;
  }
  return graphs;
}
