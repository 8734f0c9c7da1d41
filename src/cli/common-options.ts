// Option declarations several commands share: model, provider, KV type, index, cursor, strategy, output.

import { CONTEXT_STRATEGIES, type ContextStrategy } from '../context/proposals';
import { KV_TYPE_SETTINGS } from '../model/kv-type';
import { PROVIDER_SETTINGS } from '../model/providers';
import type { OptionSpec } from './args';

export const STRATEGIES: readonly ContextStrategy[] = CONTEXT_STRATEGIES;

export const JSON_OPTION: OptionSpec = {
  name: 'json',
  kind: 'flag',
  description: 'print JSON instead of text',
};

export const MODEL_DIR_OPTION: OptionSpec = {
  name: 'model',
  kind: 'string',
  value: 'PATH',
  description:
    'a GGUF file, or a model folder (model.gguf; or model.onnx, tokenizer.json, model-card.json)',
  defaultText: 'the bundled model',
};

/** For commands that run the model: where, and whether to show why other providers were skipped. */
export const PROVIDER_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'provider',
    kind: 'string',
    value: 'P',
    choices: PROVIDER_SETTINGS,
    default: 'auto',
    description: 'where the model runs; auto tries the GPU providers, then the CPU',
  },
  {
    name: 'verbose',
    kind: 'flag',
    description: 'say why each execution provider that was tried was not used',
  },
];

/** The KV cache's element type, for commands that run the model (ropewalk.kvCacheType in the editor). */
export const KV_TYPE_OPTION: OptionSpec = {
  name: 'kv-type',
  kind: 'string',
  value: 'T',
  choices: KV_TYPE_SETTINGS,
  default: 'auto',
  description:
    'KV cache element type; auto: float16 where the model has an fp16-KV graph and the fp32 cache would pass 1 GiB or not fit',
};

export const MODEL_OPTIONS: readonly OptionSpec[] = [
  MODEL_DIR_OPTION,
  ...PROVIDER_OPTIONS,
  KV_TYPE_OPTION,
];

export const ROPE_FACTORS_OPTION: OptionSpec = {
  name: 'rope-factors',
  kind: 'string',
  value: 'FILE',
  description: "LongRoPE's short/long per-pair factors (JSON)",
};

/** How the repository is indexed; the cache never lives in the repository. */
export const INDEX_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'max-files',
    kind: 'int',
    min: 1,
    default: 20_000,
    description: 'most source files indexed',
  },
  {
    name: 'workers',
    kind: 'int',
    min: 1,
    max: 256,
    defaultText: 'the number of CPUs',
    description: 'parsing worker threads',
  },
  {
    name: 'cache',
    kind: 'string',
    value: 'DIR',
    defaultText: '~/.cache/ropewalk',
    description: 'where the persisted index is kept',
  },
  { name: 'no-cache', kind: 'flag', description: 'index from nothing and persist nothing' },
];

/** A position in a file; the current directory is the repository root. */
export const CURSOR_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'file',
    kind: 'string',
    value: 'F',
    required: true,
    description: 'the file, relative to the current directory, which is the repository root',
  },
  { name: 'line', kind: 'int', value: 'L', min: 1, required: true, description: 'line, from 1' },
  {
    name: 'column',
    kind: 'int',
    value: 'C',
    min: 1,
    required: true,
    description: 'column, from 1',
  },
];

export function strategyOption(fallback: ContextStrategy = 'ast'): OptionSpec {
  return {
    name: 'strategy',
    kind: 'string',
    value: 'S',
    choices: STRATEGIES,
    default: fallback,
    description: 'what repository context goes into the prompt; infile: the file alone',
  };
}

export function budgetOption(fallback: number | string): OptionSpec {
  return {
    name: 'budget',
    kind: 'int',
    min: 16,
    description: 'prompt tokens',
    ...(typeof fallback === 'number' ? { default: fallback } : { defaultText: fallback }),
  };
}

export const SEED_OPTION: OptionSpec = {
  name: 'seed',
  kind: 'int',
  min: 0,
  default: 1,
  description: 'seed of the random choices',
};
