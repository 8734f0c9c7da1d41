// The exporter: a contract-2 folder as torch.onnx.export and the recipe wrote models/tiny → a GGUF file
// identical to the committed models/tiny/model.gguf, the same as Q8_0 (loaded back through the importer
// and checked against the golden cases), and what it refuses.

import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { onnx } from 'onnx-proto';
import { runCli } from '../../../src/cli/dispatch';
import { CorruptModelError } from '../../../src/model/errors';
import { exportGguf, GgufExportError } from '../../../src/model/gguf-export/export-gguf';
import { UnsupportedTokenizerJsonError } from '../../../src/model/gguf-export/tokenizer-json-vocab';
import { GGML_TYPES, quantize } from '../../../src/model/gguf/ggml-types';
import { readGgufSync, readTensor } from '../../../src/model/gguf/gguf-file';
import { shapeFromGguf } from '../../../src/model/gguf-import/architecture';
import { plainMetadata } from '../../../src/model/gguf-import/gguf-metadata';
import { ggufWeights } from '../../../src/model/gguf-import/gguf-weights';
import { readGolden } from '../../../src/model/golden';
import { Q8_0_GOLDEN_TOLERANCE } from '../../../src/model/golden-tolerance';
import { checkModel, type ModelCheckReport } from '../../../src/model/model-check';
import { OnnxModel } from '../../../src/model/onnx-backend';
import { TokenType } from '../../../src/model/tokenizers/gguf-vocab';
import { repoRoot } from '../../repo-root';
import { tempDir } from '../../temp-dir';
import { useTestModelCache } from '../../test-models';
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

test('--type q8_0: matrices of whole 32-weight rows as Q8_0 (the tied embedding too), norms and the rest F32', (t) => {
  const dir = writeTorchExportFolder(tempDir('ropewalk-export-', t));
  const out = join(dir, 'q8.gguf');
  const result = exportGguf(dir, out, 'q8_0');
  // tiny: 2 layers × 6 matrices with K = 64, and the embedding; ffn_down's rows are 176 wide (5.5 blocks).
  assert.deepEqual(result.weightTypes, { Q8_0: 13, F32: 7 });
  assert.deepEqual(result.card.goldenTolerance, Q8_0_GOLDEN_TOLERANCE);
  const file = readGgufSync(out);
  const meta = plainMetadata(file);
  assert.equal(meta['general.file_type'], 7);
  assert.deepEqual(
    JSON.parse(meta['ropewalk.card'] as string).goldenTolerance,
    Q8_0_GOLDEN_TOLERANCE,
  );
  const f32 = readGgufSync(committed);
  for (const info of file.tensors) {
    const ref = f32.tensors.find((x) => x.name === info.name);
    assert.ok(ref, info.name);
    assert.deepEqual(info.dims, ref.dims, info.name);
    const values = new Float32Array(Uint8Array.from(readTensor(f32, info.name)).buffer);
    const want = info.dims.length === 2 && (info.dims[0] as number) % 32 === 0 ? 'Q8_0' : 'F32';
    assert.equal(info.type, GGML_TYPES[want].id, info.name);
    // The F32 file's rows (Q/K already permuted as llama.cpp's converter does) quantized as ggml does.
    assert.ok(Buffer.from(readTensor(file, info.name)).equals(quantize(want, values)), info.name);
  }
});

test('the F32 export of a folder whose card carries a Q8_0 tolerance drops it', (t) => {
  const dir = writeTorchExportFolder(tempDir('ropewalk-export-', t));
  const cardPath = join(dir, 'model-card.json');
  const card = JSON.parse(readFileSync(cardPath, 'utf8'));
  writeFileSync(cardPath, JSON.stringify({ ...card, goldenTolerance: Q8_0_GOLDEN_TOLERANCE }));
  const result = exportGguf(dir, join(dir, 'out.gguf'));
  assert.equal(result.card.goldenTolerance, undefined);
  assert.deepEqual(result.weightTypes, { F32: 20 });
});

describe('a Q8_0 model folder loads through the importer and passes its golden cases', () => {
  useTestModelCache();
  // Made outside the hooks: a folder made inside one is removed when that hook ends.
  const folder = tempDir('ropewalk-q8-');
  const src = tempDir('ropewalk-export-');
  let report: ModelCheckReport;
  before(async () => {
    writeTorchExportFolder(src);
    exportGguf(src, join(folder, 'model.gguf'), 'q8_0');
    for (const f of ['golden.json', 'golden.bin']) copyFileSync(join(src, f), join(folder, f));
    report = await checkModel(folder, { provider: 'cpu' });
  });

  test('the importer keeps the tied Q8_0 embedding quantized for both the lookup and the head', async () => {
    const file = readGgufSync(join(folder, 'model.gguf'));
    const spec = shapeFromGguf(file, plainMetadata(file)).spec;
    assert.equal(spec.tiedEmbeddings, true);
    const weights = ggufWeights(file, spec);
    for (const info of file.tensors) weights.get(info.name);
    assert.equal(weights.get('token_embd.weight')?.kind, 'nbits');
    assert.deepEqual(weights.summary, {
      types: { Q8_0: 13, F32: 7 },
      packed: 13,
      requantized: 0,
      dequantized: 2, // the two 176-wide ffn_down matrices
    });
    const model = await OnnxModel.load(folder, { provider: 'cpu' });
    try {
      const graph = onnx.ModelProto.decode(readFileSync(model.files.onnx)).graph as onnx.GraphProto;
      // One quantized table (initializers live in model.onnx.data, named in the graph): the lookup's
      // GatherBlockQuantized and the head's MatMulNBits both read it; no float copy is made.
      const inits = (graph.initializer ?? [])
        .map((x) => x.name)
        .filter((n) => n?.startsWith('token_embd'));
      assert.deepEqual(inits.sort(), ['token_embd.weight.packed', 'token_embd.weight.scales']);
      const readers = (graph.node ?? []).filter((n) =>
        (n.input ?? []).some((i) => i === 'token_embd.weight.packed'),
      );
      const ops = (graph.node ?? []).map((n) => n.opType);
      assert.ok(ops.includes('GatherBlockQuantized'), 'lookup');
      assert.ok(
        readers.some((n) => n.opType === 'MatMulNBits'),
        'head',
      );
      assert.equal(model.card.source?.fileType, 'Q8_0');
    } finally {
      await model.dispose();
    }
  });

  test('model-check passes it within the card’s Q8_0 bound, which 1e-4 would not', () => {
    assert.equal(report.ok, true, JSON.stringify(report.cases));
    assert.deepEqual(report.quantizedTolerance, Q8_0_GOLDEN_TOLERANCE);
    assert.equal(report.tolerance, 1e-4);
    const worst = Math.max(...report.cases.map((c) => c.maxAbsDiff));
    assert.ok(worst > 1e-4, `8-bit weights moved the logits by only ${worst}`);
    for (const c of report.cases) assert.equal(c.top1Agree, c.rows, c.name);
  });

  test('logits off by more than the bound in one row fail the check', async (t) => {
    const bad = tempDir('ropewalk-q8-bad-', t);
    copyFileSync(join(folder, 'model.gguf'), join(bad, 'model.gguf'));
    copyFileSync(join(folder, 'golden.json'), join(bad, 'golden.json'));
    const golden = readGolden(folder);
    const c = golden.cases.find((x) => x.name === 'moved-cache');
    assert.ok(c);
    const vocab = c.logits.shape[2] as number;
    const row = golden.data.subarray(c.logits.offset, c.logits.offset + vocab);
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of row) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
    const data = golden.data.slice();
    data[c.logits.offset + 7] =
      (data[c.logits.offset + 7] as number) + 3 * Q8_0_GOLDEN_TOLERANCE.spreadFraction * (hi - lo);
    writeFileSync(join(bad, 'golden.bin'), data);
    const r = await checkModel(bad, { provider: 'cpu' });
    assert.equal(r.ok, false);
    assert.ok(
      (r.cases.find((x) => x.name === 'moved-cache')?.maxDiffOfSpread ?? 0) >
        Q8_0_GOLDEN_TOLERANCE.spreadFraction,
    );
  });
});
