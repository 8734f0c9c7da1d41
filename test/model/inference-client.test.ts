import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { InferenceClient, InferenceProcessError } from '../../src/model/inference-client';
import { TextTokenizer } from '../../src/model/tokenizer';
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

test('generation in the child process streams text and stops within one decoding step when cancelled', async () => {
  const client = new InferenceClient(join(root, 'dist', 'inference-process.js'));
  const engine = { modelDir: join(root, 'models', 'tiny'), provider: 'cpu' as const };
  const tok = TextTokenizer.load(join(root, 'models', 'tiny', 'tokenizer.json'));
  const prompt = tok.encode('def area(width, height):\n    return');
  try {
    const full = await client.generate(engine, prompt, { method: 'none' }, { maxTokens: 6 });
    assert.equal(full.provider, 'cpu');
    assert.ok(full.tokens.length > 0);

    const ctrl = new AbortController();
    let pieces = 0;
    const started = client.generate(engine, prompt, { method: 'none' }, { maxTokens: 400 }, {
      signal: ctrl.signal, onText: () => { pieces++; if (pieces === 2) ctrl.abort(); },
    });
    // Queued behind it and cancelled before it starts: answered without generating.
    const queuedCtrl = new AbortController();
    const queued = client.generate(engine, prompt, { method: 'none' }, { maxTokens: 400 }, { signal: queuedCtrl.signal });
    queuedCtrl.abort();
    const [r, q] = await Promise.all([started, queued]);
    assert.equal(r.stopReason, 'cancelled');
    // The cancel arrives while step k runs; the loop checks before step k+1.
    assert.ok(r.tokens.length <= pieces + 1, `${r.tokens.length} tokens after ${pieces} pieces`);
    assert.equal(q.stopReason, 'cancelled');
    assert.ok(q.tokens.length === 0);
  } finally {
    client.dispose();
  }
});
