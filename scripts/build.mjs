// Bundles the extension, the CLI and the inference process with esbuild; `--tests` bundles the tests too,
// `--electron-tests` the @vscode/test-electron runner and suite (dist/test-electron/).
import { build } from 'esbuild';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const withTests = process.argv.includes('--tests');
const withElectronTests = process.argv.includes('--electron-tests');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  // Native, host-provided, or loading its own .wasm beside itself: never bundled.
  external: ['vscode', 'onnxruntime-node', 'web-tree-sitter'],
  logLevel: 'warning',
};

rmSync('dist', { recursive: true, force: true });
await build({ ...common, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' });
await build({
  ...common,
  entryPoints: { 'inference-process': 'src/model/inference-process.ts' },
  outdir: 'dist',
});
await build({
  ...common,
  entryPoints: { 'index-worker': 'src/context/index-worker.ts' },
  outdir: 'dist',
});
await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  banner: { js: '#!/usr/bin/env node' },
});
// The benchmark report's page script (browser or webview; the CLI inlines it into report.html).
await build({
  ...common,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  external: [],
  entryPoints: { report: 'src/bench/report-page.ts' },
  outdir: 'dist',
});

if (withTests) {
  const tests = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.test.ts')) tests.push(path);
    }
  };
  walk('test');
  await build({ ...common, entryPoints: tests, outdir: 'dist/test', outbase: 'test' });
}

if (withElectronTests) {
  await build({
    ...common,
    entryPoints: { run: 'test/vscode-electron/run.ts', suite: 'test/vscode-electron/suite.ts' },
    outdir: 'dist/test-electron',
    external: [...common.external, '@vscode/test-electron'],
  });
}
