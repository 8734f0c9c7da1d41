// Ropewalk's prompts in front of a server: the family chosen from what the server says (or the
// setting), the budget counted by an estimating tokenizer, and completeOnce end to end against the
// exchanges recorded from a real llama-server.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { completeOnce } from '../../src/completion/complete-once';
import { PromptBuilder } from '../../src/completion/prompt-builder';
import { qwenFimParts, remoteEngine, withoutBos } from '../../src/completion/remote-engine';
import {
  allMarkerTexts,
  connectRemote,
  engineOf,
  remoteSettings,
  templateMarkerTexts,
  trustedValue,
} from '../../src/completion/remote-setup';
import { FileTexts } from '../../src/context/file-texts';
import { RepoIndex } from '../../src/context/repo-index';
import { SyntaxLoader } from '../../src/context/syntax';
import { remoteBackend } from '../../src/model/remote';
import type { RemoteBackend, RemoteRequest } from '../../src/model/remote/remote-backend';
import { EstimatedTokenizer } from '../../src/model/tokenizers/estimated-tokenizer';
import { PROMPT_TEMPLATES, templateFor } from '../../src/packing/templates';
import { loadExchanges, ReplayServer } from '../model/remote/replay-server';
import { repoRoot } from '../repo-root';

const pyrepo = join(repoRoot(), 'test', 'fixtures', 'pyrepo');
const QWEN = [
  '<|fim_prefix|>',
  '<|fim_suffix|>',
  '<|fim_middle|>',
  '<|file_sep|>',
  '<|repo_name|>',
];

/** A backend that answers from a script and keeps what it was asked. */
function fakeBackend(facts: { singleTokens?: string[]; contextTokens?: number }) {
  const asked: RemoteRequest[] = [];
  const backend: RemoteBackend = {
    kind: 'llama-server',
    endpoint: 'http://127.0.0.1:1',
    acceptsIds: true,
    acceptsFim: true,
    probe: async () => ({ ...facts, source: 'test' }),
    complete: async (request, signal) => {
      asked.push(request);
      if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
      return {
        text: 'me',
        stopReason: 'stop-token',
        promptTokens: 100,
        cachedTokens: 90,
        path: '/infill',
      };
    },
  };
  return { backend, asked };
}

test("each family's marker texts are found by asking its template, alternate spellings too", () => {
  const qwen = PROMPT_TEMPLATES.find((t) => t.family === 'qwen2.5-coder')!;
  for (const m of QWEN) assert.ok(templateMarkerTexts(qwen).includes(m), m);
  const codellama = PROMPT_TEMPLATES.find((t) => t.family === 'codellama')!;
  const cl = templateMarkerTexts(codellama);
  assert.ok(cl.includes('▁<PRE>') && cl.includes('<PRE>'), cl.join(' '));
  assert.ok(allMarkerTexts().includes('<｜fim▁begin｜>'));
});

test("the family comes from the server's single-token markers, else the setting, else prefix-only", async () => {
  const served = await connectRemote(fakeBackend({ singleTokens: QWEN }).backend, {});
  assert.equal(served.template.family, 'qwen2.5-coder');
  assert.equal(served.familyFrom, 'server');
  assert.equal(served.exactIds, false);
  for (const family of [
    'starcoder2',
    'deepseek-coder',
    'codellama',
    'codegemma',
    'ropewalk',
  ] as const) {
    const set = await connectRemote(fakeBackend({}).backend, { family });
    assert.equal(set.template.family, family);
  }
  const none = await connectRemote(fakeBackend({}).backend, {});
  assert.equal(none.template.family, 'prefix-only');
  assert.match(none.summary, /remoteFamily/);
});

test('the estimated tokenizer gives back the exact text, markers as single pieces', () => {
  const tok = new EstimatedTokenizer(QWEN);
  const text = 'def f(x):\n    return  x + 1  # ünïcode ✓\n\t\tz = "a\\"b"\r\n';
  assert.equal(tok.decode(tok.encode(text)), text);
  assert.equal(
    tok.decode([tok.tokenId('<|file_sep|>')!, ...tok.encode('a.py\n')]),
    '<|file_sep|>a.py\n',
  );
  // Ropewalk's own vocabulary is told by markers at ids 0–6: an estimate never looks like it.
  assert.equal(templateFor(tok).family, 'qwen2.5-coder');
});

test("remote settings keep the prompt within the server's context and do not heal", async () => {
  const m = await connectRemote(
    fakeBackend({ singleTokens: QWEN, contextTokens: 2048 }).backend,
    {},
  );
  const s = remoteSettings(m, { budget: 0, maxTokens: 64 });
  assert.ok(s.budget <= 2048 - 64, `budget ${s.budget}`);
  assert.equal(s.heal, false);
  assert.equal(remoteSettings(m, { budget: 512 }).budget, 512);
  assert.ok(s.stopTokens.length > 0);
});

test('the Qwen prompt splits back into the parts llama-server /infill lays out the same way', async () => {
  const tok = new EstimatedTokenizer(QWEN);
  const { index } = await RepoIndex.build(pyrepo, new SyntaxLoader(join(repoRoot(), 'grammars')));
  const builder = new PromptBuilder(index, tok, new FileTexts(pyrepo).get);
  const path = 'shapes/square.py';
  const text = readFileSync(join(pyrepo, path), 'utf8');
  const offset = text.indexOf('self.side * self.side');
  const { packed } = builder.build({ path, text, offset, budget: 2048, strategy: 'ast' });
  assert.ok(packed.chunks.length > 0);
  const parts = qwenFimParts(packed.segments, tok)!;
  assert.deepEqual(
    parts.files.map((f) => f.path),
    packed.chunks.map((c) => c.source),
  );
  for (const [i, f] of parts.files.entries()) assert.equal(f.text, `${packed.chunks[i]!.text}\n`);
  assert.equal(parts.prefix, text.slice(0, offset));
  assert.equal(parts.suffix, text.slice(offset));
});

test('the engine sends ids only with the model’s own tokenizer, and a cancelled request gives undefined', async () => {
  const { backend, asked } = fakeBackend({ singleTokens: QWEN });
  const model = await connectRemote(backend, {});
  const engine = engineOf(backend, model);
  const ids = model.tok.encode('def f():\n');
  const r = await engine.generate(
    [ids],
    { method: 'none', options: {} },
    { maxTokens: 8, stop: ['\n'] },
    {},
  );
  assert.equal(r.reusedTokens, 90);
  assert.equal(asked[0]!.prompt.ids, undefined);
  assert.equal(asked[0]!.prompt.text, 'def f():\n');
  assert.deepEqual(asked[0]!.stop.slice(0, 1), ['\n']);
  const exact = remoteEngine({ ...engine.setup, exactIds: true });
  await exact.generate([ids], { method: 'none', options: {} }, { maxTokens: 8 }, {});
  assert.deepEqual(asked[1]!.prompt.ids, ids);
  const abort = new AbortController();
  abort.abort();
  const c = await engine.generate(
    [ids],
    { method: 'none', options: {} },
    { maxTokens: 8 },
    { signal: abort.signal },
  );
  assert.equal(c.stopReason, 'cancelled');
});

test('completeOnce through llama-server: /infill with the repository files, replayed from a real server', async () => {
  const server = await new ReplayServer(loadExchanges('llama-server').exchanges).start();
  try {
    const backend = remoteBackend('llama-server', server.url, { retries: 0 });
    const model = await connectRemote(backend, {});
    assert.equal(model.template.family, 'qwen2.5-coder');
    assert.equal(model.facts.contextTokens, 4096);
    const { index } = await RepoIndex.build(pyrepo, new SyntaxLoader(join(repoRoot(), 'grammars')));
    const loader = new SyntaxLoader(join(repoRoot(), 'grammars'));
    const builder = new PromptBuilder(index, model.tok, new FileTexts(pyrepo).get);
    const path = 'shapes/square.py';
    const text = readFileSync(join(pyrepo, path), 'utf8');
    const offset = text.indexOf('self.side * self.side') + 'self.side * self.'.length;
    const engine = engineOf(backend, model);
    const result = await completeOnce(
      { path, text, offset, language: 'python' },
      remoteSettings(model, {}),
      { builder, engine, loader },
    );
    assert.ok(result);
    const sent = server.received.find((r) => r.path === '/infill')!;
    const body = sent.body as { input_prefix: string; input_extra: { filename: string }[] };
    // No healing: the partial word stays in the prompt.
    assert.ok(body.input_prefix.endsWith('self.side * self.'), body.input_prefix.slice(-40));
    assert.ok(body.input_extra.some((f) => f.filename === 'shapes/base.py'));
    assert.equal(engine.last?.sentAs, 'fim parts');
    assert.equal(typeof result.generation.reusedTokens, 'number');
    assert.ok(result.generation.promptTokens > 0);
  } finally {
    await server.stop();
  }
});

test("text for a server leaves out the template's BOS: the server adds its own", () => {
  const tok = new EstimatedTokenizer([]);
  const bos = Object.assign(Object.create(tok) as EstimatedTokenizer, {
    facts: { model: 'llama', tokens: [], bosId: 1 },
  });
  assert.deepEqual(withoutBos([1, 20, 21], bos), [20, 21]);
  assert.deepEqual(withoutBos([20, 1], bos), [20, 1]);
  assert.deepEqual(withoutBos([1, 20], tok), [1, 20]);
});

test('a remote endpoint set by an untrusted workspace is not used; the user’s own is', () => {
  const v = {
    defaultValue: '',
    globalValue: 'http://mine:8080',
    workspaceValue: 'http://theirs:1',
  };
  assert.equal(trustedValue(v, true), 'http://theirs:1');
  assert.equal(trustedValue(v, false), 'http://mine:8080');
  assert.equal(trustedValue({ defaultValue: '', workspaceValue: 'http://theirs:1' }, false), '');
});
