// HTTP for the remote backends over Node's own fetch: JSON requests, streamed replies read line by
// line (server-sent events and NDJSON), an idle time-out, retries with backoff for connection errors
// only, and HTTP errors turned into the named errors of ./errors. Aborting the caller's signal closes
// the connection, which is how llama-server, vLLM and ollama learn to stop generating.

import {
  RemoteAuthError,
  RemoteContextTooLongError,
  RemoteHttpError,
  RemoteModelNotFoundError,
  RemoteTimeoutError,
  RemoteUnreachableError,
} from './errors';
import type { OpenAiErrorBody } from './remote-protocol';

export interface HttpOptions {
  /** Sent as `Authorization: Bearer …`; never logged. */
  apiKey?: string;
  /** Longest wait for the reply's headers or for the next piece of a stream (default 30 s). */
  timeoutMs?: number;
  /** Attempts after the first when no connection could be made (default 2). */
  retries?: number;
  /** First wait before a retry; each later one is three times longer (default 200 ms). */
  backoffMs?: number;
  /** The model named in requests, for the model-not-found message. */
  model?: string;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Whether fetch failed before any reply: the only failures worth a retry. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error) || error.name === 'AbortError') return false;
  const cause = (error as { cause?: { code?: string } }).cause;
  return (
    (cause?.code !== undefined && CONNECTION_CODES.has(cause.code)) ||
    (error instanceof TypeError && error.message === 'fetch failed')
  );
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

function abortError(): Error {
  return new DOMException('The request was aborted', 'AbortError');
}

/** The message in an error body: OpenAI's `error.message`, vLLM's `message`, ollama's `error`. */
export function errorDetail(body: string): string {
  try {
    const j = JSON.parse(body) as OpenAiErrorBody;
    if (typeof j.error === 'string') return j.error;
    if (j.error?.message) return j.error.message;
    if (j.message) return j.message;
  } catch {
    // not JSON: the text itself
  }
  return body.trim().slice(0, 300);
}

/** The named error for a status and body. */
export function httpError(url: string, status: number, body: string, model?: string): Error {
  const detail = errorDetail(body);
  if (status === 401 || status === 403) return new RemoteAuthError(url, status, detail);
  if (status === 404 && /model/i.test(detail))
    return new RemoteModelNotFoundError(url, model, status, detail);
  if (
    (status === 400 || status === 413 || status === 422) &&
    /context|too long|exceed|maximum.*length/i.test(detail)
  )
    return new RemoteContextTooLongError(url, status, detail);
  return new RemoteHttpError(url, status, detail || 'no detail');
}

/**
 * A live request: an idle timer that aborts it, and the caller's signal. `reset` is called at each piece
 * received; `timedOut` tells a time-out from the caller's own abort.
 */
class Deadline {
  readonly controller = new AbortController();
  timedOut = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = () => this.controller.abort();

  constructor(
    private readonly ms: number,
    private readonly signal?: AbortSignal,
  ) {
    if (signal?.aborted) this.controller.abort();
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.reset();
  }

  reset(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.ms);
  }

  done(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

async function send(
  method: 'GET' | 'POST',
  url: string,
  body: unknown,
  options: HttpOptions,
  deadline: Deadline,
  signal: AbortSignal | undefined,
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json, text/event-stream' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const retries = options.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: deadline.controller.signal,
      });
      if (!r.ok) {
        const text = await r.text().catch(() => '');
        throw httpError(url, r.status, text, options.model);
      }
      return r;
    } catch (error) {
      if (signal?.aborted) throw abortError();
      if (deadline.timedOut) throw new RemoteTimeoutError(url, options.timeoutMs ?? 30_000);
      if (!isConnectionError(error)) throw error;
      if (attempt >= retries) throw new RemoteUnreachableError(url, { cause: error });
      await sleep((options.backoffMs ?? 200) * 3 ** attempt, signal);
      if (signal?.aborted) throw abortError();
      deadline.reset();
    }
  }
}

/** A JSON request and its JSON reply. */
export async function requestJson<T>(
  method: 'GET' | 'POST',
  url: string,
  body: unknown,
  options: HttpOptions = {},
  signal?: AbortSignal,
): Promise<T> {
  const deadline = new Deadline(options.timeoutMs ?? 30_000, signal);
  try {
    const r = await send(method, url, body, options, deadline, signal);
    const text = await r.text();
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new RemoteHttpError(url, undefined, `not JSON: ${text.slice(0, 200)}`, {
        cause: error,
      });
    }
  } catch (error) {
    if (signal?.aborted) throw abortError();
    if (deadline.timedOut) throw new RemoteTimeoutError(url, options.timeoutMs ?? 30_000);
    throw error;
  } finally {
    deadline.done();
  }
}

/**
 * One message of a streamed reply (`what` names it in the error), parsed. A server that fails after the
 * stream began sends the error as a message of its own (`error`: OpenAI's and llama-server's object with
 * a `code`, ollama's string): that throws the named error for its code, else as a 500.
 */
export function streamMessage<T>(line: string, url: string, what: string, model?: string): T {
  let j: T & { error?: unknown };
  try {
    j = JSON.parse(line) as T & { error?: unknown };
  } catch (error) {
    throw new RemoteHttpError(url, undefined, `not a ${what}: ${line.slice(0, 200)}`, {
      cause: error,
    });
  }
  if (j.error) {
    const code = (j.error as { code?: unknown }).code;
    throw httpError(url, typeof code === 'number' ? code : 500, line, model);
  }
  return j;
}

/**
 * POSTs `body` and hands each line of the streamed reply to `onLine` (`data: ` of server-sent events
 * taken off; blank lines, comments and `[DONE]` skipped). `onLine` returns true to stop reading: the
 * connection is closed then, so the server stops generating. A non-streamed JSON reply (a server that
 * ignores `stream`) comes as one line.
 */
export async function postStream(
  url: string,
  body: unknown,
  onLine: (line: string) => boolean | void,
  options: HttpOptions = {},
  signal?: AbortSignal,
): Promise<void> {
  const deadline = new Deadline(options.timeoutMs ?? 30_000, signal);
  try {
    const r = await send('POST', url, body, options, deadline, signal);
    if (!r.body) return;
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    const take = (line: string): boolean => {
      let l = line.replace(/\r$/, '');
      if (l === '' || l.startsWith(':') || /^(event|id|retry):/.test(l)) return false;
      if (l.startsWith('data:')) l = l.slice(5).trimStart();
      if (l === '[DONE]') return false;
      return onLine(l) === true;
    };
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      deadline.reset();
      buffered += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (take(line)) {
          // Enough: closing the connection tells the server to stop.
          deadline.controller.abort();
          await reader.cancel().catch(() => {});
          return;
        }
      }
    }
    buffered += decoder.decode();
    if (buffered.trim()) take(buffered);
  } catch (error) {
    // A reply that cannot be read on (an error message, a broken line): hang up so generation stops.
    deadline.controller.abort();
    if (signal?.aborted) throw abortError();
    if (deadline.timedOut) throw new RemoteTimeoutError(url, options.timeoutMs ?? 30_000);
    throw error;
  } finally {
    deadline.done();
  }
}
