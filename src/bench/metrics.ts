// Scores of one completion against the hidden middle: exact match, edit similarity (CrossCodeEval,
// ExecRepoBench) and identifier match (F1 of identifier multisets, CrossCodeEval's ID-F1).

/** Whitespace at the ends and at line ends does not count: an editor would not show the difference. */
export function normalizeCode(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
}

export function exactMatch(prediction: string, reference: string): number {
  return normalizeCode(prediction) === normalizeCode(reference) ? 1 : 0;
}

/** Levenshtein distance over UTF-16 units, two rows. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length] as number;
}

/** 1 − Levenshtein / max length, on normalized text; two empty texts are identical. */
export function editSimilarity(prediction: string, reference: string): number {
  const a = normalizeCode(prediction);
  const b = normalizeCode(reference);
  const n = Math.max(a.length, b.length);
  return n === 0 ? 1 : 1 - levenshtein(a, b) / n;
}

const IDENT = /[A-Za-z_$][A-Za-z0-9_$]*/g;

export function identifiers(text: string): string[] {
  return text.match(IDENT) ?? [];
}

/**
 * F1 of the identifier multisets of prediction and reference. A reference without identifiers (a
 * number, a string) scores 1 when the prediction has none either, else 0.
 */
export function identifierMatch(prediction: string, reference: string): number {
  const p = identifiers(prediction);
  const r = identifiers(reference);
  if (r.length === 0 || p.length === 0) return r.length === p.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const x of r) counts.set(x, (counts.get(x) ?? 0) + 1);
  let common = 0;
  for (const x of p) {
    const c = counts.get(x) ?? 0;
    if (c > 0) {
      common++;
      counts.set(x, c - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / p.length;
  const recall = common / r.length;
  return (2 * precision * recall) / (precision + recall);
}

export interface CompletionScores {
  exactMatch: number;
  editSimilarity: number;
  identifierMatch: number;
}

export function scoreCompletion(prediction: string, reference: string): CompletionScores {
  return {
    exactMatch: exactMatch(prediction, reference),
    editSimilarity: editSimilarity(prediction, reference),
    identifierMatch: identifierMatch(prediction, reference),
  };
}
