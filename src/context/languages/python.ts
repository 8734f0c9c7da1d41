// Python: tree-sitter queries, comment and block syntax, dotted-module imports, test_ file names.

import type { LanguageSpec } from './language-spec';

export const PYTHON: LanguageSpec & { id: 'python' } = {
  id: 'python',
  extensions: ['.py', '.pyi'],
  vscodeIds: ['python'],
  grammar: 'tree-sitter-python.wasm',
  definitions: `
(function_definition name: (identifier) @name) @definition.function
(class_definition name: (identifier) @name) @definition.class
(class_definition body: (block (expression_statement (assignment left: (identifier) @name) @definition.field)))
((assignment left: (attribute object: (identifier) @self attribute: (identifier) @name)) @definition.field (#eq? @self "self"))
`,
  imports: `
(import_statement name: (dotted_name) @source)
(import_statement name: (aliased_import name: (dotted_name) @source))
(import_from_statement module_name: (_) @source)
`,
  parents: '(class_definition name: (identifier) @name superclasses: (argument_list (_) @parent))',
  identifiers: '(identifier) @id',
  classNodes: ['class_definition'],

  lineComment: '#',
  tripleQuotedStrings: true,
  blockOpeners: [':'],

  importStyle: 'python',
  testSiblings: (stem) => {
    const impl = stem.replace(/^test_/, '').replace(/_test$/, '');
    return [`test_${impl}.py`, `${impl}_test.py`, `${impl}.py`];
  },

  holes: {
    expressions: [
      'call',
      'binary_operator',
      'boolean_operator',
      'comparison_operator',
      'attribute',
      'subscript',
      'list',
      'dictionary',
      'set',
      'tuple',
      'lambda',
      'conditional_expression',
      'list_comprehension',
      'dictionary_comprehension',
      'set_comprehension',
      'generator_expression',
      'not_operator',
      'await',
      'keyword_argument',
    ],
    statements: {
      comment: 'comment',
      import_statement: 'import',
      import_from_statement: 'import',
      future_import_statement: 'import',
      return_statement: 'return',
      if_statement: 'if',
      for_statement: 'for',
      while_statement: 'while',
      class_definition: 'class',
      function_definition: 'function',
      expression_statement: 'expression',
    },
    // An indented block: the statements are the whole node.
    bodies: ['block'],
    bracedBodies: false,
  },
};
