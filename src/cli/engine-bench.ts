// `ropewalk engine-bench`: prefill (cold and with a reused cache) and decoding speed at several context sizes.

import { loadTokenizer } from '../model/tokenizers/load-tokenizer';
import { readFileSync } from 'node:fs';
import { engineBench, formatEngineBench } from '../bench/engine-bench';
import { UsageError, type Command, type CommandSpec } from './args';
import { JSON_OPTION, MODEL_OPTIONS } from './common-options';
import { loadModel } from './model-options';
import { formatPlacement } from '../model/node-placement';

const spec: CommandSpec = {
  name: 'engine-bench',
  summary: 'prefill, KV-cache reuse and decoding speed at several context sizes',
  positionals: { min: 0, max: 0 },
  about: `Cold and warm prefill (warm: the cache reused after an edit of the last tokens), decoding at
depth and at zero, and the memory-bandwidth bound, for each context size.`,
  options: [
    ...MODEL_OPTIONS,
    {
      name: 'context',
      kind: 'list',
      item: 'int',
      min: 16,
      value: 'N,N,…',
      default: [2048, 8192, 16384],
      description: 'context sizes in tokens',
    },
    {
      name: 'edit-tokens',
      kind: 'int',
      min: 1,
      default: 64,
      description: 'tokens edited before the warm prefill (below the smallest context)',
    },
    { name: 'chunk', kind: 'int', min: 1, default: 512, description: 'prefill chunk in tokens' },
    { ...JSON_OPTION, description: 'print one JSON object per context size' },
  ],
};

export const engineBenchCommand: Command = {
  spec,
  async run(args) {
    const contexts = args.numbers('context');
    const editTokens = args.int('edit-tokens');
    if (editTokens >= Math.min(...contexts))
      throw new UsageError(
        `--edit-tokens must be below the smallest context (${Math.min(...contexts)})`,
      );
    // Where the nodes ran: a GPU session's CPU fallback is part of what the figures measure.
    const model = await loadModel(args, Math.max(...contexts), { placement: true });
    try {
      const tok = loadTokenizer(model.files.tokenizer);
      // Real code as the prompt: this program's own bundled source.
      const source = tok.encode(readFileSync(__filename, 'utf8'));
      const json = args.flag('json');
      const rows = await engineBench(
        model,
        { contexts, editTokens, source, prefillChunk: args.int('chunk') },
        (row) => {
          if (json) console.log(JSON.stringify(row));
        },
      );
      if (!json) {
        if (model.placement)
          console.log(`nodes: ${formatPlacement(model.placement, model.provider)}`);
        console.log(formatEngineBench(rows));
      }
    } finally {
      await model.dispose();
    }
    return 0;
  },
};
