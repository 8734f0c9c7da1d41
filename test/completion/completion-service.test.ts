import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CompletionService, type CompletionEngine } from '../../src/completion/completion-service';
import { PromptBuilder } from '../../src/completion/prompt-builder';
import { chooseRope } from '../../src/completion/rope-choice';
import { FileTexts } from '../../src/context/file-texts';
import { RepoIndex } from '../../src/context/repo-index';
import { SyntaxLoader } from '../../src/context/syntax';
import type { GenerateResult } from '../../src/model/generate';
import { loadModelTokenizer } from '../../src/model/model-source';
import { repoRoot } from '../repo-root';
import { bundledModel } from '../test-models';

const root = join(repoRoot(), 'test', 'fixtures', 'pyrepo');
const tok = loadModelTokenizer(bundledModel());

/** An engine that answers `reply` after `ms`, honouring cancellation, and records what it was asked. */
function fakeEngine(reply: string, ms = 5) {
  const calls: { prompt: number[][]; maxTokens?: number; aborted: boolean }[] = [];
  const engine: CompletionEngine = {
    generate: (prompt, _rope, options, live) =>
      new Promise((resolve) => {
        const call = { prompt, maxTokens: options.maxTokens, aborted: false };
        calls.push(call);
        const result = (
          stopReason: GenerateResult['stopReason'],
          text: string,
        ): GenerateResult => ({
          text,
          tokens: [],
          stopReason,
          promptTokens: prompt.flat().length,
          reusedTokens: 0,
          movedTokens: 0,
          prefillMs: 0,
          decodeMs: 0,
        });
        const timer = setTimeout(
          () => resolve(result('stop-text', options.maxTokens === 0 ? '' : reply)),
          ms,
        );
        live.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          call.aborted = true;
          resolve(result('cancelled', ''));
        });
      }),
  };
  return { engine, calls };
}

async function service(reply: string, ms = 5) {
  const { index } = await RepoIndex.build(root, new SyntaxLoader(join(repoRoot(), 'grammars')));
  const builder = new PromptBuilder(index, tok, new FileTexts(root).get);
  const fake = fakeEngine(reply, ms);
  const s = new CompletionService(
    {
      builder: () => builder,
      engine: fake.engine,
      settings: () => ({
        budget: 1024,
        strategy: 'ast',
        rope: chooseRope('auto', 1024, {
          trainLength: 1024,
          defaultRope: { method: 'none' as const },
        }),
        maxTokens: 64,
        stopTokens: [],
      }),
    },
    0,
  );
  return { s, ...fake };
}

const text = 'from shapes.square import Square\n\ndef test_big():\n    assert Square(3).\n';
const offset = text.indexOf('Square(3).') + 'Square(3).'.length;

test('a suggestion is post-processed to the line, and the same cursor is then served from the cache', async () => {
  const { s, calls } = await service('area() == 9\n    assert True\n');
  const first = await s.complete({ path: 'tests/test_big.py', text, offset, language: 'python' });
  assert.equal(first.source, 'engine');
  assert.equal(first.text, 'area() == 9');
  // The prompt holds the definition from the other file.
  assert.match(tok.decode(calls[0]?.prompt.flat() ?? []), /class Square\(Shape\)/);
  const again = await s.complete({ path: 'tests/test_big.py', text, offset, language: 'python' });
  assert.equal(again.source, 'cache');
  assert.equal(again.text, 'area() == 9');
  // Typed through: the user typed "are", the rest comes from the cache.
  const typed = text.slice(0, offset) + 'are' + text.slice(offset);
  const through = await s.complete({
    path: 'tests/test_big.py',
    text: typed,
    offset: offset + 3,
    language: 'python',
  });
  assert.deepEqual([through.source, through.text], ['cache', 'a() == 9']);
  assert.equal(calls.length, 1);
  assert.deepEqual([s.stats.fromEngine, s.stats.fromCache], [1, 2]);
});

test('a newer request cancels the older one before it reaches the engine or while it runs', async () => {
  const { s, calls } = await service('area()', 50);
  const older = s.complete({ path: 'tests/test_big.py', text, offset, language: 'python' });
  await new Promise((r) => setTimeout(r, 10)); // the older one is in the engine now
  const typed = text.slice(0, offset) + 'a' + text.slice(offset);
  const newer = s.complete({
    path: 'tests/test_big.py',
    text: typed,
    offset: offset + 1,
    language: 'python',
  });
  const [o, n] = await Promise.all([older, newer]);
  assert.equal(o.source, 'cancelled');
  assert.equal(n.source, 'engine');
  assert.equal(calls[0]?.aborted, true);
  // A request cancelled by the editor while debouncing never reaches the engine.
  const { s: s2, calls: calls2 } = await service('x');
  const ac = new AbortController();
  const p = s2.complete({
    path: 'tests/test_big.py',
    text,
    offset,
    language: 'python',
    signal: ac.signal,
  });
  ac.abort();
  assert.equal((await p).source, 'cancelled');
  assert.equal(calls2.length, 0);
});

test('pre-warming fills the cache with no tokens generated, and a request cancels it', async () => {
  const { s, calls } = await service('area()', 30);
  const warm = s.prewarm({ path: 'tests/test_big.py', text, offset, language: 'python' });
  await new Promise((r) => setTimeout(r, 5));
  const req = s.complete({
    path: 'tests/test_big.py',
    text,
    offset,
    language: 'python',
    immediate: true,
  });
  assert.equal(await warm, undefined);
  assert.equal((await req).source, 'engine');
  assert.deepEqual(
    calls.map((c) => [c.maxTokens, c.aborted]),
    [
      [0, true],
      [48, false],
    ],
  );
});
