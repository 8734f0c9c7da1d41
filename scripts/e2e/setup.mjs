// Prepares what the end-to-end tests need, idempotently: Debian packages, chromium, and a cached code-server.
//
// code-server is a real VS Code workbench with the Node extension host, installable from the npm
// registry, so the tests run offline. It is installed once per version outside the repository
// (~/.cache/ropewalk-e2e/code-server-VERSION, or $ROPEWALK_E2E_CACHE) and marked ready by a stamp file;
// a half-finished install (no stamp) is removed and redone.
//
// Run directly: `node scripts/e2e/setup.mjs` prints where things are and how long it took.

import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  readFileSync,
  lstatSync,
  unlinkSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3'; // the last line that runs on Node 20

/** Debian packages: headers for code-server's native modules, ripgrep for search, chromium to drive. */
const DEBIAN_PACKAGES = [
  'build-essential',
  'python3',
  'libkrb5-dev',
  'libx11-dev',
  'libxkbfile-dev',
  'libsecret-1-dev',
  'ripgrep',
  'chromium',
];

export class SetupError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'SetupError';
  }
}

export function cacheRoot() {
  return (
    process.env.ROPEWALK_E2E_CACHE ||
    join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ropewalk-e2e')
  );
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function canAutoInstall() {
  return (
    process.env.CI === 'true' &&
    typeof process.getuid === 'function' &&
    process.getuid() === 0 &&
    !!which('apt-get')
  );
}

/** Missing Debian packages, or [] where dpkg is not there to ask (then the build itself will say). */
function missingDebianPackages() {
  if (!which('dpkg-query')) return [];
  return DEBIAN_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

export function ensureDebianPackages(log = console.log) {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const cmd = `apt-get install -y ${missing.join(' ')}`;
  if (!canAutoInstall()) {
    throw new SetupError(
      `the end-to-end tests need these Debian packages: ${missing.join(', ')}.\n` +
        `  Install them with: sudo apt-get update && sudo ${cmd}\n` +
        `  (done automatically only when running as root with CI=true)`,
    );
  }
  log(`e2e setup: ${cmd}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
}

/** Debian's chromium (or $CHROMIUM_PATH); playwright's own browser downloads are not used. */
export function findChromium() {
  const candidates = [
    process.env.CHROMIUM_PATH,
    which('chromium'),
    which('chromium-browser'),
    '/usr/bin/chromium',
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  throw new SetupError(
    "chromium not found: the end-to-end tests drive Debian's chromium.\n" +
      '  Install it with: sudo apt-get install -y chromium   (or set CHROMIUM_PATH to a Chromium binary)' +
      (process.env.CI === 'true' ? '\n  (CI: automatic install needs root and apt-get)' : ''),
  );
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (r.status !== 0) {
    throw new SetupError(
      `${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})${options.cwd ? ` in ${options.cwd}` : ''}`,
      { cause: r.error },
    );
  }
}

function relink(target, path) {
  try {
    if (lstatSync(path)) unlinkSync(path);
  } catch {
    /* absent */
  }
  symlinkSync(target, path);
}

/** npm environment for building native modules offline: Node's own headers, no audit or funding calls. */
function npmEnv() {
  const env = {
    ...process.env,
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const prefix = dirname(dirname(process.execPath)); // .../bin/node → ...
  if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h')))
    env.npm_config_nodedir = prefix;
  return env;
}

/**
 * Environment for every code-server process: its config and data folders inside the e2e cache, never the
 * user's home. On its first start code-server writes a default config (with a generated password) to
 * $XDG_CONFIG_HOME/code-server and its logs to $XDG_DATA_HOME/code-server; a config file of our own
 * (no auth, loopback only) means it writes none.
 */
export function codeServerEnv(env = process.env) {
  const home = join(cacheRoot(), 'code-server-home');
  const config = join(home, 'config.yaml');
  mkdirSync(join(home, 'config'), { recursive: true });
  mkdirSync(join(home, 'data'), { recursive: true });
  if (!existsSync(config))
    writeFileSync(config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  return {
    ...env,
    CODE_SERVER_CONFIG: config,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
  };
}

/** The version code-server prints: the line that starts with a version number (it may log other lines first). */
export function parseCodeServerVersion(output) {
  return output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^\d+\.\d+\.\d+(\s|$)/.test(l));
}

/** Installs code-server into the cache if it is not there yet; returns its package folder. */
export function ensureCodeServer(log = console.log) {
  const root = join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
  const pkg = join(root, 'node_modules', 'code-server');
  const stamp = join(root, '.ropewalk-ready');
  if (existsSync(stamp) && existsSync(join(pkg, 'out', 'node', 'entry.js'))) return pkg;

  const rg = which('rg');
  if (!rg)
    throw new SetupError(
      "ripgrep (rg) not found: code-server's search needs it. Install it with: sudo apt-get install -y ripgrep",
    );
  log(
    `e2e setup: installing code-server ${CODE_SERVER_VERSION} into ${root} (once; several minutes)`,
  );
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'ropewalk-e2e-code-server', private: true }) + '\n',
  );
  const env = npmEnv();
  const npm = (args, cwd) => run('npm', args, { cwd, env });

  // Install scripts of code-server would download things; the fix-ups below do their work offline.
  npm(['install', '--ignore-scripts', '--no-save', `code-server@${CODE_SERVER_VERSION}`], root);
  const vscodeDir = join(pkg, 'lib', 'vscode');
  npm(['install', '--omit=dev', '--ignore-scripts'], vscodeDir);
  const rgBin = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgBin, { recursive: true });
  relink(rg, join(rgBin, 'rg'));
  npm(['rebuild'], vscodeDir); // native modules (spdlog, node-pty, watchdog, kerberos…), built locally
  relink('node_modules', join(vscodeDir, 'node_modules.asar'));
  relink('code-linux.sh', join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  relink('browser-linux.sh', join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
  npm(['install', '--omit=dev'], join(vscodeDir, 'extensions')); // built-in extensions' own postinstall
  npm(['rebuild', 'argon2'], root);

  const output = execFileSync(
    process.execPath,
    [join(pkg, 'out', 'node', 'entry.js'), '--version'],
    { encoding: 'utf8', env: codeServerEnv() },
  );
  const version = parseCodeServerVersion(output);
  if (!version?.startsWith(CODE_SERVER_VERSION))
    throw new SetupError(
      `code-server reports version '${output.trim()}', expected ${CODE_SERVER_VERSION}`,
    );
  writeFileSync(stamp, `${version}\n`);
  return pkg;
}

/** Everything the harness needs; throws SetupError with a remedy when something is missing. */
export function setup(log = console.log) {
  ensureDebianPackages(log);
  const chromium = findChromium();
  const codeServer = ensureCodeServer(log);
  return { chromium, codeServer };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  try {
    const { chromium, codeServer } = setup();
    const version = readFileSync(join(codeServer, '..', '..', '.ropewalk-ready'), 'utf8')
      .trim()
      .split('\n')[0];
    console.log(`e2e setup: code-server ${version} at ${codeServer}`);
    console.log(`e2e setup: chromium at ${chromium}`);
    console.log(`e2e setup: ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(`e2e setup failed: ${error.message}`);
    process.exit(1);
  }
}
