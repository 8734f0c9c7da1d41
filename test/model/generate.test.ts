import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Generator, cacheBound, commonPrefixLength } from '../../src/model/generate';
import { OnnxModel } from '../../src/model/onnx-backend';
import { loadModelTokenizer } from '../../src/model/model-source';
import type { PromptTokenizer } from '../../src/model/tokenizers/load-tokenizer';
import { committedModel } from '../test-models';

let model: OnnxModel;
let tok: PromptTokenizer;
const none = { method: 'none' };

before(async () => {
  const dir = committedModel('tiny');
  model = await OnnxModel.load(dir);
  tok = loadModelTokenizer(dir);
});
after(() => model.dispose());

const prompt = () =>
  tok.encode(
    'def area(width, height):\n    return width * height\n\n\ndef perimeter(width, height):\n',
  );

test('a repeated prompt is served from the cache and generates the same tokens', async () => {
  const g = new Generator(model, tok, 8); // small prefill chunks exercise chunked prefill too
  const first = await g.generate(prompt(), none, { maxTokens: 6 });
  const second = await g.generate(prompt(), none, { maxTokens: 6 });
  assert.equal(first.reusedTokens, 0);
  assert.equal(second.reusedTokens, prompt().length - 1);
  assert.deepEqual(second.tokens, first.tokens);
});

test('an extended prompt reuses the common prefix and matches a cold run', async () => {
  const warm = new Generator(model, tok);
  await warm.generate(prompt(), none, { maxTokens: 2 });
  const longer = [...prompt(), ...tok.encode('    return 2 * (')];
  const reused = await warm.generate(longer, none, { maxTokens: 6 });
  const cold = await new Generator(model, tok).generate(longer, none, { maxTokens: 6 });
  assert.ok(reused.reusedTokens >= prompt().length - 1);
  assert.deepEqual(reused.tokens, cold.tokens);
});

test('another RoPE method does not reuse a cache computed under other angles', async () => {
  const g = new Generator(model, tok);
  await g.generate(prompt(), none, { maxTokens: 1 });
  const r = await g.generate(
    prompt(),
    { method: 'linear', options: { factor: 2 } },
    { maxTokens: 1 },
  );
  assert.equal(r.reusedTokens, 0);
});

test('cancellation stops within one decoding step; max tokens and stop texts end generation', async () => {
  const g = new Generator(model, tok);
  const ctrl = new AbortController();
  let pieces = 0;
  const r = await g.generate(prompt(), none, {
    maxTokens: 50,
    onText: () => {
      pieces++;
      ctrl.abort();
    },
    signal: ctrl.signal,
  });
  assert.equal(r.stopReason, 'cancelled');
  assert.equal(r.tokens.length, pieces);
  assert.ok(r.tokens.length <= 2);
  const capped = await g.generate(prompt(), none, { maxTokens: 3 });
  assert.ok(capped.tokens.length <= 3);
  const free = await g.generate(prompt(), none, { maxTokens: 8 });
  if (free.text.length > 1) {
    const stop = free.text.slice(1, 2);
    const stopped = await g.generate(prompt(), none, { maxTokens: 8, stop: [stop] });
    assert.equal(stopped.stopReason, 'stop-text');
    assert.ok(!stopped.text.includes(stop));
  }
});

test('chunked prompts: a chunk that moved is copied from the cache and re-rotated, not recomputed', async () => {
  const chunk = (text: string) => tok.encode(text);
  const a = chunk(
    '# shapes.py\nclass Rectangle:\n    def __init__(self, width, height):\n        self.width = width\n        self.height = height\n',
  );
  const b = chunk(
    '# colors.py\nRED = (255, 0, 0)\nGREEN = (0, 255, 0)\nBLUE = (0, 0, 255)\nWHITE = (255, 255, 255)\nBLACK = (0, 0, 0)\n',
  );
  const c = chunk(
    '# area.py\ndef area(shape):\n    return shape.width * shape.height\n\ndef perimeter(shape):\n    return 2 * (shape.width + shape.height)\n',
  );
  const cursor = chunk('r = Rectangle(2, 3)\nprint(area(');
  assert.ok(c.length >= 32, `chunk c has ${c.length} tokens`);
  const g = new Generator(model, tok);
  await g.generate([a, b, c, cursor], none, { maxTokens: 2 });
  const moved = await g.generate([a, c, cursor], none, { maxTokens: 4 });
  // b and c both open with '#': that token stays in the common prefix, the rest of c moves.
  assert.equal(moved.reusedTokens, a.length + c.length);
  assert.equal(moved.movedTokens, c.length - commonPrefixLength(b, c));
  const cold = await new Generator(model, tok).generate([a, c, cursor], none, { maxTokens: 4 });
  assert.equal(cold.reusedTokens, 0);
});

test('common prefix length', () => {
  assert.equal(commonPrefixLength([1, 2, 3], [1, 2, 4, 5]), 2);
  assert.equal(commonPrefixLength([], [1]), 0);
});

test('sessions keep separate caches; past the memory bound the least recently used is evicted', async () => {
  // tiny: 2 layers × 2 kv heads × 16 dims → 512 bytes per token; a cache grows by doubling from 256 tokens.
  const perCache = 256 * 2 * 2 * 16 * 2 * 4;
  const g = new Generator(model, tok, 512, 2 * perCache);
  const p = prompt();
  await g.generate(p, none, { maxTokens: 1, session: 'a.py' });
  await g.generate(p, none, { maxTokens: 1, session: 'b.py' });
  const again = await g.generate(p, none, { maxTokens: 1, session: 'a.py' });
  assert.equal(again.reusedTokens, p.length - 1); // a.py's cache survived b.py
  assert.deepEqual(g.cachedSessions(), ['b.py', 'a.py']);
  await g.generate(p, none, { maxTokens: 1, session: 'c.py' });
  assert.deepEqual(g.cachedSessions(), ['a.py', 'c.py']); // b.py was least recently used
  const evicted = await g.generate(p, none, { maxTokens: 1, session: 'b.py' });
  assert.equal(evicted.reusedTokens, 0);
});

test('token healing: the output begins with the healed text, whatever the model would have chosen', async () => {
  const g = new Generator(model, tok);
  for (const startsWith of ['retu', 'zq_x', 'w']) {
    const r = await g.generate(tok.encode('def area(width, height):\n    '), none, {
      maxTokens: 6,
      startsWith,
    });
    assert.ok(
      r.text.startsWith(startsWith),
      `${JSON.stringify(r.text)} does not begin with ${startsWith}`,
    );
  }
});

test('the sessions’ cache bound admits one cache at the load budget, and at least 512 MiB', () => {
  // Qwen2.5-Coder-1.5B in fp16: 28 layers × 2 KV heads × 128 × 2 (K, V) × 2 bytes per token.
  const perToken = 28 * 2 * 128 * 2 * 2;
  assert.equal(cacheBound(perToken, 32768), perToken * (32768 + 1024));
  assert.ok(cacheBound(perToken, 32768) > 512 * 2 ** 20);
  assert.equal(cacheBound(perToken, 4096), 512 * 2 ** 20);
});
