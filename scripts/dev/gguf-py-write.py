# Writes a GGUF with gguf-py (every value type, a 151,936-token vocabulary, each weight type we read) and dumps what it wrote as JSON.
import json, sys
import numpy as np
import gguf
from gguf import GGUFWriter, GGUFValueType as V, GGMLQuantizationType as Q

path = sys.argv[1]
w = GGUFWriter(path, 'qwen2')
meta = {'general.architecture': 'qwen2'}
def add(key, val, vtype, sub=None):
    w.add_key_value(key, val, vtype, sub)
    meta[key] = val
add('t.u8', 255, V.UINT8); add('t.i8', -128, V.INT8); add('t.u16', 65535, V.UINT16); add('t.i16', -32768, V.INT16)
add('t.u32', 4294967295, V.UINT32); add('t.i32', -2147483648, V.INT32); add('t.f32', 0.25, V.FLOAT32)
add('t.f64', 3.5, V.FLOAT64); add('t.bool', True, V.BOOL); add('t.u64', 2**53, V.UINT64); add('t.i64', -2**53, V.INT64)
add('t.str', 'Ġhello ｜fim▁begin｜', V.STRING)
add('a.i32', [1, -2, 3], V.ARRAY, V.INT32); add('a.f32', [0.5, -1.0], V.ARRAY, V.FLOAT32)
add('a.bool', [True, False], V.ARRAY, V.BOOL)
tokens = [f'tok{i}' for i in range(151936)]
add('tokenizer.ggml.tokens', tokens, V.ARRAY, V.STRING)
add('tokenizer.ggml.merges', [f'a{i} b{i}' for i in range(151387)], V.ARRAY, V.STRING)
add('tokenizer.ggml.token_type', [1] * 151936, V.ARRAY, V.INT32)
rng = np.random.default_rng(1)
tensors = []
def tensor(name, qtype, dims, data, source=None):
    w.add_tensor(name, data, raw_dtype=qtype)  # quantized data is given in its byte shape
    values = gguf.quants.dequantize(data, qtype).reshape(-1).astype(np.float32)
    t = {'name': name, 'type': int(qtype), 'dims': dims, 'values': values.tolist()}
    if source is not None: t['quantizedFrom'] = source.reshape(-1).tolist()
    tensors.append(t)
x = rng.standard_normal((4, 256)).astype(np.float32)
tensor('f32', Q.F32, [256, 4], x)
tensor('f16', Q.F16, [256, 4], x.astype(np.float16))
tensor('bf16', Q.BF16, [256, 4], gguf.quants.quantize(x, Q.BF16))
tensor('q8_0', Q.Q8_0, [256, 4], gguf.quants.quantize(x, Q.Q8_0), x)
tensor('q4_0', Q.Q4_0, [256, 4], gguf.quants.quantize(x, Q.Q4_0), x)
for qtype in (Q.Q4_1, Q.Q5_0, Q.Q5_1):  # what K-quant files fall back to for rows not a multiple of 256
    tensor(qtype.name.lower(), qtype, [256, 4], gguf.quants.quantize(x, qtype))
for qtype, size, dpos in [(Q.Q4_K, 144, [0, 2]), (Q.Q5_K, 176, [0, 2]), (Q.Q6_K, 210, [208])]:
    raw = rng.integers(0, 256, (4, size), dtype=np.uint8)
    for p in dpos: raw[:, p:p + 2] = np.frombuffer(np.float16(0.01).tobytes(), np.uint8)
    tensor(qtype.name.lower(), qtype, [256, 4], raw)
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
from gguf import GGUFReader
r = GGUFReader(path)
for t in tensors:
    rt = next(x for x in r.tensors if x.name == t['name'])
    t['offset'] = int(rt.data_offset); t['nbytes'] = int(rt.n_bytes)
print(json.dumps({'metadata': meta, 'tensors': tensors}))
