// Plans how a new prompt reuses the KV cache of the previous one: keep the longest common prefix in
// place, copy (and re-rotate) cached chunks that moved, compute the rest. Pure: no tensors here.

export type ReuseStep =
  /** Entries [from, from+length) of the old cache become [at, at+length) of the new one. */
  | { kind: 'copy'; from: number; at: number; length: number }
  /** Tokens to run through the model at positions at.. */
  | { kind: 'compute'; at: number; tokens: number[] };

export interface ReusePlan {
  /** Old entries kept in place: the longest common prefix. */
  keep: number;
  steps: ReuseStep[];
  /** Tokens served from the cache (kept + copied). */
  reused: number;
  moved: number;
}

function hashRun(tokens: ArrayLike<number>, from: number, length: number): string {
  let h = 2166136261;
  for (let i = from; i < from + length; i++) h = Math.imul(h ^ (tokens[i] as number), 16777619);
  return `${length}:${h >>> 0}`;
}

/** Length of the longest common prefix of two token lists: the cache entries that stay in place. */
export function commonPrefixLength(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * Where a run of tokens sits in the old cache past the kept prefix, or undefined. Old windows are
 * hashed lazily, once per run length asked for, so that each chunk is found without a scan.
 */
function windowFinder(
  oldTokens: ArrayLike<number>,
  keep: number,
): (run: number[]) => number | undefined {
  const index = new Map<number, Map<string, number>>();
  return (run) => {
    let byHash = index.get(run.length);
    if (!byHash) {
      byHash = new Map();
      for (let i = keep; i + run.length <= oldTokens.length; i++) {
        const key = hashRun(oldTokens, i, run.length);
        if (!byHash.has(key)) byHash.set(key, i);
      }
      index.set(run.length, byHash);
    }
    const from = byHash.get(hashRun(run, 0, run.length));
    if (from === undefined) return undefined;
    for (let i = 0; i < run.length; i++) if (oldTokens[from + i] !== run[i]) return undefined; // hash collision
    return from;
  };
}

/** How far old entries from `start` on match `tail`, given that its first `matched` tokens do. */
function matchLength(
  oldTokens: ArrayLike<number>,
  start: number,
  tail: number[],
  matched: number,
): number {
  let length = matched;
  while (
    length < tail.length &&
    start + length < oldTokens.length &&
    oldTokens[start + length] === tail[length]
  )
    length++;
  return length;
}

/** The steps in prompt order, with the next new position and the count of moved tokens they imply. */
class StepList {
  readonly steps: ReuseStep[] = [];
  at = 0;
  moved = 0;

  copy(from: number, length: number): void {
    this.steps.push({ kind: 'copy', from, at: this.at, length });
    this.moved += length;
    this.at += length;
  }

  /** Computed tokens right after other computed ones join their step: one forward pass, not two. */
  compute(tokens: number[]): void {
    const last = this.steps[this.steps.length - 1];
    if (last?.kind === 'compute' && last.at + last.tokens.length === this.at)
      last.tokens.push(...tokens);
    else this.steps.push({ kind: 'compute', at: this.at, tokens: [...tokens] });
    this.at += tokens.length;
  }

  /**
   * The last token must be computed to have logits to decode from: taken off a final copy, or off the
   * kept prefix when nothing else is left. Returns the (possibly shortened) kept prefix.
   */
  endWithCompute(prompt: number[], keep: number): number {
    const last = this.steps[this.steps.length - 1];
    if (last && last.kind !== 'copy') return keep;
    const token = prompt[prompt.length - 1] as number;
    if (last) {
      last.length -= 1;
      this.moved -= 1;
      if (last.length === 0) this.steps.pop();
      this.at -= 1;
    } else {
      keep = Math.min(keep, prompt.length - 1);
      this.at = keep;
    }
    this.steps.push({ kind: 'compute', at: this.at, tokens: [token] });
    return keep;
  }
}

/**
 * @param oldTokens tokens whose entries the cache holds, in order
 * @param segments the new prompt as chunks (repository context chunks, then the cursor's file); their
 *   concatenation is the prompt
 * @param minChunk chunks shorter than this are recomputed rather than moved
 */
export function planReuse(
  oldTokens: ArrayLike<number>,
  segments: number[][],
  minChunk = 32,
): ReusePlan {
  const prompt = segments.flat();
  const keep = commonPrefixLength(oldTokens, prompt);
  const find = windowFinder(oldTokens, keep);
  const plan = new StepList();
  for (const seg of segments) {
    const end = plan.at + seg.length;
    if (end <= keep) {
      plan.at = end;
      continue;
    }
    // A segment that straddles the kept prefix: only its tail is new.
    const tail = plan.at < keep ? seg.slice(keep - plan.at) : seg;
    plan.at = Math.max(plan.at, keep);
    // A chunk found at the same place after a difference still counts as moved (by 0 positions):
    // its deeper layers saw other tokens before it.
    const from = tail.length >= minChunk ? find(tail) : undefined;
    if (from !== undefined) {
      plan.copy(from, tail.length);
      continue;
    }
    // Not cached whole: a chunk whose start is cached (the cursor's file, moved because a chunk before
    // it changed, with the user's edit near its end) copies that start and computes the rest.
    const start = tail.length > minChunk ? find(tail.slice(0, minChunk)) : undefined;
    let length = 0;
    if (start !== undefined) {
      length = matchLength(oldTokens, start, tail, minChunk);
      plan.copy(start, length);
    }
    plan.compute(tail.slice(length));
  }
  const kept = plan.endWithCompute(prompt, keep);
  return { keep: kept, steps: plan.steps, reused: kept + plan.moved, moved: plan.moved };
}
