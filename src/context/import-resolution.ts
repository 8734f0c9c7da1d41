// Which repository file an import names, one resolver per import style (Python's dotted modules, the
// JavaScript family's paths with tsconfig aliases); the language's spec says which style it writes.

import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { languageById, type ImportStyle } from './languages';

interface PathAlias {
  prefix: string;
  suffix: string;
  targets: string[];
}

export interface TsconfigPaths {
  baseUrl?: string;
  aliases: PathAlias[];
}

/** `compilerOptions.baseUrl` and `paths` of the root tsconfig.json (comments and trailing commas allowed). */
export function readTsconfigPaths(root: string): TsconfigPaths {
  let text: string;
  try {
    text = readFileSync(join(root, 'tsconfig.json'), 'utf8');
  } catch {
    return { aliases: [] };
  }
  try {
    const json = JSON.parse(
      text.replace(/\/\*[\s\S]*?\*\/|(^|[^:"'])\/\/.*$/gm, '$1').replace(/,(\s*[}\]])/g, '$1'),
    ) as { compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> } };
    const opts = json.compilerOptions ?? {};
    const base = posix.normalize(opts.baseUrl ?? '.');
    const aliases = Object.entries(opts.paths ?? {}).map(([pattern, targets]) => {
      const [prefix = '', suffix = ''] = pattern.split('*');
      return { prefix, suffix, targets: targets.map((t) => posix.join(base, t)) };
    });
    return { baseUrl: opts.baseUrl === undefined ? undefined : base, aliases };
  } catch {
    return { aliases: [] };
  }
}

/** What a resolver may ask about the repository. */
export interface ResolveContext {
  /** File endings of the importing file's language, best first. */
  extensions: readonly string[];
  /** Repository path of the importing file. */
  from: string;
  /** Whether the repository has a file at this (normalized) path. */
  has: (path: string) => boolean;
  tsconfig: TsconfigPaths;
}

type Resolver = (source: string, ctx: ResolveContext) => string | undefined;

const JS_CANDIDATES = [
  '',
  '.ts',
  '.tsx',
  '.d.ts',
  '.js',
  '.jsx',
  '.mjs',
  '.cjs',
  '/index.ts',
  '/index.tsx',
  '/index.js',
  '/index.jsx',
];

function firstPresent(candidates: string[], has: (path: string) => boolean): string | undefined {
  return candidates.map((c) => posix.normalize(c)).find(has);
}

/** `.util`, `..pkg.mod`, `pkg.mod`: a module file in the language's extensions, or a package's __init__. */
function resolvePython(
  source: string,
  { extensions, from, has }: ResolveContext,
): string | undefined {
  const dir = posix.dirname(from);
  const dots = source.length - source.replace(/^\.+/, '').length;
  const parts = source.slice(dots).split('.').filter(Boolean);
  const moduleCandidates = (base: string) =>
    parts.length
      ? [
          ...extensions.map((e) => posix.join(base, ...parts) + e),
          posix.join(base, ...parts, '__init__.py'),
        ]
      : [posix.join(base, '__init__.py')];
  if (dots > 0) {
    let base = dir;
    for (let i = 1; i < dots; i++) base = posix.dirname(base);
    return firstPresent(moduleCandidates(base), has);
  }
  // Absolute: the repository's own packages, at the root, under src/, or beside the importing file.
  return firstPresent(
    [...moduleCandidates('.'), ...moduleCandidates('src'), ...moduleCandidates(dir)],
    has,
  );
}

/** `./util`, `../lib/x.js`, tsconfig `paths` aliases and `baseUrl`; bare package names stay unresolved. */
function resolveJs(source: string, { from, has, tsconfig }: ResolveContext): string | undefined {
  const withExt = (base: string) => {
    // ESM TypeScript writes './util.js' for './util.ts'.
    const stripped = base.replace(/\.(m|c)?js$/, '');
    return [...JS_CANDIDATES.map((e) => base + e), ...JS_CANDIDATES.map((e) => stripped + e)];
  };
  if (source.startsWith('.'))
    return firstPresent(withExt(posix.join(posix.dirname(from), source)), has);
  for (const a of tsconfig.aliases) {
    if (
      source.startsWith(a.prefix) &&
      source.endsWith(a.suffix) &&
      source.length >= a.prefix.length + a.suffix.length
    ) {
      const star = source.slice(a.prefix.length, source.length - a.suffix.length);
      const hit = firstPresent(
        a.targets.flatMap((t) => withExt(t.replace('*', star))),
        has,
      );
      if (hit) return hit;
    }
  }
  if (tsconfig.baseUrl !== undefined)
    return firstPresent(withExt(posix.join(tsconfig.baseUrl, source)), has);
  return undefined;
}

const RESOLVERS: Readonly<Record<ImportStyle, Resolver>> = { python: resolvePython, js: resolveJs };

/**
 * The repository file an import names, if any: relative imports, the repository's own packages,
 * tsconfig paths. A file of an unknown language resolves the JavaScript way.
 */
export function resolveImport(
  from: { path: string; language: string },
  source: string,
  has: (path: string) => boolean,
  tsconfig: TsconfigPaths,
): string | undefined {
  const spec = languageById(from.language);
  return RESOLVERS[spec?.importStyle ?? 'js'](source, {
    extensions: spec?.extensions ?? [],
    from: from.path,
    has,
    tsconfig,
  });
}
