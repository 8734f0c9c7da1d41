// `ropewalk tokenizer-json`: a GGUF model's vocabulary as tokenizer.json, and sample texts with the ids Ropewalk's
// tokenizer gives them, so the recipe's GPU run can check that Hugging Face's `tokenizers` agrees before it trains.

import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { readGgufSync } from '../model/gguf/gguf-file';
import { plainMetadata } from '../model/gguf-import/gguf-metadata';
import { TextTokenizer } from '../model/tokenizer';
import { GgufTokenizer, vocabFromMetadata } from '../model/tokenizers/index';
import { tokenizerJsonOf } from '../model/tokenizers/tokenizer-json';
import type { Command, CommandSpec } from './args';
import { UsageError } from './args';
import { JSON_OPTION } from './common-options';
import { InputError, requireFile } from './paths';

/** tokenizer.json read back through @huggingface/tokenizers gives other ids than the GGUF tokenizer. */
export class TokenizerJsonMismatchError extends Error {
  override readonly name = 'TokenizerJsonMismatchError';
}

/** What `--sample` writes: each text with the GGUF tokenizer's ids (special-token strings in text stay text). */
export interface TokenizerSample {
  model: string;
  pre: string | undefined;
  tokenizer: string;
  cases: { text: string; ids: number[] }[];
}

const spec: CommandSpec = {
  name: 'tokenizer-json',
  summary:
    "write a GGUF model's byte-level BPE vocabulary as tokenizer.json (and a tokenized sample)",
  operands: 'MODEL.gguf OUT.json',
  positionals: { min: 2, max: 2 },
  about: `Writes the vocabulary, merges and pre-tokenizer of MODEL.gguf (a gpt2-model vocabulary) as Hugging
Face's tokenizer.json, the form the recipe's tokenizer.py wrote. With --texts and --sample, also encodes
each text with Ropewalk's GGUF tokenizer and writes the texts with their ids, after checking that
OUT.json read back through @huggingface/tokenizers gives the same ids (exit 1 if any differs).`,
  options: [
    {
      name: 'texts',
      kind: 'string',
      value: 'FILE',
      description: 'a JSON array of strings to tokenize (needs --sample)',
    },
    {
      name: 'sample',
      kind: 'string',
      value: 'FILE',
      description: 'write {model, pre, tokenizer, cases: [{text, ids}]} for the --texts here',
    },
    JSON_OPTION,
  ],
};

function readTexts(path: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new InputError(`--texts ${path} is not JSON`, { cause });
  }
  if (!Array.isArray(value) || !value.every((t) => typeof t === 'string'))
    throw new InputError(`--texts ${path} must hold a JSON array of strings`);
  return value;
}

/** Each text's GGUF ids, checked against tokenizer.json read back by an independent implementation. */
function tokenizeSample(
  gguf: GgufTokenizer,
  jsonPath: string,
  texts: readonly string[],
): TokenizerSample['cases'] {
  const reference = TextTokenizer.load(jsonPath);
  return texts.map((text, i) => {
    const ids = gguf.encode(text);
    const other = reference.encode(text);
    if (ids.length !== other.length || ids.some((id, k) => id !== other[k]))
      throw new TokenizerJsonMismatchError(
        `text ${i} ${JSON.stringify(text.slice(0, 60))}: GGUF ids ${ids.slice(0, 12).join(' ')}…, ` +
          `tokenizer.json ${other.slice(0, 12).join(' ')}…`,
      );
    return { text, ids };
  });
}

export const tokenizerJsonCommand: Command = {
  spec,
  run(args) {
    const model = requireFile('MODEL.gguf', args.positional[0] as string);
    const out = resolve(args.positional[1] as string);
    const textsFile = args.optionalString('texts');
    const sampleFile = args.optionalString('sample');
    if ((textsFile === undefined) !== (sampleFile === undefined))
      throw new UsageError('--texts and --sample go together');
    const vocab = vocabFromMetadata(plainMetadata(readGgufSync(model)));
    const json = tokenizerJsonOf(vocab);
    writeFileSync(out, JSON.stringify(json));
    let sample: TokenizerSample | undefined;
    if (textsFile !== undefined && sampleFile !== undefined) {
      const texts = readTexts(requireFile('--texts', textsFile));
      sample = {
        model: basename(model),
        pre: vocab.pre,
        tokenizer:
          'ropewalk GgufTokenizer (src/model/tokenizers), checked against @huggingface/tokenizers',
        cases: tokenizeSample(new GgufTokenizer(vocab), out, texts),
      };
      writeFileSync(resolve(sampleFile), JSON.stringify(sample, null, 0) + '\n');
    }
    const summary = {
      out,
      tokens: vocab.tokens.length,
      merges: json.model.merges.length,
      pre: vocab.pre,
      specialTokens: json.added_tokens.length,
      sampleTexts: sample?.cases.length ?? 0,
      sampleIds: sample?.cases.reduce((n, c) => n + c.ids.length, 0) ?? 0,
    };
    if (args.flag('json')) console.log(JSON.stringify(summary));
    else
      console.log(
        `wrote ${out}: ${summary.tokens} tokens, ${summary.merges} merges, pre '${summary.pre}', ${summary.specialTokens} special` +
          (sample
            ? `; ${sampleFile}: ${summary.sampleTexts} texts, ${summary.sampleIds} ids, the same through @huggingface/tokenizers`
            : ''),
      );
    return Promise.resolve(0);
  },
};
