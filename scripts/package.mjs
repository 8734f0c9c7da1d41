// Builds one .vsix per platform with @vscode/vsce, offline; each holds only its platform's onnxruntime binaries.
//
//   node scripts/package.mjs [--target linux-x64,win32-x64] [--out DIR] [--no-build]
//
// The file list is .vscodeignore (a whitelist) plus one line per target naming
// node_modules/onnxruntime-node/bin/napi-v6/OS/ARCH; onnxruntime-node and web-tree-sitter are externals
// of the esbuild bundle, so they travel in node_modules, found by vsce's `npm list --production`.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devToolDir, repoRoot } from './dev-tools.mjs';

/** vsce target → the folder onnxruntime-node 1.30 ships its binding in (it ships no darwin-x64). */
export const TARGETS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'darwin-arm64': 'darwin/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
};

export function hostTarget() {
  const target = `${process.platform}-${process.arch}`;
  if (!(target in TARGETS))
    throw new Error(
      `no onnxruntime binaries for this platform (${target}); targets: ${Object.keys(TARGETS).join(', ')}`,
    );
  return target;
}

export function vsixPath(outDir, target) {
  const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  return join(outDir, `${name}-${target}-${version}.vsix`);
}

/** Packs one target; returns the .vsix path. Assumes dist/ is built. */
export function packageTarget(target, outDir, log = console.log, { quiet = false } = {}) {
  const ortDir = TARGETS[target];
  if (!ortDir)
    throw new Error(`unknown target '${target}'; targets: ${Object.keys(TARGETS).join(', ')}`);
  const vsce = join(devToolDir('@vscode/vsce'), 'vsce');
  const scratch = mkdtempSync(join(tmpdir(), 'ropewalk-vsix-'));
  try {
    const ignoreFile = join(scratch, '.vscodeignore');
    writeFileSync(
      ignoreFile,
      readFileSync(join(repoRoot, '.vscodeignore'), 'utf8') +
        `\n!node_modules/onnxruntime-node/bin/napi-v6/${ortDir}/**\n`,
    );
    mkdirSync(outDir, { recursive: true });
    const out = vsixPath(outDir, target);
    rmSync(out, { force: true });
    const args = [
      vsce,
      'package',
      '--target',
      target,
      '--out',
      out,
      '--ignoreFile',
      ignoreFile,
      // No network and no questions: no repository field to check, README links left as written.
      '--allow-missing-repository',
      '--no-rewrite-relative-links',
      '--no-yarn',
    ];
    log(`package: ${target}`);
    // stdin closed: a question from vsce fails the run instead of waiting for an answer.
    const r = spawnSync(process.execPath, args, {
      cwd: repoRoot,
      stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
      encoding: 'utf8',
    });
    if (r.status !== 0)
      throw new Error(
        `vsce package --target ${target} failed (exit ${r.status ?? r.signal})${quiet ? `:\n${r.stdout}${r.stderr}` : ''}`,
      );
    return out;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function build() {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('build failed');
}

function parseArgs(argv) {
  const opts = { targets: Object.keys(TARGETS), out: join(repoRoot, 'out', 'vsix'), build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--target')
      opts.targets = argv[++i].split(',').map((t) => (t === 'host' ? hostTarget() : t));
    else if (a === '--out') opts.out = argv[++i];
    else if (a === '--no-build') opts.build = false;
    else
      throw new Error(
        `unknown argument '${a}'; usage: node scripts/package.mjs [--target T,T|host] [--out DIR] [--no-build]`,
      );
  }
  return opts;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    if (opts.build) build();
    const rows = [];
    for (const target of opts.targets) {
      const t0 = performance.now();
      const out = packageTarget(target, opts.out);
      rows.push({
        target,
        out,
        mib: statSync(out).size / 2 ** 20,
        s: (performance.now() - t0) / 1000,
      });
    }
    console.log('\n| target | .vsix | size | time |\n|---|---|---|---|');
    for (const r of rows)
      console.log(
        `| ${r.target} | ${relative(repoRoot, r.out)} | ${r.mib.toFixed(1)} MiB | ${r.s.toFixed(1)} s |`,
      );
  } catch (error) {
    console.error(`package failed: ${error.message}`);
    process.exit(1);
  }
}
