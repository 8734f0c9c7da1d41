// A CompletionEngine in front of an inference server: the prompt completeOnce packed (the family's
// template, the stable repository order) goes out raw — as token ids where a local tokenizer of the
// server's model made them, else as text — or, without such a tokenizer, to llama-server's /infill as
// its parts where the server's layout is the family's own (Qwen2.5-Coder). Stops, post-processing and
// cancellation are completeOnce's, as for the local engine; the server's timings or usage say how much
// of the prompt its prefix cache served.

import type { GenerateResult } from '../model/generate';
import type { RemoteBackend, FimParts, RemoteReply } from '../model/remote/remote-backend';
import type { PromptTokenizer } from '../model/tokenizers/load-tokenizer';
import type { BoundTemplate } from '../packing/templates';
import type { CompletionEngine } from './complete-once';

export interface RemoteEngineSetup {
  backend: RemoteBackend;
  /** The server model's own tokenizer (exact), or an EstimatedTokenizer. */
  tok: PromptTokenizer;
  /** Whether tok is the model's own, so that ids may be sent. */
  exactIds: boolean;
  template: BoundTemplate;
}

/** What the last request sent and got: for the log, the status bar and the benchmarks. */
export interface RemoteExchange {
  reply: RemoteReply;
  /** Prompt tokens Ropewalk counted (exact or estimated). */
  promptTokens: number;
  sentAs: 'ids' | 'text' | 'fim parts';
}

export interface RemoteEngine extends CompletionEngine {
  readonly setup: RemoteEngineSetup;
  last?: RemoteExchange;
}

const QWEN = {
  fileSep: '<|file_sep|>',
  prefix: '<|fim_prefix|>',
  suffix: '<|fim_suffix|>',
  middle: '<|fim_middle|>',
};

/**
 * The parts of a Qwen2.5-Coder prompt (repository files, then `<|file_sep|>path\n<|fim_prefix|>…`):
 * llama-server's /infill lays exactly these out as the template does (README: "with files, identical
 * for Qwen2"). Undefined when a segment is not in that shape.
 */
export function qwenFimParts(segments: number[][], tok: PromptTokenizer): FimParts | undefined {
  const texts = segments.map((s) => tok.decode(s));
  const file = texts.pop();
  if (file === undefined) return undefined;
  const files: FimParts['files'] = [];
  for (const t of texts) {
    if (t.startsWith('<|repo_name|>')) continue;
    if (!t.startsWith(QWEN.fileSep)) return undefined;
    const nl = t.indexOf('\n');
    if (nl < 0) return undefined;
    files.push({ path: t.slice(QWEN.fileSep.length, nl), text: t.slice(nl + 1) });
  }
  const p = file.indexOf(QWEN.prefix);
  const s = file.indexOf(QWEN.suffix);
  const m = file.lastIndexOf(QWEN.middle);
  if (p < 0 || s < p || m < s) return undefined;
  return {
    files,
    prefix: file.slice(p + QWEN.prefix.length, s),
    suffix: file.slice(s + QWEN.suffix.length, m),
  };
}

/**
 * A prompt sent as text without the BOS the template put first: a server tokenizing text adds the
 * model's BOS itself, and the spelled-out marker would make a second one.
 */
export function withoutBos(ids: number[], tok: PromptTokenizer): number[] {
  const bos = tok.facts?.bosId;
  return bos !== undefined && ids[0] === bos ? ids.slice(1) : ids;
}

export function remoteEngine(setup: RemoteEngineSetup): RemoteEngine {
  const { backend, tok, exactIds, template } = setup;
  const stopTexts = new Map<number, string>();
  const stopText = (id: number) => {
    let t = stopTexts.get(id);
    if (t === undefined) stopTexts.set(id, (t = tok.decode([id])));
    return t;
  };
  const engine: RemoteEngine = {
    setup,
    async generate(prompt, _rope, options, live) {
      const flat = prompt.flat();
      // Without the model's own ids, llama-server's /infill tokenizes each part as the model was
      // trained (no merges across the markers) where its layout is the family's; with them, the ids go.
      const fim =
        backend.acceptsFim && !exactIds && template.family === 'qwen2.5-coder'
          ? qwenFimParts(prompt, tok)
          : undefined;
      const ids = exactIds && backend.acceptsIds ? flat : undefined;
      // The request's own stops first: servers that take few stop strings keep those.
      const stop = [
        ...new Set([...(options.stop ?? []), ...(options.stopTokens ?? []).map(stopText)]),
      ].filter((s) => s !== '');
      const t0 = performance.now();
      const cancelled = (): GenerateResult & { provider: string } => ({
        text: '',
        tokens: [],
        stopReason: 'cancelled',
        promptTokens: flat.length,
        reusedTokens: 0,
        movedTokens: 0,
        prefillMs: 0,
        decodeMs: performance.now() - t0,
        provider: backend.kind,
      });
      if (live.signal?.aborted) return cancelled();
      let reply: RemoteReply;
      try {
        reply = await backend.complete(
          {
            prompt: { text: fim ? '' : tok.decode(withoutBos(flat, tok)), ids, fim },
            // Pre-warming asks for no tokens; not every server takes 0.
            maxTokens: Math.max(1, options.maxTokens ?? 64),
            stop,
          },
          live.signal,
        );
      } catch (error) {
        if (live.signal?.aborted) return cancelled();
        throw error;
      }
      engine.last = {
        reply,
        promptTokens: flat.length,
        sentAs: fim ? 'fim parts' : ids ? 'ids' : 'text',
      };
      const total = performance.now() - t0;
      return {
        text: reply.text,
        tokens: reply.tokens ?? [],
        stopReason: reply.stopReason,
        promptTokens: reply.promptTokens ?? flat.length,
        reusedTokens: reply.cachedTokens ?? 0,
        cacheUnknown: reply.cachedTokens === undefined,
        movedTokens: 0,
        prefillMs: reply.prefillMs ?? total,
        decodeMs: reply.decodeMs ?? 0,
        provider: backend.kind,
      };
    },
  };
  return engine;
}
