// The prompt-side modules gathered for scripts/dev/infill-vs-llama-server.mjs, which bundles them on the fly.
export { readGguf } from '../../src/model/gguf/gguf-file';
export { plainMetadata } from '../../src/model/gguf-import/gguf-metadata';
export { GgufTokenizer, vocabFromMetadata } from '../../src/model/tokenizers/index';
export { promptTokenizer } from '../../src/model/tokenizers/load-tokenizer';
export { packPrompt } from '../../src/packing/pack';
export { encodeText, PREFIX, SUFFIX, templateFor } from '../../src/packing/templates';
