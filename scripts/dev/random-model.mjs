// Writes random-weights Q8_0 GGUF files of candidate model shapes, with models/small-cpu's tokenizer and
// card, to time a shape on the CPU (engine-bench, reuse-bench --typing) before a GPU trains it.
// Usage: node scripts/dev/random-model.mjs OUT_DIR NAME=DIMxLAYERSxHEADSxKVxFFN[@TRAIN_LEN] …
// e.g.   node scripts/dev/random-model.mjs /tmp/shapes d384l7=384x7x6x2x1024@2048
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot as repo, requireBundled } from '../dev-tools.mjs';

const [outDir, ...shapes] = process.argv.slice(2);
if (!outDir || shapes.length === 0)
  throw new Error('usage: random-model.mjs OUT_DIR NAME=DIMxLAYERSxHEADSxKVxFFN[@TRAIN_LEN] …');
const { writeRandomModel } = await requireBundled('scripts/dev/random-model-entry.ts');

mkdirSync(outDir, { recursive: true });
for (const arg of shapes) {
  const m = /^([\w-]+)=(\d+)x(\d+)x(\d+)x(\d+)x(\d+)(?:@(\d+))?$/.exec(arg);
  if (!m) throw new Error(`not NAME=DIMxLAYERSxHEADSxKVxFFN[@TRAIN_LEN]: ${arg}`);
  const [dim, nLayers, nHeads, nKvHeads, ffnDim] = m.slice(2, 7).map(Number);
  const shape = { dim, nLayers, nHeads, nKvHeads, ffnDim, trainLen: Number(m[7] ?? 2048) };
  const out = join(outDir, `${m[1]}.gguf`);
  const r = writeRandomModel(
    join(repo, 'models/small-cpu/model.gguf'),
    shape,
    `random-${m[1]}`,
    out,
  );
  console.log(
    JSON.stringify({
      name: m[1],
      ...shape,
      parameters: r.parameters,
      tensorBytes: r.tensorBytes,
      fileBytes: statSync(out).size,
      path: out,
    }),
  );
}
