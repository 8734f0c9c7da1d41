// The only importer of onnxruntime-node: one session over a model that follows the contract in models/README.md.

import * as ort from 'onnxruntime-node';
import { ContractError, CorruptModelError } from './errors';
import { headDim, readModelFiles, type ModelCard, type ModelFiles } from './model-card';

/** Keys (unrotated) and values of every layer, each [1, kvHeads, length, headDim], row-major. */
export interface KvState {
  length: number;
  keys: Float32Array[];
  values: Float32Array[];
}

export interface ForwardCall {
  /** New tokens, in sequence order after the cache. */
  ids: ArrayLike<number>;
  /** cos/sin [S, headDim/2] for the new tokens' positions. */
  cosQ: Float32Array;
  sinQ: Float32Array;
  /** cos/sin [past + S, headDim/2] for every key: cached keys first, then the new ones. */
  cosK: Float32Array;
  sinK: Float32Array;
  /** Logit multiplier per layer and new token, [nLayers, S]; undefined means 1 everywhere. */
  attentionScale?: Float32Array;
  /** Indices into the new tokens whose logits are wanted. */
  logitsIndices: ArrayLike<number>;
  past?: KvState;
}

export interface ForwardResult {
  /** [logitsIndices.length, vocab] */
  logits: Float32Array;
  /** The cache extended by the new tokens. */
  present: KvState;
}

export interface SessionOptions {
  executionProviders?: string[];
  intraOpThreads?: number;
}

export class OnnxModel {
  private constructor(
    readonly files: ModelFiles,
    private readonly session: ort.InferenceSession,
  ) {}

  get card(): ModelCard {
    return this.files.card;
  }

  /** Loads a model folder; a missing or corrupt model throws a named error, never a bare ORT one. */
  static async load(dir: string, options: SessionOptions = {}): Promise<OnnxModel> {
    const files = readModelFiles(dir);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(files.onnx, {
        executionProviders: options.executionProviders ?? ['cpu'],
        intraOpNumThreads: options.intraOpThreads ?? 0,
        graphOptimizationLevel: 'all',
      });
    } catch (cause) {
      throw new CorruptModelError(dir, `onnxruntime could not load model.onnx (${(cause as Error).message})`, { cause });
    }
    const model = new OnnxModel(files, session);
    model.checkSignature();
    return model;
  }

  private checkSignature(): void {
    const n = this.card.config.n_layers;
    const want = ['input_ids', 'attention_mask', 'rope_cos_q', 'rope_sin_q', 'rope_cos_k', 'rope_sin_k',
      'attention_scale', 'logits_indices'];
    for (let i = 0; i < n; i++) want.push(`past_key_values.${i}.key`, `past_key_values.${i}.value`);
    const missing = want.filter((name) => !this.session.inputNames.includes(name));
    if (missing.length > 0 || !this.session.outputNames.includes('logits')) {
      throw new CorruptModelError(this.files.dir, `graph inputs do not follow the contract (missing ${missing.join(', ') || 'logits'})`);
    }
  }

  emptyCache(): KvState {
    const n = this.card.config.n_layers;
    return { length: 0, keys: Array.from({ length: n }, () => new Float32Array(0)), values: Array.from({ length: n }, () => new Float32Array(0)) };
  }

  async forward(call: ForwardCall): Promise<ForwardResult> {
    const cfg = this.card.config;
    const hd = headDim(cfg);
    const half = hd / 2;
    const s = call.ids.length;
    const past = call.past ?? this.emptyCache();
    const total = past.length + s;
    if (s === 0) throw new ContractError('a forward call needs at least one new token');
    if (call.cosQ.length !== s * half || call.sinQ.length !== s * half) {
      throw new ContractError(`rope_cos_q/rope_sin_q hold ${call.cosQ.length} values, expected ${s}×${half}`);
    }
    if (call.cosK.length !== total * half || call.sinK.length !== total * half) {
      throw new ContractError(`rope_cos_k/rope_sin_k hold ${call.cosK.length} values, expected ${total}×${half}`);
    }
    const scale = call.attentionScale ?? new Float32Array(cfg.n_layers * s).fill(1);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(Array.from(call.ids, BigInt)), [1, s]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
      rope_cos_q: new ort.Tensor('float32', call.cosQ, [1, s, half]),
      rope_sin_q: new ort.Tensor('float32', call.sinQ, [1, s, half]),
      rope_cos_k: new ort.Tensor('float32', call.cosK, [1, total, half]),
      rope_sin_k: new ort.Tensor('float32', call.sinK, [1, total, half]),
      attention_scale: new ort.Tensor('float32', scale, [cfg.n_layers, 1, s]),
      logits_indices: new ort.Tensor('int64', BigInt64Array.from(Array.from(call.logitsIndices, BigInt)), [call.logitsIndices.length]),
    };
    for (let i = 0; i < cfg.n_layers; i++) {
      const dims = [1, cfg.n_kv_heads, past.length, hd];
      feeds[`past_key_values.${i}.key`] = new ort.Tensor('float32', past.keys[i] as Float32Array, dims);
      feeds[`past_key_values.${i}.value`] = new ort.Tensor('float32', past.values[i] as Float32Array, dims);
    }
    const out = await this.session.run(feeds);
    const present: KvState = { length: total, keys: [], values: [] };
    for (let i = 0; i < cfg.n_layers; i++) {
      present.keys.push((out[`present.${i}.key`] as ort.Tensor).data as Float32Array);
      present.values.push((out[`present.${i}.value`] as ort.Tensor).data as Float32Array);
    }
    return { logits: (out.logits as ort.Tensor).data as Float32Array, present };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
