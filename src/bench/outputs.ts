// Writes a finished benchmark's files: summary (JSON, CSV, Markdown), probes, report data, the HTML
// report, each chart as SVG, and the best method per budget (DIR/auto.json and the per-model file
// that the `auto` RoPE setting reads).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveAutoRope, type AutoRopeFile } from './auto-rope';
import { reportCharts, renderReportHtml, type ReportData, type ServerMeta } from './report';
import { toCsv, toMarkdown } from './results';

export interface WrittenFiles {
  files: string[];
  autoFile?: string;
}

/** Markdown of the whole report: the tables the page shows. */
export function reportMarkdown(data: ReportData): string {
  const m = data.meta;
  if (m.server) return serverMarkdown(data, m.server);
  const parts = [
    `# Ropewalk benchmark — ${m.repository}\n`,
    `Model ${m.model} (trained at ${m.trainLength} tokens), ${m.tasks} tasks, ${(m.wallMs / 60000).toFixed(1)} min, ${m.createdAt}.\n`,
    ...m.notes.map((n) => `- ${n}`),
    '',
    '## Best method per budget\n',
    toMarkdown(
      Object.entries(data.best).map(([budget, c]) => ({
        budget: Number(budget),
        method: c.method,
        factor: c.factor,
        editSimilarity: c.score,
      })),
    ),
    '## Context strategies (edit similarity, best method per budget)\n',
    toMarkdown(
      data.gains.map((g) => ({
        budget: g.budget,
        rope: g.rope,
        ...g.editSimilarity,
        astOverInfile: g.astOverInfile,
        astOverJaccard: g.astOverJaccard,
      })),
    ),
    '## Needle accuracy\n',
    toMarkdown(data.needles),
    '## Perplexity\n',
    toMarkdown(data.perplexity),
    '## Summary\n',
    toMarkdown(data.summary),
  ];
  return parts.join('\n');
}

/** A server run's report: the server, its latency and cache use, and the completion cells. */
function serverMarkdown(data: ReportData, server: ServerMeta): string {
  const m = data.meta;
  return [
    `# Ropewalk benchmark — ${m.repository} on ${server.backend}\n`,
    `Server ${server.backend} at ${server.host}, model ${server.model ?? '(not said)'}, ${server.family} prompt format, context ${server.contextTokens ?? '(not said)'} tokens; ${m.tasks} tasks, ${(m.wallMs / 60000).toFixed(1)} min, ${m.createdAt}.\n`,
    ...m.notes.map((n) => `- ${n}`),
    '',
    '## Skipped cells\n',
    toMarkdown(server.skipped),
    '## Latency and cache use per budget\n',
    toMarkdown(data.serverRows ?? []),
    '## Summary\n',
    toMarkdown(data.summary),
  ].join('\n');
}

export function writeBenchOutputs(
  outDir: string,
  data: ReportData,
  options: { modelId: string; autoDir?: string; saveAuto?: boolean; assetsRoot: string },
): WrittenFiles {
  mkdirSync(join(outDir, 'charts'), { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(outDir, name), text);
    files.push(join(outDir, name));
  };
  write('summary.json', JSON.stringify(data.summary, null, 1) + '\n');
  write('summary.csv', toCsv(data.summary));
  write('summary.md', reportMarkdown(data));
  write('needle.json', JSON.stringify(data.needles, null, 1) + '\n');
  write('needle.csv', toCsv(data.needles));
  write('perplexity.json', JSON.stringify(data.perplexity, null, 1) + '\n');
  write('perplexity.csv', toCsv(data.perplexity));
  write('report.json', JSON.stringify(data, null, 1) + '\n');
  const script = readFileSync(join(options.assetsRoot, 'dist', 'report.js'), 'utf8');
  const style = readFileSync(join(options.assetsRoot, 'media', 'report.css'), 'utf8');
  write('report.html', renderReportHtml(data, { inline: true, script, style }));
  for (const chart of reportCharts(data))
    write(join('charts', `${chart.id.replace(/[^A-Za-z0-9._+-]/g, '_')}.svg`), chart.svg + '\n');
  // A server's RoPE is its own: nothing for the `auto` setting.
  if (data.meta.server) return { files };
  const auto: AutoRopeFile = {
    modelId: options.modelId,
    trainLength: data.meta.trainLength,
    metric:
      'editSimilarity (level all, mean over the strategies run); methods within two standard errors told apart by perplexity',
    createdAt: data.meta.createdAt,
    budgets: Object.fromEntries(
      Object.entries(data.best).map(([b, c]) => [
        b,
        { method: c.method, factor: c.factor, score: c.score },
      ]),
    ),
  };
  write('auto.json', JSON.stringify(auto, null, 1) + '\n');
  const autoFile =
    options.saveAuto === false || Object.keys(auto.budgets).length === 0
      ? undefined
      : saveAutoRope(auto, options.autoDir);
  return { files, autoFile };
}
