// `ropewalk context`: the packed prompt at a cursor and each proposal that went into it.

import { PromptBuilder } from '../completion/prompt-builder';
import { FileTexts } from '../context/file-texts';
import type { ContextStrategy } from '../context/proposals';
import type { ChunkOrder } from '../packing/pack';
import type { Command, CommandSpec } from './args';
import {
  budgetOption,
  CURSOR_OPTIONS,
  INDEX_OPTIONS,
  JSON_OPTION,
  MODEL_DIR_OPTION,
  strategyOption,
} from './common-options';
import { tokenizerOf } from './model-options';
import { buildIndex, cursorFrom } from './repo-options';

const ORDERS: readonly ChunkOrder[] = ['stable', 'rank', 'both-ends'];

const spec: CommandSpec = {
  name: 'context',
  summary: "the packed prompt at a cursor, with each proposal's type, source, score and tokens",
  positionals: { min: 0, max: 0 },
  about: `Prints the prompt packed at a cursor, then each chunk's type, source, score and tokens. The
current directory is the repository root; the model is only read for its tokenizer.`,
  options: [
    ...CURSOR_OPTIONS,
    budgetOption(4096),
    strategyOption(),
    {
      name: 'order',
      kind: 'string',
      value: 'O',
      choices: ORDERS,
      default: 'stable',
      description: 'the order of the chunks in the prompt',
    },
    { ...MODEL_DIR_OPTION, description: 'model folder whose tokenizer counts the tokens' },
    ...INDEX_OPTIONS,
    JSON_OPTION,
  ],
};

export const contextCommand: Command = {
  spec,
  async run(args) {
    const cursor = cursorFrom(args);
    const strategy = args.string('strategy') as ContextStrategy;
    const order = args.string('order') as ChunkOrder;
    const { index } = await buildIndex(cursor.root, args);
    const tok = tokenizerOf(args);
    const builder = new PromptBuilder(index, tok, new FileTexts(cursor.root).get);
    const t0 = performance.now();
    const { packed, proposals } = builder.build({
      ...cursor,
      budget: args.int('budget'),
      strategy,
      order,
    });
    const ms = performance.now() - t0;
    const rows = packed.chunks.map((c) => ({
      type: c.type,
      source: c.source,
      score: Number(c.score.toFixed(4)),
      tokens: c.tokens,
    }));
    if (args.flag('json')) {
      console.log(
        JSON.stringify({
          prompt: tok.decode(packed.segments.flat()),
          tokens: packed.tokens,
          format: builder.template.family,
          ms,
          proposals: rows,
        }),
      );
    } else {
      process.stdout.write(tok.decode(packed.segments.flat()) + '\n\n');
      console.log(
        `${packed.tokens} tokens, ${rows.length} chunks of ${proposals.length} proposals, ${ms.toFixed(1)} ms; ${builder.template.summary}`,
      );
      for (const r of rows)
        console.log(
          `  ${r.type.padEnd(17)} ${String(r.tokens).padStart(5)} tok  score ${r.score}  ${r.source}`,
        );
    }
    return 0;
  },
};
