import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heatMap, lineChart } from '../../src/bench/svg-chart';
import {
  jsonForScript,
  renderReportHtml,
  reportCharts,
  type ReportData,
} from '../../src/bench/report';

/** Well-formedness as far as these charts go: every tag closed in order, attributes quoted, entities known. */
function assertWellFormed(svg: string): void {
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (close)
      assert.equal(stack.pop(), name, `</${name}> closes ${stack[stack.length] ?? 'nothing'}`);
    else if (!selfClose) stack.push(name as string);
  }
  assert.deepEqual(stack, []);
  const tags = svg.match(/<[^>]*>/g) ?? [];
  const parsed = [...svg.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)]
    .length;
  assert.equal(parsed, tags.length, 'a tag did not parse');
  for (const e of svg.match(/&[^;\s]*;?/g) ?? []) assert.match(e, /^&(amp|lt|gt|quot|apos);$/);
}

const data: ReportData = {
  meta: {
    repository: 'demo<&>',
    model: 'm',
    trainLength: 1024,
    createdAt: 'now',
    tasks: 2,
    wallMs: 1000,
    plan: {},
    notes: ['n'],
  },
  summary: [
    {
      strategy: 'ast',
      rope: 'none',
      budget: 1024,
      level: 'all',
      n: 2,
      exactMatch: 0.5,
      editSimilarity: 0.6,
      identifierMatch: 0.7,
      passAt1: null,
      meanLatencyMs: 5,
    },
    {
      strategy: 'ast',
      rope: 'yarn',
      budget: 2048,
      level: 'all',
      n: 2,
      exactMatch: 0.5,
      editSimilarity: 0.65,
      identifierMatch: 0.7,
      passAt1: null,
      meanLatencyMs: 5,
    },
    {
      strategy: 'infile',
      rope: 'yarn',
      budget: 2048,
      level: 'all',
      n: 2,
      exactMatch: 0,
      editSimilarity: 0.4,
      identifierMatch: 0.2,
      passAt1: null,
      meanLatencyMs: 5,
    },
  ],
  needles: [
    { rope: 'yarn', length: 2048, depth: 0.5, n: 2, accuracy: 0.5, valueProbability: 0.2 },
    { rope: 'yarn', length: 1024, depth: 0, n: 2, accuracy: 1, valueProbability: 0.9 },
  ],
  perplexity: [
    { rope: 'none', length: 512, perplexity: 30, nll: 3.4 },
    { rope: 'none', length: 2048, perplexity: 90, nll: 4.5 },
  ],
  best: { 2048: { method: 'yarn', factor: 2, score: 0.5 } },
  gains: [
    {
      budget: 2048,
      rope: 'yarn',
      editSimilarity: { ast: 0.65, infile: 0.4 },
      astOverInfile: 0.25,
      astOverJaccard: null,
    },
  ],
};

test('line charts and heat maps are well-formed SVG, names escaped', () => {
  const line = lineChart({
    title: 'a < b & "c"',
    xLabel: 'x',
    yLabel: 'y',
    logX: true,
    series: [
      {
        name: 'yarn',
        points: [
          { x: 1024, y: 0.5 },
          { x: 4096, y: 0.7 },
        ],
      },
      { name: 'n&n', points: [{ x: 2048, y: NaN }] },
    ],
  });
  assertWellFormed(line);
  assert.match(line, /<polyline/);
  assert.ok(line.includes('a &lt; b &amp; &quot;c&quot;'));
  const heat = heatMap({
    title: 'needle',
    xLabel: 'length',
    yLabel: 'depth',
    xs: [1024, 2048],
    ys: [0, 0.5],
    value: (x, y) => (x === 1024 ? 1 : y === 0 ? 0 : undefined),
  });
  assertWellFormed(heat);
  assert.equal((heat.match(/<rect /g) ?? []).length, 5); // background + 4 cells
  for (const c of reportCharts(data)) assertWellFormed(c.svg);
  assert.deepEqual(
    reportCharts(data).map((c) => c.id),
    [
      'editSimilarity-ast',
      'editSimilarity-infile',
      'strategies',
      'perplexity',
      'needle-yarn',
      'needle-probability-yarn',
    ],
  );
});

test('the report page carries its data in a JSON script tag and no inline handlers', () => {
  const html = renderReportHtml(
    { ...data, meta: { ...data.meta, notes: ['</script><script>alert(1)</script>'] } },
    {
      inline: false,
      scriptUri: 'r.js',
      styleUri: 'r.css',
      nonce: 'abc',
      cspSource: 'vscode-resource:',
    },
  );
  const m = html.match(
    /<script type="application\/json" id="ropewalk-bench-data">([^<]*)<\/script>/,
  );
  assert.ok(m, 'data tag');
  assert.equal(JSON.parse(m?.[1] as string).meta.notes[0], '</script><script>alert(1)</script>');
  assert.doesNotMatch(html, /\son[a-z]+=/i);
  assert.match(html, /script-src 'nonce-abc'/);
  assert.match(html, /<script nonce="abc" src="r.js"><\/script>/);
  assert.equal(JSON.parse(jsonForScript({ a: '<&>' })).a, '<&>');
});
