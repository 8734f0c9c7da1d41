// Finds a development tool's package (vsce, playwright-core): the project's node_modules first,
// then $ROPEWALK_TOOLS/node_modules (a scratch install, for a checkout whose node_modules predates the tool).
// And runs the repository's TypeScript from a script: requireBundled.

import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export class MissingToolError extends Error {
  constructor(name, options) {
    super(
      `${name} is not installed: run 'npm ci' (it is a devDependency), or point ROPEWALK_TOOLS at a folder ` +
        `where 'npm install ${name}' was run`,
      options,
    );
    this.name = 'MissingToolError';
  }
}

/** The folder of package `name`. */
export function devToolDir(name) {
  const bases = [join(repoRoot, 'package.json')];
  if (process.env.ROPEWALK_TOOLS) bases.push(join(process.env.ROPEWALK_TOOLS, 'package.json'));
  let cause;
  for (const base of bases) {
    try {
      return dirname(createRequire(base).resolve(`${name}/package.json`));
    } catch (error) {
      cause = error;
    }
  }
  throw new MissingToolError(name, { cause });
}

/** `require` of package `name`, from wherever devToolDir found it. */
export function requireDevTool(name) {
  return createRequire(join(devToolDir(name), 'package.json'))(name);
}

/**
 * `require` of a TypeScript file of this repository (`entry`, from the repository root) with what it
 * imports, bundled by esbuild into a temporary folder that goes when the process exits: how scripts and
 * the e2e harness use src/ and test/ code without a build step of their own.
 */
export async function requireBundled(entry) {
  const { build } = requireDevTool('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'ropewalk-bundle-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const outfile = join(dir, 'bundle.js');
  await build({
    entryPoints: [join(repoRoot, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(outfile);
}
