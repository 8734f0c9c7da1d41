// Entry of the inference child process: onnxruntime's runs block the thread they run on, so they happen
// here, never on the extension host's thread. Requests are served one at a time, in arrival order;
// a cancel message takes effect between two decoding steps.

import { Generator } from './generate';
import type { EngineSpec, InferenceRequest, InferenceResponse } from './inference-protocol';
import { checkModel } from './model-check';
import { OnnxModel } from './onnx-backend';
import { TextTokenizer } from './tokenizer';

type Work = Exclude<InferenceRequest, { type: 'cancel' }>;

let queue: Promise<void> = Promise.resolve();
const queued = new Set<number>();
const running = new Map<number, AbortController>();
const cancelledEarly = new Set<number>();
let engine: { key: string; model: OnnxModel; generator: Generator } | undefined;

function reply(message: InferenceResponse): void {
  process.send?.(message);
}

async function engineFor(spec: EngineSpec) {
  const key = `${spec.modelDir}\0${spec.provider}`;
  if (engine?.key === key) return engine;
  await engine?.model.dispose();
  engine = undefined;
  const model = await OnnxModel.load(spec.modelDir, { provider: spec.provider, log: (l) => process.stderr.write(l + '\n') });
  const tokenizer = TextTokenizer.load(model.files.tokenizer);
  engine = { key, model, generator: new Generator(model, tokenizer) };
  return engine;
}

async function handle(request: Work): Promise<void> {
  queued.delete(request.id);
  const controller = new AbortController();
  running.set(request.id, controller);
  if (cancelledEarly.delete(request.id)) controller.abort();
  try {
    switch (request.type) {
      case 'check':
        reply({ id: request.id, type: 'check', report: await checkModel(request.modelDir, request.provider, (l) => process.stderr.write(l + '\n')) });
        break;
      case 'generate': {
        const e = await engineFor(request.engine);
        const result = await e.generator.generate(request.prompt, request.rope, {
          ...request.options,
          signal: controller.signal,
          onText: (piece) => reply({ id: request.id, type: 'text', piece }),
        });
        reply({ id: request.id, type: 'generate', result, provider: e.model.provider });
        break;
      }
    }
  } catch (error) {
    const e = error as Error;
    reply({ id: request.id, type: 'error', name: e.name, message: e.message });
  } finally {
    running.delete(request.id);
  }
}

process.on('message', (message: InferenceRequest) => {
  if (message.type === 'cancel') {
    const target = running.get(message.target);
    if (target) target.abort();
    else if (queued.has(message.target)) cancelledEarly.add(message.target);
    return;
  }
  queued.add(message.id);
  queue = queue.then(() => handle(message));
});
process.on('disconnect', () => process.exit(0));
