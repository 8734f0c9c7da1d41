// Entry of the inference child process: onnxruntime's synchronous runs happen here, never on the
// extension host's thread. Requests are served one at a time, in arrival order.

import { checkModel } from './model-check';
import type { InferenceRequest, InferenceResponse } from './inference-protocol';

let queue: Promise<void> = Promise.resolve();

function reply(message: InferenceResponse): void {
  process.send?.(message);
}

async function handle(request: InferenceRequest): Promise<void> {
  try {
    switch (request.type) {
      case 'check':
        reply({ id: request.id, type: 'check', report: await checkModel(request.modelDir) });
        break;
    }
  } catch (error) {
    const e = error as Error;
    reply({ id: request.id, type: 'error', name: e.name, message: e.message });
  }
}

process.on('message', (message: InferenceRequest) => {
  queue = queue.then(() => handle(message));
});
process.on('disconnect', () => process.exit(0));
