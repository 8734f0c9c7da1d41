// One completion, from a cursor to the text the editor shows: repository context, token healing, the
// request's shape, generation, post-processing. The editor, the CLI's `complete` and the benchmark's
// completion cells all come through here, so what is measured and printed is what users see.

import { type PromptTokenizer } from '../model/tokenizers/load-tokenizer';
import { templateFor } from '../packing/templates';
import type { ContextStrategy } from '../context/proposals';
import { languageForPath } from '../context/languages';
import type { SyntaxLoader } from '../context/syntax';
import type { GenerateResult } from '../model/generate';
import type { WireGenerateOptions } from '../model/inference-protocol';
import type { CompletionLanguage } from './code-text';
import { postProcess, type BlockCheck } from './post-process';
import type { BuiltPrompt, PromptBuilder } from './prompt-builder';
import { requestShape, type RequestShape } from './request-shape';
import type { RopeChoice } from './rope-choice';
import { healCursor, unheal, type HealedCursor } from './token-healing';

/** Single-line suggestions stop at the line's end; a few dozen tokens cover nearly every line. */
export const SINGLE_LINE_MAX_TOKENS = 48;

export interface CompletionEngine {
  generate(
    prompt: number[][],
    rope: Pick<RopeChoice, 'method' | 'options'>,
    options: WireGenerateOptions,
    live: { signal?: AbortSignal },
  ): Promise<GenerateResult & { provider?: string; cacheUnknown?: boolean }>;
}

export interface CompletionSettings {
  budget: number;
  strategy: ContextStrategy;
  rope: RopeChoice;
  /** Most tokens generated for a multi-line suggestion (single-line ones stop at the line's end). */
  maxTokens: number;
  /** Stop tokens besides end of text: the file separator and FIM markers. */
  stopTokens: number[];
  /**
   * Token healing (default on); off for engines that cannot make the output begin with given text
   * (remote servers), which are then prompted with the partial word in place.
   */
  heal?: boolean;
}

export interface CursorRequest {
  /** Repository-relative path ('/'-separated): the prompt's file header and the engine's cache session. */
  path: string;
  text: string;
  /** UTF-16 offset of the cursor in text. */
  offset: number;
  language: CompletionLanguage;
  /** The engine's KV cache session; default the path (one per editor document). */
  session?: string;
}

/** The prompt at a cursor and how its answer will be shaped: everything before the model runs. */
export interface PreparedCompletion {
  request: CursorRequest;
  heal: HealedCursor;
  built: BuiltPrompt;
  shape: RequestShape;
}

export interface CompletionDeps {
  builder: PromptBuilder;
  engine: CompletionEngine;
  /** Grammars for the check that a multi-line suggestion leaves the file parsing; none: no check. */
  loader?: SyntaxLoader;
}

export interface CompletionResult {
  /** What the editor shows; undefined when post-processing leaves nothing worth showing. */
  text: string | undefined;
  /**
   * The model's own text (`ropewalk complete --raw`): it begins with the healed part of the word before
   * the cursor (`name` where the editor shows `me` after `self.na`) and is not post-processed.
   */
  raw: string;
  prepared: PreparedCompletion;
  generation: GenerateResult & { provider?: string; cacheUnknown?: boolean };
}

/** Builds the healed prompt and the request's shape. Pure apart from the builder's token caches. */
export function prepareCompletion(
  req: CursorRequest,
  settings: Pick<CompletionSettings, 'budget' | 'strategy' | 'heal'>,
  builder: PromptBuilder,
): PreparedCompletion {
  const heal =
    settings.heal === false
      ? { text: req.text, offset: req.offset, healed: '' }
      : healCursor(req.text, req.offset);
  const built = builder.build({
    path: req.path,
    text: heal.text,
    offset: heal.offset,
    budget: settings.budget,
    strategy: settings.strategy,
  });
  const shape = requestShape(
    req.text.slice(0, req.offset),
    req.text.slice(req.offset),
    req.language,
  );
  return { request: req, heal, built, shape };
}

/** Runs a prepared prompt through the engine and shapes the answer; undefined when cancelled. */
export async function finishCompletion(
  prepared: PreparedCompletion,
  settings: CompletionSettings,
  deps: Pick<CompletionDeps, 'engine' | 'loader'>,
  signal?: AbortSignal,
): Promise<CompletionResult | undefined> {
  const { request: req, heal, built, shape } = prepared;
  const generation = await deps.engine.generate(
    built.packed.segments,
    settings.rope,
    {
      maxTokens:
        shape.mode === 'single-line'
          ? Math.min(SINGLE_LINE_MAX_TOKENS, settings.maxTokens)
          : settings.maxTokens,
      stop: shape.stop,
      stopTokens: settings.stopTokens,
      session: req.session ?? req.path,
      startsWith: heal.healed,
    },
    { signal },
  );
  if (generation.stopReason === 'cancelled' || signal?.aborted) return undefined;
  const raw = generation.text;
  const prefix = req.text.slice(0, req.offset);
  const suffix = req.text.slice(req.offset);
  const text = postProcess(
    { raw: unheal(raw, heal.healed), prefix, suffix, language: req.language, mode: shape.mode },
    {
      maxLines: shape.maxLines,
      isCompleteBlock:
        shape.mode === 'multi-line' ? blockCheck(deps.loader, req.path, prefix, suffix) : undefined,
    },
  );
  return { text, raw, prepared, generation };
}

/** The whole path: prompt, generation, post-processing. */
export async function completeOnce(
  req: CursorRequest,
  settings: CompletionSettings,
  deps: CompletionDeps,
  signal?: AbortSignal,
): Promise<CompletionResult | undefined> {
  return finishCompletion(prepareCompletion(req, settings, deps.builder), settings, deps, signal);
}

/** Multi-line suggestions are kept to the longest cut that leaves the file parsing cleanly. */
function blockCheck(
  loader: SyntaxLoader | undefined,
  path: string,
  prefix: string,
  suffix: string,
): BlockCheck | undefined {
  const spec = languageForPath(path);
  if (!loader || !spec) return undefined;
  return (candidate) => loader.parsesCleanly(spec, prefix + candidate + suffix) ?? true;
}

/**
 * The tokens that end a completion besides the model's own end tokens: the family's template names
 * them (a new file or any FIM marker means the middle is over), so markers never reach a suggestion.
 */
export function completionStopTokens(tok: PromptTokenizer): number[] {
  return [...templateFor(tok).stopTokens];
}
