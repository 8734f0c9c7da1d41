// The benchmark's report as data, assembled from a run's outcome: summary, needles, perplexity, best, gains, notes.

import {
  bestPerBudget,
  strategyGains,
  type ReportData,
  type ServerMeta,
  type ServerRow,
} from './report';
import {
  summarize,
  summarizeNeedles,
  summarizePerplexity,
  type BenchRecord,
  type CompletionRecord,
  type NeedleRecord,
  type PerplexityRecord,
} from './results';
import type { BenchPlan } from './runner';
import { quantile } from './stats';

export interface ReportInputs {
  /** The repository's folder name (never its full path: the report may be shared). */
  repository: string;
  model: { name: string; trainLength: number };
  plan: BenchPlan;
  tasks: number;
  wallMs: number;
  records: readonly BenchRecord[];
  cancelled: boolean;
  /** Notes from the run itself (why passAt1 is null, …), shown before the standing ones. */
  notes?: readonly string[];
  createdAt?: Date;
  /** The server, when the completions came from one (`bench --backend`). */
  server?: ServerMeta;
}

/** Notes every report carries: how the figures were made. */
export const STANDING_NOTES: readonly string[] = [
  "Each method runs at factor budget / training length (1 within it); at factor 1 methods whose RoPE plan equals an earlier one's share its results.",
  'The best method per budget is the one with the best edit similarity; methods within two standard errors of it are told apart by perplexity at the nearest probe length.',
  'Identifier match is the F1 of identifier multisets (CrossCodeEval ID-F1); exact match and edit similarity compare whitespace-trimmed text.',
];

/** What a server run's figures are: its notes instead of the standing ones on RoPE methods. */
export const SERVER_NOTES: readonly string[] = [
  "The RoPE-method axis does not apply: the server applies its own RoPE scaling (rows say rope 'server'), and no best method is saved for `auto`.",
  'Latency is per request, as the client saw it (network and queueing included); the cached share is the prompt tokens the server says its prefix cache served, over the cells where it says so.',
  'Prompts are packed as the editor packs them for a remote backend: without token healing, within the server context.',
  'Identifier match is the F1 of identifier multisets (CrossCodeEval ID-F1); exact match and edit similarity compare whitespace-trimmed text.',
];

/** Latency and the server's cache use per budget. */
export function serverRows(records: readonly CompletionRecord[], budgets: number[]): ServerRow[] {
  return budgets.flatMap((budget) => {
    const g = records.filter((r) => r.budget === budget);
    if (g.length === 0) return [];
    const told = g.filter((r) => !r.cacheUnknown);
    const prompt = told.reduce((a, r) => a + r.promptTokens, 0);
    const latencies = g.map((r) => r.latencyMs);
    return [
      {
        budget,
        n: g.length,
        p50LatencyMs: quantile(latencies, 0.5),
        p95LatencyMs: quantile(latencies, 0.95),
        meanPromptTokens: g.reduce((a, r) => a + r.promptTokens, 0) / g.length,
        cachedShare:
          told.length && prompt > 0 ? told.reduce((a, r) => a + r.reusedTokens, 0) / prompt : null,
      },
    ];
  });
}

export const CANCELLED_NOTE =
  'The run was interrupted: these figures cover the cells finished so far.';

export function buildReportData(input: ReportInputs): ReportData {
  const { plan, records } = input;
  const completions = records.filter((r): r is CompletionRecord => r.kind === 'completion');
  const summary = summarize(completions, {
    strategies: plan.strategies,
    ropes: plan.ropes,
    budgets: plan.budgets,
    levels: plan.levels,
  });
  const perplexity = summarizePerplexity(
    records.filter((r): r is PerplexityRecord => r.kind === 'perplexity'),
  );
  const best = bestPerBudget(summary, input.model.trainLength, perplexity);
  const server = input.server;
  return {
    meta: {
      repository: input.repository,
      model: input.model.name,
      trainLength: input.model.trainLength,
      createdAt: (input.createdAt ?? new Date()).toISOString(),
      tasks: input.tasks,
      wallMs: input.wallMs,
      plan: { ...plan },
      notes: [
        ...(input.notes ?? []),
        ...(server ? SERVER_NOTES : STANDING_NOTES),
        ...(input.cancelled ? [CANCELLED_NOTE] : []),
      ],
      ...(server ? { server } : {}),
    },
    ...(server ? { serverRows: serverRows(completions, plan.budgets) } : {}),
    summary,
    needles: summarizeNeedles(records.filter((r): r is NeedleRecord => r.kind === 'needle')),
    perplexity,
    best,
    gains: strategyGains(summary, best),
  };
}
