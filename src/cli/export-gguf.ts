// `ropewalk export-gguf`: a contract-2 model folder (model.onnx, tokenizer.json, model-card.json) as one
// llama-architecture GGUF file, the form Ropewalk ships and loads its own models in.

import { statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  exportGguf,
  GGUF_EXPORT_TYPE_NAMES,
  type GgufExportType,
} from '../model/gguf-export/export-gguf';
import type { Command, CommandSpec } from './args';
import { JSON_OPTION } from './common-options';
import { requireFolder } from './paths';

const spec: CommandSpec = {
  name: 'export-gguf',
  summary: 'write a contract-2 model folder (model.onnx, tokenizer.json) as one GGUF file',
  operands: 'DIR OUT.gguf',
  positionals: { min: 2, max: 2 },
  about: `Writes the model in DIR (model.onnx as models/recipe/export.py writes it, tokenizer.json,
model-card.json) to OUT.gguf: weights in llama.cpp's llama layout (F32, or with --type q8_0 every
matrix whose rows are whole 32-weight blocks as Q8_0, the tied embedding included, norms F32), the
tokenizer as a gpt2 vocabulary, and the model card as ropewalk.card (for Q8_0 it states the golden
cases' tolerance for quantized weights). When DIR has golden.json, the GGUF tokenizer must give the
ids recorded there. Ropewalk loads a folder holding model.gguf by building it like any GGUF file.`,
  options: [
    {
      name: 'type',
      kind: 'string',
      value: 'T',
      choices: GGUF_EXPORT_TYPE_NAMES,
      default: 'f32',
      description: 'weight type of the matrices',
    },
    {
      name: 'card',
      kind: 'string',
      value: 'FILE',
      description:
        'also write the card the GGUF carries to FILE (a model folder’s model-card.json)',
    },
    JSON_OPTION,
  ],
};

export const exportGgufCommand: Command = {
  spec,
  run(args) {
    const dir = requireFolder(args.positional[0] as string);
    const out = resolve(args.positional[1] as string);
    const result = exportGguf(dir, out, args.string('type') as GgufExportType);
    const cardFile = args.optionalString('card');
    if (cardFile !== undefined)
      writeFileSync(resolve(cardFile), JSON.stringify(result.card, null, 1) + '\n');
    const bytes = statSync(out).size;
    if (args.flag('json')) {
      const { card: _card, ...summary } = result;
      console.log(JSON.stringify({ ...summary, bytes }));
    } else {
      console.log(
        `wrote ${out}: ${result.card.name}, ${(result.parameters / 1e6).toFixed(2)}M parameters in ${result.tensors} tensors (${Object.entries(
          result.weightTypes,
        )
          .map(([t, n]) => `${t}×${n}`)
          .join(
            ' ',
          )}), ${(bytes / 1e6).toFixed(1)} MB; tokenizer pre '${result.pre}', ${result.tokenizerCasesChecked} golden texts tokenized as the recipe did`,
      );
    }
    return Promise.resolve(0);
  },
};
