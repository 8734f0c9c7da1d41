import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, type CommandSpec } from '../../src/cli/args';
import { PROVIDER_OPTIONS } from '../../src/cli/common-options';
import { probeLog } from '../../src/cli/model-options';
import { candidateProviders } from '../../src/model/providers';

const spec: CommandSpec = {
  name: 'complete',
  summary: '',
  about: '',
  positionals: { min: 0, max: 0 },
  options: PROVIDER_OPTIONS,
};
const probes = [
  'execution provider cuda: no library; falling back',
  'execution provider webgpu: no adapter; falling back',
];

function run(argv: string[], used: string): string[] {
  const written: string[] = [];
  const { log, settle } = probeLog(parseArgs(spec, argv), (l) => written.push(l));
  for (const p of probes) log(p);
  settle(used);
  return written;
}

test('without --verbose, auto falling back to the CPU is one line that says why', () => {
  const lines = run([], 'cpu');
  assert.equal(lines.length, 1);
  const gpus = candidateProviders('auto').filter((p) => p !== 'cpu');
  assert.equal(
    lines[0],
    `ropewalk complete: running on the CPU: ${gpus.join(' and ')} could not run the model here (--verbose says why)`,
  );
});

test('nothing is said when a GPU was found, the provider was named, or nothing was skipped', () => {
  assert.deepEqual(run([], 'webgpu'), []);
  assert.deepEqual(run(['--provider', 'cpu'], 'cpu'), []);
  const { settle } = probeLog(parseArgs(spec, []), () => assert.fail('nothing to say'));
  settle('cpu');
});

test('--verbose passes every probe message through, and adds nothing', () => {
  assert.deepEqual(run(['--verbose'], 'cpu'), probes);
});
