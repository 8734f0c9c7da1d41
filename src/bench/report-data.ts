// The benchmark's report as data, assembled from a run's outcome: summary, needles, perplexity, best, gains, notes.

import { bestPerBudget, strategyGains, type ReportData } from './report';
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
}

/** Notes every report carries: how the figures were made. */
export const STANDING_NOTES: readonly string[] = [
  "Each method runs at factor budget / training length (1 within it); at factor 1 methods whose RoPE plan equals an earlier one's share its results.",
  'The best method per budget is the one with the best edit similarity; methods within two standard errors of it are told apart by perplexity at the nearest probe length.',
  'Identifier match is the F1 of identifier multisets (CrossCodeEval ID-F1); exact match and edit similarity compare whitespace-trimmed text.',
];

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
        ...STANDING_NOTES,
        ...(input.cancelled ? [CANCELLED_NOTE] : []),
      ],
    },
    summary,
    needles: summarizeNeedles(records.filter((r): r is NeedleRecord => r.kind === 'needle')),
    perplexity,
    best,
    gains: strategyGains(summary, best),
  };
}
