// Splits text into words the way llama.cpp's unicode_regex_split does, category quirks included.
//
// llama.cpp runs regexes that use \p{..} on a "collapsed" text: every non-ASCII code point becomes
// one stand-in per category (whitespace → \v, letters → \xD2, ...), and \p{L} becomes [\xD2A-Za-z].
// Doing the same here (rather than using JS's own \p{..}) reproduces its edges: ASCII '~' is not
// \p{S}, U+0085 is whitespace, code points outside its categories match no class.

const WHITESPACE = new Set([
  0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
  0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

// Stand-ins and the ASCII members of each category, as llama.cpp's k_ucat_cpt / k_ucat_map.
const CATEGORIES: Record<string, { standIn: string; ascii: string; test: RegExp }> = {
  N: { standIn: '\u00d1', ascii: '0-9', test: /^\p{N}$/u },
  L: { standIn: '\u00d2', ascii: 'A-Za-z', test: /^\p{L}$/u },
  P: { standIn: '\u00d3', ascii: '!-#%-*,-/:-;?-@\\[-\\]_\\{\\}', test: /^\p{P}$/u },
  M: { standIn: '\u00d4', ascii: '', test: /^\p{M}$/u },
  S: { standIn: '\u00d5', ascii: '\\$\\+<->^`\\|', test: /^\p{S}$/u },
};
const SUBCATEGORY_OF: Record<string, string> = {
  N: 'N',
  L: 'L',
  P: 'P',
  M: 'M',
  S: 'S',
  Lu: 'L',
  Ll: 'L',
  Lt: 'L',
  Lm: 'L',
  Lo: 'L',
};
const FALLBACK = '\u00d0';
const CATEGORY_ORDER = ['L', 'N', 'M', 'P', 'S'] as const;

const collapsedCache = new Map<number, string>();

function collapseCodePoint(cp: number): string {
  if (cp < 128) return String.fromCharCode(cp);
  let c = collapsedCache.get(cp);
  if (c === undefined) {
    c = FALLBACK;
    if (WHITESPACE.has(cp)) c = '\v';
    else {
      const ch = String.fromCodePoint(cp);
      for (const k of CATEGORY_ORDER) {
        const cat = CATEGORIES[k]!;
        if (cat.test.test(ch)) {
          c = cat.standIn;
          break;
        }
      }
    }
    collapsedCache.set(cp, c);
  }
  return c;
}

function usesCategories(regex: string): boolean {
  return /\\p\{(N|L|P|M|S|Lu|Ll|Lt|Lm|Lo)\}/.test(regex);
}

/** Rewrites \p{X} into the collapsed stand-in plus X's ASCII members, as llama.cpp does. */
function collapseRegex(regex: string): string {
  let out = '';
  let inside = false;
  for (let i = 0; i < regex.length; i++) {
    const ch = regex[i]!;
    if (ch === '[' && (i === 0 || regex[i - 1] !== '\\')) {
      inside = true;
      out += ch;
      continue;
    }
    if (inside && ch === ']' && regex[i - 1] !== '\\') {
      inside = false;
      out += ch;
      continue;
    }
    const m = /^\\p\{(\w+)\}/.exec(regex.slice(i, i + 8));
    const key = m ? SUBCATEGORY_OF[m[1]!] : undefined;
    if (m && key) {
      const cat = CATEGORIES[key]!;
      out += inside ? cat.standIn + cat.ascii : `[${cat.standIn}${cat.ascii}]`;
      i += m[0].length - 1;
      continue;
    }
    out += ch;
  }
  return out;
}

/** One regex of a pre-tokenizer, compiled for the text form it runs on. */
interface CompiledSplit {
  regex: RegExp;
  collapsed: boolean;
}

const compiledCache = new Map<string, CompiledSplit>();

function compile(regex: string): CompiledSplit {
  let c = compiledCache.get(regex);
  if (!c) {
    const collapsed = usesCategories(regex);
    c = { regex: new RegExp(collapsed ? collapseRegex(regex) : regex, 'gu'), collapsed };
    compiledCache.set(regex, c);
  }
  return c;
}

/** The code points of a text and the two forms llama.cpp matches against. */
class SplitText {
  /** UTF-16 offset of each code point, plus the end. */
  readonly unitAt: Int32Array;
  readonly collapsed: string;
  /** The text with non-ASCII whitespace as \v (what llama.cpp's wregex path sees). */
  readonly plain: string;
  private unitToCp?: Int32Array;

  constructor(readonly text: string) {
    const unitAt: number[] = [];
    let collapsed = '';
    let plain = '';
    for (let u = 0; u < text.length;) {
      const cp = text.codePointAt(u)!;
      unitAt.push(u);
      const c = collapseCodePoint(cp);
      collapsed += c;
      const n = cp > 0xffff ? 2 : 1;
      plain += c === '\v' ? '\v' : text.slice(u, u + n);
      u += n;
    }
    unitAt.push(text.length);
    this.unitAt = Int32Array.from(unitAt);
    this.collapsed = collapsed;
    this.plain = plain;
  }

  get cpCount(): number {
    return this.unitAt.length - 1;
  }

  /** Code point index of a UTF-16 offset in `plain` (same offsets as the text). */
  cpOfUnit(unit: number): number {
    if (!this.unitToCp) {
      this.unitToCp = new Int32Array(this.text.length + 1);
      for (let i = 0; i < this.unitAt.length; i++) this.unitToCp[this.unitAt[i]!] = i;
    }
    return this.unitToCp[unit]!;
  }
}

/** Splits each [start, end) code-point piece by one regex; matches and the gaps between them become pieces. */
function splitPieces(t: SplitText, split: CompiledSplit, pieces: readonly number[]): number[] {
  const out: number[] = [];
  let start = 0;
  for (const len of pieces) {
    const from = split.collapsed ? start : t.unitAt[start]!;
    const to = split.collapsed ? start + len : t.unitAt[start + len]!;
    const subject = (split.collapsed ? t.collapsed : t.plain).slice(from, to);
    const toCp = (u: number) => (split.collapsed ? start + u : t.cpOfUnit(from + u));
    let last = start;
    split.regex.lastIndex = 0;
    for (let m = split.regex.exec(subject); m; m = split.regex.exec(subject)) {
      if (m[0].length === 0) {
        split.regex.lastIndex++;
        continue;
      }
      const a = toCp(m.index);
      const b = toCp(m.index + m[0].length);
      if (a > last) out.push(a - last);
      out.push(b - a);
      last = b;
    }
    if (start + len > last) out.push(start + len - last);
    start += len;
  }
  return out;
}

/** The words llama.cpp's pre-tokenizer makes of a text, as substrings of it. */
export function regexSplit(text: string, regexes: readonly string[]): string[] {
  if (text.length === 0) return [];
  const t = new SplitText(text);
  let pieces = [t.cpCount];
  for (const r of regexes) pieces = splitPieces(t, compile(r), pieces);
  const words: string[] = [];
  let start = 0;
  for (const len of pieces) {
    words.push(text.slice(t.unitAt[start], t.unitAt[start + len]));
    start += len;
  }
  return words;
}
