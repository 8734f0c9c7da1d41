// Checks our fill-in-the-middle prompts against the ones llama-server's /infill builds from the same
// input_prefix, input_suffix and input_extra, token id by token id. Dev tool, not run by CI.
//
//   node scripts/dev/infill-vs-llama-server.mjs LLAMA_DIR [MODEL.gguf ...] [--all] [--port 18431]
//
// LLAMA_DIR is a llama.cpp checkout with build/bin/llama-server. Each MODEL.gguf must have weights
// (llama-server loads the model); --all builds the standard set into a temporary folder first:
// test/fixtures/gguf-ref/qwen2-tiny-f32.gguf (Qwen2.5-Coder's markers and keys), and tiny random-weight
// models carrying llama.cpp's models/ggml-vocab-{deepseek-coder,starcoder}.gguf and, extended,
// ggml-vocab-llama-spm.gguf (Code Llama's added tokens; a CodeGemma stand-in), made by vocab-model.py.
//
// llama-server is asked for each prompt with n_predict 1, then its slot is saved
// (POST /slots/0?action=save; the file starts with the prompt's token ids) and read back. Per model:
//   layout — llama.cpp's own layout ([REP myproject\n][SEP filename\n][BOS] PRE prefix SUF suffix MID)
//            built with our tokenizer and our template's marker ids, against /infill without files:
//            checks the ids, the tokenization and BOS;
//   bare   — our template's prompt (repository "myproject", file "filename", llama-server's fixed names)
//            against /infill without files;
//   repo   — the same with two repository files (input_extra).
// A difference the family's documented format calls for is printed as such; any other is unexpected
// and makes the exit code 1.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBundled } from '../dev-tools.mjs';
import { startLlamaServer } from './llama-server.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const argv = process.argv.slice(2);
const llamaDir = argv[0];
const portAt = argv.indexOf('--port');
const port = portAt > 0 ? Number(argv[portAt + 1]) : 18431;
const models = argv.slice(1).filter((a, i, all) => a.endsWith('.gguf') && all[i - 1] !== '--port');
if (!llamaDir || (!models.length && !argv.includes('--all'))) {
  console.error(
    'usage: node scripts/dev/infill-vs-llama-server.mjs LLAMA_DIR [MODEL.gguf ...] [--all] [--port N]',
  );
  process.exit(2);
}
const server = join(llamaDir, 'build', 'bin', 'llama-server');
if (!existsSync(server)) throw new Error(`no ${server}: build llama.cpp's server first`);

const dir = mkdtempSync(join(tmpdir(), 'infill-vs-llama-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const r = await requireBundled('scripts/dev/infill-entry.ts');

if (argv.includes('--all')) {
  const vocabModel = (vocab, out, as) =>
    execFileSync(
      'python3',
      [
        join(repo, 'scripts/dev/vocab-model.py'),
        join(llamaDir, 'models', `ggml-vocab-${vocab}.gguf`),
        join(dir, out),
        ...(as ? ['--as', as] : []),
      ],
      { env: { ...process.env, PYTHONPATH: join(llamaDir, 'gguf-py') }, stdio: 'inherit' },
    );
  models.push(join(repo, 'test/fixtures/gguf-ref/qwen2-tiny-f32.gguf'));
  vocabModel('deepseek-coder', 'deepseek-coder.gguf');
  vocabModel('starcoder', 'starcoder2.gguf');
  vocabModel('llama-spm', 'codellama.gguf', 'codellama');
  vocabModel('llama-spm', 'codegemma-standin.gguf', 'codegemma');
  models.push(
    ...['deepseek-coder', 'starcoder2', 'codellama', 'codegemma-standin'].map((n) =>
      join(dir, `${n}.gguf`),
    ),
  );
}

// The input: a cursor in the middle of a line, two other files of the repository.
const PREFIX = 'import os\nfrom utils import add\n\n\ndef main():\n    total = add(';
const SUFFIX = '1, 2)\n    print(total)\n';
const EXTRA = [
  { filename: 'utils.py', text: 'def add(a, b):\n    return a + b\n' },
  { filename: 'model.py', text: 'class Point:\n    x = 1\n' },
];

// Where our documented formats part from llama-server's generic /infill layout, by family and check.
const BY_DESIGN = {
  starcoder2: {
    bare: "llama.cpp knows StarCoder2's <repo_name>/<file_sep> by neither key nor spelling; its paper puts `<repo_name>name<file_sep><fim_prefix>path\\n` before the prefix",
    repo: 'llama.cpp separates files with "--- snippet ---" (no <file_sep> known); StarCoder2 was trained on <file_sep>path\\n files',
  },
  'deepseek-coder': {
    repo: 'llama.cpp puts files before BOS with "--- snippet ---" separators; DeepSeek-Coder was trained on path-comment-headed files inside the document',
  },
  codellama: {
    layout:
      "llama.cpp gives the suffix SentencePiece's leading space; Meta's encode_infilling does not",
    bare: "llama.cpp gives the suffix SentencePiece's leading space; Meta's encode_infilling does not",
    repo: 'llama.cpp puts files before BOS with "--- snippet ---" separators, and spaces the suffix',
  },
  codegemma: {
    repo: 'llama.cpp does not know <|file_separator|>: files before BOS with "--- snippet ---"',
  },
  'fim-keys': {
    repo: 'without a file separator llama.cpp separates files with "--- snippet ---"; ours head them with path comments',
  },
};

const post = async (path, body) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${JSON.stringify(json)}`);
  return json;
};

/** The prompt llama-server's /infill builds, read from the saved slot (magic, version, count, ids). */
async function infill(extra, n) {
  await post('/infill', {
    input_prefix: PREFIX,
    input_suffix: SUFFIX,
    input_extra: extra,
    n_predict: 1,
    cache_prompt: false,
    temperature: 0,
  });
  const file = `slot-${n}.bin`;
  await post('/slots/0?action=save', { filename: file });
  const b = readFileSync(join(dir, 'slots', file));
  const count = b.readUInt32LE(8);
  return Array.from({ length: count }, (_, i) => b.readInt32LE(12 + 4 * i));
}

const pieceOf = (tok) => (id) => JSON.stringify(tok.decode([id]));
function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

let unexpected = 0;
mkdirSync(join(dir, 'slots'));
for (const model of models) {
  const meta = r.plainMetadata(await r.readGguf(model));
  const vocab = r.vocabFromMetadata(meta);
  const gguf = new r.GgufTokenizer(vocab);
  const tok = r.promptTokenizer(gguf);
  const t = r.templateFor(tok);
  console.log(`\n${basename(model)}: ${t.summary}`);
  if (t.order === 'prefix-only') {
    console.log('  no FIM markers: llama-server refuses /infill; nothing to compare');
    continue;
  }
  // Our marker ids: the last id before each slot, the first after the suffix.
  const pieces = [...t.head('myproject'), ...t.file('filename', false)];
  const before = (slot) =>
    pieces
      .slice(0, pieces.indexOf(slot))
      .filter((p) => typeof p === 'number')
      .pop();
  const pre = before(r.PREFIX);
  const suf = before(r.SUFFIX);
  const mid = pieces.slice(pieces.indexOf(r.SUFFIX)).find((p) => typeof p === 'number');
  const bos =
    vocab.bosId !== undefined && (vocab.addBos ?? vocab.model === 'llama') ? [vocab.bosId] : [];
  // llama.cpp's repository markers: its keys, else the spellings llama-vocab.cpp looks for.
  const rep =
    vocab.fimRepId ??
    ['<|fim_repo|>', '<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>']
      .map((x) => gguf.tokenId(x))
      .find((x) => x !== undefined);
  const sep = vocab.fimSepId ?? gguf.tokenId('<|file_sep|>');
  const layoutWith = (suffixAtStart) => [
    ...(rep === undefined ? [] : [rep, ...r.encodeText(tok, 'myproject\n', true)]),
    ...(sep === undefined ? [] : [sep, ...r.encodeText(tok, 'filename\n', true)]),
    ...bos,
    pre,
    ...r.encodeText(tok, PREFIX, true),
    suf,
    ...r.encodeText(tok, SUFFIX, suffixAtStart),
    mid,
  ];
  const layout = layoutWith(false);
  const chunks = EXTRA.map((e, i) => ({
    key: String(i),
    source: e.filename,
    text: e.text,
    score: 1,
  }));
  const ours = (withFiles) =>
    r
      .packPrompt(
        tok,
        t,
        withFiles ? chunks : [],
        { path: 'filename', prefix: PREFIX, suffix: SUFFIX },
        { budget: 4096, repo: 'myproject' },
      )
      .segments.flat();
  // /infill leaves the repository files out when n_ctx - n_batch has no room: 4096 leaves it.
  const { child } = await startLlamaServer(server, {
    model,
    arch: meta['general.architecture'],
    port,
    ctx: 4096,
    threads: 1,
    extra: ['--slot-save-path', join(dir, 'slots') + '/'],
    waitMs: 30_000,
  });
  try {
    const bare = await infill([], 0);
    // Our files end with a newline of their own: the same text for llama-server.
    const repoPrompt = await infill(
      EXTRA.map((e) => ({ filename: e.filename, text: `${e.text}\n` })),
      1,
    );
    const checks = [
      ['layout', layout, bare],
      ['bare', ours(false), bare],
      ['repo', ours(true), repoPrompt],
    ];
    for (const [name, a, b] of checks) {
      const same = a.length === b.length && firstDifference(a, b) === a.length;
      if (same) {
        console.log(`  ${name.padEnd(6)} ${a.length} tokens, identical`);
        continue;
      }
      const at = firstDifference(a, b);
      const show = (xs) =>
        xs
          .slice(at, at + 6)
          .map(pieceOf(gguf))
          .join(' ');
      const reason = BY_DESIGN[t.family]?.[name];
      if (!reason) unexpected++;
      console.log(
        `  ${name.padEnd(6)} ${a.length} vs ${b.length} tokens, first difference at ${at}: ours ${show(a)} | llama.cpp ${show(b)}`,
      );
      console.log(`         ${reason ? `by design: ${reason}` : 'UNEXPECTED'}`);
      if (name === 'layout' && t.family === 'codellama') {
        // The same with llama.cpp's spaced suffix: nothing else differs.
        const spaced = layoutWith(true);
        const ok = spaced.length === b.length && firstDifference(spaced, b) === b.length;
        console.log(
          `         with the suffix spaced as llama.cpp does: ${ok ? 'identical' : 'still different'}`,
        );
        if (!ok) unexpected++;
      }
    }
  } finally {
    child.kill();
    await new Promise((ok) => child.once('exit', ok));
  }
}
console.log(unexpected ? `\n${unexpected} unexpected difference(s)` : '\nno unexpected difference');
process.exit(unexpected ? 1 : 0);
