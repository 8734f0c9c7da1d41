// What JavaScript, TypeScript and TSX share: imports, comments, `=>` blocks, path imports, .test/.spec
// file names, and the node types of statements and bodies.

import type { LanguageSpec, StatementKind } from './language-spec';

type Shared =
  | 'imports'
  | 'lineComment'
  | 'blockComment'
  | 'tripleQuotedStrings'
  | 'blockOpeners'
  | 'importStyle'
  | 'testSiblings';

export const JS_FAMILY: Pick<LanguageSpec, Shared> = {
  imports: `
(import_statement source: (string (string_fragment) @source))
(export_statement source: (string (string_fragment) @source))
((call_expression function: (identifier) @require arguments: (arguments (string (string_fragment) @source))) (#eq? @require "require"))
`,
  lineComment: '//',
  blockComment: { open: '/*', close: '*/' },
  tripleQuotedStrings: false,
  blockOpeners: ['=>'],
  importStyle: 'js',
  testSiblings: (stem, ext) => {
    const impl = stem.replace(/\.(test|spec)$/, '');
    return [ext, '.ts', '.tsx', '.js'].flatMap((e) => [
      `${impl}.test${e}`,
      `${impl}.spec${e}`,
      `${impl}${e}`,
    ]);
  },
};

export const JS_EXPRESSIONS = [
  'call_expression',
  'binary_expression',
  'member_expression',
  'subscript_expression',
  'arrow_function',
  'object',
  'array',
  'template_string',
  'ternary_expression',
  'new_expression',
  'await_expression',
  'unary_expression',
  'pair',
  'arguments',
];

export const JS_STATEMENTS: Readonly<Record<string, StatementKind>> = {
  comment: 'comment',
  import_statement: 'import',
  return_statement: 'return',
  if_statement: 'if',
  for_statement: 'for',
  for_in_statement: 'for',
  while_statement: 'while',
  do_statement: 'while',
  class_declaration: 'class',
  function_declaration: 'function',
  generator_function_declaration: 'function',
  method_definition: 'function',
  lexical_declaration: 'assignment',
  variable_declaration: 'assignment',
  expression_statement: 'expression',
};

/** Bodies in braces; which parents count is the task builder's rule. */
export const JS_BODIES = { bodies: ['statement_block', 'class_body'], bracedBodies: true } as const;
