// `ropewalk models`: the models found in the stores of a fixture home, with their facts, in --json and text.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AssessedModel } from '../../src/completion/model-choice';
import { repoRoot } from '../repo-root';
import { tempDir } from '../temp-dir';
import { writeModelFile, writeOllamaModel } from '../model/discovery/model-files';

function models(home: string, ...args: string[]) {
  return spawnSync(process.execPath, [join(repoRoot(), 'dist', 'cli.js'), 'models', ...args], {
    encoding: 'utf8',
    // Only what the fixture home says: no store of the machine running the tests leaks in.
    env: {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CACHE_HOME: join(home, '.cache'),
      OLLAMA_MODELS: join(home, 'ollama'),
    },
  });
}

test('ropewalk models --json: every model found, with its facts, defaults and standing; the build cache after', (t) => {
  const home = tempDir('rw-models-', t);
  const qwen = { name: 'Qwen2.5 Coder 1.5B', fim: true, chatTemplate: true };
  writeOllamaModel(join(home, 'ollama'), 'qwen2.5-coder', '1.5b-base-q8_0', qwen);
  writeOllamaModel(join(home, 'ollama'), 'qwen2.5-coder', '1.5b', {
    ...qwen,
    finetune: 'Instruct',
  });
  const folder = join(home, 'mine');
  // Qwen2.5 with a chat template and no base/instruct word anywhere: ready, after the known base model.
  writeModelFile(join(folder, 'qwen-copy.gguf'), qwen);
  writeModelFile(join(folder, 'other.gguf'), { architecture: 'gemma3', name: 'gemma-3-1b' });
  const r = models(home, '--json', '--folders', folder, '--budget', '8192');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    machine: { provider: string; freeBytes: number; budget: number };
    looked: Array<{ store: string; dir: string; from: string; present: boolean }>;
    models: AssessedModel[];
    cache: { root: string; bytes: number; models: unknown[] };
  };
  assert.equal(out.machine.budget, 8192);
  assert.ok(
    out.looked.some((l) => l.store === 'ollama' && l.from === 'OLLAMA_MODELS' && l.present),
  );
  const mine = out.models.filter((m) => m.path.startsWith(home));
  assert.deepEqual(
    mine.map((m) => [m.label, m.assessment.standing]),
    [
      ['qwen2.5-coder:1.5b-base-q8_0', 'ready'],
      ['qwen-copy.gguf', 'ready'],
      ['qwen2.5-coder:1.5b', 'instruct'],
      ['other.gguf', 'unsupported'],
    ],
  );
  const base = mine[0]!;
  assert.equal(base.store, 'ollama');
  assert.equal(base.facts?.family, 'Qwen2.5-Coder');
  assert.equal(base.facts?.quantization, 'Q8_0');
  assert.equal(base.facts?.contextLength, 32768);
  assert.ok(base.facts?.fim);
  assert.equal(base.assessment.budget, 8192);
  assert.equal(base.assessment.rope?.method, 'none');
  assert.equal(base.assessment.memory?.fits, true);
  assert.match(mine[2]!.assessment.reasons.join(), /FIM quality is poor with instruct models/);
  assert.deepEqual(out.cache, {
    root: join(home, '.cache', 'ropewalk', 'models'),
    bytes: 0,
    models: [],
  });
});

test('ropewalk models: a line per fact, the reasons a model is not recommended, where it looked', (t) => {
  const home = tempDir('rw-models-', t);
  writeOllamaModel(join(home, 'ollama'), 'qwen2.5-coder', '1.5b', {
    name: 'Qwen2.5 Coder 1.5B Instruct',
    fim: true,
  });
  const r = models(home);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /! ollama qwen2\.5-coder:1\.5b {2}\(Qwen2\.5 Coder 1\.5B Instruct\)/);
  assert.match(
    r.stdout,
    /Qwen2\.5-Coder \(qwen2\) · \d+K · Q8_0 · \d+ KiB · context 32768 native · FIM · instruct/,
  );
  assert.match(
    r.stdout,
    /runs with 4096 tokens, RoPE none, fp32 KV cache; beyond 32768: yarn ×4; needs/,
  );
  assert.match(
    r.stdout,
    /not recommended: instruct \(its name .*\): FIM quality is poor with instruct models/,
  );
  assert.match(r.stdout, /not present: .*\.lmstudio/);
  assert.match(r.stdout, /0 built models/);
});

test('ropewalk models --folders with a missing folder lists it with why, and exits 0', (t) => {
  const home = tempDir('rw-models-', t);
  const r = models(home, '--json', '--folders', join(home, 'nope'));
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { models: AssessedModel[] };
  assert.match(out.models.find((m) => m.path === join(home, 'nope'))?.problem ?? '', /missing/);
});
