// `ropewalk context-bench`: how fast repository context keeps up with typing, or whether prompts hold definitions.

import { contextBench, definitionRecall, type ContextBenchResult } from '../bench/context-bench';
import { PromptBuilder } from '../completion/prompt-builder';
import { FileTexts } from '../context/file-texts';
import type { ContextStrategy } from '../context/proposals';
import type { Command, CommandSpec, ParsedArgs } from './args';
import {
  budgetOption,
  INDEX_OPTIONS,
  JSON_OPTION,
  MODEL_DIR_OPTION,
  SEED_OPTION,
  strategyOption,
} from './common-options';
import { tokenizerOf } from './model-options';
import { InputError, requireFolder } from './paths';
import { buildIndex } from './repo-options';

const spec: CommandSpec = {
  name: 'context-bench',
  summary: 'context latency while typing, and whether prompts hold the definitions a line needs',
  operands: 'REPO',
  positionals: { min: 1, max: 1 },
  about: `At seeded cursors in REPO, retypes a line key by key: context latency (warm, and first at a
cursor), incremental vs full re-index of the edited file. --definitions: at cursors after a use of
an imported name, does the prompt hold its definition from the other file.`,
  options: [
    {
      name: 'cursors',
      kind: 'int',
      min: 1,
      defaultText: '30; 10 with --definitions',
      description: 'cursors to try',
    },
    {
      name: 'keystrokes',
      kind: 'int',
      min: 1,
      default: 8,
      description: 'keys typed at each cursor',
    },
    budgetOption(8192),
    strategyOption(),
    SEED_OPTION,
    { name: 'definitions', kind: 'flag', description: 'check definition recall instead of timing' },
    { ...MODEL_DIR_OPTION, description: 'model folder whose tokenizer counts the tokens' },
    ...INDEX_OPTIONS,
    JSON_OPTION,
  ],
};

/** Not a usage error: the repository has nothing to measure, and the user should hear why. */
const noCursors = (dir: string, why: string) =>
  new InputError(`no usable cursors in ${dir}: ${why}`);

function printTiming(r: ContextBenchResult, line: string): void {
  const f = (x: { p50: number; p95: number }) =>
    `p50 ${x.p50.toFixed(1)} ms, p95 ${x.p95.toFixed(1)} ms`;
  console.log(line);
  console.log(`context at a keystroke (warm):    ${f(r.warm)}`);
  console.log(`  of which proposals:             ${f(r.warmProposals)}`);
  console.log(`  of which packing:               ${f(r.warmPack)}`);
  console.log(`context, first at a cursor:       ${f(r.first)}`);
  console.log(`re-index, incremental per key:    ${f(r.reindexIncremental)}`);
  console.log(`re-index of the file from scratch: ${f(r.reindexFull)}`);
}

async function run(args: ParsedArgs): Promise<number> {
  const given = args.positional[0] as string;
  const root = requireFolder(given);
  const { index, stats } = await buildIndex(root, args);
  if (index.files.size === 0) throw noCursors(given, 'no source file was indexed');
  const tok = tokenizerOf(args);
  const texts = new FileTexts(root);
  const builder = new PromptBuilder(index, tok, texts.get);
  const strategy = args.string('strategy') as ContextStrategy;
  const budget = args.int('budget');
  const seed = args.int('seed');
  if (args.flag('definitions')) {
    const rows = definitionRecall(index, builder, texts.get, {
      cursors: args.has('cursors') ? args.int('cursors') : 10,
      budget,
      strategy,
      seed,
    });
    if (rows.length === 0)
      throw noCursors(given, 'no line uses a name imported from another repository file');
    if (args.flag('json')) console.log(JSON.stringify(rows));
    else {
      for (const r of rows)
        console.log(
          `${r.found ? '✓' : '✗'} ${r.path}:${r.line}:${r.column}  ${r.name} from ${r.definedIn}${r.via ? ` (${r.via})` : ''}`,
        );
      console.log(
        `${rows.filter((r) => r.found).length} of ${rows.length} prompts hold the definition the cursor's line needs from another file`,
      );
    }
    return 0;
  }
  const keystrokes = args.int('keystrokes');
  const r = await contextBench(index, builder, texts.get, {
    cursors: args.has('cursors') ? args.int('cursors') : 30,
    keystrokes,
    budget,
    strategy,
    seed,
  });
  if (r.cursors === 0)
    throw noCursors(given, `no file has a line of ${keystrokes} or more characters to retype`);
  if (args.flag('json')) console.log(JSON.stringify({ index: stats, ...r }));
  else {
    console.log(
      `index: ${stats.files} files (${stats.fromCache} from the cache) in ${(stats.ms / 1000).toFixed(1)} s, peak RSS ${stats.peakRssMb.toFixed(0)} MB`,
    );
    printTiming(
      r,
      `${r.cursors} cursors × ${r.keystrokes} keystrokes, strategy ${strategy}, budget ${budget} (${r.meanPromptTokens.toFixed(0)} tokens, ${r.meanChunks.toFixed(1)} chunks per prompt on average)`,
    );
  }
  return 0;
}

export const contextBenchCommand: Command = { spec, run };
