// Starts the inference child process, matches its replies to requests, and keeps the opened model
// usable across a crash: the next request after one restarts the process and opens the model again.

import { fork, type ChildProcess } from 'node:child_process';
import { UnknownModelHandleError } from './errors';
import type { GenerateResult } from './generate';
import type {
  InferenceRequest,
  InferenceResponse,
  ModelHandle,
  OpenedModel,
  WireGenerateOptions,
} from './inference-protocol';
import type { KvTypeSetting } from './kv-type';
import type { ModelCard } from './model-card';
import { PROVIDER_SETTINGS, type ProviderSetting } from './providers';
import type { RopeOptions } from './rope';

export class InferenceProcessError extends Error {
  override readonly name = 'InferenceProcessError';
}

type Pending = {
  resolve: (r: InferenceResponse) => void;
  reject: (e: Error) => void;
  onText?: (piece: string) => void;
};

type RequestBody = InferenceRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

/** The reply to `open`; `handle` is absent when the model failed its golden cases. */
export type OpenResult = OpenedModel & { card: ModelCard };

/** How to open a model besides where it runs. */
export interface OpenOptions {
  /** The KV cache the caller will fill, in tokens, for the memory check before loading. */
  contextTokens?: number;
  /** The KV cache's element type (default auto). */
  kvType?: KvTypeSetting;
}

/** The model the caller opened, and the handle it has in the process running now (if any). */
interface OpenState {
  handle: ModelHandle;
  modelDir: string;
  /** What the first open settled on: `auto` (provider or KV type) is not decided again when the process restarts. */
  provider: ProviderSetting;
  options: OpenOptions;
  remote?: { child: ChildProcess; handle: Promise<ModelHandle> };
}

function settledProvider(used: string, asked: ProviderSetting): ProviderSetting {
  return (PROVIDER_SETTINGS as readonly string[]).includes(used)
    ? (used as ProviderSetting)
    : asked;
}

function unexpected(r: InferenceResponse): InferenceProcessError {
  return new InferenceProcessError(
    r.type === 'error' ? `${r.name}: ${r.message}` : `unexpected reply ${r.type}`,
  );
}

export class InferenceClient {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private opened: OpenState | undefined;
  private nextHandle: ModelHandle = 1;

  /** @param entry path of the bundled dist/inference-process.js */
  constructor(
    private readonly entry: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  private alive(): ChildProcess | undefined {
    return this.child && this.child.exitCode === null && !this.child.killed
      ? this.child
      : undefined;
  }

  private start(): ChildProcess {
    const running = this.alive();
    if (running) return running;
    const child = fork(this.entry, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    child.stdout?.on('data', (d: Buffer) => this.log(d.toString().trimEnd()));
    child.stderr?.on('data', (d: Buffer) => this.log(d.toString().trimEnd()));
    child.on('message', (m: InferenceResponse) => {
      const p = this.pending.get(m.id);
      if (m.type === 'text') {
        p?.onText?.(m.piece);
        return;
      }
      this.pending.delete(m.id);
      p?.resolve(m);
    });
    child.on('exit', (code, signal) => {
      if (this.pending.size > 0)
        this.log(
          `inference process exited (code ${code}, signal ${signal}) with requests in flight`,
        );
      for (const p of this.pending.values())
        p.reject(
          new InferenceProcessError(`inference process exited (code ${code}, signal ${signal})`),
        );
      this.pending.clear();
      if (this.child === child) this.child = undefined;
    });
    this.child = child;
    return child;
  }

  /** Sends to `child` (by default the running process, started if need be); fails if that one has exited. */
  private request(
    body: RequestBody,
    live: { onText?: (piece: string) => void; signal?: AbortSignal } = {},
    child = this.start(),
  ): Promise<InferenceResponse> {
    const { onText, signal } = live;
    const id = this.nextId++;
    if (child !== this.alive())
      return Promise.reject(
        new InferenceProcessError('inference process exited before the request was sent'),
      );
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onText });
      child.send({ ...body, id });
      if (signal) {
        const cancel = () => {
          if (child === this.alive())
            child.send({
              id: this.nextId++,
              type: 'cancel',
              target: id,
            } satisfies InferenceRequest);
        };
        if (signal.aborted) cancel();
        else signal.addEventListener('abort', cancel, { once: true });
      }
    });
  }

  private async openIn(
    modelDir: string,
    provider: ProviderSetting,
    child: ChildProcess,
    options: OpenOptions,
  ): Promise<OpenedModel> {
    const r = await this.request({ type: 'open', modelDir, provider, ...options }, {}, child);
    if (r.type !== 'open') throw unexpected(r);
    return r.opened;
  }

  /**
   * Loads the model in the process (once), checks it against its golden cases and keeps it for
   * `generate`; any model opened before is closed. A failed check keeps nothing and gives no handle.
   */
  async open(
    modelDir: string,
    provider: ProviderSetting = 'cpu',
    options: OpenOptions = {},
  ): Promise<OpenResult> {
    this.opened = undefined;
    const child = this.start();
    const opened = await this.openIn(modelDir, provider, child, options);
    const result = { ...opened, card: opened.files.card };
    if (opened.handle === undefined) return { ...result, handle: undefined };
    const handle = this.nextHandle++;
    const remote = { child, handle: Promise.resolve(opened.handle) };
    this.opened = {
      handle,
      modelDir,
      provider: settledProvider(opened.provider, provider),
      options: { ...options, kvType: opened.report.kv.type },
      remote,
    };
    return { ...result, handle };
  }

  /**
   * The process holding the model and the handle it knows the model by, opening it again in a
   * restarted process: requests for a handle go to the process that gave it out.
   */
  private async remoteOf(
    handle: ModelHandle,
  ): Promise<{ child: ChildProcess; remote: ModelHandle }> {
    const o = this.opened;
    if (o?.handle !== handle) throw new UnknownModelHandleError(handle);
    const child = this.start();
    if (o.remote?.child === child) return { child, remote: await o.remote.handle };
    this.log(`inference process restarted: opening ${o.modelDir} again`);
    const reopened = this.openIn(o.modelDir, o.provider, child, o.options).then((r) => {
      if (r.handle === undefined)
        throw new InferenceProcessError(
          `the model at ${o.modelDir} failed its golden cases when opened again`,
        );
      return r.handle;
    });
    o.remote = { child, handle: reopened };
    // A failed re-open is tried again by the next request, not remembered.
    reopened.catch(() => {
      if (o.remote?.handle === reopened) o.remote = undefined;
    });
    return { child, remote: await reopened };
  }

  /** Generates in the child process; aborting `signal` stops it between two decoding steps. */
  async generate(
    handle: ModelHandle,
    /** Tokens, or segments (chunks, then the cursor's file) so that moved chunks are reused. */
    prompt: number[] | number[][],
    rope: { method: string; options?: RopeOptions },
    options: WireGenerateOptions,
    live: { signal?: AbortSignal; onText?: (piece: string) => void } = {},
  ): Promise<GenerateResult & { provider: string }> {
    const { child, remote } = await this.remoteOf(handle);
    const r = await this.request(
      { type: 'generate', handle: remote, prompt, rope, options },
      live,
      child,
    );
    if (r.type !== 'generate') throw unexpected(r);
    return { ...r.result, provider: r.provider };
  }

  /** Releases the model in the process; its handle is unknown from now on. */
  async close(handle: ModelHandle): Promise<void> {
    const o = this.opened;
    if (o?.handle !== handle) throw new UnknownModelHandleError(handle);
    this.opened = undefined;
    // Nothing to release when the process that held it has exited.
    const held = o.remote;
    if (!held || held.child !== this.alive()) return;
    const remote = await held.handle.catch(() => undefined);
    if (remote === undefined) return;
    const r = await this.request({ type: 'close', handle: remote }, {}, held.child);
    if (r.type !== 'close') throw unexpected(r);
  }

  dispose(): void {
    this.opened = undefined;
    this.child?.kill();
    this.child = undefined;
  }
}
