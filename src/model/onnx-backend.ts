// The only importer of onnxruntime-node: one session over a model that follows the contract in models/README.md.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { freemem, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ContractError, CorruptModelError } from './errors';
import { checkMemory } from './memory-check';
import { KvCache, type KvArray, type KvView } from './kv-cache';
import {
  chooseKvType,
  KV_BYTES,
  KV_TYPES,
  type KvChoice,
  type KvType,
  type KvTypeSetting,
} from './kv-type';
import {
  candidateProviders,
  cpuThreads,
  missingPrerequisite,
  ProviderUnavailableError,
  type ProviderSetting,
} from './providers';
import { headDim, weightsOnDisk, type ModelCard, type ModelFiles } from './model-card';
import { openModelFiles } from './model-source';
import { placementFromProfile, type NodePlacement } from './node-placement';

// Failures reach the caller as exceptions with the reason; onnxruntime's own stderr log would repeat
// them (and print noise when `auto` probes providers that are absent).
ort.env.logLevel = 'fatal';

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
  /**
   * This call's cache entries per layer, [S, kvHeads, headDim], in the model's KV type (binary16 bit
   * patterns for float16): append them to the cache.
   */
  newKeys: KvArray[];
  newValues: KvArray[];
}

export interface SessionOptions {
  /** `auto` tries the platform's GPU providers, then the CPU; any other value forces that provider. */
  provider?: ProviderSetting;
  intraOpThreads?: number;
  /** Told why each provider that was tried and not used failed. */
  log?: (line: string) => void;
  /** Tokens the KV cache will hold, for the memory check before loading (default 4096, the CPU budget). */
  contextTokens?: number;
  /** The KV cache's element type; `auto` (the default) decides by the cache's size (kv-type.ts). */
  kvType?: KvTypeSetting;
  /**
   * Profile the one-token test run to learn which provider ran each node (`OnnxModel.placement`): a
   * GPU session runs the nodes its provider has no kernel for on the CPU without saying so.
   */
  placement?: boolean;
}

export class OnnxModel {
  /** Which provider ran each node of the test run; set when loaded with `placement`. */
  placement: NodePlacement | undefined;

  private constructor(
    readonly files: ModelFiles,
    private readonly session: ort.InferenceSession,
    /** The execution provider in use: cpu, webgpu, cuda, dml or coreml. */
    readonly provider: string,
    /** The KV cache type this session's graph reads and writes, and why it was chosen. */
    readonly kv: KvChoice,
    /** Tokens a cache was budgeted for at load (the memory check counted them). */
    readonly contextTokens: number,
  ) {}

  get card(): ModelCard {
    return this.files.card;
  }

  /**
   * Loads a model folder, a folder holding model.gguf, or a GGUF file; a missing or corrupt model throws a named error, never a bare ORT one.
   * With provider `auto`, each candidate must create a session and run one token; the first that does
   * is used, and why the others failed is logged.
   */
  static async load(path: string, options: SessionOptions = {}): Promise<OnnxModel> {
    // A GGUF file, or a folder holding model.gguf, is built into a model folder first (once; cached).
    const files = await openModelFiles(path, { log: options.log });
    const dir = files.dir;
    const shape = {
      weightsBytes: weightsOnDisk(files),
      nLayers: files.card.config.n_layers,
      nKvHeads: files.card.config.n_kv_heads,
      headDim: headDim(files.card.config),
      budget: options.contextTokens ?? 4096,
    };
    const offered = KV_TYPES.filter((t) => files.kvGraphs[t] !== undefined);
    const available = freemem();
    const kv = chooseKvType(
      { ...shape, setting: options.kvType ?? 'auto', offered, available },
      dir,
    );
    checkMemory(
      { ...shape, kvBytesPerValue: KV_BYTES[kv.type], fp16Offered: offered.includes('float16') },
      available,
    );
    const graph = files.kvGraphs[kv.type] as string;
    const setting = options.provider ?? 'cpu';
    const failures: string[] = [];
    for (const ep of candidateProviders(setting)) {
      // `auto` skips a provider that cannot work here; one asked for by name is tried regardless.
      const missing = setting === 'auto' ? missingPrerequisite(ep) : undefined;
      if (missing) {
        failures.push(`${ep}: ${missing}`);
        continue;
      }
      let session: ort.InferenceSession | undefined;
      const profileDir = options.placement
        ? mkdtempSync(join(tmpdir(), 'ropewalk-profile-'))
        : undefined;
      try {
        session = await ort.InferenceSession.create(graph, {
          executionProviders: [ep],
          intraOpNumThreads: options.intraOpThreads ?? cpuThreads() ?? 0,
          graphOptimizationLevel: 'all',
          // Probing providers that are absent is expected: keep onnxruntime's own error log quiet.
          logSeverityLevel: ep === 'cpu' ? 2 : 4,
          ...(profileDir && { enableProfiling: true, profileFilePrefix: join(profileDir, 'run') }),
        });
      } catch (cause) {
        if (profileDir) rmSync(profileDir, { recursive: true, force: true });
        const message = (cause as Error).message.split('\n')[0] ?? '';
        if (ep === 'cpu')
          throw new CorruptModelError(
            dir,
            `onnxruntime could not load ${basename(graph)} (${message})`,
            { cause },
          );
        failures.push(`${ep}: ${message}`);
        continue;
      }
      const model = new OnnxModel(files, session, ep, kv, shape.budget);
      try {
        model.checkSignature();
        if (ep !== 'cpu' || profileDir) {
          try {
            await model.smokeTest();
          } catch (cause) {
            failures.push(
              `${ep}: the session was created but a test run failed (${(cause as Error).message.split('\n')[0]})`,
            );
            await model.dispose();
            continue;
          }
        }
        if (profileDir) model.placement = model.readPlacement(profileDir);
      } finally {
        if (profileDir) rmSync(profileDir, { recursive: true, force: true });
      }
      for (const f of failures) options.log?.(`execution provider ${f}; falling back`);
      return model;
    }
    throw new ProviderUnavailableError(
      `execution provider ${setting} is not available here: ${failures.join('; ')}`,
    );
  }

  /** Ends the session's profiling (later runs are not profiled) and counts its nodes by provider. */
  private readPlacement(dir: string): NodePlacement {
    this.session.endProfiling();
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    if (file === undefined) return {};
    return placementFromProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown[]);
  }

  /** One token through the graph: providers can accept a session and still fail on its operators. */
  private async smokeTest(): Promise<void> {
    const half = headDim(this.card.config) / 2;
    await this.forward({
      ids: [0],
      cosQ: new Float32Array(half).fill(1),
      sinQ: new Float32Array(half),
      logitsIndices: [0],
    });
  }

  private checkSignature(): void {
    const n = this.card.config.n_layers;
    const want = ['input_ids', 'rope_cos_q', 'rope_sin_q', 'attention_scale', 'logits_indices'];
    for (let i = 0; i < n; i++) want.push(`past_key_values.${i}.key`, `past_key_values.${i}.value`);
    const missing = want.filter((name) => !this.session.inputNames.includes(name));
    if (missing.length > 0 || !this.session.outputNames.includes('logits')) {
      throw new CorruptModelError(
        this.files.dir,
        `graph inputs do not follow the contract (missing ${missing.join(', ') || 'logits'})`,
      );
    }
    // The cache's element type is the graph's: a float16 cache fed to a float32 input would be read as garbage.
    const past = this.session.inputMetadata.find((m) => m.name === 'past_key_values.0.key');
    if (past?.isTensor && past.type !== this.kv.type)
      throw new CorruptModelError(
        this.files.dir,
        `the ${this.kv.type}-KV graph takes ${past.type} past keys`,
      );
  }

  /** An empty cache shaped for this model, of its KV type. */
  newCache(options: { initialCapacity?: number; maxBytes?: number } = {}): KvCache {
    const cfg = this.card.config;
    return new KvCache(cfg.n_layers, cfg.n_kv_heads, headDim(cfg), {
      ...options,
      kvType: this.kv.type,
    });
  }

  async forward(call: ForwardCall): Promise<ForwardResult> {
    const cfg = this.card.config;
    const hd = headDim(cfg);
    const half = hd / 2;
    const s = call.ids.length;
    const pastLength = call.past?.length ?? 0;
    if (s === 0) throw new ContractError('a forward call needs at least one new token');
    if (call.cosQ.length !== s * half || call.sinQ.length !== s * half) {
      throw new ContractError(
        `rope_cos_q/rope_sin_q hold ${call.cosQ.length} values, expected ${s}×${half}`,
      );
    }
    const scale = call.attentionScale ?? new Float32Array(cfg.n_layers * s).fill(1);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(Array.from(call.ids, BigInt)), [1, s]),
      rope_cos_q: new ort.Tensor('float32', call.cosQ, [1, s, half]),
      rope_sin_q: new ort.Tensor('float32', call.sinQ, [1, s, half]),
      attention_scale: new ort.Tensor('float32', scale, [cfg.n_layers, 1, s]),
      logits_indices: new ort.Tensor(
        'int64',
        BigInt64Array.from(Array.from(call.logitsIndices, BigInt)),
        [call.logitsIndices.length],
      ),
    };
    const kvType = this.kv.type;
    if (call.past && call.past.kvType !== kvType)
      throw new ContractError(`a ${call.past.kvType} KV cache given to a ${kvType}-KV session`);
    const dims = [1, pastLength, cfg.n_kv_heads, hd]; // [1, P, kv, hd]
    const empty = kvType === 'float16' ? new Uint16Array(0) : new Float32Array(0);
    for (let i = 0; i < cfg.n_layers; i++) {
      // Views into the cache's buffers: onnxruntime-node reads them in place, no copy.
      feeds[`past_key_values.${i}.key`] = kvTensor(kvType, call.past?.keys[i] ?? empty, dims);
      feeds[`past_key_values.${i}.value`] = kvTensor(kvType, call.past?.values[i] ?? empty, dims);
    }
    const out = await this.session.run(feeds);
    const newKeys: KvArray[] = [];
    const newValues: KvArray[] = [];
    for (let i = 0; i < cfg.n_layers; i++) {
      newKeys.push(kvData(out[`present.${i}.key`] as ort.Tensor)); // [1, S, kv, hd]
      newValues.push(kvData(out[`present.${i}.value`] as ort.Tensor));
    }
    return { logits: (out.logits as ort.Tensor).data as Float32Array, newKeys, newValues };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** A cache view as the graph's past input: binary16 bit patterns are ort's 'float16' data (Node 20 has no Float16Array). */
function kvTensor(type: KvType, data: KvArray, dims: number[]): ort.Tensor {
  if (type === 'float16') {
    if (!(data instanceof Uint16Array))
      throw new ContractError('float16 KV entries must be a Uint16Array');
    return new ort.Tensor('float16', data, dims);
  }
  if (!(data instanceof Float32Array))
    throw new ContractError('float32 KV entries must be a Float32Array');
  return new ort.Tensor('float32', data, dims);
}

/** A present output's data as the cache stores it: float16 read as bit patterns (a Float16Array, where a runtime has one, holds the same bytes). */
function kvData(t: ort.Tensor): KvArray {
  if (t.type !== 'float16') return t.data as Float32Array;
  const d = t.data as unknown as ArrayBufferView;
  return d instanceof Uint16Array ? d : new Uint16Array(d.buffer, d.byteOffset, d.byteLength / 2);
}
