import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/dispatch';
import { commandList, commandUsage, wrap } from '../../src/cli/usage';

test("every command's usage names every option it declares, with ranges and defaults, in lines of 100 or less", () => {
  for (const { spec } of COMMANDS) {
    const text = commandUsage(spec);
    assert.ok(text.startsWith(`usage: ropewalk ${spec.name}`), spec.name);
    for (const o of spec.options)
      assert.match(text, new RegExp(`^  --${o.name}\\b`, 'm'), `${spec.name} --${o.name}`);
    for (const line of text.split('\n')) assert.ok(line.length <= 100, `${spec.name}: ${line}`);
  }
  const complete = commandUsage(COMMANDS.find((c) => c.spec.name === 'complete')!.spec);
  assert.match(complete, /^usage: ropewalk complete --file F --line L --column C \[options\]$/m);
  assert.match(
    complete,
    /--max-tokens N\s+most tokens of a multi-line suggestion \(1 to 4096; default 64\)/,
  );
  assert.match(complete, /--raw/);
});

test('the command list has one line per command', () => {
  const list = commandList(COMMANDS.map((c) => c.spec));
  const rows = list.split('\n').filter((l) => /^ {2}\S/.test(l));
  assert.deepEqual(
    rows.map((l) => l.trim().split(/\s+/)[0]),
    COMMANDS.map((c) => c.spec.name),
  );
  assert.equal(new Set(COMMANDS.map((c) => c.spec.name)).size, COMMANDS.length);
});

test('wrap breaks between words and keeps a long word whole', () => {
  assert.deepEqual(wrap('aa bb cc', 5), ['aa bb', 'cc']);
  assert.deepEqual(wrap('abcdefgh ij', 4), ['abcdefgh', 'ij']);
  assert.deepEqual(wrap('  ', 4), []);
});
