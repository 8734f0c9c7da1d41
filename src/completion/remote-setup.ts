// Connecting to a remote backend: what the server says of its model (markers that are single tokens,
// its context), or the user's ropewalk.remoteFamily, chooses the family's template; a local tokenizer
// of the same model counts the budget exactly (and lets ids be sent), else an EstimatedTokenizer
// counts it with a margin. The settings of its completions follow from that.

import type { RemoteBackend, RemoteServerFacts } from '../model/remote/remote-backend';
import { EstimatedTokenizer } from '../model/tokenizers/estimated-tokenizer';
import type { PromptTokenizer } from '../model/tokenizers/load-tokenizer';
import {
  PROMPT_TEMPLATES,
  templateFor,
  type BoundTemplate,
  type PromptTemplate,
  type TemplateFamily,
  type TemplateVocab,
} from '../packing/templates';
import type { ContextStrategy } from '../context/proposals';
import type { CompletionSettings } from './complete-once';
import { DEFAULT_MAX_TOKENS, DEFAULT_STRATEGY } from './defaults';
import { remoteEngine, type RemoteEngine } from './remote-engine';

/** Families a user may name in ropewalk.remoteFamily / --remote-family (those with marker texts). */
export const REMOTE_FAMILIES = [
  'auto',
  'qwen2.5-coder',
  'starcoder2',
  'codegemma',
  'deepseek-coder',
  'codellama',
  'ropewalk',
  'prefix-only',
] as const satisfies readonly (TemplateFamily | 'auto')[];
export type RemoteFamilySetting = (typeof REMOTE_FAMILIES)[number];

/** Prompt tokens when the server does not say its context (llama-server's and ollama's usual default). */
export const REMOTE_DEFAULT_CONTEXT = 4096;

/**
 * The marker texts a template looks up, found by asking it: a vocabulary that has every text it is
 * asked for, then again without those (alternate spellings, such as Code Llama's `<PRE>`).
 */
export function templateMarkerTexts(t: PromptTemplate): string[] {
  const seen = new Set<string>();
  for (let pass = 0; pass < 3; pass++) {
    const asked = new Set<string>();
    const refuse = new Set(seen);
    let next = 1000;
    const ids = new Map<string, number>();
    const v: TemplateVocab = {
      facts: { model: 'probe', pre: t.family === 'ropewalk' ? 'ropewalk' : undefined },
      encode: () => [],
      encodeContinuation: () => [],
      tokenId: (text) => {
        asked.add(text);
        if (refuse.has(text)) return undefined;
        let id = ids.get(text);
        if (id === undefined) ids.set(text, (id = next++));
        return id;
      },
    };
    if (t.matches(v)) {
      for (const o of t.orders) {
        const layout = t.bind(v, o);
        layout.head('repo');
        layout.chunk('a', 'b');
        layout.file('a', true);
      }
    }
    const before = seen.size;
    for (const a of asked) seen.add(a);
    if (seen.size === before) break;
  }
  return [...seen];
}

/** Every marker text of every family: what a server is asked about. */
export function allMarkerTexts(): string[] {
  return [...new Set(PROMPT_TEMPLATES.flatMap((t) => templateMarkerTexts(t)))];
}

export interface RemoteModel {
  tok: PromptTokenizer;
  exactIds: boolean;
  template: BoundTemplate;
  facts: RemoteServerFacts;
  /** How the family was chosen, for the log: `server`, `setting`, `local tokenizer`, `none`. */
  familyFrom: 'server' | 'setting' | 'local tokenizer' | 'none';
  /** One line for the log. */
  summary: string;
}

/**
 * Asks the server about its model and settles the tokenizer and template: a local tokenizer of the same
 * model first, then the server's markers, then the family setting, else prefix-only (said in `summary`).
 */
export async function connectRemote(
  backend: RemoteBackend,
  options: { family?: RemoteFamilySetting; localTokenizer?: PromptTokenizer; signal?: AbortSignal },
): Promise<RemoteModel> {
  const facts = await backend.probe(allMarkerTexts(), options.signal);
  const where = `${backend.kind} at ${backend.endpoint}${facts.model ? ` (${facts.model})` : ''}`;
  if (options.localTokenizer) {
    const template = templateFor(options.localTokenizer);
    return {
      tok: options.localTokenizer,
      exactIds: true,
      template,
      facts,
      familyFrom: 'local tokenizer',
      summary: `${where}: ${template.summary}; tokens counted by the local tokenizer`,
    };
  }
  const family = options.family ?? 'auto';
  let tok: EstimatedTokenizer;
  let familyFrom: RemoteModel['familyFrom'];
  if (family === 'auto' && facts.singleTokens) {
    tok = new EstimatedTokenizer(facts.singleTokens);
    familyFrom = 'server';
  } else if (family !== 'auto') {
    const t = PROMPT_TEMPLATES.find((x) => x.family === family);
    tok = new EstimatedTokenizer(t ? templateMarkerTexts(t) : [], family === 'ropewalk');
    familyFrom = 'setting';
  } else {
    tok = new EstimatedTokenizer([]);
    familyFrom = 'none';
  }
  const template = templateFor(tok);
  const why =
    familyFrom === 'none'
      ? ' (the server does not say which markers its model has: set ropewalk.remoteFamily / --remote-family)'
      : familyFrom === 'setting'
        ? ' (from the family setting)'
        : ' (from the markers the server tokenizes as single tokens)';
  return {
    tok,
    exactIds: false,
    template,
    facts,
    familyFrom,
    summary: `${where}: ${template.summary}${why}; tokens estimated (word pieces of ≤ 4 letters, digits and punctuation marks count one each: more than a code model's tokenizer makes)`,
  };
}

/** The settings of remote completions: the budget within the server's context, no RoPE, no healing. */
export function remoteSettings(
  model: RemoteModel,
  input: { budget?: number; strategy?: ContextStrategy; maxTokens?: number },
): CompletionSettings {
  const maxTokens = input.maxTokens ?? DEFAULT_MAX_TOKENS;
  const context = model.facts.contextTokens ?? REMOTE_DEFAULT_CONTEXT;
  // Room for the answer and a few tokens of the server's own (BOS, /infill's `filename` header).
  const room = Math.max(256, context - maxTokens - 16);
  return {
    budget: Math.min(input.budget || room, room),
    strategy: input.strategy ?? DEFAULT_STRATEGY,
    rope: { method: 'none', options: {}, source: 'server' },
    maxTokens,
    stopTokens: [...model.template.stopTokens],
    heal: false,
  };
}

export function engineOf(backend: RemoteBackend, model: RemoteModel): RemoteEngine {
  return remoteEngine({
    backend,
    tok: model.tok,
    exactIds: model.exactIds,
    template: model.template,
  });
}

/** A setting's value in each scope, as VS Code's `inspect` gives it. */
export interface ScopedValues<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/**
 * The value a remote backend setting takes: the most specific scope, but in an untrusted workspace
 * only the user's own (a cloned repository must not send its code to a server it names).
 */
export function trustedValue<T>(v: ScopedValues<T> | undefined, trusted: boolean): T | undefined {
  if (!v) return undefined;
  if (trusted) return v.workspaceFolderValue ?? v.workspaceValue ?? v.globalValue ?? v.defaultValue;
  return v.globalValue ?? v.defaultValue;
}
