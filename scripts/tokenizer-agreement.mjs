// Does a GGUF vocabulary tokenize like a tokenizer.json? Encodes every .ts/.js/.py file under the given
// folders with both (tokenizer.json through @huggingface/tokenizers, the GGUF through Ropewalk's GGUF
// tokenizer) and counts the files whose ids differ. Usage:
//   node scripts/tokenizer-agreement.mjs TOKENIZER_JSON MODEL.gguf [--pre NAME] [DIR...]
// DIRs default to this repository's src/ and /usr/lib/python3*/. --pre replaces the file's
// tokenizer.ggml.pre (to see how llama.cpp's names compare). Special-token strings written in a file
// (`<|endoftext|>`) are text to both, as to the recipe's tokenizer that made the training data; they
// are counted because that is where a special-token mismatch would show.

import { build } from 'esbuild';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const preAt = args.indexOf('--pre');
const pre = preAt >= 0 ? args.splice(preAt, 2)[1] : undefined;
const [tokenizerJson, ggufPath, ...dirs] = args;
if (!tokenizerJson || !ggufPath) {
  console.error(
    'usage: node scripts/tokenizer-agreement.mjs TOKENIZER_JSON MODEL.gguf [--pre NAME] [DIR...]',
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

const reference = TextTokenizer.load(tokenizerJson);
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

const SPECIAL = /<\|[a-z_]+\|>/;
const byExt = {};
let same = 0;
let tokens = 0;
let specials = 0;
const shown = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  specials += text.split(SPECIAL).length - 1;
  const a = reference.encode(text);
  const b = gguf.encode(text);
  tokens += a.length;
  const ext = extname(file);
  byExt[ext] ??= { files: 0, identical: 0 };
  byExt[ext].files++;
  if (a.length === b.length && a.every((x, i) => x === b[i])) {
    same++;
    byExt[ext].identical++;
  } else if (shown.length < 5) {
    let i = 0;
    while (a[i] === b[i]) i++;
    const around = (ids) => JSON.stringify(reference.decode(ids.slice(Math.max(0, i - 2), i + 3)));
    shown.push(`  ${file}: tokenizer.json ${around(a)}, GGUF ${around(b)}`);
  }
}
for (const s of shown) console.log(s);
for (const [ext, r] of Object.entries(byExt))
  console.log(`${ext}: ${r.identical}/${r.files} files identical`);
console.log(
  `pre '${vocab.pre}': ${same}/${files.length} files (${tokens} tokens) tokenized identically; ${specials} special-token strings among them`,
);
process.exitCode = same === files.length ? 0 : 1;
