#!/usr/bin/python3
"""An independent numpy implementation of the llama, qwen2, qwen3, gemma2, gemma3, phi3, granite and
qwen3moe forward pass (llama with experts: Mixtral), read
from a GGUF file: the numpy reference of issue 12 (edgec's GGUF frontend and LLM generation). Its own
GGUF reader and dequantizers (written from ggml's block layouts, vectorized; nothing shared
with edgec's C++ or with gguf_writer.py's quantizers), the math in float64.

The forward pass follows ggml's semantics on the stored tensors exactly:
  x = token_embd[id]  (gemma3: times sqrt(n_embd))
  per layer:  h = rms_norm(x) * attn_norm
              q, k, v = Wq h (+ bq), Wk h (+ bk), Wv h (+ bv)        (biases: qwen2)
              q, k = rms_norm(q_head) * attn_q_norm, rms_norm(k_head) * attn_k_norm
                     per head of head_dim elements                   (qwen3, gemma3)
              q, k = rope(q), rope(k) at the token's position; k, v appended to the cache
              attention per query head over the cache (head j reads KV head j // (n_head /
              n_head_kv), GQA), scores / sqrt(head_dim), causal softmax
              x = x + Wo attn     (gemma3: x + rms_norm(Wo attn) * post_attention_norm)
              h = rms_norm(x) * ffn_norm;  x = x + Wdown (silu(Wgate h) * Wup h)
                  (gemma3: f = Wdown (gelu(Wgate h) * Wup h), gelu's tanh form;
                   x = x + rms_norm(f) * post_ffw_norm)
  logits = W_out (rms_norm(x) * output_norm), W_out = output.weight or token_embd (tied)
with rms_norm(x) = x / sqrt(mean(x^2) + eps) (eps = <arch>.attention.layer_norm_rms_epsilon)
and RoPE over rope.dimension_count dims with theta_i = pos * freq_base^(-2i / n_rot),
divided by rope.scaling.factor under rope.scaling.type "linear" and by rope_freqs.weight[i]
where the file has that tensor, as Llama 3.1's do (ggml_rope_ext's freq_scale and
freq_factors); llama uses ggml's "normal" mode (rotates adjacent pairs x[2i], x[2i+1]; GGUF files of llama hold Q
and K rows permuted by the converter so that this is right), qwen2 and qwen3 ggml's NeoX
mode (x[i] and x[i + n_rot / 2]). head_dim is <arch>.attention.key_length where the file has
it (Qwen3's heads are wider than embedding_length / head_count), else embedding_length /
head_count.

gemma3 as llama.cpp's llm_build_gemma3_iswa: every layer l with l % 6 < 5 is local, attending
only to the attention.sliding_window most recent positions (its own included), with RoPE
base 10000 and no scaling; the others are global, with the file's rope.freq_base and
scaling. The queries (not the scores: the order matters to the fp16 rounding emulated
below) are scaled by 1 / sqrt(head_dim), or 1 / sqrt(n_embd / n_head) for the 62-layer
(27B) model, as llama.cpp does.

gemma2 as llama.cpp's llm_build_gemma2_iswa: gemma3's graph without the q/k norms, every
other layer (l % 2 == 0) local with the global RoPE, queries scaled the same (the 46-layer
27B by n_embd / n_head), each scaled score x soft-capped to c tanh(x / c) before the mask
and softmax (c = attn_logit_softcapping, default 50) and the logits likewise
(final_logit_softcapping, default 30).

Mixture of experts (a layer with blk.N.ffn_gate_inp.weight: Mixtral's llama files, qwen3moe)
as llama.cpp's build_moe_ffn with softmax gating and normalized weights (llm_build_llama's and
qwen3moe's norm_w = true, no expert_weights_scale): per position, with h the FFN's input,
  p = softmax(W_router h) over the <arch>.expert_count experts,
  the <arch>.expert_used_count experts of largest p, in descending order (ggml_argsort_top_k),
  w_i = p_i / max(sum of those p, 6.103515625e-5)  (llama.cpp clamps the sum to the smallest
        normal fp16 number, against a division by zero),
  f = sum over slots i in order of w_i * Wdown_e (silu(Wgate_e h) * Wup_e h)  (e the slot's expert)
with W_router = ffn_gate_inp [n_expert, n_embd] and expert e's matrices the e-th slabs of the
3-D ffn_gate_exps, ffn_up_exps [n_expert, n_ff_exp, n_embd] and ffn_down_exps [n_expert,
n_embd, n_ff_exp]. qwen3moe is qwen3's graph with this FFN.

phi3 as llama.cpp's llama_model_phi3: llama's graph with NeoX RoPE, q, k and v from one
matrix attn_qkv (its output cut into n_head, n_head_kv and n_head_kv heads) and the FFN's
gate and up from one ffn_up of 2 n_ff rows (the first half the gate: ggml_swiglu), no
sliding window (llama.cpp drops Phi-3's). LongRoPE files (Phi-3-*-128k, Phi-3.5): RoPE's
frequencies divided by rope_factors_long.weight where the context exceeds
rope.scaling.original_context_length, else by rope_factors_short.weight, and cos and sin
times rope.scaling.attn_factor (ggml_rope_ext's freq_factors and attn_factor).

emulate_ggml=True also applies the roundings llama.cpp's CPU backend makes, so that its
logits can be compared closely: before each matmul the activation is converted to the
weight type's "vec_dot_type" (F16 weights: fp16; BF16: bf16; Q4_0, Q5_0, Q8_0, IQ4_NL: Q8_0
blocks of 32; Q4_1, Q5_1: Q8_1 (the same values); K-quants and IQ4_XS: Q8_K blocks of 256),
the KV cache holds fp16 (llama.cpp's default cache type, kv_type="f32" for an F32 cache),
the experts' matmuls (ggml_mul_mat_id) round their activations as the other matmuls do, by
each expert tensor's type (the router's F32 weights: none),
and without flash attention the queries are rounded to fp16 before Q.K and the softmax weights before
weights.V (the cache is the matmuls' fp16 operand); GELU goes through ggml's fp16 table (input
and result rounded to fp16). The sums themselves stay float64.

  m = Model("model.gguf")          # emulate_ggml=False: the exact float64 model
  logits = m.prefill([1, 5, 9])    # [3, n_vocab]: one row per position; fills the cache
  row = m.decode(7)                # [n_vocab]: the next position
  m.expert_margins                 # per position since the reset, each layer's router margin
                                   # [n_layer] (mixtures of experts, see moe(); inf otherwise)
  m.expert_swaps = {(12, 0)}       # choose the next expert in place of the last at those
                                   # (position, layer): another computation's choice at a near tie
  m.reset()                        # empty cache
  tokens, rows = m.generate([1, 5, 9], 16)   # greedy: 16 ids, rows[0] = prompt's last
                                             # position, rows[k] the step fed tokens[k-1]
CLI:  llm_reference.py MODEL.gguf --prompt 1,5,9 -n 16 [--emulate-ggml]
"""
import argparse
import mmap
import struct

import numpy as np

# ------------------------------------------------------------------------------ GGUF
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
# ggml type id -> (name, values per block, bytes per block)
GGML_TYPES = {0: ("f32", 1, 4), 1: ("f16", 1, 2), 2: ("q4_0", 32, 18), 3: ("q4_1", 32, 20),
              6: ("q5_0", 32, 22), 7: ("q5_1", 32, 24), 8: ("q8_0", 32, 34), 10: ("q2_k", 256, 84),
              11: ("q3_k", 256, 110), 12: ("q4_k", 256, 144),
              13: ("q5_k", 256, 176), 14: ("q6_k", 256, 210), 20: ("iq4_nl", 32, 18), 23: ("iq4_xs", 256, 136),
              30: ("bf16", 1, 2)}
GGML_TYPES_BY_NAME = {v[0]: (k,) + v[1:] for k, v in GGML_TYPES.items()}


class GGUF:
    """A GGUF file (v2/v3): .metadata {key: value}, .tensors {name: (type name, ne, bytes)};
    .data_start (where the tensor data begins in the file) and .offsets {name: offset from it}."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self.pos = 0
        if self._read(4) != b"GGUF":
            raise ValueError("%s: not a GGUF file" % path)
        version = self._scalar("<I")
        if version not in (2, 3):
            raise ValueError("%s: GGUF version %d" % (path, version))
        n_tensors, n_kv = self._scalar("<Q"), self._scalar("<Q")
        self.metadata = {}
        for _ in range(n_kv):
            key = self._string()
            self.metadata[key] = self._value(self._scalar("<I"))
        infos = []
        for _ in range(n_tensors):
            name = self._string()
            ne = [self._scalar("<Q") for _ in range(self._scalar("<I"))]
            infos.append((name, self._scalar("<I"), ne, self._scalar("<Q")))
        align = self.metadata.get("general.alignment", 32)
        start = self.data_start = (self.pos + align - 1) // align * align
        self.offsets = {name: offset for name, _, _, offset in infos}
        self.tensors = {}
        for name, type_id, ne, offset in infos:
            if type_id not in GGML_TYPES:
                raise ValueError("%s: tensor %s has ggml type %d, which this reference does not read" %
                                 (path, name, type_id))
            tname, block, block_bytes = GGML_TYPES[type_id]
            nbytes = int(np.prod(ne)) // block * block_bytes
            data = np.frombuffer(self.buf, np.uint8, nbytes, start + offset)
            self.tensors[name] = (tname, ne, data)

    def _read(self, n):
        b = self.buf[self.pos:self.pos + n]
        if len(b) != n:
            raise ValueError("GGUF header runs past the end of the file")
        self.pos += n
        return b

    def _scalar(self, fmt):
        return struct.unpack(fmt, self._read(struct.calcsize(fmt)))[0]

    def _string(self):
        return self._read(self._scalar("<Q")).decode("utf-8", errors="replace")

    def _value(self, vtype):
        if vtype == 8:
            return self._string()
        if vtype == 9:
            etype, n = self._scalar("<I"), self._scalar("<Q")
            return [self._value(etype) for _ in range(n)]
        return self._scalar(_SCALARS[vtype])

    def tensor(self, name):
        """The tensor dequantized to float32, numpy order ([ne1, ne0] for a matrix)."""
        tname, ne, data = self.tensors[name]
        return DEQUANTIZERS[tname](data).reshape(list(reversed(ne)))


# ------------------------------------------------------------------------------ dequantizers
def _f16(b):
    """Little-endian f16 bytes (..., 2) -> float32 (...)."""
    return np.ascontiguousarray(b).view(np.float16)[..., 0].astype(np.float32)


def _blocks(data, nbytes):
    return data.reshape(-1, nbytes)


def _nibbles32(qs):
    """16 bytes per block -> 32 codes: element j the low nibble of byte j, element j + 16 the high."""
    return np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int32)


def _fifth_bits32(qh):
    """4 bytes (a little-endian u32) per block -> 32 bits, bit j for element j."""
    return np.unpackbits(qh, axis=1, bitorder="little").astype(np.int32)


def deq_f32(data):
    return data.view(np.float32).copy()


def deq_f16(data):
    return data.view(np.float16).astype(np.float32)


def deq_bf16(data):
    return (data.view(np.uint16).astype(np.uint32) << 16).view(np.float32)


def deq_q8_0(data):
    b = _blocks(data, 34)
    return (_f16(b[:, 0:2])[:, None] * b[:, 2:].view(np.int8)).reshape(-1)


def deq_q4_0(data):
    b = _blocks(data, 18)
    return (_f16(b[:, 0:2])[:, None] * (_nibbles32(b[:, 2:]) - 8)).reshape(-1)


def deq_q4_1(data):
    b = _blocks(data, 20)
    return (_f16(b[:, 0:2])[:, None] * _nibbles32(b[:, 4:]) + _f16(b[:, 2:4])[:, None]).reshape(-1)


def deq_q5_0(data):
    b = _blocks(data, 22)
    q = _nibbles32(b[:, 6:]) | (_fifth_bits32(b[:, 2:6]) << 4)
    return (_f16(b[:, 0:2])[:, None] * (q - 16)).reshape(-1)


def deq_q5_1(data):
    b = _blocks(data, 24)
    q = _nibbles32(b[:, 8:]) | (_fifth_bits32(b[:, 4:8]) << 4)
    return (_f16(b[:, 0:2])[:, None] * q + _f16(b[:, 2:4])[:, None]).reshape(-1)


def _k_scale_min(s):
    """The 12 scale bytes of Q4_K/Q5_K -> (scales, mins) of the 8 sub-blocks, 6 bits each:
    sub-blocks 0-3 in the low 6 bits of bytes 0-3 (scale) and 4-7 (min); 4-7 take their low
    4 bits from bytes 8-11 (scale low nibble, min high nibble) and their top 2 bits from the
    top 2 bits of bytes 0-3 (scale) and 4-7 (min)."""
    s = s.astype(np.int32)
    sc = np.concatenate([s[:, 0:4] & 63, (s[:, 8:12] & 15) | ((s[:, 0:4] >> 6) << 4)], axis=1)
    mn = np.concatenate([s[:, 4:8] & 63, (s[:, 8:12] >> 4) | ((s[:, 4:8] >> 6) << 4)], axis=1)
    return sc, mn


def _k_low4(qs):
    """128 bytes -> 256 codes: in chunk c of 64 values, value l < 32 is the low nibble of byte
    32c + l, value 32 + l its high nibble."""
    qs = qs.reshape(-1, 4, 1, 32)
    return np.concatenate([qs & 15, qs >> 4], axis=2).reshape(-1, 256).astype(np.int32)


def _k_affine(b, q):
    """x = d * scale * q - dmin * min per sub-block of 32 (Q4_K, Q5_K)."""
    d, dmin = _f16(b[:, 0:2]), _f16(b[:, 2:4])
    sc, mn = _k_scale_min(b[:, 4:16])
    q = q.reshape(-1, 8, 32)
    return ((d[:, None] * sc)[:, :, None] * q - (dmin[:, None] * mn)[:, :, None]).reshape(-1)


def deq_q4_k(data):
    b = _blocks(data, 144)
    return _k_affine(b, _k_low4(b[:, 16:144]))


def deq_q5_k(data):
    b = _blocks(data, 176)
    qh = b[:, 16:48].astype(np.int32)  # bit 2c of byte l: value 64c + l; bit 2c + 1: 64c + 32 + l
    hi = (qh[:, None, :] >> np.arange(8)[None, :, None]) & 1  # [block, 2c + half, l]
    return _k_affine(b, _k_low4(b[:, 48:176]) | (hi.reshape(-1, 256) << 4))


def _k_crumbs(qs):
    """Q2_K's and Q3_K's 64 bytes of 2-bit codes -> 256 codes in value order. The values
    come in two halves of 128, each read from its own 32 bytes as four runs of 32: run r of
    half h is the bit pair 2r, 2r + 1 of those bytes (byte k for value 128h + 32r + k)."""
    runs = qs.reshape(-1, 2, 1, 32).astype(np.int32) >> (2 * np.arange(4))[None, None, :, None]
    return (runs & 3).reshape(-1, 256)


def deq_q2_k(data):
    """Q2_K: scales[16] (per sub-block of 16 values: scale low nibble, min high nibble),
    qs[64] (2-bit codes q), f16 d, f16 dmin: x = d * scale * q - dmin * min."""
    b = _blocks(data, 84)
    sm = b[:, 0:16].astype(np.int32)
    d, dmin = _f16(b[:, 80:82]), _f16(b[:, 82:84])
    q = _k_crumbs(b[:, 16:80]).reshape(-1, 16, 16)
    return ((d[:, None] * (sm & 15))[:, :, None] * q - (dmin[:, None] * (sm >> 4))[:, :, None]).reshape(-1)


def deq_q3_k(data):
    """Q3_K: hmask[32], qs[64], scales[12], f16 d. A value's code q in -4..3 is its two bits
    from qs (as Q2_K's) plus 4 when its bit of hmask is set, minus 4; that bit, for value
    128h + 32r + k, is bit 4h + r of hmask byte k. Sixteen 6-bit scales, one per 16 values,
    stored + 32: scale i's low 4 bits are the low (i < 8) or high (i >= 8) nibble of byte
    i mod 8, its top 2 bits bits 2 (i div 4) and up of byte 8 + i mod 4. x = d * scale * q."""
    b = _blocks(data, 110)
    hm, s = b[:, 0:32].astype(np.int32), b[:, 96:108].astype(np.int32)
    high = (hm[:, None, :] >> np.arange(8)[None, :, None]) & 1  # [block, 4h + r, k]
    q = (_k_crumbs(b[:, 32:96]) + 4 * high.reshape(-1, 256) - 4).reshape(-1, 16, 16)
    i = np.arange(16)
    low4 = np.where(i < 8, s[:, i % 8] & 15, s[:, i % 8] >> 4)
    top2 = (s[:, 8 + i % 4] >> (2 * (i // 4))) & 3
    scale = (low4 | (top2 << 4)) - 32
    return ((_f16(b[:, 108:110])[:, None] * scale)[:, :, None] * q).reshape(-1)


def deq_q6_k(data):
    b = _blocks(data, 210)
    ql, qh = b[:, 0:128].astype(np.int32), b[:, 128:192].astype(np.int32)
    sc, d = b[:, 192:208].view(np.int8).astype(np.float32), _f16(b[:, 208:210])
    ql = ql.reshape(-1, 2, 2, 32)  # [block, half n, ql byte group g (32g + l), l]
    qh = qh.reshape(-1, 2, 1, 32)
    low = np.concatenate([ql & 15, ql >> 4], axis=2)  # quarter k = 0..3: ql group k % 2, nibble k // 2
    high = (qh >> (2 * np.arange(4))[None, None, :, None]) & 3  # quarter k: bits 2k, 2k + 1 of qh[32n + l]
    q = (low | (high << 4)).reshape(-1, 16, 16) - 32  # value 128n + 32k + l; sub-blocks of 16
    return ((d[:, None] * sc)[:, :, None] * q).reshape(-1)


# ggml's kvalues_iq4nl: the 16 levels a 4-bit IQ4_NL / IQ4_XS code stands for
_IQ4_KVALUES = np.array([-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113], np.int8)


def deq_iq4_nl(data):
    """IQ4_NL: f16 d, qs[16] (codes as Q4_0's: element j the low nibble of byte j, j + 16 its
    high nibble); x = d * kvalues[code] in float32."""
    b = _blocks(data, 18)
    levels = _IQ4_KVALUES[_nibbles32(b[:, 2:])].astype(np.float32)
    return (_f16(b[:, 0:2])[:, None] * levels).reshape(-1)


def deq_iq4_xs(data):
    """IQ4_XS: f16 d, u16 scales_h, scales_l[4], qs[128]: eight sub-blocks of 32, each with a
    6-bit scale ls (low 4 bits: scales_l[ib / 2]'s low nibble for even ib, high for odd; top 2
    bits: bits 2 ib, 2 ib + 1 of scales_h) and 16 bytes of codes as IQ4_NL's. As ggml's
    dequantize_row_iq4_xs: dl = d * (ls - 32), x = dl * kvalues[code], both in float32."""
    b = _blocks(data, 136)
    hi = b[:, 2:4].copy().view("<u2").astype(np.int32)  # [block, 1]
    lo = b[:, 4:8].astype(np.int32)
    ib = np.arange(8)
    ls = ((lo[:, ib // 2] >> (4 * (ib % 2))) & 15) | (((hi >> (2 * ib)) & 3) << 4)  # [block, ib]
    dl = _f16(b[:, 0:2])[:, None] * (ls - 32).astype(np.float32)
    levels = _IQ4_KVALUES[_nibbles32(b[:, 8:].reshape(-1, 16))].astype(np.float32).reshape(-1, 8, 32)
    return (dl[:, :, None] * levels).reshape(-1)


DEQUANTIZERS = {"f32": deq_f32, "f16": deq_f16, "bf16": deq_bf16, "q8_0": deq_q8_0, "q4_0": deq_q4_0,
                "q4_1": deq_q4_1, "q5_0": deq_q5_0, "q5_1": deq_q5_1, "q2_k": deq_q2_k, "q3_k": deq_q3_k,
                "q4_k": deq_q4_k, "q5_k": deq_q5_k, "q6_k": deq_q6_k, "iq4_nl": deq_iq4_nl, "iq4_xs": deq_iq4_xs}


# ------------------------------------------------------------------------------ llama.cpp's roundings
def round_f16(x):
    return np.asarray(x).astype(np.float16).astype(np.float64)


def round_bf16(x):
    u = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    return u.astype(np.uint32).view(np.float32).astype(np.float64)


def round_q8_0(x):
    """ggml's x86 quantize_row_q8_0: per block of 32, d = amax / 127 stored as fp16, codes
    rint(x * 127 / amax) computed in float32 (round half to even); the value is fp16(d) * q."""
    x = np.asarray(x, np.float32).reshape(-1, 32)
    amax = np.abs(x).max(axis=1, keepdims=True)
    inv = np.where(amax > 0, np.float32(127.0) / np.where(amax > 0, amax, 1), 0).astype(np.float32)
    q = np.rint(x * inv)
    d = (amax / np.float32(127.0)).astype(np.float16).astype(np.float64)
    return (d * q).reshape(-1)


def round_q8_1(x):
    """ggml's x86 quantize_row_q8_1: the values of Q8_0, plus per block s = fp16(d * sum q)
    with d = amax / 127 before its fp16 rounding. Q4_1/Q5_1 dot products add m * s for the
    weight block's offset m, so s - fp16(d) * sum q is an error they carry; -> (values, that
    difference per block of 32)."""
    x = np.asarray(x, np.float32).reshape(-1, 32)
    amax = np.abs(x).max(axis=1)
    inv = np.where(amax > 0, np.float32(127.0) / np.where(amax > 0, amax, 1), 0).astype(np.float32)
    q = np.rint(x * inv[:, None])
    d32 = (amax / np.float32(127.0)).astype(np.float32)
    d16 = d32.astype(np.float16).astype(np.float64)
    qsum = q.sum(axis=1)
    s = (d32 * qsum.astype(np.float32)).astype(np.float16).astype(np.float64)
    return (d16[:, None] * q).reshape(-1), s - d16 * qsum


def round_q8_k(x):
    """ggml's quantize_row_q8_K: per block of 256, m the value of largest magnitude, iscale =
    -127 / m, codes min(127, nearest(iscale * x)), d = 1 / iscale kept as float32."""
    x = np.asarray(x, np.float32).reshape(-1, 256)
    m = np.take_along_axis(x, np.abs(x).argmax(axis=1)[:, None], axis=1)
    iscale = np.where(m != 0, np.float32(-127.0) / np.where(m != 0, m, 1), 0).astype(np.float32)
    q = np.minimum(127, np.rint(iscale * x))
    d = np.where(iscale != 0, np.float32(1.0) / np.where(iscale != 0, iscale, 1), 0).astype(np.float32)
    return (d.astype(np.float64) * q).reshape(-1)


# weight type -> what ggml's CPU matmul converts the activation to (its vec_dot_type)
ACTIVATION_ROUNDING = {"f32": None, "f16": round_f16, "bf16": round_bf16, "q8_0": round_q8_0,
                       "q4_0": round_q8_0, "q5_0": round_q8_0, "q4_1": round_q8_1, "q5_1": round_q8_1,
                       "q2_k": round_q8_k, "q3_k": round_q8_k, "q4_k": round_q8_k, "q5_k": round_q8_k,
                       "q6_k": round_q8_k, "iq4_nl": round_q8_0, "iq4_xs": round_q8_k}


# ------------------------------------------------------------------------------ the model
class Linear:
    """y = W x (+ b) with W dequantized to float64 [out, in]; with emulate, x is first
    rounded as ggml's CPU matmul does for W's type (for Q4_1/Q5_1 also the error of Q8_1's
    fp16 block sums, times the weight blocks' offsets m). A 3-D tensor (a mixture of experts'
    [n_expert, out, in]) is one matrix per expert: call it with expert=e."""

    def __init__(self, gguf, name, bias=None, emulate=False):
        self.w = gguf.tensor(name).astype(np.float64)
        self.b = gguf.tensor(bias).astype(np.float64) if bias else None
        wtype, ne, data = gguf.tensors[name]
        self.round = ACTIVATION_ROUNDING[wtype] if emulate else None
        self.mins = None
        if self.round is round_q8_1:  # the f16 m of each block (bytes 2-3 of Q4_1 and Q5_1)
            block_bytes = GGML_TYPES_BY_NAME[wtype][2]
            self.mins = _f16(data.reshape(-1, block_bytes)[:, 2:4]).astype(np.float64).reshape(
                list(reversed(ne[1:])) + [ne[0] // 32])

    def __call__(self, x, expert=None):
        shape = x.shape
        x = np.atleast_2d(x)
        w = self.w if expert is None else self.w[expert]
        if self.round is None:
            y = x @ w.T
        elif self.mins is not None:
            mins = self.mins if expert is None else self.mins[expert]
            parts = [self.round(row) for row in x]
            y = np.stack([p[0] for p in parts]) @ w.T + np.stack([p[1] for p in parts]) @ mins.T
        else:
            y = np.stack([self.round(row) for row in x]) @ w.T
        y = y.reshape(shape[:-1] + (y.shape[-1],))
        return y if self.b is None else y + self.b


class Model:
    """The llama / qwen2 model of a GGUF file with a KV cache (see the module docstring)."""

    def __init__(self, path, emulate_ggml=False, kv_type="f16"):
        g = GGUF(path)
        md = g.metadata
        self.arch = md["general.architecture"]
        if self.arch not in ("llama", "qwen2", "qwen3", "gemma2", "gemma3", "phi3", "granite", "qwen3moe"):
            raise ValueError("%s: architecture %r (this reference knows llama, qwen2, qwen3, gemma2, gemma3, phi3, "
                             "granite and qwen3moe)" % (path, self.arch))
        self.gemma = self.arch in ("gemma2", "gemma3")
        a = self.arch + "."
        self.n_layer = md[a + "block_count"]
        self.n_embd = md[a + "embedding_length"]
        self.n_head = md[a + "attention.head_count"]
        self.n_head_kv = md.get(a + "attention.head_count_kv", self.n_head)
        self.head_dim = md.get(a + "attention.key_length", self.n_embd // self.n_head)
        self.n_rot = md.get(a + "rope.dimension_count", self.head_dim)
        self.n_ctx = md[a + "context_length"]
        self.eps = md[a + "attention.layer_norm_rms_epsilon"]
        self.rope_base = md.get(a + "rope.freq_base", 10000.0)
        scaling = md.get(a + "rope.scaling.type", "none")
        if scaling not in ("none", "linear"):
            raise ValueError("%s: rope.scaling.type %r (this reference knows none and linear)" % (path, scaling))
        self.rope_scale = md[a + "rope.scaling.factor"] if scaling == "linear" else 1.0
        self.rope_factors = (g.tensor("rope_freqs.weight").astype(np.float64) if "rope_freqs.weight" in g.tensors
                             else np.ones(self.n_rot // 2))
        # phi3's LongRoPE: the long factors where the context (llama.cpp's n_ctx_seq; here the
        # model's whole context) exceeds rope.scaling.original_context_length, else the short
        # ones; cos and sin scaled by rope.scaling.attn_factor (any architecture).
        if "rope_factors_long.weight" in g.tensors:
            original = md.get(a + "rope.scaling.original_context_length", self.n_ctx)
            self.rope_factors = g.tensor("rope_factors_%s.weight" % ("long" if self.n_ctx > original else "short")
                                         ).astype(np.float64)
        self.rope_mscale = md.get(a + "rope.scaling.attn_factor", 1.0)
        self.neox = self.arch in ("qwen2", "qwen3", "gemma2", "gemma3", "phi3", "qwen3moe")
        gemma2 = self.arch == "gemma2"
        # llama.cpp's defaults: gemma2's window of 4096 on every other layer (from layer 0),
        # gemma3's on all but every sixth; its soft caps 50 (scores) and 30 (logits).
        self.window = md.get(a + "attention.sliding_window", 4096 if gemma2 else 0) if self.gemma else 0
        self.swa_pattern = 2 if gemma2 else 6
        self.attn_softcap = md.get(a + "attn_logit_softcapping", 50.0) if gemma2 else 0.0
        self.final_softcap = md.get(a + "final_logit_softcapping", 30.0) if gemma2 else 0.0
        big = self.n_layer == (46 if gemma2 else 62)  # 27B: embedding / heads
        self.attn_scale = 1.0 / np.sqrt(self.n_embd // self.n_head if self.gemma and big else self.head_dim)
        # granite's multipliers (llm_build_granite; 0 or absent: none): the embedding's, each
        # branch's before its residual add, the scores' (instead of 1 / sqrt(head_dim)), and
        # the logits' divisor.
        granite = self.arch == "granite"
        self.embedding_scale = md.get(a + "embedding_scale", 0.0) if granite else 0.0
        self.residual_scale = md.get(a + "residual_scale", 0.0) if granite else 0.0
        self.logit_scale = md[a + "logit_scale"] if granite else 0.0
        if granite and md.get(a + "attention.scale", 0.0):
            self.attn_scale = md[a + "attention.scale"]
        self.bos = md.get("tokenizer.ggml.bos_token_id")
        self.eos = md.get("tokenizer.ggml.eos_token_id")
        self.expert_swaps = set()  # (position, layer): see moe()
        self.emulate = emulate_ggml
        self.kv_round = round_f16 if emulate_ggml and kv_type == "f16" else (lambda x: x)
        self.embd = g.tensor("token_embd.weight").astype(np.float64)
        self.n_vocab = self.embd.shape[0]
        # a mixture of experts (layers with ffn_gate_inp): how many, and how many a position runs
        self.n_expert = md.get(a + "expert_count", 0)
        self.n_expert_used = md.get(a + "expert_used_count", 0)
        self.layers = []
        qk_norm = self.arch in ("qwen3", "gemma3", "qwen3moe")  # not gemma2
        for i in range(self.n_layer):
            p = "blk.%d." % i
            bias = (lambda n: p + n + ".bias" if p + n + ".bias" in g.tensors else None)
            # phi3: q, k and v in one matrix (attn_qkv) and the FFN's gate and up in one
            # (ffn_up, the gate's rows first): one Linear each, its output cut in forward().
            fused = p + "attn_qkv.weight" in g.tensors
            # a mixture of experts: the router (ffn_gate_inp) and the experts' 3-D matrices
            moe = p + "ffn_gate_inp.weight" in g.tensors
            if moe and not 1 <= self.n_expert_used <= self.n_expert:
                raise ValueError("%s: %d experts, %d used" % (path, self.n_expert, self.n_expert_used))
            self.layers.append(dict(
                attn_norm=g.tensor(p + "attn_norm.weight").astype(np.float64),
                qkv=Linear(g, p + "attn_qkv.weight", None, emulate_ggml) if fused else None,
                q=None if fused else Linear(g, p + "attn_q.weight", bias("attn_q"), emulate_ggml),
                k=None if fused else Linear(g, p + "attn_k.weight", bias("attn_k"), emulate_ggml),
                v=None if fused else Linear(g, p + "attn_v.weight", bias("attn_v"), emulate_ggml),
                q_norm=(g.tensor(p + "attn_q_norm.weight").astype(np.float64) if qk_norm else None),
                k_norm=(g.tensor(p + "attn_k_norm.weight").astype(np.float64) if qk_norm else None),
                post_attn_norm=(g.tensor(p + "post_attention_norm.weight").astype(np.float64) if self.gemma
                                else None),
                post_ffn_norm=(g.tensor(p + "post_ffw_norm.weight").astype(np.float64) if self.gemma else None),
                o=Linear(g, p + "attn_output.weight", None, emulate_ggml),
                ffn_norm=g.tensor(p + "ffn_norm.weight").astype(np.float64),
                gate=Linear(g, p + "ffn_gate.weight", None, emulate_ggml) if self.arch != "phi3" and not moe else None,
                up=None if moe else Linear(g, p + "ffn_up.weight", None, emulate_ggml),
                down=None if moe else Linear(g, p + "ffn_down.weight", None, emulate_ggml),
                router=Linear(g, p + "ffn_gate_inp.weight", None, emulate_ggml) if moe else None,
                gate_exps=Linear(g, p + "ffn_gate_exps.weight", None, emulate_ggml) if moe else None,
                up_exps=Linear(g, p + "ffn_up_exps.weight", None, emulate_ggml) if moe else None,
                down_exps=Linear(g, p + "ffn_down_exps.weight", None, emulate_ggml) if moe else None))
        self.output_norm = g.tensor("output_norm.weight").astype(np.float64)
        self.tied = "output.weight" not in g.tensors
        self.head = Linear(g, "token_embd.weight" if self.tied else "output.weight", None, emulate_ggml)
        self.reset()

    def reset(self):
        """Empties the KV cache: the next prefill starts at position 0."""
        self.pos = 0
        self.expert_margins = []  # per position since the reset (see moe())
        kv = self.n_head_kv * self.head_dim
        self.k_cache = [np.zeros((0, kv)) for _ in range(self.n_layer)]
        self.v_cache = [np.zeros((0, kv)) for _ in range(self.n_layer)]

    def rms_norm(self, x, w):
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + self.eps) * w

    def is_local(self, layer):
        """gemma: whether the layer attends to a sliding window (gemma3: all but every sixth;
        gemma2: every other)."""
        return self.window > 0 and layer % self.swa_pattern < self.swa_pattern - 1

    def rope(self, x, pos, local=False):
        """x [n, heads * head_dim] at positions pos [n]: rotates the first n_rot dims of each head
        (local: a gemma3 local layer's, base 10000 without scaling; gemma2's are the global ones)."""
        n = x.shape[0]
        x = x.reshape(n, -1, self.head_dim).copy()
        half = self.n_rot // 2
        if local and self.arch == "gemma3":
            freqs = 10000.0 ** (-2.0 * np.arange(half) / self.n_rot)
        else:
            freqs = self.rope_base ** (-2.0 * np.arange(half) / self.n_rot) / self.rope_factors / self.rope_scale
        theta = pos[:, None] * freqs  # [n, half]
        cos, sin = self.rope_mscale * np.cos(theta)[:, None, :], self.rope_mscale * np.sin(theta)[:, None, :]
        if self.neox:
            a, b = x[:, :, :half].copy(), x[:, :, half:self.n_rot].copy()
            x[:, :, :half], x[:, :, half:self.n_rot] = a * cos - b * sin, a * sin + b * cos
        else:
            a, b = x[:, :, 0:self.n_rot:2].copy(), x[:, :, 1:self.n_rot:2].copy()
            x[:, :, 0:self.n_rot:2], x[:, :, 1:self.n_rot:2] = a * cos - b * sin, a * sin + b * cos
        return x.reshape(n, -1)

    def attention(self, q, k, v, pos, window=0):
        """q [n, n_head * hd] against the whole cache k, v [T, n_head_kv * hd], causal (window > 0:
        each query only the window most recent positions, its own included)."""
        n, hd, group = q.shape[0], self.head_dim, self.n_head // self.n_head_kv
        scale = self.attn_scale
        if self.gemma:  # llama.cpp scales gemma3's queries (f32) before attention, not its scores
            q, scale = q * np.float64(np.float32(scale)), 1.0
        if self.emulate:
            q = round_f16(q)  # the fp16 cache makes Q.K an fp16 matmul: ggml rounds Q to fp16
        q = q.reshape(n, self.n_head, hd)
        k = k.reshape(-1, self.n_head_kv, hd)
        v = v.reshape(-1, self.n_head_kv, hd)
        kh = np.repeat(k, group, axis=1)  # query head j reads KV head j // group
        vh = np.repeat(v, group, axis=1)
        scores = np.einsum("nhd,thd->hnt", q, kh) * scale
        if self.attn_softcap:  # gemma2: c tanh(x / c) before the mask and the softmax
            scores = self.attn_softcap * np.tanh(scores / self.attn_softcap)
        rows = np.arange(k.shape[0])[None, None, :]
        visible = rows <= pos[None, :, None]
        if window:
            visible &= rows > pos[None, :, None] - window
        scores = np.where(visible, scores, -np.inf)
        p = np.exp(scores - scores.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        if self.emulate and self.kv_round is round_f16:
            p = round_f16(p)
        return np.einsum("hnt,thd->nhd", p, vh).reshape(n, -1)

    def moe(self, h, L, pos, layer):
        """A mixture of experts' FFN of h [n, n_embd] at positions pos [n] of a layer (see the
        module docstring): per position the n_expert_used most probable experts' SwiGLU FFNs,
        weighted by their renormalized router probabilities and summed in slot order. ->
        (the FFN's output [n, n_embd], each position's margin [n]: by how much the router
        logit of its last chosen expert exceeds that of the next one, inf where all are
        chosen). A margin within what another computation's roundings move the router logits
        by is a near tie: that computation may choose the other expert, and its logits then
        differ by whole units. At (position, layer) in self.expert_swaps the next expert is
        chosen in place of the last (as such a computation would), last of the slots."""
        logits = L["router"](h)  # [n, n_expert]
        k = self.n_expert_used
        ranked = -np.sort(-logits, axis=-1)
        margin = ranked[:, k - 1] - ranked[:, k] if k < self.n_expert else np.full(len(h), np.inf)
        p = np.exp(logits - logits.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        out = np.zeros_like(h)
        for t in range(h.shape[0]):
            order = np.argsort(-p[t], kind="stable")  # descending
            swap = (int(pos[t]), layer) in self.expert_swaps and k < self.n_expert
            chosen = np.concatenate([order[:k - 1], order[k:k + 1]]) if swap else order[:k]
            weights = p[t, chosen] / max(p[t, chosen].sum(), 6.103515625e-5)
            for e, w in zip(chosen, weights):
                g, u = L["gate_exps"](h[t], e), L["up_exps"](h[t], e)
                out[t] += w * L["down_exps"](g / (1.0 + np.exp(-g)) * u, e)
        return out, margin

    def gelu(self, x):
        """GELU's tanh form, as ggml_gelu; emulated: through ggml's fp16 table (the input rounded
        to fp16, the table's result fp16; x <= -10: 0, x >= 10: x)."""
        if self.emulate:
            r = round_f16(x)
            y = round_f16(0.5 * r * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * r * (1.0 + 0.044715 * r * r))))
            return np.where(x <= -10.0, 0.0, np.where(x >= 10.0, x, y))
        return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * x * (1.0 + 0.044715 * x * x)))

    def forward(self, ids):
        """Runs tokens ids at the next positions, appending to the cache; logits [n, n_vocab]."""
        ids = np.asarray(ids, np.int64).reshape(-1)
        if len(ids) == 0:
            raise ValueError("no tokens")
        if self.pos + len(ids) > self.n_ctx:
            raise ValueError("%d tokens past position %d exceed the context of %d" % (len(ids), self.pos, self.n_ctx))
        if ids.min() < 0 or ids.max() >= self.n_vocab:
            raise ValueError("token id outside the vocabulary of %d" % self.n_vocab)
        pos = np.arange(self.pos, self.pos + len(ids))
        x = self.embd[ids]
        if self.gemma:  # ggml_scale of the f32 rows by sqrtf(n_embd)
            x = x * np.float64(np.sqrt(np.float32(self.n_embd)))
        if self.embedding_scale:
            x = x * self.embedding_scale
        branch = (lambda y: y * self.residual_scale) if self.residual_scale else (lambda y: y)
        margins = np.full((len(ids), self.n_layer), np.inf)  # a mixture of experts' router margins
        for i, L in enumerate(self.layers):
            h = self.rms_norm(x, L["attn_norm"])
            if L["qkv"] is not None:
                nq, nkv = self.n_head * self.head_dim, self.n_head_kv * self.head_dim
                q, k, v = np.split(L["qkv"](h), [nq, nq + nkv], axis=-1)
            else:
                q, k, v = L["q"](h), L["k"](h), L["v"](h)
            if L["q_norm"] is not None:  # qwen3, gemma3: each head normalized over its head_dim elements
                q = self.rms_norm(q.reshape(len(ids), -1, self.head_dim), L["q_norm"]).reshape(len(ids), -1)
                k = self.rms_norm(k.reshape(len(ids), -1, self.head_dim), L["k_norm"]).reshape(len(ids), -1)
            local = self.is_local(i)
            q, k = self.rope(q, pos, local), self.rope(k, pos, local)
            self.k_cache[i] = np.concatenate([self.k_cache[i], self.kv_round(k)])
            self.v_cache[i] = np.concatenate([self.v_cache[i], self.kv_round(v)])
            o = L["o"](self.attention(q, self.k_cache[i], self.v_cache[i], pos, self.window if local else 0))
            x = x + (self.rms_norm(o, L["post_attn_norm"]) if self.gemma else branch(o))
            h = self.rms_norm(x, L["ffn_norm"])
            if L["router"] is not None:  # a mixture of experts (Mixtral, qwen3moe)
                f, margins[:, i] = self.moe(h, L, pos, i)
                x = x + branch(f)
                continue
            if L["gate"] is None:  # phi3: ggml_swiglu's halves of the one matrix's output
                g, u = np.split(L["up"](h), 2, axis=-1)
            else:
                g, u = L["gate"](h), L["up"](h)
            if self.gemma:
                f = L["down"](self.gelu(g) * u)
                x = x + self.rms_norm(f, L["post_ffn_norm"])
            else:
                x = x + branch(L["down"](g / (1.0 + np.exp(-g)) * u))
        self.pos += len(ids)
        self.expert_margins.extend(margins)
        logits = self.head(self.rms_norm(x, self.output_norm))
        if self.logit_scale:  # granite
            logits = logits / self.logit_scale
        if self.final_softcap:  # gemma2
            logits = self.final_softcap * np.tanh(logits / self.final_softcap)
        return logits

    def prefill(self, ids):
        """Logits of every position of ids [len(ids), n_vocab] (continuing the cache)."""
        return self.forward(ids)

    def decode(self, token):
        """Logits [n_vocab] after one more token."""
        return self.forward([token])[0]

    def generate(self, prompt, n):
        """Greedy: from an empty cache, prefill the prompt, then n tokens (the argmax, lowest
        id on a tie), each fed back. -> (tokens [n], logits [n, n_vocab]: row 0 the prompt's
        last position, row k the step that consumed tokens[k - 1])."""
        self.reset()
        rows = [self.prefill(prompt)[-1]]
        tokens = []
        for k in range(n):
            tokens.append(int(np.argmax(rows[-1])))
            if k < n - 1:
                rows.append(self.decode(tokens[-1]))
        return tokens, np.stack(rows)


def scored_log_probs(logits):
    """The rows llama-perplexity scores of chunks' logits [n, c, V], as log-probabilities
    (float64): positions c/2 .. c - 2 of each chunk, each predicting the next token."""
    logits = np.asarray(logits, np.float64)
    c = logits.shape[1]
    z = logits[:, c // 2:c - 1]
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def perplexity_nll(logits, chunks):
    """-log p summed over the tokens llama-perplexity scores in chunks [n, c] (tokens c/2 + 1
    .. c - 1 of each) from the chunks' logits [n, c, V] -> (sum, count); the perplexity is
    exp(sum / count)."""
    chunks = np.asarray(chunks)
    targets = chunks[:, chunks.shape[1] // 2 + 1:]
    return float(-np.take_along_axis(scored_log_probs(logits), targets[..., None], -1).sum()), targets.size


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("--prompt", required=True, help="comma-separated token ids (BOS included)")
    p.add_argument("-n", type=int, default=16)
    p.add_argument("--emulate-ggml", action="store_true")
    args = p.parse_args()
    m = Model(args.model, emulate_ggml=args.emulate_ggml)
    tokens, rows = m.generate([int(t) for t in args.prompt.split(",")], args.n)
    print(" ".join(map(str, tokens)))
    print("max |logit| %.4g, distinct tokens %d" % (np.abs(rows).max(), len(set(tokens))))


if __name__ == "__main__":
    main()
