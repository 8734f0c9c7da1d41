// Entry of the inference child process: onnxruntime's runs block the thread they run on, so they happen
// here, never on the extension host's thread. Requests are served one at a time, in arrival order;
// a cancel message takes effect between two decoding steps. One model is held at a time.

import { loadTokenizer } from './tokenizers/load-tokenizer';
import { UnknownModelHandleError } from './errors';
import { Generator } from './generate';
import type {
  InferenceRequest,
  InferenceResponse,
  ModelHandle,
  OpenedModel,
} from './inference-protocol';
import type { KvTypeSetting } from './kv-type';
import { checkLoadedModel } from './model-check';
import { OnnxModel } from './onnx-backend';
import type { ProviderSetting } from './providers';

type Work = Exclude<InferenceRequest, { type: 'cancel' }>;

let queue: Promise<void> = Promise.resolve();
const queued = new Set<number>();
const running = new Map<number, AbortController>();
const cancelledEarly = new Set<number>();
let opened: { handle: ModelHandle; model: OnnxModel; generator: Generator } | undefined;
let nextHandle: ModelHandle = 1;

function reply(message: InferenceResponse): void {
  process.send?.(message);
}

async function closeOpened(): Promise<void> {
  const current = opened;
  opened = undefined;
  await current?.model.dispose();
}

/** Loads the folder once and checks that same session; it is kept only when the golden cases pass. */
async function open(
  modelDir: string,
  provider: ProviderSetting,
  contextTokens?: number,
  kvType?: KvTypeSetting,
): Promise<OpenedModel> {
  await closeOpened();
  const t0 = performance.now();
  const model = await OnnxModel.load(modelDir, {
    provider,
    contextTokens,
    kvType,
    log: (l) => process.stderr.write(l + '\n'),
  });
  const loadMs = performance.now() - t0;
  let report;
  try {
    report = await checkLoadedModel(model, loadMs);
  } catch (error) {
    await model.dispose();
    throw error;
  }
  const result = { report, files: model.files, provider: model.provider };
  if (!report.ok) {
    await model.dispose();
    return result;
  }
  const handle = nextHandle++;
  opened = { handle, model, generator: new Generator(model, loadTokenizer(model.files.tokenizer)) };
  return { ...result, handle };
}

function openedAs(handle: ModelHandle) {
  if (opened?.handle !== handle) throw new UnknownModelHandleError(handle);
  return opened;
}

async function handle(request: Work): Promise<void> {
  queued.delete(request.id);
  const controller = new AbortController();
  running.set(request.id, controller);
  if (cancelledEarly.delete(request.id)) controller.abort();
  try {
    switch (request.type) {
      case 'open':
        reply({
          id: request.id,
          type: 'open',
          opened: await open(
            request.modelDir,
            request.provider,
            request.contextTokens,
            request.kvType,
          ),
        });
        break;
      case 'generate': {
        const e = openedAs(request.handle);
        const result = await e.generator.generate(request.prompt, request.rope, {
          ...request.options,
          signal: controller.signal,
          onText: (piece) => reply({ id: request.id, type: 'text', piece }),
        });
        reply({ id: request.id, type: 'generate', result, provider: e.model.provider });
        break;
      }
      case 'close':
        openedAs(request.handle);
        await closeOpened();
        reply({ id: request.id, type: 'close' });
        break;
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
