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
  let keep = 0;
  const n = Math.min(oldTokens.length, prompt.length);
  while (keep < n && oldTokens[keep] === prompt[keep]) keep++;
  // Index every old window at the lengths we look for, lazily by length.
  const index = new Map<number, Map<string, number>>();
  const lookup = (seg: number[]): number | undefined => {
    let byHash = index.get(seg.length);
    if (!byHash) {
      byHash = new Map();
      for (let i = keep; i + seg.length <= oldTokens.length; i++) {
        const key = hashRun(oldTokens, i, seg.length);
        if (!byHash.has(key)) byHash.set(key, i);
      }
      index.set(seg.length, byHash);
    }
    const from = byHash.get(hashRun(seg, 0, seg.length));
    if (from === undefined) return undefined;
    for (let i = 0; i < seg.length; i++) if (oldTokens[from + i] !== seg[i]) return undefined; // hash collision
    return from;
  };
  const steps: ReuseStep[] = [];
  let at = 0;
  let moved = 0;
  const compute = (tokens: number[]) => {
    const last = steps[steps.length - 1];
    if (last?.kind === 'compute' && last.at + last.tokens.length === at)
      last.tokens.push(...tokens);
    else steps.push({ kind: 'compute', at, tokens: [...tokens] });
    at += tokens.length;
  };
  for (const seg of segments) {
    const end = at + seg.length;
    if (end <= keep) {
      at = end;
      continue;
    }
    // A segment that straddles the kept prefix: only its tail is new.
    const tail = at < keep ? seg.slice(keep - at) : seg;
    at = Math.max(at, keep);
    // A chunk found at the same place after a difference still counts as moved (by 0 positions):
    // its deeper layers saw other tokens before it.
    const from = tail.length >= minChunk ? lookup(tail) : undefined;
    if (from !== undefined) {
      steps.push({ kind: 'copy', from, at, length: tail.length });
      moved += tail.length;
      at += tail.length;
      continue;
    }
    // Not cached whole: a chunk whose start is cached (the cursor's file, moved because a chunk before
    // it changed, with the user's edit near its end) copies that start and computes the rest.
    const start = tail.length > minChunk ? lookup(tail.slice(0, minChunk)) : undefined;
    let length = 0;
    if (start !== undefined) {
      length = minChunk;
      while (
        length < tail.length &&
        start + length < oldTokens.length &&
        oldTokens[start + length] === tail[length]
      )
        length++;
      steps.push({ kind: 'copy', from: start, at, length });
      moved += length;
      at += length;
    }
    compute(tail.slice(length));
  }
  // The last token must be computed to have logits to decode from.
  const last = steps[steps.length - 1];
  if (!last || last.kind === 'copy') {
    const token = prompt[prompt.length - 1] as number;
    if (last) {
      last.length -= 1;
      moved -= 1;
      if (last.length === 0) steps.pop();
      at -= 1;
    } else {
      keep = Math.min(keep, prompt.length - 1);
      at = keep;
    }
    steps.push({ kind: 'compute', at, tokens: [token] });
  }
  return { keep, steps, reused: keep + moved, moved };
}
