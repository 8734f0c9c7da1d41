// The estimate a remote model's budget is counted with when no local tokenizer of it exists: it must
// count at least what a real code tokenizer counts, or a packed prompt would overflow the server's
// context. Measured here against the bundled model's BPE on this repository's own sources.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModelTokenizer } from '../../../src/model/model-source';
import { EstimatedTokenizer } from '../../../src/model/tokenizers/estimated-tokenizer';
import { repoRoot } from '../../repo-root';
import { bundledModel } from '../../test-models';

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|py)$/.test(name)) out.push(p);
  }
  return out;
}

test('the estimate counts more tokens than a code BPE on every source file', () => {
  const real = loadModelTokenizer(bundledModel());
  const estimate = new EstimatedTokenizer([]);
  let realTotal = 0;
  let estimateTotal = 0;
  let lowest = Infinity;
  const files = [
    ...sources(join(repoRoot(), 'src')),
    ...sources(join(repoRoot(), 'test', 'fixtures', 'pyrepo')),
  ];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const r = real.encode(text).length;
    const e = estimate.encode(text).length;
    realTotal += r;
    estimateTotal += e;
    if (r > 50) lowest = Math.min(lowest, e / r);
    assert.equal(estimate.decode(estimate.encode(text)), text);
  }
  const ratio = estimateTotal / realTotal;
  console.log(
    `estimate / bundled BPE over ${files.length} files: ${ratio.toFixed(2)} (lowest file ${lowest.toFixed(2)})`,
  );
  assert.ok(lowest >= 1, `a file's estimate is ${lowest.toFixed(2)} of its real count`);
});
