import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { SyntaxLoader } from '../../src/context/syntax';
import { buildTasks, HOLE_LEVELS, isTrivialMiddle } from '../../src/bench/task-builder';
import { repoRoot } from '../repo-root';

const loader = new SyntaxLoader(join(repoRoot(), 'grammars'));

function filesOf(dir: string, ext: RegExp): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (ext.test(name))
        out.set(relative(dir, p).split('\\').join('/'), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

// The repository's own sources: plenty of TypeScript; the fixtures and a sample give Python.
const tsFiles = filesOf(join(repoRoot(), 'src', 'context'), /\.ts$/);
const pyFiles = new Map([
  ...filesOf(join(repoRoot(), 'test', 'fixtures', 'pyrepo'), /\.py$/),
  ['shapes.py', readFileSync(join(repoRoot(), 'test', 'fixtures', 'shapes.py'), 'utf8')],
  [
    'sample.py',
    `import os\nfrom typing import List\n\n\nclass Store:\n    """Keeps values."""\n\n    def __init__(self, root: str) -> None:\n        self.root = os.path.abspath(root)\n        self.items: List[str] = []\n\n    def add(self, value: str) -> int:\n        if not value:\n            raise ValueError("empty value")\n        self.items.append(value.strip())\n        return len(self.items)\n\n    def total(self) -> int:\n        count = 0\n        for item in self.items:\n            while count < 10:\n                count += len(item)\n        return count\n`,
  ],
]);

for (const [language, files] of [
  ['typescript', tsFiles],
  ['python', pyFiles],
] as const) {
  test(`${language}: tasks at every level, middles of 10–512 characters, cut from the original text`, async () => {
    const tasks = await buildTasks(files, loader, { samples: 25, seed: 3 });
    assert.ok(tasks.length >= 20, `${tasks.length} tasks`);
    for (const level of HOLE_LEVELS)
      assert.ok(
        tasks.some((t) => t.level === level),
        `no ${level} task`,
      );
    for (const t of tasks) {
      assert.equal(t.language, language);
      assert.ok(
        t.middle.length >= 10 && t.middle.length <= 512,
        `${t.id}: ${t.middle.length} characters`,
      );
      assert.equal(t.prefix + t.middle + t.suffix, files.get(t.path));
      assert.equal(t.middle, (files.get(t.path) as string).slice(t.start, t.end));
      assert.ok(!isTrivialMiddle(t.middle));
      if (t.level === 'line') assert.ok(!t.middle.includes('\n'));
      if (t.level === 'statement') assert.ok(t.kind);
    }
    assert.equal(new Set(tasks.map((t) => t.id)).size, tasks.length);
  });
}

test('the same seed gives the same tasks; another seed gives others', async () => {
  const a = await buildTasks(tsFiles, loader, { samples: 12, seed: 42 });
  const b = await buildTasks(tsFiles, loader, { samples: 12, seed: 42 });
  const c = await buildTasks(tsFiles, loader, { samples: 12, seed: 43 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(
    a.map((t) => t.id),
    c.map((t) => t.id),
  );
});

test('only the levels asked for, and sizes bounded as asked', async () => {
  const tasks = await buildTasks(pyFiles, loader, {
    samples: 8,
    seed: 1,
    levels: ['expression', 'block'],
    minChars: 12,
    maxChars: 80,
  });
  assert.ok(tasks.length > 0);
  for (const t of tasks) {
    assert.ok(t.level === 'expression' || t.level === 'block');
    assert.ok(t.middle.length >= 12 && t.middle.length <= 80);
  }
});

test('trivial middles are recognised', () => {
  for (const m of [
    'pass',
    '  ...  ',
    '})\n  ]',
    ';',
    'return',
    'None',
    '\n\n    ',
    'self',
    'continue;',
  ])
    assert.ok(isTrivialMiddle(m), JSON.stringify(m));
  for (const m of ['count += 1', 'return self.items', 'x = f(a)'])
    assert.ok(!isTrivialMiddle(m), m);
});
