#!/usr/bin/python3
"""Small llama, qwen2, qwen3, gemma2, gemma3, phi3, granite and mixture-of-experts (mixtral,
qwen3moe) GGUF models with random weights, valid for
llama.cpp: the test models of issue 12 (GGUF frontend and LLM generation). A library and a
CLI; numpy only.

Each file holds every tensor llama.cpp's loader expects for its architecture, under its
names and in ggml shapes ([ne0, ne1], ne0 the input dimension of a matrix):
  token_embd.weight [n_embd, n_vocab]         output_norm.weight [n_embd]
  output.weight [n_embd, n_vocab]             (absent when tied: the head is token_embd)
  blk.N.attn_norm.weight [n_embd]             blk.N.ffn_norm.weight [n_embd]
  blk.N.attn_q.weight [n_embd, n_embd_q]      blk.N.attn_q.bias [n_embd_q]       (qwen2)
  blk.N.attn_k.weight [n_embd, n_embd_kv]     blk.N.attn_k.bias [n_embd_kv]      (qwen2)
  blk.N.attn_v.weight [n_embd, n_embd_kv]     blk.N.attn_v.bias [n_embd_kv]      (qwen2)
  blk.N.attn_q_norm.weight [head_dim]         blk.N.attn_k_norm.weight [head_dim] (qwen3, gemma3)
  blk.N.post_attention_norm.weight [n_embd]   blk.N.post_ffw_norm.weight [n_embd] (gemma2, gemma3)
  blk.N.attn_output.weight [n_embd_q, n_embd] blk.N.ffn_gate/ffn_up.weight [n_embd, n_ff]
  blk.N.ffn_down.weight [n_ff, n_embd]
  phi3: blk.N.attn_qkv.weight [n_embd, n_embd_q + 2 n_embd_kv] in place of attn_q/k/v and
        blk.N.ffn_up.weight [n_embd, 2 n_ff] (the gate's rows, then up's) in place of
        ffn_gate/ffn_up: the same matrices stacked
  mixtral, qwen3moe (mixture of experts): in place of ffn_gate/ffn_up/ffn_down
        blk.N.ffn_gate_inp.weight [n_embd, n_expert]   (the router; F32 in every file, as
                                                        llama.cpp's converter and quantizer keep it)
        blk.N.ffn_gate_exps.weight, blk.N.ffn_up_exps.weight [n_embd, n_ff_exp, n_expert]
        blk.N.ffn_down_exps.weight [n_ff_exp, n_embd, n_expert]
        (3-D: expert e's matrix is the e-th slab, its rows quantized as any matrix's)
with n_embd_q = head_count * head_dim and n_embd_kv = head_count_kv * head_dim
(grouped-query attention); head_dim is n_embd / head_count unless the shape sets it (qwen3's
and gemma3's 128, with <arch>.attention.key_length and value_length, as Qwen3's and Gemma
3's heads are wider than n_embd / head_count). gemma3 also has attention.sliding_window (the
shape's `window`, default 6: its layers but every sixth attend to that many positions, so
that the tests' 8-token prompts already cross it) and 6 layers (five local, one global);
gemma2 the same window on layers 0 and 2 of 4, heads of 128 (8 query over 4 KV heads in
Gemma 2 2B: halved) and its soft caps, <arch>.attn_logit_softcapping and
final_logit_softcapping (the shape's attn_softcap, final_softcap). The
2-D matrices are stored in the chosen weight type, token_embd (and output) in embd_type
(default: the weight type); norms and biases stay F32, as llama.cpp's quantizer leaves them. A mix
(q4_k_m, q5_k_m, q3_k_m, q2_k_m, iq4_xs_mix, iq4_nl_mix: MIXES) types the matrices as
llama.cpp's quantizer does for its Q4_K_M, Q5_K_M, Q3_K_M, Q2_K, IQ4_XS and IQ4_NL files
(without an imatrix), Q6_K for the head in each: Q4_K_M and Q5_K_M
Q6_K for attn_v and ffn_down in the layers more_bits picks (with 2 layers: layer 1), Q4_K
or Q5_K for the rest; Q3_K_M Q5_K for attn_v in layers 0 and 1 (Q4_K after), Q4_K for
attn_output and ffn_down (Q5_K in the first sixteenth of the layers), Q3_K for the rest;
Q2_K Q3_K for attn_v (Q4_K with 4 or more query heads a KV head), attn_output and
ffn_down, Q2_K for the rest; IQ4_XS and IQ4_NL Q5_K for attn_v with 4 or more query heads a
KV head and for ffn_down in the first eighth of the layers (none of fewer than 8), IQ4_XS or
IQ4_NL for the rest, the embedding included (with gguf_models' 2-layer shapes of 2 query
heads a KV head: all but the head). The experts' tensors take the rules of their roles
(ffn_down_exps ffn_down's, by the layer in its name; ffn_gate_exps and ffn_up_exps the main
type), and a model of exactly 8 experts (mixtral) llama.cpp's own rules on top: attn_v (and
attn_qkv) and attn_k Q8_0 in every mix, attn_output Q5_K in all but Q5_K_M
(eight_experts_rule).
In a mix, as in llama.cpp's files, a matrix whose rows
(ne0) are no multiple of its 256-element type's block takes a 32-element type instead
(FALLBACKS: IQ4_XS -> IQ4_NL, Q2_K and Q3_K -> Q4_0, Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K ->
Q8_0); a single type (WEIGHT_TYPES) refuses such a shape.

Metadata: general.architecture/name/file_type/quantization_version, <arch>.block_count,
context_length, embedding_length, feed_forward_length, attention.head_count,
attention.head_count_kv, attention.layer_norm_rms_epsilon, rope.freq_base,
rope.dimension_count, vocab_size (mixture of experts: expert_count, expert_used_count, and
qwen3moe's expert_feed_forward_length); a small tokenizer that llama.cpp accepts:
  llama, mixtral, gemma3  tokenizer.ggml.model "llama" (SentencePiece): <unk> <s> </s>, the
         256 byte tokens <0x00>..<0xFF>, "▁word" pieces with scores, filler pieces up to n_vocab
         (gemma3: add_space_prefix false, as Gemma's files have it);
  qwen2, qwen3, qwen3moe  tokenizer.ggml.model "gpt2", pre "qwen2" (byte-level BPE): the 256 byte
         characters of GPT-2's byte-to-unicode map, merges building a few words, fillers,
         then <|endoftext|> (bos), <|im_start|>, <|im_end|> (eos).

Shapes (defaults; any can be overridden): n_embd 256, 2 layers, 4 query heads and 2 KV
heads of 64 (qwen3: 128; gemma3: 6 layers, 4 query heads over 1 KV head of 128, as Gemma 3
1B), FFN 512 (llama, 2x) or 768 (qwen2, qwen3, gemma3, 3x), context 256, vocab 384 (llama,
gemma3) or 512 (qwen2, qwen3). 256 because the K-quants' and IQ4_XS's super-blocks are 256
values along ne0 (every matrix's input dimension must be a multiple of it). llama's head is
separate, the others' tied (as the small Qwen2.5, Qwen3 and Gemma 3 models are).

Mixture of experts (MOE_ARCHS; llama.cpp's build_moe_ffn: softmax over the router's logits,
the n_expert_used most probable experts, their probabilities renormalized to sum 1, the
experts' SwiGLU FFN outputs weighted by them and summed):
  mixtral   Mixtral's: general.architecture "llama" (llama's graph, SentencePiece
            vocabulary, separate head) with llama.expert_count 8 and expert_used_count 2;
            each expert's FFN is llama.feed_forward_length (n_ff) 256 wide.
  qwen3moe  Qwen3-30B-A3B's: qwen3's graph (heads of 128, q/k norms, NeoX RoPE, the BPE
            vocabulary) with a separate head (as Qwen3-30B-A3B's) and qwen3moe.expert_count
            6, expert_used_count 3 (another count than 8, whose quantizer rules differ);
            each expert's FFN is qwen3moe.expert_feed_forward_length (n_ff_exp) 256 wide;
            qwen3moe.feed_forward_length (n_ff, 512) is written too, as converters do, and
            unused by the graph (llama.cpp's n_ff_exp without the key would be n_ff /
            n_expert_used: not 256 here).
n_expert, n_expert_used and n_ff_exp are shape keys of these two only.

Weights are N(0, 1 / fan_in) (each matmul keeps the activation scale), attn_output and
ffn_down (each expert's ffn_down_exps too) times RESIDUAL_GAIN (2: the layers, not the
embedding, dominate the residual stream), norm weights 1 + N(0, 0.1^2), biases N(0, 0.1^2), the embedding N(0, 1) when
separate and LOGIT_STD / sqrt(n_embd) when it is also the head, output.weight scaled so that
the logits have a standard deviation of about LOGIT_STD (3: a distribution neither flat nor
one-hot). With a tied head, output_norm.weight is N(0, 1) (random signs): otherwise the
token just fed scores above the others and greedy decoding loops on two or three tokens.
Greedy continuations of 20 tokens hold 13-20 distinct ids. All from numpy's
default_rng(seed); the float weights do not depend on the weight type, so every type
quantizes the same model.

  test/e2e/gguf_models.py OUT.gguf [--arch llama|qwen2|qwen3|gemma2|gemma3|phi3|granite|mixtral|qwen3moe]
                          [--type q4_k] [--embd-type f16]
                          [--seed 0] [--tied|--untied] [--set n_embd=1536 --set n_layer=28 ...]
                          [--tensor-type TENSOR=TYPE] [--drop TENSOR] [--raw TENSOR=TYPE:NE0xNE1]
                          [--meta KEY=TYPE:VALUE]
                          [--del-meta KEY]

Library: write_model(path, arch="llama", wtype="f32", seed=0, embd_type=None, tied=None,
types=None, drop=(), raw=None, meta=None, **shape) -> the model's description (the shape,
bos/eos ids, vocabulary size).

RoPE scaling (rope=, --rope): "linear" adds <arch>.rope.scaling.type "linear" with
rope.scaling.factor ROPE_LINEAR_FACTOR (positions divided by it); "llama3" adds llama's
rope_freqs.weight [head_dim / 2] (F32) as Llama 3.1's converter computes it (frequencies
whose wavelength exceeds the original context divided by the factor 8, short ones kept,
those between blended), with an original context of LLAMA3_ORIGINAL_CONTEXT instead of
8192 so that the factors change the angles at the few positions a test runs.

Damaged models for the compiler's bad-input tests (test/lit/CLI/gguf-compile-bad.test):
drop leaves tensors out; raw {name: (ggml type, ne)} writes a tensor as random bytes of any
ggml type and shape (ne in ggml order), e.g. i16, which has no quantizer here; meta
{key: (value type, value)} replaces or adds a metadata key, {key: None} removes it; fill
{(name, row or None): value} sets a whole tensor or one of its rows (numpy order: a matrix's
row is one output) to a value before it is quantized, e.g. NaN; extra {name: (ggml type,
ne)} adds tensors the model does not have, random bytes as raw's, after the others. Without
them the file is the same byte for byte.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lit", "CLI", "Inputs"))
import gguf_writer  # noqa: E402

WEIGHT_TYPES = ["f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_k", "q3_k", "q4_k", "q5_k",
                "q6_k", "iq4_nl", "iq4_xs"]
# llama.cpp's general.file_type (enum llama_ftype) for a file whose matrices are of one type:
# the ftype llama-quantize has for that type (its "Q4_K" and "Q5_K" mean Q4_K_M and Q5_K_M).
# q3_k: Q3_K_S (11), whose files hold every matrix but the head in Q3_K (its "Q3_K" means
# Q3_K_M, 12: the q3_k_m mix below); q2_k: Q2_K (10), of its two 2-bit K ftypes the one that
# needs no imatrix (Q2_K_S, 21, needs one; Q2_K's own files are the q2_k_m mix below);
# iq4_nl, iq4_xs: IQ4_NL (25) and IQ4_XS (30), whose own files are the iq4_nl_mix and
# iq4_xs_mix mixes below.
FILE_TYPES = {"f32": 0, "f16": 1, "q4_0": 2, "q4_1": 3, "q8_0": 7, "q5_0": 8, "q5_1": 9, "q2_k": 10, "q3_k": 11,
              "q4_k": 15, "q5_k": 17, "q6_k": 18, "iq4_nl": 25, "iq4_xs": 30, "bf16": 32}


def _k_m_rule(role, layer, shape):
    """Q4_K_M's and Q5_K_M's: attn_v and ffn_down Q6_K in the layers more_bits picks."""
    return "q6_k" if role in ("attn_v", "ffn_down") and more_bits(layer, shape["n_layer"]) else None


def _q3_k_m_rule(role, layer, shape):
    """Q3_K_M's: attn_v Q5_K in the first two layers, Q4_K after; ffn_down Q5_K in the first
    sixteenth of the layers (none of fewer than 16), Q4_K after; attn_output Q4_K."""
    if role == "attn_v":
        return "q5_k" if layer < 2 else "q4_k"
    if role == "ffn_down":
        return "q5_k" if layer < shape["n_layer"] // 16 else "q4_k"
    return "q4_k" if role == "attn_output" else None


def _q2_k_rule(role, layer, shape):
    """Q2_K's: attn_v Q4_K where n_head / n_head_kv >= 4 (llama.cpp's n_gqa), else Q3_K;
    ffn_down and attn_output Q3_K."""
    if role == "attn_v":
        return "q4_k" if shape["n_head"] // shape["n_head_kv"] >= 4 else "q3_k"
    return "q3_k" if role in ("ffn_down", "attn_output") else None


def _iq4_rule(role, layer, shape):
    """IQ4_XS's and IQ4_NL's (without an imatrix): attn_v Q5_K where n_head / n_head_kv >= 4;
    ffn_down Q5_K in the first eighth of the layers (none of fewer than 8)."""
    if role == "attn_v":
        return "q5_k" if shape["n_head"] // shape["n_head_kv"] >= 4 else None
    if role == "ffn_down":
        return "q5_k" if layer < shape["n_layer"] // 8 else None
    return None


# llama.cpp's mixes, as its quantizer (llama-quant.cpp's llama_tensor_get_type, without an
# imatrix or overrides) types the matrices of Q4_K_M, Q5_K_M, Q3_K_M, Q2_K, IQ4_XS and IQ4_NL files:
# name -> (the type of most matrices (the embedding too when the head is separate),
# the head's type (output.weight, or token_embd when it is also the head), general.file_type,
# rule(role, layer, shape) -> the type of a layer's attn_v (and phi3's attn_qkv, which
# llama.cpp types as attn_v), attn_output and ffn_down, or None: the main type).
# q2_k_m is llama-quantize's Q2_K (its file type's name: "Q2_K - Medium"): q2_k here is
# every matrix in Q2_K; likewise iq4_xs and iq4_nl are every matrix in one type, llama-quantize's
# IQ4_XS and IQ4_NL files the iq4_xs_mix and iq4_nl_mix mixes. What these leave out, none of
# it met by gguf_models' shapes: Falcon's own rules, MoE models' (8 experts) and the 70B
# model's attn_v (Q5_K in Q2_K and Q3_K_M). typing then applies llama.cpp's fallback
# (FALLBACKS) to a matrix whose ne0 its type's block does not divide.
MIXES = {"q4_k_m": ("q4_k", "q6_k", 15, _k_m_rule), "q5_k_m": ("q5_k", "q6_k", 17, _k_m_rule),
         "q3_k_m": ("q3_k", "q6_k", 12, _q3_k_m_rule), "q2_k_m": ("q2_k", "q6_k", 10, _q2_k_rule),
         "iq4_xs_mix": ("iq4_xs", "q6_k", 30, _iq4_rule), "iq4_nl_mix": ("iq4_nl", "q6_k", 25, _iq4_rule)}
# the tensors of each role the rules type (attn_k: only models of 8 experts', eight_experts_rule),
# and those of a mixture of experts (ffn_down_exps typed as ffn_down, by its layer's number)
MIX_ROLES = {"attn_v": ("attn_v", "attn_qkv"), "attn_output": ("attn_output",), "ffn_down": ("ffn_down",),
             "attn_k": ("attn_k",)}
MIX_EXPERT_ROLES = {"ffn_down": ("ffn_down_exps",)}


def eight_experts_rule(mix, role):
    """llama.cpp's rules for a model of exactly 8 experts (Mixtral's), over each mix's own
    (llama_tensor_get_type_impl's `n_expert == 8`): attn_v (attn_qkv) and attn_k Q8_0,
    attn_output Q5_K in the mixes that list it (all here but Q5_K_M)."""
    if role in ("attn_v", "attn_k"):
        return "q8_0"
    return "q5_k" if role == "attn_output" and mix != "q5_k_m" else None

# llama-quant.cpp's tensor_type_fallback, for the types here: what a 256-element type becomes
# in a mix for a matrix whose ne0 is no multiple of 256 (F16 where the 32 elements of that
# one do not divide it either).
FALLBACKS = {"iq4_xs": "iq4_nl", "q2_k": "q4_0", "q3_k": "q4_0", "q4_k": "q5_0", "q5_k": "q5_1", "q6_k": "q8_0"}


def fallback(ttype, ne0):
    """The type llama.cpp's quantizer stores a matrix of rows of ne0 values in, for ttype."""
    if ne0 % gguf_writer.GGML_TYPES[ttype][1] == 0:
        return ttype
    t = FALLBACKS.get(ttype, ttype)
    return t if ne0 % gguf_writer.GGML_TYPES[t][1] == 0 else "f16"


def matrix_ne0(shape):
    """{matrix role: its ne0 (input dimension)} for a shape, every architecture's roles (the
    experts' with a mixture of experts)."""
    e = shape["n_embd"]
    ne0 = dict(token_embd=e, output=e, attn_q=e, attn_k=e, attn_v=e, attn_qkv=e, ffn_gate=e, ffn_up=e,
               attn_output=shape["n_head"] * head_dim(shape), ffn_down=shape["n_ff"])
    if shape.get("n_expert"):
        ne0.update(ffn_gate_exps=e, ffn_up_exps=e, ffn_down_exps=expert_ff(shape))
    return ne0


def more_bits(layer, n_layer):
    """llama.cpp's use_more_bits: the first and last eighth of the layers and every third
    layer between, whose attn_v and ffn_down a _M mix keeps in its wider type."""
    return layer < n_layer // 8 or layer >= 7 * n_layer // 8 or (layer - n_layer // 8) % 3 == 2


def typing(wtype, shape):
    """How a weight type or a mix types a model's matrices: (the type of most of them,
    {tensor name: type} for those of another type, general.file_type). A mix's names cover
    every architecture's tensors (attn_v and attn_qkv): those a model lacks are never read;
    its matrices whose ne0 their type's block does not divide take llama.cpp's fallback."""
    if wtype not in MIXES:
        return wtype, {}, FILE_TYPES.get(wtype)
    main, head, file_type, rule = MIXES[wtype]
    other = {"token_embd.weight" if shape["tied"] else "output.weight": head}
    for i in range(shape["n_layer"]):
        for role, names in MIX_ROLES.items():
            t = (shape.get("n_expert") == 8 and eight_experts_rule(wtype, role)) or rule(role, i, shape)
            if t and t != main:
                for name in names + (MIX_EXPERT_ROLES.get(role, ()) if shape.get("n_expert") else ()):
                    other["blk.%d.%s.weight" % (i, name)] = t
    ne0 = matrix_ne0(shape)
    roles = [("token_embd.weight", "token_embd"), ("output.weight", "output")] + [
        ("blk.%d.%s.weight" % (i, r), r) for i in range(shape["n_layer"]) for r in ne0
        if r not in ("token_embd", "output")]
    for name, role in roles:
        t = other.get(name, main)
        if fallback(t, ne0[role]) != t:
            other[name] = fallback(t, ne0[role])
    return main, other, file_type


LOGIT_STD = 3.0
RESIDUAL_GAIN = 2.0
ROPE_LINEAR_FACTOR = 4.0
LLAMA3_ORIGINAL_CONTEXT = 32  # Llama 3.1's: 8192, with factor 8, low / high frequency factors 1 / 4
ROPES = ("linear", "llama3", "longrope", "longrope-short")
# phi3's LongRoPE: rope_factors_long.weight and rope_factors_short.weight, with an original
# context of n_ctx / 4 (longrope: llama.cpp then uses the long factors, as a 128k model at
# a context beyond its original 4k) or n_ctx (longrope-short: the short ones).
LONGROPES = ("longrope", "longrope-short")


def longrope_original_context(rope, shape):
    return shape["n_ctx"] // 4 if rope == "longrope" else shape["n_ctx"]


def longrope_factors(head_dim):
    """(long, short): what each rotation frequency is divided by, rising from 1 towards the
    low frequencies as Phi-3.5's do (short up to about 2, long up to about 30)."""
    t = np.linspace(0.0, 1.0, head_dim // 2)
    return (np.exp(t * np.log(30.0)).astype(np.float32), (1.0 + t * t).astype(np.float32))


def llama3_rope_factors(head_dim, base, factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                        original_context=LLAMA3_ORIGINAL_CONTEXT):
    """rope_freqs.weight as Llama 3.1's conversion writes it: what each rotation frequency
    is divided by."""
    freqs = base ** (-np.arange(0, head_dim, 2, dtype=np.float64) / head_dim)
    wavelen = 2 * np.pi / freqs
    smooth = (original_context / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    blended = 1 / ((1 - smooth) / factor + smooth)
    factors = np.where(wavelen < original_context / high_freq_factor, 1.0,
                       np.where(wavelen > original_context / low_freq_factor, factor, blended))
    return factors.astype(np.float32)

ARCHS = {
    "llama": dict(n_vocab=384, n_embd=256, n_layer=2, n_head=4, n_head_kv=2, n_ff=512, n_ctx=256,
                  rope_base=10000.0, eps=1e-5, tied=False, head_dim=None),
    "qwen2": dict(n_vocab=512, n_embd=256, n_layer=2, n_head=4, n_head_kv=2, n_ff=768, n_ctx=256,
                  rope_base=1000000.0, eps=1e-6, tied=True, head_dim=None),
    "qwen3": dict(n_vocab=512, n_embd=256, n_layer=2, n_head=4, n_head_kv=2, n_ff=768, n_ctx=256,
                  rope_base=1000000.0, eps=1e-6, tied=True, head_dim=128),
    # Gemma 3 1B's proportions: 4 query heads over 1 KV head, heads wider than n_embd / 4.
    "gemma3": dict(n_vocab=384, n_embd=256, n_layer=6, n_head=4, n_head_kv=1, n_ff=768, n_ctx=256,
                   rope_base=1000000.0, eps=1e-6, tied=True, head_dim=128, window=6),
    # Gemma 2 2B's proportions (8 query heads over 4 KV heads of 256, wider than n_embd / 8),
    # halved; layers 0 and 2 local. Its soft caps (Gemma 2's own are 50 and 30) small enough
    # to bend these scores and logits: a cap left out shows.
    "gemma2": dict(n_vocab=384, n_embd=256, n_layer=4, n_head=4, n_head_kv=2, n_ff=768, n_ctx=256,
                   rope_base=10000.0, eps=1e-6, tied=True, head_dim=128, window=6, attn_softcap=1.5,
                   final_softcap=5.0),
    # Phi-3's: q, k and v in one matrix, the FFN's gate and up in one, a separate head (GQA
    # here, as Phi-3-medium's 40 query over 10 KV heads; Phi-3-mini's are 32 over 32).
    "phi3": dict(n_vocab=384, n_embd=256, n_layer=2, n_head=4, n_head_kv=2, n_ff=512, n_ctx=256,
                 rope_base=10000.0, eps=1e-5, tied=False, head_dim=None),
    # Granite 3.x's: llama's graph with its four multipliers (Granite-3.3-2B's are 12, 0.22,
    # 1/64 and 8): here the embedding times 4, each branch's output times 0.5 before its
    # residual add, the scores scaled by 0.1 instead of 1/8, the logits divided by 1.5;
    # a tied head, as Granite's.
    "granite": dict(n_vocab=512, n_embd=256, n_layer=2, n_head=4, n_head_kv=2, n_ff=512, n_ctx=256,
                    rope_base=10000.0, eps=1e-5, tied=True, head_dim=None, embedding_scale=4.0,
                    residual_scale=0.5, attention_scale=0.1, logit_scale=1.5),
    # Mixtral's (general.architecture "llama"): 8 experts, 2 of them per token, each an FFN
    # of n_ff (llama.feed_forward_length); Mixtral's RoPE base.
    "mixtral": dict(n_vocab=384, n_embd=256, n_layer=2, n_head=4, n_head_kv=2, n_ff=256, n_ctx=256,
                    rope_base=1000000.0, eps=1e-5, tied=False, head_dim=None, n_expert=8, n_expert_used=2),
    # Qwen3-30B-A3B's (128 experts, 8 used, heads of 128, a separate head): qwen3's shape with
    # 6 experts, 3 per token, each an FFN of n_ff_exp (expert_feed_forward_length); n_ff is
    # feed_forward_length, which the graph does not use: 512, not n_expert_used x n_ff_exp
    # (llama.cpp's n_ff_exp where a file lacks the key; Qwen3-30B-A3B's 6144 is 8 x 768), so
    # that a reader taking the width from it shows.
    "qwen3moe": dict(n_vocab=512, n_embd=256, n_layer=2, n_head=4, n_head_kv=2, n_ff=512, n_ctx=256,
                     rope_base=1000000.0, eps=1e-6, tied=False, head_dim=128, n_expert=6, n_expert_used=3,
                     n_ff_exp=256),
}
# The mixture-of-experts architectures, and the general.architecture each is written as.
MOE_ARCHS = ("mixtral", "qwen3moe")
GGUF_ARCH = {"mixtral": "llama"}
# Phi-3's chat tokens, the last ids of the phi3 test vocabulary (all control tokens, as in
# Phi-3's files); <|endoftext|> is its EOS, <|end|> ends a turn.
PHI3_SPECIALS = ["<|endoftext|>", "<|assistant|>", "<|end|>", "<|user|>", "<|system|>"]


def expert_ff(shape):
    """An expert's FFN width: the shape's n_ff_exp (qwen3moe's expert_feed_forward_length),
    else n_ff (Mixtral's feed_forward_length)."""
    return shape.get("n_ff_exp") or shape["n_ff"]


def head_dim(shape):
    """A head's size: the shape's head_dim, else n_embd / n_head."""
    return shape["head_dim"] or shape["n_embd"] // shape["n_head"]


def rope_dims(shape):
    """How many of a head's values RoPE rotates (rope.dimension_count): the shape's rope_dims
    (a partial rotary embedding, Phi-4-mini's 96 of 128), else the whole head."""
    return shape.get("rope_dims") or head_dim(shape)

WORDS = ("the of and to in is was for that on with as by at from his an were are which this be "
         "had it not but first one their its new after who they have her she two been other when "
         "there all time during into school more may years over only year most would world city "
         "some where between later up such used many can state about national out known "
         "university united then made").split()


def byte_chars():
    """GPT-2's byte -> printable character map: printable Latin-1 bytes map to themselves,
    the others to U+0100 onwards in byte order."""
    keep = list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    out, extra = {}, 0
    for b in range(256):
        if b in keep:
            out[b] = chr(b)
        else:
            out[b] = chr(0x100 + extra)
            extra += 1
    return out


def llama_vocab(n_vocab):
    """SentencePiece vocabulary: (tokens, scores, types, bos, eos, extra keys)."""
    tokens = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
    types = [2, 3, 3] + [6] * 256  # UNKNOWN, CONTROL, BYTE (llama.cpp's token types)
    pieces = ["\u2581"] + ["\u2581" + w for w in WORDS]
    pieces += ["\u2581x%d" % i for i in range(max(0, n_vocab - len(tokens) - len(pieces)))]
    tokens += pieces
    types += [1] * len(pieces)  # NORMAL
    scores = [0.0] * 259 + [-float(i + 1) for i in range(len(pieces))]
    return tokens[:n_vocab], scores[:n_vocab], types[:n_vocab], 1, 2, {"tokenizer.ggml.unknown_token_id": 0}


def qwen2_vocab(n_vocab):
    """Byte-level BPE vocabulary: (tokens, None, types, bos, eos, extra keys with the merges)."""
    chars = byte_chars()
    tokens = [chars[b] for b in range(256)]
    known, merges = set(tokens), []
    space = chars[0x20]
    for word in WORDS:
        word = space + word
        cur = word[0]
        for ch in word[1:]:
            nxt = cur + ch
            if nxt not in known:
                merges.append(cur + " " + ch)
                tokens.append(nxt)
                known.add(nxt)
            cur = nxt
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tokens += [space + "x%d" % i for i in range(max(0, n_vocab - len(tokens) - len(specials)))]
    if len(tokens) + len(specials) != n_vocab:
        raise ValueError("qwen2 vocabulary needs n_vocab >= %d" % (len(tokens) + len(specials)))
    types = [1] * len(tokens) + [3] * len(specials)
    bos = len(tokens)
    tokens += specials
    return tokens, None, types, bos, bos + 2, {"tokenizer.ggml.pre": "qwen2", "tokenizer.ggml.merges": merges}


def model_shape(arch, **overrides):
    if arch not in ARCHS:
        raise ValueError("unknown architecture %r (known: %s)" % (arch, ", ".join(ARCHS)))
    shape = dict(ARCHS[arch])
    shape.setdefault("rope_dims", None)  # every architecture's: None rotates whole heads
    unknown = set(overrides) - set(shape)
    if unknown:
        raise ValueError("unknown shape key(s) %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(shape)))
    shape.update({k: v for k, v in overrides.items() if v is not None})
    if (not shape["head_dim"] and shape["n_embd"] % shape["n_head"]) or shape["n_head"] % shape["n_head_kv"]:
        raise ValueError("n_embd must divide into n_head heads (or head_dim be set), n_head into n_head_kv groups")
    if arch in MOE_ARCHS and not 1 <= shape["n_expert_used"] <= shape["n_expert"]:
        raise ValueError("a mixture of experts needs 1 <= n_expert_used <= n_expert")
    return shape


def float_weights(arch, shape, seed):
    """{tensor name: float32 array in numpy order (ne reversed: [rows = ne1, ne0])}."""
    rng = np.random.default_rng(seed)
    e, f, v = shape["n_embd"], shape["n_ff"], shape["n_vocab"]
    hd = head_dim(shape)
    nq, kv = shape["n_head"] * hd, shape["n_head_kv"] * hd

    def mat(rows, cols):  # y = W x with x of length cols: N(0, 1 / cols)
        return (rng.standard_normal((rows, cols)) / np.sqrt(cols)).astype(np.float32)

    def norm(n):
        return (1.0 + 0.1 * rng.standard_normal(n)).astype(np.float32)

    w = {}
    embd = rng.standard_normal((v, e)).astype(np.float32)
    if shape["tied"]:
        embd *= np.float32(LOGIT_STD / np.sqrt(e))
    w["token_embd.weight"] = embd
    for i in range(shape["n_layer"]):
        p = "blk.%d." % i
        w[p + "attn_norm.weight"] = norm(e)
        w[p + "attn_q.weight"] = mat(nq, e)
        w[p + "attn_k.weight"] = mat(kv, e)
        w[p + "attn_v.weight"] = mat(kv, e)
        if arch == "qwen2":
            for n, size in (("q", nq), ("k", kv), ("v", kv)):
                w[p + "attn_%s.bias" % n] = (0.1 * rng.standard_normal(size)).astype(np.float32)
        if arch in ("qwen3", "gemma3", "qwen3moe"):
            w[p + "attn_q_norm.weight"] = norm(hd)
            w[p + "attn_k_norm.weight"] = norm(hd)
        w[p + "attn_output.weight"] = mat(e, nq) * np.float32(RESIDUAL_GAIN)
        if arch in ("gemma2", "gemma3"):  # normalizes the attention's output before the residual add
            w[p + "post_attention_norm.weight"] = norm(e)
        w[p + "ffn_norm.weight"] = norm(e)
        if arch in MOE_ARCHS:  # the router, then each expert's matrices stacked (3-D)
            n, fe = shape["n_expert"], expert_ff(shape)
            w[p + "ffn_gate_inp.weight"] = mat(n, e)
            w[p + "ffn_gate_exps.weight"] = np.stack([mat(fe, e) for _ in range(n)])
            w[p + "ffn_up_exps.weight"] = np.stack([mat(fe, e) for _ in range(n)])
            w[p + "ffn_down_exps.weight"] = np.stack([mat(e, fe) for _ in range(n)]) * np.float32(RESIDUAL_GAIN)
            continue
        w[p + "ffn_gate.weight"] = mat(f, e)
        w[p + "ffn_up.weight"] = mat(f, e)
        w[p + "ffn_down.weight"] = mat(e, f) * np.float32(RESIDUAL_GAIN)
        if arch in ("gemma2", "gemma3"):
            w[p + "post_ffw_norm.weight"] = norm(e)
        if arch == "phi3":  # the same matrices, stacked as Phi-3's files hold them
            w[p + "attn_qkv.weight"] = np.concatenate([w.pop(p + "attn_%s.weight" % n) for n in "qkv"])
            w[p + "ffn_up.weight"] = np.concatenate([w.pop(p + "ffn_gate.weight"), w.pop(p + "ffn_up.weight")])
            for n in ("attn_output", "ffn_norm", "ffn_up", "ffn_down"):  # Phi-3's order: qkv before these
                w[p + n + ".weight"] = w.pop(p + n + ".weight")
    if shape["tied"]:
        # The head is the embedding: with norm weights near 1 the token just fed scores
        # e.e / rms(x) above the others and greedy decoding loops on it; weights of random
        # sign make e.(e * g) average 0.
        w["output_norm.weight"] = rng.standard_normal(e).astype(np.float32)
    else:
        w["output_norm.weight"] = norm(e)
    if not shape["tied"]:
        w["output.weight"] = mat(v, e) * np.float32(LOGIT_STD)
    return w


def add_metadata(add, arch, name, file_type, shape, vocab=None, rope=None):
    """Adds the model's metadata keys with add(key, value type, value), in the order
    llama.cpp's own writer uses: general.*, the hyper-parameters, the tokenizer. vocab:
    "spm" (llama's default) or "bpe" (qwen2's; for llama with llama.cpp's "llama-bpe"
    pre-tokenizer, as Llama 3's files). arch: gguf_models' name (mixtral is written as
    general.architecture "llama", GGUF_ARCH). Returns (bos, eos)."""
    vocab = vocab or ("spm" if arch in ("llama", "mixtral", "gemma2", "gemma3", "phi3") else "bpe")
    name_of = arch
    arch = GGUF_ARCH.get(arch, arch)
    tokens, scores, token_types, bos, eos, tok_extra = (llama_vocab if vocab == "spm" else qwen2_vocab)(shape["n_vocab"])
    if arch == "phi3" and vocab == "spm":  # its chat tokens in place of the last fillers; EOS <|endoftext|>
        n = len(PHI3_SPECIALS)
        tokens, scores, token_types = (tokens[:-n] + PHI3_SPECIALS, scores[:-n] + [0.0] * n,
                                       token_types[:-n] + [3] * n)
        eos = len(tokens) - n
    if vocab == "bpe" and arch == "llama":
        tok_extra = dict(tok_extra, **{"tokenizer.ggml.pre": "llama-bpe"})
    if len(tokens) != shape["n_vocab"]:
        raise ValueError("%s vocabulary needs n_vocab >= %d" % (arch, len(tokens)))
    add("general.architecture", "str", arch)
    add("general.name", "str", name)
    add("general.file_type", "u32", file_type)
    add("general.quantization_version", "u32", 2)
    a = arch + "."
    for key, value in (("block_count", shape["n_layer"]), ("context_length", shape["n_ctx"]),
                       ("embedding_length", shape["n_embd"]), ("feed_forward_length", shape["n_ff"]),
                       ("attention.head_count", shape["n_head"]), ("attention.head_count_kv", shape["n_head_kv"]),
                       ("rope.dimension_count", rope_dims(shape)), ("vocab_size", shape["n_vocab"])):
        add(a + key, "u32", value)
    if shape["head_dim"]:
        add(a + "attention.key_length", "u32", shape["head_dim"])
        add(a + "attention.value_length", "u32", shape["head_dim"])
    add(a + "attention.layer_norm_rms_epsilon", "f32", shape["eps"])
    if name_of in MOE_ARCHS:  # after the epsilon, as llama.cpp's converter writes them
        add(a + "expert_count", "u32", shape["n_expert"])
        add(a + "expert_used_count", "u32", shape["n_expert_used"])
        if shape.get("n_ff_exp"):
            add(a + "expert_feed_forward_length", "u32", shape["n_ff_exp"])
    for key, meta in (("embedding_scale", "embedding_scale"), ("residual_scale", "residual_scale"),
                      ("attention_scale", "attention.scale"), ("logit_scale", "logit_scale")):
        if shape.get(key):  # granite's multipliers
            add(a + meta, "f32", shape[key])
    if shape.get("window"):
        add(a + "attention.sliding_window", "u32", shape["window"])
    for key in ("attn_softcap", "final_softcap"):
        if shape.get(key):
            add(a + key.replace("softcap", "logit_softcapping"), "f32", shape[key])
    add(a + "rope.freq_base", "f32", shape["rope_base"])
    if rope in LONGROPES:  # Phi-3 128k's and Phi-3.5's LongRoPE, as llama.cpp's converter writes it
        original = longrope_original_context(rope, shape)
        scale = shape["n_ctx"] / original
        attn_factor = np.sqrt(1 + np.log(scale) / np.log(original)) if scale > 1 else 1.0
        add(a + "rope.scaling.attn_factor", "f32", float(attn_factor))
        add(a + "rope.scaling.original_context_length", "u32", original)
    add("tokenizer.ggml.model", "str", "llama" if vocab == "spm" else "gpt2")
    for key, value in tok_extra.items():
        if isinstance(value, list):
            add(key, "array", ("str", value))
        else:
            add(key, "u32" if isinstance(value, int) else "str", value)
    add("tokenizer.ggml.tokens", "array", ("str", tokens))
    if scores is not None:
        add("tokenizer.ggml.scores", "array", ("f32", scores))
    add("tokenizer.ggml.token_type", "array", ("i32", token_types))
    add("tokenizer.ggml.bos_token_id", "u32", bos)
    add("tokenizer.ggml.eos_token_id", "u32", eos)
    add("tokenizer.ggml.add_bos_token", "bool", arch in ("llama", "gemma2", "gemma3"))
    if arch in ("gemma2", "gemma3"):
        add("tokenizer.ggml.add_space_prefix", "bool", False)
    return bos, eos


def write_model(path, arch="llama", wtype="f32", seed=0, embd_type=None, tied=None, types=None,
                drop=(), raw=None, meta=None, rope=None, fill=None, weights=None, extra=None, **shape_overrides):
    """Writes the model to path; returns its description: arch, wtype, embd_type, seed, the
    shape (n_vocab, n_embd, n_layer, n_head, n_head_kv, n_ff, n_ctx, rope_base, eps, tied),
    bos, eos and the tensor names with their ggml types. wtype: a weight type, or a mix of
    MIXES (its matrices typed as llama.cpp's quantizer types them). types: {tensor name:
    type} for single tensors that differ (mixed files). weights: {tensor name: float array}
    with every tensor of the shape (trained weights, llm_trained_model.py) instead of the
    random ones. drop, raw, meta, rope, fill, extra: see the module's docstring."""
    given = weights
    shape = model_shape(arch, tied=tied, **shape_overrides)
    matrix_type, other, file_type = typing(wtype, shape)
    embd_type = embd_type or matrix_type
    types = dict(other, **(types or {}))
    raw = raw or {}
    meta = dict(meta or {})
    if rope not in (None,) + ROPES:
        raise ValueError("unknown rope scaling %r (known: %s)" % (rope, ", ".join(ROPES)))
    if rope == "llama3" and arch != "llama":
        raise ValueError("rope_freqs.weight is llama's (llama.cpp's %s does not read it)" % arch)
    if rope in LONGROPES and arch != "phi3":
        raise ValueError("LongRoPE factors are phi3's (llama.cpp's %s does not read them)" % arch)
    if rope == "linear":
        for key, value in (("rope.scaling.type", ("str", "linear")), ("rope.scaling.factor", ("f32", ROPE_LINEAR_FACTOR))):
            meta.setdefault(arch + "." + key, value)
    for name, (ttype, _) in raw.items():
        if ttype not in gguf_writer.GGML_TYPES:
            raise ValueError("%s: unknown ggml type %r" % (name, ttype))
    for t in [matrix_type, embd_type] + list(types.values()):
        if t not in WEIGHT_TYPES:
            raise ValueError("unknown weight type %r (known: %s, or the mixes %s)" % (
                t, ", ".join(WEIGHT_TYPES), ", ".join(MIXES)))
    w = gguf_writer.GGUFWriter(version=3)
    add_kv = w.add

    def add(key, vtype, value):  # meta replaces (or, with None, removes) a key in place
        if key not in meta:
            add_kv(key, vtype, value)
        elif meta[key] is not None:
            add_kv(key, *meta[key])
        meta.pop(key, None)

    bos, eos = add_metadata(add, arch, "edgec test %s %s seed %d" % (arch, wtype, seed), file_type, shape, rope=rope)
    for key, value in meta.items():  # keys the model does not have: added at the end
        if value is not None:
            add_kv(key, *value)

    tensor_types = {}
    junk = np.random.default_rng(seed + 1)  # raw tensors' bytes; the float weights keep theirs
    weights = float_weights(arch, shape, seed)
    if given is not None:
        wrong = sorted(n for n in set(weights) | set(given)
                       if n not in weights or n not in given or np.shape(given[n]) != weights[n].shape)
        if wrong:
            raise ValueError("weights= must hold every tensor of the shape, as shaped: not %s" % ", ".join(wrong))
        weights = {n: np.asarray(given[n], np.float32) for n in weights}  # the file's tensor order
    if rope == "llama3":  # first, as Llama 3.1's files hold it
        weights = dict([("rope_freqs.weight", llama3_rope_factors(rope_dims(shape),
                                                                 shape["rope_base"]))], **weights)
    if rope in LONGROPES:  # first, as Phi-3's files hold them
        long, short = longrope_factors(rope_dims(shape))
        weights = dict([("rope_factors_long.weight", long), ("rope_factors_short.weight", short)], **weights)
    for (name, row), value in (fill or {}).items():
        if name not in weights:
            raise ValueError("no tensor %s in a %s model" % (name, arch))
        weights[name] = weights[name].copy()
        weights[name][slice(None) if row is None else row] = value
    unknown = (set(drop) | set(raw)) - set(weights)
    if unknown:
        raise ValueError("no tensor(s) %s in a %s model" % (", ".join(sorted(unknown)), arch))
    for name, x in weights.items():
        if name in drop:
            continue
        if name in raw:
            ttype, ne = raw[name]
            data = junk.integers(0, 256, gguf_writer.tensor_bytes(ttype, ne), dtype=np.uint8).tobytes()
            w.add_tensor(name, ttype, list(ne), data)
            tensor_types[name] = ttype
            continue
        if name in types:
            ttype = types[name]
        elif x.ndim == 1 or name.endswith(".ffn_gate_inp.weight"):  # the router: F32 as llama.cpp keeps it
            ttype = "f32"
        elif name in ("token_embd.weight", "output.weight"):
            ttype = embd_type
        else:
            ttype = matrix_type
        block = gguf_writer.GGML_TYPES[ttype][1]
        if x.shape[-1] % block:
            raise ValueError("%s: ne0 %d is not a multiple of %s's block of %d" % (name, x.shape[-1], ttype, block))
        w.add_tensor(name, ttype, list(reversed(x.shape)), gguf_writer.QUANTIZERS[ttype](x))
        tensor_types[name] = ttype
    for name, (ttype, ne) in (extra or {}).items():
        if name in weights:
            raise ValueError("%s is a tensor of the %s model (raw= replaces it)" % (name, arch))
        w.add_tensor(name, ttype, list(ne), junk.integers(0, 256, gguf_writer.tensor_bytes(ttype, ne),
                                                          dtype=np.uint8).tobytes())
        tensor_types[name] = ttype
    w.write(path)
    return dict(arch=arch, wtype=wtype, embd_type=embd_type, seed=seed, bos=bos, eos=eos,
                tensors=tensor_types, rope=rope, **shape)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--arch", default="llama", choices=sorted(ARCHS))
    p.add_argument("--type", default="f32", choices=WEIGHT_TYPES + list(MIXES),
                   help="type of the 2-D matrices, or a mix (%s: see MIXES)" % ", ".join(MIXES))
    p.add_argument("--embd-type", choices=WEIGHT_TYPES, help="type of token_embd/output (default: --type)")
    p.add_argument("--seed", type=int, default=0)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--tied", dest="tied", action="store_true", default=None, help="no output.weight")
    g.add_argument("--untied", dest="tied", action="store_false", help="a separate output.weight")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="shape override: n_vocab n_embd n_layer n_head n_head_kv n_ff n_ctx rope_base eps head_dim "
                        "window (gemma2, gemma3) attn_softcap final_softcap (gemma2) n_expert n_expert_used "
                        "(mixtral, qwen3moe) n_ff_exp (qwen3moe)")
    p.add_argument("--drop", action="append", default=[], metavar="TENSOR", help="leave this tensor out")
    p.add_argument("--tensor-type", action="append", default=[], metavar="TENSOR=TYPE",
                   help="this weight in another type than --type (mixed files, as llama.cpp's Q4_K_M)")
    p.add_argument("--raw", action="append", default=[], metavar="TENSOR=TYPE:NE0xNE1",
                   help="write this tensor as random bytes of a ggml type and shape (ne0 first)")
    p.add_argument("--extra", action="append", default=[], metavar="TENSOR=TYPE:NE0xNE1",
                   help="add a tensor the model does not have, random bytes of a ggml type and shape")
    p.add_argument("--meta", action="append", default=[], metavar="KEY=TYPE:VALUE",
                   help="set a metadata key (TYPE: str, bool (0/1), u32, i32, u64, f32, ...)")
    p.add_argument("--del-meta", action="append", default=[], metavar="KEY", help="remove a metadata key")
    p.add_argument("--fill", action="append", default=[], metavar="TENSOR[:ROW]=VALUE",
                   help="set a tensor, or one row of it, to a value (nan, inf, 0.5, ...)")
    p.add_argument("--rope", choices=ROPES, help="RoPE scaling: linear (metadata), llama3 (rope_freqs.weight), "
                   "longrope or longrope-short (phi3: rope_factors_long/short.weight, the long ones used or not)")
    p.add_argument("--chat-template", metavar="FILE", help="tokenizer.chat_template: this file's text (a Jinja template)")
    args = p.parse_args(argv)
    overrides = {}
    for kv in args.set:
        key, _, value = kv.partition("=")
        overrides[key] = (float(value) if key in ("rope_base", "eps", "attn_softcap", "final_softcap", "embedding_scale",
                                                  "residual_scale", "attention_scale", "logit_scale") else int(value))
    raw, extra, meta = {}, {}, {key: None for key in args.del_meta}
    for items, out in ((args.raw, raw), (args.extra, extra)):
        for item in items:
            name, _, spec = item.partition("=")
            ttype, _, ne = spec.partition(":")
            out[name] = (ttype, [int(d) for d in ne.split("x")])
    for item in args.meta:
        key, _, spec = item.partition("=")
        vtype, _, value = spec.partition(":")
        if vtype not in gguf_writer.VALUE_TYPES or vtype == "array":
            p.error("--meta %s: unknown value type %r" % (key, vtype))
        meta[key] = (vtype, value if vtype == "str" else float(value) if vtype.startswith("f")
                     else bool(int(value)) if vtype == "bool" else int(value))
    fill = {}
    for item in args.fill:
        target, _, value = item.partition("=")
        name, _, row = target.partition(":")
        fill[(name, int(row) if row else None)] = float(value)
    if args.chat_template:
        with open(args.chat_template, encoding="utf-8") as f:
            meta["tokenizer.chat_template"] = ("str", f.read())
    try:
        types = dict(item.partition("=")[::2] for item in args.tensor_type)
        desc = write_model(args.out, args.arch, args.type, args.seed, args.embd_type, args.tied, types=types,
                           drop=args.drop, raw=raw, meta=meta, rope=args.rope, fill=fill, extra=extra, **overrides)
    except ValueError as e:
        p.error(str(e))
    print("%s: %s %s, %d layers, n_embd %d, vocab %d, %d bytes" % (
        args.out, desc["arch"], desc["wtype"], desc["n_layer"], desc["n_embd"], desc["n_vocab"],
        os.path.getsize(args.out)))


if __name__ == "__main__":
    main()
