# Writes a tiny random-weight llama-architecture GGUF that carries another GGUF's vocabulary (a tokenizer
# test vocabulary such as llama.cpp's models/ggml-vocab-deepseek-coder.gguf), so that llama-server can
# load it and build /infill prompts with it. Dev tool for scripts/dev/infill-vs-llama-server.mjs.
"""Usage: PYTHONPATH=LLAMA_DIR/gguf-py python3 vocab-model.py VOCAB.gguf OUT.gguf [--as codellama|codegemma]

--as codellama: Llama 2's SentencePiece vocabulary with Code Llama's 16 added tokens (▁<PRE> 32007,
▁<SUF> 32008, ▁<MID> 32009, ▁<EOT> 32010; the rest unused), as in CodeLlama's tokenizer.
--as codegemma: the same vocabulary without SentencePiece's leading space and with CodeGemma's FIM tokens
(<|fim_prefix|>, <|fim_middle|>, <|fim_suffix|>, <|file_separator|>) appended as user-defined tokens:
a stand-in, since llama.cpp's checkout has no Gemma vocabulary.
"""

import argparse

import numpy as np
import gguf
from gguf import GGUFValueType as V

CODELLAMA_ADDED = {32007: "▁<PRE>", 32008: "▁<SUF>", 32009: "▁<MID>", 32010: "▁<EOT>"}
CODEGEMMA_ADDED = ["<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|file_separator|>"]


def field_value(field):
    """A reader field as (value, type, item type) for GGUFWriter.add_key_value."""
    vtype = field.types[0]
    if vtype == V.ARRAY:
        return list(field.contents()), V.ARRAY, field.types[-1]
    return field.contents(), vtype, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vocab")
    ap.add_argument("out")
    ap.add_argument("--as", dest="as_", choices=["codellama", "codegemma"])
    a = ap.parse_args()
    r = gguf.GGUFReader(a.vocab)
    kv = {k: field_value(f) for k, f in r.fields.items() if k.startswith("tokenizer.")}

    tokens = list(kv["tokenizer.ggml.tokens"][0])
    types = list(kv["tokenizer.ggml.token_type"][0])
    scores = list(kv["tokenizer.ggml.scores"][0]) if "tokenizer.ggml.scores" in kv else None
    if a.as_ == "codellama":
        for i in range(32000, 32016):
            tokens.append(CODELLAMA_ADDED.get(i, f"▁<PAD{i}>"))
            types.append(gguf.TokenType.CONTROL if i in CODELLAMA_ADDED else gguf.TokenType.UNUSED)
            if scores is not None:
                scores.append(0.0)
    elif a.as_ == "codegemma":
        for t in CODEGEMMA_ADDED:
            tokens.append(t)
            types.append(gguf.TokenType.USER_DEFINED)
            if scores is not None:
                scores.append(0.0)
        kv["tokenizer.ggml.add_space_prefix"] = (False, V.BOOL, None)
    kv["tokenizer.ggml.tokens"] = (tokens, V.ARRAY, V.STRING)
    kv["tokenizer.ggml.token_type"] = (types, V.ARRAY, V.INT32)
    if scores is not None:
        kv["tokenizer.ggml.scores"] = (scores, V.ARRAY, V.FLOAT32)

    d, ff, nv = 64, 128, len(tokens)
    rng = np.random.default_rng(1)
    w = gguf.GGUFWriter(a.out, "llama")
    w.add_name(f"vocab-model-{a.as_ or r.fields['general.name'].contents()}")
    w.add_context_length(4096)
    w.add_embedding_length(d)
    w.add_block_count(1)
    w.add_feed_forward_length(ff)
    w.add_head_count(4)
    w.add_head_count_kv(4)
    w.add_rope_dimension_count(d // 4)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(nv)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    for k, (value, vtype, sub) in kv.items():
        w.add_key_value(k, value, vtype, sub)

    def mat(rows, cols):
        return (rng.standard_normal((rows, cols)) / np.sqrt(cols)).astype(np.float32)

    w.add_tensor("token_embd.weight", mat(nv, d))
    w.add_tensor("output_norm.weight", np.ones(d, dtype=np.float32))
    b = "blk.0."
    w.add_tensor(b + "attn_norm.weight", np.ones(d, dtype=np.float32))
    for n in ["attn_q", "attn_k", "attn_v", "attn_output"]:
        w.add_tensor(b + n + ".weight", mat(d, d))
    w.add_tensor(b + "ffn_norm.weight", np.ones(d, dtype=np.float32))
    w.add_tensor(b + "ffn_gate.weight", mat(ff, d))
    w.add_tensor(b + "ffn_up.weight", mat(ff, d))
    w.add_tensor(b + "ffn_down.weight", mat(d, ff))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
