// What a GGUF model is, from its header alone (metadata and tensor shapes; no tensor data is read):
// name, family, whether Ropewalk runs it, size, quantization, context and RoPE, fill-in-the-middle tokens,
// base or instruct, and what its weights and KV cache would take in Ropewalk's engine.

import { DECODER_ARCHITECTURES } from '../graph/decoder-spec';
import { DEQUANTIZABLE, ggmlType } from '../gguf/ggml-types';
import { readGguf, type GgufFile, type GgufTensorInfo } from '../gguf/gguf-file';
import { shapeFromGguf } from '../gguf-import/architecture';
import { metaNumber, metaString, plainMetadata } from '../gguf-import/gguf-metadata';
import { fileTypeName } from '../gguf-import/import-gguf';
import type { RopeMethod } from '../rope';
import { preTokenizerFor } from '../tokenizers/pre-tokenizers';

export type ModelKind = 'base' | 'instruct' | 'unknown';

export interface ModelFacts {
  /** `general.name`, else the store's name for it. */
  name: string;
  /** `general.architecture`. */
  architecture?: string;
  /** Qwen2.5-Coder, DeepSeek-Coder, CodeLlama, StarCoder2, CodeGemma, or the architecture. */
  family: string;
  /** Why Ropewalk cannot run it (architecture, weight type, tokenizer, split file); absent when it can. */
  unsupported?: string;
  /** Weights counted from the tensor shapes. */
  parameters: number;
  /** `general.file_type` as llama.cpp names it (Q4_K_M), else the commonest matrix type. */
  quantization: string;
  /** ggml type name → tensors of that type. */
  tensorTypes: Record<string, number>;
  /** Bytes on disk (all shards of a split set). */
  fileBytes: number;
  /** `ARCH.context_length`: the positions the model was trained or released for. */
  contextLength?: number;
  /** `ARCH.rope.*` as the file has them. */
  rope: { freqBase?: number; scalingType?: string; factor?: number; originalContext?: number };
  /** The model's own scaling as the loader reads it (DeepSeek-Coder's linear ×4); none when unscaled. */
  ownRope: { method: RopeMethod; factor?: number };
  /** Fill-in-the-middle tokens, from the fim_*_token_id keys or found by name in the vocabulary. */
  fim?: { prefix: string; suffix: string; middle: string; from: 'metadata' | 'vocabulary' };
  kind: ModelKind;
  /** What said base or instruct (`general.finetune = "Instruct"`, the name, a chat template), or that nothing did. */
  kindEvidence: string;
  /** The KV cache's shape; absent where the architecture is not one Ropewalk runs. */
  kv?: { nLayers: number; nKvHeads: number; headDim: number };
  /** Bytes of weights as Ropewalk's engine would hold them (engineWeightBytes). */
  weightsBytes: number;
}

/** Words that mark a fine-tune for chat (codegemma-7b-**it**, …-**Instruct**); `base` marks a base model. */
const INSTRUCT_WORDS = new Set(['instruct', 'chat', 'it', 'sft', 'dpo', 'rlhf', 'assistant']);

function kindFromText(text: string | undefined): ModelKind | undefined {
  if (!text) return undefined;
  const words = text.toLowerCase().split(/[^a-z0-9]+/);
  if (words.some((w) => INSTRUCT_WORDS.has(w))) return 'instruct';
  return words.includes('base') ? 'base' : undefined;
}

interface FamilyRule {
  family: string;
  architecture: string;
  /** Matched against `general.name`, the store's label and `tokenizer.ggml.pre`; absent: any. */
  name?: RegExp;
  /** The base release ships a chat template too (Qwen2.5's base tokenizer_config.json has one), so a template proves nothing. */
  baseHasChatTemplate?: boolean;
}

/** First match wins; the code models of the research notes, then their general-purpose siblings. */
const FAMILIES: readonly FamilyRule[] = [
  { family: 'Qwen2.5-Coder', architecture: 'qwen2', name: /coder/i, baseHasChatTemplate: true },
  { family: 'Qwen2', architecture: 'qwen2', baseHasChatTemplate: true },
  { family: 'StarCoder2', architecture: 'starcoder2' },
  { family: 'DeepSeek-Coder', architecture: 'llama', name: /deepseek/i },
  { family: 'CodeLlama', architecture: 'llama', name: /code.?llama/i },
  { family: 'CodeGemma', architecture: 'gemma', name: /code/i },
];

function familyOf(architecture: string | undefined, names: string): FamilyRule | undefined {
  return FAMILIES.find(
    (f) => f.architecture === architecture && (f.name === undefined || f.name.test(names)),
  );
}

/** `Qwen2.5-Coder` for a qwen2 file named …Coder…: the family, else the architecture. */
export function familyName(architecture: string | undefined, names: string): string {
  return familyOf(architecture, names)?.family ?? architecture ?? 'unknown';
}

/**
 * FIM marker spellings by family (Qwen, StarCoder, DeepSeek-Coder's fullwidth bars, Code Llama,
 * CodeGemma): enough to say whether a file can fill in the middle before it is loaded. The prompt
 * templates (src/packing/templates/) hold the same markers with their layouts; model/ does not import
 * packing/, so the listing keeps its own short copy.
 */
const FIM_NAMES: Record<'prefix' | 'suffix' | 'middle', readonly string[]> = {
  prefix: ['<|fim_prefix|>', '<fim_prefix>', '<｜fim▁begin｜>', '▁<PRE>', '<PRE>'],
  suffix: ['<|fim_suffix|>', '<fim_suffix>', '<｜fim▁hole｜>', '▁<SUF>', '<SUF>'],
  middle: ['<|fim_middle|>', '<fim_middle>', '<｜fim▁end｜>', '▁<MID>', '<MID>'],
};

/** Whether a vocabulary's special tokens include a FIM prefix, suffix and middle marker. */
export function hasFimTokens(special: Readonly<Record<string, number>>): boolean {
  return (['prefix', 'suffix', 'middle'] as const).every((role) =>
    FIM_NAMES[role].some((n) => n in special),
  );
}

/** Base or instruct, and what said so: the fine-tune key, then the names, then a chat template. */
function kindOf(
  meta: Readonly<Record<string, unknown>>,
  label: string | undefined,
  rule: FamilyRule | undefined,
): { kind: ModelKind; kindEvidence: string } {
  const finetune = metaString(meta, 'general.finetune');
  const name = metaString(meta, 'general.name');
  // Only the last part of a store's label names the model (a folder called `it/` says nothing).
  const own = label?.split('/').slice(-2).join('/');
  const said: Array<[string | undefined, string]> = [
    [finetune, `general.finetune = ${JSON.stringify(finetune)}`],
    [name, `its name ${JSON.stringify(name)}`],
    [own, `its store name ${JSON.stringify(own)}`],
  ];
  for (const [text, evidence] of said) {
    const kind = kindFromText(text);
    if (kind) return { kind, kindEvidence: evidence };
  }
  if (typeof meta['tokenizer.chat_template'] === 'string') {
    if (rule?.baseHasChatTemplate)
      return {
        kind: 'unknown',
        kindEvidence: `a chat template, which ${rule.family} base models have too`,
      };
    return { kind: 'instruct', kindEvidence: 'a chat template (tokenizer.chat_template)' };
  }
  return { kind: 'base', kindEvidence: 'no chat template and no instruct name' };
}

function fimOf(meta: Readonly<Record<string, unknown>>): ModelFacts['fim'] {
  const tokens = meta['tokenizer.ggml.tokens'];
  const vocab = Array.isArray(tokens) ? (tokens as unknown[]) : [];
  const byId = (key: string) => {
    // fim_*_token_id since llama.cpp's 2024 converters; prefix/suffix/middle_token_id before them.
    const id = metaNumber(meta, `tokenizer.ggml.${key}`);
    const text = id === undefined ? undefined : vocab[id];
    return typeof text === 'string' ? text : undefined;
  };
  const ids = [
    byId('fim_pre_token_id') ?? byId('prefix_token_id'),
    byId('fim_suf_token_id') ?? byId('suffix_token_id'),
    byId('fim_mid_token_id') ?? byId('middle_token_id'),
  ];
  if (ids.every((t) => t !== undefined))
    return { prefix: ids[0]!, suffix: ids[1]!, middle: ids[2]!, from: 'metadata' };
  const present = new Set(vocab.filter((t) => typeof t === 'string' && t.length < 24));
  const named = (role: 'prefix' | 'suffix' | 'middle') =>
    FIM_NAMES[role].find((n) => present.has(n));
  const [prefix, suffix, middle] = [named('prefix'), named('suffix'), named('middle')];
  return prefix && suffix && middle ? { prefix, suffix, middle, from: 'vocabulary' } : undefined;
}

const elements = (t: GgufTensorInfo) => t.dims.reduce((a, b) => a * b, 1);

/**
 * Bytes a tensor takes in the graph gguf-weights.ts builds: vectors and F32/F16/BF16 matrices as fp32;
 * Q4_0 as 4-bit blocks of 32 with a float scale each, Q4_K with a float offset too (but an embedding
 * table as 8 bits); Q6_K as 8-bit blocks of 16; Q8_0, Q5_0 as 8-bit blocks of 32, and the types
 * without an exact fast form (Q4_1, Q5_1, Q5_K) requantized to them.
 */
export function engineWeightBytes(tensors: readonly GgufTensorInfo[]): number {
  let total = 0;
  for (const t of tensors) {
    const n = elements(t);
    const type = ggmlType(t.type)?.name;
    if (t.dims.length < 2 || type === 'F32' || type === 'F16' || type === 'BF16') total += 4 * n;
    else if (type === 'Q4_0') total += n / 2 + (n / 32) * 4;
    // Q4_K: 4-bit blocks of 32 with a float scale and offset each (the embedding table: 8-bit blocks).
    else if (type === 'Q4_K' && t.name !== 'token_embd.weight') total += n / 2 + (n / 32) * 8;
    else if (type === 'Q6_K') total += n + (n / 16) * 4;
    else total += n + (n / 32) * 4;
  }
  return Math.round(total);
}

function commonestMatrixType(tensors: readonly GgufTensorInfo[]): string {
  const count = new Map<string, number>();
  for (const t of tensors.filter((x) => x.dims.length >= 2)) {
    const name = ggmlType(t.type)?.name ?? `type ${t.type}`;
    count.set(name, (count.get(name) ?? 0) + elements(t));
  }
  return [...count.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'none';
}

/** Why the loader would refuse it, or undefined: each check is the one the import path makes. */
function unsupportedReason(
  file: GgufFile,
  meta: Readonly<Record<string, unknown>>,
  tensors: readonly GgufTensorInfo[],
  shardCount: number,
): string | undefined {
  const architecture = metaString(meta, 'general.architecture');
  if (!(DECODER_ARCHITECTURES as readonly (string | undefined)[]).includes(architecture))
    return `architecture ${architecture ?? '(none given)'} is not one Ropewalk runs (it runs ${DECODER_ARCHITECTURES.join(', ')})`;
  if (shardCount > 1)
    return `split into ${shardCount} files, and Ropewalk reads single-file GGUF: merge them with llama.cpp's \`llama-gguf-split --merge FIRST-SHARD.gguf OUT.gguf\``;
  const readable = new Set<string>(DEQUANTIZABLE);
  const odd = [...new Set(tensors.map((t) => ggmlType(t.type)?.name ?? `ggml type ${t.type}`))]
    .filter((n) => !readable.has(n))
    .sort();
  if (odd.length > 0)
    return `weights of type ${odd.join(', ')} are not read by Ropewalk (it reads ${DEQUANTIZABLE.join(', ')})`;
  const model = metaString(meta, 'tokenizer.ggml.model');
  if (model !== 'gpt2' && model !== 'llama')
    return `its tokenizer (${model ?? 'none given'}) is not one Ropewalk implements (gpt2, llama)`;
  if (model === 'gpt2') {
    try {
      preTokenizerFor(metaString(meta, 'tokenizer.ggml.pre'));
    } catch (error) {
      return `its tokenizer: ${(error as Error).message}`;
    }
  }
  try {
    shapeFromGguf(file, meta);
  } catch (error) {
    return (error as Error).message.replace(`${file.path}: `, '');
  }
  return undefined;
}

export interface DescribeOptions {
  /** The store's name for the model, used when the file names none and as base/instruct evidence. */
  label?: string;
  /** Every shard of a split set, in order; the first is `path`. */
  shards?: readonly string[];
  /** How many shards the names say (more than `shards` when some are missing). */
  shardCount?: number;
}

/**
 * The facts of the GGUF at `path`, from its header (and each shard's, for parameters and size).
 * Throws GgufFormatError for a file that is not a readable GGUF (corrupt, truncated), or the file
 * system's error: discovery turns both into a listed reason.
 */
export async function describeGguf(
  path: string,
  options: DescribeOptions = {},
): Promise<ModelFacts> {
  const file = await readGguf(path);
  const rest = [];
  for (const shard of (options.shards ?? []).filter((p) => p !== path))
    rest.push(await readGguf(shard));
  const tensors = [file, ...rest].flatMap((f) => f.tensors);
  const meta = plainMetadata(file);
  const architecture = metaString(meta, 'general.architecture');
  const name = metaString(meta, 'general.name') ?? options.label ?? path;
  const rule = familyOf(
    architecture,
    [name, options.label ?? '', metaString(meta, 'tokenizer.ggml.pre') ?? ''].join(' '),
  );
  const shardCount = Math.max(
    options.shardCount ?? 1,
    metaNumber(meta, 'split.count') ?? 1,
    options.shards?.length ?? 1,
  );
  const unsupported = unsupportedReason(file, meta, tensors, shardCount);
  const at = (key: string) =>
    architecture ? metaNumber(meta, `${architecture}.${key}`) : undefined;
  let kv: ModelFacts['kv'];
  let ownRope: ModelFacts['ownRope'] = { method: 'none' };
  if (!unsupported) {
    const { spec, defaultRope } = shapeFromGguf(file, meta);
    kv = { nLayers: spec.nLayers, nKvHeads: spec.nKvHeads, headDim: spec.headDim };
    ownRope = defaultRope;
  }
  const tensorTypes: Record<string, number> = {};
  for (const t of tensors) {
    const type = ggmlType(t.type)?.name ?? `type ${t.type}`;
    tensorTypes[type] = (tensorTypes[type] ?? 0) + 1;
  }
  const rope: ModelFacts['rope'] = {};
  const set = <K extends keyof ModelFacts['rope']>(k: K, v: ModelFacts['rope'][K] | undefined) => {
    if (v !== undefined) rope[k] = v;
  };
  set('freqBase', at('rope.freq_base'));
  set(
    'scalingType',
    architecture ? metaString(meta, `${architecture}.rope.scaling.type`) : undefined,
  );
  set('factor', at('rope.scaling.factor'));
  set('originalContext', at('rope.scaling.original_context_length'));
  const contextLength = at('context_length');
  const fim = fimOf(meta);
  return {
    name,
    ...(architecture !== undefined && { architecture }),
    family: rule?.family ?? architecture ?? 'unknown',
    ...(unsupported !== undefined && { unsupported }),
    parameters: tensors.reduce((a, t) => a + elements(t), 0),
    quantization: fileTypeName(meta) ?? commonestMatrixType(tensors),
    tensorTypes,
    fileBytes: [file, ...rest].reduce((a, f) => a + f.fileSize, 0),
    ...(contextLength !== undefined && { contextLength }),
    rope,
    ownRope,
    ...(fim && { fim }),
    ...kindOf(meta, options.label, rule),
    ...(kv && { kv }),
    weightsBytes: engineWeightBytes(tensors),
  };
}
