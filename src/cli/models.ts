// `ropewalk models`: the models built from GGUF files in Ropewalk's cache — where each came from, its
// size, whether its file is still there — and --prune / --clear to free the space. Never touches the
// users' own model files.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelCard } from '../model/model-card';
import { ModelCache, type CacheEntry } from '../model/model-cache';
import type { Command, CommandSpec } from './args';
import { JSON_OPTION } from './common-options';

const spec: CommandSpec = {
  name: 'models',
  summary: 'the models built from GGUF files in the cache, their size; --prune, --clear',
  positionals: { min: 0, max: 0 },
  about: `Lists the models Ropewalk built from GGUF files (kept in ~/.cache/ropewalk/models, one folder per
file): the file each came from, its architecture and weight types, the size on disk, and whether the
file is gone or changed since (stale). --prune removes the stale ones, --clear all of them; your GGUF
files themselves are never changed.`,
  options: [
    {
      name: 'prune',
      kind: 'flag',
      description: 'remove the entries whose GGUF file is gone or changed',
    },
    {
      name: 'clear',
      kind: 'flag',
      description: 'remove every built model (they are rebuilt when used)',
    },
    JSON_OPTION,
  ],
};

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

function cardOf(e: CacheEntry): ModelCard | undefined {
  try {
    return JSON.parse(readFileSync(join(e.dir, 'model-card.json'), 'utf8')) as ModelCard;
  } catch {
    return undefined;
  }
}

export const modelsCommand: Command = {
  spec,
  run(args) {
    const cache = new ModelCache();
    if (args.flag('clear') || args.flag('prune')) {
      const r = args.flag('clear') ? cache.clear() : cache.prune();
      console.log(
        `removed ${r.removed} built model${r.removed === 1 ? '' : 's'}, ${mib(r.bytes)} freed (${cache.root})`,
      );
      return Promise.resolve(0);
    }
    const rows = cache.entries().map((e) => {
      const card = cardOf(e);
      return {
        dir: e.dir,
        source: e.source.path,
        name: card?.name,
        architecture: card?.source?.architecture,
        fileType: card?.source?.fileType,
        bytes: e.bytes,
        stale: e.stale,
      };
    });
    if (args.flag('json'))
      console.log(
        JSON.stringify({
          root: cache.root,
          bytes: rows.reduce((a, r) => a + r.bytes, 0),
          models: rows,
        }),
      );
    else {
      for (const r of rows)
        console.log(
          `${r.stale ? 'stale ' : ''}${r.name ?? '?'} (${r.architecture ?? '?'}, ${r.fileType ?? '?'}) ${mib(r.bytes)}  from ${r.source || '?'}`,
        );
      console.log(
        `${rows.length} built model${rows.length === 1 ? '' : 's'}, ${mib(rows.reduce((a, r) => a + r.bytes, 0))} in ${cache.root}`,
      );
    }
    return Promise.resolve(0);
  },
};
