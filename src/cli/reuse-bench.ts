// `ropewalk reuse-bench`: does decoding on a cache whose chunks moved agree with decoding from scratch.

import { loadTokenizer } from '../model/tokenizers/load-tokenizer';
import { buildReusePrompts, reuseAgreement } from '../bench/reuse-agreement';
import { walkRepository } from '../context/repo-walk';
import type { Command, CommandSpec } from './args';
import { JSON_OPTION, MODEL_OPTIONS } from './common-options';
import { loadModel } from './model-options';
import { InputError, requireFolder } from './paths';

const spec: CommandSpec = {
  name: 'reuse-bench',
  summary: 'top-1 agreement of decoding on a cache whose chunks moved vs cold',
  operands: 'REPO',
  positionals: { min: 1, max: 1 },
  about: `Builds prompts of five chunks from the sources in REPO, drops one so the others move, and
compares decoding on the moved cache with decoding from scratch: top-1 agreement and prefill time.`,
  options: [
    ...MODEL_OPTIONS,
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
    JSON_OPTION,
  ],
};

export const reuseBenchCommand: Command = {
  spec,
  async run(args) {
    const given = args.positional[0] as string;
    const root = requireFolder(given);
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
