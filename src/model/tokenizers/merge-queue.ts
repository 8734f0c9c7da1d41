// A binary min-heap of candidate merges, ordered as llama.cpp's priority queues order them.

export interface Candidate {
  /** Lower is merged first (a BPE rank, or minus an SPM score). */
  cost: number;
  left: number;
  right: number;
  /** Byte length of the merged text (SPM), or the merged text (BPE), to spot stale entries. */
  key: number | string;
}

function before(a: Candidate, b: Candidate): boolean {
  return a.cost < b.cost || (a.cost === b.cost && a.left < b.left);
}

export class MergeQueue {
  private readonly heap: Candidate[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(c: Candidate): void {
    const h = this.heap;
    let i = h.length;
    h.push(c);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  pop(): Candidate | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
