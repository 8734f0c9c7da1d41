// Cross-checks src/model/gguf against llama.cpp's gguf-py both ways and times the header read; prints OK or the diffs.
// Usage: node scripts/dev/gguf-vs-gguf-py.mjs LLAMA_CPP_DIR [HF_GGUF_NODE_MODULES_DIR]
// (the second argument: a node_modules holding @huggingface/gguf, to time it on the same file).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBundled } from '../dev-tools.mjs';

const [llamaDir, hfDir] = process.argv.slice(2);
if (!llamaDir)
  throw new Error('usage: gguf-vs-gguf-py.mjs LLAMA_CPP_DIR [HF_GGUF_NODE_MODULES_DIR]');
const dir = mkdtempSync(join(tmpdir(), 'gguf-xcheck-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const py = (code, ...args) =>
  execFileSync('python3', ['-c', code, ...args], {
    env: { ...process.env, PYTHONPATH: join(llamaDir, 'gguf-py') },
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'inherit'],
  }).toString();

const g = await requireBundled('scripts/dev/gguf-entry.ts');

const diffs = [];
const check = (what, ok) => ok || diffs.push(what);
const jsonish = (v) =>
  JSON.stringify(v, (_, x) =>
    typeof x === 'bigint' ? Number(x) : ArrayBuffer.isView(x) ? [...x].map(Number) : x,
  );

// 1. gguf-py writes; we read. Its dump: metadata as JSON, tensor infos, and its own dequantization.
const written = join(dir, 'py.gguf');
const dump = JSON.parse(
  py(readFileSync(new URL('gguf-py-write.py', import.meta.url), 'utf8'), written),
);
const ours = await g.readGguf(written);
for (const [key, want] of Object.entries(dump.metadata)) {
  const got = ours.metadata.get(key);
  check(
    `metadata ${key}: ${jsonish(got?.value).slice(0, 80)} vs ${JSON.stringify(want).slice(0, 80)}`,
    got && jsonish(got.value) === JSON.stringify(want),
  );
}
for (const t of dump.tensors) {
  const info = ours.tensors.find((x) => x.name === t.name);
  check(
    `tensor ${t.name} info`,
    info &&
      info.offset === t.offset &&
      info.byteLength === t.nbytes &&
      info.type === t.type &&
      info.dims.join() === t.dims.join(),
  );
  const deq = g.dequantize(
    t.type,
    g.readTensor(ours, t.name),
    t.dims.reduce((a, b) => a * b, 1),
  );
  const maxDiff = deq.reduce((m, v, i) => Math.max(m, Math.abs(v - t.values[i])), 0);
  check(`tensor ${t.name} dequantized differs by ${maxDiff}`, maxDiff === 0);
  if (t.quantizedFrom) {
    const q = Buffer.from(g.quantize(t.type, Float32Array.from(t.quantizedFrom)));
    check(
      `tensor ${t.name}: our quantize differs from gguf-py's`,
      q.equals(g.readTensor(ours, t.name)),
    );
  }
}

// 2. We write the same; gguf-py's GGUFReader reads.
const ourFile = join(dir, 'ours.gguf');
g.writeGguf(ourFile, {
  metadata: [...ours.metadata.entries()],
  tensors: ours.tensors.map((t) => ({ ...t, data: g.readTensor(ours, t.name) })),
});
const back = JSON.parse(
  py(
    `
import json, sys, numpy as np
from gguf import GGUFReader
r = GGUFReader(sys.argv[1])
def val(f):
    v = f.contents()
    return v
print(json.dumps({'metadata': {k: val(f) for k, f in r.fields.items() if not k.startswith('GGUF.')},
  'tensors': [{'name': t.name, 'type': int(t.tensor_type), 'dims': [int(d) for d in t.shape], 'offset': int(t.data_offset),
    'sha': __import__('hashlib').sha256(np.ascontiguousarray(t.data).tobytes()).hexdigest()} for t in r.tensors]}))
`,
    ourFile,
  ),
);
for (const [key, want] of Object.entries(dump.metadata)) {
  check(
    `gguf-py reading ours: ${key}`,
    JSON.stringify(back.metadata[key]) === JSON.stringify(want),
  );
}
const { createHash } = await import('node:crypto');
const reread = await g.readGguf(ourFile);
for (const t of back.tensors) {
  const info = reread.tensors.find((x) => x.name === t.name);
  const sha = createHash('sha256').update(g.readTensor(reread, t.name)).digest('hex');
  check(
    `gguf-py reading ours: tensor ${t.name}`,
    info.offset === t.offset && sha === t.sha && info.dims.join() === t.dims.join(),
  );
}

// 3. Header read time on the file with a 151,936-token vocabulary (and merges).
const time = async (f) => {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0).toFixed(0);
};
console.log(
  `readGguf on ${(readFileSync(written).length / 1e6).toFixed(1)} MB: ${await time(() => g.readGguf(written))} ms`,
);
if (hfDir) {
  const { gguf } = await import(join(hfDir, '@huggingface/gguf/dist/index.js'));
  console.log(`@huggingface/gguf: ${await time(() => gguf(written, { allowLocalFile: true }))} ms`);
}
console.log(diffs.length ? `DIFF\n${diffs.join('\n')}` : 'OK');
process.exitCode = diffs.length ? 1 : 0;
