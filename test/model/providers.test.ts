import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OnnxModel } from '../../src/model/onnx-backend';
import {
  ProviderUnavailableError,
  candidateProviders,
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
