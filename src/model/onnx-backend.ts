// The only importer of onnxruntime-node: one session over a model that follows the contract in models/README.md.

import * as ort from 'onnxruntime-node';
import { ContractError, CorruptModelError } from './errors';
import { KvCache, type KvView } from './kv-cache';
import { headDim, readModelFiles, type ModelCard, type ModelFiles } from './model-card';

export interface ForwardCall {
  /** New tokens, in sequence order after the cache. */
  ids: ArrayLike<number>;
  /** cos/sin [S, headDim/2] for the new tokens' positions. */
  cosQ: Float32Array;
  sinQ: Float32Array;
  /** Logit multiplier per layer and new token, [nLayers, S]; undefined means 1 everywhere. */
  attentionScale?: Float32Array;
  /** Indices into the new tokens whose logits are wanted. */
  logitsIndices: ArrayLike<number>;
  /** The cache the new tokens attend to (keys rotated at their positions); none means empty. */
  past?: KvView;
}

export interface ForwardResult {
  /** [logitsIndices.length, vocab] */
  logits: Float32Array;
  /** This call's cache entries per layer, [S, kvHeads, headDim]: append them to the cache. */
  newKeys: Float32Array[];
  newValues: Float32Array[];
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
    const want = ['input_ids', 'rope_cos_q', 'rope_sin_q', 'attention_scale', 'logits_indices'];
    for (let i = 0; i < n; i++) want.push(`past_key_values.${i}.key`, `past_key_values.${i}.value`);
    const missing = want.filter((name) => !this.session.inputNames.includes(name));
    if (missing.length > 0 || !this.session.outputNames.includes('logits')) {
      throw new CorruptModelError(this.files.dir, `graph inputs do not follow the contract (missing ${missing.join(', ') || 'logits'})`);
    }
  }

  /** An empty cache shaped for this model. */
  newCache(options: { initialCapacity?: number; maxBytes?: number } = {}): KvCache {
    const cfg = this.card.config;
    return new KvCache(cfg.n_layers, cfg.n_kv_heads, headDim(cfg), options.initialCapacity, options.maxBytes);
  }

  async forward(call: ForwardCall): Promise<ForwardResult> {
    const cfg = this.card.config;
    const hd = headDim(cfg);
    const half = hd / 2;
    const s = call.ids.length;
    const pastLength = call.past?.length ?? 0;
    if (s === 0) throw new ContractError('a forward call needs at least one new token');
    if (call.cosQ.length !== s * half || call.sinQ.length !== s * half) {
      throw new ContractError(`rope_cos_q/rope_sin_q hold ${call.cosQ.length} values, expected ${s}×${half}`);
    }
    const scale = call.attentionScale ?? new Float32Array(cfg.n_layers * s).fill(1);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(Array.from(call.ids, BigInt)), [1, s]),
      rope_cos_q: new ort.Tensor('float32', call.cosQ, [1, s, half]),
      rope_sin_q: new ort.Tensor('float32', call.sinQ, [1, s, half]),
      attention_scale: new ort.Tensor('float32', scale, [cfg.n_layers, 1, s]),
      logits_indices: new ort.Tensor('int64', BigInt64Array.from(Array.from(call.logitsIndices, BigInt)), [call.logitsIndices.length]),
    };
    const dims = [1, pastLength, cfg.n_kv_heads, hd];
    const empty = new Float32Array(0);
    for (let i = 0; i < cfg.n_layers; i++) {
      // Views into the cache's buffers: onnxruntime-node reads them in place, no copy.
      feeds[`past_key_values.${i}.key`] = new ort.Tensor('float32', call.past?.keys[i] ?? empty, dims);
      feeds[`past_key_values.${i}.value`] = new ort.Tensor('float32', call.past?.values[i] ?? empty, dims);
    }
    const out = await this.session.run(feeds);
    const newKeys: Float32Array[] = [];
    const newValues: Float32Array[] = [];
    for (let i = 0; i < cfg.n_layers; i++) {
      newKeys.push((out[`present.${i}.key`] as ort.Tensor).data as Float32Array);
      newValues.push((out[`present.${i}.value`] as ort.Tensor).data as Float32Array);
    }
    return { logits: (out.logits as ort.Tensor).data as Float32Array, newKeys, newValues };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
