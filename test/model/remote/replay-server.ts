// Test helper: an HTTP server on 127.0.0.1 that replays recorded (or documented) request/response
// exchanges from test/fixtures/remote/*.json, and keeps what it was sent and whether a client closed
// the connection before the reply ended.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from '../../repo-root';

export interface Exchange {
  name?: string;
  request: {
    method: string;
    path: string;
    body?: unknown;
    /** Request body fields that must be equal for this exchange to answer; without, it answers the rest. */
    match?: Record<string, unknown>;
  };
  response: {
    status: number;
    contentType?: string;
    /** The body: one string, or the pieces of a stream written one after another. */
    body: string | string[] | Record<string, unknown>;
    /** Wait between stream pieces. */
    delayMs?: number;
    /** Keep the connection open after the last piece (a generation that goes on until cancelled). */
    hold?: boolean;
  };
}

export interface ExchangeFile {
  server: string;
  /** Where the exchanges come from: a recording (the command and commit) or the API's documentation. */
  source: string;
  exchanges: Exchange[];
}

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** The client closed the connection before the reply ended. */
  closedEarly: boolean;
}

export function loadExchanges(name: string): ExchangeFile {
  return JSON.parse(
    readFileSync(join(repoRoot(), 'test', 'fixtures', 'remote', `${name}.json`), 'utf8'),
  ) as ExchangeFile;
}

function matches(e: Exchange, method: string, path: string, body: unknown): boolean {
  if (e.request.method !== method || e.request.path !== path) return false;
  if (!e.request.match) return true;
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.entries(e.request.match).every(
    ([k, v]) => JSON.stringify(b[k]) === JSON.stringify(v),
  );
}

export class ReplayServer {
  readonly received: Received[] = [];
  private server?: Server;
  private readonly closed: Array<() => void> = [];
  url = '';

  constructor(private readonly exchanges: Exchange[]) {}

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Resolves when a client has closed a connection before its reply ended. */
  nextEarlyClose(): Promise<void> {
    return new Promise((ok) => this.closed.push(ok));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const path = (req.url ?? '/').split('?')[0] as string;
    const got: Received = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      closedEarly: false,
    };
    this.received.push(got);
    // An exchange whose `match` fits wins over one that answers anything on its path.
    const fitting = this.exchanges.filter((x) => matches(x, got.method, path, body));
    const e = fitting.find((x) => x.request.match) ?? fitting[0];
    if (!e) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `no recorded exchange for ${got.method} ${path}` }));
      return;
    }
    let ended = false;
    res.on('close', () => {
      if (ended) return;
      got.closedEarly = true;
      for (const f of this.closed.splice(0)) f();
    });
    const r = e.response;
    res.writeHead(r.status, { 'content-type': r.contentType ?? 'application/json' });
    if (typeof r.body === 'string' || !Array.isArray(r.body)) {
      ended = true;
      res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
      return;
    }
    for (const piece of r.body) {
      if (res.destroyed) return;
      res.write(piece);
      if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
    }
    if (r.hold) {
      // A generation that goes on: more of the same until the client hangs up.
      const last = r.body[r.body.length - 1] ?? '';
      const timer = setInterval(() => !res.destroyed && res.write(last), r.delayMs ?? 20);
      res.on('close', () => clearInterval(timer));
      return;
    }
    ended = true;
    res.end();
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((ok) => s.close(() => ok()));
  }
}
