// llama.cpp's llama-server: /infill with the repository files as input_extra where its own layout is
// the model family's (Qwen2.5-Coder), else /completion with Ropewalk's prompt (token ids when a local
// tokenizer of the model made them); /props and /tokenize say what the model is. Timings come with the
// final message: prompt_n evaluated, cache_n taken from the slot's cache.

import { postStream, requestJson, streamMessage } from './http';
import type {
  LlamaCompletionChunk,
  LlamaCompletionRequest,
  LlamaInfillRequest,
  LlamaProps,
  LlamaTokenizeRequest,
  LlamaTokenizeResponse,
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

export class LlamaServerBackend implements RemoteBackend {
  readonly kind = 'llama-server';
  readonly endpoint: string;
  readonly acceptsIds = true;
  readonly acceptsFim = true;

  constructor(
    endpoint: string,
    private readonly options: RemoteBackendOptions = {},
  ) {
    this.endpoint = normalizeEndpoint(endpoint);
  }

  async probe(markerTexts: readonly string[], signal?: AbortSignal): Promise<RemoteServerFacts> {
    const props = await requestJson<LlamaProps>(
      'GET',
      `${this.endpoint}/props`,
      undefined,
      this.options,
      signal,
    );
    const single = await Promise.all(
      markerTexts.map(async (content) => {
        const r = await requestJson<LlamaTokenizeResponse>(
          'POST',
          `${this.endpoint}/tokenize`,
          {
            content,
            add_special: false,
            parse_special: true,
            with_pieces: false,
          } satisfies LlamaTokenizeRequest,
          this.options,
          signal,
        );
        return r.tokens.length === 1 ? content : undefined;
      }),
    );
    return {
      singleTokens: single.filter((x): x is string => x !== undefined),
      contextTokens: props.default_generation_settings?.n_ctx,
      model: props.model_path,
      source: `${this.endpoint}/props and /tokenize`,
    };
  }

  async complete(request: RemoteRequest, signal?: AbortSignal): Promise<RemoteReply> {
    const { prompt } = request;
    const common = {
      n_predict: request.maxTokens,
      stop: request.stop,
      stream: true,
      cache_prompt: true,
      temperature: 0,
    };
    const [path, body]: [string, LlamaInfillRequest | LlamaCompletionRequest] = prompt.fim
      ? [
          '/infill',
          {
            ...common,
            input_prefix: prompt.fim.prefix,
            input_suffix: prompt.fim.suffix,
            input_extra: prompt.fim.files.map((f) => ({ filename: f.path, text: f.text })),
          } satisfies LlamaInfillRequest,
        ]
      : ['/completion', { ...common, prompt: prompt.ids ?? prompt.text }];
    const watcher = new StopWatcher(request.stop, request.onText);
    // Filled by the stream's callback (a plain `let` would stay narrowed to its initial value).
    const seen: { last?: LlamaCompletionChunk } = {};
    const tokens: number[] = [];
    await postStream(
      `${this.endpoint}${path}`,
      body,
      (line) => {
        const chunk = streamMessage<LlamaCompletionChunk>(
          line,
          `${this.endpoint}${path}`,
          'completion message',
        );
        if (chunk.tokens) tokens.push(...chunk.tokens);
        if (chunk.stop) seen.last = chunk;
        const cut = watcher.push(chunk.content ?? '');
        return cut || chunk.stop;
      },
      this.options,
      signal,
    );
    const { last } = seen;
    const t = last?.timings;
    return {
      text: watcher.finish(),
      stopReason: watcher.stopped
        ? 'stop-text'
        : last?.stop_type === 'limit'
          ? 'max-tokens'
          : last?.stop_type === 'word'
            ? 'stop-text'
            : 'stop-token',
      promptTokens: t ? t.prompt_n + (t.cache_n ?? 0) : last?.tokens_evaluated,
      cachedTokens: t?.cache_n ?? last?.tokens_cached,
      prefillMs: t?.prompt_ms,
      decodeMs: t?.predicted_ms,
      tokens,
      path,
    };
  }
}
