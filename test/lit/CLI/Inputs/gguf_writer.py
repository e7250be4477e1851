#!/usr/bin/python3
"""Writes GGUF files (ggml's model format, docs/gguf.md) for tests: a library, and a CLI.

Library (numpy only):
    w = GGUFWriter(version=3, alignment=None)    # alignment: writes general.alignment
    w.add("llama.block_count", "u32", 2)          # types: u8 i8 u16 i16 u32 i32 u64 i64
    w.add("x", "array", ("str", ["a", "b"]))      #        f32 f64 bool str array
    w.add("y", "array", ("array", [("u8", [1]), ("u8", [2, 3])]))   # nested arrays
    w.add_tensor("w", "q8_0", [64, 4], quantize_q8_0(x))  # ne in ggml order: ne0 innermost
    w.write(path)
Every field can be overridden (magic, version, counts, raw key-values, tensor type ids,
dims and offsets) so that the same writer makes the damaged files of the bad-input tests.

CLI:
  gguf_writer.py good OUT [--version 2|3] [--alignment N]   the inspect test's model
  gguf_writer.py bad CASE OUT                                one damaged file (see BAD_CASES)
  gguf_writer.py bad-cases                                   the case names, one a line
"""
import struct
import sys

import numpy as np

VALUE_TYPES = {"u8": 0, "i8": 1, "u16": 2, "i16": 3, "u32": 4, "i32": 5, "f32": 6, "bool": 7,
               "str": 8, "array": 9, "u64": 10, "i64": 11, "f64": 12}
SCALAR_FORMATS = {"u8": "<B", "i8": "<b", "u16": "<H", "i16": "<h", "u32": "<I", "i32": "<i",
                  "f32": "<f", "bool": "<?", "u64": "<Q", "i64": "<q", "f64": "<d"}
# ggml type id, elements per block, bytes per block (ggml's type traits; the C++ side reads
# them from runtime/include/edgec/dtype_table.h).
GGML_TYPES = {"f32": (0, 1, 4), "f16": (1, 1, 2), "q4_0": (2, 32, 18), "q4_1": (3, 32, 20),
              "q5_0": (6, 32, 22), "q5_1": (7, 32, 24), "q8_0": (8, 32, 34), "q2_k": (10, 256, 84),
              "q3_k": (11, 256, 110), "q4_k": (12, 256, 144), "q5_k": (13, 256, 176),
              "q6_k": (14, 256, 210), "iq4_nl": (20, 32, 18), "iq4_xs": (23, 256, 136),
              "i8": (24, 1, 1), "i16": (25, 1, 2), "i32": (26, 1, 4),
              "i64": (27, 1, 8), "f64": (28, 1, 8), "bf16": (30, 1, 2)}


def string_bytes(s):
    b = s.encode("utf-8") if isinstance(s, str) else bytes(s)
    return struct.pack("<Q", len(b)) + b


def value_bytes(vtype, value):
    if vtype == "str":
        return string_bytes(value)
    if vtype == "array":
        etype, items = value
        out = struct.pack("<IQ", VALUE_TYPES[etype], len(items))
        return out + b"".join(value_bytes(etype, v) for v in items)
    return struct.pack(SCALAR_FORMATS[vtype], value)


def tensor_bytes(ggml_type, ne):
    _, block, block_bytes = GGML_TYPES[ggml_type]
    n = int(np.prod(ne, dtype=np.uint64))
    assert ne[0] % block == 0, "ne0 must be a whole number of blocks"
    return n // block * block_bytes


def quantize_q8_0(x):
    """ggml's Q8_0 for a float array whose size is a multiple of 32: per block an f16 scale
    d = max|x| / 127 and 32 int8 codes round(x / d), rounding half away from zero as C's
    roundf (numpy's round goes to even)."""
    x = np.asarray(x, np.float32).reshape(-1, 32)
    d = np.abs(x).max(axis=1) / np.float32(127.0)
    inv = np.where(d > 0, np.float32(1.0) / np.where(d > 0, d, 1), 0).astype(np.float32)
    v = x * inv[:, None]
    q = (np.sign(v) * np.floor(np.abs(v) + 0.5)).clip(-127, 127).astype(np.int8)
    out = np.zeros((x.shape[0], 34), np.uint8)
    out[:, 0:2] = d.astype(np.float16).view(np.uint8).reshape(-1, 2)
    out[:, 2:] = q.view(np.uint8)
    return out.tobytes()


def quantize_q4_0(x):
    """ggml's Q4_0: per block of 32 an f16 scale d = m / -8 (m the value of largest
    magnitude) and 4-bit codes clamp(round(x / d) + 8, 0, 15); byte j holds code j in its
    low nibble and code j + 16 in its high nibble."""
    x = np.asarray(x, np.float32).reshape(-1, 32)
    m = x[np.arange(x.shape[0]), np.abs(x).argmax(axis=1)]
    d = m / -8.0
    inv = np.where(d != 0, 1.0 / np.where(d != 0, d, 1), 0)
    q = np.clip(np.floor(x * inv[:, None] + 8.5), 0, 15).astype(np.uint8)
    out = np.zeros((x.shape[0], 18), np.uint8)
    out[:, 0:2] = d.astype(np.float16).view(np.uint8).reshape(-1, 2)
    out[:, 2:] = q[:, :16] | (q[:, 16:] << 4)
    return out.tobytes()



# More quantizers, one per weight type of issue 12 (test/e2e/gguf_models.py writes models
# with them). They write ggml's block layouts (ggml-common.h) but choose the scales simply
# (from each block's range, not ggml's iterative search; IQ4_NL's and IQ4_XS's follow ggml's
# own search, which their non-linear levels need): any valid block is a valid test input, and
# the readers under test must decode exactly what is stored.
def _f16_bytes(a):
    """float values -> their f16 bytes, (rows, 2) uint8."""
    return np.asarray(a, np.float32).astype(np.float16).view(np.uint8).reshape(-1, 2)


def _f16_round(a):
    return np.asarray(a, np.float32).astype(np.float16).astype(np.float32)


def _safe_inv(d):
    d = np.asarray(d, np.float32)
    return np.where(d != 0, np.float32(1.0) / np.where(d != 0, d, 1), 0).astype(np.float32)


def _round(v):
    """Round half away from zero (C's roundf)."""
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


def quantize_f16(x):
    return np.asarray(x, np.float32).astype(np.float16).tobytes()


def quantize_bf16(x):
    """f32 -> bf16, round to nearest even (as ggml's GGML_FP32_TO_BF16 for finite values)."""
    u = np.asarray(x, np.float32).reshape(-1).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return u.astype(np.uint16).tobytes()


def _pack_nibbles(q):
    """(blocks, 32) codes 0..15 -> (blocks, 16) bytes: code j low nibble, code j + 16 high."""
    return (q[:, :16] | (q[:, 16:] << 4)).astype(np.uint8)


def _affine_32(x, levels):
    """Per block of 32: f16 scale d = (max - min) / levels, f16 offset m = min, codes
    round((x - m) / d) in [0, levels] (Q4_1: 15, Q5_1: 31)."""
    x = np.asarray(x, np.float32).reshape(-1, 32)
    lo, hi = x.min(axis=1), x.max(axis=1)
    d, m = _f16_round((hi - lo) / levels), _f16_round(lo)
    q = np.clip(_round((x - m[:, None]) * _safe_inv(d)[:, None]), 0, levels).astype(np.uint32)
    return d, m, q


def _high_bits_32(q):
    """(blocks, 32) 5-bit codes -> (blocks, 4) bytes: bit j of the little-endian u32 is bit 4 of code j."""
    bits = ((q >> 4) & 1).astype(np.uint64) << np.arange(32, dtype=np.uint64)
    return bits.sum(axis=1).astype(np.uint32).view(np.uint8).reshape(-1, 4)


def quantize_q4_1(x):
    """Q4_1 (20 bytes per 32): f16 d, f16 m, 16 bytes of nibbles; x = d * q + m."""
    d, m, q = _affine_32(x, 15)
    return np.concatenate([_f16_bytes(d), _f16_bytes(m), _pack_nibbles(q)], axis=1).tobytes()


def quantize_q5_0(x):
    """Q5_0 (22 bytes per 32): f16 d = m / -16 (m the value of largest magnitude), the u32 of
    fifth bits, 16 bytes of low nibbles; x = d * (q - 16)."""
    x = np.asarray(x, np.float32).reshape(-1, 32)
    m = x[np.arange(x.shape[0]), np.abs(x).argmax(axis=1)]
    d = _f16_round(m / -16.0)
    q = np.clip(_round(x * _safe_inv(d)[:, None]) + 16, 0, 31).astype(np.uint32)
    return np.concatenate([_f16_bytes(d), _high_bits_32(q), _pack_nibbles(q & 15)], axis=1).tobytes()


def quantize_q5_1(x):
    """Q5_1 (24 bytes per 32): f16 d, f16 m, the u32 of fifth bits, 16 bytes of low nibbles."""
    d, m, q = _affine_32(x, 31)
    return np.concatenate([_f16_bytes(d), _f16_bytes(m), _high_bits_32(q), _pack_nibbles(q & 15)],
                          axis=1).tobytes()


def _k_scales_mins(x, levels):
    """Q4_K / Q5_K: per super-block of 256, eight sub-blocks of 32 with a 6-bit scale and a
    6-bit min under f16 d and dmin: x ~ d * sc * q - dmin * mn with q in [0, levels].
    Returns d, dmin (f16-rounded), sc, mn (blocks, 8) and the codes (blocks, 256)."""
    x = np.asarray(x, np.float32).reshape(-1, 8, 32)
    lo = np.minimum(x.min(axis=2), 0)
    scale, mins = (x.max(axis=2) - lo) / levels, -lo
    d, dmin = _f16_round(scale.max(axis=1) / 63), _f16_round(mins.max(axis=1) / 63)
    sc = np.clip(_round(scale * _safe_inv(d)[:, None]), 0, 63).astype(np.uint8)
    mn = np.clip(_round(mins * _safe_inv(dmin)[:, None]), 0, 63).astype(np.uint8)
    step = d[:, None] * sc
    q = _round((x + (dmin[:, None] * mn)[:, :, None]) * _safe_inv(step)[:, :, None])
    return d, dmin, sc, mn, np.clip(q, 0, levels).astype(np.uint8).reshape(-1, 256)


def _k_pack_scales(sc, mn):
    """Eight 6-bit scales and mins -> ggml's 12 bytes (get_scale_min_k4 reads them back)."""
    out = np.zeros((sc.shape[0], 12), np.uint8)
    out[:, 0:4] = sc[:, :4] | ((sc[:, 4:] >> 4) << 6)
    out[:, 4:8] = mn[:, :4] | ((mn[:, 4:] >> 4) << 6)
    out[:, 8:12] = (sc[:, 4:] & 15) | ((mn[:, 4:] & 15) << 4)
    return out


def _k_low_nibbles(q):
    """(blocks, 256) codes -> 128 bytes: per chunk c of 64, byte 32c + l holds code 64c + l in
    its low nibble and code 64c + 32 + l in its high nibble."""
    q = (q & 15).reshape(-1, 4, 2, 32)
    return (q[:, :, 0] | (q[:, :, 1] << 4)).reshape(-1, 128).astype(np.uint8)


def quantize_q4_k(x):
    """Q4_K (144 bytes per 256): f16 d, f16 dmin, 12 bytes of scales and mins, 128 of nibbles."""
    d, dmin, sc, mn, q = _k_scales_mins(x, 15)
    return np.concatenate([_f16_bytes(d), _f16_bytes(dmin), _k_pack_scales(sc, mn), _k_low_nibbles(q)],
                          axis=1).tobytes()


def quantize_q5_k(x):
    """Q5_K (176 bytes per 256): as Q4_K plus qh[32] (before the nibbles): bit 2c of byte l is
    bit 4 of code 64c + l, bit 2c + 1 that of code 64c + 32 + l."""
    d, dmin, sc, mn, q = _k_scales_mins(x, 31)
    hi = ((q >> 4) & 1).reshape(-1, 8, 32).astype(np.uint32)  # [block, 2c + half, l]
    qh = (hi << np.arange(8, dtype=np.uint32)[None, :, None]).sum(axis=1).astype(np.uint8)
    return np.concatenate([_f16_bytes(d), _f16_bytes(dmin), _k_pack_scales(sc, mn), qh, _k_low_nibbles(q)],
                          axis=1).tobytes()


def quantize_q6_k(x):
    """Q6_K (210 bytes per 256): ql[128], qh[64], 16 int8 scales, f16 d; sixteen sub-blocks
    of 16 with x = d * sc * (q - 32). Sub-block scale m / -32 (m its value of largest
    magnitude), the int8 scales under d = max|scale| / 127."""
    x = np.asarray(x, np.float32).reshape(-1, 16, 16)
    idx = np.abs(x).argmax(axis=2)
    m = np.take_along_axis(x, idx[:, :, None], axis=2)[:, :, 0]
    scale = m / -32.0
    d = _f16_round(np.abs(scale).max(axis=1) / 127)
    sc = np.clip(_round(scale * _safe_inv(d)[:, None]), -127, 127).astype(np.int8)
    step = d[:, None] * sc
    q = np.clip(_round(x * _safe_inv(step)[:, :, None]) + 32, 0, 63).astype(np.uint8).reshape(-1, 2, 4, 32)
    # half n of 128: quarter k (codes 128n + 32k + l): low nibble in ql[64n + 32(k % 2) + l]
    # (k < 2 low, k >= 2 high nibble), two high bits in qh[32n + l] at bit 2k.
    lo = q & 15
    ql = (lo[:, :, 0:2] | (lo[:, :, 2:4] << 4)).reshape(-1, 128)
    qh = ((q >> 4).astype(np.uint32) << (2 * np.arange(4, dtype=np.uint32))[None, None, :, None]).sum(axis=2)
    return np.concatenate([ql.astype(np.uint8), qh.reshape(-1, 64).astype(np.uint8), sc.view(np.uint8),
                           _f16_bytes(d)], axis=1).tobytes()


def _k_2bit_runs(q):
    """(blocks, 256) codes 0..3 -> 64 bytes, as Q2_K's and Q3_K's qs: per half n of 128
    values, bits 2j and 2j + 1 of byte 32n + l hold the code of value 128n + 32j + l."""
    q = (q & 3).reshape(-1, 2, 4, 32).astype(np.uint32)  # [block, n, j, l]
    shifts = (2 * np.arange(4, dtype=np.uint32))[None, None, :, None]
    return (q << shifts).sum(axis=2).reshape(-1, 64).astype(np.uint8)


def _pick_step(v, base, lo, hi):
    """Per group of 16 values (v (blocks, 16, 16)): the step s of codes q = clamp(round(v /
    s), lo, hi) with the least squared error v - s * q among base (blocks, 16; the step that
    reaches the largest value) and 90% down to 60% of it (which clip the outliers). The
    search rounds half to even (np.rint, faster): only a tie's error differs."""
    step, best = base, None
    for f in (1.0, 0.9, 0.8, 0.7, 0.6):
        s = (base * np.float32(f)).astype(np.float32)
        r = v - s[:, :, None] * np.clip(np.rint(v * _safe_inv(s)[:, :, None]), lo, hi)  # the residuals
        err = np.einsum("bsk,bsk->bs", r, r)
        step, best = (s, err) if best is None else (np.where(err < best, s, step), np.minimum(err, best))
    return step


def quantize_q2_k(x):
    """Q2_K (84 bytes per 256): scales[16], qs[64], f16 d, f16 dmin; sixteen sub-blocks of
    16 values with x = d * sc * q - dmin * mn, q in 0..3; byte s of scales holds sub-block
    s's 4-bit sc (low nibble) and mn (high nibble), qs as _k_2bit_runs. Per sub-block mn
    covers min(x, 0) and the step is _pick_step's over x + min, both rounded to 4 bits under
    d = max step / 15 and dmin = max min / 15; the codes are then those of the stored ones."""
    x = np.asarray(x, np.float32).reshape(-1, 16, 16)
    mins = -np.minimum(x.min(axis=2), 0)
    shifted = x + mins[:, :, None]
    step = _pick_step(shifted, shifted.max(axis=2) / 3, 0, 3)
    d, dmin = _f16_round(step.max(axis=1) / 15), _f16_round(mins.max(axis=1) / 15)
    sc = np.clip(_round(step * _safe_inv(d)[:, None]), 0, 15).astype(np.uint8)
    mn = np.clip(_round(mins * _safe_inv(dmin)[:, None]), 0, 15).astype(np.uint8)
    q = _round((x + (dmin[:, None] * mn)[:, :, None]) * _safe_inv(d[:, None] * sc)[:, :, None])
    q = np.clip(q, 0, 3).astype(np.uint8).reshape(-1, 256)
    return np.concatenate([sc | (mn << 4), _k_2bit_runs(q), _f16_bytes(d), _f16_bytes(dmin)], axis=1).tobytes()


def quantize_q3_k(x):
    """Q3_K (110 bytes per 256): hmask[32], qs[64], scales[12], f16 d; sixteen sub-blocks of
    16 values with x = d * (sc - 32) * q, q in -4..3 stored as u = q + 4: its low two bits
    in qs (as _k_2bit_runs), its third in hmask (bit 4n + j of byte l for value 128n + 32j
    + l). The 6-bit sc: the low nibble of sub-block s in byte s % 8 (s < 8: low nibble, else
    high), its top two bits in byte 8 + s % 4 at bit 2 (s // 4). Per sub-block the step is
    _pick_step's from m / -4 (m its value of largest magnitude, on code -4), the steps
    rounded to 6 bits under d = max |step| / 31; the codes are then those of the stored ones."""
    x = np.asarray(x, np.float32).reshape(-1, 16, 16)
    m = np.take_along_axis(x, np.abs(x).argmax(axis=2)[:, :, None], axis=2)[:, :, 0]
    step = _pick_step(x, m / np.float32(-4), -4, 3)
    d = _f16_round(np.abs(step).max(axis=1) / 31)
    sc = np.clip(_round(step * _safe_inv(d)[:, None]), -32, 31)
    q = np.clip(_round(x * _safe_inv(d[:, None] * sc)[:, :, None]), -4, 3)
    u = (q + 4).astype(np.uint8).reshape(-1, 256)
    hi = ((u >> 2) & 1).reshape(-1, 8, 32).astype(np.uint32)  # [block, 4n + j, l]
    hmask = (hi << np.arange(8, dtype=np.uint32)[None, :, None]).sum(axis=1).astype(np.uint8)
    v = (sc + 32).astype(np.uint8)  # [block, s]
    scales = np.zeros((v.shape[0], 12), np.uint8)
    scales[:, 0:8] = (v[:, 0:8] & 15) | ((v[:, 8:16] & 15) << 4)
    top = (v >> 4).reshape(-1, 4, 4).astype(np.uint32)  # [block, s // 4, s % 4]
    scales[:, 8:12] = (top << (2 * np.arange(4, dtype=np.uint32))[None, :, None]).sum(axis=1).astype(np.uint8)
    return np.concatenate([hmask, _k_2bit_runs(u), scales, _f16_bytes(d)], axis=1).tobytes()


# IQ4_NL's and IQ4_XS's 16 levels (ggml-common.h's kvalues_iq4nl): a 4-bit code is an index
# into them, the value d * IQ4_LEVELS[code].
IQ4_LEVELS = np.array([-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113], np.float32)


# the midpoints between neighbouring levels (exact in float32)
_IQ4_MIDPOINTS = (IQ4_LEVELS[:-1] + IQ4_LEVELS[1:]) / np.float32(2)


def _iq4_nearest(v):
    """float32 values -> the index of the nearest of IQ4_LEVELS, as ggml's best_index_int8:
    the ends below the first and above the last level, the upper of two levels on a tie
    (ggml's float32 test v - lo < hi - v is exact near the midpoint, so it is v < midpoint)."""
    return np.searchsorted(_IQ4_MIDPOINTS, v, side="right").astype(np.uint8)


def _sum32(a):
    """The float32 sum over the last axis, added in order as ggml's loops add (numpy's
    pairwise sum rounds otherwise)."""
    return np.cumsum(a, axis=-1, dtype=np.float32)[..., -1]


def _iq4_scales(x):
    """Per block of 32 values (x (blocks, 32) float32) the scale ggml's quantize_row_iq4_nl_impl
    chooses without an importance matrix (as llama-quantize without --imatrix, ntry 7): the
    weights w are x^2; with m the block's value of largest magnitude, the codes q of x * 127 / m
    (the nearest levels) give a first least-squares scale sum(w q x) / sum(w q^2), those of
    x * (t - 127) / m for t in -7..7 fifteen more, and the one with the least weighted error
    (the largest sum(w q x)^2 / sum(w q^2)) is kept. 0 for a block with max |x| under 1e-15.
    The sums are float32, in ggml's order."""
    x = np.asarray(x, np.float32)
    w = x * x
    m = np.take_along_axis(x, np.abs(x).argmax(axis=1)[:, None], axis=1)[:, 0]
    live = np.abs(m) >= np.float32(1e-15)
    m = np.where(live, m, np.float32(1))

    def fit(inv):  # inverse scales (blocks,) -> sum(w q x), sum(w q^2) over the nearest levels
        q = IQ4_LEVELS[_iq4_nearest(inv[:, None] * x)]
        wq = w * q
        return _sum32(wq * x), _sum32(wq * q)

    with np.errstate(divide="ignore", invalid="ignore"):
        sqx, sq2 = fit(np.float32(1) / (-m / np.float32(-127)))
        d = np.where(sq2 > 0, sqx / sq2, np.float32(0))
        best = d * sqx
        for t in range(-7, 8):
            sqx, sq2 = fit(np.float32(t - 127) / m)
            better = (sq2 > 0) & (sqx * sqx > best * sq2)
            d = np.where(better, sqx / sq2, d)
            best = np.where(better, d * sqx, best)
    return np.where(live, d, np.float32(0)).astype(np.float32)


def quantize_iq4_nl(x):
    """IQ4_NL (18 bytes per 32): f16 d, qs[16] (4-bit codes packed as Q4_0's: code j in the low
    nibble of byte j, code j + 16 in the high); x = d * IQ4_LEVELS[code]. d is _iq4_scales'
    (f16-rounded when stored), the codes the nearest levels to x / d (d before its rounding,
    as ggml's)."""
    x = np.asarray(x, np.float32).reshape(-1, 32)
    d = _iq4_scales(x)
    inv = np.where(d != 0, np.float32(1) / np.where(d != 0, d, np.float32(1)), np.float32(0)).astype(np.float32)
    q = _iq4_nearest(inv[:, None] * x)
    return np.concatenate([_f16_bytes(d), _pack_nibbles(q)], axis=1).tobytes()


def quantize_iq4_xs(x):
    """IQ4_XS (136 bytes per 256): f16 d, u16 scales_h, scales_l[4], qs[128]; eight sub-blocks
    of 32 with x = d * (ls - 32) * IQ4_LEVELS[code], ls a 6-bit scale: sub-block ib's low 4
    bits in nibble ib % 2 of scales_l[ib / 2] (low nibble first), its top 2 bits at bits 2 ib
    of scales_h; each sub-block's 16 bytes of codes as IQ4_NL's. As ggml's: each sub-block's
    scale is _iq4_scales', d = -s / 32 for the sub-block scale s of largest magnitude (so
    that s is ls - 32 = -32), the others round(scale / d) clamped to -32..31, and the codes
    the nearest levels to x / (d (ls - 32)) with d before its f16 rounding."""
    x = np.asarray(x, np.float32).reshape(-1, 8, 32)
    scales = _iq4_scales(x.reshape(-1, 32)).reshape(-1, 8)
    top = np.take_along_axis(scales, np.abs(scales).argmax(axis=1)[:, None], axis=1)[:, 0]
    d = (-top / np.float32(32)).astype(np.float32)
    with np.errstate(divide="ignore"):
        inv = np.where(d != 0, np.float32(1) / d, np.float32(0)).astype(np.float32)
        ls = np.clip(np.rint(inv[:, None] * scales), -32, 31).astype(np.float32)  # ggml's nearest_int: half to even
        dl = d[:, None] * ls
        inv_l = np.where(dl != 0, np.float32(1) / dl, np.float32(0)).astype(np.float32)
    q = _iq4_nearest(inv_l[:, :, None] * x).reshape(-1, 32)
    u = (ls + 32).astype(np.uint16)  # [block, ib]
    scales_l = ((u[:, 0::2] & 15) | ((u[:, 1::2] & 15) << 4)).astype(np.uint8)
    scales_h = ((u >> 4) << (2 * np.arange(8, dtype=np.uint16))).sum(axis=1).astype("<u2")
    return np.concatenate([_f16_bytes(d), scales_h.view(np.uint8).reshape(-1, 2), scales_l,
                           _pack_nibbles(q).reshape(-1, 128)], axis=1).tobytes()


def quantize_f32(x):
    return np.asarray(x, np.float32).tobytes()


QUANTIZERS = {"f32": quantize_f32, "f16": quantize_f16, "bf16": quantize_bf16, "q8_0": quantize_q8_0,
              "q4_0": quantize_q4_0, "q4_1": quantize_q4_1, "q5_0": quantize_q5_0, "q5_1": quantize_q5_1,
              "q2_k": quantize_q2_k, "q3_k": quantize_q3_k, "q4_k": quantize_q4_k, "q5_k": quantize_q5_k,
              "q6_k": quantize_q6_k, "iq4_nl": quantize_iq4_nl, "iq4_xs": quantize_iq4_xs}


class GGUFWriter:
    def __init__(self, version=3, alignment=None, magic=b"GGUF"):
        self.version, self.magic = version, magic
        self.alignment = alignment or 32
        self.kvs = []        # raw key-value bytes, in order
        self.tensors = []    # dicts: name, type_id, ne, data, offset (None: next aligned)
        self.kv_count = None      # overrides for the header counts
        self.tensor_count = None
        self.truncate_data = 0    # bytes cut from the end of the file
        if alignment is not None:
            self.add("general.alignment", "u32", alignment)

    def add(self, key, vtype, value):
        self.kvs.append(string_bytes(key) + struct.pack("<I", VALUE_TYPES[vtype]) + value_bytes(vtype, value))

    def add_raw(self, key, type_id, payload):
        """A key-value with any type id and payload bytes (for damaged files)."""
        self.kvs.append(string_bytes(key) + struct.pack("<I", type_id) + payload)

    def add_tensor(self, name, ggml_type, ne, data=None, offset=None, type_id=None, n_dims=None):
        """ne in ggml order (ne0 innermost). data: the raw bytes (zeros if None). type_id,
        n_dims and offset override what is written, for damaged files."""
        if data is None:
            data = bytes(tensor_bytes(ggml_type, ne)) if ggml_type in GGML_TYPES else b""
        self.tensors.append({"name": name, "type_id": GGML_TYPES[ggml_type][0] if type_id is None else type_id,
                             "ne": list(ne), "n_dims": len(ne) if n_dims is None else n_dims,
                             "data": bytes(data), "offset": offset})

    def to_bytes(self):
        a = self.alignment
        offset = 0
        for t in self.tensors:  # data offsets: each tensor at the next aligned offset
            if t["offset"] is None:
                t["offset"] = offset
            offset = (max(offset, t["offset"] + len(t["data"])) + a - 1) // a * a
        out = bytearray(self.magic + struct.pack("<I", self.version))
        out += struct.pack("<QQ", len(self.tensors) if self.tensor_count is None else self.tensor_count,
                           len(self.kvs) if self.kv_count is None else self.kv_count)
        for kv in self.kvs:
            out += kv
        for t in self.tensors:
            out += string_bytes(t["name"]) + struct.pack("<I", t["n_dims"])
            out += b"".join(struct.pack("<Q", d) for d in t["ne"])
            out += struct.pack("<IQ", t["type_id"], t["offset"])
        out += bytes(-len(out) % a)
        data = bytearray()
        for t in self.tensors:
            if not t["data"]:  # nothing to place (a damaged file's offset may be anywhere)
                continue
            end = t["offset"] + len(t["data"])
            if end > len(data):
                data += bytes(end - len(data))
            data[t["offset"]:end] = t["data"]
        out += data
        return bytes(out[:len(out) - self.truncate_data])

    def write(self, path):
        with open(path, "wb") as f:
            f.write(self.to_bytes())


def good_model(version=3, alignment=None):
    """A small llama-shaped file: hyper-parameters, a tokenizer, one key of each value type
    and tensors of several types with known values."""
    w = GGUFWriter(version, alignment)
    w.add("general.architecture", "str", "llama")
    w.add("general.name", "str", "tiny test llama")
    w.add("general.file_type", "u32", 7)
    w.add("general.quantization_version", "u32", 2)
    w.add("llama.block_count", "u32", 1)
    w.add("llama.context_length", "u32", 128)
    w.add("llama.embedding_length", "u32", 64)
    w.add("llama.feed_forward_length", "u32", 128)
    w.add("llama.attention.head_count", "u32", 4)
    w.add("llama.attention.head_count_kv", "u32", 2)
    w.add("llama.rope.freq_base", "f32", 10000.0)
    w.add("llama.attention.layer_norm_rms_epsilon", "f32", 1e-5)
    tokens = ["<unk>", "<s>", "</s>", "\u2581the", "\u2581a", "b", "\n", "\"q\""]
    w.add("tokenizer.ggml.model", "str", "llama")
    w.add("tokenizer.ggml.tokens", "array", ("str", tokens))
    w.add("tokenizer.ggml.scores", "array", ("f32", [0.0, 0.0, 0.0, -1.0, -2.0, -3.0, -4.0, -5.0]))
    w.add("tokenizer.ggml.token_type", "array", ("i32", [2, 3, 3, 1, 1, 1, 6, 1]))
    w.add("tokenizer.ggml.merges", "array", ("str", ["\u2581 t", "h e", "\u2581t he"]))
    w.add("tokenizer.ggml.bos_token_id", "u32", 1)
    w.add("tokenizer.ggml.eos_token_id", "u32", 2)
    w.add("tokenizer.ggml.add_bos_token", "bool", True)
    for vtype, value in [("u8", 200), ("i8", -100), ("u16", 60000), ("i16", -30000), ("u32", 4000000000),
                         ("i32", -2000000000), ("u64", 2**63 + 5), ("i64", -2**62), ("f32", 0.25),
                         ("f64", 3.141592653589793), ("bool", False), ("str", "tab\there")]:
        w.add("test.value." + vtype, vtype, value)
    w.add("test.array.empty", "array", ("u8", []))
    w.add("test.array.nested", "array", ("array", [("i16", [1, -2]), ("str", ["x"])]))
    r = np.random.default_rng(0)
    w.add_tensor("token_embd.weight", "f32", [64, 8], r.standard_normal((8, 64)).astype(np.float32).tobytes())
    w.add_tensor("blk.0.attn_q.weight", "q8_0", [64, 64], quantize_q8_0(r.standard_normal(64 * 64)))
    w.add_tensor("blk.0.ffn_up.weight", "q4_0", [64, 128], quantize_q4_0(r.standard_normal(64 * 128)))
    w.add_tensor("blk.0.attn_norm.weight", "f16", [64], np.ones(64, np.float16).tobytes())
    w.add_tensor("output_norm.weight", "f32", [64], np.ones(64, np.float32).tobytes())
    return w


def minimal(version=3, alignment=None):
    w = GGUFWriter(version, alignment)
    w.add("general.architecture", "str", "llama")
    return w


def bad(case):
    """One damaged file per validation the reader makes; each is otherwise valid."""
    w = minimal()
    big = 1 << 62
    if case == "bad-magic":
        w.magic = b"GGML"
    elif case == "version-1":
        w.version = 1
    elif case == "version-4":
        w.version = 4
    elif case == "big-endian":
        w.version = 3 << 24
    elif case == "kv-count-past-end":
        w.kv_count = big
    elif case == "tensor-count-past-end":
        w.tensor_count = 1 << 40
    elif case == "key-length-past-end":
        w.kvs.append(struct.pack("<Q", big) + b"general.name")
    elif case == "string-past-end":
        w.add_raw("general.name", VALUE_TYPES["str"], struct.pack("<Q", 1000) + b"short")
    elif case == "array-past-end":
        w.add_raw("test.big", VALUE_TYPES["array"], struct.pack("<IQ", VALUE_TYPES["u32"], 1 << 40) + bytes(64))
    elif case == "nested-array-depth":
        value = ("u8", [1])
        for _ in range(5):
            value = ("array", [value])
        w.add("test.deep", "array", value)
    elif case == "unknown-value-type":
        w.add_raw("test.odd", 13, bytes(8))
    elif case == "unknown-array-type":
        w.add_raw("test.odd", VALUE_TYPES["array"], struct.pack("<IQ", 99, 1) + bytes(8))
    elif case == "bad-bool":
        w.add_raw("test.flag", VALUE_TYPES["bool"], b"\x02")
    elif case == "bad-bool-in-array":
        w.add_raw("test.flags", VALUE_TYPES["array"], struct.pack("<IQ", VALUE_TYPES["bool"], 3) + b"\x01\x00\x07")
    elif case == "duplicate-key":
        w.add("general.name", "str", "a")
        w.add("general.name", "str", "b")
    elif case == "empty-key":
        w.add("", "u32", 1)
    elif case == "missing-architecture":
        w.kvs = []
        w.add("general.name", "str", "no arch")
    elif case == "architecture-not-string":
        w.kvs = []
        w.add("general.architecture", "u32", 1)
    elif case == "alignment-not-power-of-two":
        w.add("general.alignment", "u32", 48)
    elif case == "alignment-zero":
        w.add("general.alignment", "u32", 0)
    elif case == "alignment-not-integer":
        w.add("general.alignment", "str", "32")
    elif case == "too-many-dims":
        w.add_tensor("t", "f32", [1, 1, 1, 1, 1])
    elif case == "zero-dims":
        w.add_tensor("t", "f32", [4], n_dims=0)
        w.tensors[0]["ne"] = []
    elif case == "dim-past-2^63":
        w.add_tensor("t", "f32", [1 << 63], data=b"")
    elif case == "dim-product-overflow":
        w.add_tensor("t", "f32", [1 << 32, 1 << 32, 1 << 32], data=b"")
    elif case == "unknown-tensor-type":
        w.add_tensor("t", "f32", [4], type_id=99)
    elif case == "unsupported-tensor-type":
        w.add_tensor("t", "f32", [256], type_id=16)  # ggml's IQ2_XXS
    elif case == "block-dim":
        w.add_tensor("t", "q8_0", [32, 2], data=bytes(34 * 2))
        w.tensors[0]["ne"] = [33, 2]
    elif case == "tensor-name-too-long":
        w.add_tensor("t" * 65, "f32", [4])
    elif case == "empty-tensor-name":
        w.add_tensor("", "f32", [4])
    elif case == "duplicate-tensor":
        w.add_tensor("t", "f32", [4])
        w.add_tensor("t", "f32", [4])
    elif case == "misaligned-offset":
        w.add_tensor("a", "f32", [4], offset=0)
        w.add_tensor("b", "f32", [4], offset=16)
    elif case == "offset-past-end":
        w.add_tensor("t", "f32", [4], offset=1 << 63)
        w.tensors[0]["data"] = b""
    elif case == "data-past-end":
        w.add_tensor("a", "f32", [8])
        w.add_tensor("b", "f32", [64])
        w.truncate_data = 4
    elif case == "overlap":
        w.add_tensor("a", "f32", [16], offset=0)
        w.add_tensor("b", "f32", [16], offset=32)
    elif case == "no-data-section":
        w.add_tensor("t", "f32", [4])
        w.truncate_data = len(w.to_bytes()) - _header_bytes(w)  # the file ends with the header
    elif case == "truncated-header":
        w.add("general.name", "str", "cut short")
        w.truncate_data = len(w.to_bytes()) - _header_bytes(w) + 3  # inside the last string
    else:
        sys.exit("unknown case " + case)
    return w


def _header_bytes(w):
    """The bytes of the header `w` writes, before the padding and the data."""
    n = 24 + sum(len(kv) for kv in w.kvs)
    for t in w.tensors:
        n += 8 + len(t["name"].encode()) + 4 + 8 * len(t["ne"]) + 12
    return n


BAD_CASES = ["bad-magic", "version-1", "version-4", "big-endian", "kv-count-past-end",
             "tensor-count-past-end", "key-length-past-end", "string-past-end", "array-past-end",
             "nested-array-depth", "unknown-value-type", "unknown-array-type", "bad-bool", "bad-bool-in-array",
             "duplicate-key", "empty-key", "missing-architecture", "architecture-not-string",
             "alignment-not-power-of-two", "alignment-zero", "alignment-not-integer", "too-many-dims",
             "zero-dims", "dim-past-2^63", "dim-product-overflow", "unknown-tensor-type",
             "unsupported-tensor-type", "block-dim", "tensor-name-too-long", "empty-tensor-name",
             "duplicate-tensor", "misaligned-offset", "offset-past-end", "data-past-end", "overlap",
             "no-data-section", "truncated-header"]


def main(argv):
    if argv[1] == "good":
        args = dict(zip(argv[3::2], argv[4::2]))
        good_model(int(args.get("--version", 3)),
                   int(args["--alignment"]) if "--alignment" in args else None).write(argv[2])
    elif argv[1] == "bad":
        bad(argv[2]).write(argv[3])
    elif argv[1] == "bad-cases":
        print("\n".join(BAD_CASES))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
