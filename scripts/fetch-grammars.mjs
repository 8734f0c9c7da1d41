// Copies tree-sitter grammar wasm (ABI 15, for web-tree-sitter 0.25.x) from the grammars' own npm
// packages into grammars/, with a manifest of package, version, license and sha256.
// Run it when a grammar version changes: node scripts/fetch-grammars.mjs
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GRAMMARS = [
  { pkg: 'tree-sitter-python', version: '0.25.0', files: ['tree-sitter-python.wasm'] },
  { pkg: 'tree-sitter-javascript', version: '0.25.0', files: ['tree-sitter-javascript.wasm'] },
  {
    pkg: 'tree-sitter-typescript',
    version: '0.23.2',
    files: ['tree-sitter-typescript.wasm', 'tree-sitter-tsx.wasm'],
  },
];

const tmp = mkdtempSync(join(tmpdir(), 'ropewalk-grammars-'));
const manifest = [];
try {
  for (const g of GRAMMARS) {
    const tgz = execFileSync(
      'npm',
      ['pack', `${g.pkg}@${g.version}`, '--silent', '--pack-destination', tmp],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n')
      .pop();
    const dir = join(tmp, g.pkg);
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('tar', ['xzf', join(tmp, tgz), '-C', dir]);
    const meta = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8'));
    for (const file of g.files) {
      const bytes = readFileSync(join(dir, 'package', file));
      writeFileSync(join('grammars', file), bytes);
      manifest.push({
        file,
        package: g.pkg,
        version: meta.version,
        license: meta.license,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
writeFileSync(join('grammars', 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
console.log(readdirSync('grammars').join('\n'));
