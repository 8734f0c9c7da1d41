// --backend, --endpoint, --remote-model, --remote-family: a command's completions from an inference
// server instead of Ropewalk's engine. The API key comes from ROPEWALK_API_KEY (never an option, so it
// stays out of shell history and process lists).

import {
  REMOTE_FAMILIES,
  connectRemote,
  engineOf,
  type RemoteFamilySetting,
  type RemoteModel,
} from '../completion/remote-setup';
import type { RemoteEngine } from '../completion/remote-engine';
import { remoteBackend } from '../model/remote';
import { BACKENDS, type BackendKind, type RemoteBackend } from '../model/remote/remote-backend';
import { UsageError, type OptionSpec, type ParsedArgs } from './args';
import { tokenizerOf } from './model-options';

export const API_KEY_ENV = 'ROPEWALK_API_KEY';

export const REMOTE_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'backend',
    kind: 'string',
    value: 'KIND',
    choices: BACKENDS,
    default: 'local',
    description: `local (Ropewalk's engine) or an inference server's API; its API key from $${API_KEY_ENV}`,
  },
  {
    name: 'endpoint',
    kind: 'string',
    value: 'URL',
    description: 'the server, e.g. http://127.0.0.1:8080 (required with a remote --backend)',
  },
  {
    name: 'remote-model',
    kind: 'string',
    value: 'NAME',
    description: "the model to ask the server for (ollama's tag; vLLM's served name)",
  },
  {
    name: 'remote-family',
    kind: 'string',
    value: 'F',
    default: 'auto',
    // Listed here rather than as choices: joined by '|' they make one word longer than a usage line.
    description: `the prompt format when the server cannot say: auto (from the server's markers), ${REMOTE_FAMILIES.filter((f) => f !== 'auto').join(', ')}`,
  },
  {
    name: 'timeout-ms',
    kind: 'int',
    min: 100,
    default: 30_000,
    description: 'longest wait for the server (its reply, or the next piece of a stream)',
  },
];

export interface RemoteSession {
  backend: RemoteBackend;
  model: RemoteModel;
  engine: RemoteEngine;
}

export function backendOf(args: ParsedArgs): BackendKind {
  return args.string('backend') as BackendKind;
}

/**
 * The server the options name, asked about its model; --model, when given, is the same model's local
 * tokenizer (exact token counts, ids sent). Undefined for --backend local.
 */
export async function connectFromArgs(args: ParsedArgs): Promise<RemoteSession | undefined> {
  const kind = backendOf(args);
  if (kind === 'local') return undefined;
  const endpoint = args.optionalString('endpoint');
  if (!endpoint) throw new UsageError(`--backend ${kind} needs --endpoint URL`);
  let backend: RemoteBackend;
  try {
    backend = remoteBackend(kind, endpoint, {
      model: args.optionalString('remote-model'),
      apiKey: process.env[API_KEY_ENV] || undefined,
      timeoutMs: args.int('timeout-ms'),
      sendIds: args.has('model'),
    });
  } catch (error) {
    throw new UsageError(`--endpoint ${endpoint}: ${(error as Error).message}`);
  }
  const family = args.string('remote-family');
  if (!(REMOTE_FAMILIES as readonly string[]).includes(family))
    throw new UsageError(`--remote-family ${family}: one of ${REMOTE_FAMILIES.join(', ')}`);
  const model = await connectRemote(backend, {
    family: family as RemoteFamilySetting,
    localTokenizer: args.has('model') ? tokenizerOf(args) : undefined,
  });
  process.stderr.write(`ropewalk ${args.command}: ${model.summary}\n`);
  return { backend, model, engine: engineOf(backend, model) };
}
