// Counts degenerate completions (a word or path segment repeated three times in a row, or a line
// repeated three times) at seeded cursors of a repository, running `ropewalk complete` as a user would,
// once per RoPE setting given. Usage:
//   node scripts/degenerate-check.mjs DIR [--cursors 10] [--seed 1] [--ropes auto,none] [--budget 4096]
// Prints one row per cursor and the counts; writes nothing.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(fileURLToPath(new URL('..', import.meta.url)), 'dist', 'cli.js');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const root = resolve(args[0] ?? '.');
const cursors = Number(opt('cursors', 10));
const ropes = opt('ropes', 'auto,none').split(',');
const budget = opt('budget', '4096');
let seed = Number(opt('seed', 1));
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

function sourceFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|tsx|py|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

/** A cursor after the `=`, `(` or `return ` of a line of code, or mid-line: where a user waits for the rest. */
function pickCursor(files) {
  for (let tries = 0; tries < 1000; tries++) {
    const file = files[Math.floor(rand() * files.length)];
    const lines = readFileSync(file, 'utf8').split('\n');
    const n = Math.floor(rand() * lines.length);
    const line = lines[n] ?? '';
    if (line.trim().length < 24 || /^\s*(\/\/|\*|\/\*|#)/.test(line)) continue;
    const m = /(= |\(|return )/.exec(line);
    const col = m ? m.index + m[0].length : Math.floor(line.length / 2);
    if (col >= line.trimEnd().length) continue;
    return { file, line: n + 1, column: col + 1, rest: line.slice(col) };
  }
  throw new Error('no cursor found');
}

/** A word, path segment or phrase that repeats three times in a row (`rules/rules/rules`, `rrrrrr`, `the x of the x of the x of`). */
export function degenerate(text) {
  if (/\b(\w+)\b(?:\W{1,3}\1\b){2,}/.test(text)) return true;
  for (const m of text.matchAll(/([^\n]{1,40}?)\1{2,}/g))
    if (/[A-Za-z0-9]/.test(m[1]) && m[0].length >= 6) return true;
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.some((l, i) => i >= 2 && l === lines[i - 1] && l === lines[i - 2]);
}

const files = sourceFiles(root);
const picked = Array.from({ length: cursors }, () => pickCursor(files));
const counts = Object.fromEntries(ropes.map((r) => [r, { raw: 0, shown: 0 }]));
for (const c of picked) {
  const where = `${relative(root, c.file)}:${c.line}:${c.column}`;
  console.log(`${where}  expected: ${JSON.stringify(c.rest.slice(0, 60))}`);
  for (const rope of ropes) {
    const ropeArgs = rope === 'auto' ? [] : ['--rope', rope];
    const out = execFileSync(
      process.execPath,
      [
        cli,
        'complete',
        '--file',
        relative(root, c.file),
        '--line',
        String(c.line),
        '--column',
        String(c.column),
        '--budget',
        budget,
        '--provider',
        'cpu',
        '--json',
        ...ropeArgs,
      ],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const r = JSON.parse(out.trim().split('\n').pop());
    const bad = degenerate(r.raw);
    counts[rope].raw += bad ? 1 : 0;
    counts[rope].shown += degenerate(r.completion ?? '') ? 1 : 0;
    console.log(
      `  ${rope.padEnd(5)} ${r.rope.method}×${Number(r.rope.options.factor).toFixed(1)} ${bad ? 'DEGENERATE' : 'ok        '} raw ${JSON.stringify(r.raw.slice(0, 90))}`,
    );
  }
}
for (const rope of ropes)
  console.log(
    `${rope}: ${counts[rope].raw} of ${picked.length} raw outputs degenerate (${counts[rope].shown} after post-processing), budget ${budget}`,
  );
