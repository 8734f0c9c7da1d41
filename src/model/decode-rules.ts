// Rules the decoding loop applies per token, apart from the loop itself: token healing's mask over
// the vocabulary, and the search for stop text.

/**
 * Token healing: while the output must still begin with some text (`pending`), only tokens that
 * agree with it may be sampled. Each token's text is decoded once, on first use.
 */
export class TokenHealer {
  private vocab?: string[];

  constructor(
    private readonly vocabSize: number,
    private readonly decodeToken: (id: number) => string,
  ) {}

  /** Each token's text (byte pieces of a split character decode to U+FFFD and never match). */
  private vocabulary(): string[] {
    this.vocab ??= Array.from({ length: this.vocabSize }, (_, id) => this.decodeToken(id));
    return this.vocab;
  }

  /** Logits with every token that cannot continue `pending` masked out (the token's text and pending must agree where they overlap). */
  constrain(logits: Float32Array, pending: string): Float32Array {
    const out = new Float32Array(logits.length).fill(-Infinity);
    const vocab = this.vocabulary();
    for (let id = 0; id < logits.length; id++) {
      const t = vocab[id] as string;
      if (t.length > 0 && (t.startsWith(pending) || pending.startsWith(t)))
        out[id] = logits[id] as number;
    }
    return out;
  }

  /** What the output must still begin with once `token` is emitted. */
  remaining(pending: string, token: number): string {
    const piece = this.vocabulary()[token] as string;
    return piece.length >= pending.length ? '' : pending.slice(piece.length);
  }
}

/** Where the first of the stop texts begins in `text`, or -1 (empty stop texts never match). */
export function firstStop(text: string, stops: string[]): number {
  let best = -1;
  for (const s of stops) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}
