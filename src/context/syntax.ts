// Parses source with tree-sitter (WASM): loads grammars and their queries, parses whole files or
// open documents incrementally, and hands trees to syntax-extract for what repository context needs.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Parser, Query, type Node, type Point, type Tree } from 'web-tree-sitter';
import { LANGUAGES, type LanguageSpec } from './languages';
import { extractFromTree, type FileSyntax, type LoadedLanguage } from './syntax-extract';

export class GrammarError extends Error {
  override readonly name = 'GrammarError';
}

// The extracted shapes live beside the extraction; callers keep importing them from here.
export type { Definition, FileSyntax, Span } from './syntax-extract';

/** Where grammars/ is, relative to a bundled script in dist/. */
export function defaultGrammarsDir(root = join(__dirname, '..')): string {
  return join(root, 'grammars');
}

let runtime: Promise<void> | undefined;

export class SyntaxLoader {
  private readonly loaded = new Map<string, Promise<LoadedLanguage>>();
  private readonly parser = new Map<string, Parser>();
  /** Languages whose load has finished, for synchronous parsing. */
  private readonly ready = new Map<string, LoadedLanguage>();

  constructor(private readonly grammarsDir: string) {}

  private async init(): Promise<void> {
    runtime ??= Parser.init({
      locateFile: () => require.resolve('web-tree-sitter/tree-sitter.wasm'),
    });
    await runtime;
  }

  load(spec: LanguageSpec): Promise<LoadedLanguage> {
    let p = this.loaded.get(spec.id);
    if (!p) {
      p = (async () => {
        await this.init();
        const file = join(this.grammarsDir, spec.grammar);
        if (!existsSync(file))
          throw new GrammarError(`grammar ${spec.grammar} is missing from ${this.grammarsDir}`);
        const language = await Language.load(file);
        const query = (name: string, source: string) => {
          try {
            return new Query(language, source);
          } catch (cause) {
            throw new GrammarError(
              `the ${name} query of ${spec.id} does not compile: ${(cause as Error).message}`,
              { cause },
            );
          }
        };
        const lang = {
          spec,
          language,
          definitions: query('definitions', spec.definitions),
          imports: query('imports', spec.imports),
          parents: query('parents', spec.parents),
          identifiers: query('identifiers', spec.identifiers),
        };
        this.ready.set(spec.id, lang);
        return lang;
      })();
      this.loaded.set(spec.id, p);
    }
    return p;
  }

  /** One parser per language, made on first use. */
  private parserFor(lang: LoadedLanguage): Parser {
    let parser = this.parser.get(lang.spec.id);
    if (!parser) {
      parser = new Parser();
      parser.setLanguage(lang.language);
      this.parser.set(lang.spec.id, parser);
    }
    return parser;
  }

  async parse(
    spec: LanguageSpec,
    text: string,
    old?: Tree,
  ): Promise<{ tree: Tree; lang: LoadedLanguage }> {
    const lang = await this.load(spec);
    const tree = this.parserFor(lang).parse(text, old);
    if (!tree) throw new GrammarError(`tree-sitter returned no tree for a ${spec.id} file`);
    return { tree, lang };
  }

  /**
   * Whether `text` parses without syntax errors, synchronously (for checks on the completion path);
   * undefined while the language is not loaded yet.
   */
  parsesCleanly(spec: LanguageSpec, text: string): boolean | undefined {
    const lang = this.ready.get(spec.id);
    if (!lang) return undefined;
    const tree = this.parserFor(lang).parse(text);
    if (!tree) return undefined;
    try {
      return !tree.rootNode.hasError;
    } finally {
      tree.delete();
    }
  }

  async extract(spec: LanguageSpec, text: string): Promise<FileSyntax> {
    const { tree, lang } = await this.parse(spec, text);
    try {
      return extractFromTree(lang, tree.rootNode);
    } finally {
      tree.delete();
    }
  }

  static languages(): readonly LanguageSpec[] {
    return LANGUAGES;
  }
}

/** One change to a text: the UTF-16 range [start, end) of the text before it is replaced by `text`. */
export interface TextChange {
  start: number;
  end: number;
  text: string;
}

/** Row and UTF-16 column of an offset (web-tree-sitter counts columns in UTF-16 code units). */
function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/**
 * A document an editor holds open: its tree is kept and edited, so that a keystroke re-parses only
 * what changed (tree-sitter's incremental parsing) instead of the whole file.
 */
export class IncrementalDocument {
  private constructor(
    private readonly loader: SyntaxLoader,
    private readonly spec: LanguageSpec,
    private tree: Tree,
    private lang: LoadedLanguage,
    private current: string,
  ) {}

  static async open(
    loader: SyntaxLoader,
    spec: LanguageSpec,
    text: string,
  ): Promise<IncrementalDocument> {
    const { tree, lang } = await loader.parse(spec, text);
    return new IncrementalDocument(loader, spec, tree, lang, text);
  }

  get text(): string {
    return this.current;
  }

  /** Applies changes in order (each against the text the previous one left) and re-parses incrementally. */
  async apply(changes: TextChange[]): Promise<void> {
    let text = this.current;
    for (const c of changes) {
      if (c.start < 0 || c.end < c.start || c.end > text.length)
        throw new RangeError(`change [${c.start}, ${c.end}) is outside a text of ${text.length}`);
      const next = text.slice(0, c.start) + c.text + text.slice(c.end);
      this.tree.edit({
        startIndex: c.start,
        oldEndIndex: c.end,
        newEndIndex: c.start + c.text.length,
        startPosition: pointAt(text, c.start),
        oldEndPosition: pointAt(text, c.end),
        newEndPosition: pointAt(next, c.start + c.text.length),
      });
      text = next;
    }
    const { tree, lang } = await this.loader.parse(this.spec, text, this.tree);
    this.tree.delete();
    this.tree = tree;
    this.lang = lang;
    this.current = text;
  }

  /** Replaces the whole text (the editor reloaded the file): parsed from scratch. */
  async reset(text: string): Promise<void> {
    const { tree } = await this.loader.parse(this.spec, text);
    this.tree.delete();
    this.tree = tree;
    this.current = text;
  }

  syntax(): FileSyntax {
    return extractFromTree(this.lang, this.tree.rootNode);
  }

  /** The tree, for callers that inspect the syntax at the cursor (borrowed: valid until the next apply). */
  get root(): Node {
    return this.tree.rootNode;
  }

  dispose(): void {
    this.tree.delete();
  }
}
