// What a language is to Ropewalk: the shape every entry of the language table fills in, so that code
// elsewhere asks the spec instead of testing a language's name.

export type DefinitionKind = 'function' | 'class' | 'method' | 'field' | 'interface' | 'type';

/** Statement node types the benchmark draws holes from (ExecRepoBench's kinds). */
export type StatementKind =
  | 'import'
  | 'comment'
  | 'return'
  | 'if'
  | 'for'
  | 'while'
  | 'class'
  | 'function'
  | 'assignment'
  | 'expression';

/** The languages there are: the table in ../languages.ts must have exactly these. */
export const LANGUAGE_IDS = ['python', 'typescript', 'tsx', 'javascript'] as const;
export type LanguageId = (typeof LANGUAGE_IDS)[number];

/**
 * How an import's text names a file: Python's dotted modules (`.util`, `pkg.mod` → `pkg/mod.py`),
 * or the JavaScript family's paths (`./util`, tsconfig aliases).
 */
export type ImportStyle = 'python' | 'js';

export interface LanguageSpec {
  id: LanguageId;
  /** Lower case, with the dot. */
  extensions: readonly string[];
  /** VS Code's language ids for documents of this language. */
  vscodeIds: readonly string[];
  /** File name under grammars/. */
  grammar: string;

  // Tree-sitter queries (src/context/syntax.ts).
  /** Captures @name inside @definition.<kind>. */
  definitions: string;
  /** Captures @source: the module text as written (quotes stripped). */
  imports: string;
  /** Captures @name (the class) and @parent (each base). */
  parents: string;
  /** Captures @id. */
  identifiers: string;
  /** Node types whose bodies make a function a method. */
  classNodes: readonly string[];

  // Text rules of the completion path (src/completion/code-text.ts), rough on purpose: no parser there.
  /** Starts a comment that runs to the end of the line. */
  lineComment: string;
  blockComment?: { open: string; close: string };
  /** `"""` and `'''` strings span lines (template strings with backticks always do). */
  tripleQuotedStrings: boolean;
  /** Line endings besides an open bracket after which the next lines are a body: `:` or `=>`. */
  blockOpeners: readonly string[];

  // Repository context (src/context/import-resolution.ts, proposals.ts).
  importStyle: ImportStyle;
  /** File names that may hold the tests of a file named `stem` + `ext`, or the code a test file tests. */
  testSiblings: (stem: string, ext: string) => string[];

  /** Node types the benchmark's task builder cuts holes at. */
  holes: {
    expressions: readonly string[];
    statements: Readonly<Record<string, StatementKind>>;
    /** Nodes holding a block's body. */
    bodies: readonly string[];
    /** The body sits inside braces (kept out of the hole), rather than being the whole node. */
    bracedBodies: boolean;
  };
}
