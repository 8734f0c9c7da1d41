// GPT-2's byte ↔ printable-character table: byte-level BPE vocabularies spell every byte as one character.

const BYTE_TO_CHAR: string[] = [];
const CHAR_TO_BYTE = new Map<string, number>();

{
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable =
      (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    const ch = String.fromCharCode(printable ? b : 256 + extra++);
    BYTE_TO_CHAR[b] = ch;
    CHAR_TO_BYTE.set(ch, b);
  }
}

const utf8 = new TextEncoder();

/** A word's UTF-8 bytes spelled with the byte characters. */
export function byteEncode(word: string): string {
  let out = '';
  for (const b of utf8.encode(word)) out += BYTE_TO_CHAR[b]!;
  return out;
}

/** The character spelling a byte. */
export function byteChar(b: number): string {
  return BYTE_TO_CHAR[b]!;
}

/** Appends the bytes a byte-level token spells; characters outside the table are kept as their UTF-8. */
export function pushTokenBytes(text: string, out: number[]): void {
  for (const ch of text) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b !== undefined) out.push(b);
    else for (const x of utf8.encode(ch)) out.push(x);
  }
}
