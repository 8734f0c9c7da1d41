// Discovery on store trees built in temp folders the way each tool lays them out (see the comments at
// the top of each src/model/discovery/*-store.ts for the documents they follow).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import {
  discoverModels,
  storeRoots,
  type DiscoveredModel,
  type DiscoveryEnvironment,
} from '../../../src/model/discovery/model-stores';
import { tempDir } from '../../temp-dir';
import {
  MODEL_FILE_PARAMETERS,
  writeHfModel,
  writeModelFile,
  writeOllamaModel,
} from './model-files';

function environment(home: string, env: Record<string, string> = {}): DiscoveryEnvironment {
  return {
    env: { XDG_CACHE_HOME: join(home, '.cache'), ...env },
    home,
    platform: 'linux',
    ollamaServiceHome: join(home, 'usr-share-ollama'),
  };
}

const byLabel = (models: DiscoveredModel[], label: string) => {
  const m = models.find((x) => x.label === label);
  assert.ok(m, `${label} is listed (have: ${models.map((x) => x.label).join(', ')})`);
  return m;
};

const qwenBase = { name: 'Qwen2.5 Coder 1.5B', fim: true, chatTemplate: true };

test('ollama: OLLAMA_MODELS is honoured; each tag is its manifest’s model blob, named as ollama names it', async (t) => {
  const home = tempDir('rw-disc-', t);
  const store = join(home, 'elsewhere', 'ollama-models');
  writeOllamaModel(store, 'qwen2.5-coder', '1.5b-base-q8_0', qwenBase);
  writeOllamaModel(store, 'qwen2.5-coder', '1.5b', {
    ...qwenBase,
    name: 'Qwen2.5 Coder 1.5B Instruct',
  });
  writeOllamaModel(store, 'coder', 'v1', qwenBase, { namespace: 'someone' });
  writeOllamaModel(store, 'Qwen2.5-Coder-1.5B-GGUF', 'Q8_0', qwenBase, {
    host: 'hf.co',
    namespace: 'bartowski',
  });
  // A pull interrupted before its blob landed, and a manifest that is not JSON.
  const gone = join(store, 'manifests', 'registry.ollama.ai', 'library', 'gone', 'latest');
  mkdirSync(join(gone, '..'), { recursive: true });
  writeFileSync(
    gone,
    JSON.stringify({
      layers: [
        { mediaType: 'application/vnd.ollama.image.model', digest: `sha256:${'f'.repeat(64)}` },
      ],
    }),
  );
  const broken = join(store, 'manifests', 'registry.ollama.ai', 'library', 'broken', 'latest');
  mkdirSync(join(broken, '..'), { recursive: true });
  writeFileSync(broken, '{ not json');

  const env = environment(home, { OLLAMA_MODELS: store });
  const roots = storeRoots(env);
  assert.deepEqual(roots[0], { store: 'ollama', dir: store, from: 'OLLAMA_MODELS' });
  const models = await discoverModels({ environment: env });

  const base = byLabel(models, 'qwen2.5-coder:1.5b-base-q8_0');
  assert.equal(base.store, 'ollama');
  assert.match(relative(store, base.path), /^blobs[/\\]sha256-[0-9a-f]{64}$/);
  assert.equal(base.facts?.family, 'Qwen2.5-Coder');
  assert.equal(base.facts?.kind, 'base');
  assert.match(base.facts?.kindEvidence ?? '', /store name/);
  assert.equal(base.facts?.quantization, 'Q8_0');
  assert.equal(base.facts?.parameters, MODEL_FILE_PARAMETERS);
  assert.equal(base.facts?.contextLength, 32768);
  assert.equal(base.facts?.unsupported, undefined);
  assert.equal(byLabel(models, 'qwen2.5-coder:1.5b').facts?.kind, 'instruct');
  assert.ok(byLabel(models, 'someone/coder:v1').facts);
  assert.ok(byLabel(models, 'hf.co/bartowski/Qwen2.5-Coder-1.5B-GGUF:Q8_0').facts);
  assert.match(byLabel(models, 'gone:latest').problem ?? '', /blob .* is missing/);
  assert.match(
    byLabel(models, 'broken:latest').problem ?? '',
    /manifest .* unreadable \(not JSON\)/,
  );
});

test('ollama: the per-user store and the Linux service’s store are both looked in', async (t) => {
  const home = tempDir('rw-disc-', t);
  writeOllamaModel(join(home, '.ollama', 'models'), 'mine', 'latest', qwenBase);
  writeOllamaModel(
    join(home, 'usr-share-ollama', '.ollama', 'models'),
    'service',
    'latest',
    qwenBase,
  );
  const models = await discoverModels({ environment: environment(home) });
  assert.deepEqual(models.map((m) => m.label).sort(), ['mine:latest', 'service:latest']);
});

test('LM Studio: publisher/model/file.gguf under ~/.lmstudio/models, the older ~/.cache/lm-studio, and a moved home', async (t) => {
  const home = tempDir('rw-disc-', t);
  writeModelFile(
    join(
      home,
      '.lmstudio',
      'models',
      'lmstudio-community',
      'Qwen2.5-Coder-1.5B-GGUF',
      'Qwen2.5-Coder-1.5B-Q8_0.gguf',
    ),
    qwenBase,
  );
  writeModelFile(
    join(home, '.cache', 'lm-studio', 'models', 'TheBloke', 'old-GGUF', 'old.Q4_0.gguf'),
    { name: 'old', matrixType: 'Q4_0' },
  );
  const moved = join(home, 'big-disk', 'lms');
  writeModelFile(join(moved, 'models', 'pub', 'repo', 'moved.gguf'), { name: 'moved' });
  writeFileSync(join(home, '.lmstudio-home-pointer'), `${moved}\n`);
  const models = await discoverModels({ environment: environment(home) });
  const m = byLabel(
    models,
    'lmstudio-community/Qwen2.5-Coder-1.5B-GGUF/Qwen2.5-Coder-1.5B-Q8_0.gguf',
  );
  assert.equal(m.store, 'lm-studio');
  assert.equal(byLabel(models, 'TheBloke/old-GGUF/old.Q4_0.gguf').facts?.quantization, 'Q4_0');
  assert.equal(byLabel(models, 'pub/repo/moved.gguf').store, 'lm-studio');
});

test('Hugging Face cache: snapshot links into blobs, one entry per blob, HF_HOME honoured, a dangling link listed', async (t) => {
  const home = tempDir('rw-disc-', t);
  const hub = join(home, 'hf-home', 'hub');
  const repo = 'Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF';
  const file = 'qwen2.5-coder-1.5b-instruct-q8_0.gguf';
  const link = writeHfModel(hub, repo, file, { ...qwenBase, name: 'Qwen2.5 Coder 1.5B Instruct' });
  // An older snapshot (no branch points at it) linking to the same blob: the same model, listed once.
  const repoDir = join(hub, 'models--Qwen--Qwen2.5-Coder-1.5B-Instruct-GGUF');
  const old = join(repoDir, 'snapshots', 'b'.repeat(40));
  mkdirSync(old, { recursive: true });
  const blob = join(repoDir, 'blobs', readdirSync(join(repoDir, 'blobs'))[0]!);
  symlinkSync(relative(old, blob), join(old, file));
  // A download whose blob is gone.
  symlinkSync(join('..', '..', 'blobs', 'missing'), join(join(link, '..'), 'gone-q4_0.gguf'));

  const models = await discoverModels({
    environment: environment(home, { HF_HOME: join(home, 'hf-home') }),
  });
  const hf = models.filter((m) => m.store === 'hf-cache');
  const m = byLabel(hf, `${repo}/${file}`);
  assert.equal(m.facts?.kind, 'instruct');
  assert.deepEqual(m.alsoAt, [join(old, file)]);
  assert.match(byLabel(hf, `${repo}/gone-q4_0.gguf`).problem ?? '', /missing/);
  assert.equal(hf.length, 2);
});

test('Hugging Face cache: HF_HUB_CACHE wins over HF_HOME', () => {
  const roots = storeRoots(environment('/h', { HF_HUB_CACHE: '/x/hub', HF_HOME: '/y' }));
  assert.deepEqual(
    roots.find((r) => r.store === 'hf-cache'),
    { store: 'hf-cache', dir: '/x/hub', from: 'HF_HUB_CACHE' },
  );
  const plain = storeRoots(environment('/h'));
  assert.equal(plain.find((r) => r.store === 'hf-cache')?.dir, '/h/.cache/huggingface/hub');
});

test('llama.cpp cache: LLAMA_CACHE, else $XDG_CACHE_HOME/llama.cpp; partial downloads are not models', async (t) => {
  const home = tempDir('rw-disc-', t);
  const cache = join(home, '.cache', 'llama.cpp');
  writeModelFile(
    join(cache, 'ggml-org_Qwen2.5-Coder-1.5B-Q8_0-GGUF_qwen2.5-coder-1.5b-q8_0.gguf'),
    qwenBase,
  );
  writeFileSync(
    join(cache, 'ggml-org_Qwen2.5-Coder-1.5B-Q8_0-GGUF_qwen2.5-coder-1.5b-q8_0.gguf.json'),
    '{}',
  );
  writeFileSync(join(cache, 'other.gguf.downloadInProgress'), 'GGUF');
  let models = await discoverModels({ environment: environment(home) });
  assert.deepEqual(
    models.map((m) => [m.store, m.label]),
    [['llama-cpp', 'ggml-org_Qwen2.5-Coder-1.5B-Q8_0-GGUF_qwen2.5-coder-1.5b-q8_0.gguf']],
  );
  const moved = join(home, 'llama-cache');
  writeModelFile(join(moved, 'x.gguf'), qwenBase);
  models = await discoverModels({ environment: environment(home, { LLAMA_CACHE: moved }) });
  assert.deepEqual(
    models.map((m) => m.label),
    ['x.gguf'],
  );
  assert.equal(
    storeRoots(environment('/h', {})).find((r) => r.store === 'llama-cpp')?.dir,
    '/h/.cache/llama.cpp',
  );
  assert.equal(
    storeRoots({ ...environment('/h'), platform: 'darwin' }).find((r) => r.store === 'llama-cpp')
      ?.dir,
    '/h/Library/Caches/llama.cpp',
  );
});

test('a configured folder: .gguf files at any depth, split sets once, and a folder that is an ollama store', async (t) => {
  const home = tempDir('rw-disc-', t);
  const folder = join(home, 'my-models');
  writeModelFile(join(folder, 'deep', 'er', 'starcoder2-3b-Q8_0.gguf'), {
    architecture: 'starcoder2',
    name: 'starcoder2-3b',
    pre: 'starcoder',
  });
  for (const i of [1, 2, 3])
    writeModelFile(join(folder, `big-Q8_0-0000${i}-of-00003.gguf`), {
      name: 'big',
      extra: [['split.count', { type: 'u16', value: 3 }]],
    });
  writeModelFile(join(folder, 'half-00001-of-00002.gguf'), { name: 'half' });
  const ollamaLike = join(home, 'backup-ollama');
  writeOllamaModel(ollamaLike, 'qwen2.5-coder', '7b-base-q4_K_M', qwenBase);
  const models = await discoverModels({
    roots: [],
    folders: [folder, ollamaLike],
    environment: environment(home),
  });
  assert.equal(byLabel(models, 'deep/er/starcoder2-3b-Q8_0.gguf').facts?.family, 'StarCoder2');
  const big = byLabel(models, 'big-Q8_0-00001-of-00003.gguf');
  assert.equal(big.shards?.length, 3);
  assert.equal(big.facts?.parameters, 3 * MODEL_FILE_PARAMETERS);
  assert.match(big.facts?.unsupported ?? '', /split into 3 files.*llama-gguf-split --merge/);
  assert.equal(
    models.filter((m) => m.label.startsWith('big-')).length,
    1,
    'a split set is listed once',
  );
  assert.match(byLabel(models, 'half-00001-of-00002.gguf').problem ?? '', /shard 2 is missing/);
  assert.equal(byLabel(models, 'qwen2.5-coder:7b-base-q4_K_M').store, 'ollama');
});

test('corrupt, truncated and unreadable files are listed with a reason, never thrown', async (t) => {
  const home = tempDir('rw-disc-', t);
  const folder = join(home, 'models');
  const good = writeModelFile(join(folder, 'good.gguf'), qwenBase);
  const bytes = readFileSync(good);
  writeFileSync(join(folder, 'not-gguf.gguf'), 'this is a text file, not a model');
  writeFileSync(join(folder, 'truncated-header.gguf'), bytes.subarray(0, 120));
  writeFileSync(join(folder, 'truncated-data.gguf'), bytes.subarray(0, bytes.length - 100));
  writeFileSync(join(folder, 'empty.gguf'), '');
  const locked = writeModelFile(join(folder, 'locked.gguf'), qwenBase);
  chmodSync(locked, 0);
  // A link to itself cannot be opened by anyone, root included.
  symlinkSync('loop.gguf', join(folder, 'loop.gguf'));
  const models = await discoverModels({
    roots: [],
    folders: [folder],
    environment: environment(home),
  });
  assert.ok(byLabel(models, 'good.gguf').facts);
  assert.match(byLabel(models, 'not-gguf.gguf').problem ?? '', /bad magic/);
  assert.match(byLabel(models, 'truncated-header.gguf').problem ?? '', /truncated/);
  assert.match(
    byLabel(models, 'truncated-data.gguf').problem ?? '',
    /runs past the end of the file/,
  );
  assert.match(byLabel(models, 'empty.gguf').problem ?? '', /bad magic/);
  const lockedModel = byLabel(models, 'locked.gguf');
  assert.match(byLabel(models, 'loop.gguf').problem ?? '', /link that points to itself/);
  if (process.getuid?.() === 0) assert.ok(lockedModel.facts, 'root reads a mode-0 file');
  else assert.match(lockedModel.problem ?? '', /permission denied/);
  for (const m of models.filter((x) => x.problem))
    assert.ok(!m.problem!.includes(m.path), `the reason does not repeat the path: ${m.problem}`);
});

test('discovery leaves every file as it was: same bytes, size and mtime', async (t) => {
  const home = tempDir('rw-disc-', t);
  writeOllamaModel(join(home, '.ollama', 'models'), 'qwen2.5-coder', '1.5b-base-q8_0', qwenBase);
  writeModelFile(join(home, '.lmstudio', 'models', 'p', 'r', 'f.gguf'), qwenBase);
  writeHfModel(join(home, '.cache', 'huggingface', 'hub'), 'o/r', 'f.gguf', qwenBase);
  writeModelFile(join(home, '.cache', 'llama.cpp', 'f.gguf'), qwenBase);
  const snapshot = () => {
    const out: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) {
          const st = statSync(p);
          out[relative(home, p)] =
            `${st.size} ${st.mtimeMs} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
        }
      }
    };
    walk(home);
    return out;
  };
  const before = snapshot();
  const models = await discoverModels({ environment: environment(home) });
  assert.equal(models.filter((m) => m.facts).length, 4);
  assert.deepEqual(snapshot(), before, 'nothing written, nothing added, nothing removed');
});
