// `ropewalk model-check`: load a model and replay its golden cases against the reference outputs.

import { resolve } from 'node:path';
import { defaultModelDir } from '../model/model-location';
import { formatPlacement, nodesElsewhere } from '../model/node-placement';
import { PROVIDER_SETTINGS } from '../model/providers';
import type { Command, CommandSpec } from './args';
import { JSON_OPTION, KV_TYPE_OPTION, PROVIDER_OPTIONS } from './common-options';
import { checkModelWith } from './model-options';

const spec: CommandSpec = {
  name: 'model-check',
  summary: 'load a model and replay its golden cases (parity with PyTorch, cache reuse)',
  operands: '[DIR]',
  positionals: { min: 0, max: 1 },
  about: `Loads the model in DIR (default: the bundled model) and replays its golden cases: parity with
PyTorch's outputs, and prefix reuse from the cache. Says which provider ran the graph's nodes (a GPU
session leaves the nodes its provider cannot run on the CPU). --against runs the same calls on a second
provider's session and compares every position's logits (golden cases, or seeded probes for a model
built from a GGUF file). Exits 1 when a case is outside the tolerance: golden.json's (1e-4) for float
weights; for quantized weights the bound their card states, relative to each logits row's spread.`,
  options: [
    ...PROVIDER_OPTIONS,
    KV_TYPE_OPTION,
    {
      name: 'against',
      kind: 'string',
      value: 'P',
      choices: PROVIDER_SETTINGS.filter((p) => p !== 'auto'),
      description: 'also run on this provider (usually cpu) and compare logits: top-1 and max |Δ|',
    },
    {
      name: 'tolerance',
      kind: 'number',
      min: 0,
      default: 1e-2,
      description: 'largest logit difference --against accepts (top-1 must agree everywhere)',
    },
    JSON_OPTION,
  ],
};

export const modelCheckCommand: Command = {
  spec,
  async run(args) {
    const dir = resolve(args.positional[0] ?? defaultModelDir());
    const report = await checkModelWith(args, dir);
    if (args.flag('json')) {
      console.log(JSON.stringify(report));
    } else {
      console.log(
        `${report.model}: ${(report.parameters / 1e6).toFixed(2)}M parameters, loaded in ${report.loadMs.toFixed(0)} ms on ${report.provider}, KV cache ${report.kv.type} (${report.kv.reason})`,
      );
      if (report.placement) {
        const off = nodesElsewhere(report.placement, report.provider);
        const where = formatPlacement(report.placement, report.provider);
        console.log(
          off === 0 ? `  nodes: ${where}` : `  nodes: ${where} — ${off} not on ${report.provider}`,
        );
      }
      for (const c of report.cases) {
        const reuse =
          c.reuseMaxAbsDiff === undefined
            ? ''
            : `, reused cache vs cold ${c.reuseMaxAbsDiff.toExponential(2)} (${(100 * (c.reuseMaxDiffOfSpread ?? 0)).toFixed(3)}%)`;
        console.log(
          `  ${c.name.padEnd(14)} max |ort − torch| ${c.maxAbsDiff.toExponential(2)} (${(100 * c.maxDiffOfSpread).toFixed(3)}% of the spread, top-1 ${c.top1Agree}/${c.rows})${reuse}`,
        );
      }
      const p = report.parity;
      if (p) {
        console.log(
          `  ${p.provider} vs ${p.reference}: top-1 ${p.top1Agree}/${p.rows}, max |Δlogit| ${p.maxAbsDiff.toExponential(2)} (tolerance ${p.tolerance})`,
        );
        for (const c of p.cases)
          console.log(
            `    ${c.name.padEnd(14)} top-1 ${c.top1Agree}/${c.rows}, max |Δ| ${c.maxAbsDiff.toExponential(2)}`,
          );
      }
      const parityOff =
        p && !p.ok ? `; ${p.provider} vs ${p.reference} outside ${p.tolerance}` : '';
      const q = report.quantizedTolerance;
      const tolerance = q
        ? `${q.weights} weights: ${100 * q.spreadFraction}% of each row's spread`
        : `${report.tolerance}`;
      console.log(
        report.ok ? `ok (tolerance ${tolerance})` : `FAILED (tolerance ${tolerance}${parityOff})`,
      );
    }
    return report.ok ? 0 : 1;
  },
};
