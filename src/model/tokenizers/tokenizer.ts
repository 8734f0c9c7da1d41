// The tokenizer surface the prompt builder and generator use, shared by tokenizer.json and GGUF vocabularies.

export interface Tokenizer {
  /** Special-token text → id. */
  readonly special: Readonly<Record<string, number>>;
  /** Ids of plain text: special-token strings inside code are not treated as special. */
  encode(text: string): number[];
  decode(ids: number[]): string;
}
