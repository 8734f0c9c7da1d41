// `ropewalk complete`: the completion at a position, exactly as the editor would show it (the same
// completeOnce, settings and defaults); --raw prints the model's own text instead.

import { loadTokenizer } from '../model/tokenizers/load-tokenizer';
import { AutoRopeStore } from '../bench/auto-rope';
import { completeOnce, type CompletionResult } from '../completion/complete-once';
import { completionSettings, DEFAULT_MAX_TOKENS, DEFAULT_STRATEGY } from '../completion/defaults';
import { localEngine } from '../completion/local-engine';
import { PromptBuilder } from '../completion/prompt-builder';
import type { CompletionSettings } from '../completion/complete-once';
import { FileTexts } from '../context/file-texts';
import { languageForPath } from '../context/languages';
import type { ContextStrategy } from '../context/proposals';
import { RepoIndex } from '../context/repo-index';
import { defaultGrammarsDir, SyntaxLoader } from '../context/syntax';
import { Generator } from '../model/generate';
import { readLongRopeFactors } from '../model/rope';
import { UsageError, type Command, type CommandSpec } from './args';
import {
  budgetOption,
  CURSOR_OPTIONS,
  INDEX_OPTIONS,
  JSON_OPTION,
  MODEL_OPTIONS,
  ROPE_FACTORS_OPTION,
  strategyOption,
} from './common-options';
import { loadModel, ropeFactorsPath } from './model-options';
import { connectFromArgs, REMOTE_OPTIONS } from './remote-options';
import { buildIndex, cursorFrom } from './repo-options';
import { ropeSpecOf } from './rope-option';
import { remoteSettings } from '../completion/remote-setup';
import type { CompletionEngine } from '../completion/complete-once';
import type { PromptTokenizer } from '../model/tokenizers/load-tokenizer';

const spec: CommandSpec = {
  name: 'complete',
  summary: 'complete the code at a position, as the editor would show it',
  positionals: { min: 0, max: 0 },
  about: `Completes the code at a position (lines and columns from 1) with repository context and prints
what the editor would show there: the same prompt, RoPE choice, healing and post-processing. The current
directory is the repository root; --strategy infile uses the file alone. With --backend and --endpoint
an inference server completes the same prompt (--model then names the same model's local tokenizer).`,
  options: [
    ...CURSOR_OPTIONS,
    ...MODEL_OPTIONS,
    ...REMOTE_OPTIONS,
    {
      name: 'rope',
      kind: 'string',
      value: 'METHOD[:FACTOR]',
      default: 'auto',
      description:
        "how positions past the training length are scaled, e.g. yarn or yarn:4; auto: the benchmark's best, else the model's own scaling, else YaRN beyond the training length",
    },
    ROPE_FACTORS_OPTION,
    {
      name: 'auto-dir',
      kind: 'string',
      value: 'DIR',
      defaultText: '~/.cache/ropewalk/auto',
      description: "where the benchmark's choices for auto are read",
    },
    {
      name: 'max-tokens',
      kind: 'int',
      min: 1,
      max: 4096,
      default: DEFAULT_MAX_TOKENS,
      description: 'most tokens of a multi-line suggestion',
    },
    budgetOption('4096 on the CPU, 16384 on a GPU'),
    strategyOption(DEFAULT_STRATEGY),
    ...INDEX_OPTIONS,
    JSON_OPTION,
    {
      name: 'raw',
      kind: 'flag',
      description:
        "print the model's own text (it begins with the healed part of the word before the cursor), not post-processed",
    },
  ],
};

export const completeCommand: Command = {
  spec,
  async run(args) {
    const cursor = cursorFrom(args);
    const language = languageForPath(cursor.path);
    if (!language) throw new UsageError(`--file ${cursor.path}: not a language Ropewalk completes`);
    const rope = args.string('rope');
    const pinned = rope === 'auto' ? undefined : ropeSpecOf('--rope', rope);
    const factorsFile = ropeFactorsPath(args);
    const remote = await connectFromArgs(args);
    const budget = args.has('budget') ? args.int('budget') : undefined;
    const strategy = args.string('strategy') as ContextStrategy;
    const maxTokens = args.int('max-tokens');
    const model = remote ? undefined : await loadModel(args, budget);
    try {
      let tok: PromptTokenizer;
      let settings: CompletionSettings;
      let engine: CompletionEngine;
      if (remote) {
        tok = remote.model.tok;
        settings = remoteSettings(remote.model, { budget, strategy, maxTokens });
        engine = remote.engine;
      } else {
        const local = model!;
        tok = loadTokenizer(local.files.tokenizer);
        const autoRope = new AutoRopeStore(
          args.has('auto-dir') ? args.string('auto-dir') : undefined,
          (l) => process.stderr.write(l + '\n'),
        );
        settings = completionSettings(
          { budget, strategy, rope: pinned?.method ?? 'auto', maxTokens },
          {
            provider: local.provider,
            card: local.card,
            tok,
            measuredBest: (b) => autoRope.bestFor(local.card.name, b)?.method,
          },
        );
        // METHOD:FACTOR pins the factor; LongRoPE's per-pair factors come from a file.
        if (rope.includes(':') && pinned) settings.rope.options.factor = pinned.factor;
        if (factorsFile) Object.assign(settings.rope.options, readLongRopeFactors(factorsFile));
        engine = localEngine(new Generator(local, tok), local.provider);
      }
      // In-file context needs no index; the other strategies index the current directory first.
      const loader = new SyntaxLoader(defaultGrammarsDir());
      const index =
        settings.strategy === 'infile'
          ? RepoIndex.empty(cursor.root, loader)
          : (await buildIndex(cursor.root, args)).index;
      const builder = new PromptBuilder(index, tok, new FileTexts(cursor.root).get);
      if (builder.template.notice) process.stderr.write(`ropewalk: ${builder.template.notice}\n`);
      const result = await completeOnce(
        { path: cursor.path, text: cursor.text, offset: cursor.offset, language: language.id },
        settings,
        { builder, engine, loader },
      );
      if (!result) return 130;
      if (args.flag('json'))
        console.log(
          JSON.stringify({
            ...completionJson(result, settings),
            ...(remote
              ? {
                  backend: remote.backend.kind,
                  endpoint: remote.backend.endpoint,
                  path: remote.engine.last?.reply.path,
                  sentAs: remote.engine.last?.sentAs,
                  cachedTokens: remote.engine.last?.reply.cachedTokens ?? null,
                  family: remote.model.template.family,
                }
              : {}),
          }),
        );
      else process.stdout.write((args.flag('raw') ? result.raw : (result.text ?? '')) + '\n');
    } finally {
      await model?.dispose();
    }
    return 0;
  },
};

function completionJson(result: CompletionResult, settings: CompletionSettings) {
  const g = result.generation;
  return {
    completion: result.text ?? null,
    raw: result.raw,
    shape: result.prepared.shape.mode,
    rope: settings.rope,
    budget: settings.budget,
    strategy: settings.strategy,
    stopReason: g.stopReason,
    promptTokens: g.promptTokens,
    tokens: g.tokens,
    prefillMs: g.prefillMs,
    decodeMs: g.decodeMs,
    context: result.prepared.built.packed.chunks.map((c) => ({
      type: c.type,
      source: c.source,
      tokens: c.tokens,
    })),
  };
}
