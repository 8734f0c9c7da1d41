// Replays a model's golden cases on a loaded model: the check behind `ropewalk model-check` and the
// inference process's `open`.

import { runGolden, readGolden, type CaseResult, type ReplayCase } from './golden';
import {
  caseHolds,
  quantizedToleranceFor,
  type QuantizedGoldenTolerance,
} from './golden-tolerance';
import type { KvChoice, KvTypeSetting } from './kv-type';
import type { NodePlacement } from './node-placement';
import { OnnxModel } from './onnx-backend';
import { compareProviders, probeCases, type ProviderParity } from './provider-parity';
import type { ProviderSetting } from './providers';

export interface ModelCheckReport {
  model: string;
  provider: string;
  parameters: number;
  /** golden.json's absolute bound: parity with PyTorch and cached-vs-cold, for float weights. */
  tolerance: number;
  /** The card's bound for quantized weights, when it applies: the same two checks, relative to each row's spread. */
  quantizedTolerance?: QuantizedGoldenTolerance;
  loadMs: number;
  /** The KV cache type the session reads and writes, and why it was chosen. */
  kv: KvChoice;
  cases: CaseResult[];
  ok: boolean;
  /** Why there were no cases to replay (a model built from a GGUF file has no PyTorch reference). */
  note?: string;
  /** Which provider ran each node of a test run (checkModel profiles one). */
  placement?: NodePlacement;
  /** The same calls on another provider's session (`--against`), row by row. */
  parity?: ProviderParity;
}

export interface CheckOptions {
  provider?: ProviderSetting;
  log?: (line: string) => void;
  kvType?: KvTypeSetting;
  /** Also run the cases on this provider's session and compare the two (usually `cpu`). */
  against?: ProviderSetting;
  /** Largest logit difference `against` accepts (top-1 must agree everywhere); default 1e-2. */
  tolerance?: number;
}

/** Checks a model that is already loaded (and keeps it loaded); `loadMs` is how long loading took. */
export async function checkLoadedModel(
  model: OnnxModel,
  loadMs: number,
): Promise<ModelCheckReport> {
  // Golden cases live beside the model's source: its own folder, or the folder holding its model.gguf.
  const goldenDir = model.files.goldenDir;
  if (model.card.contract === 3 && goldenDir === undefined) {
    // Imported models are checked against llama.cpp by the test suite (test/fixtures/gguf-ref), not per load.
    const note = `built from ${model.card.source?.gguf ?? 'a GGUF file'}: no golden cases to replay`;
    return {
      model: model.card.name,
      provider: model.provider,
      parameters: model.card.parameters,
      tolerance: 0,
      loadMs,
      kv: model.kv,
      cases: [],
      ok: true,
      note,
    };
  }
  const golden = readGolden(goldenDir ?? model.files.dir);
  const cases = await runGolden(model, golden);
  const quantized = quantizedToleranceFor(model.card);
  const ok = cases.every((c) => caseHolds(c, golden.tolerance, quantized));
  return {
    model: model.card.name,
    provider: model.provider,
    parameters: model.card.parameters,
    tolerance: golden.tolerance,
    ...(quantized && { quantizedTolerance: quantized }),
    loadMs,
    kv: model.kv,
    cases,
    ok,
  };
}

/** The calls `--against` compares: the golden cases where the model has them, else seeded probes. */
function parityCases(model: OnnxModel): ReplayCase[] {
  const goldenDir = model.files.goldenDir;
  if (model.card.contract === 3 && goldenDir === undefined)
    return probeCases(model.card.config.vocab_size);
  return readGolden(goldenDir ?? model.files.dir).cases;
}

/**
 * Loads a model (folder or GGUF file), checks it, and releases it again; the load profiles one run to
 * say which provider ran each node. With `against`, a second session on that provider runs the same
 * calls and the two are compared.
 */
export async function checkModel(
  dir: string,
  options: CheckOptions = {},
): Promise<ModelCheckReport> {
  const { provider = 'cpu', log, kvType = 'auto' } = options;
  const t0 = performance.now();
  const model = await OnnxModel.load(dir, { provider, log, kvType, placement: true });
  const loadMs = performance.now() - t0;
  try {
    const report = await checkLoadedModel(model, loadMs);
    report.placement = model.placement;
    if (options.against === undefined) return report;
    // The reference gets the same KV type, so that only the provider differs.
    const reference = await OnnxModel.load(dir, {
      provider: options.against,
      log,
      kvType: model.kv.type,
    });
    try {
      const parity = await compareProviders(
        model,
        reference,
        parityCases(model),
        options.tolerance,
      );
      return { ...report, parity, ok: report.ok && parity.ok };
    } finally {
      await reference.dispose();
    }
  } finally {
    await model.dispose();
  }
}
