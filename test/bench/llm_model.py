#!/usr/bin/python3
"""The LLM benchmark's models: a real model's shapes with random weights of one type, or
of one of llama.cpp's mixes, written fast. A library and a CLI; numpy only.

  test/bench/llm_model.py OUT.gguf [--model qwen2.5-1.5b|qwen2.5-0.5b|qwen3-1.7b|gemma3-1b|gemma2-2b|phi3-mini|
                                    phi4-mini|tinyllama-1.1b|llama3.2-1b|llama3.1-8b]
                          --type TYPE
                          [--seed 0] [--set n_layer=4 ...]

Models (MODELS): qwen2.5-1.5b (default; qwen2: 28 layers, n_embd 1536, 12 query heads and 2
KV heads of 128, FFN 8960, vocabulary 151936, tied embedding, QKV biases), qwen2.5-0.5b
(qwen2: 24 layers, n_embd 896, 14 query heads and 2 KV heads of 64, FFN 4864; its 896-wide
matrices take the 32-element types only, or in a mix llama.cpp's 32-element fallbacks), qwen3-1.7b (qwen3: 28 layers, n_embd 2048, 16
query heads and 8 KV heads of 128 (wider than n_embd / heads), per-head q/k norms, FFN
6144, vocabulary 151936, tied embedding), gemma3-1b (gemma3: 26 layers, 22 of them local
with a window of 512, n_embd 1152, 4 query heads over 1 KV head of 256, FFN 6912,
vocabulary 262144, tied embedding; the 32-element types only, or a mix as for qwen2.5-0.5b), gemma2-2b (gemma2: 26
layers, every other one local with a window of 4096, n_embd 2304, 8 query heads over 4 KV
heads of 256, FFN 9216, vocabulary 256000, tied embedding, soft caps 50 and 30), phi3-mini
(phi3: 32 layers, n_embd 3072, 32 query and 32 KV heads of 96, q/k/v in one matrix and the
FFN's gate and up in one, FFN 8192, vocabulary 32064, separate head), phi4-mini (phi3: 32
layers, n_embd 3072, 24 query heads and 8 KV heads of 128, RoPE on 96 of each head's 128
values, fused q/k/v and gate/up, FFN 8192, vocabulary 200064, tied embedding), tinyllama-1.1b
(llama: 22 layers, n_embd 2048, 32 query heads and 4 KV heads of 64, FFN 5632, vocabulary
32000, separate output head, SentencePiece) and llama3.2-1b (llama: 16 layers, n_embd 2048,
32 query heads and 8 KV heads of 64, FFN 8192, vocabulary 128256, tied embedding,
byte-level BPE) and llama3.1-8b (llama: 32 layers, n_embd 4096, 32 query heads and 8 KV
heads of 128, FFN 14336, vocabulary 128256, separate output head, byte-level BPE; 4.5 GB
in Q4_0), each tokenizer as test/e2e/gguf_models.py writes it. TYPE: any of gguf_models' weight types (every matrix
and the embedding in it), or a mix (gguf_models.MIXES) as llama.cpp's quantizer writes
for its Q4_K_M and Q5_K_M files: Q4_K (Q5_K) everywhere but Q6_K for the head
(output.weight, or the embedding when it is also the head) and for attn_v and ffn_down in
the layers llama.cpp's use_more_bits picks (the first and last eighth and every third
layer between: 14 of Qwen2.5-1.5B's 28), as real Q4_K_M downloads hold them.

The file is what test/e2e/gguf_models.py writes for these shapes (same tensors, names,
metadata, tokenizer vocabulary and weight scales; it reuses that module's shape and
vocabulary) except for how the random matrices are made: quantizing 1.5 billion numpy
floats with gguf_models.write_model takes minutes and ~10 GB, so here each matrix role
(attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down) is drawn once and
quantized once in each type it takes, and its bytes are written for every layer, its rows
rotated by the layer index (no two layers hold equal bytes: edgec stores equal constants
once), and the embedding (and a separate head) is 4096 random rows quantized once and
repeated down the vocabulary. Norms and biases are drawn per layer. Speed does not depend
on the values, and every byte still sits at its own offset in the file, so each engine
reads all of them for every decoded token. Tensor data is streamed to the file; a 1.5B
model takes seconds and ~0.3 GB of memory.
"""
import argparse
import collections
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import gguf_models  # noqa: E402
from gguf_models import gguf_writer  # noqa: E402

# name: (architecture, tokenizer (gguf_models.add_metadata's vocab), shapes from the
# model's config.json / GGUF metadata).
MODELS = {
    # Issue 12's benchmark model.
    "qwen2.5-1.5b": ("qwen2", "bpe", dict(n_vocab=151936, n_embd=1536, n_layer=28, n_head=12, n_head_kv=2,
                                          n_ff=8960, n_ctx=32768, rope_base=1000000.0, eps=1e-6, tied=True)),
    # Qwen2.5-0.5B: the smallest model people ship to phones and boards; heads of 64 in
    # groups of 7 (more than the AVX-512 attention's 6 a block), n_embd 896, not a whole
    # number of K-quant super-blocks (as in llama.cpp's own files, K-quant types do not fit
    # its 896-wide matrices: use the 32-element types), a tied head of 151936 rows (a third
    # of the bytes in Q8_0).
    "qwen2.5-0.5b": ("qwen2", "bpe", dict(n_vocab=151936, n_embd=896, n_layer=24, n_head=14, n_head_kv=2,
                                          n_ff=4864, n_ctx=32768, rope_base=1000000.0, eps=1e-6, tied=True)),
    # Qwen3-1.7B: heads of 128 over n_embd 2048 (q 2048 wide, k and v 1024), groups of 2,
    # each head's q and k RMS-normalized before RoPE, a tied head of 151936 rows.
    "qwen3-1.7b": ("qwen3", "bpe", dict(n_vocab=151936, n_embd=2048, n_layer=28, n_head=16, n_head_kv=8,
                                        n_ff=6144, n_ctx=40960, rope_base=1000000.0, eps=1e-6, tied=True,
                                        head_dim=128)),
    # Gemma-3-1B: 4 query heads over 1 KV head of 256, n_embd 1152 (not a whole number of
    # K-quant super-blocks: the 32-element types only, as in llama.cpp's own files), a tied
    # head of 262144 rows (Q8_0: 320 MB, a third of the bytes), 22 of its 26 layers local
    # with a window of 512 positions.
    "gemma3-1b": ("gemma3", "spm", dict(n_vocab=262144, n_embd=1152, n_layer=26, n_head=4, n_head_kv=1,
                                        n_ff=6912, n_ctx=32768, rope_base=1000000.0, eps=1e-6, tied=True,
                                        head_dim=256, window=512)),
    # Gemma-2-2B: 8 query heads over 4 KV heads of 256, n_embd 2304 (nine K-quant
    # super-blocks), every other layer local with a window of 4096, soft caps of 50 on the
    # attention scores and 30 on the logits, a tied head of 256000 rows.
    "gemma2-2b": ("gemma2", "spm", dict(n_vocab=256000, n_embd=2304, n_layer=26, n_head=8, n_head_kv=4,
                                        n_ff=9216, n_ctx=8192, rope_base=10000.0, eps=1e-6, tied=True,
                                        head_dim=256, window=4096, attn_softcap=50.0, final_softcap=30.0)),
    # Phi-3-mini (3.8B; Phi-3.5-mini has the same shapes): 32 heads of 96, as many KV heads,
    # q/k/v in one matrix (9216 rows) and the FFN's gate and up in one (16384 rows), a
    # separate head of 32064 rows, SentencePiece; its LongRoPE factors are left out (speed
    # does not depend on them).
    "phi3-mini": ("phi3", "spm", dict(n_vocab=32064, n_embd=3072, n_layer=32, n_head=32, n_head_kv=32,
                                      n_ff=8192, n_ctx=4096, rope_base=10000.0, eps=1e-5, tied=False)),
    # Phi-4-mini (3.8B): 24 query heads over 8 KV heads of 128, RoPE on 96 of each head's
    # 128 values, q/k/v in one matrix (5120 rows), gate and up in one (16384), a tied head of
    # 200064 rows (a seventh of the bytes a token reads in Q4_0); a byte-level BPE test
    # vocabulary (its own is GPT-4o's, pre-tokenizer "gpt-4o"); LongRoPE factors left out.
    "phi4-mini": ("phi3", "bpe", dict(n_vocab=200064, n_embd=3072, n_layer=32, n_head=24, n_head_kv=8,
                                      n_ff=8192, n_ctx=131072, rope_base=10000.0, eps=1e-5, tied=True,
                                      rope_dims=96)),
    # TinyLlama-1.1B: heads of 64, groups of 8 query heads, a separate head, SentencePiece.
    "tinyllama-1.1b": ("llama", "spm", dict(n_vocab=32000, n_embd=2048, n_layer=22, n_head=32, n_head_kv=4,
                                            n_ff=5632, n_ctx=2048, rope_base=10000.0, eps=1e-5, tied=False)),
    # Llama-3.2-1B: heads of 64 in groups of 4, a tied head of 128256 rows (a quarter of the
    # bytes), byte-level BPE ("llama-bpe"); its rope scaling is left out (speed does not
    # depend on it).
    "llama3.2-1b": ("llama", "bpe", dict(n_vocab=128256, n_embd=2048, n_layer=16, n_head=32, n_head_kv=8,
                                         n_ff=8192, n_ctx=131072, rope_base=500000.0, eps=1e-5, tied=True)),
    # Llama-3.1-8B: the size a phone or a board runs at 4 bits (4.7 GB in Q4_0), where each
    # matrix is 58-235 MB and a step's small ops and attention matter least; heads of 128
    # in groups of 4, a separate head of 128256 rows; rope scaling left out as above.
    "llama3.1-8b": ("llama", "bpe", dict(n_vocab=128256, n_embd=4096, n_layer=32, n_head=32, n_head_kv=8,
                                         n_ff=14336, n_ctx=131072, rope_base=500000.0, eps=1e-5, tied=False)),
    # Qwen3-30B-A3B: a mixture of experts (qwen3moe), 128 experts of which a token runs 8,
    # each an FFN of 768; qwen3's attention (32 query heads over 4 KV heads of 128, q/k
    # norms) over n_embd 2048, a separate head of 151936 rows; 3.3B of its 30.5B weights a
    # token (17 GB in Q4_0).
    "qwen3-30b-a3b": ("qwen3moe", "bpe", dict(n_vocab=151936, n_embd=2048, n_layer=48, n_head=32, n_head_kv=4,
                                              n_ff=6144, n_ctx=40960, rope_base=1000000.0, eps=1e-6, tied=False,
                                              head_dim=128, n_expert=128, n_expert_used=8, n_ff_exp=768)),
    # The same with 16 of its 48 layers (a third of the bytes: 6 GB in Q4_0), for machines
    # whose memory does not hold both the file and the package of the whole model.
    "qwen3-30b-a3b-16l": ("qwen3moe", "bpe", dict(n_vocab=151936, n_embd=2048, n_layer=16, n_head=32, n_head_kv=4,
                                                  n_ff=6144, n_ctx=40960, rope_base=1000000.0, eps=1e-6, tied=False,
                                                  head_dim=128, n_expert=128, n_expert_used=8, n_ff_exp=768)),
}
TYPES = gguf_models.WEIGHT_TYPES + list(gguf_models.MIXES)
EMBD_ROWS = 4096  # distinct embedding rows, repeated to n_vocab


def _tensors(arch, wtype, seed, shape):
    """[(name, ggml type, ne, data)] in gguf_models' order, data a bytes object or a tuple of
    parts written one after the other; the big matrices' bytes are shared between layers, each
    layer's rows rotated (views of the same bytes)."""
    rng = np.random.default_rng(seed)
    e, f, v = shape["n_embd"], shape["n_ff"], shape["n_vocab"]
    hd = gguf_models.head_dim(shape)
    nq, kv = shape["n_head"] * hd, shape["n_head_kv"] * hd
    main_type, other, _ = gguf_models.typing(wtype, shape)

    def tensor_type(name):
        return other.get(name, main_type)

    def mat(rows, cols, gain=1.0):  # N(0, gain^2 / cols), as gguf_models.float_weights
        return rng.standard_normal((rows, cols), dtype=np.float32) * np.float32(gain / np.sqrt(cols))

    def f32(x):
        return np.asarray(x, np.float32).tobytes()

    fused = arch == "phi3"  # q/k/v stacked in attn_qkv, the FFN's gate and up in ffn_up
    moe = arch in gguf_models.MOE_ARCHS
    floats = {"attn_output": mat(e, nq, gguf_models.RESIDUAL_GAIN)}
    if fused:
        floats.update(attn_qkv=mat(nq + 2 * kv, e), ffn_up=mat(2 * f, e))
    else:
        floats.update(attn_q=mat(nq, e), attn_k=mat(kv, e), attn_v=mat(kv, e))
    if moe:  # the experts' matrices stacked (3-D), each expert's rows a slab; the router F32
        n, fe = shape["n_expert"], gguf_models.expert_ff(shape)
        floats.update(ffn_gate_exps=mat(n * fe, e).reshape(n, fe, e), ffn_up_exps=mat(n * fe, e).reshape(n, fe, e),
                      ffn_down_exps=mat(n * e, fe, gguf_models.RESIDUAL_GAIN).reshape(n, e, fe))
    elif not fused:
        floats.update(ffn_gate=mat(f, e), ffn_up=mat(f, e))
    if not moe:
        floats["ffn_down"] = mat(e, f, gguf_models.RESIDUAL_GAIN)
    quantized = {}  # (role, type): bytes, each quantized once

    def rows_repeated(name, gain):
        # The embedding or a separate head: EMBD_ROWS random rows, repeated to n_vocab.
        ttype = tensor_type(name)
        rows = min(EMBD_ROWS, v)
        block = gguf_writer.QUANTIZERS[ttype](rng.standard_normal((rows, e), dtype=np.float32) *
                                              np.float32(gain / np.sqrt(e)))
        row_bytes = len(block) // rows
        return (name, ttype, [e, v], (block * (v // rows + 1))[:v * row_bytes])

    out = [rows_repeated("token_embd.weight", gguf_models.LOGIT_STD if shape["tied"] else np.sqrt(e))]

    def layer_copy(role, i):
        # Layer i's copy: the shared matrix with its rows rotated by i, a view (no copy), so
        # that no two layers hold equal bytes: edgec stores equal constants once (a real
        # model's layers never are), which would shrink the package and the bytes a step reads.
        ttype = tensor_type("blk.%d.%s.weight" % (i, role))
        if (role, ttype) not in quantized:
            quantized[(role, ttype)] = gguf_writer.QUANTIZERS[ttype](floats[role])
        x = floats[role]
        data, rows = quantized[(role, ttype)], int(np.prod(x.shape[:-1]))
        shift = i * (len(data) // rows) % len(data)
        view = memoryview(data)
        return ("blk.%d.%s.weight" % (i, role), ttype, list(reversed(x.shape)), (view[shift:], view[:shift]))

    for i in range(shape["n_layer"]):
        p = "blk.%d." % i
        out.append((p + "attn_norm.weight", "f32", [e], f32(1 + 0.1 * rng.standard_normal(e))))
        for role in ("attn_qkv",) if fused else ("attn_q", "attn_k", "attn_v"):
            out.append(layer_copy(role, i))
        if arch == "qwen2":
            for n, size in (("q", nq), ("k", kv), ("v", kv)):
                out.append((p + "attn_%s.bias" % n, "f32", [size], f32(0.1 * rng.standard_normal(size))))
        if arch in ("qwen3", "gemma3", "qwen3moe"):
            for n in ("q", "k"):
                out.append((p + "attn_%s_norm.weight" % n, "f32", [hd], f32(1 + 0.1 * rng.standard_normal(hd))))
        out.append(layer_copy("attn_output", i))
        if arch in ("gemma2", "gemma3"):
            out.append((p + "post_attention_norm.weight", "f32", [e], f32(1 + 0.1 * rng.standard_normal(e))))
        out.append((p + "ffn_norm.weight", "f32", [e], f32(1 + 0.1 * rng.standard_normal(e))))
        if moe:  # the router, drawn per layer (so that the layers choose different experts)
            out.append((p + "ffn_gate_inp.weight", "f32", [e, shape["n_expert"]],
                        f32(rng.standard_normal((shape["n_expert"], e)) / np.sqrt(e))))
        roles = ("ffn_gate_exps", "ffn_up_exps", "ffn_down_exps") if moe else ("ffn_up", "ffn_down") if fused else (
            "ffn_gate", "ffn_up", "ffn_down")
        for role in roles:
            out.append(layer_copy(role, i))
        if arch in ("gemma2", "gemma3"):
            out.append((p + "post_ffw_norm.weight", "f32", [e], f32(1 + 0.1 * rng.standard_normal(e))))
    if shape["tied"]:  # random signs: see gguf_models
        out.append(("output_norm.weight", "f32", [e], f32(rng.standard_normal(e))))
    else:
        out.append(("output_norm.weight", "f32", [e], f32(1 + 0.1 * rng.standard_normal(e))))
        out.append(rows_repeated("output.weight", gguf_models.LOGIT_STD))
    return out


def write_model(path, wtype="q4_0", seed=0, model="qwen2.5-1.5b", **shape_overrides):
    """Writes the benchmark model to path (via path + ".part", renamed when complete);
    returns its description: the model, arch, shape, wtype, bos, eos, types (each ggml
    type's tensor count), weight_bytes (the bytes a decode step reads: every tensor, a tied
    embedding once, as the head, and of a separate embedding table the one row it looks
    up) and matmul_params (the layers' matrices: the multiply-adds per prompt token, the
    head excluded as llama.cpp computes logits for the last prompt token only)."""
    if wtype not in TYPES:
        raise ValueError("unknown weight type %r (known: %s)" % (wtype, ", ".join(TYPES)))
    if model not in MODELS:
        raise ValueError("unknown model %r (known: %s)" % (model, ", ".join(MODELS)))
    arch, vocab, shape = MODELS[model]
    shape = gguf_models.model_shape(arch, **dict(shape, **shape_overrides))
    w = gguf_writer.GGUFWriter(version=3)
    file_type = gguf_models.typing(wtype, shape)[2]
    bos, eos = gguf_models.add_metadata(w.add, arch, "edgec bench %s %s seed %d" % (model, wtype, seed), file_type,
                                        shape, vocab)
    tensors = _tensors(arch, wtype, seed, shape)
    align, offset, offsets = w.alignment, 0, []
    size = lambda data: sum(len(d) for d in data) if isinstance(data, tuple) else len(data)
    for name, ttype, ne, data in tensors:  # header only: empty data at explicit offsets
        if size(data) != gguf_writer.tensor_bytes(ttype, ne):
            raise AssertionError("%s: %d bytes for %s %s" % (name, size(data), ttype, ne))
        w.add_tensor(name, ttype, ne, b"", offset=offset)
        offsets.append(offset)
        offset = (offset + size(data) + align - 1) // align * align
    header = w.to_bytes()
    with open(path + ".part", "wb") as fh:
        fh.write(header)
        for (_, _, _, data), off in zip(tensors, offsets):
            fh.write(bytes(len(header) + off - fh.tell()))
            for part in data if isinstance(data, tuple) else (data,):
                fh.write(part)
    os.replace(path + ".part", path)
    # What a decode step reads: every tensor but a separate embedding table, of which it
    # reads one row (a tied one is read whole, as the head).
    # Of a mixture of experts' 3-D tensors, a token reads and multiplies its n_expert_used
    # experts' slabs.
    active = lambda name: shape["n_expert_used"] / shape["n_expert"] if name.endswith("_exps.weight") else 1
    weight_bytes = int(sum(size(data) * active(name) //
                           (shape["n_vocab"] if name == "token_embd.weight" and not shape["tied"] else 1)
                           for name, _, _, data in tensors))
    matmul_params = int(sum(int(np.prod(t[2])) * active(t[0]) for t in tensors
                            if t[0].startswith("blk.") and len(t[2]) >= 2))
    types = dict(collections.Counter(t[1] for t in tensors))
    return dict(shape, model=model, arch=arch, wtype=wtype, bos=bos, eos=eos, types=types,
                weight_bytes=weight_bytes, matmul_params=matmul_params)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--model", default="qwen2.5-1.5b", choices=sorted(MODELS))
    p.add_argument("--type", default="q4_0", choices=TYPES)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="shape override (as gguf_models.py)")
    args = p.parse_args(argv)
    overrides = {}
    for kv in args.set:
        key, _, value = kv.partition("=")
        overrides[key] = float(value) if key in ("rope_base", "eps") else int(value)
    try:
        d = write_model(args.out, args.type, args.seed, args.model, **overrides)
    except ValueError as e:
        p.error(str(e))
    print("%s: %s (%s) %s, %d layers, n_embd %d, vocab %d, %d bytes (weights %d, layer matmul params %d; "
          "tensors by type: %s)" % (
              args.out, d["model"], d["arch"], d["wtype"], d["n_layer"], d["n_embd"], d["n_vocab"],
              os.path.getsize(args.out), d["weight_bytes"], d["matmul_params"],
              ", ".join("%s %d" % kv for kv in sorted(d["types"].items()))))


if __name__ == "__main__":
    main()
