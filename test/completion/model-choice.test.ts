// Each model found gets a default budget and RoPE method from its own context, a memory estimate against
// free memory, and a place in the list: ready base models first, then the rest with why not.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultBudget } from '../../src/completion/defaults';
import {
  assessModel,
  assessModels,
  defaultsText,
  factsText,
  INSTRUCT_WARNING,
  modelInUse,
} from '../../src/completion/model-choice';
import type { ModelFacts } from '../../src/model/discovery/gguf-facts';
import type { DiscoveredModel } from '../../src/model/discovery/model-stores';
import { neededBytes } from '../../src/model/memory-check';

const GiB = 2 ** 30;

/** Qwen2.5-Coder-1.5B's shape and a Q8_0 file's weights. */
function qwen(over: Partial<ModelFacts> = {}): ModelFacts {
  return {
    name: 'Qwen2.5 Coder 1.5B',
    architecture: 'qwen2',
    family: 'Qwen2.5-Coder',
    parameters: 1.54e9,
    quantization: 'Q8_0',
    tensorTypes: { Q8_0: 197, F32: 141 },
    fileBytes: 1.65e9,
    contextLength: 32768,
    rope: { freqBase: 1e6 },
    ownRope: { method: 'none' },
    fim: {
      prefix: '<|fim_prefix|>',
      suffix: '<|fim_suffix|>',
      middle: '<|fim_middle|>',
      from: 'metadata',
    },
    kind: 'base',
    kindEvidence: 'its store name',
    kv: { nLayers: 28, nKvHeads: 2, headDim: 128 },
    weightsBytes: 1.8e9,
    ...over,
  };
}

const model = (label: string, facts?: ModelFacts, problem?: string): DiscoveredModel => ({
  store: 'ollama',
  root: '/r',
  label,
  path: `/r/${label}`,
  ...(facts && { facts }),
  ...(problem && { problem }),
});

const cpu = { provider: 'cpu', freeBytes: 16 * GiB };

test('the default budget is the device’s, at most 4× the model’s native context', () => {
  assert.equal(defaultBudget('cpu'), 4096);
  assert.equal(defaultBudget('cpu', 32768), 4096);
  assert.equal(defaultBudget('cuda', 32768), 16384);
  assert.equal(defaultBudget('cuda', 8192), 16384);
  assert.equal(
    defaultBudget('cuda', 1024),
    4096,
    'the bundled model (trained at 1024) is not run at ×16 on a GPU',
  );
  assert.equal(defaultBudget('cpu', 1024), 4096, 'nor does its CPU default change');
  assert.equal(defaultBudget('cpu', 256), 1024);
});

test('Qwen2.5-Coder: within its native 32k nothing is scaled; beyond it, YaRN ×4', () => {
  const a = assessModel(model('q', qwen()), cpu);
  assert.equal(a.standing, 'ready');
  assert.equal(a.budget, 4096);
  assert.deepEqual([a.rope?.method, a.rope?.options.factor], ['none', 1]);
  assert.deepEqual([a.beyond?.method, a.beyond?.options.factor], ['yarn', 4]);
  assert.equal(
    a.memory?.needed,
    neededBytes({
      weightsBytes: 1.8e9,
      nLayers: 28,
      nKvHeads: 2,
      headDim: 128,
      budget: 4096,
      kvBytesPerValue: 4,
    }),
  );
  assert.equal(a.memory?.fits, true);
  assert.equal(a.kv?.type, 'float32', 'a 112 MiB cache stays fp32 under auto');
});

test('DeepSeek-Coder keeps its built-in linear ×4 at every budget', () => {
  const ds = qwen({
    family: 'DeepSeek-Coder',
    architecture: 'llama',
    contextLength: 16384,
    ownRope: { method: 'linear', factor: 4 },
  });
  const a = assessModel(model('d', ds), { provider: 'cuda', freeBytes: 64 * GiB });
  assert.equal(a.budget, 16384);
  assert.deepEqual([a.rope?.method, a.rope?.options.factor], ['linear', 4]);
  assert.deepEqual([a.beyond?.method, a.beyond?.options.factor], ['linear', 4]);
});

test('a budget setting is used as it is, and memory is counted at it with the KV type the loader picks', () => {
  const a = assessModel(model('q', qwen()), { ...cpu, budget: 65536 });
  assert.equal(a.budget, 65536);
  assert.deepEqual([a.rope?.method, a.rope?.options.factor], ['yarn', 2]);
  // fp32 would be 3.5 GiB at 64k tokens: auto takes fp16, as onnx-backend would.
  assert.equal(a.kv?.type, 'float16');
  assert.equal(
    a.memory?.needed,
    neededBytes({
      weightsBytes: 1.8e9,
      nLayers: 28,
      nKvHeads: 2,
      headDim: 128,
      budget: 65536,
      kvBytesPerValue: 2,
    }),
  );
  const fp32 = assessModel(model('q', qwen()), { ...cpu, budget: 65536, kvType: 'float32' });
  assert.equal(fp32.kv?.type, 'float32');
  assert.ok((fp32.memory?.needed ?? 0) > (a.memory?.needed ?? 0));
});

test('the list: ready base models first, then unknown, instruct, too big, unsupported, unreadable — each with why', () => {
  const ranked = assessModels(
    [
      model('unreadable', undefined, 'truncated: …'),
      model(
        'gemma3',
        qwen({
          family: 'gemma3',
          architecture: 'gemma3',
          unsupported: 'architecture gemma3 is not one Ropewalk runs',
          kv: undefined,
        }),
      ),
      model('huge', qwen({ weightsBytes: 40 * GiB })),
      model('instruct', qwen({ kind: 'instruct', kindEvidence: 'general.finetune = "Instruct"' })),
      model('unknown', qwen({ kind: 'unknown' })),
      model('base-b', qwen({ name: 'B' })),
      model('base-a', qwen({ name: 'A' })),
    ],
    cpu,
  );
  assert.deepEqual(
    ranked.map((m) => [m.label, m.assessment.standing]),
    [
      ['base-a', 'ready'],
      ['base-b', 'ready'],
      ['unknown', 'ready'],
      ['instruct', 'instruct'],
      ['huge', 'too-big'],
      ['gemma3', 'unsupported'],
      ['unreadable', 'unreadable'],
    ],
  );
  const why = (label: string) =>
    ranked.find((m) => m.label === label)!.assessment.reasons.join('; ');
  assert.match(why('instruct'), new RegExp(INSTRUCT_WARNING));
  assert.match(why('huge'), /needs .* GiB at 4096 tokens, 16\.0 GiB is free/);
  assert.match(why('gemma3'), /not one Ropewalk runs/);
  assert.match(why('unreadable'), /truncated/);
  assert.equal(why('base-a'), '');
});

test('the lines the CLI and the picker show', () => {
  const [m] = assessModels([model('qwen2.5-coder:1.5b-base-q8_0', qwen())], cpu);
  assert.equal(
    factsText(m!),
    'Qwen2.5-Coder (qwen2) · 1.5B · Q8_0 · 1.5 GiB · context 32768 native · FIM · base',
  );
  assert.match(
    defaultsText(m!),
    /^4096 tokens, RoPE none, fp32 KV cache; beyond 32768: yarn ×4; needs \d+\.\d GiB of 16\.0 GiB free$/,
  );
  assert.match(
    factsText(
      model(
        'x',
        qwen({
          fim: undefined,
          kind: 'unknown',
          rope: { scalingType: 'yarn', factor: 4, originalContext: 32768 },
        }),
      ),
    ),
    /yarn ×4 from 32768 · prefix-only \(no FIM tokens\) · base or instruct unknown$/,
  );
});

test('the status bar’s words for the model in use: family, quantization, context, FIM or prefix-only', () => {
  const card = {
    name: 'Qwen2.5 Coder 1.5B',
    contract: 3,
    config: {
      vocab_size: 8,
      dim: 8,
      n_layers: 1,
      n_heads: 1,
      n_kv_heads: 1,
      ffn_dim: 8,
      rope_theta: 1e6,
      train_len: 32768,
      architecture: 'qwen2',
    },
    parameters: 1,
    trainLength: 32768,
    tokensSeen: 0,
    heldoutLoss: null,
    specialTokens: {
      '<|endoftext|>': 0,
      '<|fim_prefix|>': 1,
      '<|fim_suffix|>': 2,
      '<|fim_middle|>': 3,
    },
    defaultRope: { method: 'none' as const },
    source: { gguf: '/m.gguf', architecture: 'qwen2', fileType: 'Q8_0', weightTypes: { Q8_0: 2 } },
  };
  assert.deepEqual(modelInUse(card, 4096), {
    name: 'Qwen2.5 Coder 1.5B',
    detail: 'Qwen2.5-Coder · Q8_0 · context 4096 of 32768 native · FIM',
  });
  const plain = {
    ...card,
    name: 'a-very-long-model-name-that-goes-on-and-on',
    specialTokens: {},
    source: undefined,
    trainLength: 1024,
  };
  assert.deepEqual(modelInUse(plain, 4096), {
    name: 'a-very-long-model-name-that-goe…',
    detail: 'Ropewalk model · fp32 · context 4096 of 1024 native (extended) · prefix-only',
  });
});
