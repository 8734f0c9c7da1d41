// Test helper: small GGUF files shaped like the code models users hold (real metadata keys, tiny
// tensors), written at test time with Ropewalk's GGUF writer, and store trees laid out as each tool does.

import { mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { GGML_TYPES, ggmlByteLength } from '../../../src/model/gguf/ggml-types';
import { writeGguf } from '../../../src/model/gguf/gguf-writer';
import type { GgufValue } from '../../../src/model/gguf/gguf-values';

export interface ModelFileOptions {
  architecture?: string;
  name?: string;
  finetune?: string;
  chatTemplate?: boolean;
  /** FIM tokens in the vocabulary (Qwen spelling); with `fimIds`, the fim_*_token_id keys too. */
  fim?: boolean;
  fimIds?: boolean;
  contextLength?: number;
  ropeScaling?: { type: string; factor: number; originalContext?: number };
  /** ggml type of the matrices (Q8_0 by default). */
  matrixType?: keyof typeof GGML_TYPES;
  pre?: string;
  extra?: Array<[string, GgufValue]>;
}

const DIM = 32;
const VOCAB = 8;

/** A model file of 2 matrices: token_embd [32 × 8] and one attention matrix [32 × 32]. */
export function writeModelFile(path: string, o: ModelFileOptions = {}): string {
  const arch = o.architecture ?? 'qwen2';
  const tokens = ['a', 'b', 'c', 'd', '<|endoftext|>'];
  if (o.fim) tokens.push('<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>');
  while (tokens.length < VOCAB) tokens.push(`t${tokens.length}`);
  const u32 = (value: number): GgufValue => ({ type: 'u32', value });
  const metadata: Array<[string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: arch }],
    ...(o.name ? [['general.name', { type: 'string', value: o.name }] as [string, GgufValue]] : []),
    ...(o.finetune
      ? [['general.finetune', { type: 'string', value: o.finetune }] as [string, GgufValue]]
      : []),
    ['general.file_type', u32(o.matrixType === 'Q4_0' ? 2 : o.matrixType === 'F16' ? 1 : 7)],
    [`${arch}.context_length`, u32(o.contextLength ?? 32768)],
    [`${arch}.embedding_length`, u32(DIM)],
    [`${arch}.block_count`, u32(1)],
    [`${arch}.feed_forward_length`, u32(64)],
    [`${arch}.attention.head_count`, u32(4)],
    [`${arch}.attention.head_count_kv`, u32(2)],
    [`${arch}.rope.freq_base`, { type: 'f32', value: 1e6 }],
    ...(o.ropeScaling
      ? ([
          [`${arch}.rope.scaling.type`, { type: 'string', value: o.ropeScaling.type }],
          [`${arch}.rope.scaling.factor`, { type: 'f32', value: o.ropeScaling.factor }],
          ...(o.ropeScaling.originalContext
            ? [[`${arch}.rope.scaling.original_context_length`, u32(o.ropeScaling.originalContext)]]
            : []),
        ] as Array<[string, GgufValue]>)
      : []),
    ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
    ['tokenizer.ggml.pre', { type: 'string', value: o.pre ?? 'qwen2' }],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: tokens }],
    ...(o.fimIds
      ? ([
          ['tokenizer.ggml.fim_pre_token_id', u32(5)],
          ['tokenizer.ggml.fim_suf_token_id', u32(6)],
          ['tokenizer.ggml.fim_mid_token_id', u32(7)],
        ] as Array<[string, GgufValue]>)
      : []),
    ...(o.chatTemplate
      ? [
          [
            'tokenizer.chat_template',
            { type: 'string', value: '{% for m in messages %}{{ m.content }}{% endfor %}' },
          ] as [string, GgufValue],
        ]
      : []),
    ...(o.extra ?? []),
  ];
  const type = GGML_TYPES[o.matrixType ?? 'Q8_0'].id;
  const tensor = (name: string, dims: number[]) => ({
    name,
    dims,
    type,
    data: new Uint8Array(ggmlByteLength(type, dims[0]! * dims[1]!)),
  });
  mkdirSync(dirname(path), { recursive: true });
  writeGguf(path, {
    metadata,
    tensors: [tensor('token_embd.weight', [DIM, VOCAB]), tensor('blk.0.attn_q.weight', [DIM, DIM])],
  });
  return path;
}

/** Parameters of writeModelFile's tensors. */
export const MODEL_FILE_PARAMETERS = DIM * VOCAB + DIM * DIM;

/** An ollama store entry: the blob named by its digest, and a manifest at manifests/HOST/NS/MODEL/TAG. */
export function writeOllamaModel(
  store: string,
  name: string,
  tag: string,
  options: ModelFileOptions,
  where: { host?: string; namespace?: string } = {},
): string {
  const hex = Buffer.from(`${name}:${tag}`).toString('hex').padEnd(64, '0').slice(0, 64);
  const blob = writeModelFile(join(store, 'blobs', `sha256-${hex}`), options);
  const manifest = join(
    store,
    'manifests',
    where.host ?? 'registry.ollama.ai',
    where.namespace ?? 'library',
    name,
    tag,
  );
  mkdirSync(dirname(manifest), { recursive: true });
  writeFileSync(
    manifest,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        digest: `sha256:${'c'.repeat(64)}`,
        size: 10,
      },
      layers: [
        {
          mediaType: 'application/vnd.ollama.image.model',
          digest: `sha256:${hex}`,
          size: statSync(blob).size,
        },
        {
          mediaType: 'application/vnd.ollama.image.template',
          digest: `sha256:${'d'.repeat(64)}`,
          size: 10,
        },
      ],
    }),
  );
  return blob;
}

/** A hub-cache repository: the file as a blob, linked from snapshots/COMMIT/FILE, refs/main → COMMIT. */
export function writeHfModel(
  cache: string,
  repo: string,
  file: string,
  options: ModelFileOptions,
  commit = 'a'.repeat(40),
  ref: string | undefined = 'main',
): string {
  const repoDir = join(cache, `models--${repo.replace('/', '--')}`);
  const blob = writeModelFile(
    join(repoDir, 'blobs', `${commit.slice(0, 8)}${'e'.repeat(56)}`),
    options,
  );
  const link = join(repoDir, 'snapshots', commit, file);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(relative(dirname(link), blob), link);
  if (ref) {
    mkdirSync(join(repoDir, 'refs'), { recursive: true });
    writeFileSync(join(repoDir, 'refs', ref), commit);
  }
  return link;
}
