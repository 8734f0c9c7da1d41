// `ropewalk models`: the models already on this machine — ollama's, LM Studio's, the Hugging Face and
// llama.cpp caches', and named folders' — with what each is and how it would run here, best first; then
// the models Ropewalk built from GGUF files in its cache, with --prune / --clear to free that space.
// Never touches the users' own model files.

import { existsSync, readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { join } from 'node:path';
import { assessModels, defaultsText, factsText, sourceText } from '../completion/model-choice';
import { discoverModels, storeRoots } from '../model/discovery/model-stores';
import { STORE_NAMES } from '../model/discovery/found-model';
import type { KvTypeSetting } from '../model/kv-type';
import type { ModelCard } from '../model/model-card';
import { ModelCache, type CacheEntry } from '../model/model-cache';
import { readModelFiles } from '../model/model-card';
import { defaultModelDir } from '../model/model-location';
import type { Command, CommandSpec } from './args';
import { JSON_OPTION, KV_TYPE_OPTION } from './common-options';

const spec: CommandSpec = {
  name: 'models',
  summary:
    'the models on this machine (ollama, LM Studio, HF and llama.cpp caches), what each is; --prune, --clear',
  positionals: { min: 0, max: 0 },
  about: `Finds the GGUF models already on this machine and says what each is, from its header alone:
ollama's store ($OLLAMA_MODELS, ~/.ollama/models, /usr/share/ollama/.ollama/models), LM Studio's
(~/.lmstudio/models), the Hugging Face hub cache ($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub),
llama.cpp's cache ($LLAMA_CACHE, ~/.cache/llama.cpp) and the --folders named. For each: family and
whether Ropewalk runs it, parameters, quantization, size, native context and RoPE scaling, FIM tokens,
base or instruct (FIM quality is poor with instruct models), the budget and RoPE method it would run
with, and whether weights + KV cache fit in free memory. Best first: ready base models, then the rest
with why. Use one with --model PATH (or ropewalk.modelPath in VS Code). Then the models Ropewalk built
from GGUF files (~/.cache/ropewalk/models): --prune removes those whose file is gone or changed, --clear
all of them. Your model files themselves are only read, never changed.`,
  options: [
    {
      name: 'folders',
      kind: 'list',
      value: 'DIR[,DIR]',
      description:
        'more folders (or files) to look in: GGUF files at any depth, or an ollama store',
    },
    {
      name: 'budget',
      kind: 'int',
      min: 16,
      defaultText: 'the CPU default, at most 4× the model’s native context',
      description: 'prompt tokens the memory estimate counts the KV cache at',
    },
    KV_TYPE_OPTION,
    {
      name: 'prune',
      kind: 'flag',
      description: 'remove the built models whose GGUF file is gone or changed',
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

function builtModels(cache: ModelCache) {
  return cache.entries().map((e) => {
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
}

function bundled(): { name: string; path: string } | undefined {
  try {
    const dir = defaultModelDir();
    return { name: readModelFiles(dir).card.name, path: dir };
  } catch {
    return undefined;
  }
}

export const modelsCommand: Command = {
  spec,
  async run(args) {
    const cache = new ModelCache();
    if (args.flag('clear') || args.flag('prune')) {
      const r = args.flag('clear') ? cache.clear() : cache.prune();
      console.log(
        `removed ${r.removed} built model${r.removed === 1 ? '' : 's'}, ${mib(r.bytes)} freed (${cache.root})`,
      );
      return 0;
    }
    const folders = args.has('folders') ? args.strings('folders') : [];
    const roots = storeRoots();
    const machine = {
      provider: 'cpu',
      freeBytes: freemem(),
      ...(args.has('budget') && { budget: args.int('budget') }),
      kvType: args.string('kv-type') as KvTypeSetting,
    };
    const models = assessModels(await discoverModels({ roots, folders }), machine);
    const built = builtModels(cache);
    const builtBytes = built.reduce((a, r) => a + r.bytes, 0);
    const looked = [
      ...roots.map((r) => ({ ...r, present: existsSync(r.dir) })),
      ...folders.map((f) => ({
        store: 'folder',
        dir: f,
        from: '--folders',
        present: existsSync(f),
      })),
    ];
    if (args.flag('json')) {
      console.log(
        JSON.stringify({
          machine,
          bundled: bundled(),
          looked,
          models,
          cache: { root: cache.root, bytes: builtBytes, models: built },
        }),
      );
      return 0;
    }
    const b = bundled();
    if (b) console.log(`bundled: ${b.name} (${b.path}), the default\n`);
    if (models.length === 0) console.log('no GGUF models found on this machine');
    for (const m of models) {
      const a = m.assessment;
      const mark = a.standing === 'ready' ? '✓' : a.standing === 'unreadable' ? '✗' : '!';
      console.log(
        `${mark} ${sourceText(m)}${m.facts && m.facts.name !== m.label ? `  (${m.facts.name})` : ''}`,
      );
      console.log(`    ${factsText(m)}`);
      const runs = defaultsText(m);
      if (runs && a.standing !== 'unsupported') console.log(`    runs with ${runs}`);
      for (const why of a.reasons) console.log(`    not recommended: ${why}`);
      console.log(
        `    ${m.path}${m.shards && m.shards.length > 1 ? ` (+${m.shards.length - 1} shards)` : ''}`,
      );
    }
    const present = looked.filter((l) => l.present);
    const absent = looked.filter((l) => !l.present);
    console.log(
      `\n${models.length} model${models.length === 1 ? '' : 's'} in ${present.map((l) => `${STORE_NAMES[l.store as keyof typeof STORE_NAMES] ?? l.store} ${l.dir}`).join(', ') || 'no store'}` +
        (absent.length ? `; not present: ${absent.map((l) => l.dir).join(', ')}` : ''),
    );
    console.log(
      `use one with --model PATH, or ropewalk.modelPath in VS Code (Ropewalk: Select Model…)\n`,
    );
    for (const r of built)
      console.log(
        `${r.stale ? 'stale ' : ''}${r.name ?? '?'} (${r.architecture ?? '?'}, ${r.fileType ?? '?'}) ${mib(r.bytes)}  from ${r.source || '?'}`,
      );
    console.log(
      `${built.length} built model${built.length === 1 ? '' : 's'}, ${mib(builtBytes)} in ${cache.root}`,
    );
    return 0;
  },
};
