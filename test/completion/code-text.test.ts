import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type CompletionLanguage,
  closedBySuffix,
  indentWidth,
  opensBlock,
  scanBrackets,
  stripLineComment,
  strayClosers,
  unclosedBrackets,
} from '../../src/completion/code-text';
import { LANGUAGES } from '../../src/context/languages';

const brackets = (text: string, language: CompletionLanguage) =>
  [...scanBrackets(text, language)].map((h) => h.char).join('');

test('brackets in strings and comments are skipped, roughly', () => {
  assert.equal(brackets('f("(", \'[\') # {\ng(x)', 'python'), '()()');
  assert.equal(brackets('s = """ ( \n ] """ + f(x)', 'python'), '()');
  assert.equal(brackets('f("(") // {\n/* [ \n ] */ g(`)\n(`)', 'typescript'), '()()');
  assert.equal(brackets('a = "unterminated (\nb = [1]', 'python'), '[]'); // a stray quote ends at its line
});

test('unclosed brackets, outermost first, with the indentation of their line', () => {
  const open = unclosedBrackets('class A {\n  m(x: number) {\n    const a = [1, (2', 'typescript');
  assert.deepEqual(
    open.map((o) => [o.char, o.lineIndent]),
    [
      ['{', 0],
      ['{', 2],
      ['[', 4],
      ['(', 4],
    ],
  );
  assert.deepEqual(unclosedBrackets('f(a)]', 'typescript'), []); // a stray closer is ignored
  assert.deepEqual(unclosedBrackets('[(]', 'typescript'), []); // a mismatched closer pops back to its partner
});

test('stray closers carry their line indentation when they start the line', () => {
  assert.deepEqual(
    strayClosers(') + g(1)\n  }\n}', 'typescript').map((c) => [c.char, c.lineIndent]),
    [
      [')', undefined],
      ['}', 2],
      ['}', 0],
    ],
  );
});

test('the suffix closes the prefix brackets whose indentation matches, not just the innermost', () => {
  const prefix = 'class A {\n  m() {\n    ';
  const open = unclosedBrackets(prefix, 'typescript');
  assert.deepEqual(closedBySuffix(open, '\n}\n', 'typescript'), [true, false]); // the class's brace, not the method's
  assert.deepEqual(closedBySuffix(open, '\n  }\n}\n', 'typescript'), [true, true]);
  const call = unclosedBrackets('x = f(g(', 'python');
  assert.deepEqual(closedBySuffix(call, '))', 'python'), [true, true]);
  assert.deepEqual(closedBySuffix(call, ')', 'python'), [false, true]);
  assert.deepEqual(closedBySuffix(call, '', 'python'), [false, false]);
});

test('block openers and line comments', () => {
  assert.equal(opensBlock('def f(x):  # note', 'python'), true);
  assert.equal(opensBlock('x = {"a": 1}  # :', 'python'), false);
  assert.equal(opensBlock('items.map((x) =>', 'typescript'), true);
  assert.equal(opensBlock('const s = "{"', 'typescript'), false);
  assert.equal(opensBlock('if (a) { // {', 'javascript'), true);
  assert.equal(stripLineComment('s = "#" # c', 'python'), 's = "#" ');
  assert.equal(indentWidth('\t  x'), 6);
});

describe("contract: every language's text rules come from its spec", () => {
  for (const spec of LANGUAGES) {
    test(`${spec.id}: its openers open blocks, its comment markers hide them, its block comments hide brackets`, () => {
      const c = spec.lineComment;
      for (const o of spec.blockOpeners) {
        assert.equal(opensBlock(`x ${o}`, spec.id), true, o);
        assert.equal(opensBlock(`x ${o}  ${c} note`, spec.id), true, `${o} before a comment`);
        assert.equal(opensBlock(`x  ${c} ${o}`, spec.id), false, `${o} inside a comment`);
      }
      assert.equal(stripLineComment(`a ${c} b`, spec.id), 'a ');
      assert.equal(brackets(`f(x) ${c} (\ng()`, spec.id), '()()');
      if (spec.blockComment)
        assert.equal(
          brackets(`f(${spec.blockComment.open} ( ${spec.blockComment.close})`, spec.id),
          '()',
        );
      if (spec.tripleQuotedStrings) assert.equal(brackets('s = """ (\n """ + f()', spec.id), '()');
    });
  }
});
