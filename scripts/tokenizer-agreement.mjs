// Does a GGUF vocabulary tokenize like a tokenizer.json? Encodes every .ts/.js/.py file under the given
// folders with both (tokenizer.json through @huggingface/tokenizers, the GGUF through Ropewalk's GGUF
// tokenizer) and counts the files whose ids differ. Usage:
//   node scripts/tokenizer-agreement.mjs TOKENIZER_JSON MODEL.gguf [--pre NAME] [--native DIR]
//        [--sample FILE] [DIR...]
// DIRs default to this repository's src/ and /usr/lib/python3*/. --pre replaces the file's
// tokenizer.ggml.pre (to see how llama.cpp's names compare). Special-token strings written in a file
// (`<|endoftext|>`) are text to both, as to the recipe's tokenizer that made the training data; they
// are counted because that is where a special-token mismatch would show.
// --native DIR reads tokenizer.json with Hugging Face's Rust core instead, through the Node binding of
// the `tokenizers` npm package installed in DIR (say `npm install tokenizers@0.23.2` in /tmp/hftok, then
// DIR = /tmp/hftok/node_modules/tokenizers): the same core and version as the Python package the GPU
// run tokenizes with; it prints that core's single-thread speed. --sample FILE (what `ropewalk
// tokenizer-json --sample` wrote) checks the ids recorded there against both tokenizers as well.

import { build } from 'esbuild';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const preAt = args.indexOf('--pre');
const pre = preAt >= 0 ? args.splice(preAt, 2)[1] : undefined;
const nativeAt = args.indexOf('--native');
const nativeDir = nativeAt >= 0 ? args.splice(nativeAt, 2)[1] : undefined;
const sampleAt = args.indexOf('--sample');
const samplePath = sampleAt >= 0 ? args.splice(sampleAt, 2)[1] : undefined;
const [tokenizerJson, ggufPath, ...dirs] = args;
if (!tokenizerJson || !ggufPath) {
  console.error(
    'usage: node scripts/tokenizer-agreement.mjs TOKENIZER_JSON MODEL.gguf [--pre NAME] [--native DIR] [--sample FILE] [DIR...]',
  );
  process.exit(2);
}
if (dirs.length === 0) {
  dirs.push(join(repo, 'src'));
  for (const d of readdirSync('/usr/lib'))
    if (/^python3\.\d+$/.test(d)) dirs.push(join('/usr/lib', d));
}

// The tokenizers are TypeScript: bundle them to a temporary file rather than depend on a prior build.
const bundleDir = mkdtempSync(join(tmpdir(), 'tokenizer-agreement-'));
const bundlePath = join(bundleDir, 'tokenizers.mjs');
await build({
  stdin: {
    contents: `export { TextTokenizer } from './src/model/tokenizer';
export { GgufTokenizer, vocabFromMetadata } from './src/model/tokenizers/index';
export { readGgufSync } from './src/model/gguf/gguf-file';
export { plainMetadata } from './src/model/gguf-import/gguf-metadata';`,
    resolveDir: repo,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: bundlePath,
  logLevel: 'warning',
});
const { TextTokenizer, GgufTokenizer, vocabFromMetadata, readGgufSync, plainMetadata } =
  await import(pathToFileURL(bundlePath).href).finally(() =>
    rmSync(bundleDir, { recursive: true, force: true }),
  );

/** tokenizer.json through HF's Rust core, without its special added tokens (as TextTokenizer drops them). */
async function nativeTokenizer(dir) {
  const { createRequire } = await import('node:module');
  const { Tokenizer } = createRequire(import.meta.url)(dir);
  const json = JSON.parse(readFileSync(tokenizerJson, 'utf8'));
  json.added_tokens = json.added_tokens.filter((t) => !t.special);
  const inner = Tokenizer.fromString(JSON.stringify(json));
  return {
    name: `tokenizers (HF Rust core, Node binding) from ${dir}`,
    encode: async (text) => (await inner.encode(text, null, { addSpecialTokens: false })).getIds(),
    decode: (ids) => inner.decode(ids, false),
  };
}
const textTokenizer = () => {
  const inner = TextTokenizer.load(tokenizerJson);
  return {
    name: '@huggingface/tokenizers (JS)',
    encode: (text) => Promise.resolve(inner.encode(text)),
    decode: (ids) => Promise.resolve(inner.decode(ids)),
  };
};
const reference = nativeDir ? await nativeTokenizer(nativeDir) : textTokenizer();
console.log(`tokenizer.json read by ${reference.name}`);
const vocab = vocabFromMetadata(plainMetadata(readGgufSync(ggufPath)));
if (pre !== undefined) vocab.pre = pre;
const gguf = new GgufTokenizer(vocab);

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st?.isDirectory()) walk(path);
    else if (st?.isFile() && ['.ts', '.js', '.py'].includes(extname(name))) files.push(path);
  }
};
for (const d of dirs) if (existsSync(d)) walk(d);

const same1 = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
if (samplePath) {
  const { cases } = JSON.parse(readFileSync(samplePath, 'utf8'));
  let bad = 0;
  for (const c of cases) {
    const [a, b] = [await reference.encode(c.text), gguf.encode(c.text)];
    if (!same1(a, c.ids) || !same1(b, c.ids)) {
      bad++;
      if (bad <= 5) console.log(`  sample ${JSON.stringify(c.text.slice(0, 50))}: ids differ`);
    }
  }
  console.log(
    `sample ${samplePath}: ${cases.length - bad}/${cases.length} texts give the recorded ids`,
  );
  if (bad > 0) process.exitCode = 1;
}

const SPECIAL = /<\|[a-z_]+\|>/;
const byExt = {};
let same = 0;
let tokens = 0;
let bytes = 0;
let referenceMs = 0;
let specials = 0;
const shown = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  specials += text.split(SPECIAL).length - 1;
  const t0 = performance.now();
  const a = await reference.encode(text);
  referenceMs += performance.now() - t0;
  bytes += Buffer.byteLength(text);
  const b = gguf.encode(text);
  tokens += a.length;
  const ext = extname(file);
  byExt[ext] ??= { files: 0, identical: 0 };
  byExt[ext].files++;
  if (same1(a, b)) {
    same++;
    byExt[ext].identical++;
  } else if (shown.length < 5) {
    let i = 0;
    while (a[i] === b[i]) i++;
    const around = async (ids) =>
      JSON.stringify(await reference.decode(ids.slice(Math.max(0, i - 2), i + 3)));
    shown.push(`  ${file}: tokenizer.json ${await around(a)}, GGUF ${await around(b)}`);
  }
}
for (const s of shown) console.log(s);
for (const [ext, r] of Object.entries(byExt))
  console.log(`${ext}: ${r.identical}/${r.files} files identical`);
console.log(
  `pre '${vocab.pre}': ${same}/${files.length} files (${tokens} tokens) tokenized identically; ${specials} special-token strings among them`,
);
console.log(
  `${reference.name}: ${(bytes / 1e6).toFixed(1)} MB in ${(referenceMs / 1e3).toFixed(1)} s, ` +
    `${(bytes / 1e3 / referenceMs).toFixed(2)} MB/s on one thread (${(tokens / referenceMs / 1e3).toFixed(2)}M tokens/s)`,
);
if (same !== files.length) process.exitCode = 1;
