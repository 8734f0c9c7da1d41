// OpenAI-style /v1/completions (vLLM, llama-server, TGI, LM Studio, …): Ropewalk's prompt sent raw,
// as token ids when a local tokenizer of the model made them and the server takes them; usage
// (prompt_tokens_details.cached_tokens) says what the server's prefix cache served, where it says it.

import { postStream, requestJson, streamMessage } from './http';
import type {
  OpenAiCompletionChunk,
  OpenAiCompletionRequest,
  VllmTokenizeRequest,
  VllmTokenizeResponse,
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
import { RemoteBackendError } from './errors';

/** The API root: the endpoint as given when it ends in /v1, else with /v1 added. */
function apiRoot(endpoint: string): string {
  const e = normalizeEndpoint(endpoint);
  return /\/v1$/.test(e) ? e : `${e}/v1`;
}

export class OpenAiCompatibleBackend implements RemoteBackend {
  readonly kind = 'openai-compatible';
  readonly endpoint: string;
  private readonly root: string;
  /** Servers differ on token-id prompts: vLLM and llama-server take them; text is always safe. */
  readonly acceptsIds: boolean;
  readonly acceptsFim = false;

  constructor(
    endpoint: string,
    private readonly options: RemoteBackendOptions & { sendIds?: boolean } = {},
  ) {
    this.endpoint = normalizeEndpoint(endpoint);
    this.root = apiRoot(endpoint);
    this.acceptsIds = options.sendIds ?? false;
  }

  /**
   * vLLM's /tokenize (beside /v1; llama-server's answers too) tells which markers are single tokens,
   * and vLLM's the context; a server without one leaves the family to ropewalk.remoteFamily.
   */
  async probe(markerTexts: readonly string[], signal?: AbortSignal): Promise<RemoteServerFacts> {
    const base = this.root.replace(/\/v1$/, '');
    try {
      let contextTokens: number | undefined;
      const single = await Promise.all(
        markerTexts.map(async (prompt) => {
          const r = await requestJson<VllmTokenizeResponse>(
            'POST',
            `${base}/tokenize`,
            {
              model: this.options.model,
              prompt,
              content: prompt,
              add_special_tokens: false,
            } satisfies VllmTokenizeRequest,
            this.options,
            signal,
          );
          contextTokens ??= r.max_model_len;
          return (r.count ?? r.tokens.length) === 1 ? prompt : undefined;
        }),
      );
      return {
        singleTokens: single.filter((x): x is string => x !== undefined),
        contextTokens,
        model: this.options.model,
        source: `${base}/tokenize`,
      };
    } catch (error) {
      // Not vLLM's /tokenize (absent, or another server's with other fields): nothing learnt.
      if (
        error instanceof RemoteBackendError &&
        (error.failure === 'server-error' || error.failure === 'bad-reply')
      )
        return { model: this.options.model, source: `${base}/tokenize is not served` };
      throw error;
    }
  }

  async complete(request: RemoteRequest, signal?: AbortSignal): Promise<RemoteReply> {
    const url = `${this.root}/completions`;
    const body: OpenAiCompletionRequest = {
      ...(this.options.model ? { model: this.options.model } : {}),
      prompt: this.acceptsIds && request.prompt.ids ? request.prompt.ids : request.prompt.text,
      max_tokens: request.maxTokens,
      temperature: 0,
      // OpenAI itself takes at most four; the rest are watched for here.
      stop: request.stop.slice(0, 4),
      stream: true,
      stream_options: { include_usage: true },
    };
    const watcher = new StopWatcher(request.stop, request.onText);
    // Filled by the stream's callback (a plain `let` would stay narrowed to its initial value).
    const seen: {
      finish?: 'stop' | 'length' | null;
      usage?: OpenAiCompletionChunk['usage'];
      timings?: OpenAiCompletionChunk['timings'];
    } = {};
    await postStream(
      url,
      body,
      (line) => {
        const chunk = streamMessage<OpenAiCompletionChunk>(
          line,
          url,
          'completion chunk',
          this.options.model,
        );
        if (chunk.usage) seen.usage = chunk.usage;
        if (chunk.timings) seen.timings = chunk.timings;
        const choice = chunk.choices?.[0];
        if (!choice) return false;
        if (choice.finish_reason) seen.finish = choice.finish_reason;
        return watcher.push(choice.text ?? '');
      },
      this.options,
      signal,
    );
    const { usage, timings, finish } = seen;
    const cached = usage?.prompt_tokens_details?.cached_tokens ?? timings?.cache_n;
    return {
      text: watcher.finish(),
      stopReason: watcher.stopped ? 'stop-text' : finish === 'length' ? 'max-tokens' : 'stop-token',
      promptTokens:
        usage?.prompt_tokens ?? (timings ? timings.prompt_n + (timings.cache_n ?? 0) : undefined),
      cachedTokens: cached ?? undefined,
      prefillMs: timings?.prompt_ms,
      decodeMs: timings?.predicted_ms,
      path: '/v1/completions',
    };
  }
}
