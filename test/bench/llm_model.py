#!/usr/bin/python3
"""The LLM benchmark's model: Qwen2.5-1.5B's shapes (qwen2: 28 layers, n_embd 1536, 12 query
heads and 2 KV heads of 128, FFN 8960, vocabulary 151936, tied embedding, context 32768)
with random weights of one type, written fast. A library and a CLI; numpy only.

  test/bench/llm_model.py OUT.gguf --type q4_0|q4_k|q8_0|... [--seed 0] [--set n_layer=4 ...]

The file is what test/e2e/gguf_models.py writes for these shapes (same tensors, names,
metadata, tokenizer vocabulary and weight scales; it reuses that module's shape and
vocabulary) except for how the random matrices are made: quantizing 1.5 billion numpy
floats with gguf_models.write_model takes minutes and ~10 GB, so here each matrix role
(attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down) is drawn and quantized
once and its bytes are written for every layer, its rows rotated by the layer index (no
two layers hold equal bytes: edgec stores equal constants once), and the embedding (also
the output head) is 4096 random rows quantized once and repeated down the vocabulary. Norms and biases are drawn
per layer. Speed does not depend on the values, and every byte still sits at its own offset
in the file, so each engine reads all of them for every decoded token. Tensor data is
streamed to the file; a 1.5B model takes seconds and ~0.3 GB of memory.
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import gguf_models  # noqa: E402
from gguf_models import gguf_writer  # noqa: E402

# Qwen2.5-1.5B (its config.json / GGUF metadata), the shapes of issue 12's benchmark.
QWEN25_1_5B = dict(n_vocab=151936, n_embd=1536, n_layer=28, n_head=12, n_head_kv=2, n_ff=8960,
                   n_ctx=32768, rope_base=1000000.0, eps=1e-6, tied=True)
EMBD_ROWS = 4096  # distinct embedding rows, repeated to n_vocab


def _metadata(w, arch, wtype, seed, shape):
    """The metadata keys of gguf_models.write_model, in its order (a file llama.cpp loads)."""
    tokens, scores, token_types, bos, eos, tok_extra = gguf_models.qwen2_vocab(shape["n_vocab"])
    w.add("general.architecture", "str", arch)
    w.add("general.name", "str", "edgec bench %s %s seed %d" % (arch, wtype, seed))
    w.add("general.file_type", "u32", gguf_models.FILE_TYPES[wtype])
    w.add("general.quantization_version", "u32", 2)
    a = arch + "."
    for key, value in (("block_count", shape["n_layer"]), ("context_length", shape["n_ctx"]),
                       ("embedding_length", shape["n_embd"]), ("feed_forward_length", shape["n_ff"]),
                       ("attention.head_count", shape["n_head"]), ("attention.head_count_kv", shape["n_head_kv"]),
                       ("rope.dimension_count", shape["n_embd"] // shape["n_head"]), ("vocab_size", shape["n_vocab"])):
        w.add(a + key, "u32", value)
    w.add(a + "attention.layer_norm_rms_epsilon", "f32", shape["eps"])
    w.add(a + "rope.freq_base", "f32", shape["rope_base"])
    w.add("tokenizer.ggml.model", "str", "gpt2")
    for key, value in tok_extra.items():
        w.add(key, "array", ("str", value)) if isinstance(value, list) else w.add(key, "str", value)
    w.add("tokenizer.ggml.tokens", "array", ("str", tokens))
    w.add("tokenizer.ggml.token_type", "array", ("i32", token_types))
    w.add("tokenizer.ggml.bos_token_id", "u32", bos)
    w.add("tokenizer.ggml.eos_token_id", "u32", eos)
    w.add("tokenizer.ggml.add_bos_token", "bool", False)
    return bos, eos


def _tensors(wtype, seed, shape):
    """[(name, ggml type, ne, data)] in gguf_models' order, data a bytes object or a tuple of
    parts written one after the other; the big matrices' bytes are shared between layers, each
    layer's rows rotated (views of the same bytes)."""
    rng = np.random.default_rng(seed)
    e, f, v = shape["n_embd"], shape["n_ff"], shape["n_vocab"]
    kv = shape["n_head_kv"] * (e // shape["n_head"])
    quantize = gguf_writer.QUANTIZERS[wtype]

    def mat(rows, cols, gain=1.0):  # N(0, gain^2 / cols), as gguf_models.float_weights
        x = rng.standard_normal((rows, cols), dtype=np.float32) * np.float32(gain / np.sqrt(cols))
        return quantize(x)

    def f32(x):
        return np.asarray(x, np.float32).tobytes()

    shared = {"attn_q": (mat(e, e), [e, e]), "attn_k": (mat(kv, e), [e, kv]), "attn_v": (mat(kv, e), [e, kv]),
              "attn_output": (mat(e, e, gguf_models.RESIDUAL_GAIN), [e, e]),
              "ffn_gate": (mat(f, e), [e, f]), "ffn_up": (mat(f, e), [e, f]),
              "ffn_down": (mat(e, f, gguf_models.RESIDUAL_GAIN), [f, e])}
    rows = min(EMBD_ROWS, v)
    block = quantize(rng.standard_normal((rows, e), dtype=np.float32) * np.float32(gguf_models.LOGIT_STD / np.sqrt(e)))
    row_bytes = len(block) // rows
    embd = (block * (v // rows + 1))[:v * row_bytes]
    out = [("token_embd.weight", wtype, [e, v], embd)]
    def layer_copy(role, i):
        # Layer i's copy: the shared matrix with its rows rotated by i, a view (no copy), so
        # that no two layers hold equal bytes: edgec stores equal constants once (a real
        # model's layers never are), which would shrink the package and the bytes a step reads.
        data, ne = shared[role]
        shift = i * (len(data) // ne[1]) % len(data)
        view = memoryview(data)
        return (p + role + ".weight", wtype, ne, (view[shift:], view[:shift]))

    for i in range(shape["n_layer"]):
        p = "blk.%d." % i
        out.append((p + "attn_norm.weight", "f32", [e], f32(1 + 0.1 * rng.standard_normal(e))))
        for role in ("attn_q", "attn_k", "attn_v"):
            out.append(layer_copy(role, i))
        for n, size in (("q", e), ("k", kv), ("v", kv)):
            out.append((p + "attn_%s.bias" % n, "f32", [size], f32(0.1 * rng.standard_normal(size))))
        out.append(layer_copy("attn_output", i))
        out.append((p + "ffn_norm.weight", "f32", [e], f32(1 + 0.1 * rng.standard_normal(e))))
        for role in ("ffn_gate", "ffn_up", "ffn_down"):
            out.append(layer_copy(role, i))
    out.append(("output_norm.weight", "f32", [e], f32(rng.standard_normal(e))))  # random signs: see gguf_models
    return out


def write_model(path, wtype="q4_0", seed=0, **shape_overrides):
    """Writes the benchmark model to path (via path + ".part", renamed when complete);
    returns its description: the shape, wtype, bos, eos, weight_bytes (every tensor's bytes:
    what a decode step reads, the embedding once as the head) and matmul_params (the layers'
    matrices: the multiply-adds per prompt token, the head excluded as llama.cpp computes
    logits for the last prompt token only)."""
    if wtype not in gguf_writer.QUANTIZERS:
        raise ValueError("unknown weight type %r" % wtype)
    shape = gguf_models.model_shape("qwen2", **dict(QWEN25_1_5B, **shape_overrides))
    if not shape["tied"]:
        raise ValueError("the benchmark model has a tied head")
    w = gguf_writer.GGUFWriter(version=3)
    bos, eos = _metadata(w, "qwen2", wtype, seed, shape)
    tensors = _tensors(wtype, seed, shape)
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
    weight_bytes = sum(size(t[3]) for t in tensors)
    matmul_params = sum(int(np.prod(t[2])) for t in tensors if t[0].startswith("blk.") and len(t[2]) == 2)
    return dict(shape, wtype=wtype, bos=bos, eos=eos, weight_bytes=weight_bytes, matmul_params=matmul_params)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--type", default="q4_0", choices=gguf_models.WEIGHT_TYPES)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="shape override (as gguf_models.py)")
    args = p.parse_args(argv)
    overrides = {}
    for kv in args.set:
        key, _, value = kv.partition("=")
        overrides[key] = float(value) if key in ("rope_base", "eps") else int(value)
    try:
        d = write_model(args.out, args.type, args.seed, **overrides)
    except ValueError as e:
        p.error(str(e))
    print("%s: qwen2 %s, %d layers, n_embd %d, vocab %d, %d bytes (weights %d, layer matmul params %d)" % (
        args.out, d["wtype"], d["n_layer"], d["n_embd"], d["n_vocab"], os.path.getsize(args.out),
        d["weight_bytes"], d["matmul_params"]))


if __name__ == "__main__":
    main()
