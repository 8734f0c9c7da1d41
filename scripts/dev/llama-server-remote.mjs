// Ropewalk's remote backends against a real llama-server (dev tool, not run by CI): completions
// through /infill, /completion (token ids) and /v1/completions; a cancelled stream and whether the
// server stops; with --typing, the server's prefix-cache use over a typing session beside the local
// engine's on the same model; with --record FILE, the exchanges as a replay fixture for the tests.
//
//   node scripts/build.mjs
//   node scripts/dev/llama-server-remote.mjs LLAMA_DIR MODEL.gguf [--arch qwen2] [--port 18450]
//        [--record test/fixtures/remote/llama-server.json] [--typing REPO --cursors 4 --keystrokes 15]
//        [--ascii]
//
// LLAMA_DIR is a llama.cpp checkout with build/bin/llama-server (nothing of it is committed).
// --ascii: the tiny fixtures' random weights pick byte tokens that are not UTF-8, which this llama-server
// build's output parser answers with a 500 ("does not match the expected Content-only format"); with
// --ascii the server is started with those byte tokens banned (-l ID-inf for GPT-2's byte ids of bytes
// above 0x7e and control bytes but tab and newline), so the requests Ropewalk sends are unchanged.

import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLlamaServer } from './llama-server.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i > 0 ? argv[i + 1] : fallback;
};
const [llamaDir, modelArg] = argv;
if (!llamaDir || !modelArg?.endsWith('.gguf')) {
  console.error(
    'usage: node scripts/dev/llama-server-remote.mjs LLAMA_DIR MODEL.gguf [--arch A] [--port N] [--record FILE] [--typing REPO --cursors N --keystrokes N]',
  );
  process.exit(2);
}
const model = resolve(modelArg);
const server = join(llamaDir, 'build', 'bin', 'llama-server');
if (!existsSync(server)) throw new Error(`no ${server}: build llama.cpp's server first`);
const cli = join(repo, 'dist', 'cli.js');
if (!existsSync(cli)) throw new Error('no dist/cli.js: run node scripts/build.mjs first');
const port = Number(opt('port', '18450'));
const proxyPort = port + 1;
const arch = opt('arch', 'qwen2');
const ctx = opt('ctx', '4096');
const base = `http://127.0.0.1:${port}`;
const proxied = `http://127.0.0.1:${proxyPort}`;

/** Server-side logit biases that keep a byte-level GPT-2 vocabulary's output to printable ASCII. */
function asciiOnly() {
  // GPT-2's byte order: ids 0–93 '!'…'~', 94–187 the printable bytes above 0x7f, then bytes 0–32,
  // 127–160 and 173 from id 188 (tab 197, newline 198, space 220).
  const banned = [];
  for (let id = 94; id <= 255; id++) if (![197, 198, 220].includes(id)) banned.push(id);
  return banned.flatMap((id) => ['-l', `${id}-inf`]);
}

/** A proxy that forwards to llama-server and keeps each exchange (streams as their pieces). */
function startRecorder(exchanges) {
  const proxy = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? JSON.parse(raw) : undefined;
    const upstream = new AbortController();
    res.on('close', () => upstream.abort());
    try {
      const r = await fetch(`${base}${req.url}`, {
        method: req.method,
        headers: { 'content-type': 'application/json' },
        body: raw || undefined,
        signal: upstream.signal,
      });
      const type = r.headers.get('content-type') ?? 'application/json';
      res.writeHead(r.status, { 'content-type': type });
      const pieces = [];
      const decoder = new TextDecoder();
      for await (const c of r.body) {
        pieces.push(decoder.decode(c, { stream: true }));
        res.write(c);
      }
      res.end();
      const text = pieces.join('');
      exchanges.push({
        request: { method: req.method, path: req.url.split('?')[0], body },
        response: {
          status: r.status,
          contentType: type.split(';')[0],
          body: type.startsWith('text/event-stream')
            ? text.split(/(?<=\n\n)/).filter(Boolean)
            : JSON.parse(text),
        },
      });
    } catch {
      res.destroy();
    }
  });
  return new Promise((ok) => proxy.listen(proxyPort, '127.0.0.1', () => ok(proxy)));
}

// Asynchronous: the recording proxy runs in this process.
const run = async (args, cwd = join(repo, 'test', 'fixtures', 'pyrepo')) =>
  (await promisify(execFile)('node', [cli, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 }))
    .stdout;

const { child, log } = await startLlamaServer(server, {
  model,
  arch,
  port,
  ctx,
  threads: 2,
  extra: argv.includes('--ascii') ? asciiOnly() : [],
});
const exchanges = [];
const proxy = await startRecorder(exchanges);
try {
  const props = await (await fetch(`${base}/props`)).json();
  console.log(
    `llama-server ${props.build_info ?? ''}, ${model}, n_ctx ${props.default_generation_settings?.n_ctx}`,
  );
  // Plain requests first: the replay tests ask for 16 tokens without stops and get these.
  for (const [path, body] of [
    ['/completion', { prompt: 'def add(a, b):\n', n_predict: 16, stream: true, ignore_eos: true }],
    [
      '/v1/completions',
      {
        prompt: 'def add(a, b):\n',
        max_tokens: 16,
        stream: true,
        ignore_eos: true,
        stream_options: { include_usage: true },
      },
    ],
  ]) {
    const r = await fetch(`${proxied}${path}`, { method: 'POST', body: JSON.stringify(body) });
    await r.text();
  }
  const cursor = ['--file', 'shapes/square.py', '--line', '11', '--column', '27', '--json'];
  for (const [what, args] of [
    ['llama-server, text → /infill', ['--backend', 'llama-server', '--endpoint', proxied]],
    [
      'llama-server, ids → /completion',
      ['--backend', 'llama-server', '--endpoint', proxied, '--model', model],
    ],
    [
      'openai-compatible (llama-server), text → /v1/completions',
      ['--backend', 'openai-compatible', '--endpoint', `${proxied}/v1`],
    ],
  ]) {
    const j = JSON.parse(await run(['complete', ...cursor, ...args]));
    console.log(
      `${what}: ${j.path} sent as ${j.sentAs}, family ${j.family}, prompt ${j.promptTokens} tokens (${j.cachedTokens} cached), stop ${j.stopReason}, raw ${JSON.stringify(j.raw)}`,
    );
  }

  // A prompt longer than the slot: llama-server's own error.
  const long = await fetch(`${proxied}/completion`, {
    method: 'POST',
    body: JSON.stringify({ prompt: 'word '.repeat(Number(ctx) + 500), n_predict: 4, stream: true }),
  });
  console.log(`a prompt over n_ctx: ${long.status} ${(await long.text()).slice(0, 160)}`);

  // Cancellation: a long generation streamed, the connection closed after a few pieces.
  const abort = new AbortController();
  const t0 = performance.now();
  const stream = await fetch(`${base}/completion`, {
    method: 'POST',
    body: JSON.stringify({ prompt: 'def f():\n', n_predict: 3000, stream: true, ignore_eos: true }),
    signal: abort.signal,
  });
  const reader = stream.body.getReader();
  for (let i = 0; i < 5; i++) await reader.read();
  abort.abort();
  let stoppedMs;
  for (let i = 0; i < 100 && stoppedMs === undefined; i++) {
    await new Promise((ok) => setTimeout(ok, 20));
    const slots = await (await fetch(`${base}/slots`)).json().catch(() => undefined);
    if (Array.isArray(slots) && slots.every((s) => !s.is_processing))
      stoppedMs = performance.now() - t0;
  }
  const cancelLine = log()
    .split('\n')
    .filter((l) => /cancel|connection closed|stop processing/i.test(l))
    .slice(-1)[0];
  console.log(
    `cancelled after 5 streamed pieces: slot idle ${stoppedMs === undefined ? 'NOT within 2 s' : `${stoppedMs.toFixed(0)} ms after the request began`} (of 3000 tokens asked)${cancelLine ? `; server log: ${cancelLine.trim()}` : ''}`,
  );

  const record = opt('record');
  if (record) {
    // One exchange per path (every /tokenize: each answers one marker), matched as the replay needs.
    const kept = [];
    const seen = new Set();
    for (const e of exchanges) {
      const b = e.request.body ?? {};
      if (e.request.path === '/tokenize') e.request.match = { content: b.content };
      else if (b.n_predict === 16) e.request.match = { n_predict: 16 };
      else if (b.max_tokens === 16) e.request.match = { max_tokens: 16 };
      else if (b.n_predict === 4) {
        // The prompt over n_ctx: its text is not kept (tens of kilobytes of 'word ').
        e.request.match = { n_predict: 4 };
        b.prompt = `${b.prompt.slice(0, 20)}… (${b.prompt.length} characters)`;
      }
      const key = `${e.request.path} ${JSON.stringify(e.request.match ?? null)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      kept.push(e);
    }
    const commit = execFileSync('git', ['-C', llamaDir, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
    writeFileSync(
      record,
      JSON.stringify(
        {
          server: 'llama-server',
          source: `Recorded from llama-server (llama.cpp ${commit}, ${props.build_info ?? 'build info unknown'}) serving test/fixtures/gguf-ref/${model.split('/').pop()} (-c ${ctx}, -np 1) by scripts/dev/llama-server-remote.mjs: \`ropewalk complete\` at shapes/square.py:11:27 in test/fixtures/pyrepo through /infill, /completion (ids) and /v1/completions, and a prompt over n_ctx`,
          exchanges: kept,
        },
        null,
        2,
      ) + '\n',
    );
    console.log(`recorded ${kept.length} exchanges to ${record}`);
  }

  const typingRepo = opt('typing');
  if (typingRepo) {
    const keys = ['--cursors', opt('cursors', '4'), '--keystrokes', opt('keystrokes', '15')];
    const common = [
      'reuse-bench',
      resolve(typingRepo),
      '--typing',
      ...keys,
      '--budget',
      opt('budget', '2048'),
      '--no-cache',
    ];
    for (const [what, args] of [
      ['local engine (Ropewalk, same GGUF)', ['--model', model, '--provider', 'cpu']],
      [
        'llama-server /infill (text, estimated budget)',
        ['--backend', 'llama-server', '--endpoint', base],
      ],
      [
        'llama-server /completion (token ids)',
        ['--backend', 'llama-server', '--endpoint', base, '--model', model],
      ],
      [
        'llama-server /v1/completions (text)',
        ['--backend', 'openai-compatible', '--endpoint', `${base}/v1`],
      ],
    ]) {
      console.log(`\n${what}:`);
      process.stdout.write(await run([...common, ...args], repo));
    }
  }
} finally {
  proxy.close();
  child.kill();
}
