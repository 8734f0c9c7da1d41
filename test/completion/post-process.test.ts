import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Parser } from 'web-tree-sitter';
import { LANGUAGES } from '../../src/context/languages';
import { SyntaxLoader } from '../../src/context/syntax';
import type { CompletionLanguage } from '../../src/completion/code-text';
import {
  balanceBrackets,
  capLines,
  cutAtBlockEnd,
  cutAtFirstNewline,
  cutAtLineSuffix,
  cutAtRepeatedLines,
  cutAtUndecodable,
  detectIndentStyle,
  isRedundant,
  longestCompleteCut,
  matchIndentation,
  postProcess,
  tidyWhitespace,
  trimSuffixOverlap,
} from '../../src/completion/post-process';
import { requestShape } from '../../src/completion/request-shape';
import { repoRoot } from '../repo-root';

describe('undecodable bytes', () => {
  test('the suggestion ends before the first U+FFFD the decoder made', () => {
    assert.equal(cutAtUndecodable('return a\uFFFD\uFFFDb', 'def f(a):\n    ', ''), 'return a');
    assert.equal(
      postProcess({
        raw: 'total\uFFFD',
        prefix: 'x = ',
        suffix: '',
        language: 'python',
        mode: 'single-line',
      }),
      'total',
    );
    // Nothing left: no suggestion at all rather than a replacement character.
    assert.equal(
      postProcess({
        raw: '\uFFFDx',
        prefix: 'x = ',
        suffix: '',
        language: 'python',
        mode: 'single-line',
      }),
      undefined,
    );
  });

  test('a document that holds U+FFFD keeps it in suggestions', () => {
    const prefix = "BAD = '\uFFFD'\ns = s.replace(";
    assert.equal(cutAtUndecodable('BAD', prefix, ", '?')"), 'BAD');
    assert.equal(cutAtUndecodable("'\uFFFD'", prefix, ", '?')"), "'\uFFFD'");
  });
});

describe('single-line', () => {
  test('cuts at the first newline', () => {
    assert.equal(cutAtFirstNewline('a = 1\nb = 2'), 'a = 1');
    assert.equal(cutAtFirstNewline('\nb = 2'), '');
    assert.equal(cutAtFirstNewline('a'), 'a');
  });

  test('stops where the model starts writing the rest of the line', () => {
    assert.equal(cutAtLineSuffix('a > 0) {', ') {\n', 'typescript'), 'a > 0');
    assert.equal(cutAtLineSuffix('g(a)) + b', ') + b', 'python'), 'g(a)');
    assert.equal(cutAtLineSuffix('g(a) + b', ') + b', 'python'), 'g(a) + b'); // that `)` is g's own
    assert.equal(cutAtLineSuffix('max(1)', 'x', 'python'), 'max(1)'); // not inside a word
    assert.equal(cutAtLineSuffix('anything', '', 'python'), 'anything');
  });
});

describe("multi-line: the end of the cursor's block", () => {
  test("Python: below a header, a line back at the header's level ends the body", () => {
    const text = '\n    y = x + 1\n    return y\n\ndef g():\n    pass';
    assert.equal(cutAtBlockEnd(text, 'def f(x):', 'python'), '\n    y = x + 1\n    return y\n');
  });

  test("Python: inside a body, a dedent below the cursor's line ends it; deeper blocks stay", () => {
    assert.equal(
      cutAtBlockEnd('return 1\n    return 2', 'def f(x):\n    if x:\n        ', 'python'),
      'return 1',
    );
    const text = 'for x in xs:\n        print(x)\n    return len(xs)\nx = 1';
    assert.equal(
      cutAtBlockEnd(text, 'def f(xs):\n    ', 'python'),
      'for x in xs:\n        print(x)\n    return len(xs)',
    );
  });

  test('at the top level one compound statement is kept; flat statements go on', () => {
    assert.equal(
      cutAtBlockEnd('def f():\n    return 1\n\ndef g():\n    return 2', '', 'python'),
      'def f():\n    return 1\n',
    );
    assert.equal(cutAtBlockEnd('x = 1\ny = 2', '', 'python'), 'x = 1\ny = 2');
    assert.equal(
      cutAtBlockEnd('function f() {\n  return 1;\n}\nfunction g() {}', '', 'typescript'),
      'function f() {\n  return 1;\n}',
    );
  });

  test('lines starting with a closer are left to the bracket rule', () => {
    const text = 'a,\n        b,\n    )\nprint()';
    assert.equal(
      cutAtBlockEnd(text, 'def f():\n    x = foo(\n        ', 'python'),
      'a,\n        b,\n    )',
    );
  });

  test('a body the model did not indent is no body', () => {
    assert.equal(cutAtBlockEnd('\nreturn 1', 'def f():', 'python'), '');
    assert.equal(
      cutAtBlockEnd('\n  return 1;\n}', 'function f() {', 'typescript'),
      '\n  return 1;\n}',
    );
  });
});

describe('brackets', () => {
  test('a closer the suffix already has ends the suggestion before it', () => {
    assert.equal(balanceBrackets('a, b)', 'foo(', ')\n', 'python'), 'a, b');
    assert.equal(balanceBrackets('a, b) + 1', 'foo(', ')\n', 'python'), 'a, b');
    assert.equal(balanceBrackets('bar(1)', 'foo(', ')', 'typescript'), 'bar(1)'); // its own pair
  });

  test('closers with nothing to close, or the wrong one, are cut', () => {
    assert.equal(balanceBrackets('1)', 'x = ', '', 'python'), '1');
    assert.equal(balanceBrackets('a]', 'foo(', '', 'typescript'), 'a');
    assert.equal(balanceBrackets('g(a]', 'foo(', '', 'typescript'), 'g(a');
  });

  test('a closer the document lacks is kept: the end of a function typed at the end of the file', () => {
    assert.equal(balanceBrackets('x)', 'print(', '\n', 'python'), 'x)');
    assert.equal(
      balanceBrackets('return 1;\n}', 'function f() {\n  ', '', 'typescript'),
      'return 1;\n}',
    );
    assert.equal(
      balanceBrackets('return 1;\n}', 'function f() {\n  ', '\n}\n', 'typescript'),
      'return 1;\n',
    );
  });

  test("a method written above its class's closing brace keeps its own brace only", () => {
    assert.equal(
      balanceBrackets('return 1;\n  }\n}', 'class A {\n  m() {\n    ', '\n}\n', 'typescript'),
      'return 1;\n  }\n',
    );
  });

  test('brackets in strings do not count', () => {
    assert.equal(balanceBrackets('")" + y)', 's = "(" + f(', ')', 'typescript'), '")" + y');
    assert.equal(balanceBrackets("')'  # )\n", 'f(', '', 'python'), "')'  # )\n");
  });
});

describe('repeats of the document', () => {
  test('the tail that repeats the start of the suffix is trimmed', () => {
    assert.equal(trimSuffixOverlap('x);', ');\n', 'typescript'), 'x');
    assert.equal(trimSuffixOverlap('x + 1;', ';', 'typescript'), 'x + 1');
    assert.equal(trimSuffixOverlap('bar(1)', ')', 'typescript'), 'bar(1)'); // needs its `)`
    assert.equal(trimSuffixOverlap('foobar', 'barista', 'python'), 'foobar'); // would split a word
    assert.equal(trimSuffixOverlap('abc', '', 'python'), 'abc');
  });

  test('a line that repeats the next line below the cursor cuts the suggestion there', () => {
    assert.equal(
      cutAtRepeatedLines('y = 1\n    return y\n    z', 'def f():\n    ', '\n    return y\n'),
      'y = 1',
    );
    assert.equal(cutAtRepeatedLines('return y', 'def f():\n    ', '\n\n    return y'), ''); // blank cursor line: the whole line counts
    assert.equal(cutAtRepeatedLines('return y', '    x = ', '\n    return y'), 'return y'); // not a whole line
  });

  test('a lone `}` must match the indentation too', () => {
    const text = 'if (x) {\n    a();\n  }\n}';
    assert.equal(
      cutAtRepeatedLines(text, 'function f() {\n  ', '\n}\n'),
      'if (x) {\n    a();\n  }',
    );
  });

  test('whitespace, and text already after the cursor, are redundant', () => {
    assert.equal(isRedundant('  \n ', 'x'), true);
    assert.equal(isRedundant(')', ')'), true);
    assert.equal(isRedundant('\n    return y', '\n    return y\n'), true);
    assert.equal(isRedundant('foo', 'bar'), false);
  });
});

describe('layout', () => {
  test("the document's indentation style is read from the prefix", () => {
    assert.deepEqual(detectIndentStyle('a\n\tb\n\t\tc\n  d'), { tabs: true, unit: 4 });
    assert.deepEqual(detectIndentStyle('a\n    b\n        c\n  // odd'), { tabs: false, unit: 2 });
    assert.equal(detectIndentStyle('a\nb'), undefined);
  });

  test("lines after the first take the document's tabs or spaces; the first line is left alone", () => {
    assert.equal(
      matchIndentation('b();\n    c();\n  }', 'function f() {\n\tif (a) {\n\t\t'),
      'b();\n\t\tc();\n\t}',
    );
    assert.equal(
      matchIndentation('  x\n\tfoo\n\t\tbar', 'def f():\n    pass\n'),
      '  x\n    foo\n        bar',
    );
    assert.equal(matchIndentation('x\n    y', 'no indentation yet'), 'x\n    y');
  });

  test('trailing whitespace and trailing blank lines go; a leading newline stays', () => {
    assert.equal(tidyWhitespace('a  \n  b \n\n  \n'), 'a\n  b');
    assert.equal(tidyWhitespace('\n    x  '), '\n    x');
  });

  test('the line cap does not count an empty first line', () => {
    assert.equal(capLines('a\nb\nc', 2), 'a\nb');
    assert.equal(capLines('\na\nb\nc', 2), '\na\nb');
    assert.equal(capLines('a', 0), 'a');
  });

  test('the parser hook keeps the longest cut it accepts, or everything when it accepts none', () => {
    const noBad = (c: string) => !c.includes('BAD');
    assert.equal(longestCompleteCut('a\nb\nBAD', noBad), 'a\nb');
    assert.equal(longestCompleteCut('BAD\nb', noBad), 'BAD\nb');
  });
});

// `|` marks the cursor; the request's mode comes from requestShape, as in the editor.
function complete(doc: string, raw: string, language: CompletionLanguage, maxLines?: number) {
  const at = doc.indexOf('|');
  const prefix = doc.slice(0, at);
  const suffix = doc.slice(at + 1);
  const shape = requestShape(prefix, suffix, language);
  return postProcess(
    { raw, prefix, suffix, language, mode: shape.mode },
    { maxLines: maxLines ?? shape.maxLines },
  );
}

describe('postProcess', () => {
  test('Python mid-line call: one line, without the `)` and the line below that are already there', () => {
    const doc = 'def f(self):\n    area = compute(|)\n    return area\n';
    assert.equal(complete(doc, 'self.w, self.h)\n    return area', 'python'), 'self.w, self.h');
  });

  test('TypeScript empty body: the body, not the closing brace nor the next function', () => {
    const doc = 'function area(s: Shape): number {|}\n';
    assert.equal(
      complete(doc, '\n  return s.w * s.h;\n}\n\nfunction other() {}', 'typescript'),
      '\n  return s.w * s.h;',
    );
  });

  test('Python body below a header in a tab-indented file stops before the next line and the dedent', () => {
    const doc = 'class A:\n\tdef f(self, xs):\n\t\t|\n\t\treturn total\n\n\tdef g(self):\n';
    const raw =
      'total = 0\n        for x in xs:\n            total += x  \n        return total\n    def g(self):';
    assert.equal(complete(doc, raw, 'python'), 'total = 0\n\t\tfor x in xs:\n\t\t\ttotal += x');
  });

  test("a method above its class's closing brace keeps its own brace", () => {
    const doc = 'class A {\n  m() {|\n}\n';
    assert.equal(complete(doc, '\n    return 1;\n  }\n}\n', 'typescript'), '\n    return 1;\n  }');
  });

  test('nothing to show: whitespace, a repeat of the suffix, a newline in single-line mode', () => {
    assert.equal(complete('x = |\n', '   \n  ', 'python'), undefined);
    assert.equal(complete('x = f(|)\n', ')', 'python'), undefined);
    assert.equal(complete('x = |\n', '\nfoo()', 'python'), undefined);
    assert.equal(complete('def f():\n    |\n    return y\n', 'return y', 'python'), undefined);
  });

  test('CRLF in the model text or the document reads as LF', () => {
    assert.equal(complete('x = |\r\ny = 2\r\n', 'compute()\r\nz', 'python'), 'compute()');
    assert.equal(
      complete('def f():\r\n    |\r\n', 'a = 1\r\n    b = 2\r\nc = 3', 'python'),
      'a = 1\n    b = 2',
    );
  });

  test('the line cap applies after the rules', () => {
    const raw = 'a = 1\n    b = 2\n    c = 3\n    d = 4';
    assert.equal(complete('def f():\n    |', raw, 'python', 2), 'a = 1\n    b = 2');
  });
});

describe('postProcess with a tree-sitter check', () => {
  const loader = new SyntaxLoader(join(repoRoot(), 'grammars'));
  const python = LANGUAGES.find((l) => l.id === 'python');

  test('a half-written last line is dropped when the parser says the block is broken', async () => {
    assert.ok(python);
    const { tree, lang } = await loader.parse(python, '');
    tree.delete();
    const parser = new Parser();
    parser.setLanguage(lang.language);
    const prefix = 'def f(a):\n    ';
    const suffix = '\n\nprint(f(1))\n';
    const isCompleteBlock = (candidate: string) => {
      const t = parser.parse(prefix + candidate + suffix);
      try {
        return t !== null && !t.rootNode.hasError;
      } finally {
        t?.delete();
      }
    };
    const input = {
      raw: 'x = compute(a)\n    y = x +\n    return y',
      prefix,
      suffix,
      language: 'python' as const,
      mode: 'multi-line' as const,
    };
    assert.equal(postProcess(input), 'x = compute(a)\n    y = x +\n    return y'); // the rules alone cannot tell
    assert.equal(postProcess(input, { isCompleteBlock }), 'x = compute(a)');
    const good = { ...input, raw: 'x = compute(a)\n    return x' };
    assert.equal(postProcess(good, { isCompleteBlock }), 'x = compute(a)\n    return x');
    parser.delete();
  });
});
