// Contract suite: every language's queries find the same things in equivalent fixtures.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LANGUAGES, languageForPath } from '../../src/context/languages';
import { SyntaxLoader } from '../../src/context/syntax';
import { repoRoot } from '../repo-root';

const loader = new SyntaxLoader(join(repoRoot(), 'grammars'));

// The same program in each language: a base class, a subclass with a field and an overriding method,
// a free function, a relative import and a standard-library import.
const FIXTURES: Record<
  string,
  { source: string; localImport: string; stdImport: string; make: string }
> = {
  python: {
    source: `import os
from .util import helper

class Shape:
    sides = 0

    def area(self) -> float:
        return 0.0

class Square(Shape):
    def __init__(self, side):
        self.side = side

    def area(self) -> float:
        return helper(self.side) ** 2

def make_square(side):
    return Square(os.environ.get("SIDE", side))
`,
    localImport: '.util',
    stdImport: 'os',
    make: 'make_square',
  },
  typescript: {
    source: `import { join } from 'node:path';
import { helper } from './util';

export class Shape {
  sides = 0;
  area(): number { return 0; }
}

export class Square extends Shape {
  side: number;
  constructor(side: number) { super(); this.side = side; }
  area(): number { return helper(this.side) ** 2; }
}

export interface Named { name: string }

export function makeSquare(side: number): Square {
  return new Square(Number(join(String(side))));
}
`,
    localImport: './util',
    stdImport: 'node:path',
    make: 'makeSquare',
  },
  javascript: {
    source: `const path = require('node:path');
import { helper } from './util';

export class Shape {
  sides = 0;
  area() { return 0; }
}

export class Square extends Shape {
  side = 1;
  area() { return helper(this.side) ** 2; }
}

export const makeSquare = (side) => new Square(path.join(String(side)));
`,
    localImport: './util',
    stdImport: 'node:path',
    make: 'makeSquare',
  },
};
FIXTURES.tsx = {
  ...(FIXTURES.typescript as (typeof FIXTURES)['python']),
  source: `${FIXTURES.typescript?.source}\nexport const View = () => <div>{makeSquare(2).area()}</div>;\n`,
};

describe('contract: every language', () => {
  for (const spec of LANGUAGES) {
    const fx = FIXTURES[spec.id];
    test(`${spec.id}: definitions, parents, imports and identifiers`, async () => {
      assert.ok(fx, `a fixture for ${spec.id}`);
      const s = await loader.extract(spec, fx.source);
      assert.equal(s.hasErrors, false);
      const find = (name: string, kind: string, parent?: string) =>
        s.definitions.find((d) => d.name === name && d.kind === kind && d.parent === parent);
      assert.ok(find('Shape', 'class'), 'class Shape');
      const square = find('Square', 'class');
      assert.ok(square, 'class Square');
      assert.match(square.signature, /Square/);
      const area = find('area', 'method', 'Square');
      assert.ok(
        area,
        `method Square.area in ${JSON.stringify(s.definitions.map((d) => [d.kind, d.parent, d.name]))}`,
      );
      assert.ok(area.startLine > square.startLine && area.endLine <= square.endLine);
      assert.ok(!area.signature.includes('return'), area.signature);
      assert.ok(find('area', 'method', 'Shape'));
      assert.ok(find('side', 'field', 'Square') ?? find('sides', 'field', 'Shape'), 'a field');
      assert.ok(find(fx.make, 'function'), `function ${fx.make}`);
      assert.deepEqual(s.parents.Square, ['Shape']);
      assert.ok(s.imports.includes(fx.localImport), `imports ${s.imports.join(', ')}`);
      assert.ok(s.imports.includes(fx.stdImport), `imports ${s.imports.join(', ')}`);
      assert.ok(s.identifiers.has('helper'));
    });
    test(`${spec.id}: a file with syntax errors still yields what parses`, async () => {
      assert.ok(fx);
      const broken = fx.source.replace(/area\((self)?\)/, 'area((') + '\n)))\n';
      const s = await loader.extract(spec, broken);
      assert.equal(s.hasErrors, true);
      assert.ok(s.definitions.some((d) => d.name === fx.make || d.name === 'Shape'));
    });
  }
});

test('files map to languages by extension', () => {
  assert.equal(languageForPath('a/b.py')?.id, 'python');
  assert.equal(languageForPath('x.TSX')?.id, 'tsx');
  assert.equal(languageForPath('x.mjs')?.id, 'javascript');
  assert.equal(languageForPath('x.rs'), undefined);
});
