// The exporter: a contract-2 folder as torch.onnx.export and the recipe wrote models/tiny → a GGUF file
// identical to the committed models/tiny/model.gguf, and what it refuses.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { onnx } from 'onnx-proto';
import { runCli } from '../../../src/cli/dispatch';
import { CorruptModelError } from '../../../src/model/errors';
import { exportGguf, GgufExportError } from '../../../src/model/gguf-export/export-gguf';
import { UnsupportedTokenizerJsonError } from '../../../src/model/gguf-export/tokenizer-json-vocab';
import { readGgufSync } from '../../../src/model/gguf/gguf-file';
import { plainMetadata } from '../../../src/model/gguf-import/gguf-metadata';
import { TokenType } from '../../../src/model/tokenizers/gguf-vocab';
import { repoRoot } from '../../repo-root';
import { tempDir } from '../../temp-dir';
import { writeTorchExportFolder } from '../v2-folder';

const committed = join(repoRoot(), 'models', 'tiny', 'model.gguf');

test("models/tiny's contract-2 folder exports to exactly the committed model.gguf", (t) => {
  const dir = writeTorchExportFolder(tempDir('ropewalk-export-', t));
  const out = join(dir, 'out.gguf');
  const result = exportGguf(dir, out);
  assert.equal(result.tensors, 2 + 2 * 9);
  assert.equal(result.parameters, 1141056);
  assert.equal(result.pre, 'ropewalk');
  assert.equal(result.tokenizerCasesChecked, 5);
  assert.equal(result.card.contract, 3);
  assert.ok(readFileSync(out).equals(readFileSync(committed)), 'the bytes differ');
});

test('the GGUF has the standard llama keys and the tokenizer as llama.cpp reads it', () => {
  const file = readGgufSync(committed);
  const meta = plainMetadata(file);
  assert.equal(meta['general.architecture'], 'llama');
  assert.equal(meta['general.name'], 'ropewalk-tiny');
  assert.equal(meta['general.file_type'], 0);
  assert.equal(meta['llama.context_length'], 256);
  assert.equal(meta['llama.embedding_length'], 64);
  assert.equal(meta['llama.block_count'], 2);
  assert.equal(meta['llama.attention.head_count'], 4);
  assert.equal(meta['llama.attention.head_count_kv'], 2);
  assert.equal(meta['llama.rope.freq_base'], 10000);
  assert.ok(Math.abs((meta['llama.attention.layer_norm_rms_epsilon'] as number) - 1e-5) < 1e-10);
  assert.equal(meta['tokenizer.ggml.model'], 'gpt2');
  assert.equal(meta['tokenizer.ggml.pre'], 'ropewalk');
  assert.equal((meta['tokenizer.ggml.tokens'] as string[]).length, 16384);
  assert.equal((meta['tokenizer.ggml.merges'] as string[]).length, 16121);
  const types = meta['tokenizer.ggml.token_type'] as number[];
  assert.deepEqual(types.slice(0, 8), [3, 3, 3, 3, 3, 3, 3, 1]);
  assert.equal(types.filter((x) => x === TokenType.control).length, 7);
  assert.equal(meta['tokenizer.ggml.eos_token_id'], 0);
  assert.equal(meta['tokenizer.ggml.bos_token_id'], 0);
  assert.equal(meta['tokenizer.ggml.add_bos_token'], false);
  assert.equal(meta['tokenizer.ggml.fim_pre_token_id'], 1);
  assert.equal(meta['tokenizer.ggml.fim_sep_token_id'], 5);
  assert.equal(meta['tokenizer.ggml.fim_rep_token_id'], 6);
  const card = JSON.parse(meta['ropewalk.card'] as string) as Record<string, unknown>;
  assert.equal(card.name, 'ropewalk-tiny');
  assert.ok(card.fim, 'the FIM formats travel in ropewalk.card');
  // Tied head: no output.weight; every tensor is F32, ggml order [K, N].
  assert.ok(!file.tensors.some((x) => x.name === 'output.weight'));
  assert.ok(file.tensors.every((x) => x.type === 0));
  assert.deepEqual(file.tensors.find((x) => x.name === 'blk.0.ffn_down.weight')?.dims, [176, 64]);
});

test('a tokenizer.json the GGUF tokenizer would split differently is refused by name', (t) => {
  const dir = writeTorchExportFolder(tempDir('ropewalk-export-', t));
  const path = join(dir, 'tokenizer.json');
  const json = JSON.parse(readFileSync(path, 'utf8'));
  json.pre_tokenizer.pretokenizers[0].pattern.Regex = '\\w+|\\s+|[^\\w\\s]+';
  writeFileSync(path, JSON.stringify(json));
  assert.throws(() => exportGguf(dir, join(dir, 'out.gguf')), UnsupportedTokenizerJsonError);
  writeFileSync(path, JSON.stringify({ ...json, normalizer: { type: 'NFC' } }));
  assert.throws(() => exportGguf(dir, join(dir, 'out.gguf')), /normalizer/);
});

test('ids that differ from the recipe tokenizer’s golden ids stop the export', (t) => {
  const dir = writeTorchExportFolder(tempDir('ropewalk-export-', t));
  const path = join(dir, 'golden.json');
  const golden = JSON.parse(readFileSync(path, 'utf8'));
  golden.tokenizerCases[0].ids[0] += 1;
  writeFileSync(path, JSON.stringify(golden));
  assert.throws(() => exportGguf(dir, join(dir, 'out.gguf')), GgufExportError);
});

test('a model.onnx without a layer’s weights is CorruptModelError naming the tensor', (t) => {
  const dir = writeTorchExportFolder(tempDir('ropewalk-export-', t));
  const path = join(dir, 'model.onnx');
  const model = onnx.ModelProto.decode(readFileSync(path));
  const graph = model.graph as onnx.GraphProto;
  graph.node = graph.node.filter((n) => n.name !== '/model/w3_1/MatMul');
  writeFileSync(path, onnx.ModelProto.encode(model).finish());
  assert.throws(
    () => exportGguf(dir, join(dir, 'out.gguf')),
    (e: Error) => e instanceof CorruptModelError && /blk\.1\.ffn_up\.weight/.test(e.message),
  );
});

test('`ropewalk export-gguf DIR OUT --card FILE` writes both', async (t) => {
  const dir = writeTorchExportFolder(tempDir('ropewalk-export-', t));
  const out = join(dir, 'model.gguf');
  const card = join(dir, 'card.json');
  let text = '';
  const code = await runCli(['export-gguf', dir, out, '--card', card], {
    out: (s) => (text += s),
    err: (s) => (text += s),
  });
  assert.equal(code, 0, text);
  assert.ok(readFileSync(out).equals(readFileSync(committed)));
  assert.deepEqual(
    JSON.parse(readFileSync(card, 'utf8')),
    JSON.parse(readFileSync(join(repoRoot(), 'models', 'tiny', 'model-card.json'), 'utf8')),
  );
});
