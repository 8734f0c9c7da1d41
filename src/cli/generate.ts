// `ropewalk generate` and `ropewalk score`: a model's raw behaviour on text the user gives — a greedy
// continuation with no template, and per-token log-probabilities by teacher forcing.

import { readFileSync } from 'node:fs';
import { chooseRope } from '../completion/rope-choice';
import { Generator } from '../model/generate';
import { planRope, ropeGeometry } from '../model/rope';
import { scoreSequence } from '../model/score';
import { loadTokenizer } from '../model/tokenizers/load-tokenizer';
import { UsageError, type Command, type CommandSpec, type ParsedArgs } from './args';
import { JSON_OPTION, MODEL_OPTIONS } from './common-options';
import { loadModel } from './model-options';
import { requireFile } from './paths';

const generateSpec: CommandSpec = {
  name: 'generate',
  summary: "a model's greedy continuation of a prompt, with no template",
  positionals: { min: 0, max: 0 },
  about: `Continues the prompt greedily as the model writes it: no repository context, no fill-in-the-middle
template, no post-processing. --json adds the prompt's and the continuation's token ids.`,
  options: [
    ...MODEL_OPTIONS,
    { name: 'prompt', kind: 'string', value: 'TEXT', description: 'the text to continue' },
    {
      name: 'prompt-file',
      kind: 'string',
      value: 'F',
      description: 'the text to continue, from a file',
    },
    {
      name: 'max-tokens',
      kind: 'int',
      min: 1,
      max: 4096,
      default: 64,
      description: 'most tokens generated',
    },
    JSON_OPTION,
  ],
};

function promptText(args: ParsedArgs): string {
  const inline = args.optionalString('prompt');
  const file = args.optionalString('prompt-file');
  if ((inline === undefined) === (file === undefined))
    throw new UsageError('give one of --prompt and --prompt-file');
  return inline ?? readFileSync(requireFile('--prompt-file', file as string), 'utf8');
}

export const generateCommand: Command = {
  spec: generateSpec,
  async run(args) {
    const text = promptText(args);
    const model = await loadModel(args);
    try {
      const tok = loadTokenizer(model.files.tokenizer);
      const ids = tok.encode(text);
      if (ids.length === 0) throw new UsageError('the prompt is empty');
      const maxTokens = args.int('max-tokens');
      // The same RoPE policy as completions, for the length this call reaches.
      const rope = chooseRope('auto', ids.length + maxTokens, model.card);
      const r = await new Generator(model, tok).generate(ids, rope, { maxTokens });
      if (args.flag('json'))
        console.log(
          JSON.stringify({
            text: r.text,
            ids: r.tokens,
            promptIds: ids,
            stopReason: r.stopReason,
            rope,
            prefillMs: r.prefillMs,
            decodeMs: r.decodeMs,
          }),
        );
      else process.stdout.write(r.text + '\n');
    } finally {
      await model.dispose();
    }
    return 0;
  },
};

const scoreSpec: CommandSpec = {
  name: 'score',
  summary: 'per-token log-probability and top-1 of a file under a model (teacher forcing)',
  positionals: { min: 0, max: 0 },
  about: `Scores every token of the file given all before it: mean negative log-likelihood (nats per token),
perplexity, and how often the file's token was the model's first choice. Compare models on your own code.
--json adds each token's id, log-probability and the model's top choice.`,
  options: [
    ...MODEL_OPTIONS,
    { name: 'file', kind: 'string', value: 'F', required: true, description: 'the text to score' },
    JSON_OPTION,
  ],
};

export const scoreCommand: Command = {
  spec: scoreSpec,
  async run(args) {
    const text = readFileSync(requireFile('--file', args.string('file')), 'utf8');
    const model = await loadModel(args);
    try {
      const tok = loadTokenizer(model.files.tokenizer);
      const ids = tok.encode(text);
      if (ids.length < 2) throw new UsageError('--file needs at least two tokens to score');
      const rope = chooseRope('auto', ids.length, model.card);
      const plan = planRope(rope.method, ropeGeometry(model.card.config), {
        ...rope.options,
        length: ids.length,
      });
      const s = await scoreSequence(model, ids, plan);
      if (!s) return 130;
      if (args.flag('json'))
        console.log(
          JSON.stringify({
            model: model.card.name,
            tokens: ids.length,
            rope,
            meanNll: s.meanNll,
            perplexity: Math.exp(s.meanNll),
            top1Rate: s.top1Rate,
            scores: s.tokens,
          }),
        );
      else
        console.log(
          `${model.card.name}: ${s.tokens.length} tokens scored, mean NLL ${s.meanNll.toFixed(3)} nats/token (perplexity ${Math.exp(s.meanNll).toFixed(2)}), top-1 ${(100 * s.top1Rate).toFixed(1)}% (RoPE ${rope.method} ×${Number(rope.options.factor ?? 1).toFixed(1)})`,
        );
    } finally {
      await model.dispose();
    }
    return 0;
  },
};
