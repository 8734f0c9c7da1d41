// package.json's settings agree with the code's closed sets: an enum or default changed on one side
// only fails here instead of in a user's settings editor.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_VSCODE_LANGUAGES } from '../src/context/languages';
import { CONTEXT_STRATEGIES } from '../src/context/proposals';
import { KV_TYPE_SETTINGS } from '../src/model/kv-type';
import { PROVIDER_SETTINGS } from '../src/model/providers';
import { ROPE_METHOD_NAMES } from '../src/model/rope-methods';
import { BACKENDS } from '../src/model/remote/remote-backend';
import { REMOTE_FAMILIES } from '../src/completion/remote-setup';
import { repoRoot } from './repo-root';

interface Setting {
  enum?: string[];
  enumDescriptions?: string[];
  default?: unknown;
}

const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Setting> } };
};
const settings = pkg.contributes.configuration.properties;

function setting(name: string): Setting {
  const s = settings[`ropewalk.${name}`];
  assert.ok(s, `ropewalk.${name} is in package.json`);
  return s;
}

/** Same members, each once; package.json may order them for the settings editor (the default first). */
function assertSameSet(
  actual: readonly string[] | undefined,
  expected: readonly string[],
  what: string,
): void {
  assert.ok(actual, `${what} has an enum`);
  assert.equal(new Set(actual).size, actual.length, `${what} lists a value twice`);
  assert.deepEqual([...actual].sort(), [...expected].sort(), what);
}

test('ropewalk.contextStrategy offers exactly the context strategies, and its default is one', () => {
  const s = setting('contextStrategy');
  assertSameSet(s.enum, CONTEXT_STRATEGIES, 'ropewalk.contextStrategy');
  assert.ok(s.enum?.includes(s.default as string));
});

test('ropewalk.executionProvider offers exactly the provider settings, in their order', () => {
  const s = setting('executionProvider');
  assert.deepEqual(s.enum, [...PROVIDER_SETTINGS]);
  assert.equal(s.default, 'auto');
});

test('ropewalk.kvCacheType offers exactly the KV type settings, auto first and by default, each described', () => {
  const s = setting('kvCacheType');
  assert.deepEqual(s.enum, [...KV_TYPE_SETTINGS]);
  assert.equal(s.default, 'auto');
  assert.equal(s.enumDescriptions?.length, s.enum?.length);
});

test('ropewalk.languages defaults to every VS Code id of the language table', () => {
  assert.deepEqual(setting('languages').default, [...DEFAULT_VSCODE_LANGUAGES]);
});

test('every enumDescriptions has one line per enum value', () => {
  const described = Object.entries(settings).filter(([, s]) => s.enumDescriptions);
  assert.ok(described.length > 0);
  for (const [name, s] of described) assert.equal(s.enumDescriptions?.length, s.enum?.length, name);
});

test('ropewalk.ropeMethod offers auto and exactly the RoPE methods the planners implement, with a description each', () => {
  const s = setting('ropeMethod');
  assertSameSet(s.enum, ['auto', ...ROPE_METHOD_NAMES], 'ropewalk.ropeMethod');
  assert.equal(s.default, 'auto');
  assert.equal(s.enumDescriptions?.length, s.enum?.length);
});

test('ropewalk.modelFolders is a list of paths, empty by default, and ignored in untrusted workspaces like modelPath', () => {
  const s = setting('modelFolders') as Setting & { type?: string; items?: { type?: string } };
  assert.equal(s.type, 'array');
  assert.equal(s.items?.type, 'string');
  assert.deepEqual(s.default, []);
  const restricted = (
    pkg as unknown as {
      capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
    }
  ).capabilities.untrustedWorkspaces.restrictedConfigurations;
  assert.ok(
    restricted.includes('ropewalk.modelPath') && restricted.includes('ropewalk.modelFolders'),
  );
});

test('ropewalk.backend offers local and every remote backend, local by default; ropewalk.remoteFamily the families', () => {
  const b = setting('backend');
  assert.deepEqual(b.enum, [...BACKENDS]);
  assert.equal(b.default, 'local');
  assert.equal(b.enumDescriptions?.length, b.enum?.length);
  const f = setting('remoteFamily');
  assert.deepEqual(f.enum, [...REMOTE_FAMILIES]);
  assert.equal(f.default, 'auto');
  for (const name of ['endpoint', 'remoteModel']) assert.equal(setting(name).default, '');
});

test('a workspace cannot choose the backend or endpoint while untrusted', () => {
  const restricted = (
    JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
      capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
    }
  ).capabilities.untrustedWorkspaces.restrictedConfigurations;
  for (const s of ['ropewalk.backend', 'ropewalk.endpoint', 'ropewalk.remoteModel'])
    assert.ok(restricted.includes(s), s);
});
