// `ropewalk reuse-bench`: does decoding on a cache whose chunks moved agree with decoding from scratch;
// with --typing, what each fill-in-the-middle order leaves to compute per keystroke.

import { loadTokenizer } from '../model/tokenizers/load-tokenizer';
import { buildReusePrompts, reuseAgreement } from '../bench/reuse-agreement';
import { typingReuse, type Prefill } from '../bench/typing-reuse';
import type { PromptTokenizer } from '../model/tokenizers/load-tokenizer';
import { connectFromArgs, REMOTE_OPTIONS } from './remote-options';
import { PromptBuilder } from '../completion/prompt-builder';
import { FileTexts } from '../context/file-texts';
import type { ContextStrategy } from '../context/proposals';
import { walkRepository } from '../context/repo-walk';
import { Generator } from '../model/generate';
import type { OnnxModel } from '../model/onnx-backend';
import { templateOf, type FimOrder } from '../packing/templates';
import { UsageError, type Command, type CommandSpec, type ParsedArgs } from './args';
import {
  budgetOption,
  INDEX_OPTIONS,
  JSON_OPTION,
  MODEL_OPTIONS,
  SEED_OPTION,
  strategyOption,
} from './common-options';
import { loadModel } from './model-options';
import { InputError, requireFolder } from './paths';
import { buildIndex } from './repo-options';

const spec: CommandSpec = {
  name: 'reuse-bench',
  summary:
    'top-1 agreement of decoding on a cache whose chunks moved vs cold; --typing: PSM vs SPM',
  operands: 'REPO',
  positionals: { min: 1, max: 1 },
  about: `Builds prompts of five chunks from the sources in REPO, drops one so the others move, and
compares decoding on the moved cache with decoding from scratch: top-1 agreement and prefill time.
--typing: at seeded cursors in REPO, types a line again key by key with the prompt in each order the
model's family was trained on (PSM and SPM for Ropewalk's models), and prints the tokens each
keystroke leaves to compute and the model's prefill time. With --backend and --endpoint (--typing
only) the prompts go to an inference server, and its own figures (llama-server's timings, OpenAI-style
usage.prompt_tokens_details.cached_tokens) say what its prefix cache served.`,
  options: [
    ...MODEL_OPTIONS,
    ...REMOTE_OPTIONS,
    { name: 'prompts', kind: 'int', min: 1, default: 40, description: 'prompts built' },
    { name: 'chunk-tokens', kind: 'int', min: 1, default: 192, description: 'tokens per chunk' },
    {
      name: 'edit-last',
      kind: 'int',
      min: 0,
      default: 0,
      description: 'tokens edited at the end of the last chunk',
    },
    {
      name: 'compare-tokens',
      kind: 'int',
      min: 1,
      default: 8,
      description: 'greedy tokens compared per prompt',
    },
    { name: 'typing', kind: 'flag', description: 'PSM vs SPM: tokens recomputed per keystroke' },
    {
      name: 'cursors',
      kind: 'int',
      min: 1,
      default: 6,
      description: 'cursors typed at (--typing)',
    },
    {
      name: 'keystrokes',
      kind: 'int',
      min: 1,
      default: 16,
      description: 'keys typed at each cursor (--typing)',
    },
    budgetOption(2048),
    strategyOption(),
    SEED_OPTION,
    ...INDEX_OPTIONS,
    JSON_OPTION,
  ],
};

/** What runs the typed prompts: the local model, or a server. */
interface TypingRunner {
  name: string;
  tok: PromptTokenizer;
  prefill: Prefill;
}

function localRunner(model: OnnxModel): TypingRunner {
  const tok = loadTokenizer(model.files.tokenizer);
  const generator = new Generator(model, tok);
  return {
    name: model.card.name,
    tok,
    prefill: async (segments, session) => {
      const r = await generator.generate(segments, { method: 'none' }, { maxTokens: 1, session });
      return { prefillMs: r.prefillMs, reusedTokens: r.reusedTokens };
    },
  };
}

async function typing(args: ParsedArgs, root: string, runner: TypingRunner): Promise<void> {
  const { tok } = runner;
  const { index } = await buildIndex(root, args);
  if (index.files.size === 0)
    throw new InputError(`no source file under ${args.positional[0] as string} was indexed`);
  const texts = new FileTexts(root);
  const orders: readonly FimOrder[] = templateOf(tok).orders;
  const builders = new Map(
    orders.map((o) => [o, new PromptBuilder(index, tok, texts.get, { order: o })] as const),
  );
  const rows = await typingReuse(
    index,
    builders,
    texts.get,
    {
      cursors: args.int('cursors'),
      keystrokes: args.int('keystrokes'),
      budget: args.int('budget'),
      strategy: args.string('strategy') as ContextStrategy,
      seed: args.int('seed'),
    },
    runner.prefill,
  );
  if (args.flag('json')) {
    console.log(JSON.stringify({ model: runner.name, rows }));
    return;
  }
  const scaled = (x: { mean: number; p50: number; p95: number }) => ({
    mean: 100 * x.mean,
    p50: 100 * x.p50,
    p95: 100 * x.p95,
  });
  const f = (x: { mean: number; p50: number; p95: number }, digits = 0) =>
    `${x.mean.toFixed(digits)} (p50 ${x.p50.toFixed(digits)}, p95 ${x.p95.toFixed(digits)})`;
  console.log(
    `${runner.name}, ${args.string('strategy')} context, budget ${args.int('budget')}: per keystroke, mean (p50, p95)`,
  );
  for (const r of rows) {
    console.log(
      `${r.order.toUpperCase()}: ${r.keystrokes} keystrokes, prompts of ${r.promptTokens.toFixed(0)} tokens; ` +
        `tokens after the common prefix ${f(r.recomputed)}; computed by the model ${f(r.engineComputed!)}, ` +
        `its cache served ${f(scaled(r.engineReused!), 1)}% of the prompt; ` +
        `prefill ${f(r.prefillMs!, 1)} ms`,
    );
  }
}

export const reuseBenchCommand: Command = {
  spec,
  async run(args) {
    const given = args.positional[0] as string;
    const root = requireFolder(given);
    if (args.string('backend') !== 'local' && !args.flag('typing'))
      throw new UsageError('--backend: only with --typing (a server cannot move cached chunks)');
    if (args.flag('typing')) {
      const remote = await connectFromArgs(args);
      if (remote) {
        const { engine, backend } = remote;
        await typing(args, root, {
          name: `${backend.kind} at ${backend.endpoint} (${engine.setup.template.label}, ${remote.model.exactIds ? 'ids' : 'text'})`,
          tok: remote.model.tok,
          prefill: async (segments, session) => {
            const r = await engine.generate(
              segments,
              { method: 'none', options: {} },
              { maxTokens: 1, session },
              {},
            );
            return {
              prefillMs: r.prefillMs,
              reusedTokens: r.reusedTokens,
              promptTokens: r.promptTokens,
            };
          },
        });
        return 0;
      }
      const model = await loadModel(args);
      try {
        await typing(args, root, localRunner(model));
      } finally {
        await model.dispose();
      }
      return 0;
    }
    const files = walkRepository(root, {
      extensions: ['.py', '.ts', '.js', '.tsx', '.jsx', '.mjs'],
      maxFiles: 10_000,
      keepText: true,
    }).files.map((f) => ({ path: f.path, text: f.text as string }));
    const model = await loadModel(args);
    try {
      const tok = loadTokenizer(model.files.tokenizer);
      const prompts = buildReusePrompts(tok, files, args.int('prompts'), args.int('chunk-tokens'));
      if (prompts.length === 0)
        throw new InputError(`not enough source files under ${given} to build prompts`);
      const editLast = args.int('edit-last');
      const row = await reuseAgreement(model, tok, prompts, args.int('compare-tokens'), editLast);
      if (args.flag('json')) console.log(JSON.stringify(row));
      else {
        console.log(
          `${row.prompts} prompts of 5 chunks (${row.chunkTokens.toFixed(0)} tokens each on average), one dropped${editLast ? `, the last one's last ${editLast} tokens edited` : ''}; ${row.movedTokensMean.toFixed(0)} tokens moved on average`,
        );
        console.log(
          `top-1 next token, moved cache vs cold: ${(100 * row.top1Agreement).toFixed(1)}% agree`,
        );
        console.log(
          `greedy tokens agreeing before the first divergence: ${(100 * row.tokenAgreement).toFixed(1)}% of ${row.tokensCompared} per prompt`,
        );
        console.log(
          `prefill: ${row.warmPrefillMsMean.toFixed(1)} ms with the moved cache vs ${row.coldPrefillMsMean.toFixed(1)} ms cold`,
        );
      }
    } finally {
      await model.dispose();
    }
    return 0;
  },
};
