// Perplexity cells: the repository in dependency order as one token stream, windows of each length
// scored per method.

import { basename } from 'node:path';
import { planRope } from '../../model/rope';
import { DEFAULT_REPO_NAME } from '../../packing/pack';
import {
  encodePieces,
  fillSlots,
  piecesIds,
  templateFor,
  wholeFile,
} from '../../packing/templates';
import { estimateMs } from '../cost-model';
import { dependencyOrder, windowLoss, windowStarts } from '../perplexity';
import type { PerplexityRecord } from '../results';
import type { BenchCell } from '../scheduler';
import type { CellContext } from './cell-context';

export function perplexityKey(
  length: number,
  rope: string,
  windows: number,
  scoreTokens: number,
): string {
  return `perplexity|${length}|${rope}|${windows}|${scoreTokens}`;
}

/** The token stream, built on first use (long enough for every window of the longest length). */
function lazyStream(cc: CellContext, maxLength: number, windows: number): () => number[] {
  let stream: number[] | undefined;
  return () => {
    if (stream) return stream;
    const { index, tok } = cc.bench;
    const order = dependencyOrder(
      [...index.files.values()].map((f) => ({
        path: f.path,
        imports: f.imports.map((i) => i.resolved).filter((x): x is string => !!x),
      })),
    );
    // The files as the model's family writes a repository (Ropewalk's: `<|file_sep|>path\ntext`).
    const template = templateFor(tok);
    const head = encodePieces(template.head(basename(index.root) || DEFAULT_REPO_NAME), tok, true);
    stream = fillSlots(head, { prefix: [], suffix: [] });
    let atStart = head.atStart;
    const max = maxLength * windows * 2;
    for (const path of order) {
      const t = cc.files.get(path);
      if (t === undefined) continue;
      stream.push(...piecesIds(template.chunk(path, wholeFile(t)), tok, atStart));
      atStart = false;
      if (stream.length > max) break;
    }
    return stream;
  };
}

/** One cell per method and length; each averages the loss over its windows. */
export function perplexityCells(cc: CellContext): BenchCell[] {
  const { plan, bench } = cc;
  if (!plan.perplexity) return [];
  const { lengths, windows, scoreTokens } = plan.perplexity;
  const streamOf = lazyStream(cc, Math.max(...lengths), windows);
  const cells: BenchCell[] = [];
  for (const rope of plan.ropes) {
    for (const length of lengths) {
      const factor = cc.rope.factor(length);
      const same = cc.rope.canonical(rope, length);
      const key = perplexityKey(length, rope, windows, scoreTokens);
      const label = `perplexity ${rope} ${length}`;
      if (same !== rope) {
        cells.push({
          key,
          kind: 'perplexity',
          label,
          aliasOf: perplexityKey(length, same, windows, scoreTokens),
          rope,
          factor,
        });
        continue;
      }
      cells.push({
        key,
        kind: 'perplexity',
        label,
        estimateMs: windows * estimateMs(cc.cost, length, 0),
        run: async () => {
          const s = streamOf();
          const t0 = performance.now();
          const ropePlan = planRope(rope, cc.rope.geometry, cc.rope.options(rope, factor, length));
          let total = 0;
          let count = 0;
          let scored = 0;
          for (const start of [...new Set(windowStarts(s.length, length, windows))]) {
            const loss = await windowLoss(
              bench.model,
              s.slice(start, start + length),
              ropePlan,
              scoreTokens,
              512,
              cc.signal,
            );
            if (!loss) return undefined;
            total += loss.nll;
            scored += loss.tokens;
            count++;
          }
          if (count === 0) return undefined; // the repository is shorter than this length
          const nll = total / count;
          return {
            kind: 'perplexity',
            key,
            rope,
            factor,
            length,
            nll,
            perplexity: Math.exp(nll),
            windows: count,
            scoredTokens: scored,
            latencyMs: performance.now() - t0,
          } satisfies PerplexityRecord;
        },
      });
    }
  }
  return cells;
}
