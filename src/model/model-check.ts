// Replays a model's golden cases on a loaded model: the check behind `ropewalk model-check` and the
// inference process's `open`.

import { runGolden, readGolden, type CaseResult } from './golden';
import {
  caseHolds,
  quantizedToleranceFor,
  type QuantizedGoldenTolerance,
} from './golden-tolerance';
import type { KvChoice, KvTypeSetting } from './kv-type';
import { OnnxModel } from './onnx-backend';
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

/** Loads a model (folder or GGUF file), checks it, and releases it again. */
export async function checkModel(
  dir: string,
  provider: ProviderSetting = 'cpu',
  log?: (line: string) => void,
  kvType: KvTypeSetting = 'auto',
): Promise<ModelCheckReport> {
  const t0 = performance.now();
  const model = await OnnxModel.load(dir, { provider, log, kvType });
  const loadMs = performance.now() - t0;
  try {
    return await checkLoadedModel(model, loadMs);
  } finally {
    await model.dispose();
  }
}
