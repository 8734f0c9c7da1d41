// Contract suite for the language table: every spec's fields agree with each other, with the lookups
// derived from them, and with what its grammar parses.
import assert from 'node:assert/strict';
import { join, posix } from 'node:path';
import { describe, test } from 'node:test';
import {
  DEFAULT_VSCODE_LANGUAGES,
  LANGUAGE_IDS,
  LANGUAGES,
  languageById,
  languageForPath,
  languageForVscodeId,
  languageSpec,
  SOURCE_EXTENSIONS,
  watcherGlob,
} from '../../src/context/languages';
import { SyntaxLoader } from '../../src/context/syntax';
import { repoRoot } from '../repo-root';

const loader = new SyntaxLoader(join(repoRoot(), 'grammars'));

/** The endings a `**\/*.{a,b}` glob matches, as `.a`, `.b`. */
function globEndings(glob: string): string[] {
  const m = /^\*\*\/\*\.\{([^{}]+)\}$/.exec(glob);
  assert.ok(m, `a brace glob: ${glob}`);
  return (m[1] as string).split(',').map((e) => `.${e}`);
}

test('the table has every id once, in the order of LANGUAGE_IDS, each found by id', () => {
  assert.deepEqual(
    LANGUAGES.map((l) => l.id),
    [...LANGUAGE_IDS],
  );
  for (const id of LANGUAGE_IDS) assert.equal(languageSpec(id).id, id);
  assert.equal(languageById('python'), languageSpec('python'));
  assert.equal(languageById('toString'), undefined, 'no prototype member passes for a language');
  assert.equal(languageById('rust'), undefined);
});

test('extensions and VS Code ids belong to one language each; the derived lists hold them all', () => {
  const owners = (key: 'extensions' | 'vscodeIds') => LANGUAGES.flatMap((l) => l[key]);
  assert.equal(
    new Set(owners('extensions')).size,
    owners('extensions').length,
    'an extension claimed twice',
  );
  assert.equal(
    new Set(owners('vscodeIds')).size,
    owners('vscodeIds').length,
    'a VS Code id claimed twice',
  );
  assert.deepEqual([...SOURCE_EXTENSIONS], owners('extensions'));
  assert.deepEqual([...DEFAULT_VSCODE_LANGUAGES], owners('vscodeIds'));
  assert.deepEqual(globEndings(watcherGlob()).sort(), [...SOURCE_EXTENSIONS].sort());
  assert.equal(languageForVscodeId('rust'), undefined);
});

describe('contract: every language spec', () => {
  for (const spec of LANGUAGES) {
    test(`${spec.id}: extensions are found by path and watched; VS Code ids map back`, () => {
      assert.ok(spec.extensions.length > 0 && spec.vscodeIds.length > 0);
      const watched = globEndings(watcherGlob());
      for (const ext of spec.extensions) {
        assert.match(ext, /^\.[a-z0-9.]+$/, 'lower case, with the dot');
        assert.equal(languageForPath(`src/x${ext}`), spec, ext);
        assert.ok(watched.includes(ext), `${ext} is in ${watcherGlob()}`);
      }
      for (const id of spec.vscodeIds) assert.equal(languageForVscodeId(id), spec, id);
    });

    test(`${spec.id}: the grammar parses the comment markers as comments`, async () => {
      const comments = [
        `${spec.lineComment} hi`,
        ...(spec.blockComment ? [`${spec.blockComment.open} hi ${spec.blockComment.close}`] : []),
      ];
      for (const source of comments) {
        const { tree } = await loader.parse(spec, `${source}\n`);
        try {
          const first = tree.rootNode.firstNamedChild;
          assert.equal(tree.rootNode.hasError, false, source);
          assert.match(
            first?.type ?? '',
            /comment/,
            `${source} parses as ${tree.rootNode.toString()}`,
          );
          assert.equal(first?.text, source);
        } finally {
          tree.delete();
        }
      }
    });

    test(`${spec.id}: every node type the spec names is one of its grammar's`, async () => {
      const { language } = await loader.load(spec);
      const named = [
        ...spec.classNodes,
        ...spec.holes.expressions,
        ...Object.keys(spec.holes.statements),
        ...spec.holes.bodies,
      ];
      for (const type of named)
        assert.notEqual(language.idForNodeType(type, true), null, `${spec.id} has no ${type} node`);
      assert.ok(
        Object.values(spec.holes.statements).includes('comment'),
        'comments are statements the benchmark can hide',
      );
    });

    test(`${spec.id}: test siblings are files of a known language, and lead back`, () => {
      const ext = spec.extensions[0] as string;
      const siblings = spec.testSiblings('shapes', ext);
      assert.ok(siblings.length > 1);
      for (const name of siblings) assert.ok(languageForPath(name), `${name} has a language`);
      const test = siblings.find((n) => n !== `shapes${ext}` && languageForPath(n) === spec);
      assert.ok(test, `a test file of ${spec.id} among ${siblings.join(', ')}`);
      const back = spec.testSiblings(posix.basename(test, ext), ext);
      assert.ok(
        back.includes(`shapes${ext}`),
        `${test} leads back to shapes${ext}: ${back.join(', ')}`,
      );
    });
  }
});
