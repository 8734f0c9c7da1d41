// Needle cells: a value hidden at a depth of repository filler, per length, method and trial; scored
// by teacher forcing the value.

import { planRope, type RopeMethod } from '../../model/rope';
import { templateFor } from '../../packing/templates';
import { buildNeedlePrompt, type NeedleLanguage } from '../needle';
import { NeedleScorer } from '../needle-scorer';
import { estimateMs } from '../cost-model';
import { Random } from '../random';
import type { NeedleRecord } from '../results';
import type { BenchCell } from '../scheduler';
import type { CellContext } from './cell-context';

export function needleKey(
  length: number,
  depth: number,
  trial: number,
  rope: string,
  seed: number,
): string {
  return `needle|${length}|${depth}|${trial}|${rope}|${seed}`;
}

/** The filler of trial `trial`: each trial takes it from a different place in the repository. */
function fillerFor(cc: CellContext): (trial: number) => { path: string; text: string }[] {
  const filler = [...cc.files]
    .map(([path, text]) => ({ path, text }))
    .filter((f) => f.text.length > 200);
  return (trial) => {
    const at = (trial * 7) % Math.max(1, filler.length);
    return filler.slice(at).concat(filler.slice(0, at));
  };
}

/** The needle is written in the repository's main language, so it reads like the filler around it. */
function needleLanguage(cc: CellContext): NeedleLanguage {
  const { index } = cc.bench;
  return [...index.files.values()].filter((f) => f.language === 'python').length * 2 >=
    index.files.size
    ? 'python'
    : 'typescript';
}

/** What every needle cell of a run shares. */
interface NeedleShared {
  cc: CellContext;
  scorer: NeedleScorer;
  language: NeedleLanguage;
  rotated: (trial: number) => { path: string; text: string }[];
}

/** One needle cell's coordinates: where the value sits, at what length, under which method. */
interface NeedlePoint {
  key: string;
  rope: RopeMethod;
  factor: number;
  length: number;
  depth: number;
  trial: number;
  value: number;
}

/** Runs one needle cell: builds its prompt and teacher-forces the value through the model. */
async function scoreNeedle(shared: NeedleShared, point: NeedlePoint): Promise<NeedleRecord> {
  const { cc, scorer, language, rotated } = shared;
  const { tok } = cc.bench;
  const { key, rope, factor, length, depth, trial, value } = point;
  const p = buildNeedlePrompt(tok, templateFor(tok), rotated(trial), {
    length,
    depth,
    value,
    serial: trial + 1,
    language,
  });
  const valueIds = tok.encode(` ${value}`);
  const ropePlan = planRope(
    rope,
    cc.rope.geometry,
    cc.rope.options(rope, factor, p.tokens + valueIds.length),
  );
  const s = await scorer.score(
    p.segments.flat(),
    valueIds,
    ropePlan,
    `needle:${length}:${rope}:${trial}`,
  );
  return {
    kind: 'needle',
    key,
    rope,
    factor,
    length,
    depth,
    trial,
    value,
    prediction: tok.decode(s.argmaxTokens),
    correct: s.correct ? 1 : 0,
    valueNll: s.valueNll,
    valueProbability: Math.exp(-s.valueNll),
    latencyMs: s.ms,
  };
}

/**
 * Per length, method and trial one session; depths in order, so the filler before the needle is a
 * growing shared prefix (reused from the cache).
 */
export function needleCells(cc: CellContext): BenchCell[] {
  const { plan, bench } = cc;
  if (!plan.needle) return [];
  const language = needleLanguage(cc);
  const rotated = fillerFor(cc);
  const rng = new Random(plan.seed + 7);
  const values = Array.from({ length: plan.needle.trials }, () => rng.int(10000, 99999));
  const shared: NeedleShared = { cc, language, rotated, scorer: new NeedleScorer(bench.model) };
  const cells: BenchCell[] = [];
  for (const length of plan.needle.lengths) {
    const factor = cc.rope.factor(length);
    for (const rope of plan.ropes) {
      const same = cc.rope.canonical(rope, length);
      for (let trial = 0; trial < plan.needle.trials; trial++) {
        for (const depth of plan.needle.depths) {
          const key = needleKey(length, depth, trial, rope, plan.seed);
          const value = values[trial] as number;
          const label = `needle ${rope} ${length} depth ${depth}`;
          if (same !== rope) {
            cells.push({
              key,
              kind: 'needle',
              label,
              aliasOf: needleKey(length, depth, trial, same, plan.seed),
              rope,
              factor,
            });
            continue;
          }
          const point: NeedlePoint = { key, rope, factor, length, depth, trial, value };
          cells.push({
            key,
            kind: 'needle',
            label,
            estimateMs: estimateMs(cc.cost, length, 0),
            run: () => scoreNeedle(shared, point),
          });
        }
      }
    }
  }
  return cells;
}
