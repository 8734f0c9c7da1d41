// Loads a model folder and replays its golden cases: the check behind `ropewalk model-check`.

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

export async function checkModel(dir: string, provider: ProviderSetting = 'cpu', log?: (line: string) => void): Promise<ModelCheckReport> {
  const t0 = performance.now();
  const model = await OnnxModel.load(dir, { provider, log });
  const loadMs = performance.now() - t0;
  try {
    const golden = readGolden(dir);
    const cases = await runGolden(model, golden);
    const ok = cases.every((c) => c.maxAbsDiff <= golden.tolerance && (c.reuseMaxAbsDiff ?? 0) <= golden.tolerance);
    return { model: model.card.name, provider: model.provider, parameters: model.card.parameters, tolerance: golden.tolerance, loadMs, cases, ok };
  } finally {
    await model.dispose();
  }
}
