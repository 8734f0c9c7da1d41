// The remote backends against replayed exchanges on 127.0.0.1: recorded from a real llama-server
// (test/fixtures/remote/llama-server.json) and written from vLLM's and ollama's documented APIs. The
// same contract for every backend: the family's markers from the server, streamed text, the server's
// prompt and cache counts, stop texts, cancellation that closes the connection, named errors.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { remoteBackend } from '../../../src/model/remote';
import {
  RemoteAuthError,
  RemoteContextTooLongError,
  RemoteModelNotFoundError,
  RemoteTimeoutError,
  RemoteUnreachableError,
} from '../../../src/model/remote/errors';
import type { RemoteBackend, RemoteBackendKind } from '../../../src/model/remote/remote-backend';
import { StopWatcher } from '../../../src/model/remote/remote-backend';
import { OLLAMA_DEFAULT_NUM_CTX } from '../../../src/model/remote/ollama';
import { loadExchanges, ReplayServer } from './replay-server';

const QWEN_MARKERS = ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|file_sep|>'];
const OTHER_MARKERS = ['<fim_prefix>', '<｜fim▁begin｜>', '<|file_separator|>'];

interface Case {
  kind: RemoteBackendKind;
  fixture: string;
  /** The endpoint as a user would write it, from the replay server's URL. */
  endpoint: (url: string) => string;
  model?: string;
  /** What the fixture's completion streams. */
  completion: { path: string; cached: boolean };
  /** Whether the server tells its context through this API. */
  context: boolean;
}

const CASES: Case[] = [
  {
    kind: 'llama-server',
    fixture: 'llama-server',
    endpoint: (u) => u,
    completion: { path: '/completion', cached: true },
    context: true,
  },
  {
    kind: 'openai-compatible',
    fixture: 'llama-server',
    endpoint: (u) => `${u}/v1`,
    completion: { path: '/v1/completions', cached: true },
    context: false,
  },
  {
    kind: 'openai-compatible',
    fixture: 'vllm',
    endpoint: (u) => `${u}/v1`,
    model: 'Qwen/Qwen2.5-Coder-1.5B',
    completion: { path: '/v1/completions', cached: true },
    context: true,
  },
  {
    kind: 'ollama',
    fixture: 'ollama',
    endpoint: (u) => u,
    model: 'qwen2.5-coder:1.5b-base-q8_0',
    completion: { path: '/api/generate', cached: false },
    context: true,
  },
];

for (const c of CASES) {
  describe(`${c.kind} against ${c.fixture}'s exchanges`, () => {
    let server: ReplayServer;
    let backend: RemoteBackend;
    before(async () => {
      server = await new ReplayServer(loadExchanges(c.fixture).exchanges).start();
      backend = remoteBackend(c.kind, c.endpoint(server.url), {
        model: c.model,
        retries: 0,
        timeoutMs: 5000,
      });
    });
    after(() => server.stop());

    test("the server says which family's markers are single tokens", async () => {
      const facts = await backend.probe([...QWEN_MARKERS, ...OTHER_MARKERS]);
      assert.deepEqual(facts.singleTokens, QWEN_MARKERS);
      if (c.context)
        assert.ok((facts.contextTokens ?? 0) >= 2048, `context ${facts.contextTokens}`);
    });

    test('a completion streams, with the prompt counted by the server and its cache use where it says it', async () => {
      const pieces: string[] = [];
      const reply = await backend.complete({
        prompt: { text: '<|fim_prefix|>def f():\n    return <|fim_suffix|>\n<|fim_middle|>' },
        maxTokens: 16,
        stop: ['\n\n\n'],
        onText: (p) => pieces.push(p),
      });
      assert.equal(reply.path, c.completion.path);
      assert.ok(reply.text.length > 0);
      assert.equal(pieces.join(''), reply.text);
      assert.ok((reply.promptTokens ?? 0) > 0, `prompt tokens ${reply.promptTokens}`);
      if (c.completion.cached) assert.equal(typeof reply.cachedTokens, 'number');
      else assert.equal(reply.cachedTokens, undefined);
      assert.ok(['stop-token', 'max-tokens', 'stop-text'].includes(reply.stopReason));
    });

    test('a stop text ends the text before it, even where the server ignores it', async () => {
      const full = await backend.complete({ prompt: { text: 'x' }, maxTokens: 16, stop: [] });
      const cutAt = full.text.slice(1, 3);
      assert.ok(cutAt.length > 0, `text ${JSON.stringify(full.text)}`);
      const cut = await backend.complete({ prompt: { text: 'x' }, maxTokens: 16, stop: [cutAt] });
      assert.equal(cut.text, full.text.slice(0, full.text.indexOf(cutAt)));
      assert.equal(cut.stopReason, 'stop-text');
    });
  });
}

describe('errors and cancellation', () => {
  let vllm: ReplayServer;
  before(async () => {
    vllm = await new ReplayServer(loadExchanges('vllm').exchanges).start();
  });
  after(() => vllm.stop());
  const openai = (model: string, extra: object = {}) =>
    remoteBackend('openai-compatible', `${vllm.url}/v1`, { model, retries: 0, ...extra });
  const ask = (b: RemoteBackend, signal?: AbortSignal) =>
    b.complete({ prompt: { text: 'x' }, maxTokens: 8, stop: [] }, signal);

  test('401 is an auth error, 404 on a model a model-not-found error, a long prompt context-too-long', async () => {
    await assert.rejects(ask(openai('needs-key')), (e) => {
      assert.ok(e instanceof RemoteAuthError);
      assert.equal(e.reason, '401 unauthorized');
      return true;
    });
    await assert.rejects(ask(openai('no-such-model')), (e) => {
      assert.ok(e instanceof RemoteModelNotFoundError);
      assert.match(e.message, /no-such-model/);
      return true;
    });
    await assert.rejects(ask(openai('short-context')), RemoteContextTooLongError);
    const ollama = await new ReplayServer(loadExchanges('ollama').exchanges).start();
    try {
      await assert.rejects(
        remoteBackend('ollama', ollama.url, { model: 'qwen2.5-coder:7b', retries: 0 }).complete({
          prompt: { text: 'x' },
          maxTokens: 1,
          stop: [],
        }),
        RemoteModelNotFoundError,
      );
    } finally {
      await ollama.stop();
    }
  });

  test("llama-server's own answer to a prompt over its context is context-too-long", async () => {
    const llama = await new ReplayServer(loadExchanges('llama-server').exchanges).start();
    try {
      await assert.rejects(
        remoteBackend('llama-server', llama.url, { retries: 0 }).complete({
          prompt: { text: 'word word' },
          maxTokens: 4,
          stop: [],
        }),
        (e) => {
          assert.ok(e instanceof RemoteContextTooLongError);
          assert.equal(e.reason, 'context too long');
          assert.match(e.message, /exceeds the available context size/);
          return true;
        },
      );
    } finally {
      await llama.stop();
    }
  });

  test('the API key goes as a Bearer token', async () => {
    await ask(openai('Qwen/Qwen2.5-Coder-1.5B', { apiKey: 'sk-test-123' }));
    const last = vllm.received.at(-1)!;
    assert.equal(last.headers.authorization, 'Bearer sk-test-123');
  });

  test('cancelling closes the connection: the server sees it hang up mid-stream', async () => {
    const closed = vllm.nextEarlyClose();
    const abort = new AbortController();
    const pieces: string[] = [];
    const pending = openai('endless').complete(
      {
        prompt: { text: 'x' },
        maxTokens: 4096,
        stop: [],
        onText: (p) => {
          pieces.push(p);
          if (pieces.length === 3) abort.abort();
        },
      },
      abort.signal,
    );
    await assert.rejects(pending, (e: Error) => e.name === 'AbortError');
    await closed;
    assert.equal(vllm.received.at(-1)?.closedEarly, true);
  });

  test('a stream that stalls times out with a named error', async () => {
    await assert.rejects(
      openai('endless', { timeoutMs: 5 }).complete({
        prompt: { text: 'x' },
        maxTokens: 8,
        stop: [],
      }),
      RemoteTimeoutError,
    );
  });

  test('connection errors are retried with backoff, then reported as unreachable; HTTP errors are not retried', async () => {
    // A port nothing listens on: the replay server's, after it stopped.
    const gone = await new ReplayServer([]).start();
    const url = gone.url;
    await gone.stop();
    const t0 = performance.now();
    await assert.rejects(
      remoteBackend('llama-server', url, { retries: 2, backoffMs: 30 }).complete({
        prompt: { text: 'x' },
        maxTokens: 1,
        stop: [],
      }),
      (e) => {
        assert.ok(e instanceof RemoteUnreachableError);
        assert.equal(e.reason, 'server unreachable');
        return true;
      },
    );
    // Waits of 30 and 90 ms between the three attempts.
    assert.ok(performance.now() - t0 >= 110, `${(performance.now() - t0).toFixed(0)} ms`);
    const before = vllm.received.length;
    await assert.rejects(
      ask(remoteBackend('openai-compatible', `${vllm.url}/v1`, { model: 'needs-key', retries: 3 })),
    );
    assert.equal(vllm.received.length - before, 1);
  });
});

test("ollama's context is its num_ctx (the Modelfile's, else the default), not the model's native one", async () => {
  const exchanges = loadExchanges('ollama').exchanges;
  const server = await new ReplayServer(exchanges).start();
  try {
    const b = remoteBackend('ollama', server.url, { model: 'qwen2.5-coder:1.5b-base-q8_0' });
    assert.equal((await b.probe([])).contextTokens, 8192);
  } finally {
    await server.stop();
  }
  const bare = exchanges.map((e) =>
    e.request.path === '/api/show' && e.request.match
      ? {
          ...e,
          response: { ...e.response, body: { ...(e.response.body as object), parameters: '' } },
        }
      : e,
  );
  const plain = await new ReplayServer(bare).start();
  try {
    const b = remoteBackend('ollama', plain.url, { model: 'qwen2.5-coder:1.5b-base-q8_0' });
    assert.equal((await b.probe([])).contextTokens, OLLAMA_DEFAULT_NUM_CTX);
  } finally {
    await plain.stop();
  }
});

test('stop texts: the first wins, a tail that could still become one is held back', () => {
  const first = new StopWatcher(['<|file_sep|>', '\n']);
  assert.equal(first.push('a\nb<|file_sep|>c'), true);
  assert.equal(first.finish(), 'a');
  const shown: string[] = [];
  const w = new StopWatcher(['<|file_sep|>'], (p) => shown.push(p));
  assert.equal(w.push('return x<|file'), false);
  assert.equal(shown.join(''), 'return x'.slice(0, 'return x<|file'.length - 11));
  assert.equal(w.push('_sep|>more'), true);
  assert.equal(w.finish(), 'return x');
  assert.equal(shown.join(''), 'return x');
});
