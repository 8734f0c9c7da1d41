// The benchmark report as data (what the page, the SVG files and the exports are made from; the
// charts drawn from it live in report-charts.ts), the best method per budget (`auto`), and the HTML
// page that shows it: the data sits in a JSON script tag and media/report.css + dist/report.js draw
// it, inline for a standalone file or linked (with a nonce) for a webview.

import { extensionFactor, isRopeMethod, type RopeMethod } from '../model/rope-methods';
import type { NeedleRow, PerplexityRow, SummaryRow } from './results';
import { escapeXml } from './svg-chart';

// Re-exported so the report's importers keep one entry point for data and charts.
export { reportCharts, type Chart } from './report-charts';

export type Metric = 'exactMatch' | 'editSimilarity' | 'identifierMatch' | 'passAt1';
export const METRICS: Metric[] = ['editSimilarity', 'exactMatch', 'identifierMatch', 'passAt1'];

export interface StrategyGain {
  budget: number;
  /** The method the comparison is made with: the best one at this budget. */
  rope: string;
  /** Strategy → editSimilarity (level all). */
  editSimilarity: Record<string, number>;
  astOverInfile: number | null;
  astOverJaccard: number | null;
}

/** The server a remote benchmark ran on: what the report may say of it (never a key or a full URL). */
export interface ServerMeta {
  backend: string;
  /** The endpoint's host and port only: no scheme's credentials, path or query. */
  host: string;
  /** The model the server says it runs; null when it does not say. */
  model: string | null;
  /** The prompt format Ropewalk used for it. */
  family: string;
  /** The server's context per request; null when it does not say. */
  contextTokens: number | null;
  /** Cells of the local benchmark not run on a server, and why. */
  skipped: { cells: string; reason: string }[];
}

/** Per budget: how long the server took per completion and how much of the prompts its cache served. */
export interface ServerRow {
  budget: number;
  n: number;
  p50LatencyMs: number;
  p95LatencyMs: number;
  meanPromptTokens: number;
  /** Cached prompt tokens ÷ prompt tokens over the cells where the server reported it; null: never. */
  cachedShare: number | null;
}

export interface ReportData {
  meta: {
    repository: string;
    model: string;
    /** The model's training length; for a server, its context per request. */
    trainLength: number;
    createdAt: string;
    tasks: number;
    wallMs: number;
    plan: Record<string, unknown>;
    notes: string[];
    /** Set when the completions came from an inference server (`bench --backend`). */
    server?: ServerMeta;
  };
  /** Latency and cache use per budget, for a server run. */
  serverRows?: ServerRow[];
  summary: SummaryRow[];
  needles: NeedleRow[];
  perplexity: PerplexityRow[];
  /** Budget → best method (see bestPerBudget). */
  best: Record<string, { method: RopeMethod; factor: number; score: number }>;
  gains: StrategyGain[];
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/**
 * Per budget, the method with the highest edit similarity (level all) averaged over the strategies
 * run; ties go to the one listed first (`none` first means no extension unless it helps).
 */
/** A typical per-task standard deviation of edit similarity: differences under two standard errors are noise. */
const ES_SPREAD = 0.2;

/**
 * The method to use at each budget: the best mean edit similarity, unless other methods are within two
 * standard errors of it (likely with few tasks or a weak model); then, of those, the one with the lowest
 * perplexity at the probe length nearest the budget, which measures length extension with many more
 * tokens. The score stays the chosen method's edit similarity.
 */
export function bestPerBudget(
  summary: SummaryRow[],
  trainLength: number,
  perplexity: PerplexityRow[] = [],
): ReportData['best'] {
  const all = summary.filter((r) => r.level === 'all');
  const best: ReportData['best'] = {};
  for (const budget of [...new Set(all.map((r) => r.budget))].sort((a, b) => a - b)) {
    const scored: { method: RopeMethod; score: number; n: number }[] = [];
    for (const rope of [...new Set(all.map((r) => r.rope))].filter(isRopeMethod)) {
      const rows = all.filter((r) => r.budget === budget && r.rope === rope);
      const score = mean(rows.map((r) => r.editSimilarity));
      if (Number.isFinite(score))
        scored.push({ method: rope, score, n: rows.reduce((a, r) => a + r.n, 0) });
    }
    scored.sort((a, b) => b.score - a.score);
    const top = scored[0];
    if (!top) continue;
    const margin = (2 * ES_SPREAD) / Math.sqrt(Math.max(1, top.n));
    const tied = scored.filter((x) => top.score - x.score <= margin);
    const lengths = [...new Set(perplexity.map((p) => p.length))];
    const nearest = lengths.sort((a, b) => Math.abs(a - budget) - Math.abs(b - budget) || b - a)[0];
    const ppl = (m: string) =>
      perplexity.find((p) => p.rope === m && p.length === nearest)?.perplexity ?? Infinity;
    const pick =
      tied.length > 1 && nearest !== undefined
        ? ([...tied].sort(
            (a, b) => ppl(a.method) - ppl(b.method) || b.score - a.score,
          )[0] as typeof top)
        : top;
    best[String(budget)] = {
      method: pick.method,
      factor: extensionFactor(budget, trainLength),
      score: pick.score,
    };
  }
  return best;
}

/** AST context against in-file and Jaccard context at each budget, with that budget's best method. */
export function strategyGains(summary: SummaryRow[], best: ReportData['best']): StrategyGain[] {
  const out: StrategyGain[] = [];
  for (const [b, choice] of Object.entries(best)) {
    const budget = Number(b);
    const es: Record<string, number> = {};
    for (const r of summary)
      if (r.level === 'all' && r.budget === budget && r.rope === choice.method)
        es[r.strategy] = r.editSimilarity;
    const diff = (a: string, c: string) =>
      es[a] !== undefined && es[c] !== undefined ? es[a] - es[c] : null;
    out.push({
      budget,
      rope: choice.method,
      editSimilarity: es,
      astOverInfile: diff('ast', 'infile'),
      astOverJaccard: diff('ast', 'jaccard'),
    });
  }
  return out;
}

/** How the page gets its script and style: inline (a standalone file) or linked with a nonce (a webview's CSP). */
export type ReportAssets =
  | { inline: true; script: string; style: string }
  | { inline: false; scriptUri: string; styleUri: string; nonce: string; cspSource: string };

/** JSON that is safe inside a script element (no `</script>`, no HTML comment openers). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function renderReportHtml(data: ReportData, assets: ReportAssets): string {
  const csp = assets.inline
    ? `default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'`
    : `default-src 'none'; img-src ${assets.cspSource} data:; style-src ${assets.cspSource}; script-src 'nonce-${assets.nonce}'`;
  const style = assets.inline
    ? `<style>\n${assets.style}\n</style>`
    : `<link rel="stylesheet" href="${escapeXml(assets.styleUri)}">`;
  const script = assets.inline
    ? `<script>\n${assets.script.replace(/<\/script/gi, '<\\/script')}\n</script>`
    : `<script nonce="${escapeXml(assets.nonce)}" src="${escapeXml(assets.scriptUri)}"></script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ropewalk benchmark — ${escapeXml(data.meta.repository)}</title>
${style}
</head>
<body>
<main id="ropewalk-report"><noscript>This report draws its charts with a script; summary.md holds the same figures as text.</noscript></main>
<script type="application/json" id="ropewalk-bench-data">${jsonForScript(data)}</script>
${script}
</body>
</html>
`;
}
