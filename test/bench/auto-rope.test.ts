import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AutoRopeStore, readAutoRope, saveAutoRope } from '../../src/bench/auto-rope';
import { tempDir } from '../temp-dir';

test('the saved choice for the nearest budget at or above, at factor budget / training length; nothing when never benchmarked', (t) => {
  const dir = tempDir('rw-auto-', t);
  assert.equal(new AutoRopeStore(dir).bestFor('m/x', 4096), undefined);
  saveAutoRope(
    {
      modelId: 'm/x',
      trainLength: 1024,
      metric: 'es',
      createdAt: 'now',
      budgets: {
        1024: { method: 'none', factor: 1 },
        4096: { method: 'yarn', factor: 4, score: 0.3 },
      },
    },
    dir,
  );
  const store = new AutoRopeStore(dir);
  assert.deepEqual(store.bestFor('m/x', 1000), { method: 'none', factor: 1 });
  assert.deepEqual(store.bestFor('m/x', 2048), { method: 'yarn', factor: 2, score: 0.3 });
  assert.deepEqual(store.bestFor('m/x', 16384), { method: 'yarn', factor: 16, score: 0.3 });
  // A later run that measured only 1024 replaces that budget and keeps 4096.
  saveAutoRope(
    {
      modelId: 'm/x',
      trainLength: 1024,
      metric: 'es',
      createdAt: 'later',
      budgets: { 1024: { method: 'ntk', factor: 1 } },
    },
    dir,
  );
  assert.equal(
    store.bestFor('m/x', 1000)?.method,
    'none',
    'read once: a store sees a new run only after reload()',
  );
  store.reload();
  assert.equal(store.bestFor('m/x', 1000)?.method, 'ntk');
  assert.equal(store.bestFor('m/x', 4096)?.method, 'yarn');
});

test('names are validated: an unknown method is dropped with a warning, a broken file counts as never benchmarked', (t) => {
  const dir = tempDir('rw-auto-', t);
  writeFileSync(
    join(dir, 'm.json'),
    JSON.stringify({
      modelId: 'm',
      trainLength: 1024,
      metric: 'es',
      createdAt: 'x',
      budgets: { 2048: { method: 'rerope', factor: 2 }, 4096: { method: 'yarn', factor: 4 } },
    }),
  );
  const warnings: string[] = [];
  const store = new AutoRopeStore(dir, (l) => warnings.push(l));
  assert.equal(
    store.bestFor('m', 2048)?.method,
    'yarn',
    'the unknown 2048 entry is skipped; 4096 holds it',
  );
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] as string, /rerope/);
  writeFileSync(join(dir, 'broken.json'), '{"budgets": ');
  assert.equal(readAutoRope('broken', dir), undefined);
  assert.equal(new AutoRopeStore(dir).bestFor('broken', 1024), undefined);
});
