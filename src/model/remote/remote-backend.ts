// What a remote backend is: an HTTP client of an inference server that completes a prompt Ropewalk
// built, streams the text back, and says what it knows of the model (its markers, its context) and of
// its prefix cache. One file per server kind beside this one.

import { firstStop } from '../decode-rules';
import type { HttpOptions } from './http';

export const REMOTE_BACKENDS = ['llama-server', 'openai-compatible', 'ollama'] as const;
export type RemoteBackendKind = (typeof REMOTE_BACKENDS)[number];

/** `ropewalk.backend` / `--backend`: local (Ropewalk's own engine, the default) or a server kind. */
export const BACKENDS = ['local', ...REMOTE_BACKENDS] as const;
export type BackendKind = (typeof BACKENDS)[number];

export interface RemoteServerFacts {
  /** Of the marker texts asked about, those the server's model has as single tokens; undefined: it cannot say. */
  singleTokens?: string[];
  /** The server's context per request (llama-server's slot n_ctx, vLLM's max_model_len). */
  contextTokens?: number;
  /** The model the server says it runs (a file name, a tag). */
  model?: string;
  /** Where the facts came from, for the log. */
  source: string;
}

/** A fill-in-the-middle prompt in parts, for servers that lay it out themselves (llama-server's /infill). */
export interface FimParts {
  /** Repository files, in the prompt's order. */
  files: { path: string; text: string }[];
  prefix: string;
  suffix: string;
}

export interface RemotePrompt {
  /** The prompt as Ropewalk laid it out. */
  text: string;
  /** The same prompt as token ids, where a local tokenizer of the server's model made them. */
  ids?: number[];
  /** Its parts, where the server's own FIM layout equals Ropewalk's for the model's family. */
  fim?: FimParts;
}

export interface RemoteRequest {
  prompt: RemotePrompt;
  maxTokens: number;
  /** Texts that end the completion (not returned). */
  stop: string[];
  onText?: (piece: string) => void;
}

export interface RemoteReply {
  text: string;
  stopReason: 'stop-token' | 'stop-text' | 'max-tokens';
  /** Prompt tokens as the server counted them. */
  promptTokens?: number;
  /** Of those, tokens its prefix cache served; undefined where the server does not say. */
  cachedTokens?: number;
  prefillMs?: number;
  decodeMs?: number;
  /** Generated token ids, where the server sends them. */
  tokens?: number[];
  /** The API path that answered, e.g. `/infill`. */
  path: string;
}

export interface RemoteBackend {
  readonly kind: RemoteBackendKind;
  readonly endpoint: string;
  /** Whether a prompt may be sent as token ids. */
  readonly acceptsIds: boolean;
  /** Whether it takes FimParts (and then lays the prompt out itself). */
  readonly acceptsFim: boolean;
  /** Asks the server about its model: which of these marker texts are single tokens, its context. */
  probe(markerTexts: readonly string[], signal?: AbortSignal): Promise<RemoteServerFacts>;
  /** One completion; aborting `signal` closes the connection (the server stops) and rejects with an AbortError. */
  complete(request: RemoteRequest, signal?: AbortSignal): Promise<RemoteReply>;
}

export interface RemoteBackendOptions extends HttpOptions {
  /** The model to ask for (`ropewalk.remoteModel`); required by ollama, optional elsewhere. */
  model?: string;
}

/** The endpoint without a trailing slash; a URL that does not parse is refused. */
export function normalizeEndpoint(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`${endpoint}: not an http(s) URL`);
  return url.href.replace(/\/+$/, '');
}

/**
 * Streams pieces to `onText`, holding back the tail that could still become a stop text, and stops
 * once one appears (servers that take fewer stop strings than asked, such as OpenAI's four, still stop).
 */
export class StopWatcher {
  text = '';
  private shown = 0;
  stopped = false;
  private readonly longest: number;

  constructor(
    private readonly stop: string[],
    private readonly onText?: (piece: string) => void,
  ) {
    this.longest = Math.max(0, ...stop.map((s) => s.length));
  }

  /** Adds a piece; true once a stop text has appeared (the text is cut before it). */
  push(piece: string): boolean {
    if (this.stopped) return true;
    const joined = this.text + piece;
    const at = firstStop(joined, this.stop);
    const cut = at >= 0;
    const text = cut ? joined.slice(0, at) : joined;
    this.text = text;
    this.stopped = cut;
    const safe = cut ? text.length : Math.max(this.shown, text.length - this.longest + 1);
    if (safe > this.shown) {
      this.onText?.(text.slice(this.shown, safe));
      this.shown = safe;
    }
    return cut;
  }

  /** The end of the stream: what was held back is shown. */
  finish(): string {
    if (this.text.length > this.shown) this.onText?.(this.text.slice(this.shown));
    this.shown = this.text.length;
    return this.text;
  }
}
