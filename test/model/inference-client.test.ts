import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { InferenceClient, InferenceProcessError } from '../../src/model/inference-client';
import { repoRoot } from '../repo-root';

const root = repoRoot();

test('the inference process checks a model off the caller thread, and recovers after a crash', async () => {
  const lines: string[] = [];
  const client = new InferenceClient(join(root, 'dist', 'inference-process.js'), (l) => lines.push(l));
  try {
    const report = await client.checkModel(join(root, 'models', 'tiny'));
    assert.ok(report.ok);
    // Kill the child mid-request: the request fails with a named error and the next one restarts it.
    const pending = client.checkModel(join(root, 'models', 'tiny'));
    (client as unknown as { child: { kill: (s: string) => void } }).child.kill('SIGKILL');
    await assert.rejects(pending, InferenceProcessError);
    const again = await client.checkModel(join(root, 'models', 'tiny'));
    assert.ok(again.ok);
  } finally {
    client.dispose();
  }
});

test('a missing model comes back as a named error, not a crash', async () => {
  const client = new InferenceClient(join(root, 'dist', 'inference-process.js'));
  try {
    await assert.rejects(client.checkModel(join(root, 'no-such-model')), /ModelNotFoundError/);
  } finally {
    client.dispose();
  }
});
