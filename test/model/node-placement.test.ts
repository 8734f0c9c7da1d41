// Node placement read from onnxruntime's profile: the events it counts, and a real CPU session's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatPlacement,
  nodesElsewhere,
  placementFromProfile,
} from '../../src/model/node-placement';
import { OnnxModel } from '../../src/model/onnx-backend';
import { committedModel } from '../test-models';

const node = (name: string, provider: string, op: string) => ({
  cat: 'Node',
  name: `${name}_kernel_time`,
  args: { provider, op_name: op },
});

test('counts each node once by provider, from kernel-time events only', () => {
  const events = [
    { cat: 'Session', name: 'session_initialization', args: {} },
    node('a', 'WebGpuExecutionProvider', 'MatMul'),
    node('b', 'WebGpuExecutionProvider', 'MatMulNBits'),
    { cat: 'Node', name: 'a_fence_before', args: { provider: 'WebGpuExecutionProvider' } },
    node('s', 'CPUExecutionProvider', 'Shape'),
    node('g', 'CPUExecutionProvider', 'Gather'),
    node('s2', 'CPUExecutionProvider', 'Shape'),
    node('a', 'WebGpuExecutionProvider', 'MatMul'), // the same node in a second run
  ];
  const p = placementFromProfile(events);
  assert.deepEqual(p, {
    webgpu: { nodes: 2, ops: { MatMul: 1, MatMulNBits: 1 } },
    cpu: { nodes: 3, ops: { Shape: 2, Gather: 1 } },
  });
  assert.equal(nodesElsewhere(p, 'webgpu'), 3);
  assert.equal(nodesElsewhere(p, 'cpu'), 2);
  assert.equal(formatPlacement(p, 'webgpu'), 'webgpu 2 nodes; cpu 3 (Shape 2, Gather 1)');
  assert.equal(formatPlacement({}, 'webgpu'), 'no node events in the profile');
});

test('a CPU session loaded with placement ran every node on the CPU', async () => {
  const model = await OnnxModel.load(committedModel('tiny'), { provider: 'cpu', placement: true });
  try {
    const p = model.placement;
    assert.ok(p, 'placement was read');
    assert.deepEqual(Object.keys(p), ['cpu']);
    assert.ok((p.cpu?.nodes ?? 0) > 50, `${p.cpu?.nodes} nodes`);
    assert.ok((p.cpu?.ops.MatMulNBits ?? 0) + (p.cpu?.ops.MatMul ?? 0) > 0);
    assert.equal(nodesElsewhere(p, 'cpu'), 0);
  } finally {
    await model.dispose();
  }
});

test('a model loaded without placement has none', async () => {
  const model = await OnnxModel.load(committedModel('tiny'), { provider: 'cpu' });
  try {
    assert.equal(model.placement, undefined);
  } finally {
    await model.dispose();
  }
});
