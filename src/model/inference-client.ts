// Starts the inference child process, matches its replies to requests, restarts it after a crash.

import { fork, type ChildProcess } from 'node:child_process';
import type { GenerateResult } from './generate';
import type { EngineSpec, InferenceRequest, InferenceResponse, WireGenerateOptions } from './inference-protocol';
import type { ModelCheckReport } from './model-check';
import type { ProviderSetting } from './providers';
import type { RopeOptions } from './rope';

export class InferenceProcessError extends Error {
  override readonly name = 'InferenceProcessError';
}

type Pending = {
  resolve: (r: InferenceResponse) => void;
  reject: (e: Error) => void;
  onText?: (piece: string) => void;
};

type RequestBody = InferenceRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class InferenceClient {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** @param entry path of the bundled dist/inference-process.js */
  constructor(private readonly entry: string, private readonly log: (line: string) => void = () => {}) {}

  private start(): ChildProcess {
    if (this.child && this.child.exitCode === null && !this.child.killed) return this.child;
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
      if (this.pending.size > 0) this.log(`inference process exited (code ${code}, signal ${signal}) with requests in flight`);
      for (const p of this.pending.values()) p.reject(new InferenceProcessError(`inference process exited (code ${code}, signal ${signal})`));
      this.pending.clear();
      if (this.child === child) this.child = undefined;
    });
    this.child = child;
    return child;
  }

  private request(body: RequestBody, onText?: (piece: string) => void, signal?: AbortSignal): Promise<InferenceResponse> {
    const child = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onText });
      child.send({ ...body, id } as InferenceRequest);
      if (signal) {
        const cancel = () => this.child?.send({ id: this.nextId++, type: 'cancel', target: id } satisfies InferenceRequest);
        if (signal.aborted) cancel();
        else signal.addEventListener('abort', cancel, { once: true });
      }
    });
  }

  async checkModel(modelDir: string, provider: ProviderSetting = 'cpu'): Promise<ModelCheckReport> {
    const r = await this.request({ type: 'check', modelDir, provider });
    if (r.type !== 'check') throw new InferenceProcessError(r.type === 'error' ? `${r.name}: ${r.message}` : `unexpected reply ${r.type}`);
    return r.report;
  }

  /** Generates in the child process; aborting `signal` stops it between two decoding steps. */
  async generate(
    /** Tokens, or segments (chunks, then the cursor's file) so that moved chunks are reused. */
    engine: EngineSpec, prompt: number[] | number[][], rope: { method: string; options?: RopeOptions },
    options: WireGenerateOptions, live: { signal?: AbortSignal; onText?: (piece: string) => void } = {},
  ): Promise<GenerateResult & { provider: string }> {
    const r = await this.request({ type: 'generate', engine, prompt, rope, options }, live.onText, live.signal);
    if (r.type !== 'generate') throw new InferenceProcessError(r.type === 'error' ? `${r.name}: ${r.message}` : `unexpected reply ${r.type}`);
    return { ...r.result, provider: r.provider };
  }

  dispose(): void {
    this.child?.kill();
    this.child = undefined;
  }
}
