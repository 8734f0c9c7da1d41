// The benchmark report as data (what the page, the SVG files and the exports are made from), the
// charts drawn from it, the best method per budget (`auto`), and the HTML page that shows it: the data
// sits in a JSON script tag and media/report.css + dist/report.js draw it, inline for a standalone
// file or linked (with a nonce) for a webview.

import { extensionFactor, isRopeMethod, type RopeMethod } from '../model/rope-methods';
import type { NeedleRow, PerplexityRow, SummaryRow } from './results';
import { escapeXml, heatMap, lineChart } from './svg-chart';

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

export interface ReportData {
  meta: {
    repository: string;
    model: string;
    trainLength: number;
    createdAt: string;
    tasks: number;
    wallMs: number;
    plan: Record<string, unknown>;
    notes: string[];
  };
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

export interface Chart {
  id: string;
  title: string;
  svg: string;
}

const LABELS: Record<Metric, string> = {
  exactMatch: 'exact match',
  editSimilarity: 'edit similarity',
  identifierMatch: 'identifier F1',
  passAt1: 'pass@1',
};

/** Every chart of the report: per strategy, `metric` vs budget by method; strategies compared; perplexity; needle heat maps. */
export function reportCharts(data: ReportData, metric: Metric = 'editSimilarity'): Chart[] {
  const charts: Chart[] = [];
  const all = data.summary.filter((r) => r.level === 'all');
  const strategies = [...new Set(all.map((r) => r.strategy))];
  const ropes = [...new Set(all.map((r) => r.rope))];
  for (const strategy of strategies) {
    const series = ropes.map((rope) => ({
      name: rope,
      points: all
        .filter((r) => r.strategy === strategy && r.rope === rope)
        .map((r) => ({ x: r.budget, y: r[metric] ?? NaN })),
    }));
    charts.push({
      id: `${metric}-${strategy}`,
      title: `${LABELS[metric]} vs context budget — ${strategy}`,
      svg: lineChart({
        title: `${LABELS[metric]} — ${strategy} context`,
        xLabel: 'context budget (tokens)',
        yLabel: LABELS[metric],
        series,
        logX: true,
        yRange: [0, 1],
      }),
    });
  }
  if (data.gains.length && strategies.length > 1) {
    const series = strategies.map((s) => ({
      name: s,
      points: data.gains.map((g) => ({ x: g.budget, y: g.editSimilarity[s] ?? NaN })),
    }));
    charts.push({
      id: 'strategies',
      title: "context strategies at each budget's best method",
      svg: lineChart({
        title: 'edit similarity by context strategy (best method per budget)',
        xLabel: 'context budget (tokens)',
        yLabel: 'edit similarity',
        series,
        logX: true,
        yRange: [0, 1],
      }),
    });
  }
  if (data.perplexity.length) {
    const series = [...new Set(data.perplexity.map((p) => p.rope))].map((rope) => ({
      name: rope,
      points: data.perplexity
        .filter((p) => p.rope === rope)
        .map((p) => ({ x: p.length, y: p.perplexity })),
    }));
    // Differences between methods are a few percent: the axis spans the data, not zero to the top.
    const ppl = data.perplexity.map((p) => p.perplexity).filter(Number.isFinite);
    const yRange: [number, number] = [Math.min(...ppl) * 0.97, Math.max(...ppl) * 1.03];
    charts.push({
      id: 'perplexity',
      title: 'perplexity vs context length',
      svg: lineChart({
        title: `perplexity vs length (trained at ${data.meta.trainLength})`,
        xLabel: 'window length (tokens)',
        yLabel: 'perplexity',
        series,
        logX: true,
        yRange,
      }),
    });
  }
  for (const rope of [...new Set(data.needles.map((n) => n.rope))]) {
    const rows = data.needles.filter((n) => n.rope === rope);
    const xs = [...new Set(rows.map((r) => r.length))].sort((a, b) => a - b);
    const ys = [...new Set(rows.map((r) => r.depth))].sort((a, b) => a - b);
    charts.push({
      id: `needle-${rope}`,
      title: `needle accuracy — ${rope}`,
      svg: heatMap({
        title: `needle accuracy — ${rope}`,
        xLabel: 'prompt length',
        yLabel: 'depth',
        xs,
        ys,
        value: (x, y) => rows.find((r) => r.length === x && r.depth === y)?.accuracy,
      }),
    });
  }
  // The value's probability shows retrieval where greedy accuracy is all zeros; one scale for all methods.
  const maxProbability = Math.max(
    1e-9,
    ...data.needles.map((n) => n.valueProbability).filter(Number.isFinite),
  );
  for (const rope of [...new Set(data.needles.map((n) => n.rope))]) {
    const rows = data.needles.filter((n) => n.rope === rope);
    const xs = [...new Set(rows.map((r) => r.length))].sort((a, b) => a - b);
    const ys = [...new Set(rows.map((r) => r.depth))].sort((a, b) => a - b);
    charts.push({
      id: `needle-probability-${rope}`,
      title: `needle value probability — ${rope}`,
      svg: heatMap({
        title: `value probability per token — ${rope}`,
        xLabel: 'prompt length',
        yLabel: 'depth',
        xs,
        ys,
        scaleMax: maxProbability,
        value: (x, y) => rows.find((r) => r.length === x && r.depth === y)?.valueProbability,
      }),
    });
  }
  return charts;
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
