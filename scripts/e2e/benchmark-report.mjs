// Runs `Ropewalk: Run Benchmark` in the real editor on a repository and screenshots its progress and the
// report webview (what a person sees). Slow: the default benchmark takes minutes.
//
//   node scripts/build.mjs && node scripts/e2e/benchmark-report.mjs --fixture DIR [--timeout-min 20]

import { join, resolve } from 'node:path';
import { repoRoot } from '../dev-tools.mjs';
import { hostTarget, packageTarget } from '../package.mjs';
import { startSession } from './harness.mjs';
import { runCommand, waitForModelReady } from './workbench.mjs';

const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const fixture = resolve(arg('--fixture', join(repoRoot, 'test', 'fixtures', 'pyrepo')));
const timeoutMs = Number(arg('--timeout-min', '20')) * 60_000;
const outDir = process.env.E2E_OUT || join(repoRoot, 'test', 'e2e', 'out', 'benchmark');
const vsix =
  process.env.E2E_VSIX ||
  packageTarget(hostTarget(), join(repoRoot, 'out', 'vsix'), () => {}, { quiet: true });
const s = await startSession({ vsix, fixture, outDir });
try {
  await waitForModelReady(s.page);
  await runCommand(s.page, 'Ropewalk: Run Benchmark');
  await s.page
    .locator('.notification-toast', { hasText: 'Ropewalk benchmark' })
    .first()
    .waitFor({ timeout: 60_000 });
  await s.page.waitForTimeout(20_000);
  await s.screenshot('benchmark-progress');
  // The report opens as a webview tab named after the repository.
  await s.page
    .locator('.tab', { hasText: 'Ropewalk benchmark:' })
    .first()
    .waitFor({ timeout: timeoutMs });
  await s.page.waitForTimeout(3000);
  await s.screenshot('benchmark-report');
  console.log(`screenshots in ${outDir}`);
} finally {
  await s.close();
}
