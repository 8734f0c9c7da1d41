// The completion defaults in one place: what the editor, the CLI and the benchmark use when the user
// sets nothing, so that the three never drift apart.

import { type PromptTokenizer } from '../model/tokenizers/load-tokenizer';
import type { ContextStrategy } from '../context/proposals';
import type { RopeMethod } from '../model/rope';
import { completionStopTokens, type CompletionSettings } from './complete-once';
import { chooseRope, type RopeCard, type RopeSetting } from './rope-choice';

/** Tokens in the prompt by device when the budget is left at 0: prefill costs ~4× per doubling on a CPU. */
export function deviceBudget(provider: string): number {
  return provider === 'cpu' ? 4096 : 16384;
}

/**
 * How far past its native context a model runs when the user sets no budget: the ×4 Qwen2.5-Coder
 * documents for YaRN (32k → 128k), and the reach of the benchmark's default grid on the bundled model.
 */
export const DEFAULT_EXTENSION = 4;

/**
 * The prompt budget when the user sets none: the device's, but never more than DEFAULT_EXTENSION × the
 * context the model was trained for (a CodeGemma file, native 8k, is not pushed to 16k on a GPU unasked).
 */
export function defaultBudget(provider: string, nativeContext?: number): number {
  const device = deviceBudget(provider);
  return nativeContext && nativeContext > 0
    ? Math.min(device, DEFAULT_EXTENSION * nativeContext)
    : device;
}

export const DEFAULT_STRATEGY: ContextStrategy = 'ast';

/** Most tokens of a multi-line suggestion (`ropewalk.maxTokens`' default). */
export const DEFAULT_MAX_TOKENS = 64;

/** What the user chose, each part optional: the rest comes from the defaults above. */
export interface SettingsInput {
  /** Tokens; 0 or absent: by device and the model's native context (defaultBudget). */
  budget?: number;
  strategy?: ContextStrategy;
  rope?: RopeSetting;
  maxTokens?: number;
}

/** The settings of one completion: the user's choices over the defaults, the RoPE policy for the budget. */
export function completionSettings(
  input: SettingsInput,
  model: {
    provider: string;
    card: RopeCard;
    tok: PromptTokenizer;
    measuredBest?: (budget: number) => RopeMethod | undefined;
  },
): CompletionSettings {
  const budget = input.budget || defaultBudget(model.provider, model.card.trainLength);
  return {
    budget,
    strategy: input.strategy ?? DEFAULT_STRATEGY,
    rope: chooseRope(input.rope ?? 'auto', budget, model.card, model.measuredBest),
    maxTokens: input.maxTokens ?? DEFAULT_MAX_TOKENS,
    stopTokens: completionStopTokens(model.tok),
  };
}
