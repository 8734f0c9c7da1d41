// The remote backends by kind.

import { LlamaServerBackend } from './llama-server';
import { OllamaBackend } from './ollama';
import { OpenAiCompatibleBackend } from './openai-compatible';
import type { RemoteBackend, RemoteBackendKind, RemoteBackendOptions } from './remote-backend';

export function remoteBackend(
  kind: RemoteBackendKind,
  endpoint: string,
  options: RemoteBackendOptions & { sendIds?: boolean } = {},
): RemoteBackend {
  switch (kind) {
    case 'llama-server':
      return new LlamaServerBackend(endpoint, options);
    case 'openai-compatible':
      return new OpenAiCompatibleBackend(endpoint, options);
    case 'ollama':
      return new OllamaBackend(endpoint, options);
  }
}

export * from './errors';
export * from './remote-backend';
