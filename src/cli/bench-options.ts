// `ropewalk bench`'s options and the benchmark plan made from them (--large swaps the preset).

import { BENCH_DEFAULT, BENCH_LARGE } from '../bench/bench-plans';
import type { BenchPlan } from '../bench/runner';
import { HOLE_LEVELS, type HoleLevel } from '../bench/task-builder';
import type { ContextStrategy } from '../context/proposals';
import { isRopeMethod, ropeMethodNames, type RopeMethod } from '../model/rope';
import { UsageError, type OptionSpec, type ParsedArgs } from './args';
import {
  INDEX_OPTIONS,
  MODEL_OPTIONS,
  ROPE_FACTORS_OPTION,
  SEED_OPTION,
  STRATEGIES,
} from './common-options';

const D = BENCH_DEFAULT;
const L = BENCH_LARGE;
const preset = (d: readonly unknown[] | number, l: readonly unknown[] | number) =>
  `${Array.isArray(d) ? d.join(',') : String(d)}; --large: ${Array.isArray(l) ? l.join(',') : String(l)}`;

export const BENCH_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'budgets',
    kind: 'list',
    item: 'int',
    min: 16,
    value: 'N,N,…',
    defaultText: preset(D.budgets, L.budgets),
    description: 'prompt budgets in tokens',
  },
  {
    name: 'rope',
    kind: 'list',
    value: 'M,M,…|all',
    defaultText: 'all, longrope only with --rope-factors',
    description: 'RoPE methods compared',
  },
  {
    name: 'strategies',
    kind: 'list',
    value: 'S,S,…',
    choices: STRATEGIES,
    defaultText: preset(D.strategies, L.strategies),
    description: 'context strategies compared',
  },
  {
    name: 'levels',
    kind: 'list',
    value: 'L,L,…',
    choices: HOLE_LEVELS,
    default: HOLE_LEVELS,
    description: 'hole sizes cut on the syntax tree',
  },
  {
    name: 'samples',
    kind: 'int',
    min: 1,
    defaultText: preset(D.samples, L.samples),
    description: 'completion tasks; the levels take turns',
  },
  SEED_OPTION,
  {
    name: 'out',
    kind: 'string',
    value: 'DIR',
    defaultText: './ropewalk-bench-REPO',
    description: 'output folder; a rerun resumes from its results.jsonl',
  },
  {
    name: 'max-tokens',
    kind: 'int',
    min: 1,
    max: 4096,
    defaultText: preset(D.maxTokens, L.maxTokens),
    description: 'most tokens generated per task',
  },
  {
    name: 'needle-lengths',
    kind: 'list',
    item: 'int',
    min: 16,
    value: 'N,N,…',
    defaultText: preset(D.needle.lengths, L.needle.lengths),
    description: 'needle probe lengths in tokens',
  },
  {
    name: 'needle-depths',
    kind: 'list',
    item: 'number',
    min: 0,
    max: 1,
    value: 'F,F,…',
    defaultText: preset(D.needle.depths, L.needle.depths),
    description: 'where the needle sits, as fractions of the prompt',
  },
  {
    name: 'needle-trials',
    kind: 'int',
    min: 1,
    defaultText: preset(D.needle.trials, L.needle.trials),
    description: 'needle trials per length and depth',
  },
  {
    name: 'ppl-lengths',
    kind: 'list',
    item: 'int',
    min: 16,
    value: 'N,N,…',
    defaultText: preset(D.perplexity.lengths, L.perplexity.lengths),
    description: 'perplexity probe lengths in tokens',
  },
  {
    name: 'ppl-windows',
    kind: 'int',
    min: 1,
    defaultText: preset(D.perplexity.windows, L.perplexity.windows),
    description: 'perplexity windows per length',
  },
  { name: 'no-needle', kind: 'flag', description: 'skip the needle probe' },
  { name: 'no-perplexity', kind: 'flag', description: 'skip perplexity vs length' },
  {
    name: 'large',
    kind: 'flag',
    description: 'every method, all four strategies, budgets to 32k, more samples',
  },
  ...MODEL_OPTIONS,
  ROPE_FACTORS_OPTION,
  {
    name: 'auto-dir',
    kind: 'string',
    value: 'DIR',
    defaultText: '~/.cache/ropewalk/auto',
    description: "where the best method per budget is saved for the model's auto RoPE setting",
  },
  ...INDEX_OPTIONS,
  {
    name: 'exec',
    kind: 'flag',
    description:
      "pass@1 by running the repository's tests on a scratch copy; only for repositories you trust",
  },
  {
    name: 'test-command',
    kind: 'string',
    value: 'CMD',
    defaultText: 'npm test or pytest, as the repository has',
    description: 'the test command --exec runs',
  },
  {
    name: 'exec-timeout',
    kind: 'int',
    min: 1,
    default: 120,
    description: 'seconds one test run may take',
  },
];

/** --rope's methods, `all` expanded; LongRoPE needs searched factors, so it is only there with a factors file. */
function ropesOf(args: ParsedArgs, hasFactors: boolean): RopeMethod[] {
  const all = ropeMethodNames().filter((m) => m !== 'longrope' || hasFactors);
  if (!args.has('rope')) return all;
  const out = args.strings('rope').flatMap((r): RopeMethod[] => {
    if (r === 'all') return all;
    if (!isRopeMethod(r))
      throw new UsageError(`--rope takes all or ${ropeMethodNames().join(', ')}; got '${r}'`);
    if (r === 'longrope' && !hasFactors)
      throw new UsageError('--rope longrope needs --rope-factors FILE');
    return [r];
  });
  return [...new Set(out)];
}

export function benchPlanOf(args: ParsedArgs, hasFactors: boolean): BenchPlan {
  const p = args.flag('large') ? BENCH_LARGE : BENCH_DEFAULT;
  const ints = (name: string, fallback: number[]) =>
    args.has(name) ? args.numbers(name) : fallback;
  const int = (name: string, fallback: number) => (args.has(name) ? args.int(name) : fallback);
  return {
    budgets: ints('budgets', p.budgets),
    ropes: ropesOf(args, hasFactors),
    strategies: args.has('strategies')
      ? (args.strings('strategies') as ContextStrategy[])
      : p.strategies,
    levels: args.strings('levels') as HoleLevel[],
    samples: int('samples', p.samples),
    seed: args.int('seed'),
    maxTokens: int('max-tokens', p.maxTokens),
    needle: args.flag('no-needle')
      ? null
      : {
          lengths: ints('needle-lengths', p.needle.lengths),
          depths: ints('needle-depths', p.needle.depths),
          trials: int('needle-trials', p.needle.trials),
        },
    perplexity: args.flag('no-perplexity')
      ? null
      : {
          lengths: ints('ppl-lengths', p.perplexity.lengths),
          windows: int('ppl-windows', p.perplexity.windows),
          scoreTokens: 256,
        },
  };
}
