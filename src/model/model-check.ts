// Replays a model's golden cases on a loaded model: the check behind `ropewalk model-check` and the
// inference process's `open`.

import { runGolden, readGolden, type CaseResult } from './golden';
import { OnnxModel } from './onnx-backend';
import type { ProviderSetting } from './providers';

export interface ModelCheckReport {
  model: string;
  provider: string;
  parameters: number;
  tolerance: number;
  loadMs: number;
  cases: CaseResult[];
  ok: boolean;
}

/** Checks a model that is already loaded (and keeps it loaded); `loadMs` is how long loading took. */
export async function checkLoadedModel(
  model: OnnxModel,
  loadMs: number,
): Promise<ModelCheckReport> {
  const golden = readGolden(model.files.dir);
  const cases = await runGolden(model, golden);
  const ok = cases.every(
    (c) => c.maxAbsDiff <= golden.tolerance && (c.reuseMaxAbsDiff ?? 0) <= golden.tolerance,
  );
  return {
    model: model.card.name,
    provider: model.provider,
    parameters: model.card.parameters,
    tolerance: golden.tolerance,
    loadMs,
    cases,
    ok,
  };
}

/** Loads a model folder, checks it, and releases it again. */
export async function checkModel(
  dir: string,
  provider: ProviderSetting = 'cpu',
  log?: (line: string) => void,
): Promise<ModelCheckReport> {
  const t0 = performance.now();
  const model = await OnnxModel.load(dir, { provider, log });
  const loadMs = performance.now() - t0;
  try {
    return await checkLoadedModel(model, loadMs);
  } finally {
    await model.dispose();
  }
}
