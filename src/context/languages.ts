// The language table (one file per language under languages/) and what is derived from it: lookups by
// path, id and VS Code id, the file watcher's glob, the default `ropewalk.languages` setting.

import { JAVASCRIPT } from './languages/javascript';
import { LANGUAGE_IDS, type LanguageId, type LanguageSpec } from './languages/language-spec';
import { PYTHON } from './languages/python';
import { TSX, TYPESCRIPT } from './languages/typescript';

export { LANGUAGE_IDS };
export type {
  DefinitionKind,
  ImportStyle,
  LanguageId,
  LanguageSpec,
  StatementKind,
} from './languages/language-spec';

// Keyed by id, so that the compiler checks each id has its spec and each spec sits under its own id.
const BY_ID: { readonly [Id in LanguageId]: LanguageSpec & { id: Id } } = {
  python: PYTHON,
  typescript: TYPESCRIPT,
  tsx: TSX,
  javascript: JAVASCRIPT,
};

export const LANGUAGES: readonly LanguageSpec[] = LANGUAGE_IDS.map((id) => BY_ID[id]);

export function languageForPath(path: string): LanguageSpec | undefined {
  const lower = path.toLowerCase();
  return LANGUAGES.find((l) => l.extensions.some((e) => lower.endsWith(e)));
}

/** The spec of a known id. */
export function languageSpec(id: LanguageId): LanguageSpec {
  return BY_ID[id];
}

/** The spec of an id read from outside the type system (a persisted index, a command line). */
export function languageById(id: string): LanguageSpec | undefined {
  return Object.hasOwn(BY_ID, id) ? BY_ID[id as LanguageId] : undefined;
}

/** The language of a VS Code document, by its language id. */
export function languageForVscodeId(vscodeId: string): LanguageSpec | undefined {
  return LANGUAGES.find((l) => l.vscodeIds.includes(vscodeId));
}

/** Every file ending some language claims, for walking a repository. */
export const SOURCE_EXTENSIONS: readonly string[] = LANGUAGES.flatMap((l) => l.extensions);

/** VS Code language ids that get completions unless the user says otherwise (`ropewalk.languages`). */
export const DEFAULT_VSCODE_LANGUAGES: readonly string[] = LANGUAGES.flatMap((l) => l.vscodeIds);

/** A glob for a file system watcher that sees every source file: `**\/*.{py,pyi,ts,…}`. */
export function watcherGlob(): string {
  return `**/*.{${SOURCE_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;
}
