"""Writes a Ropewalk checkpoint as a llama-architecture GGUF, to time llama.cpp on the same model.

Used only for the side-by-side speed run (scripts/vs-llama-cpp.sh); needs the gguf-py package of a
llama.cpp source checkout, passed by path. Nothing of llama.cpp is part of Ropewalk.

Usage: python3 to_gguf.py LLAMA_CPP_DIR CHECKPOINT TOKENIZER_JSON OUT.gguf
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(sys.argv[1]) / "gguf-py"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import gguf  # noqa: E402

from model import load_checkpoint  # noqa: E402

ckpt, tok_path, out = sys.argv[2], sys.argv[3], sys.argv[4]
m, _ = load_checkpoint(Path(ckpt))
c = m.cfg
w = gguf.GGUFWriter(out, 'llama')
w.add_name('ropewalk'); w.add_block_count(c.n_layers); w.add_context_length(32768)
w.add_embedding_length(c.dim); w.add_feed_forward_length(c.ffn_dim); w.add_head_count(c.n_heads)
w.add_head_count_kv(c.n_kv_heads); w.add_rope_freq_base(c.rope_theta); w.add_layer_norm_rms_eps(c.norm_eps)
w.add_rope_dimension_count(c.head_dim); w.add_file_type(gguf.LlamaFileType.ALL_F32)
tj = json.loads(Path(tok_path).read_text())
vocab = tj['model']['vocab']; toks = [None] * len(vocab)
for t, i in vocab.items(): toks[i] = t
specials = {a['id'] for a in tj['added_tokens']}
w.add_tokenizer_model('gpt2'); w.add_tokenizer_pre('default'); w.add_token_list(toks)
w.add_token_types([gguf.TokenType.CONTROL if i in specials else gguf.TokenType.NORMAL for i in range(len(toks))])
w.add_token_merges(tj['model']['merges']); w.add_bos_token_id(0); w.add_eos_token_id(0)
def perm(x, heads):  # rotate-half (HF) → llama.cpp's interleaved pairs
    return x.reshape(heads, 2, x.shape[0] // heads // 2, *x.shape[1:]).swapaxes(1, 2).reshape(x.shape)
sd = {k: v.float().numpy() for k, v in m.state_dict().items()}
w.add_tensor('token_embd.weight', sd['embed.weight'])
for i in range(c.n_layers):
    p = f'layers.{i}.'
    w.add_tensor(f'blk.{i}.attn_norm.weight', sd[p + 'attn_norm.weight'])
    w.add_tensor(f'blk.{i}.attn_q.weight', perm(sd[p + 'attn.wq.weight'], c.n_heads))
    w.add_tensor(f'blk.{i}.attn_k.weight', perm(sd[p + 'attn.wk.weight'], c.n_kv_heads))
    w.add_tensor(f'blk.{i}.attn_v.weight', sd[p + 'attn.wv.weight'])
    w.add_tensor(f'blk.{i}.attn_output.weight', sd[p + 'attn.wo.weight'])
    w.add_tensor(f'blk.{i}.ffn_norm.weight', sd[p + 'ffn_norm.weight'])
    w.add_tensor(f'blk.{i}.ffn_gate.weight', sd[p + 'w1.weight'])
    w.add_tensor(f'blk.{i}.ffn_up.weight', sd[p + 'w3.weight'])
    w.add_tensor(f'blk.{i}.ffn_down.weight', sd[p + 'w2.weight'])
w.add_tensor('output_norm.weight', sd['norm.weight'])
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
print('wrote', out)
