// Command-line options as data: each command declares what it takes, and argv is checked against it.

/** Bad input on the command line (unknown option, missing value, out of range): exit 2, one line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type OptionKind = 'flag' | 'int' | 'number' | 'string' | 'list';

export interface OptionSpec {
  name: string;
  kind: OptionKind;
  /** One line for the usage text. */
  description: string;
  /** The value's placeholder in the usage text (N, DIR, …). */
  value?: string;
  /** What a list's comma-separated items are; strings when left out. */
  item?: 'int' | 'number' | 'string';
  /** Bounds of an int or number, or of each number of a list. */
  min?: number;
  max?: number;
  /** The values a string (or each item of a list) may take. */
  choices?: readonly string[];
  default?: number | string | readonly (number | string)[];
  /** The default when it depends on something else (shown in the usage text, not applied). */
  defaultText?: string;
  required?: boolean;
}

export interface CommandSpec {
  name: string;
  /** One line for `ropewalk help`. */
  summary: string;
  /** The positional arguments as shown in the usage line, e.g. `REPO` or `[DIR]`. */
  operands?: string;
  positionals: { min: number; max: number };
  /** What the command does, a few lines, shown under the usage line. */
  about: string;
  options: readonly OptionSpec[];
}

/** One `ropewalk` command: its declaration and what it does with the checked arguments (the exit code). */
export interface Command {
  spec: CommandSpec;
  run(args: ParsedArgs): Promise<number>;
}

type Value = true | number | string | (number | string)[];

/** The checked arguments of one command; getters only for declared options. */
export class ParsedArgs {
  constructor(
    private readonly spec: CommandSpec,
    readonly positional: string[],
    private readonly values: ReadonlyMap<string, Value>,
  ) {}

  get command(): string {
    return this.spec.name;
  }

  /** Whether the option was given on the command line (defaults do not count). */
  has(name: string): boolean {
    this.option(name);
    return this.values.has(name);
  }

  flag(name: string): boolean {
    return this.get(name, 'flag') === true;
  }

  int(name: string): number {
    return this.required(name, this.get(name, 'int')) as number;
  }

  number(name: string): number {
    return this.required(name, this.get(name, 'number')) as number;
  }

  string(name: string): string {
    return this.required(name, this.get(name, 'string')) as string;
  }

  /** A string option's value, or undefined when it was not given and has no default. */
  optionalString(name: string): string | undefined {
    return this.get(name, 'string') as string | undefined;
  }

  numbers(name: string): number[] {
    return this.required(name, this.get(name, 'list')) as number[];
  }

  strings(name: string): string[] {
    return this.required(name, this.get(name, 'list')) as string[];
  }

  private option(name: string): OptionSpec {
    const o = this.spec.options.find((x) => x.name === name);
    // A command reading an option it did not declare is a bug in the command, not bad input.
    if (!o) throw new Error(`${this.spec.name} reads --${name}, which it does not declare`);
    return o;
  }

  private get(name: string, kind: OptionKind): Value | readonly (number | string)[] | undefined {
    const o = this.option(name);
    if (o.kind !== kind) throw new Error(`--${name} is declared as ${o.kind}, read as ${kind}`);
    return this.values.get(name) ?? o.default;
  }

  private required(name: string, v: unknown): unknown {
    if (v === undefined)
      throw new Error(`--${name} has no value and no default; check has() first`);
    return Array.isArray(v) ? [...(v as unknown[])] : v;
  }
}

function parseNumber(o: OptionSpec, text: string, integer: boolean): number {
  const n = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(n))
    throw new UsageError(`--${o.name} takes ${integer ? 'an integer' : 'a number'}, got '${text}'`);
  if (integer && !Number.isInteger(n))
    throw new UsageError(`--${o.name} takes an integer, got '${text}'`);
  if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
    const range =
      o.min !== undefined && o.max !== undefined ? `between ${o.min} and ${o.max}` : rangeText(o);
    throw new UsageError(`--${o.name} must be ${range}, got ${text}`);
  }
  return n;
}

/** `≥ 16`, `1 to 4096` or `≤ 1`: how the usage text and the errors state a range. */
export function rangeText(o: Pick<OptionSpec, 'min' | 'max'>): string {
  if (o.min !== undefined && o.max !== undefined) return `${o.min} to ${o.max}`;
  if (o.min !== undefined) return `≥ ${o.min}`;
  return o.max !== undefined ? `≤ ${o.max}` : '';
}

function parseChoice(o: OptionSpec, text: string): string {
  if (o.choices && !o.choices.includes(text))
    throw new UsageError(`--${o.name} takes ${o.choices.join(', ')}; got '${text}'`);
  return text;
}

function parseValue(o: OptionSpec, text: string): Value {
  switch (o.kind) {
    case 'int':
      return parseNumber(o, text, true);
    case 'number':
      return parseNumber(o, text, false);
    case 'string':
      return parseChoice(o, text);
    case 'list': {
      const items = text
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      if (items.length === 0) throw new UsageError(`--${o.name} needs at least one value`);
      const item = o.item ?? 'string';
      return items.map((x) =>
        item === 'string' ? parseChoice(o, x) : parseNumber(o, x, item === 'int'),
      );
    }
    case 'flag':
      return true;
  }
}

/** Words that ask for help wherever they appear among the options. */
export function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** A word that is an option rather than a value or operand; `-5` and `-0.5` are numbers. */
const looksLikeOption = (a: string) =>
  a.startsWith('-') && a.length > 1 && !Number.isFinite(Number(a));

/**
 * Checks argv against the command's spec: `--name value`, `--name=value`, `--flag`, operands, `--`
 * ends the options. Throws UsageError for anything the spec does not allow.
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const values = new Map<string, Value>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!looksLikeOption(a)) {
      positional.push(a);
      continue;
    }
    if (!a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const o = spec.options.find((x) => x.name === name);
    if (!o) throw new UsageError(`unknown option --${name}`);
    if (values.has(name)) throw new UsageError(`--${name} is given twice`);
    if (o.kind === 'flag') {
      if (eq >= 0) throw new UsageError(`--${name} is a flag and takes no value`);
      values.set(name, true);
      continue;
    }
    let text: string | undefined;
    if (eq >= 0) text = a.slice(eq + 1);
    else {
      const next = argv[i + 1];
      // The next word is this option's value unless it is itself an option (negative numbers are values;
      // a string that starts with a dash is given as --name=-value).
      if (next !== undefined && !looksLikeOption(next)) text = argv[++i];
    }
    if (text === undefined)
      throw new UsageError(`--${name} needs a value${o.value ? ` (${o.value})` : ''}`);
    values.set(name, parseValue(o, text));
  }
  for (const o of spec.options)
    if (o.required && !values.has(o.name)) throw new UsageError(`--${o.name} is required`);
  const { min, max } = spec.positionals;
  if (positional.length > max) throw new UsageError(`unexpected argument '${positional[max]}'`);
  if (positional.length < min)
    throw new UsageError(
      `${spec.operands ?? `${min} arguments`} ${min > 1 ? 'are' : 'is'} required`,
    );
  return new ParsedArgs(spec, positional, values);
}
