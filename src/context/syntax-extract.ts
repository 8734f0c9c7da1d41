// Reads what repository context needs out of one parsed tree, with a language's compiled queries:
// definitions with signature and span, imports, class parents, identifiers used.

import type { Language, Node, Query } from 'web-tree-sitter';
import type { DefinitionKind, LanguageSpec } from './languages';

export interface Span {
  startLine: number; // 0-based
  endLine: number;
  startIndex: number; // UTF-16 offsets into the text
  endIndex: number;
}

export interface Definition extends Span {
  name: string;
  kind: DefinitionKind;
  /** The declaration up to its body: `def area(self) -> float`, `class Shape(Base)`. */
  signature: string;
  /** Enclosing class, for methods and fields. */
  parent?: string;
}

export interface FileSyntax {
  language: string;
  definitions: Definition[];
  /** Module specifiers as written: `os.path`, `.util`, `./shapes`. */
  imports: string[];
  /** Class name → base names as written. */
  parents: Record<string, string[]>;
  identifiers: Set<string>;
  /** The parse had syntax errors (the extraction is best effort then). */
  hasErrors: boolean;
}

/** A grammar and its compiled queries, as the loader keeps them. */
export interface LoadedLanguage {
  spec: LanguageSpec;
  language: Language;
  definitions: Query;
  imports: Query;
  parents: Query;
  identifiers: Query;
}

function span(node: Node): Span {
  return {
    startLine: node.startPosition.row,
    endLine: node.endPosition.row,
    startIndex: node.startIndex,
    endIndex: node.endIndex,
  };
}

function signatureOf(node: Node): string {
  const body = node.childForFieldName('body');
  const text = body
    ? node.text.slice(0, body.startIndex - node.startIndex)
    : (node.text.split('\n')[0] ?? '');
  return text
    .replace(/\s+/g, ' ')
    .replace(/[\s:{]+$/, '')
    .trim();
}

function enclosingClass(node: Node, classNodes: readonly string[]): string | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (classNodes.includes(p.type)) return p.childForFieldName('name')?.text;
  }
  return undefined;
}

/** The definitions a language's query finds, each with its enclosing class; methods told from functions. */
function extractDefinitions(lang: LoadedLanguage, root: Node): Definition[] {
  const definitions: Definition[] = [];
  for (const match of lang.definitions.matches(root)) {
    const def = match.captures.find((c) => c.name.startsWith('definition.'));
    const name = match.captures.find((c) => c.name === 'name');
    if (!def || !name) continue;
    let kind = def.name.slice('definition.'.length) as DefinitionKind;
    const parent = enclosingClass(def.node, lang.spec.classNodes);
    if (kind === 'function' && parent && def.node.type.includes('function_definition'))
      kind = 'method';
    // A field assigned in several methods is one field: the first assignment defines it.
    if (
      kind === 'field' &&
      definitions.some(
        (d) => d.kind === 'field' && d.name === name.node.text && d.parent === parent,
      )
    )
      continue;
    // `parent` is left out rather than undefined, so that a definition survives a JSON round trip unchanged.
    definitions.push({
      name: name.node.text,
      kind,
      signature: signatureOf(def.node),
      ...(parent && kind !== 'class' ? { parent } : {}),
      ...span(def.node),
    });
  }
  return definitions;
}

/** Class name → its bases as written, each once (a class may be matched once per base). */
function extractParents(lang: LoadedLanguage, root: Node): Record<string, string[]> {
  const parents: Record<string, string[]> = {};
  for (const match of lang.parents.matches(root)) {
    const name = match.captures.find((c) => c.name === 'name')?.node.text;
    if (!name) continue;
    const bases = (parents[name] ??= []);
    for (const c of match.captures)
      if (c.name === 'parent' && !bases.includes(c.node.text)) bases.push(c.node.text);
  }
  return parents;
}

export function extractFromTree(lang: LoadedLanguage, root: Node): FileSyntax {
  const definitions = extractDefinitions(lang, root);
  const imports = [
    ...new Set(
      lang.imports
        .captures(root)
        .filter((c) => c.name === 'source')
        .map((c) => c.node.text),
    ),
  ];
  const parents = extractParents(lang, root);
  const identifiers = new Set(lang.identifiers.captures(root).map((c) => c.node.text));
  return {
    language: lang.spec.id,
    definitions,
    imports,
    parents,
    identifiers,
    hasErrors: root.hasError,
  };
}
