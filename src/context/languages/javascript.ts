// JavaScript (with JSX: one grammar serves both VS Code ids), on the JavaScript family's rules.

import { JS_BODIES, JS_EXPRESSIONS, JS_FAMILY, JS_STATEMENTS } from './js-family';
import type { LanguageSpec } from './language-spec';

export const JAVASCRIPT: LanguageSpec & { id: 'javascript' } = {
  ...JS_FAMILY,
  id: 'javascript',
  extensions: ['.js', '.mjs', '.cjs', '.jsx'],
  vscodeIds: ['javascript', 'javascriptreact'],
  grammar: 'tree-sitter-javascript.wasm',
  definitions: `
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(class_declaration name: (identifier) @name) @definition.class
(method_definition name: (property_identifier) @name) @definition.method
(lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)])) @definition.function
(field_definition property: (property_identifier) @name) @definition.field
`,
  parents: '(class_declaration name: (identifier) @name (class_heritage (_) @parent))',
  identifiers: '[(identifier) (property_identifier)] @id',
  classNodes: ['class_declaration', 'class'],
  holes: { expressions: JS_EXPRESSIONS, statements: JS_STATEMENTS, ...JS_BODIES },
};
