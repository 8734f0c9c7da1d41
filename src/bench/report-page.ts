// The report page's script (bundled to dist/report.js for the browser or a webview): reads the data
// from the JSON script tag and draws the charts and tables. No inline handlers, so a strict CSP holds.

import { CONTEXT_STRATEGIES } from '../context/context-strategy';
import { METRICS, reportCharts, type Metric, type ReportData } from './report';
import { escapeXml } from './svg-chart';

// The DOM as far as this page uses it (the project's typecheck has no DOM library).
interface Element {
  textContent: string | null;
  innerHTML: string;
  value: string;
  addEventListener(type: string, listener: () => void): void;
  querySelector(selector: string): Element | null;
}
declare const document: { getElementById(id: string): Element | null };

const pct = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : (100 * v).toFixed(1);

function table(head: string[], rows: (string | number)[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeXml(String(c))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Per method, needle accuracy and value probability within and beyond the training length (n-weighted). */
function needleRows(data: ReportData): string[][] {
  const m = data.meta;
  const beyond = data.needles.filter((n) => n.length > m.trainLength);
  return [...new Set(data.needles.map((n) => n.rope))].map((rope) => {
    const within = data.needles.filter((n) => n.rope === rope && n.length <= m.trainLength);
    const out = beyond.filter((n) => n.rope === rope);
    const acc = (rows: typeof out) =>
      rows.reduce((a, r) => a + r.accuracy * r.n, 0) /
      Math.max(
        1,
        rows.reduce((a, r) => a + r.n, 0),
      );
    const prob = (rows: typeof out) =>
      Math.exp(
        rows.reduce((a, r) => a + Math.log(r.valueProbability) * r.n, 0) /
          Math.max(
            1,
            rows.reduce((a, r) => a + r.n, 0),
          ),
      );
    return [
      rope,
      within.length ? pct(acc(within)) : '—',
      out.length ? pct(acc(out)) : '—',
      within.length ? pct(prob(within)) : '—',
      out.length ? pct(prob(out)) : '—',
    ];
  });
}

/** The charts are redrawn whenever the metric picker changes, so they are drawn apart from the tables. */
function wireCharts(root: Element, data: ReportData): void {
  const charts = root.querySelector('#rw-charts');
  const select = root.querySelector('#rw-metric');
  const draw = () => {
    if (charts)
      charts.innerHTML = reportCharts(data, (select?.value ?? 'editSimilarity') as Metric)
        .map((c) => `<figure>${c.svg}</figure>`)
        .join('');
  };
  select?.addEventListener('change', draw);
  draw();
}

/** A server run's heading: the server (host only), what was skipped, latency and cache use per budget. */
function serverSection(data: ReportData): string | undefined {
  const m = data.meta;
  const sv = m.server;
  if (!sv) return undefined;
  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '—');
  return `<p class="meta">server <b>${escapeXml(sv.backend)}</b> at ${escapeXml(sv.host)} · model <b>${escapeXml(sv.model ?? '(not said)')}</b> · ${escapeXml(sv.family)} prompt format · context ${sv.contextTokens ?? '—'} · ${m.tasks} tasks · ${(m.wallMs / 60000).toFixed(1)} min · ${escapeXml(m.createdAt)}</p>
<h2>Latency and cache use per budget</h2>
${table(
  ['budget', 'n', 'p50 ms', 'p95 ms', 'prompt tokens', 'cached %'],
  (data.serverRows ?? []).map((r) => [
    r.budget,
    r.n,
    ms(r.p50LatencyMs),
    ms(r.p95LatencyMs),
    r.meanPromptTokens.toFixed(0),
    pct(r.cachedShare),
  ]),
)}
<h2>Skipped cells</h2>
${table(
  ['cells', 'reason'],
  sv.skipped.map((x) => [x.cells, x.reason]),
)}`;
}

export function renderReport(root: Element, data: ReportData): void {
  const m = data.meta;
  const best = Object.entries(data.best).map(([b, c]) => [
    b,
    c.method,
    c.factor.toFixed(2),
    pct(c.score),
  ]);
  const gains = data.gains.map((g) => [
    g.budget,
    g.rope,
    ...CONTEXT_STRATEGIES.map((s) => pct(g.editSimilarity[s])),
    g.astOverInfile === null ? '—' : (100 * g.astOverInfile).toFixed(1),
    g.astOverJaccard === null ? '—' : (100 * g.astOverJaccard).toFixed(1),
  ]);
  const needleByRope = needleRows(data);
  root.innerHTML = `
<h1>Ropewalk benchmark — ${escapeXml(m.repository)}</h1>
${serverSection(data) ?? `<p class="meta">model <b>${escapeXml(m.model)}</b> (trained at ${m.trainLength} tokens) · ${m.tasks} tasks · ${(m.wallMs / 60000).toFixed(1)} min · ${escapeXml(m.createdAt)}</p>`}
${m.notes.length ? `<ul class="notes">${m.notes.map((n) => `<li>${escapeXml(n)}</li>`).join('')}</ul>` : ''}
<h2>Best method per budget (auto)</h2>
${table(['budget', 'method', 'factor', 'edit sim. %'], best)}
<h2>Context strategies (edit similarity %, best method at each budget)</h2>
${table(['budget', 'method', ...CONTEXT_STRATEGIES, 'ast − infile', 'ast − jaccard'], gains)}
<h2>Needle in a repository (accuracy %)</h2>
${table(['method', `accuracy ≤ ${m.trainLength}`, `accuracy > ${m.trainLength}`, `value prob. ≤ ${m.trainLength}`, `value prob. > ${m.trainLength}`], needleByRope)}
<h2>Charts</h2>
<label>metric <select id="rw-metric">${METRICS.map((x) => `<option value="${x}">${x}</option>`).join('')}</select></label>
<div id="rw-charts" class="charts"></div>
<h2>All cells</h2>
${table(
  ['strategy', 'rope', 'budget', 'level', 'n', 'EM %', 'ES %', 'ID-F1 %', 'pass@1', 'latency ms'],
  data.summary.map((r) => [
    r.strategy,
    r.rope,
    r.budget,
    r.level,
    r.n,
    pct(r.exactMatch),
    pct(r.editSimilarity),
    pct(r.identifierMatch),
    r.passAt1 === null ? '—' : pct(r.passAt1),
    r.meanLatencyMs.toFixed(0),
  ]),
)}
`;
  wireCharts(root, data);
}

const blob = document.getElementById('ropewalk-bench-data');
const root = document.getElementById('ropewalk-report');
if (blob && root) renderReport(root, JSON.parse(blob.textContent ?? '{}') as ReportData);
