// ollama's /api/generate with raw: true (ollama's own template bypassed: the prompt is Ropewalk's),
// NDJSON streaming; /api/show (verbose) gives the GGUF metadata, the vocabulary included, so the
// family is told from the same markers as a local file. ollama does not report prefix-cache hits.

import { postStream, requestJson, streamMessage } from './http';
import type {
  OllamaGenerateChunk,
  OllamaGenerateRequest,
  OllamaShowRequest,
  OllamaShowResponse,
} from './remote-protocol';
import {
  normalizeEndpoint,
  StopWatcher,
  type RemoteBackend,
  type RemoteBackendOptions,
  type RemoteReply,
  type RemoteRequest,
  type RemoteServerFacts,
} from './remote-backend';
import { RemoteModelNotFoundError } from './errors';

/** num_ctx where the Modelfile sets none (docs/modelfile.md; later versions raised it, never lowered). */
export const OLLAMA_DEFAULT_NUM_CTX = 2048;

export class OllamaBackend implements RemoteBackend {
  readonly kind = 'ollama';
  readonly endpoint: string;
  readonly acceptsIds = false;
  readonly acceptsFim = false;
  private readonly model: string;

  constructor(
    endpoint: string,
    private readonly options: RemoteBackendOptions = {},
  ) {
    this.endpoint = normalizeEndpoint(endpoint);
    this.model = options.model ?? '';
  }

  async probe(markerTexts: readonly string[], signal?: AbortSignal): Promise<RemoteServerFacts> {
    const url = `${this.endpoint}/api/show`;
    if (!this.model)
      throw new RemoteModelNotFoundError(url, undefined, 400, 'ollama needs a model name');
    const show = await requestJson<OllamaShowResponse>(
      'POST',
      url,
      { model: this.model, verbose: true } satisfies OllamaShowRequest,
      this.options,
      signal,
    );
    const info = show.model_info ?? {};
    const tokens = info['tokenizer.ggml.tokens'];
    const vocab = Array.isArray(tokens) ? new Set(tokens) : undefined;
    // ollama runs a model at its num_ctx (the Modelfile's, else its default), not at the model's
    // native context, and cuts a longer prompt silently: the budget must fit num_ctx.
    const numCtx = /(?:^|\n)\s*num_ctx\s+(\d+)/.exec(show.parameters ?? '')?.[1];
    return {
      singleTokens: vocab ? markerTexts.filter((t) => vocab.has(t)) : undefined,
      contextTokens: numCtx ? Number(numCtx) : OLLAMA_DEFAULT_NUM_CTX,
      model: this.model,
      source: url,
    };
  }

  async complete(request: RemoteRequest, signal?: AbortSignal): Promise<RemoteReply> {
    const url = `${this.endpoint}/api/generate`;
    const watcher = new StopWatcher(request.stop, request.onText);
    // Filled by the stream's callback (a plain `let` would stay narrowed to its initial value).
    const seen: { last?: OllamaGenerateChunk } = {};
    await postStream(
      url,
      {
        model: this.model,
        prompt: request.prompt.text,
        raw: true,
        stream: true,
        options: { num_predict: request.maxTokens, temperature: 0, stop: request.stop },
      } satisfies OllamaGenerateRequest,
      (line) => {
        const chunk = streamMessage<OllamaGenerateChunk>(line, url, 'generate line', this.model);
        if (chunk.done) seen.last = chunk;
        return watcher.push(chunk.response ?? '') || chunk.done;
      },
      { ...this.options, model: this.model },
      signal,
    );
    const { last } = seen;
    const ns = (x?: number) => (x === undefined ? undefined : x / 1e6);
    return {
      text: watcher.finish(),
      stopReason: watcher.stopped
        ? 'stop-text'
        : last?.done_reason === 'length'
          ? 'max-tokens'
          : 'stop-token',
      promptTokens: last?.prompt_eval_count,
      prefillMs: ns(last?.prompt_eval_duration),
      decodeMs: ns(last?.eval_duration),
      path: '/api/generate',
    };
  }
}
