// Charts as SVG text, written here (no library): line charts and heat maps. Pure functions of the data,
// so the CLI writes them to files and the report page draws the same ones.

export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Log₂ x axis (context lengths double). */
  logX?: boolean;
  /** Fixed y range; default: from the data (0–1 metrics pass [0, 1]). */
  yRange?: [number, number];
  width?: number;
  height?: number;
}

const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const fmt = (v: number) =>
  Math.abs(v) >= 1000
    ? `${Math.round(v / 1024)}k`
    : Math.abs(v) >= 10
      ? v.toFixed(0)
      : v.toFixed(2);

export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 560;
  const height = spec.height ?? 320;
  const m = { left: 56, right: 130, top: 32, bottom: 44 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const xs = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p.x)))].sort(
    (a, b) => a - b,
  );
  const ys = spec.series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  const tx = (x: number) => (spec.logX ? Math.log2(Math.max(x, 1e-9)) : x);
  const x0 = xs.length ? tx(xs[0] as number) : 0;
  const x1 = xs.length ? tx(xs[xs.length - 1] as number) : 1;
  let [y0, y1] = spec.yRange ?? [Math.min(0, ...ys), Math.max(1e-9, ...ys)];
  if (y1 <= y0) y1 = y0 + 1;
  const px = (x: number) => m.left + (x1 === x0 ? pw / 2 : ((tx(x) - x0) / (x1 - x0)) * pw);
  const py = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<title>${escapeXml(spec.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="${m.left}" y="18" font-size="13" font-weight="bold">${escapeXml(spec.title)}</text>`,
  );
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    out.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#e0e0e0"/>`,
    );
    out.push(
      `<text x="${m.left - 6}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end">${escapeXml(fmt(y))}</text>`,
    );
  }
  for (const x of xs) {
    out.push(
      `<line x1="${px(x).toFixed(1)}" x2="${px(x).toFixed(1)}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#333"/>`,
    );
    out.push(
      `<text x="${px(x).toFixed(1)}" y="${m.top + ph + 16}" text-anchor="middle">${escapeXml(fmt(x))}</text>`,
    );
  }
  out.push(
    `<line x1="${m.left}" x2="${m.left + pw}" y1="${m.top + ph}" y2="${m.top + ph}" stroke="#333"/>`,
  );
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" stroke="#333"/>`);
  out.push(
    `<text x="${m.left + pw / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  spec.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length] as string;
    const pts = s.points.filter((p) => Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
    if (pts.length > 1)
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`,
      );
    for (const p of pts)
      out.push(
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${color}"><title>${escapeXml(`${s.name} @ ${p.x}: ${p.y.toFixed(3)}`)}</title></circle>`,
      );
    const ly = m.top + 8 + i * 16;
    out.push(
      `<line x1="${m.left + pw + 12}" x2="${m.left + pw + 30}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${m.left + pw + 34}" y="${ly + 4}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

export interface HeatMapSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  xs: number[];
  ys: number[];
  /** Value at (x, y), or undefined where there is none. */
  value: (x: number, y: number) => number | undefined;
  /** The value shown darkest (default 1; values are shaded from 0 to it). */
  scaleMax?: number;
  width?: number;
  height?: number;
}

/** White (0) to dark blue (1). */
function shade(v: number): string {
  const t = Math.min(1, Math.max(0, v));
  const c = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${c(247, 8)},${c(251, 48)},${c(255, 107)})`;
}

export function heatMap(spec: HeatMapSpec): string {
  const cell = 44;
  const m = { left: 64, top: 32, bottom: 40, right: 16 };
  const width = spec.width ?? m.left + spec.xs.length * cell + m.right;
  const height = spec.height ?? m.top + spec.ys.length * cell + m.bottom;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<title>${escapeXml(spec.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="4" y="18" font-size="13" font-weight="bold">${escapeXml(spec.title)}</text>`);
  spec.ys.forEach((y, j) => {
    out.push(
      `<text x="${m.left - 6}" y="${m.top + j * cell + cell / 2 + 4}" text-anchor="end">${escapeXml(String(y))}</text>`,
    );
    spec.xs.forEach((x, i) => {
      const v = spec.value(x, y);
      const scaled = v === undefined ? 0 : v / (spec.scaleMax ?? 1);
      const fill = v === undefined ? '#dddddd' : shade(scaled);
      const label = v === undefined ? '' : v >= 0.01 || v === 0 ? v.toFixed(2) : v.toExponential(0);
      const cx = m.left + i * cell;
      const cy = m.top + j * cell;
      out.push(
        `<rect x="${cx}" y="${cy}" width="${cell - 2}" height="${cell - 2}" fill="${fill}"><title>${escapeXml(`${spec.xLabel} ${x}, ${spec.yLabel} ${y}: ${label || 'n/a'}`)}</title></rect>`,
      );
      if (label)
        out.push(
          `<text x="${cx + cell / 2 - 1}" y="${cy + cell / 2 + 3}" text-anchor="middle" fill="${scaled > 0.5 ? '#ffffff' : '#000000'}">${label}</text>`,
        );
    });
  });
  spec.xs.forEach((x, i) =>
    out.push(
      `<text x="${m.left + i * cell + cell / 2}" y="${m.top + spec.ys.length * cell + 14}" text-anchor="middle">${escapeXml(fmt(x))}</text>`,
    ),
  );
  out.push(
    `<text x="${m.left + (spec.xs.length * cell) / 2}" y="${height - 6}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(12 ${m.top + (spec.ys.length * cell) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  out.push('</svg>');
  return out.join('\n');
}
