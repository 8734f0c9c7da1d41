// Starts the inference child process and matches its replies to requests.

import { fork, type ChildProcess } from 'node:child_process';
import type { ModelCheckReport } from './model-check';
import type { InferenceRequest, InferenceResponse } from './inference-protocol';

export class InferenceProcessError extends Error {
  override readonly name = 'InferenceProcessError';
}

type Pending = { resolve: (r: InferenceResponse) => void; reject: (e: Error) => void };

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
      this.pending.delete(m.id);
      p?.resolve(m);
    });
    child.on('exit', (code, signal) => {
      if (this.pending.size > 0) this.log(`inference process exited (code ${code}, signal ${signal}) with requests in flight`);
      for (const p of this.pending.values()) p.reject(new InferenceProcessError(`inference process exited (code ${code}, signal ${signal})`));
      this.pending.clear();
      this.child = undefined;
    });
    this.child = child;
    return child;
  }

  private request(body: Omit<InferenceRequest, 'id'>): Promise<InferenceResponse> {
    const child = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.send({ ...body, id } as InferenceRequest);
    });
  }

  async checkModel(modelDir: string): Promise<ModelCheckReport> {
    const r = await this.request({ type: 'check', modelDir });
    if (r.type === 'error') throw new InferenceProcessError(`${r.name}: ${r.message}`);
    return r.report;
  }

  dispose(): void {
    this.child?.kill();
    this.child = undefined;
  }
}
