// TypeScript and TSX (TypeScript's grammar with JSX: the same queries), on the JavaScript family's rules.

import { JS_BODIES, JS_EXPRESSIONS, JS_FAMILY, JS_STATEMENTS } from './js-family';
import type { LanguageSpec } from './language-spec';

const TYPESCRIPT_COMMON = {
  ...JS_FAMILY,
  definitions: `
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(class_declaration name: (type_identifier) @name) @definition.class
(abstract_class_declaration name: (type_identifier) @name) @definition.class
(method_definition name: (property_identifier) @name) @definition.method
(interface_declaration name: (type_identifier) @name) @definition.interface
(type_alias_declaration name: (type_identifier) @name) @definition.type
(lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)])) @definition.function
(public_field_definition name: (property_identifier) @name) @definition.field
`,
  parents: `
(class_declaration name: (type_identifier) @name (class_heritage (extends_clause value: (_) @parent)))
(class_declaration name: (type_identifier) @name (class_heritage (implements_clause (_) @parent)))
(interface_declaration name: (type_identifier) @name (extends_type_clause (_) @parent))
`,
  identifiers: '[(identifier) (type_identifier) (property_identifier)] @id',
  classNodes: ['class_declaration', 'abstract_class_declaration', 'class'],
  holes: {
    expressions: [...JS_EXPRESSIONS, 'as_expression'],
    statements: { ...JS_STATEMENTS, abstract_class_declaration: 'class' },
    ...JS_BODIES,
  },
} satisfies Omit<LanguageSpec, 'id' | 'extensions' | 'vscodeIds' | 'grammar'>;

export const TYPESCRIPT: LanguageSpec & { id: 'typescript' } = {
  ...TYPESCRIPT_COMMON,
  id: 'typescript',
  extensions: ['.ts', '.mts', '.cts'],
  vscodeIds: ['typescript'],
  grammar: 'tree-sitter-typescript.wasm',
};

export const TSX: LanguageSpec & { id: 'tsx' } = {
  ...TYPESCRIPT_COMMON,
  id: 'tsx',
  extensions: ['.tsx'],
  vscodeIds: ['typescriptreact'],
  grammar: 'tree-sitter-tsx.wasm',
};
