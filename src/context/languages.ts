// One entry per language: file extensions, grammar file, and tree-sitter queries for definitions,
// imports, class parents and identifiers. Every language passes the same contract suite.

export type DefinitionKind = 'function' | 'class' | 'method' | 'field' | 'interface' | 'type';

export interface LanguageSpec {
  id: string;
  extensions: string[];
  /** File name under grammars/. */
  grammar: string;
  /** Captures @name inside @definition.<kind>. */
  definitions: string;
  /** Captures @source: the module text as written (quotes stripped). */
  imports: string;
  /** Captures @name (the class) and @parent (each base). */
  parents: string;
  /** Captures @id. */
  identifiers: string;
  /** Node types whose bodies make a function a method. */
  classNodes: string[];
}

const TS_DEFINITIONS = `
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(class_declaration name: (type_identifier) @name) @definition.class
(abstract_class_declaration name: (type_identifier) @name) @definition.class
(method_definition name: (property_identifier) @name) @definition.method
(interface_declaration name: (type_identifier) @name) @definition.interface
(type_alias_declaration name: (type_identifier) @name) @definition.type
(lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)])) @definition.function
(public_field_definition name: (property_identifier) @name) @definition.field
`;

const JS_IMPORTS = `
(import_statement source: (string (string_fragment) @source))
(export_statement source: (string (string_fragment) @source))
((call_expression function: (identifier) @require arguments: (arguments (string (string_fragment) @source))) (#eq? @require "require"))
`;

const TYPESCRIPT_QUERIES = {
  definitions: TS_DEFINITIONS,
  imports: JS_IMPORTS,
  parents: `
(class_declaration name: (type_identifier) @name (class_heritage (extends_clause value: (_) @parent)))
(class_declaration name: (type_identifier) @name (class_heritage (implements_clause (_) @parent)))
(interface_declaration name: (type_identifier) @name (extends_type_clause (_) @parent))
`,
  identifiers: '[(identifier) (type_identifier) (property_identifier)] @id',
  classNodes: ['class_declaration', 'abstract_class_declaration', 'class'],
};

export const LANGUAGES: LanguageSpec[] = [
  {
    id: 'python',
    extensions: ['.py', '.pyi'],
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
  },
  { ...TYPESCRIPT_QUERIES, id: 'typescript', extensions: ['.ts', '.mts', '.cts'], grammar: 'tree-sitter-typescript.wasm' },
  // TSX is TypeScript's grammar with JSX: the same queries.
  { ...TYPESCRIPT_QUERIES, id: 'tsx', extensions: ['.tsx'], grammar: 'tree-sitter-tsx.wasm' },
  {
    id: 'javascript',
    extensions: ['.js', '.mjs', '.cjs', '.jsx'],
    grammar: 'tree-sitter-javascript.wasm',
    definitions: `
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(class_declaration name: (identifier) @name) @definition.class
(method_definition name: (property_identifier) @name) @definition.method
(lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)])) @definition.function
(field_definition property: (property_identifier) @name) @definition.field
`,
    imports: JS_IMPORTS,
    parents: '(class_declaration name: (identifier) @name (class_heritage (_) @parent))',
    identifiers: '[(identifier) (property_identifier)] @id',
    classNodes: ['class_declaration', 'class'],
  },
];

export function languageForPath(path: string): LanguageSpec | undefined {
  const lower = path.toLowerCase();
  return LANGUAGES.find((l) => l.extensions.some((e) => lower.endsWith(e)));
}
