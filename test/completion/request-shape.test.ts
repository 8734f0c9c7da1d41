import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompletionLanguage } from '../../src/completion/code-text';
import { requestShape } from '../../src/completion/request-shape';

// `|` marks the cursor.
const shape = (doc: string, language: CompletionLanguage, maxLines?: number) => {
  const at = doc.indexOf('|');
  return requestShape(
    doc.slice(0, at),
    doc.slice(at + 1),
    language,
    maxLines === undefined ? {} : { maxLines },
  );
};

test('Python: a block after `:` is multi-line, at the end of the header or on the blank line below', () => {
  assert.equal(shape('def area(self):|\n', 'python').reason, 'end-of-opener');
  assert.equal(shape('def area(self):  # why|\n', 'python').mode, 'multi-line');
  const below = shape('class Shape:\n    def area(self):\n        |\n\nx = 1\n', 'python');
  assert.deepEqual([below.mode, below.reason], ['multi-line', 'after-opener']);
  assert.equal(shape('for x in xs:\n\n    |', 'python').mode, 'multi-line'); // blank lines between are skipped
  assert.equal(shape('items = [|\n', 'python').mode, 'multi-line');
});

test('Python: mid-line, end of an ordinary line, and a blank line between statements are single-line', () => {
  const mid = shape('x = compute(|)\n', 'python');
  assert.deepEqual(
    [mid.mode, mid.reason, mid.maxLines, mid.stop],
    ['single-line', 'mid-line', 1, ['\n']],
  );
  assert.equal(shape('    total = |\n', 'python').reason, 'end-of-line');
  assert.equal(shape('def f():\n    a = 1\n    |\n', 'python').reason, 'blank-line');
  assert.equal(shape('|', 'python').reason, 'blank-line'); // empty file
  assert.equal(shape('if ratio > 0.5 and x:|  y\n', 'python').mode, 'single-line'); // code after the cursor wins
});

test('TypeScript: `{`, `(`, `=>` open a block; `{|}` is an empty body', () => {
  assert.equal(shape('function area(s: Shape) {|\n', 'typescript').reason, 'end-of-opener');
  assert.equal(shape('const f = (x: number) =>|\n', 'typescript').reason, 'end-of-opener');
  assert.equal(shape('const f = (x: number) =>  // note|\n', 'typescript').mode, 'multi-line');
  assert.equal(shape('if (ok) {\n  |\n}\n', 'typescript').reason, 'after-opener');
  assert.equal(shape('call(\n  |\n);\n', 'javascript').reason, 'after-opener');
  assert.equal(shape('function f() {|}\n', 'tsx').reason, 'empty-body');
  assert.equal(shape('class A {|}\n', 'typescript').mode, 'multi-line');
});

test('TypeScript: mid-line and plain line ends are single-line; Python `:` means nothing there', () => {
  assert.equal(shape('const x = foo(|);\n', 'typescript').reason, 'mid-line');
  assert.equal(shape('const o = { a: 1 |}\n', 'typescript').reason, 'mid-line'); // `{` is not right before the cursor
  assert.equal(shape('const total = |\n', 'typescript').reason, 'end-of-line');
  assert.equal(shape('const t = cond ? a :|\n', 'typescript').mode, 'single-line');
  assert.equal(shape('const s = "{|"\n', 'typescript').mode, 'single-line');
});

test('maxLines comes from the options for blocks and is 1 for lines; CRLF documents read the same', () => {
  assert.equal(shape('def f():|\n', 'python').maxLines, 12);
  assert.equal(shape('def f():|\n', 'python', 4).maxLines, 4);
  assert.deepEqual(shape('def f():|\n', 'python').stop, ['\n\n\n']);
  assert.equal(shape('def f():\r\n    |\r\n', 'python').mode, 'multi-line');
  assert.equal(shape('x = 1|\r\ny = 2', 'python').reason, 'end-of-line');
});
