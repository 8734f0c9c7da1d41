import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UnknownModelHandleError } from '../../src/model/errors';
import { importGguf } from '../../src/model/gguf-import/import-gguf';
import { InferenceClient, InferenceProcessError } from '../../src/model/inference-client';
import { ModelCache } from '../../src/model/model-cache';
import { loadModelTokenizer } from '../../src/model/model-source';
import { repoRoot } from '../repo-root';
import { tempDir } from '../temp-dir';
import { committedModel } from '../test-models';
import { writeLoadableV2Folder } from './v2-folder';

const root = repoRoot();
const tiny = committedModel('tiny');
const entry = join(root, 'dist', 'inference-process.js');
const tok = loadModelTokenizer(tiny);
const prompt = tok.encode('def area(width, height):\n    return');

type Internals = { child: { kill: (s: string) => void; pid: number } };
const childOf = (client: InferenceClient) => (client as unknown as Internals).child;

test('open loads and checks the model once, off the caller thread, and answers what the editor needs', async () => {
  const client = new InferenceClient(entry);
  try {
    const opened = await client.open(tiny, 'cpu');
    assert.ok(opened.report.ok);
    assert.equal(typeof opened.handle, 'number');
    assert.equal(opened.provider, 'cpu');
    assert.equal(opened.card.name, opened.report.model);
    // Built from models/tiny/model.gguf into the cache; the golden cases are replayed from models/tiny.
    assert.ok(opened.files.tokenizer.endsWith('vocab.json'));
    assert.equal(opened.files.goldenDir, tiny);
    const r = await client.generate(opened.handle!, prompt, { method: 'none' }, { maxTokens: 3 });
    assert.ok(r.tokens.length > 0);
  } finally {
    client.dispose();
  }
});

test('after a crash the next generate restarts the process and opens the same model again', async () => {
  const lines: string[] = [];
  const client = new InferenceClient(entry, (l) => lines.push(l));
  try {
    const { handle } = await client.open(tiny, 'cpu');
    assert.ok(handle !== undefined);
    const before = await client.generate(handle, prompt, { method: 'none' }, { maxTokens: 4 });
    // Killed mid-request: that request fails with a named error ...
    const firstPid = childOf(client).pid;
    let killed = false;
    const pending = client.generate(
      handle,
      prompt,
      { method: 'none' },
      { maxTokens: 400 },
      {
        onText: () => {
          if (!killed) childOf(client).kill('SIGKILL');
          killed = true;
        },
      },
    );
    await assert.rejects(pending, InferenceProcessError);
    assert.ok(killed);
    // ... and the same handle works on, in a new process, with the same (greedy) output.
    const after = await client.generate(handle, prompt, { method: 'none' }, { maxTokens: 4 });
    assert.notEqual(childOf(client).pid, firstPid);
    assert.deepEqual(after.tokens, before.tokens);
    assert.ok(
      lines.some((l) => l.includes('opening') && l.includes(tiny)),
      lines.join('\n'),
    );
  } finally {
    client.dispose();
  }
});

test('closed, replaced and made-up handles are named errors; opening again closes the previous model', async () => {
  const client = new InferenceClient(entry);
  try {
    const first = await client.open(tiny, 'cpu');
    const second = await client.open(tiny, 'cpu');
    assert.ok(
      first.handle !== undefined && second.handle !== undefined && first.handle !== second.handle,
    );
    await assert.rejects(
      client.generate(first.handle, prompt, { method: 'none' }, { maxTokens: 1 }),
      UnknownModelHandleError,
    );
    await assert.rejects(
      client.generate(999, prompt, { method: 'none' }, { maxTokens: 1 }),
      UnknownModelHandleError,
    );
    await client.close(second.handle);
    await assert.rejects(
      client.generate(second.handle, prompt, { method: 'none' }, { maxTokens: 1 }),
      UnknownModelHandleError,
    );
    await assert.rejects(client.close(second.handle), UnknownModelHandleError);
    // The process itself refuses a handle it does not hold (what a stale client would send).
    const raw = (
      client as unknown as { request: (b: object) => Promise<{ type: string; name?: string }> }
    ).request;
    const reply = await raw.call(client, {
      type: 'generate',
      handle: 12345,
      prompt,
      rope: { method: 'none' },
      options: { maxTokens: 1 },
    });
    assert.equal(reply.type, 'error');
    assert.equal(reply.name, 'UnknownModelHandleError');
  } finally {
    client.dispose();
  }
});

test('a model that fails its golden cases is reported and not kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rw-failing-model-'));
  const client = new InferenceClient(entry);
  try {
    cpSync(tiny, dir, { recursive: true });
    const golden = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as {
      tolerance: number;
    };
    // No difference is below a negative tolerance: every case fails.
    writeFileSync(join(dir, 'golden.json'), JSON.stringify({ ...golden, tolerance: -1 }));
    const opened = await client.open(dir, 'cpu');
    assert.equal(opened.report.ok, false);
    assert.equal(opened.handle, undefined);
  } finally {
    client.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing model comes back as a named error, not a crash', async () => {
  const client = new InferenceClient(entry);
  try {
    await assert.rejects(client.open(join(root, 'no-such-model')), /ModelNotFoundError/);
  } finally {
    client.dispose();
  }
});

test('a model that would not fit at the caller’s context is refused by the memory check, by name', async () => {
  const client = new InferenceClient(entry);
  try {
    await assert.rejects(
      client.open(tiny, 'cpu', { contextTokens: 1e9 }),
      /ModelTooBigError.*a context budget of \d+ tokens fits/,
    );
  } finally {
    client.dispose();
  }
});

test('generation in the child process streams text and stops within one decoding step when cancelled', async () => {
  const client = new InferenceClient(entry);
  try {
    const { handle } = await client.open(tiny, 'cpu');
    assert.ok(handle !== undefined);
    const full = await client.generate(handle, prompt, { method: 'none' }, { maxTokens: 6 });
    assert.equal(full.provider, 'cpu');
    assert.ok(full.tokens.length > 0);

    const ctrl = new AbortController();
    let pieces = 0;
    const started = client.generate(
      handle,
      prompt,
      { method: 'none' },
      { maxTokens: 400 },
      {
        signal: ctrl.signal,
        onText: () => {
          pieces++;
          if (pieces === 2) ctrl.abort();
        },
      },
    );
    // Queued behind it and cancelled before it starts: answered without generating.
    const queuedCtrl = new AbortController();
    const queued = client.generate(
      handle,
      prompt,
      { method: 'none' },
      { maxTokens: 400 },
      { signal: queuedCtrl.signal },
    );
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

test('the KV type asked for reaches the process and comes back with its reason; float16 of a v2 model is refused by name', async (t) => {
  const gguf = join(root, 'test', 'fixtures', 'gguf-ref', 'qwen2-tiny-q8_0.gguf');
  const dir = await importGguf(gguf, { cache: new ModelCache(tempDir('rw-client-kv-', t)) });
  const client = new InferenceClient(entry);
  try {
    const opened = await client.open(dir, 'cpu', { kvType: 'float16' });
    assert.equal(opened.report.kv.type, 'float16');
    assert.match(opened.report.kv.reason, /as set/);
    const r = await client.generate(
      opened.handle!,
      [1, 2, 3, 4],
      { method: 'none' },
      { maxTokens: 3 },
    );
    assert.equal(r.promptTokens, 4);
    // A contract-2 folder has the float32 graph only (Ropewalk's own models are GGUF files now: both).
    const v2 = await writeLoadableV2Folder(tempDir('rw-client-v2-', t));
    const auto = await client.open(v2, 'cpu');
    assert.equal(auto.report.kv.type, 'float32');
    assert.match(auto.report.kv.reason, /no fp16-KV graph/);
    await assert.rejects(
      client.open(v2, 'cpu', { kvType: 'float16' }),
      /KvTypeUnavailableError: a float16 KV cache was asked for/,
    );
  } finally {
    client.dispose();
  }
});
