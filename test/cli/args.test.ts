import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asksForHelp, parseArgs, UsageError, type CommandSpec } from '../../src/cli/args';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'a command for the tests',
  operands: 'REPO',
  positionals: { min: 1, max: 1 },
  about: 'Demo.',
  options: [
    { name: 'json', kind: 'flag', description: 'json' },
    { name: 'budget', kind: 'int', min: 16, default: 4096, description: 'tokens' },
    { name: 'temperature', kind: 'number', min: 0, default: 0, description: 'temperature' },
    { name: 'offset', kind: 'int', description: 'may be negative' },
    { name: 'name', kind: 'string', description: 'a name' },
    {
      name: 'order',
      kind: 'string',
      choices: ['stable', 'rank'],
      default: 'stable',
      description: 'order',
    },
    { name: 'depths', kind: 'list', item: 'number', min: 0, max: 1, description: 'fractions' },
    { name: 'tags', kind: 'list', choices: ['a', 'b'], description: 'tags' },
  ],
};

const usageError = (argv: string[], message: RegExp) =>
  assert.throws(
    () => parseArgs(spec, argv),
    (e: Error) => e instanceof UsageError && message.test(e.message),
  );

test('values come as --x y and --x=y, flags take none, defaults fill what was not given', () => {
  const a = parseArgs(spec, [
    'repo',
    '--budget',
    '512',
    '--temperature=0.5',
    '--json',
    '--depths',
    '0,0.5,1',
  ]);
  assert.deepEqual(a.positional, ['repo']);
  assert.equal(a.int('budget'), 512);
  assert.equal(a.number('temperature'), 0.5);
  assert.equal(a.flag('json'), true);
  assert.deepEqual(a.numbers('depths'), [0, 0.5, 1]);
  assert.equal(a.string('order'), 'stable');
  assert.equal(a.has('order'), false);
  assert.equal(a.has('budget'), true);
  assert.equal(a.optionalString('name'), undefined);
  const b = parseArgs(spec, ['repo']);
  assert.equal(b.int('budget'), 4096);
  assert.equal(b.flag('json'), false);
});

test('a negative number is a value, not an option; a range still applies to it', () => {
  assert.equal(parseArgs(spec, ['repo', '--offset', '-5']).int('offset'), -5);
  assert.equal(parseArgs(spec, ['repo', '--offset=-3']).int('offset'), -3);
  usageError(['repo', '--budget', '-5'], /^--budget must be ≥ 16, got -5$/);
  usageError(['repo', '--temperature', '-0.5'], /^--temperature must be ≥ 0/);
});

test('unknown options, missing values, non-numbers and values out of range are usage errors', () => {
  usageError(['repo', '--lnie', '5'], /^unknown option --lnie$/);
  usageError(['repo', '-x'], /^unknown option -x$/);
  usageError(['repo', '--budget'], /^--budget needs a value$/);
  usageError(['repo', '--name', '--json'], /^--name needs a value$/);
  usageError(['repo', '--budget', '0'], /≥ 16, got 0/);
  usageError(['repo', '--budget', '12.5'], /takes an integer, got '12.5'/);
  usageError(['repo', '--temperature', 'abc'], /takes a number, got 'abc'/);
  usageError(['repo', '--temperature', 'Infinity'], /takes a number/);
  usageError(['repo', '--temperature='], /takes a number, got ''/);
  usageError(['repo', '--depths', '0,2'], /^--depths must be between 0 and 1, got 2$/);
  usageError(['repo', '--depths', ','], /needs at least one value/);
  usageError(['repo', '--order', 'random'], /--order takes stable, rank; got 'random'/);
  usageError(['repo', '--tags', 'a,c'], /--tags takes a, b; got 'c'/);
  usageError(['repo', '--json=yes'], /is a flag and takes no value/);
  usageError(['repo', '--budget', '32', '--budget', '64'], /given twice/);
});

test('operands are counted, required options checked, and -- ends the options', () => {
  usageError([], /^REPO is required$/);
  usageError(['a', 'b'], /^unexpected argument 'b'$/);
  assert.deepEqual(parseArgs(spec, ['--', '--json']).positional, ['--json']);
  const required: CommandSpec = {
    ...spec,
    positionals: { min: 0, max: 0 },
    options: [{ name: 'file', kind: 'string', required: true, description: 'f' }],
  };
  assert.throws(() => parseArgs(required, []), /--file is required/);
  assert.equal(parseArgs(required, ['--file', 'x.py']).string('file'), 'x.py');
});

test('reading an option the command did not declare, or as another kind, is a bug, not a usage error', () => {
  const a = parseArgs(spec, ['repo']);
  assert.throws(
    () => a.flag('nope'),
    (e: Error) => !(e instanceof UsageError) && /does not declare/.test(e.message),
  );
  assert.throws(() => a.string('budget'), /declared as int/);
  assert.throws(() => a.numbers('depths'), /no value and no default/);
});

test('--help and -h ask for help anywhere before --', () => {
  assert.equal(asksForHelp(['--file', 'x', '--help']), true);
  assert.equal(asksForHelp(['-h']), true);
  assert.equal(asksForHelp(['--', '--help']), false);
  assert.equal(asksForHelp(['--json']), false);
});
