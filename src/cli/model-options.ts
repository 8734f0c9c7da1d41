// Loading the model the options name, with provider-probe messages only under --verbose.

import type { PromptTokenizer } from '../model/tokenizers/load-tokenizer';
import { resolve } from 'node:path';
import { checkModel, type ModelCheckReport } from '../model/model-check';
import { defaultModelDir } from '../model/model-location';
import type { KvTypeSetting } from '../model/kv-type';
import { OnnxModel } from '../model/onnx-backend';
import { candidateProviders, type ProviderSetting } from '../model/providers';
import type { ParsedArgs } from './args';
import { requireFile } from './paths';
import { loadModelTokenizer } from '../model/model-source';

const stderr = (line: string) => process.stderr.write(line + '\n');

export function modelDirOf(args: ParsedArgs): string {
  return resolve(args.optionalString('model') ?? defaultModelDir());
}

/**
 * The `log` for model loading: every probe failure under --verbose; otherwise they are counted, and
 * `settle` says in one line why `auto` ended on the CPU, since that is slower than the user may expect.
 */
export function probeLog(
  args: ParsedArgs,
  write: (line: string) => void = stderr,
): { provider: ProviderSetting; log: (line: string) => void; settle: (used: string) => void } {
  const provider = args.string('provider') as ProviderSetting;
  const verbose = args.flag('verbose');
  let skipped = 0;
  return {
    provider,
    log: (line) => (verbose ? write(line) : skipped++),
    settle: (used) => {
      if (verbose || provider !== 'auto' || used !== 'cpu' || skipped === 0) return;
      const tried = candidateProviders('auto').filter((p) => p !== 'cpu');
      write(
        `ropewalk ${args.command}: running on the CPU: ${tried.join(' and ')} could not run the model here (--verbose says why)`,
      );
    },
  };
}

/** --kv-type as the setting it is (its choices are KV_TYPE_SETTINGS). */
export function kvTypeOf(args: ParsedArgs): KvTypeSetting {
  return args.string('kv-type') as KvTypeSetting;
}

/**
 * The model of --model (default: the bundled one) on --provider, with --kv-type's cache (said under
 * --verbose); `placement`: profile the test run to count nodes by provider (OnnxModel.placement). `contextTokens`: the most the command will put in the cache, for the memory check and the
 * KV type's auto rule (default 4096).
 */
export async function loadModel(
  args: ParsedArgs,
  contextTokens?: number,
  options: { placement?: boolean } = {},
): Promise<OnnxModel> {
  const { provider, log, settle } = probeLog(args);
  const model = await OnnxModel.load(modelDirOf(args), {
    provider,
    log,
    kvType: kvTypeOf(args),
    contextTokens,
    placement: options.placement,
  });
  settle(model.provider);
  if (args.flag('verbose'))
    stderr(`ropewalk ${args.command}: KV cache ${model.kv.type} (${model.kv.reason})`);
  return model;
}

export async function checkModelWith(args: ParsedArgs, dir: string): Promise<ModelCheckReport> {
  const { provider, log, settle } = probeLog(args);
  const against = args.optionalString('against') as ProviderSetting | undefined;
  const report = await checkModel(dir, {
    provider,
    log,
    kvType: kvTypeOf(args),
    against,
    tolerance: args.number('tolerance'),
  });
  settle(report.provider);
  return report;
}

/** The tokenizer of --model without running it or building it: a GGUF's vocabulary is read from its header. */
export function tokenizerOf(args: ParsedArgs): PromptTokenizer {
  return loadModelTokenizer(modelDirOf(args));
}

/** --rope-factors read when given; a missing file is named. */
export function ropeFactorsPath(args: ParsedArgs): string | undefined {
  const file = args.optionalString('rope-factors');
  return file === undefined ? undefined : requireFile('--rope-factors', file);
}
