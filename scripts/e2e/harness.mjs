// One end-to-end session: a fresh code-server with the .vsix installed, a copied fixture workspace, chromium on it.
//
// Nothing of the repository is opened or written: the fixture is copied into a temporary folder, and
// the extensions and user-data folders are new each time (kept with E2E_KEEP=1 for a look afterwards).

import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  createWriteStream,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { requireDevTool } from '../dev-tools.mjs';
import { codeServerEnv, setup } from './setup.mjs';

/** Settings that keep the workbench quiet and make typing deterministic (no auto-closing, no suggest widget). */
export const E2E_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'files.autoSave': 'off',
  'editor.autoIndent': 'none',
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoSurround': 'never',
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
  'editor.wordBasedSuggestions': 'off',
  'editor.parameterHints.enabled': false,
  'editor.inlineSuggest.enabled': true,
  'editor.minimap.enabled': false,
};

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, timeoutMs, exited) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('code-server exited during startup (see code-server.log)');
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `code-server did not answer at ${url} within ${timeoutMs / 1000} s (see code-server.log)`,
  );
}

/**
 * Starts everything; `close()` stops it and copies the logs into `outDir`. `extraExtensions`: unpacked extension
 * folders (`publisher.name-version/`) installed beside Ropewalk, by default from $E2E_EXTRA_EXTENSIONS
 * (a path list), e.g. another inline completion provider to see how the two interact.
 * @param {{ vsix: string, fixture: string, outDir: string, settings?: object, extraExtensions?: string[], log?: (line: string) => void }} options
 */
export async function startSession({
  vsix,
  fixture,
  outDir,
  settings = {},
  log = console.log,
  extraExtensions = (process.env.E2E_EXTRA_EXTENSIONS ?? '').split(delimiter).filter(Boolean),
}) {
  const { chromium: chromiumPath, codeServer } = setup(log);
  const { chromium } = requireDevTool('playwright-core');
  mkdirSync(outDir, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'ropewalk-e2e-'));
  const extensionsDir = join(tmp, 'extensions');
  const userDataDir = join(tmp, 'user-data');
  const workspace = join(tmp, basename(fixture));
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...E2E_SETTINGS, ...settings }, null, 2),
  );
  cpSync(fixture, workspace, { recursive: true });

  const entry = join(codeServer, 'out', 'node', 'entry.js');
  const dirs = ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir];
  // The extension's model cache (models built from GGUF files) lives and dies with the session.
  const env = { ...codeServerEnv(), XDG_CACHE_HOME: join(tmp, 'cache') };
  const install = spawnSync(process.execPath, [entry, ...dirs, '--install-extension', vsix], {
    encoding: 'utf8',
    env,
  });
  if (install.status !== 0 || !/successfully installed/.test(install.stdout)) {
    throw new Error(
      `installing ${vsix} into code-server failed:\n${install.stdout}${install.stderr}`,
    );
  }
  installUnpacked(extensionsDir, extraExtensions);

  const port = await freePort();
  const serverLog = join(tmp, 'code-server.log');
  const logStream = createWriteStream(serverLog);
  const server = spawn(
    process.execPath,
    [
      entry,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      ...dirs,
      workspace,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env },
  );
  server.stdout.pipe(logStream);
  server.stderr.pipe(logStream);
  let exited = false;
  server.once('exit', () => {
    exited = true;
  });

  let browser;
  const close = async ({ keep = process.env.E2E_KEEP === '1' } = {}) => {
    await browser?.close().catch(() => {});
    if (!exited) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      await new Promise((r) => {
        server.once('exit', r);
        setTimeout(r, 5000);
      });
    }
    logStream.end();
    copyLogs(tmp, outDir);
    if (keep) log(`e2e: kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  };

  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthz`, 60_000, () => exited);
    // Chromium keeps crash-report settings under $XDG_CONFIG_HOME: the session's own folder, not the user's home.
    const chromiumEnv = {
      ...process.env,
      XDG_CONFIG_HOME: join(tmp, 'chromium-config'),
      XDG_CACHE_HOME: join(tmp, 'chromium-cache'),
    };
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: CHROMIUM_ARGS,
      headless: true,
      env: chromiumEnv,
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    let shot = 0;
    const screenshot = async (name) => {
      const path = join(outDir, `${String(++shot).padStart(2, '0')}-${name}.png`);
      await page
        .screenshot({ path })
        .catch((e) => log(`e2e: screenshot ${name} failed: ${e.message}`));
      return path;
    };
    return {
      page,
      workspace,
      url,
      tmp,
      screenshot,
      close: async (opts) => {
        writeFileSync(join(outDir, 'browser-console.log'), consoleLines.join('\n') + '\n');
        await close(opts);
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Copies unpacked extensions in and lists them in extensions.json (a folder not listed there counts as removed). */
function installUnpacked(extensionsDir, dirs) {
  if (dirs.length === 0) return;
  const listPath = join(extensionsDir, 'extensions.json');
  const list = existsSync(listPath) ? JSON.parse(readFileSync(listPath, 'utf8')) : [];
  for (const dir of dirs) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const folder = `${manifest.publisher}.${manifest.name}-${manifest.version}`.toLowerCase();
    const path = join(extensionsDir, folder);
    cpSync(dir, path, { recursive: true });
    list.push({
      identifier: { id: `${manifest.publisher}.${manifest.name}`.toLowerCase() },
      version: manifest.version,
      location: { $mid: 1, path, scheme: 'file' },
      relativeLocation: folder,
    });
  }
  writeFileSync(listPath, JSON.stringify(list));
}

/** code-server's own log and the extension host's logs (Ropewalk's output channel among them) into outDir/logs. */
function copyLogs(tmp, outDir) {
  const dest = join(outDir, 'logs');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  if (existsSync(join(tmp, 'code-server.log')))
    cpSync(join(tmp, 'code-server.log'), join(dest, 'code-server.log'));
  const logsDir = join(tmp, 'user-data', 'logs');
  if (existsSync(logsDir)) {
    for (const session of readdirSync(logsDir))
      cpSync(join(logsDir, session), join(dest, session), { recursive: true });
  }
}

/** The Ropewalk output channel's log file of this code-server session. */
export function ropewalkLog(tmp) {
  const found = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'Ropewalk.log') found.push(p);
    }
  };
  walk(join(tmp, 'user-data', 'logs'));
  return found.map((f) => readFileSync(f, 'utf8')).join('\n');
}
