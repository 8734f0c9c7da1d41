// Usage text made from the commands' option declarations, so that what is printed is what is checked.

import { rangeText, type CommandSpec, type OptionSpec } from './args';

const WIDTH = 100;

const placeholder = (o: OptionSpec) =>
  o.value ??
  (o.kind === 'int' || o.kind === 'number' ? 'N' : o.kind === 'list' ? 'A,B,…' : 'VALUE');

function optionWords(o: OptionSpec): string {
  return o.kind === 'flag' ? `--${o.name}` : `--${o.name} ${placeholder(o)}`;
}

/** The description with what the spec adds: choices, range, default, required. */
function optionText(o: OptionSpec): string {
  const extra: string[] = [];
  if (o.choices) extra.push(o.choices.join('|'));
  const range = rangeText(o);
  if (range) extra.push(o.kind === 'list' ? `each ${range}` : range);
  if (o.required) extra.push('required');
  else if (o.default !== undefined)
    extra.push(`default ${Array.isArray(o.default) ? o.default.join(',') : String(o.default)}`);
  else if (o.defaultText) extra.push(`default ${o.defaultText}`);
  return extra.length ? `${o.description} (${extra.join('; ')})` : o.description;
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

function optionRows(options: readonly OptionSpec[]): string[] {
  const all = [
    ...options.map((o) => ({ words: optionWords(o), text: optionText(o) })),
    { words: '--help, -h', text: 'this text' },
  ];
  const col = Math.min(26, Math.max(...all.map((r) => r.words.length)) + 4);
  return all.flatMap(({ words, text }) => {
    const [first = '', ...more] = wrap(text, WIDTH - col);
    const head =
      words.length + 4 > col
        ? [`  ${words}`, `${' '.repeat(col)}${first}`]
        : [`  ${words.padEnd(col - 2)}${first}`];
    return [...head, ...more.map((l) => `${' '.repeat(col)}${l}`)];
  });
}

export function commandUsage(spec: CommandSpec): string {
  const required = spec.options.filter((o) => o.required).map(optionWords);
  const line = [
    'usage: ropewalk',
    spec.name,
    ...required,
    ...(spec.operands ? [spec.operands] : []),
    '[options]',
  ].join(' ');
  const about = spec.about
    .trim()
    .split(/\n\s*\n/)
    .map((p) => wrap(p, WIDTH).join('\n'))
    .join('\n\n');
  return `${line}\n\n${about}\n\noptions:\n${optionRows(spec.options).join('\n')}\n`;
}

export function commandList(specs: readonly CommandSpec[]): string {
  const width = Math.max(...specs.map((s) => s.name.length)) + 2;
  const rows = specs.map((s) => `  ${s.name.padEnd(width)}${s.summary}`);
  return `usage: ropewalk <command> [options]\n\ncommands:\n${rows.join('\n')}\n\n'ropewalk help <command>' (or <command> --help) shows a command's options.\n`;
}
