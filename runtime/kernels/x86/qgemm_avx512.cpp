// x86 AVX-512 VNNI int8 Conv, MatMul and Gemm: qgemm_common.inc's arithmetic and W4
// weight layout with vpdpbusd, which multiplies 4 unsigned by 4 signed bytes and adds the
// four products to an int32 lane with no intermediate saturation (unlike vpmaddubsw), so the
// GEMM is exact by construction: one instruction per 64 multiply-adds.
//
// The GEMM tile is 8 rows x 48 columns: 24 zmm accumulators, three vector operands and one
// broadcast. MatMul/Gemm: rows are A's rows (their 4 bytes of a k-quad broadcast from the
// packed row block), columns B's (three W4 lines of 16 columns). Conv: rows are output
// channels (their 4 weight bytes broadcast straight from a W4 line, a memory operand of
// vpdpbusd), columns output positions (three vectors of a packed activation panel), so the
// output rows are NCHW rows, stored 16 bytes at a time under a lane mask. Per k-quad: three
// 64-byte loads, eight broadcasts, 24 vpdpbusd.
//
// Registered at the x86-avx512 level with an `accepts` predicate that also requires
// AVX512_VNNI (registry.cpp): a CPU with AVX-512 but no VNNI (Skylake-SP) takes the AVX2
// int8 kernels. Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx512vnni;
// everything is in an anonymous namespace, the factories are the only external symbols
// (see conv_avx512.cpp and docs/architecture.md, "A file built with higher ISA flags").
#include <immintrin.h>

#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "ref/dynamic_quant.h"
#include "qadd_runs.h"
#include "ref/quant_linalg.h"
#include "register_kernels.h"
#include "thread_pool.h"
#include "x86/amx.h"
#include "x86/prefetch_lines.h"

// GCC keeps an array of __m512i accumulators in registers only if the loops over it are
// unrolled before its scalar replacement.
#define EDGEC_UNROLL _Pragma("GCC unroll 16")

namespace edgec::rt {
namespace {

constexpr int64_t kLanes = 16;  // int32 lanes per zmm
constexpr int64_t kNR = 48;     // columns per GEMM tile (three zmm)
using BcastT = uint8_t;         // broadcast operands are bytes (u8 activations, s8 weights)

#include "qgemm_common.inc"
#include "requant_avx512.inc"

// The first n lanes (n clamped to [0, 16]).
__mmask16 firstLanes(int64_t n) {
  return static_cast<__mmask16>((1u << minI(maxI(n, 0), 16)) - 1);
}

// quant::multiplyByQuantizedMultiplier lane by lane (mult in [2^30, 2^31) or 0, never
// INT32_MIN, so the doubling high multiply cannot saturate):
//   x << left, saturated to int32 (only where left > 0: anyLeft);
//   floor((x m + 2^30) / 2^31) from the two 32x32 -> 64-bit products of the even and odd
//   lanes (the 64-bit sums cannot overflow: |x m| < 2^62);
//   rounding shift right: (x >> right) + ((x & mask) > (mask >> 1) + (x < 0)).
__m512i mbqm(__m512i x, __m512i mult, __m512i left, __m512i right, __m512i rmask, bool anyLeft) {
  if (anyLeft) {
    const __m512i shifted = _mm512_sllv_epi32(x, left);
    const __mmask16 overflow = _mm512_cmpneq_epi32_mask(_mm512_srav_epi32(shifted, left), x);
    const __m512i sat = _mm512_xor_si512(_mm512_srai_epi32(x, 31), _mm512_set1_epi32(INT32_MAX));
    x = _mm512_mask_blend_epi32(overflow, shifted, sat);
  }
  const __m512i nudge = _mm512_set1_epi64(int64_t(1) << 30);
  const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, mult), nudge);
  const __m512i odd = _mm512_add_epi64(
      _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(mult, 32)), nudge);
  // Bits 31..62 of each sum: the even ones shifted down into the low half, the odd ones up
  // into the high half.
  const __m512i high = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31), _mm512_slli_epi64(odd, 1));
  const __m512i rem = _mm512_and_si512(high, rmask);
  const __m512i threshold = _mm512_sub_epi32(_mm512_srli_epi32(rmask, 1), _mm512_srai_epi32(high, 31));
  const __m512i q = _mm512_srav_epi32(high, right);
  return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(rem, threshold), q, _mm512_set1_epi32(1));
}

// Requantizes one vector of accumulators (channel parameters as vectors) and stores the
// lanes in `m` as bytes: clamp(zy + v, lo, hi) = zy + clamp(v, lo - zy, hi - zy), which
// cannot wrap.
void finish(__m512i acc, __m512i mult, __m512i left, __m512i right, __m512i rmask, const Epi &e,
            uint8_t *dst, __mmask16 m) {
  __m512i v = mbqm(acc, mult, left, right, rmask, e.anyLeft);
  v = _mm512_max_epi32(v, _mm512_set1_epi32(e.lo - e.zy));
  v = _mm512_min_epi32(v, _mm512_set1_epi32(e.hi - e.zy));
  // Narrowed in a register, then stored (the barrier keeps GCC from fusing the two into
  // the memory form of vpmovdb, which is slow on Zen 4).
  __m128i b = _mm512_cvtepi32_epi8(_mm512_add_epi32(v, _mm512_set1_epi32(e.zy)));
  __asm__("" : "+v"(b));
  if (m == 0xFFFF)
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst), b);
  else
    _mm_mask_storeu_epi8(dst, m, b);
}

// mbqmRight with one channel's multiplier and right shift r >= 1, its constants built here:
// RightF32's rare fallback, kept out of line so that the hot loops hold only RightF32's two.
__attribute__((noinline)) __m512i mbqmRightChannel(__m512i x, int32_t mult, int64_t r) {
  return mbqmRight(x, _mm512_set1_epi32(mult), _mm512_set1_epi64((int64_t(1) << 30) + (int64_t(1) << (30 + r))),
                   _mm512_set1_epi32(static_cast<int32_t>(r - 1)));
}

// A channel's constants: RightF32's when every channel shifts right (with the channel's
// multiplier and shift for its fallback), else mbqm's.
struct ChannelRq {
  __m512i mult, left = _mm512_setzero_si512(), right = left, rmask = left;
  RightF32 f32;
  int32_t m = 0;
  int64_t r = 1;
  bool oneSided = false;  // RightF32's one-sided spelling is exact (oneSidedRounding)
  ChannelRq(const Epi &e, int64_t c) : oneSided(oneSidedRounding(e.zy, e.lo)) {
    if (e.allRight) {
      m = e.mult[c];
      r = maxI(e.right[c], 1);
      // The Conv's per-channel constants where it has them (the same floats, loaded).
      f32 = e.fm ? RightF32(_mm512_set1_ps(e.fm[c]), _mm512_set1_ps(e.fd[c])) : RightF32(m, r);
      mult = left;
    } else {
      mult = _mm512_set1_epi32(e.mult[c]);
      left = _mm512_set1_epi32(e.left[c]);
      right = _mm512_set1_epi32(e.right[c]);
      rmask = _mm512_set1_epi32(e.rmask[c]);
    }
  }
  // MBQM(acc) where the caller narrows it to clamped bytes (see RightF32).
  __m512i apply(__m512i acc, const Epi &e) const {
    if (!e.allRight) return mbqm(acc, mult, left, right, rmask, e.anyLeft);
    if (kRequantF32) {
      bool sure;
      const __m512i q = f32.apply(acc, sure, oneSided);
      if (__builtin_expect(sure, 1)) return q;
    }
    return mbqmRightChannel(acc, m, r);
  }
  // apply() on a block's four vectors, their lanes tested for the rare near-integer case
  // with one branch (then all four exactly) instead of a branch a vector: the depthwise
  // kernels' per-block requantization, where small planes have few blocks to hide it in.
  // Always inlined: called out of line (GCC's choice once a fourth depthwise kernel used
  // it), it took a quarter of a 14x14 depthwise conv's time.
  __attribute__((always_inline)) void applyFour(__m512i (&acc)[4], const Epi &e) const {
    if (!e.allRight || !kRequantF32) {
      EDGEC_UNROLL
      for (int p = 0; p < 4; ++p) acc[p] = apply(acc[p], e);
      return;
    }
    if (oneSided)
      applyFourF32<true>(acc);
    else
      applyFourF32<false>(acc);
  }
  template <bool OneSided>
  void applyFourF32(__m512i (&acc)[4]) const {
    __mmask16 near = 0;
    __m512i q[4];
    EDGEC_UNROLL
    for (int p = 0; p < 4; ++p) q[p] = f32.applyMask<OneSided>(acc[p], near);
    if (__builtin_expect(near != 0, 0)) {
      EDGEC_UNROLL
      for (int p = 0; p < 4; ++p) q[p] = mbqmRightChannel(acc[p], m, r);
    }
    EDGEC_UNROLL
    for (int p = 0; p < 4; ++p) acc[p] = q[p];
  }
};

// The exact requantization of a row whose f32 one had a lane near an integer (rowF32's
// rare case), out of line so that the hot loops hold only the f32 path.
template <int NV>
__attribute__((noinline)) void rowExact(const int32_t (*s)[16], const Epi &e, int64_t c, __m512i *v) {
  for (int j = 0; j < NV; ++j) v[j] = mbqmRightChannel(_mm512_load_si512(s[j]), e.mult[c], maxI(e.right[c], 1));
}

// A Conv epilogue row in the common case (rowF32Ok: every channel shifts right, no rank-1
// term): MBQM of the NV vectors s[j] of channel c, as ChannelRq::apply computes it, with the
// channel's RightF32 constants loaded (Epi::fm, fd) instead of built from its multiplier and
// shift, and one test of the row's near-integer lanes instead of one per vector; a row with
// any such lane is requantized by mbqmRight, whose bits RightF32's equal wherever it is sure.
// On 1x1 convs with few input channels (MobileNetV2's expand convs: 4-8 k-quads) the
// epilogue is most of a tile's instructions.
bool rowF32Ok(const Epi &e) { return kRequantF32 && e.fm && !e.posSum; }

template <int NV, bool OneSided>
void rowF32(const int32_t (*s)[16], const Epi &e, int64_t c, __m512i *v) {
  const RightF32 f(_mm512_set1_ps(e.fm[c]), _mm512_set1_ps(e.fd[c]));
  __mmask16 near = 0;
  EDGEC_UNROLL
  for (int j = 0; j < NV; ++j) v[j] = f.applyMask<OneSided>(_mm512_load_si512(s[j]), near);
  if (__builtin_expect(near != 0, 0)) rowExact<NV>(s, e, c, v);
}

// Stores the 16-byte quarters of b (vector i of a Narrow) at dst[i] under lane mask m, for
// the first `count` quarters.
void storeQuarters(__m512i b, uint8_t *const dst[4], int count, __mmask16 m) {
  const __m128i q[4] = {_mm512_castsi512_si128(b), _mm512_extracti32x4_epi32(b, 1), _mm512_extracti32x4_epi32(b, 2),
                        _mm512_extracti32x4_epi32(b, 3)};
  for (int i = 0; i < count; ++i) {
    if (m == 0xFFFF)
      _mm_storeu_si128(reinterpret_cast<__m128i *>(dst[i]), q[i]);
    else
      _mm_mask_storeu_epi8(dst[i], m, q[i]);
  }
}

int32_t load32(const uint8_t *p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The rowF32Ok case of convTileEpilogue (below), one-sided or not (oneSidedRounding) by
// instantiation: a run-time choice per row cost GCC the tile's unrolled registers.
template <int MR, int NV, bool OneSided>
void convTileRowsF32(const int32_t (*sums)[NV][16], const Epi &e, int64_t i0, uint8_t *y, int64_t ldy,
                     int64_t ncols) {
  const Narrow narrow(e.zy, e.lo, e.hi);
  const __m512i zero = _mm512_setzero_si512();
  if (NV >= 2) {
    const __mmask64 m = firstBytes(ncols);
    EDGEC_UNROLL
    for (int r = 0; r < MR; ++r) {
      __m512i v[4] = {zero, zero, zero, zero};
      rowF32<NV, OneSided>(sums[r], e, i0 + r, v);
      _mm512_mask_storeu_epi8(y + r * ldy, m, narrow(v[0], v[1], v[2], v[3]));
    }
    return;
  }
  const __mmask16 m = firstLanes(ncols);
  EDGEC_UNROLL
  for (int r0 = 0; r0 < MR; r0 += 4) {
    const int count = MR - r0 < 4 ? MR - r0 : 4;
    __m512i v[4] = {zero, zero, zero, zero};
    uint8_t *dst[4] = {y, y, y, y};
    EDGEC_UNROLL
    for (int k = 0; k < count; ++k) {
      rowF32<1, OneSided>(sums[r0 + k], e, i0 + r0 + k, v + k);
      dst[k] = y + (r0 + k) * ldy;
    }
    storeQuarters(narrow(v[0], v[1], v[2], v[3]), dst, count, m);
  }
}

// A Conv tile's epilogue: rows are output channels (the accumulators already hold add[c]),
// columns positions; clamp(zy + MBQM(acc + posSum negZw), lo, hi) as bytes. A row of two
// or three vectors is narrowed as one (its fourth vector empty) and stored with one masked
// 64-byte store; one-vector rows are narrowed four rows at a time. Out of line: inlined,
// its registers made GCC spill the tile's accumulators inside the k loop.
template <int MR, int NV>
__attribute__((noinline)) void convTileEpilogue(const int32_t (*sums)[NV][16], const Epi &e, int64_t i0, int64_t j0, uint8_t *y, int64_t ldy,
                      int64_t ncols) {
  if (rowF32Ok(e)) {
    if (oneSidedRounding(e.zy, e.lo)) return convTileRowsF32<MR, NV, true>(sums, e, i0, y, ldy, ncols);
    return convTileRowsF32<MR, NV, false>(sums, e, i0, y, ldy, ncols);
  }
  const Narrow narrow(e.zy, e.lo, e.hi);
  const __m512i zero = _mm512_setzero_si512();
  auto value = [&](int r, int j, const ChannelRq &rq) {
    __m512i a = _mm512_load_si512(sums[r][j]);
    if (e.posSum)
      a = _mm512_add_epi32(a, _mm512_mullo_epi32(_mm512_loadu_si512(e.posSum + j0 + 16 * j),
                                                 _mm512_set1_epi32(e.negZw[i0 + r])));
    return rq.apply(a, e);
  };
  if (NV >= 2) {
    const __mmask64 m = firstBytes(ncols);
    for (int r = 0; r < MR; ++r) {
      const ChannelRq rq(e, i0 + r);
      __m512i v[4] = {zero, zero, zero, zero};
      EDGEC_UNROLL
      for (int j = 0; j < NV; ++j) v[j] = value(r, j, rq);
      _mm512_mask_storeu_epi8(y + r * ldy, m, narrow(v[0], v[1], v[2], v[3]));
    }
    return;
  }
  const __mmask16 m = firstLanes(ncols);
  for (int r0 = 0; r0 < MR; r0 += 4) {
    const int count = MR - r0 < 4 ? MR - r0 : 4;
    __m512i v[4] = {zero, zero, zero, zero};
    uint8_t *dst[4] = {y, y, y, y};
    for (int k = 0; k < count; ++k) {
      v[k] = value(r0 + k, 0, ChannelRq(e, i0 + r0 + k));
      dst[k] = y + (r0 + k) * ldy;
    }
    storeQuarters(narrow(v[0], v[1], v[2], v[3]), dst, count, m);
  }
}

// mbqmRight (requant_avx512.inc) with a multiplier and right shift per lane: `multOdd` holds
// the odd lanes' multipliers in the even dword positions, `roundEven` / `roundOdd` 2^30 +
// 2^(30+r) of the even / odd lanes in each 64-bit lane, `shift` r - 1 per lane. The same
// operations lane by lane, so the same bits (see mbqmRight for why they are MBQM's).
__m512i mbqmRightLanes(__m512i x, __m512i mult, __m512i multOdd, __m512i roundEven, __m512i roundOdd, __m512i shift) {
  const __m512i negTie = _mm512_set1_epi64(-(int64_t(1) << 31));
  const __m512i high = _mm512_setr_epi32(1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
  const __m512i swapped = _mm512_shuffle_epi32(x, _MM_PERM_CDAB);
  __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, mult), roundEven);
  __m512i odd = _mm512_add_epi64(_mm512_mul_epi32(swapped, multOdd), roundOdd);
  even = _mm512_mask_add_epi64(even, _mm512_movepi64_mask(swapped), even, negTie);
  odd = _mm512_mask_add_epi64(odd, _mm512_cmplt_epi64_mask(x, _mm512_setzero_si512()), odd, negTie);
  return _mm512_srav_epi32(_mm512_permutex2var_epi32(even, high, odd), shift);
}

// 16 columns' constants for RightF32 (per lane: M = m 2^-(31+r) and d = 2^-(1+r), as its
// constructor computes them for one channel), for mbqmRightLanes (its exact fallback) and the
// add, set up once per tile.
struct ColumnRq {
  __m512i add, mult, multOdd, roundEven, roundOdd, shift, negZw;
  RightF32 f32;
  bool oneSided = false;  // RightF32's one-sided spelling is exact (oneSidedRounding)
  ColumnRq() = default;
  ColumnRq(const Epi &e, int64_t col) : oneSided(oneSidedRounding(e.zy, e.lo)) {
    add = _mm512_loadu_si512(e.add + col);
    mult = _mm512_loadu_si512(e.mult + col);
    multOdd = _mm512_shuffle_epi32(mult, _MM_PERM_CDAB);
    // r = max(right, 1) (a multiplier of 0 may come with any shift: its result is 0).
    const __m512i r = _mm512_max_epi32(_mm512_loadu_si512(e.right + col), _mm512_set1_epi32(1));
    shift = _mm512_sub_epi32(r, _mm512_set1_epi32(1));
    // 2^-(31+r) and 2^-(1+r) by their exponent bits (r <= 31: normal floats).
    auto pow2Neg = [&](int32_t base) {
      return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_sub_epi32(_mm512_set1_epi32(127 - base), r), 23));
    };
    f32 = RightF32(_mm512_mul_ps(_mm512_cvtepi32_ps(mult), pow2Neg(31)), pow2Neg(1));
    const __m512i base = _mm512_set1_epi64(int64_t(1) << 30);
    const __m512i r30 = _mm512_add_epi32(r, _mm512_set1_epi32(30));
    const __m512i lowDword = _mm512_set1_epi64(0xFFFFFFFF);
    roundEven = _mm512_add_epi64(base, _mm512_sllv_epi64(_mm512_set1_epi64(1), _mm512_and_si512(r30, lowDword)));
    roundOdd = _mm512_add_epi64(base, _mm512_sllv_epi64(_mm512_set1_epi64(1), _mm512_srli_epi64(r30, 32)));
    negZw = e.posSum ? _mm512_loadu_si512(e.negZw + col) : _mm512_setzero_si512();
  }
};

// A MatMul/Gemm tile's epilogue when every column shifts right (Epi::allRight): rows are
// positions, columns channels. The column constants are set up once for the tile's MR rows;
// each vector is requantized through f32 (RightF32, per-lane constants) or, when a lane lies
// near an integer, by mbqmRightLanes; each row's vectors are narrowed together (Narrow) and
// stored with one masked store (one-vector rows: four rows per narrowing). Same bits as
// finish() per vector.
template <int MR, int NV>
void matTileEpilogueRight(const int32_t (*sums)[NV][16], const Epi &e, int64_t i0, int64_t j0, uint8_t *y,
                          int64_t ldy, int64_t ncols) {
  const Narrow narrow(e.zy, e.lo, e.hi);
  const __m512i zero = _mm512_setzero_si512();
  ColumnRq cr[NV];
  EDGEC_UNROLL
  for (int j = 0; j < NV; ++j) cr[j] = ColumnRq(e, j0 + 16 * j);
  auto value = [&](int r, int j) {
    __m512i a = _mm512_add_epi32(_mm512_load_si512(sums[r][j]), cr[j].add);
    if (e.posSum) a = _mm512_add_epi32(a, _mm512_mullo_epi32(_mm512_set1_epi32(e.posSum[i0 + r]), cr[j].negZw));
    if (kRequantF32) {  // exact here: every value is narrowed to clamped bytes (see RightF32)
      bool sure;
      const __m512i q = cr[j].f32.apply(a, sure, cr[j].oneSided);
      if (__builtin_expect(sure, 1)) return q;
    }
    return mbqmRightLanes(a, cr[j].mult, cr[j].multOdd, cr[j].roundEven, cr[j].roundOdd, cr[j].shift);
  };
  if (NV >= 2) {
    const __mmask64 m = firstBytes(ncols);
    for (int r = 0; r < MR; ++r) {
      __m512i v[4] = {zero, zero, zero, zero};
      EDGEC_UNROLL
      for (int j = 0; j < NV; ++j) v[j] = value(r, j);
      _mm512_mask_storeu_epi8(y + r * ldy, m, narrow(v[0], v[1], v[2], v[3]));
    }
    return;
  }
  const __mmask16 m = firstLanes(ncols);
  for (int r0 = 0; r0 < MR; r0 += 4) {
    const int count = MR - r0 < 4 ? MR - r0 : 4;
    __m512i v[4] = {zero, zero, zero, zero};
    uint8_t *dst[4] = {y, y, y, y};
    for (int k = 0; k < count; ++k) {
      v[k] = value(r0 + k, 0);
      dst[k] = y + (r0 + k) * ldy;
    }
    storeQuarters(narrow(v[0], v[1], v[2], v[3]), dst, count, m);
  }
}

// A MatMul/Gemm tile's epilogue (rows = positions, columns = channels): the f32 output of
// DynamicQuantizedMatMul (Epi::fy), matTileEpilogueRight, or finish() per vector. Shared by
// tile() and the AMX tiles (qgemm_amx.inc), whose int32 sums are the same.
template <int MR, int NV>
void matTileEpilogue(const int32_t (*sums)[NV][16], const Epi &e, int64_t i0, int64_t j0, uint8_t *y, int64_t ldy,
                     int64_t ncols) {
  if (e.fy) {
    for (int r = 0; r < MR; ++r) {
      for (int j = 0; j < NV; ++j) {
        const int64_t col = j0 + 16 * j;
        const __mmask16 m = firstLanes(ncols - 16 * j);
        __m512i a = _mm512_add_epi32(_mm512_load_si512(sums[r][j]), _mm512_loadu_si512(e.add + col));
        const __m512 scale = _mm512_mul_ps(_mm512_set1_ps(e.rowScale[i0 + r]), _mm512_loadu_ps(e.colScale + col));
        __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(a), scale);
        if (e.fbias) {
          __asm__("" : "+v"(f));  // an opaque product: no FMA contraction with the add
          f = _mm512_add_ps(f, _mm512_maskz_loadu_ps(m, e.fbias + col));
        }
        _mm512_mask_storeu_ps(e.fy + (i0 + r) * e.fld + col, m, f);
      }
    }
    return;
  }
  if (e.allRight) return matTileEpilogueRight<MR, NV>(sums, e, i0, j0, y, ldy, ncols);
  for (int r = 0; r < MR; ++r) {
    for (int j = 0; j < NV; ++j) {
      const int64_t col = j0 + 16 * j;
      const __mmask16 m = firstLanes(ncols - 16 * j);
      __m512i a = _mm512_add_epi32(_mm512_load_si512(sums[r][j]), _mm512_loadu_si512(e.add + col));
      if (e.posSum)
        a = _mm512_add_epi32(a, _mm512_mullo_epi32(_mm512_set1_epi32(e.posSum[i0 + r]), _mm512_loadu_si512(e.negZw + col)));
      finish(a, _mm512_loadu_si512(e.mult + col), _mm512_loadu_si512(e.left + col), _mm512_loadu_si512(e.right + col),
             _mm512_loadu_si512(e.rmask + col), e, y + r * ldy + 16 * j, m);
    }
  }
}

// One tile: MR rows x NV vectors of 16 columns, `ncols` of them valid. The vector operand
// of k-quad q and vector j is at v + q vq + j vp, the broadcast one of row r at b + q bq +
// 4 r. Conv: vector = u8 activations, broadcast = s8 weights, channels are rows; otherwise
// vector = s8 weights, broadcast = u8 activations, channels are columns. (i0, j0): the
// tile's first row and column in the block the Epi describes.
template <int MR, int NV, bool Conv>
void tile(const uint8_t *v, int64_t vq, int64_t vp, const uint8_t *b, int64_t bq, int64_t K4,
          const Epi &e, int64_t i0, int64_t j0, uint8_t *y, int64_t ldy, int64_t ncols) {
  __m512i acc[MR][NV];
  EDGEC_UNROLL
  for (int r = 0; r < MR; ++r)
    EDGEC_UNROLL
    for (int j = 0; j < NV; ++j) acc[r][j] = Conv ? _mm512_set1_epi32(e.add[i0 + r]) : _mm512_setzero_si512();
  for (int64_t q = 0; q < K4; ++q, v += vq, b += bq) {
    __m512i vv[NV];
    EDGEC_UNROLL
    for (int j = 0; j < NV; ++j) vv[j] = _mm512_loadu_si512(v + j * vp);
    EDGEC_UNROLL
    for (int r = 0; r < MR; ++r) {
      const __m512i a = _mm512_set1_epi32(load32(b + 4 * r));
      EDGEC_UNROLL
      for (int j = 0; j < NV; ++j)
        acc[r][j] = Conv ? _mm512_dpbusd_epi32(acc[r][j], vv[j], a) : _mm512_dpbusd_epi32(acc[r][j], a, vv[j]);
    }
  }
  // The epilogue reads the accumulators back from memory: with them live through it, GCC
  // keeps the whole array on the stack, in the k loop too.
  alignas(64) int32_t sums[MR][NV][16];
  EDGEC_UNROLL
  for (int r = 0; r < MR; ++r)
    EDGEC_UNROLL
    for (int j = 0; j < NV; ++j) _mm512_store_si512(sums[r][j], acc[r][j]);
  if (Conv) return convTileEpilogue<MR, NV>(sums, e, i0, j0, y, ldy, ncols);
  matTileEpilogue<MR, NV>(sums, e, i0, j0, y, ldy, ncols);
}

template <int MR, bool Conv>
void tileNV(int nv, const uint8_t *v, int64_t vq, int64_t vp, const uint8_t *b, int64_t bq, int64_t K4,
            const Epi &e, int64_t i0, int64_t j0, uint8_t *y, int64_t ldy, int64_t ncols) {
  if (nv == 3)
    tile<MR, 3, Conv>(v, vq, vp, b, bq, K4, e, i0, j0, y, ldy, ncols);
  else if (nv == 2)
    tile<MR, 2, Conv>(v, vq, vp, b, bq, K4, e, i0, j0, y, ldy, ncols);
  else
    tile<MR, 1, Conv>(v, vq, vp, b, bq, K4, e, i0, j0, y, ldy, ncols);
}

// Columns of the next tile when `rem` remain: whole vectors, spread evenly over the tiles
// (64 columns are two tiles of 32, not 48 + 16, whose 8 x 1 tile is load-bound).
int64_t tileCols(int64_t rem) {
  const int64_t vectors = ceilDiv(rem, 16), tiles = ceilDiv(vectors, 3);
  return ceilDiv(vectors, tiles) * 16;
}

// Rows at a time: 8, then 4, 2, 1 for the rest (Conv rows then stay inside one W4 line).
int tileRows(int64_t rem) { return rem >= 8 ? 8 : rem >= 4 ? 4 : rem >= 2 ? 2 : 1; }

template <bool Conv>
void tileMR(int mr, int nv, const uint8_t *v, int64_t vq, int64_t vp, const uint8_t *b, int64_t bq, int64_t K4,
            const Epi &e, int64_t i0, int64_t j0, uint8_t *y, int64_t ldy, int64_t ncols) {
  switch (mr) {
  case 8: tileNV<8, Conv>(nv, v, vq, vp, b, bq, K4, e, i0, j0, y, ldy, ncols); break;
  case 4: tileNV<4, Conv>(nv, v, vq, vp, b, bq, K4, e, i0, j0, y, ldy, ncols); break;
  case 2: tileNV<2, Conv>(nv, v, vq, vp, b, bq, K4, e, i0, j0, y, ldy, ncols); break;
  default: tileNV<1, Conv>(nv, v, vq, vp, b, bq, K4, e, i0, j0, y, ldy, ncols); break;
  }
}

// Conv output positions [p0, p0 + count) of channels [ch0, ch0 + nch), few of them
// (count <= kConvTailCols): as MatMul tiles (rows the positions, their activation quads
// broadcast; columns the channels, the W4 lines as vector operands: the same bytes, the
// same Epi, whose arrays index channels and positions alike in both roles), into a small
// row-major buffer, then copied into the channel rows of y. A Conv tile would give these
// positions a whole vector of columns: for 1x1 convs on 7x7 maps (49 positions, 3 vectors
// and one column) a quarter of the GEMM's multiply-adds went to empty lanes.
constexpr int64_t kConvTailCols = 8;

void convTail(const uint8_t *W, int64_t ch0, int64_t nch, int64_t K4, const uint8_t *A, int64_t actStride, int64_t p0,
              int64_t count, const Epi &e, uint8_t *y, int64_t ldy) {
  alignas(64) uint8_t buf[kConvTailCols][kNR];
  for (int64_t c = 0; c < nch; c += kNR) {
    const int64_t cols = minI(kNR, nch - c);
    const uint8_t *v = W + ((ch0 + c) / 16) * K4 * 64;
    for (int64_t i = 0; i < count;) {
      const int mr = tileRows(count - i);
      tileMR<false>(mr, int(ceilDiv(cols, 16)), v, 64, K4 * 64, A + (p0 + i) * 4, actStride * 4, K4, e, p0 + i, c,
                    buf[i], kNR, cols);
      i += mr;
    }
    for (int64_t m = 0; m < cols; ++m)
      for (int64_t i = 0; i < count; ++i) y[(c + m) * ldy + p0 + i] = buf[i][m];
  }
}

// The GEMM of a block: channels [ch0, ch0 + nch) of the W4 weights `w` (ch0 a multiple
// of 16) against `npos` positions of packed activations `act` ([K4][actStride][4]); the
// Epi's arrays start at channel ch0 and position 0, y at (first row, first column).
// Conv: rows = channels, columns = positions; MatMul/Gemm: rows = positions (A's rows),
// columns = channels.
//
// Conv: positions past the last whole vector (npos % 16 <= kConvTailCols of them, after at
// least one whole vector: 7x7 maps' 49th, 14x14 maps' last 4) go through convTail instead
// of a vector of their own, most of whose lanes would be wasted.
template <bool Conv>
void gemmRows(const void *w, int64_t ch0, int64_t nch, int64_t K4, const void *act, int64_t actStride,
              int64_t npos, const Epi &e, uint8_t *y, int64_t ldy) {
  const auto *W = static_cast<const uint8_t *>(w);
  const auto *A = static_cast<const uint8_t *>(act);
  if (Conv) {
    const int64_t tail = npos > 16 && npos % 16 <= kConvTailCols ? npos % 16 : 0;
    if (tail) {
      convTail(W, ch0, nch, K4, A, actStride, npos - tail, tail, e, y, ldy);
      npos -= tail;
    }
    for (int64_t i = 0; i < nch;) {
      const int mr = tileRows(nch - i);
      const int64_t c = ch0 + i;
      const uint8_t *b = W + (c / 16) * K4 * 64 + (c % 16) * 4;
      const int64_t ahead = e.prefetchOut ? minI(8, nch - i - mr) : 0;
      for (int64_t j = 0; j < npos;) {
        const int64_t ncols = minI(tileCols(npos - j), npos - j);
        // Split between threads (Epi::prefetchOut): the next row block's output lines of
        // these positions, a whole sweep of the row block ahead of their stores. Lines last
        // written by the other core (whichever kernel used the arena bytes) are each a
        // cross-core transfer, which a store otherwise waits for (docs/quantization.md,
        // tenth session: MobileNetV2's expand convs at two threads 0.65-0.7x).
        for (int64_t r = 0; r < ahead; ++r) {
          const uint8_t *p = y + (i + mr + r) * ldy + j;
          asm volatile("prefetchw %0" : : "m"(p[0]));
          asm volatile("prefetchw %0" : : "m"(p[ncols - 1]));
        }
        tileMR<true>(mr, int(ceilDiv(ncols, 16)), A + j * 4, actStride * 4, 64, b, 64, K4, e, i, j,
                     y + i * ldy + j, ldy, ncols);
        j += ncols;
      }
      i += mr;
    }
    return;
  }
  for (int64_t j = 0; j < nch;) {
    const int64_t ncols = minI(tileCols(nch - j), nch - j);
    const uint8_t *v = W + ((ch0 + j) / 16) * K4 * 64;
    for (int64_t i = 0; i < npos;) {
      const int mr = tileRows(npos - i);
      tileMR<false>(mr, int(ceilDiv(ncols, 16)), v, 64, K4 * 64, A + i * 4, actStride * 4, K4, e, i, j,
                    y + i * ldy + j, ldy, ncols);
      i += mr;
    }
    j += ncols;
  }
}

// One output row of a depthwise conv, 16 columns at a time: acc = bias + sum over taps of
// (x - zx)(w - zw), from int16 planes of (x - zx) (rows `rowStride` apart, split into `sw`
// phases of `phaseLen`) and per-tap int32 weights whose high half is zero, so that
// vpmaddwd of the sign-extended input with them is the exact 32-bit product.
void depthwiseRow(const int16_t *rows, int64_t rowStride, int64_t dh, int64_t dw, int64_t sw, int64_t phaseLen,
                  int64_t KH, int64_t KW, const int32_t *wm, int32_t bias, const Epi &e, int64_t OW, uint8_t *y) {
  const __m512i mult = _mm512_set1_epi32(e.mult[0]), left = _mm512_set1_epi32(e.left[0]);
  const __m512i right = _mm512_set1_epi32(e.right[0]), rmask = _mm512_set1_epi32(e.rmask[0]);
  for (int64_t ow = 0; ow < OW; ow += 16) {
    __m512i acc = _mm512_set1_epi32(bias);
    for (int64_t kh = 0; kh < KH; ++kh) {
      const int16_t *row = rows + kh * dh * rowStride + ow;
      for (int64_t kw = 0; kw < KW; ++kw) {
        const int64_t s = kw * dw;
        const int16_t *p = row + (s % sw) * phaseLen + s / sw;
        const __m512i xv = _mm512_cvtepi16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p)));
        acc = _mm512_add_epi32(acc, _mm512_madd_epi16(xv, _mm512_set1_epi32(wm[kh * KW + kw])));
      }
    }
    finish(acc, mult, left, right, rmask, e, y + ow, firstLanes(OW - ow));
  }
}

// NV vectors of output columns from ow, each tap pair's weight broadcast once for all of
// them: NV independent accumulator chains (one chain of vpdpwssd per vector would wait on
// its latency at every tap). KH and P known at compile time unroll the taps.
template <int KH, int P, int NV>
void depthwisePairsBlock(const int32_t *rows, int64_t rowStride, int64_t dh, int64_t pairStep, const __m512i *w,
                         int32_t bias, int64_t ow, __m512i *acc) {
  EDGEC_UNROLL
  for (int j = 0; j < NV; ++j) acc[j] = _mm512_set1_epi32(bias);
  EDGEC_UNROLL
  for (int kh = 0; kh < KH; ++kh) {
    const int32_t *row = rows + kh * dh * rowStride + ow;
    EDGEC_UNROLL
    for (int p = 0; p < P; ++p)
      EDGEC_UNROLL
      for (int j = 0; j < NV; ++j)
        acc[j] = _mm512_dpwssd_epi32(acc[j], _mm512_loadu_si512(row + p * pairStep + 16 * j), w[kh * P + p]);
  }
}

// The block's NV vectors requantized, narrowed as one (see Narrow) and stored with one
// masked store.
template <int KH, int P, int NV>
void depthwisePairsVectors(const int32_t *rows, int64_t rowStride, int64_t dh, int64_t pairStep, const __m512i *w,
                           int32_t bias, const Epi &e, const ChannelRq &rq, const Narrow &narrow, int64_t ow,
                           int64_t OW, uint8_t *y) {
  __m512i acc[4];
  depthwisePairsBlock<KH, P, NV>(rows, rowStride, dh, pairStep, w, bias, ow, acc);
  EDGEC_UNROLL
  for (int j = 0; j < 4; ++j) acc[j] = j < NV ? rq.apply(acc[j], e) : _mm512_setzero_si512();
  _mm512_mask_storeu_epi8(y + ow, firstBytes(minI(OW - ow, 16 * NV)), narrow(acc[0], acc[1], acc[2], acc[3]));
}

template <int KH, int P>
void depthwisePairsPlaneFixed(const int32_t *plane, int64_t rowStride, int64_t rowStep, int64_t OH, int64_t dh,
                              int64_t pairStep, const int32_t *wp, int32_t bias, const Epi &e, int64_t OW, uint8_t *y) {
  const ChannelRq rq(e, 0);
  const Narrow narrow(e.zy, e.lo, e.hi);
  __m512i w[KH * P];
  EDGEC_UNROLL
  for (int i = 0; i < KH * P; ++i) w[i] = _mm512_set1_epi32(wp[i]);
  // Per output row, blocks of up to four vectors (the rows are padded to whole vectors,
  // so the last vector may read past OW; its store is masked).
  for (int64_t oh = 0; oh < OH; ++oh, y += OW) {
    const int32_t *rows = plane + oh * rowStep;
    int64_t ow = 0;
    for (; ow + 64 <= OW; ow += 64)
      depthwisePairsVectors<KH, P, 4>(rows, rowStride, dh, pairStep, w, bias, e, rq, narrow, ow, OW, y);
    switch (ceilDiv(OW - ow, 16)) {
      case 4: depthwisePairsVectors<KH, P, 4>(rows, rowStride, dh, pairStep, w, bias, e, rq, narrow, ow, OW, y); break;
      case 3: depthwisePairsVectors<KH, P, 3>(rows, rowStride, dh, pairStep, w, bias, e, rq, narrow, ow, OW, y); break;
      case 2: depthwisePairsVectors<KH, P, 2>(rows, rowStride, dh, pairStep, w, bias, e, rq, narrow, ow, OW, y); break;
      case 1: depthwisePairsVectors<KH, P, 1>(rows, rowStride, dh, pairStep, w, bias, e, rq, narrow, ow, OW, y); break;
      default: break;
    }
  }
}

// One padded input row of a depthwise conv in pair mode as R int32 lanes of two int16:
// lane j = (v[sw j], v[sw j + 1]), v[c] = x[c - pw] - zx for c - pw in [0, W), else 0
// (sw is 1 or 2). Masked byte loads read only the valid columns (masked-off lanes never
// fault), so the padding costs nothing; `tmp` is unused (the portable spelling's buffer).
void pairRow(const uint8_t *src, int64_t W, int64_t pw, int64_t R, int64_t sw, bool xI8, int32_t zx, int16_t *tmp,
             int32_t *row) {
  (void)tmp;
  // Lanes t whose column c0 + t lies in [0, W) (as an input column c - pw).
  auto valid = [&](int64_t c0, int n) -> uint64_t {
    if (c0 >= 0 && c0 + n <= W) return n >= 64 ? ~uint64_t(0) : (uint64_t(1) << n) - 1;  // inside the row
    const int64_t lo = maxI(0, -c0), hi = minI(n, W - c0);
    if (hi <= lo) return 0;
    const uint64_t upto = hi >= 64 ? ~uint64_t(0) : (uint64_t(1) << hi) - 1;
    return upto & ~((uint64_t(1) << lo) - 1);
  };
  if (sw == 1) {
    // v[c .. c + 16] as int16, then vpermw pairs lanes (v[t], v[t + 1]).
    const __m512i z16 = _mm512_set1_epi16(static_cast<short>(zx));
    const __m512i pairs = _mm512_set_epi16(16, 15, 15, 14, 14, 13, 13, 12, 12, 11, 11, 10, 10, 9, 9, 8, 8, 7, 7, 6,
                                           6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0);
    for (int64_t j = 0; j < R; j += 16) {
      const int64_t c = j - pw;  // input column of lane 0's first value
      const __mmask32 m = static_cast<__mmask32>(valid(c, 17));
      const __m256i r = _mm256_maskz_loadu_epi8(m, src + c);
      const __m512i v = _mm512_maskz_sub_epi16(m, xI8 ? _mm512_cvtepi8_epi16(r) : _mm512_cvtepu8_epi16(r), z16);
      _mm512_mask_storeu_epi32(row + j, firstLanes(R - j), _mm512_permutexvar_epi16(pairs, v));
    }
    return;
  }
  const __m512i z16 = _mm512_set1_epi16(static_cast<short>(zx));
  for (int64_t j = 0; j < R; j += 16) {
    const int64_t c = 2 * j - pw;
    const __mmask32 m = static_cast<__mmask32>(valid(c, 32));
    const __m256i r = _mm256_maskz_loadu_epi8(m, src + c);
    const __m512i v = _mm512_maskz_sub_epi16(m, xI8 ? _mm512_cvtepi8_epi16(r) : _mm512_cvtepu8_epi16(r), z16);
    _mm512_mask_storeu_epi32(row + j, firstLanes(R - j), v);
  }
}

// The OH output rows (y, OW apart) of one channel of a depthwise conv in pair mode
// (qgemm_driver.inc); output row oh reads the pair rows from plane + oh * rowStep. Per
// kernel row, tap pairs as int32 lanes of two int16 (x - zx), pair p at + p * pairStep,
// against the pair's two (w - zw); vpdpwssd multiplies the int16 halves exactly and adds
// both products to the int32 lane without saturation (products at most 255^2). 3x3 and
// 5x5 kernels take the unrolled blocks above. One call per channel, so that the weight
// and requantization broadcasts are made once per channel (small late maps have one
// vector per row).
void depthwisePairsPlane(const int32_t *plane, int64_t rowStride, int64_t rowStep, int64_t OH, int64_t dh, int64_t KH,
                         int64_t pairs, int64_t pairStep, const int32_t *wp, int32_t bias, const Epi &e, int64_t OW,
                         uint8_t *y) {
  if (KH == 3 && pairs == 2)
    return depthwisePairsPlaneFixed<3, 2>(plane, rowStride, rowStep, OH, dh, pairStep, wp, bias, e, OW, y);
  if (KH == 5 && pairs == 3)
    return depthwisePairsPlaneFixed<5, 3>(plane, rowStride, rowStep, OH, dh, pairStep, wp, bias, e, OW, y);
  const __m512i mult = _mm512_set1_epi32(e.mult[0]), left = _mm512_set1_epi32(e.left[0]);
  const __m512i right = _mm512_set1_epi32(e.right[0]), rmask = _mm512_set1_epi32(e.rmask[0]);
  for (int64_t oh = 0; oh < OH; ++oh, y += OW) {
    const int32_t *rows = plane + oh * rowStep;
    for (int64_t ow = 0; ow < OW; ow += 16) {
      __m512i acc = _mm512_set1_epi32(bias);
      for (int64_t kh = 0; kh < KH; ++kh) {
        const int32_t *row = rows + kh * dh * rowStride + ow;
        for (int64_t p = 0; p < pairs; ++p)
          acc = _mm512_dpwssd_epi32(acc, _mm512_loadu_si512(row + p * pairStep), _mm512_set1_epi32(wp[kh * pairs + p]));
      }
      finish(acc, mult, left, right, rmask, e, y + ow, firstLanes(OW - ow));
    }
  }
}

// Depthwise quad mode (qgemm_driver.inc, prepareDepthwiseQuads): the virtual outputs t in
// [0, T) of one channel into out[t] (out holds T rounded up to 64), 64 at a time as four
// vectors of 16, each tap quad one vpdpbusd of four input bytes (u8) by four weights (s8).
// Stride 1: vector p lane j is output t0 + p + 4j, reading the dword at byte t0 + p + 4j
// (+ row offset + 4q), so the four vectors load from t0 + 0..3. Stride 2: output t reads
// from byte 2t: vectors 0 and 1 hold outputs t0 + 2j and t0 + 2j + 1 (bytes 2 t0 + 4j and
// + 2), vectors 2 and 3 the same from t0 + 32. After the packs (Narrow::bytes) byte 4p + k
// of 128-bit lane L is vector p's lane 4L + k: stride 1, output t0 + 16L + 4k + p, so a
// 4 x 4 byte transpose in each lane restores the order; stride 2, outputs t0 + 8L + 2k + p
// (p < 2) and t0 + 32 + 8L + 2k + p - 2, so a shuffle in the lanes and one of qwords.
constexpr bool kDepthwiseQuads = true;

// dst[i] = src[i] ^ flip for n bytes (a plane row's input columns; flip 0x80 makes i8
// codes unsigned): masked 64-byte loads and stores, nothing outside [0, n) touched.
void copyFlipped(const uint8_t *src, int64_t n, uint8_t flip, uint8_t *dst) {
  const __m512i f = _mm512_set1_epi8(static_cast<char>(flip));
  for (int64_t i = 0; i < n; i += 64) {
    const __mmask64 m = firstBytes(n - i);
    _mm512_mask_storeu_epi8(dst + i, m, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, src + i), f));
  }
}

template <int SW> __m512i quadOrder(__m512i b) {
  if (SW == 1) {
    const __m512i t = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
    return _mm512_shuffle_epi8(b, t);
  }
  const __m512i t = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15));
  return _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7), _mm512_shuffle_epi8(b, t));
}

// Where a block of 64 virtual outputs goes (qgemm_driver.inc, prepareDepthwiseQuads): per
// block b the segments segStart[b] .. segStart[b + 1], each the bytes `mask` of the block's
// vector stored at y + at (the valid outputs of one output row: virtual output t0 + i of
// row oh lands at oh OW + t0 + i - oh V).
struct QuadSegments {
  const int64_t *start, *at;
  const uint64_t *mask;
};

// KH and NQ > 0: known at compile time (unrolled, weights in registers); 0: run-time kh, nq.
// Each block's codes are stored straight to the output rows (no scratch row to copy out).
template <int KH, int NQ, int SW>
void depthwiseQuadsFixed(const uint8_t *plane, const int64_t *rowOffsets, int64_t kh_, int64_t nq_, int64_t T,
                         const int32_t *wq, int32_t init, const Epi &e, const QuadSegments &seg, uint8_t *y) {
  constexpr int kMaxW = KH > 0 ? KH * NQ : 1;
  const int64_t kh = KH > 0 ? KH : kh_, nq = NQ > 0 ? NQ : nq_;
  const ChannelRq rq(e, 0);
  const Narrow narrow(e.zy, e.lo, e.hi);
  __m512i w[kMaxW];
  if (KH > 0) {
    EDGEC_UNROLL
    for (int i = 0; i < kMaxW; ++i) w[i] = _mm512_set1_epi32(wq[i]);
  }
  const int64_t vecOff[4] = {0, SW == 1 ? 1 : 2, SW == 1 ? 2 : 64, SW == 1 ? 3 : 66};
  for (int64_t t0 = 0, blk = 0; t0 < T; t0 += 64, ++blk) {
    const uint8_t *base = plane + SW * t0;
    __m512i acc[4];
    EDGEC_UNROLL
    for (int p = 0; p < 4; ++p) acc[p] = _mm512_set1_epi32(init);
    if (KH > 0) {
      EDGEC_UNROLL
      for (int r = 0; r < (KH > 0 ? KH : 1); ++r)
        EDGEC_UNROLL
        for (int q = 0; q < (NQ > 0 ? NQ : 1); ++q)
          EDGEC_UNROLL
          for (int p = 0; p < 4; ++p)
            acc[p] = _mm512_dpbusd_epi32(acc[p], _mm512_loadu_si512(base + rowOffsets[r] + vecOff[p] + 4 * q),
                                         w[r * NQ + q]);
    } else {
      for (int64_t r = 0; r < kh; ++r)
        for (int64_t q = 0; q < nq; ++q) {
          const __m512i wv = _mm512_set1_epi32(wq[r * nq + q]);
          EDGEC_UNROLL
          for (int p = 0; p < 4; ++p)
            acc[p] = _mm512_dpbusd_epi32(acc[p], _mm512_loadu_si512(base + rowOffsets[r] + vecOff[p] + 4 * q), wv);
        }
    }
    rq.applyFour(acc, e);
    const __m512i bytes = quadOrder<SW>(narrow.bytes(acc[0], acc[1], acc[2], acc[3]));
    for (int64_t i = seg.start[blk]; i < seg.start[blk + 1]; ++i) _mm512_mask_storeu_epi8(y + seg.at[i], seg.mask[i], bytes);
  }
}

// One channel: its OH x V virtual outputs, the first OW of each V stored to y.
void depthwiseQuadsPlane(const uint8_t *plane, const int64_t *rowOffsets, int64_t KH, int64_t nq, int64_t sw,
                         int64_t OH, int64_t V, const int32_t *wq, int32_t init, const Epi &e, const QuadSegments &seg,
                         uint8_t *y) {
  const int64_t T = OH * V;
  if (sw == 1) {
    if (KH == 3 && nq == 1)
      depthwiseQuadsFixed<3, 1, 1>(plane, rowOffsets, KH, nq, T, wq, init, e, seg, y);
    else if (KH == 5 && nq == 2)
      depthwiseQuadsFixed<5, 2, 1>(plane, rowOffsets, KH, nq, T, wq, init, e, seg, y);
    else
      depthwiseQuadsFixed<0, 0, 1>(plane, rowOffsets, KH, nq, T, wq, init, e, seg, y);
  } else {
    if (KH == 3 && nq == 1)
      depthwiseQuadsFixed<3, 1, 2>(plane, rowOffsets, KH, nq, T, wq, init, e, seg, y);
    else if (KH == 5 && nq == 2)
      depthwiseQuadsFixed<5, 2, 2>(plane, rowOffsets, KH, nq, T, wq, init, e, seg, y);
    else
      depthwiseQuadsFixed<0, 0, 2>(plane, rowOffsets, KH, nq, T, wq, init, e, seg, y);
  }
}

// The input rows of a quad-mode plane: plane rows [r0, r1), row r holding input row r - ph
// (src + (r - ph) W) in its columns [c0, c0 + len), at dst + (r % sh) blockBytes + (r / sh)
// Wp + c0; codes xor flip. Rows up to 64 bytes take one masked load and store each.
void copyPlaneRows(const uint8_t *src, int64_t W, int64_t ph, int64_t r0, int64_t r1, int64_t sh, int64_t blockBytes,
                   int64_t Wp, int64_t c0, int64_t len, uint8_t flip, uint8_t *dst) {
  const __m512i f = _mm512_set1_epi8(static_cast<char>(flip));
  const __mmask64 k = firstBytes(len);
  int64_t phase = r0 % sh, index = r0 / sh;
  const uint8_t *s = src + (r0 - ph) * W;
  for (int64_t r = r0; r < r1; ++r, s += W) {
    uint8_t *d = dst + phase * blockBytes + index * Wp + c0;
    if (++phase == sh) phase = 0, ++index;
    if (len <= 64)
      _mm512_mask_storeu_epi8(d, k, _mm512_xor_si512(_mm512_maskz_loadu_epi8(k, s), f));
    else
      copyFlipped(s, len, flip, d);
  }
}

// Depthwise flat mode (qgemm_driver.inc, prepareDepthwiseFlat): quad mode's arithmetic on
// stride-1 convs whose output rows are as wide as the input's (OW = W), read in place: output
// t = oh W + ow, and tap (kh, kw) of it reads the channel's input byte t + (kh dh - ph) W + kw
// - pw, so the taps of quad q of kernel row kh are the four bytes at t + off[kh][q]. As in quad
// mode, vector p lane j of a block of 64 is output t0 + p + 4j, whose four bytes start at t0 +
// p + off + 4j: 64 contiguous bytes from t0 + p + off. Bytes that do not belong to the output's
// window (a padding row or column, the previous or next row's ends, a tap past KW, an output
// past T) are masked off by masks[block][kh][q][p], built at prepare, and read as zxu (the
// zero point's unsigned code); masked-off bytes are never touched, so the loads may reach
// before and past the plane. No padded copy of the plane, no virtual outputs to drop: the
// codes go straight to the channel's output plane. Fill: how the masked-off bytes get zxu:
//   kMerge  a merge-masked load of unsigned codes (u8), zxu elsewhere;
//   kFlip   i8 codes, made unsigned by a masked add of 128 that also puts zxu elsewhere;
//   kZero   zxu = 0: a zero-masked load of unsigned codes (u8, or an i8 plane flipped
//           beforehand), no vector operation.
enum FlatFill { kMerge, kFlip, kZero };

template <int KH, int NQ, int Fill>
void depthwiseFlatFixed(const uint8_t *x, const int64_t *offs, int64_t kh_, int64_t nq_, int64_t T,
                        const uint64_t *masks, const int32_t *wq, int32_t init, const Epi &e, uint8_t zxu, uint8_t *y) {
  constexpr int kMaxW = KH > 0 ? KH * NQ : 1;
  const int64_t taps = KH > 0 ? KH * NQ : kh_ * nq_;
  const ChannelRq rq(e, 0);
  const Narrow narrow(e.zy, e.lo, e.hi);
  const __m512i fill = _mm512_set1_epi8(static_cast<char>(zxu)), flip = _mm512_set1_epi8(static_cast<char>(0x80));
  __m512i w[kMaxW];
  if (KH > 0) {
    EDGEC_UNROLL
    for (int i = 0; i < kMaxW; ++i) w[i] = _mm512_set1_epi32(wq[i]);
  }
  auto quads = [&](const uint8_t *src, __mmask64 m) {
    if (Fill == kZero) return _mm512_maskz_loadu_epi8(m, src);
    if (Fill == kFlip) return _mm512_mask_add_epi8(fill, m, _mm512_maskz_loadu_epi8(m, src), flip);
    return _mm512_mask_loadu_epi8(fill, m, src);
  };
  for (int64_t t0 = 0; t0 < T; t0 += 64, masks += 4 * taps) {
    const uint8_t *base = x + t0;
    __m512i acc[4];
    EDGEC_UNROLL
    for (int p = 0; p < 4; ++p) acc[p] = _mm512_set1_epi32(init);
    if (KH > 0) {
      EDGEC_UNROLL
      for (int i = 0; i < kMaxW; ++i)
        EDGEC_UNROLL
        for (int p = 0; p < 4; ++p)
          acc[p] = _mm512_dpbusd_epi32(acc[p], quads(base + offs[i] + p, masks[4 * i + p]), w[i]);
    } else {
      for (int64_t i = 0; i < taps; ++i) {
        const __m512i wv = _mm512_set1_epi32(wq[i]);
        EDGEC_UNROLL
        for (int p = 0; p < 4; ++p)
          acc[p] = _mm512_dpbusd_epi32(acc[p], quads(base + offs[i] + p, masks[4 * i + p]), wv);
      }
    }
    rq.applyFour(acc, e);
    _mm512_mask_storeu_epi8(y + t0, firstBytes(T - t0), quadOrder<1>(narrow.bytes(acc[0], acc[1], acc[2], acc[3])));
  }
}

constexpr bool kDepthwiseFlat = true;

template <int Fill>
void depthwiseFlatKernel(const uint8_t *x, const int64_t *offs, int64_t KH, int64_t nq, int64_t T,
                         const uint64_t *masks, const int32_t *wq, int32_t init, const Epi &e, uint8_t zxu, uint8_t *y) {
  if (KH == 3 && nq == 1) return depthwiseFlatFixed<3, 1, Fill>(x, offs, KH, nq, T, masks, wq, init, e, zxu, y);
  if (KH == 5 && nq == 2) return depthwiseFlatFixed<5, 2, Fill>(x, offs, KH, nq, T, masks, wq, init, e, zxu, y);
  return depthwiseFlatFixed<0, 0, Fill>(x, offs, KH, nq, T, masks, wq, init, e, zxu, y);
}

// One channel of flat mode: its T = OH OW outputs from its input plane x (unsigned codes
// for kMerge and kZero, i8 codes for kFlip).
void depthwiseFlatPlane(const uint8_t *x, const int64_t *offs, int64_t KH, int64_t nq, int64_t T,
                        const uint64_t *masks, const int32_t *wq, int32_t init, const Epi &e, int fill, uint8_t zxu,
                        uint8_t *y) {
  if (fill == kZero) return depthwiseFlatKernel<kZero>(x, offs, KH, nq, T, masks, wq, init, e, zxu, y);
  if (fill == kFlip) return depthwiseFlatKernel<kFlip>(x, offs, KH, nq, T, masks, wq, init, e, zxu, y);
  return depthwiseFlatKernel<kMerge>(x, offs, KH, nq, T, masks, wq, init, e, zxu, y);
}

// Two channels of flat mode at once, 3x3 kernels (one quad per kernel row): channel a's
// outputs from plane xa into ya, b's from xb into yb, over the same T and block masks, each
// mask loaded once for both channels' loads, and the two channels' dot products,
// requantizations and narrowings independent. On small maps (14x14: four blocks of 64 per
// channel, 7x7: one) a single channel's work is one short chain of dependent steps (three
// vpdpbusd, the f32 requantization, the packs) plus the per-channel setup, which one
// channel at a time left exposed; the pair keeps twice the independent work in flight.
// ChannelRq::apply on a vector whose lanes `hi` hold channel b's accumulators and the
// others channel a's: the two channels' constants blended lane by lane, and the fallback
// of each channel blended the same way.
__m512i applyTwo(__m512i acc, const ChannelRq &a, const ChannelRq &b, __mmask16 hi, const Epi &e) {
  if (!e.allRight)
    return mbqm(acc, _mm512_mask_blend_epi32(hi, a.mult, b.mult), _mm512_mask_blend_epi32(hi, a.left, b.left),
                _mm512_mask_blend_epi32(hi, a.right, b.right), _mm512_mask_blend_epi32(hi, a.rmask, b.rmask),
                e.anyLeft);
  if (kRequantF32) {
    const RightF32 f(_mm512_mask_blend_ps(hi, a.f32.m, b.f32.m), _mm512_mask_blend_ps(hi, a.f32.d, b.f32.d));
    bool sure;
    const __m512i q = f.apply(acc, sure, a.oneSided && b.oneSided);
    if (__builtin_expect(sure, 1)) return q;
  }
  return _mm512_mask_blend_epi32(hi, mbqmRightChannel(acc, a.m, a.r), mbqmRightChannel(acc, b.m, b.r));
}

// A channel's NQ quad weights for vpdpbusd: held in registers (NQ <= 3), or broadcast from
// memory by each use (5x5's ten: for two channels they would take 20 of the 32 registers).
template <int NQ>
struct QuadWeights {
  static constexpr bool kHeld = NQ <= 3;
  __m512i held[kHeld ? NQ : 1];
  const int32_t *wq;
  explicit QuadWeights(const int32_t *w) : wq(w) {
    if constexpr (kHeld) {
      EDGEC_UNROLL
      for (int i = 0; i < NQ; ++i) held[i] = _mm512_set1_epi32(w[i]);
    }
  }
  __m512i operator[](int i) const {
    if constexpr (kHeld)
      return held[i];
    else
      return _mm512_set1_epi32(wq[i]);
  }
};

// NQ: the kernel's quads (3x3: three, one a kernel row; 5x5: ten, two a row).
template <int NQ, int Fill>
void depthwiseFlatPairFixed(const uint8_t *xa, const uint8_t *xb, const int64_t *offs, int64_t T,
                            const uint64_t *masks, const int32_t *wqa, const int32_t *wqb, int32_t inita,
                            int32_t initb, const Epi &ea, const Epi &eb, uint8_t zxu, uint8_t *ya, uint8_t *yb) {
  const ChannelRq rqa(ea, 0), rqb(eb, 0);
  const Narrow narrow(ea.zy, ea.lo, ea.hi);
  const __m512i fill = _mm512_set1_epi8(static_cast<char>(zxu)), flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const QuadWeights<NQ> wa(wqa), wb(wqb);
  auto quads = [&](const uint8_t *src, __mmask64 m) {
    if (Fill == kZero) return _mm512_maskz_loadu_epi8(m, src);
    if (Fill == kFlip) return _mm512_mask_add_epi8(fill, m, _mm512_maskz_loadu_epi8(m, src), flip);
    return _mm512_mask_loadu_epi8(fill, m, src);
  };
  for (int64_t t0 = 0; t0 < T; t0 += 64, masks += 4 * NQ) {
    if (T - t0 <= 32) {
      // A last block of at most 32 outputs (lanes 0-7 of each vector): both channels' in one,
      // a's in lanes 0-7, b's in lanes 8-15 (its bytes loaded 32 lower under the block's
      // masks shifted up by 32); the narrowed bytes 0-31 are a's outputs, 32-63 b's.
      const __mmask16 hi = 0xFF00;
      __m512i acc[4];
      EDGEC_UNROLL
      for (int p = 0; p < 4; ++p) acc[p] = _mm512_mask_blend_epi32(hi, _mm512_set1_epi32(inita), _mm512_set1_epi32(initb));
      EDGEC_UNROLL
      for (int i = 0; i < NQ; ++i) {
        const __m512i w = _mm512_mask_blend_epi32(hi, wa[i], wb[i]);
        EDGEC_UNROLL
        for (int p = 0; p < 4; ++p) {
          const __mmask64 ma = masks[4 * i + p], mb = ma << 32;
          const int64_t at = t0 + offs[i] + p;
          __m512i v;
          if (Fill == kZero) {
            v = _mm512_mask_loadu_epi8(_mm512_maskz_loadu_epi8(ma, xa + at), mb, xb + at - 32);
          } else if (Fill == kFlip) {
            v = _mm512_mask_loadu_epi8(_mm512_maskz_loadu_epi8(ma, xa + at), mb, xb + at - 32);
            v = _mm512_mask_add_epi8(fill, ma | mb, v, flip);
          } else {
            v = _mm512_mask_loadu_epi8(_mm512_mask_loadu_epi8(fill, ma, xa + at), mb, xb + at - 32);
          }
          acc[p] = _mm512_dpbusd_epi32(acc[p], v, w);
        }
      }
      EDGEC_UNROLL
      for (int p = 0; p < 4; ++p) acc[p] = applyTwo(acc[p], rqa, rqb, hi, ea);
      const __m512i bytes = quadOrder<1>(narrow.bytes(acc[0], acc[1], acc[2], acc[3]));
      const __mmask32 st = static_cast<__mmask32>(firstBytes(T - t0));
      _mm256_mask_storeu_epi8(ya + t0, st, _mm512_castsi512_si256(bytes));
      _mm256_mask_storeu_epi8(yb + t0, st, _mm512_extracti64x4_epi64(bytes, 1));
      break;
    }
    __m512i a[4], b[4];
    EDGEC_UNROLL
    for (int p = 0; p < 4; ++p) a[p] = _mm512_set1_epi32(inita), b[p] = _mm512_set1_epi32(initb);
    EDGEC_UNROLL
    for (int i = 0; i < NQ; ++i)
      EDGEC_UNROLL
      for (int p = 0; p < 4; ++p) {
        const __mmask64 m = masks[4 * i + p];
        const int64_t at = t0 + offs[i] + p;
        a[p] = _mm512_dpbusd_epi32(a[p], quads(xa + at, m), wa[i]);
        b[p] = _mm512_dpbusd_epi32(b[p], quads(xb + at, m), wb[i]);
      }
    rqa.applyFour(a, ea);
    rqb.applyFour(b, eb);
    const __mmask64 st = firstBytes(T - t0);
    _mm512_mask_storeu_epi8(ya + t0, st, quadOrder<1>(narrow.bytes(a[0], a[1], a[2], a[3])));
    _mm512_mask_storeu_epi8(yb + t0, st, quadOrder<1>(narrow.bytes(b[0], b[1], b[2], b[3])));
  }
}

// NQ: the kernel's quads (kernel rows x quads a row): 3 (3x3) or 10 (5x5). A template, so
// that the driver picks the kind once per conv, not per pair: a branch to the 5x5 pair (or a
// call to it) inside the 3x3 pairs' loop cost them 6-15% on 7x7 maps.
template <int NQ>
void depthwiseFlatPair(const uint8_t *xa, const uint8_t *xb, const int64_t *offs, int64_t T, const uint64_t *masks,
                       const int32_t *wqa, const int32_t *wqb, int32_t inita, int32_t initb, const Epi &ea,
                       const Epi &eb, int fill, uint8_t zxu, uint8_t *ya, uint8_t *yb) {
  if (fill == kZero)
    return depthwiseFlatPairFixed<NQ, kZero>(xa, xb, offs, T, masks, wqa, wqb, inita, initb, ea, eb, zxu, ya, yb);
  if (fill == kFlip)
    return depthwiseFlatPairFixed<NQ, kFlip>(xa, xb, offs, T, masks, wqa, wqb, inita, initb, ea, eb, zxu, ya, yb);
  depthwiseFlatPairFixed<NQ, kMerge>(xa, xb, offs, T, masks, wqa, wqb, inita, initb, ea, eb, zxu, ya, yb);
}

// ---------------------------------------------------------------------------------------
// Implicit-GEMM Conv (qgemm_driver.inc, Path::Implicit): the input is copied once into
// "quad planes" (per group of four input channels, per stride phase: the padded plane's
// rows r with r % sh = rp and columns c with c % sw = cp, as Hq x Wq dwords, dword (i, j)
// holding the four channels' unsigned codes at padded (i sh + rp, j sw + cp), zxu in the
// padding). Output (oh, ow) is virtual position t = oh Wq + ow (ow up to Wq, the columns
// past OW computed and dropped), and tap (kh, kw) of channel quad c4 reads the dword at
// t + a constant of its plane: the k-quad (c4, kh, kw)'s vector operand is 64 contiguous
// bytes at qoff[k-quad] + 4 t, so the GEMM reads the planes in place, with no im2col copy
// and no panel packing. The weights are W4 with k = ((c4 KH + kh) KW + kw) 4 + c % 4.
constexpr bool kImplicitConv = true;
constexpr bool kPrefetchOut = true;
// At two threads, a one-image conv split by panels copies its quad planes in row bands
// (runImplicit).
constexpr bool kBandedQuadCopy = true;

// One row of a quad plane: Wq dwords, dword j holding channels 0..nc-1 of rows src[0..nc)
// (the others 0) at input column j sw + off, or `pad` (zxu in every byte) where that
// column lies outside [0, W). flip 0x80 makes i8 codes unsigned. Strides 1 and 2: 32
// bytes of each row per step (32 or 16 columns), rows 0-1 and 2-3 as the halves of two
// vectors; vpermt2d gathers each group of four columns' dwords of the four rows into one
// 128-bit lane (on stride 2 after a vpshufb has moved each lane's even bytes down) and a
// vpshufb transposes each lane's 4 x 4 bytes: about one shuffle per 16 output bytes.
// Dwords [j0, j1) are the ones whose column lies inside the row: the same for every row of
// a phase, so runImplicit computes them once per phase (two 64-bit divisions per row had
// been about a sixth of the quad planes' copy on Zen 5).
void quadRow(const uint8_t *const src[4], int nc, int64_t sw, int64_t off, int64_t Wq, int64_t j0, int64_t j1,
             uint8_t flip, uint8_t pad, uint8_t *dst) {
  const __m512i padv = _mm512_set1_epi8(static_cast<char>(pad));
  for (int64_t j = 0; j < j0; j += 16) _mm512_mask_storeu_epi32(dst + 4 * j, firstLanes(j0 - j), padv);
  for (int64_t j = j1; j < Wq; j += 16) _mm512_mask_storeu_epi32(dst + 4 * j, firstLanes(Wq - j), padv);
  int64_t j = j0;
  if (sw <= 2) {
    // Dword lane 4k + i of the gather: row i's columns 4k..4k+3, at dword d(k) of the
    // (row 0 | row 1) vector for i = 0 (+8 for row 1, +16 for the (row 2 | row 3) vector).
    // Stride 1: d(k) = k (+4 for columns 16-31); stride 2, the even bytes packed into each
    // 128-bit lane's low 8: d = 0, 1, 4, 5.
    const __m512i g0 = sw == 1 ? _mm512_setr_epi32(0, 8, 16, 24, 1, 9, 17, 25, 2, 10, 18, 26, 3, 11, 19, 27)
                               : _mm512_setr_epi32(0, 8, 16, 24, 1, 9, 17, 25, 4, 12, 20, 28, 5, 13, 21, 29);
    const __m512i g1 = _mm512_add_epi32(g0, _mm512_set1_epi32(4));
    // Per 128-bit lane: byte 4 c + i <- byte 4 i + c (the 4 x 4 transpose), and the even
    // bytes to the low 8 (stride 2).
    const __m512i transpose = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
    const __m512i evens = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15));
    const __mmask16 rows = static_cast<__mmask16>(0x1111 * ((1u << nc) - 1));  // dword lanes of rows < nc
    const __m512i f = _mm512_maskz_set1_epi8(static_cast<__mmask64>(0x1111111111111111ull * ((1u << nc) - 1)),
                                             static_cast<char>(flip));
    const int64_t step = 32 / sw;
    for (; j < j1; j += step) {
      const int64_t n = minI(step, j1 - j);
      const __mmask32 m = static_cast<__mmask32>((uint64_t(1) << (sw * (n - 1) + 1)) - 1);
      const int64_t at = off + sw * j;
      __m512i a = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_maskz_loadu_epi8(m, src[0] + at)),
                                     _mm256_maskz_loadu_epi8(m, src[1] + at), 1);
      __m512i b = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_maskz_loadu_epi8(m, src[2] + at)),
                                     _mm256_maskz_loadu_epi8(m, src[3] + at), 1);
      if (sw == 2) a = _mm512_shuffle_epi8(a, evens), b = _mm512_shuffle_epi8(b, evens);
      const __m512i lo = _mm512_maskz_permutex2var_epi32(rows, a, g0, b);
      _mm512_mask_storeu_epi32(dst + 4 * j, firstLanes(n), _mm512_xor_si512(_mm512_shuffle_epi8(lo, transpose), f));
      if (n > 16) {
        const __m512i hi = _mm512_maskz_permutex2var_epi32(rows, a, g1, b);
        _mm512_mask_storeu_epi32(dst + 4 * (j + 16), firstLanes(n - 16),
                                 _mm512_xor_si512(_mm512_shuffle_epi8(hi, transpose), f));
      }
    }
    return;
  }
  for (; j < j1; ++j)
    for (int i = 0; i < 4; ++i) dst[4 * j + i] = i < nc ? uint8_t(src[i][j * sw + off] ^ flip) : 0;
}

// A stride-1 conv's quad plane as whole vectors (runImplicit where both strides are 1):
// there the plane's dwords that hold input codes (the rest is padding) take, in plane
// order, consecutive flat indices of each channel's H x W plane, so 16 plane dwords read a
// run of at most 16 consecutive bytes of each of the four channels. Per vector v of the
// plane (dwords 16 v .. 16 v + 15) its table entry holds the run's first flat index and the
// lanes of the dwords that hold codes (`real`); the four runs are loaded as the 128-bit
// lanes of one vector, a vpermd brings column group L of every channel into lane L, a
// vpshufb transposes each lane's 4 x 4 bytes, and a vpexpandd spreads the run's dwords over
// the real lanes, `pad` in the others. Dwords [d0, d1) only (a thread's band). Row by row
// (quadRow), skipping the copy altogether had saved 22-29 us per stride-1 3x3 conv of
// ResNet-18 whatever its map (7x7 to 56x56), so per-row work (pointers, masks, two padding
// stores a row of 9-58 dwords) looked like a large part of it.
void quadPlaneFlat(const uint8_t *const src[4], int nc, const QuadFlatVec *table, int64_t d0, int64_t d1, uint8_t flip,
                   uint8_t pad, uint8_t *dst) {
  const __m512i padv = _mm512_set1_epi8(static_cast<char>(pad));
  const __m512i gather = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  const __m512i transpose = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
  const __m512i f = _mm512_maskz_set1_epi8(static_cast<__mmask64>(0x1111111111111111ull * ((1u << nc) - 1)),
                                           static_cast<char>(flip));
  for (int64_t v = d0 / 16; v * 16 < d1; ++v) {
    const QuadFlatVec &t = table[v];
    const __mmask16 store = static_cast<__mmask16>(firstLanes(d1 - 16 * v) & ~firstLanes(d0 - 16 * v));
    const __mmask16 load = static_cast<__mmask16>((1u << _mm_popcnt_u32(t.real)) - 1);
    __m128i c[4];
    for (int k = 0; k < 4; ++k)
      c[k] = k < nc ? _mm_maskz_loadu_epi8(load, src[k] + t.start) : _mm_setzero_si128();
    __m512i z = _mm512_inserti32x4(_mm512_castsi128_si512(c[0]), c[1], 1);
    z = _mm512_inserti32x4(_mm512_inserti32x4(z, c[2], 2), c[3], 3);
    z = _mm512_xor_si512(_mm512_shuffle_epi8(_mm512_permutexvar_epi32(gather, z), transpose), f);
    _mm512_mask_storeu_epi32(dst + 64 * v, store, _mm512_mask_expand_epi32(padv, t.real, z));
  }
}

// Where a tile's lanes go: the virtual positions [v0, v0 + n) as runs along output rows,
// lanes `mask` stored at y + at (lane L of a run of output row oh lands at output index
// v0 + L - oh (Wq - OW)).
struct Segments {
  int count = 0;
  __mmask64 mask[64];
  int64_t at[64];
  Segments(int64_t v0, int64_t n, int64_t Wq, int64_t OW) {
    for (int64_t v = v0; v < v0 + n;) {
      const int64_t oh = v / Wq, rowEnd = minI(v0 + n, (oh + 1) * Wq), validEnd = minI(rowEnd, oh * Wq + OW);
      if (v < validEnd) {
        mask[count] = firstBytes(validEnd - v0) & ~firstBytes(v - v0);
        at[count++] = v0 - oh * (Wq - OW);
      }
      v = rowEnd;
    }
  }
};

// An implicit tile's epilogue (see convTileEpilogue for why out of line).
template <int MR, int NV>
__attribute__((noinline)) void implicitTileEpilogue(const int32_t (*sums)[NV][16], const Epi &e, int64_t i0,
                                                    const Segments &seg, uint8_t *y, int64_t ldy) {
  const Narrow narrow(e.zy, e.lo, e.hi);
  const __m512i zero = _mm512_setzero_si512();
  const bool oneSided = oneSidedRounding(e.zy, e.lo);
  if (NV >= 2) {
    const bool fast = rowF32Ok(e);
    for (int r = 0; r < MR; ++r) {
      __m512i v[4] = {zero, zero, zero, zero};
      if (fast && oneSided) {
        rowF32<NV, true>(sums[r], e, i0 + r, v);
      } else if (fast) {
        rowF32<NV, false>(sums[r], e, i0 + r, v);
      } else {
        const ChannelRq rq(e, i0 + r);
        EDGEC_UNROLL
        for (int j = 0; j < NV; ++j) v[j] = rq.apply(_mm512_load_si512(sums[r][j]), e);
      }
      const __m512i bytes = narrow(v[0], v[1], v[2], v[3]);
      uint8_t *row = y + (i0 + r) * ldy;
      for (int s = 0; s < seg.count; ++s) _mm512_mask_storeu_epi8(row + seg.at[s], seg.mask[s], bytes);
    }
    return;
  }
  for (int r0 = 0; r0 < MR; r0 += 4) {
    const int count = MR - r0 < 4 ? MR - r0 : 4;
    __m512i v[4] = {zero, zero, zero, zero};
    for (int k = 0; k < count; ++k) {
      if (rowF32Ok(e) && oneSided)
        rowF32<1, true>(sums[r0 + k], e, i0 + r0 + k, v + k);
      else if (rowF32Ok(e))
        rowF32<1, false>(sums[r0 + k], e, i0 + r0 + k, v + k);
      else
        v[k] = ChannelRq(e, i0 + r0 + k).apply(_mm512_load_si512(sums[r0 + k][0]), e);
    }
    const __m512i bytes = narrow(v[0], v[1], v[2], v[3]);
    const __m128i q[4] = {_mm512_castsi512_si128(bytes), _mm512_extracti32x4_epi32(bytes, 1),
                          _mm512_extracti32x4_epi32(bytes, 2), _mm512_extracti32x4_epi32(bytes, 3)};
    for (int k = 0; k < count; ++k) {
      uint8_t *row = y + (i0 + r0 + k) * ldy;
      for (int s = 0; s < seg.count; ++s)
        _mm_mask_storeu_epi8(row + seg.at[s], static_cast<__mmask16>(seg.mask[s]), q[k]);
    }
  }
}

// One tile of the implicit GEMM: MR output channels x NV vectors of virtual positions,
// k-quad q's vector operand at act + qoff[q] (+ 64 j), the channels' weights broadcast from
// the W4 line at b + 64 q (+ 4 r). Rows of y are ldy apart.
template <int MR, int NV>
void implicitTile(const uint8_t *act, const int64_t *qoff, const uint8_t *b, int64_t K4, const Epi &e, int64_t i0,
                  const Segments &seg, uint8_t *y, int64_t ldy) {
  __m512i acc[MR][NV];
  EDGEC_UNROLL
  for (int r = 0; r < MR; ++r)
    EDGEC_UNROLL
    for (int j = 0; j < NV; ++j) acc[r][j] = _mm512_set1_epi32(e.add[i0 + r]);
  for (int64_t q = 0; q < K4; ++q, b += 64) {
    const uint8_t *v = act + qoff[q];
    __m512i vv[NV];
    EDGEC_UNROLL
    for (int j = 0; j < NV; ++j) vv[j] = _mm512_loadu_si512(v + 64 * j);
    EDGEC_UNROLL
    for (int r = 0; r < MR; ++r) {
      const __m512i a = _mm512_set1_epi32(load32(b + 4 * r));
      EDGEC_UNROLL
      for (int j = 0; j < NV; ++j) acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], vv[j], a);
    }
  }
  alignas(64) int32_t sums[MR][NV][16];
  EDGEC_UNROLL
  for (int r = 0; r < MR; ++r)
    EDGEC_UNROLL
    for (int j = 0; j < NV; ++j) _mm512_store_si512(sums[r][j], acc[r][j]);
  implicitTileEpilogue<MR, NV>(sums, e, i0, seg, y, ldy);
}

template <int MR>
void implicitTileNV(int nv, const uint8_t *act, const int64_t *qoff, const uint8_t *b, int64_t K4, const Epi &e,
                    int64_t i0, const Segments &seg, uint8_t *y, int64_t ldy) {
  if (nv == 3)
    implicitTile<MR, 3>(act, qoff, b, K4, e, i0, seg, y, ldy);
  else if (nv == 2)
    implicitTile<MR, 2>(act, qoff, b, K4, e, i0, seg, y, ldy);
  else
    implicitTile<MR, 1>(act, qoff, b, K4, e, i0, seg, y, ldy);
}

// Channels [ch0, ch0 + nch) of the W4 weights w (ch0 a multiple of 16; the Epi's arrays and
// y's rows start at ch0) against virtual positions [v0, v0 + npos) of one group's quad
// planes `act`: rows of 8 channels, each against the positions' tiles, so that the
// weights of a row block are read from memory once per call.
void implicitGemm(const void *w, int64_t ch0, int64_t nch, int64_t K4, const uint8_t *act, const int64_t *qoff,
                  int64_t v0, int64_t npos, int64_t Wq, int64_t OW, const Epi &e, uint8_t *y, int64_t ldy) {
  const auto *W = static_cast<const uint8_t *>(w);
  for (int64_t i = 0; i < nch;) {
    const int mr = tileRows(nch - i);
    const int64_t c = ch0 + i;
    const uint8_t *b = W + (c / 16) * K4 * 64 + (c % 16) * 4;
    const int64_t ahead = e.prefetchOut ? minI(8, nch - i - mr) : 0;
    for (int64_t j = 0; j < npos;) {
      const int64_t ncols = minI(tileCols(npos - j), npos - j);
      const Segments seg(v0 + j, ncols, Wq, OW);
      if (ahead > 0 && seg.count > 0) {
        // As gemmRows: the next row block's lines of this tile's outputs.
        const int64_t first = seg.at[0] + __builtin_ctzll(seg.mask[0]);
        const int64_t last = seg.at[seg.count - 1] + 63 - __builtin_clzll(seg.mask[seg.count - 1]);
        for (int64_t r = 0; r < ahead; ++r) {
          const uint8_t *p = y + (i + mr + r) * ldy;
          asm volatile("prefetchw %0" : : "m"(p[first]));
          asm volatile("prefetchw %0" : : "m"(p[last]));
        }
      }
      const uint8_t *a = act + 4 * (v0 + j);
      const int nv = int(ceilDiv(ncols, 16));
      switch (mr) {
      case 8: implicitTileNV<8>(nv, a, qoff, b, K4, e, i, seg, y, ldy); break;
      case 4: implicitTileNV<4>(nv, a, qoff, b, K4, e, i, seg, y, ldy); break;
      case 2: implicitTileNV<2>(nv, a, qoff, b, K4, e, i, seg, y, ldy); break;
      default: implicitTileNV<1>(nv, a, qoff, b, K4, e, i, seg, y, ldy); break;
      }
      j += ncols;
    }
    i += mr;
  }
}

// The row mode's epilogue: MR <= 8 positions (rows) x 16 NV channels (lanes), stored per
// channel as MR consecutive bytes (NCHW). Requantized per vector with the channels'
// constants as lanes (ColumnRq: RightF32, or mbqmRightLanes where a lane lies near an
// integer; mbqm when some channel shifts left), four rows narrowed at a time without the
// final permute (Narrow::bytes), a vpshufb and a dword unpack gather each channel's MR bytes
// of the two narrowings into a qword, stored whole (MR = 8) or under a byte mask: 16 stores
// per 16 channels instead of 16 MR byte stores through a scratch block (that scalar
// transpose and the integer MBQM made the row mode slower than the row-major tiles on
// ResNet-18's 28x28 and 14x14 convs; now it is as fast or faster, see prepareImplicit).
template <int MR, int NV>
__attribute__((noinline)) void implicitRowEpilogue(const int32_t (*sums)[NV][16], const Epi &e, int64_t j0,
                                                   int64_t ncols, uint8_t *y, int64_t ldy) {
  static_assert(MR <= 8, "a channel's outputs are one qword");
  const Narrow narrow(e.zy, e.lo, e.hi);
  const __m512i zero = _mm512_setzero_si512();
  // Narrow::bytes leaves vector (row) i's lane 4 L + k at byte 16 L + 4 i + k: a vpshufb
  // per 128-bit lane makes that byte 16 L + 4 k + i (channel 4 L + k's four rows as a dword).
  const __m512i transpose = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
  const bool fast = kRequantF32 && e.allRight && !e.posSum;
  const __mmask16 rowsMask = static_cast<__mmask16>((1u << MR) - 1);
  for (int j = 0; j < NV; ++j) {
    const int64_t col = j0 + 16 * j;
    __m512i v[8];
    for (int r = 0; r < 8; ++r) v[r] = zero;
    if (fast) {
      const ColumnRq cr(e, col);
      for (int r = 0; r < MR; ++r) {
        const __m512i a = _mm512_add_epi32(_mm512_load_si512(sums[r][j]), cr.add);
        bool sure;
        const __m512i q = cr.f32.apply(a, sure, cr.oneSided);
        v[r] = __builtin_expect(sure, 1) ? q
                                         : mbqmRightLanes(a, cr.mult, cr.multOdd, cr.roundEven, cr.roundOdd, cr.shift);
      }
    } else {
      const __m512i add = _mm512_loadu_si512(e.add + col), mult = _mm512_loadu_si512(e.mult + col);
      const __m512i left = _mm512_loadu_si512(e.left + col), right = _mm512_loadu_si512(e.right + col);
      const __m512i rmask = _mm512_loadu_si512(e.rmask + col);
      for (int r = 0; r < MR; ++r)
        v[r] = mbqm(_mm512_add_epi32(_mm512_load_si512(sums[r][j]), add), mult, left, right, rmask, e.anyLeft);
    }
    const __m512i a = narrow.bytes(v[0], v[1], v[2], v[3]);
    const __m512i b = MR > 4 ? narrow.bytes(v[4], v[5], v[6], v[7]) : zero;
    // Rows 0-3 and 4-7 of each channel as dwords, interleaved into qwords: lane L of g[0]
    // holds channels 4 L and 4 L + 1, of g[1] channels 4 L + 2 and 4 L + 3.
    const __m512i ta = _mm512_shuffle_epi8(a, transpose), tb = _mm512_shuffle_epi8(b, transpose);
    const __m512i g[2] = {_mm512_unpacklo_epi32(ta, tb), _mm512_unpackhi_epi32(ta, tb)};
    const int64_t n = minI(16, ncols - 16 * j);
    uint8_t *dst = y + 16 * j * ldy;
    for (int h = 0; h < 2; ++h) {
      const __m128i q[4] = {_mm512_castsi512_si128(g[h]), _mm512_extracti32x4_epi32(g[h], 1),
                            _mm512_extracti32x4_epi32(g[h], 2), _mm512_extracti32x4_epi32(g[h], 3)};
      for (int t = 0; t < 4; ++t) {
        const int64_t c = 4 * t + 2 * h;
        if (c >= n) continue;
        uint8_t *p0 = dst + c * ldy;
        if (MR == 8) {
          _mm_storel_epi64(reinterpret_cast<__m128i *>(p0), q[t]);
          if (c + 1 < n) _mm_storeh_pd(reinterpret_cast<double *>(p0 + ldy), _mm_castsi128_pd(q[t]));
        } else {
          _mm_mask_storeu_epi8(p0, rowsMask, q[t]);
          if (c + 1 < n) _mm_mask_storeu_epi8(p0 + ldy, rowsMask, _mm_srli_si128(q[t], 8));
        }
      }
    }
  }
}

// The implicit GEMM with output positions as rows and channels as columns (small maps,
// where the virtual positions of a row-major tile would waste lanes: 7x7 outputs fill 64
// lanes with 49): rows are valid outputs only, each k-quad's 4 bytes broadcast from its
// plane dword (rows[r] + qoff[q]), columns the W4 lines as vectors (16 channels each, at
// w + 64 (j K4 + q)). The MR x 16 NV codes are narrowed into a small block, then stored
// per channel as MR consecutive bytes (the outputs of a tile are consecutive in NCHW).
template <int MR, int NV>
void implicitRowTile(const uint8_t *const *rows, const int64_t *qoff, const uint8_t *w, int64_t K4, const Epi &e,
                     int64_t j0, int64_t ncols, uint8_t *y, int64_t ldy) {
  __m512i acc[MR][NV];
  EDGEC_UNROLL
  for (int r = 0; r < MR; ++r)
    EDGEC_UNROLL
    for (int j = 0; j < NV; ++j) acc[r][j] = _mm512_setzero_si512();
  for (int64_t q = 0; q < K4; ++q) {
    const int64_t off = qoff[q];
    __m512i vv[NV];
    EDGEC_UNROLL
    for (int j = 0; j < NV; ++j) vv[j] = _mm512_loadu_si512(w + (j * K4 + q) * 64);
    EDGEC_UNROLL
    for (int r = 0; r < MR; ++r) {
      const __m512i a = _mm512_set1_epi32(load32(rows[r] + off));
      EDGEC_UNROLL
      for (int j = 0; j < NV; ++j) acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], a, vv[j]);
    }
  }
  alignas(64) int32_t sums[MR][NV][16];
  EDGEC_UNROLL
  for (int r = 0; r < MR; ++r)
    EDGEC_UNROLL
    for (int j = 0; j < NV; ++j) _mm512_store_si512(sums[r][j], acc[r][j]);
  implicitRowEpilogue<MR, NV>(sums, e, j0, ncols, y, ldy);
}

template <int MR>
void implicitRowTileNV(int nv, const uint8_t *const *rows, const int64_t *qoff, const uint8_t *w, int64_t K4,
                       const Epi &e, int64_t j0, int64_t ncols, uint8_t *y, int64_t ldy) {
  if (nv == 3)
    implicitRowTile<MR, 3>(rows, qoff, w, K4, e, j0, ncols, y, ldy);
  else if (nv == 2)
    implicitRowTile<MR, 2>(rows, qoff, w, K4, e, j0, ncols, y, ldy);
  else
    implicitRowTile<MR, 1>(rows, qoff, w, K4, e, j0, ncols, y, ldy);
}

// The rows of the row mode's next tile, `rem` outputs left: even tiles of at most 8 while
// they hold 5 or more (49 outputs: 7 x 7, not 6 x 8 + 1, whose one-row tile has three
// dependent vpdpbusd chains, a third of the ports' rate, and reads the weights once more
// for 1/49 of the work), then 4, 2, 1.
int rowTileRows(int64_t rem) {
  const int64_t r = ceilDiv(rem, ceilDiv(rem, 8));
  return r >= 5 ? int(r) : tileRows(rem);
}

// Channels [ch0, ch0 + nch) (ch0 a multiple of 16; the Epi's arrays and y's rows start at
// ch0) against outputs [p0, P) of one group's quad planes, outputs as rows: per tile of 48
// channels (their weights read from L2), tiles of up to 8 outputs (rowTileRows).
void implicitRowGemm(const void *w, int64_t ch0, int64_t nch, int64_t K4, const uint8_t *act, const int64_t *qoff,
                     int64_t p0, int64_t P, int64_t Wq, int64_t OW, const Epi &e, uint8_t *y, int64_t ldy) {
  const auto *W = static_cast<const uint8_t *>(w);
  for (int64_t j = 0; j < nch;) {
    const int64_t ncols = minI(tileCols(nch - j), nch - j);
    const uint8_t *wv = W + ((ch0 + j) / 16) * K4 * 64;
    const int nv = int(ceilDiv(ncols, 16));
    for (int64_t p = p0; p < P;) {
      const int mr = rowTileRows(P - p);
      const uint8_t *rows[8];
      for (int r = 0; r < mr; ++r) rows[r] = act + 4 * (((p + r) / OW) * Wq + (p + r) % OW);
      uint8_t *dst = y + j * ldy + p;
      switch (mr) {
      case 8: implicitRowTileNV<8>(nv, rows, qoff, wv, K4, e, j, ncols, dst, ldy); break;
      case 7: implicitRowTileNV<7>(nv, rows, qoff, wv, K4, e, j, ncols, dst, ldy); break;
      case 6: implicitRowTileNV<6>(nv, rows, qoff, wv, K4, e, j, ncols, dst, ldy); break;
      case 5: implicitRowTileNV<5>(nv, rows, qoff, wv, K4, e, j, ncols, dst, ldy); break;
      case 4: implicitRowTileNV<4>(nv, rows, qoff, wv, K4, e, j, ncols, dst, ldy); break;
      case 2: implicitRowTileNV<2>(nv, rows, qoff, wv, K4, e, j, ncols, dst, ldy); break;
      default: implicitRowTileNV<1>(nv, rows, qoff, wv, K4, e, j, ncols, dst, ldy); break;
      }
      p += mr;
    }
    j += ncols;
  }
}

// DynamicQuantizedMatMul's row quantization, the ref's steps lane by lane: s = max|x| / 127
// (vmaxps returns its second operand when one is NaN, so a NaN never enters the maximum,
// as with the ref's std::max), q = clamp(roundHalfEven(x / s), -127, 127) (a NaN quotient
// gives 127, as std::fmin(127, NaN) does), or 0 when s is not positive. Writes xu = q + 128
// for the K values and returns s.
float quantizeRow(const float *x, int64_t K, uint8_t *xu) {
  const __m512 absMask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7FFFFFFF));
  __m512 mx = _mm512_setzero_ps();
  for (int64_t k = 0; k < K; k += 16)
    mx = _mm512_max_ps(_mm512_and_ps(_mm512_maskz_loadu_ps(firstLanes(K - k), x + k), absMask), mx);
  const float s = _mm512_reduce_max_ps(mx) / 127.0f;
  if (!(s > 0)) {
    std::memset(xu, 128, static_cast<size_t>(K));
    return s;
  }
  const __m512 sv = _mm512_set1_ps(s), hi = _mm512_set1_ps(127.0f), lo = _mm512_set1_ps(-127.0f);
  for (int64_t k = 0; k < K; k += 16) {
    const __mmask16 m = firstLanes(K - k);
    __m512 v = _mm512_div_ps(_mm512_maskz_loadu_ps(m, x + k), sv);
    v = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    v = _mm512_max_ps(_mm512_min_ps(v, hi), lo);
    _mm_mask_storeu_epi8(xu + k, m, _mm512_cvtepi32_epi8(_mm512_add_epi32(_mm512_cvtps_epi32(v), _mm512_set1_epi32(128))));
  }
  return s;
}

// The MatMul/Gemm row block (qgemm_driver.inc's packRows, rows contiguous in k): `rows` of
// kRowBlock = 8 rows of K codes (row r at a + r aRow; xor 0x80 when flip) into [K4][8][4]
// bytes, zero past K and past `rows`, as the scalar loop writes them. 16 k-quads at a time:
// each row's 64 bytes in one zmm, then an 8 x 16 transpose of dwords (unpacks of dwords
// and qwords give, per group of four rows, vector j holding in its 128-bit lane i the rows'
// quad 4i + j; a two-source permute pairs the two groups' lanes into the 32-byte quads).
constexpr bool kVectorPackRows = true;
void packRowQuads(const uint8_t *a, int64_t aRow, int64_t rows, int64_t K, int64_t K4, bool flip, uint8_t *dst) {
  static_assert(kRowBlock == 8, "packRowQuads packs 8 rows");
  const __m512i lo = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11), hi = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
  for (int64_t q0 = 0; q0 < K4; q0 += 16) {
    const __mmask64 m = firstBytes(K - 4 * q0);
    const __m512i fl = _mm512_maskz_mov_epi8(m, _mm512_set1_epi8(flip ? char(0x80) : 0));
    __m512i r[8];
    for (int i = 0; i < 8; ++i)
      r[i] = i < rows ? _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, a + i * aRow + 4 * q0), fl) : _mm512_setzero_si512();
    __m512i g[2][4];
    for (int h = 0; h < 2; ++h) {
      const __m512i *x = r + 4 * h;
      const __m512i l01 = _mm512_unpacklo_epi32(x[0], x[1]), h01 = _mm512_unpackhi_epi32(x[0], x[1]);
      const __m512i l23 = _mm512_unpacklo_epi32(x[2], x[3]), h23 = _mm512_unpackhi_epi32(x[2], x[3]);
      g[h][0] = _mm512_unpacklo_epi64(l01, l23);
      g[h][1] = _mm512_unpackhi_epi64(l01, l23);
      g[h][2] = _mm512_unpacklo_epi64(h01, h23);
      g[h][3] = _mm512_unpackhi_epi64(h01, h23);
    }
    const int64_t nq = minI(16, K4 - q0);
    uint8_t *d = dst + q0 * 32;
    for (int j = 0; j < 4; ++j) {
      // Quads j, 4 + j (from lo) and 8 + j, 12 + j (from hi), 32 bytes each.
      const __m512i p0 = _mm512_permutex2var_epi64(g[0][j], lo, g[1][j]);
      const __m512i p1 = _mm512_permutex2var_epi64(g[0][j], hi, g[1][j]);
      const __m256i quads[4] = {_mm512_castsi512_si256(p0), _mm512_extracti64x4_epi64(p0, 1), _mm512_castsi512_si256(p1),
                                _mm512_extracti64x4_epi64(p1, 1)};
      for (int i = 0; i < 4; ++i)
        if (4 * i + j < nq) _mm256_storeu_si256(reinterpret_cast<__m256i *>(d + (4 * i + j) * 32), quads[i]);
    }
  }
}

// The MatMul/Gemm on AMX tiles where the CPU and OS allow them.
constexpr bool kAmxMatMul = true;
#include "qgemm_amx.inc"

// The int8 Conv's fused residual Add and table lookup at this level (qgemm_driver.inc).
x86::QuantAddRuns *newResidualAdd(const ref::QuantBinaryParams &p) { return x86::newQuantAddRunsAvx512(p); }
void lookupCodes(const uint8_t *table, uint8_t *y, int64_t n) { x86::lookupCodesAvx512(table, y, n); }

#include "qgemm_driver.inc"

}  // namespace

// Called only once the registry has chosen one of these, i.e. on a CPU with AVX-512 VNNI.
Kernel *newX86Avx512QuantConv() { return new X86QuantConv(); }
Kernel *newX86Avx512QuantMatMul() { return new X86QuantMatMul(false); }
Kernel *newX86Avx512QuantGemm() { return new X86QuantMatMul(true); }
Kernel *newX86Avx512DynamicQuantMatMul() { return new X86DynamicQuantMatMul(); }

}  // namespace edgec::rt

#undef EDGEC_UNROLL
