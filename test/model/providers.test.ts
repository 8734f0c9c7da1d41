import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OnnxModel } from '../../src/model/onnx-backend';
import {
  ProviderUnavailableError,
  candidateProviders,
  cpuThreads,
  missingPrerequisite,
} from '../../src/model/providers';
import { repoRoot } from '../repo-root';
import { committedModel } from '../test-models';

const tiny = committedModel('tiny');

test('auto tries the platform GPU providers first and the CPU last; a named provider is forced', () => {
  assert.deepEqual(candidateProviders('auto', 'win32'), ['cuda', 'dml', 'webgpu', 'cpu']);
  assert.deepEqual(candidateProviders('auto', 'linux'), ['cuda', 'webgpu', 'cpu']);
  assert.deepEqual(candidateProviders('auto', 'darwin'), ['webgpu', 'cpu']);
  assert.deepEqual(candidateProviders('webgpu', 'linux'), ['webgpu']);
});

test('auto falls back to a working provider and logs why the others were not used', async () => {
  const lines: string[] = [];
  const model = await OnnxModel.load(tiny, { provider: 'auto', log: (l) => lines.push(l) });
  try {
    assert.ok(['cuda', 'webgpu', 'cpu'].includes(model.provider));
    if (model.provider === 'cpu') {
      assert.ok(
        lines.some((l) => l.startsWith('execution provider cuda:')),
        lines.join('\n'),
      );
      assert.ok(
        lines.some((l) => l.startsWith('execution provider webgpu:')),
        lines.join('\n'),
      );
    }
  } finally {
    await model.dispose();
  }
});

test('a forced provider that is missing is a named error, not a silent CPU run', async () => {
  await assert.rejects(OnnxModel.load(tiny, { provider: 'coreml' }), ProviderUnavailableError);
});

test('the extension bundle never loads onnxruntime on the extension host', () => {
  const bundle = readFileSync(join(repoRoot(), 'dist', 'extension.js'), 'utf8');
  assert.doesNotMatch(bundle, /require\(["']onnxruntime-node["']\)/);
});

test('auto skips WebGPU on Linux without a Vulkan loader, and only there', () => {
  const none = () => false;
  assert.match(missingPrerequisite('webgpu', 'linux', none, '') ?? '', /libvulkan\.so\.1/);
  assert.equal(
    missingPrerequisite(
      'webgpu',
      'linux',
      (p) => p === '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
      '',
    ),
    undefined,
  );
  assert.equal(
    missingPrerequisite('webgpu', 'linux', (p) => p === '/opt/vk/libvulkan.so.1', '/opt/vk'),
    undefined,
  );
  assert.equal(missingPrerequisite('webgpu', 'win32', none, ''), undefined);
  assert.equal(missingPrerequisite('cuda', 'linux', none, ''), undefined);
});

test('onnxruntime gets one thread per physical core the process may use', () => {
  const cpu = (id: number, core: number) =>
    `processor\t: ${id}\nphysical id\t: 0\ncore id\t\t: ${core}\nflags\t\t: avx2\n`;
  // Two cores, one thread each (this project's machine, where onnxruntime's default took one).
  assert.equal(
    cpuThreads('linux', () => [cpu(0, 0), cpu(1, 1)].join('\n'), 2),
    2,
  );
  // Four cores with two SMT siblings each: four threads, not eight.
  const smt = [0, 1, 2, 3, 0, 1, 2, 3].map((core, i) => cpu(i, core)).join('\n');
  assert.equal(
    cpuThreads('linux', () => smt, 8),
    4,
  );
  // An affinity mask of 2 CPUs caps it; no core ids: every CPU available.
  assert.equal(
    cpuThreads('linux', () => smt, 2),
    2,
  );
  assert.equal(
    cpuThreads('linux', () => 'processor\t: 0\n\nprocessor\t: 1\n', 2),
    2,
  );
  assert.equal(
    cpuThreads(
      'linux',
      () => {
        throw new Error('no /proc');
      },
      3,
    ),
    3,
  );
  assert.equal(cpuThreads('darwin'), undefined); // onnxruntime's own default
});
