// `ropewalk complete`: the completion at a position, with repository context, as the editor would get it.

import { healCursor, unheal } from '../completion/token-healing';
import { PromptBuilder } from '../completion/prompt-builder';
import { FileTexts } from '../context/file-texts';
import type { ContextStrategy } from '../context/proposals';
import { RepoIndex } from '../context/repo-index';
import { defaultGrammarsDir, SyntaxLoader } from '../context/syntax';
import { Generator } from '../model/generate';
import { readLongRopeFactors } from '../model/rope';
import { TextTokenizer } from '../model/tokenizer';
import type { Command, CommandSpec } from './args';
import { budgetOption, CURSOR_OPTIONS, INDEX_OPTIONS, JSON_OPTION, MODEL_OPTIONS, ROPE_FACTORS_OPTION, strategyOption } from './common-options';
import { loadModel, ropeFactorsPath } from './model-options';
import { buildIndex, cursorFrom } from './repo-options';
import { ropeSpecOf } from './rope-option';

const spec: CommandSpec = {
  name: 'complete',
  summary: 'complete the code at a position, with repository context',
  positionals: { min: 0, max: 0 },
  about: `Completes the code at a position (lines and columns from 1) with repository context and prints
the completion. The current directory is the repository root; --strategy infile uses the file alone.`,
  options: [
    ...CURSOR_OPTIONS,
    ...MODEL_OPTIONS,
    { name: 'rope', kind: 'string', value: 'METHOD[:FACTOR]', default: 'none', description: 'how positions past the training length are scaled, e.g. yarn:4' },
    ROPE_FACTORS_OPTION,
    { name: 'max-tokens', kind: 'int', min: 1, max: 4096, default: 64, description: 'most tokens generated' },
    budgetOption("the model's training length × the RoPE factor"),
    { name: 'temperature', kind: 'number', min: 0, default: 0, description: 'sampling temperature; 0 is greedy' },
    strategyOption(),
    ...INDEX_OPTIONS,
    JSON_OPTION,
    // The integrator wires this to the model's text before post-processing; for now it prints the same.
    { name: 'raw', kind: 'flag', description: "print the model's raw text, before post-processing" },
  ],
};

export const completeCommand: Command = {
  spec,
  async run(args) {
    const cursor = cursorFrom(args);
    const strategy = args.string('strategy') as ContextStrategy;
    const { method, factor } = ropeSpecOf('--rope', args.string('rope'));
    const factorsFile = ropeFactorsPath(args);
    const model = await loadModel(args);
    try {
      const tok = TextTokenizer.load(model.files.tokenizer);
      const budget = args.has('budget') ? args.int('budget') : Math.floor(model.card.trainLength * factor);
      // In-file context needs no index; the other strategies index the current directory first.
      const index = strategy === 'infile' ? RepoIndex.empty(cursor.root, new SyntaxLoader(defaultGrammarsDir())) : (await buildIndex(cursor.root, args)).index;
      const builder = new PromptBuilder(index, tok, new FileTexts(cursor.root).get);
      const heal = healCursor(cursor.text, cursor.offset);
      const { packed } = builder.build({ ...cursor, text: heal.text, offset: heal.offset, budget, strategy });
      const generator = new Generator(model, tok);
      const ropeOptions = { factor, ...(factorsFile ? readLongRopeFactors(factorsFile) : {}) };
      const result = await generator.generate(packed.segments, { method, options: ropeOptions }, {
        maxTokens: args.int('max-tokens'), temperature: args.number('temperature'),
        stop: ['\n\n\n'], stopTokens: [tok.special['<|file_sep|>'], tok.special['<|fim_prefix|>']], startsWith: heal.healed,
      });
      result.text = unheal(result.text, heal.healed);
      if (args.flag('json')) {
        console.log(JSON.stringify({ completion: result.text, ...result, text: undefined, context: packed.chunks.map((c) => ({ type: c.type, source: c.source, tokens: c.tokens })) }));
      } else process.stdout.write(result.text + '\n');
    } finally {
      await model.dispose();
    }
    return 0;
  },
};
