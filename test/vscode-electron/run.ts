// Runs the end-to-end checks in a downloaded VS Code (Electron) with @vscode/test-electron: `npm run test:electron`.
// Needs network access to download VS Code; where there is none, `npm run test:e2e` runs in code-server instead.

import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from '../repo-root';

async function main(): Promise<void> {
  const root = repoRoot();
  const scenarios = JSON.parse(
    readFileSync(join(root, 'test', 'e2e', 'scenarios.json'), 'utf8'),
  ) as { fixture: string };
  const tmp = mkdtempSync(join(tmpdir(), 'ropewalk-electron-'));
  const workspace = join(tmp, basename(scenarios.fixture));
  cpSync(join(root, scenarios.fixture), workspace, { recursive: true }); // never the repository's own files
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: join(root, 'dist', 'test-electron', 'suite.js'),
      extensionTestsEnv: { E2E_CASES: process.env.E2E_CASES ?? '', E2E_WORKSPACE: workspace },
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--user-data-dir',
        join(tmp, 'user-data'),
      ],
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`electron tests failed: ${(error as Error).message}`);
  process.exit(1);
});
