// `ropewalk tokenizer-json`: tokenizer.json and a tokenized sample from a GGUF file, and its option checks.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/dispatch';
import type { TokenizerSample } from '../../src/cli/tokenizer-json';
import { loadModelTokenizer } from '../../src/model/model-source';
import { repoRoot } from '../repo-root';
import { tempDir } from '../temp-dir';

const tinyDir = join(repoRoot(), 'models', 'tiny');

async function cli(args: string[]): Promise<{ code: number; text: string }> {
  let text = '';
  const sink = (s: string) => (text += s);
  const code = await runCli(args, { out: sink, err: sink });
  return { code, text };
}

test('`tokenizer-json MODEL OUT --texts T --sample S` writes tokenizer.json and the GGUF ids', async (t) => {
  const dir = tempDir('ropewalk-tokjson-cli-', t);
  const texts = ['print("<|file_sep|>")\n', "x = 'DON'T'  \n\n", 'ü → ✓'];
  writeFileSync(join(dir, 'texts.json'), JSON.stringify(texts));
  const out = join(dir, 'tokenizer.json');
  const sample = join(dir, 'sample.json');
  const r = await cli([
    'tokenizer-json',
    join(tinyDir, 'model.gguf'),
    out,
    '--texts',
    join(dir, 'texts.json'),
    '--sample',
    sample,
  ]);
  assert.equal(r.code, 0, r.text);
  const json = JSON.parse(readFileSync(out, 'utf8')) as { model: { type: string } };
  assert.equal(json.model.type, 'BPE');
  const written = JSON.parse(readFileSync(sample, 'utf8')) as TokenizerSample;
  assert.equal(written.pre, 'ropewalk');
  const tok = loadModelTokenizer(tinyDir);
  assert.deepEqual(
    written.cases,
    texts.map((text) => ({ text, ids: tok.encode(text) })),
  );
});

test('--texts without --sample is a usage error; texts that are not strings are refused', async (t) => {
  const dir = tempDir('ropewalk-tokjson-cli-', t);
  const model = join(tinyDir, 'model.gguf');
  writeFileSync(join(dir, 'bad.json'), JSON.stringify([1, 2]));
  const usage = await cli(['tokenizer-json', model, join(dir, 'o.json'), '--texts', 'x.json']);
  assert.equal(usage.code, 2);
  assert.match(usage.text, /--texts and --sample go together/);
  const bad = await cli([
    'tokenizer-json',
    model,
    join(dir, 'o.json'),
    '--texts',
    join(dir, 'bad.json'),
    '--sample',
    join(dir, 's.json'),
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.text, /array of strings/);
});
