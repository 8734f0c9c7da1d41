// The GGUF modules gathered for scripts/dev/gguf-vs-gguf-py.mjs, which bundles them on the fly.
export { readGguf, readTensor } from '../../src/model/gguf/gguf-file';
export { writeGguf } from '../../src/model/gguf/gguf-writer';
export { dequantize, quantize } from '../../src/model/gguf/ggml-types';
