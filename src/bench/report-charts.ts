// The report's charts as SVG, from its data; the browser page draws them too, so no node imports.

import type { NeedleRow, SummaryRow } from './results';
import type { Metric, ReportData } from './report';
import { heatMap, lineChart } from './svg-chart';

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

/** Per strategy, `metric` against budget with one line per method: how each method holds up with length. */
function metricCharts(all: SummaryRow[], metric: Metric): Chart[] {
  const ropes = [...new Set(all.map((r) => r.rope))];
  return [...new Set(all.map((r) => r.strategy))].map((strategy) => {
    const series = ropes.map((rope) => ({
      name: rope,
      points: all
        .filter((r) => r.strategy === strategy && r.rope === rope)
        .map((r) => ({ x: r.budget, y: r[metric] ?? NaN })),
    }));
    return {
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
    };
  });
}

/** The context strategies side by side, each at its budget's best method. */
function strategiesChart(data: ReportData, strategies: string[]): Chart {
  const series = strategies.map((s) => ({
    name: s,
    points: data.gains.map((g) => ({ x: g.budget, y: g.editSimilarity[s] ?? NaN })),
  }));
  return {
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
  };
}

/** Perplexity against window length, one line per method. */
function perplexityChart(data: ReportData): Chart {
  const series = [...new Set(data.perplexity.map((p) => p.rope))].map((rope) => ({
    name: rope,
    points: data.perplexity
      .filter((p) => p.rope === rope)
      .map((p) => ({ x: p.length, y: p.perplexity })),
  }));
  // Differences between methods are a few percent: the axis spans the data, not zero to the top.
  const ppl = data.perplexity.map((p) => p.perplexity).filter(Number.isFinite);
  const yRange: [number, number] = [Math.min(...ppl) * 0.97, Math.max(...ppl) * 1.03];
  return {
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
  };
}

/** Both needle heat maps share their grid: a method's rows with the lengths and depths it was run at. */
function needleGrid(needles: NeedleRow[], rope: string) {
  const rows = needles.filter((n) => n.rope === rope);
  const xs = [...new Set(rows.map((r) => r.length))].sort((a, b) => a - b);
  const ys = [...new Set(rows.map((r) => r.depth))].sort((a, b) => a - b);
  const at = (x: number, y: number) => rows.find((r) => r.length === x && r.depth === y);
  return { xs, ys, at };
}

/** Per method, heat maps of needle accuracy, then of the value's probability, over length × depth. */
function needleCharts(needles: NeedleRow[]): Chart[] {
  const ropes = [...new Set(needles.map((n) => n.rope))];
  const accuracy = ropes.map((rope): Chart => {
    const { xs, ys, at } = needleGrid(needles, rope);
    return {
      id: `needle-${rope}`,
      title: `needle accuracy — ${rope}`,
      svg: heatMap({
        title: `needle accuracy — ${rope}`,
        xLabel: 'prompt length',
        yLabel: 'depth',
        xs,
        ys,
        value: (x, y) => at(x, y)?.accuracy,
      }),
    };
  });
  // The value's probability shows retrieval where greedy accuracy is all zeros; one scale for all methods.
  const maxProbability = Math.max(
    1e-9,
    ...needles.map((n) => n.valueProbability).filter(Number.isFinite),
  );
  const probability = ropes.map((rope): Chart => {
    const { xs, ys, at } = needleGrid(needles, rope);
    return {
      id: `needle-probability-${rope}`,
      title: `needle value probability — ${rope}`,
      svg: heatMap({
        title: `value probability per token — ${rope}`,
        xLabel: 'prompt length',
        yLabel: 'depth',
        xs,
        ys,
        scaleMax: maxProbability,
        value: (x, y) => at(x, y)?.valueProbability,
      }),
    };
  });
  return [...accuracy, ...probability];
}

/** Every chart of the report: per strategy, `metric` vs budget by method; strategies compared; perplexity; needle heat maps. */
export function reportCharts(data: ReportData, metric: Metric = 'editSimilarity'): Chart[] {
  const all = data.summary.filter((r) => r.level === 'all');
  const strategies = [...new Set(all.map((r) => r.strategy))];
  const charts = metricCharts(all, metric);
  if (data.gains.length && strategies.length > 1) charts.push(strategiesChart(data, strategies));
  if (data.perplexity.length) charts.push(perplexityChart(data));
  charts.push(...needleCharts(data.needles));
  return charts;
}
