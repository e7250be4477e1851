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

#include "ref/dynamic_quant.h"
#include "ref/quant_linalg.h"
#include "register_kernels.h"

// GCC keeps an array of __m512i accumulators in registers only if the loops over it are
// unrolled before its scalar replacement.
#define EDGEC_UNROLL _Pragma("GCC unroll 16")

namespace edgec::rt {
namespace {

constexpr int64_t kLanes = 16;  // int32 lanes per zmm
constexpr int64_t kNR = 48;     // columns per GEMM tile (three zmm)
using BcastT = uint8_t;         // broadcast operands are bytes (u8 activations, s8 weights)

#include "qgemm_common.inc"

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

int32_t load32(const uint8_t *p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
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
    for (int j = 0; j < NV; ++j) acc[r][j] = _mm512_setzero_si512();
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
  for (int r = 0; r < MR; ++r) {
    for (int j = 0; j < NV; ++j) {
      const int64_t col = j0 + 16 * j;
      const __mmask16 m = firstLanes(ncols - 16 * j);
      __m512i a = _mm512_load_si512(sums[r][j]);
      if (Conv) {
        const int64_t c = i0 + r;
        a = _mm512_add_epi32(a, _mm512_set1_epi32(e.add[c]));
        if (e.posSum)
          a = _mm512_add_epi32(a, _mm512_mullo_epi32(_mm512_loadu_si512(e.posSum + col), _mm512_set1_epi32(e.negZw[c])));
        finish(a, _mm512_set1_epi32(e.mult[c]), _mm512_set1_epi32(e.left[c]), _mm512_set1_epi32(e.right[c]),
               _mm512_set1_epi32(e.rmask[c]), e, y + r * ldy + 16 * j, m);
      } else if (e.fy) {
        a = _mm512_add_epi32(a, _mm512_loadu_si512(e.add + col));
        const __m512 scale = _mm512_mul_ps(_mm512_set1_ps(e.rowScale[i0 + r]), _mm512_loadu_ps(e.colScale + col));
        __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(a), scale);
        if (e.fbias) {
          __asm__("" : "+v"(f));  // an opaque product: no FMA contraction with the add
          f = _mm512_add_ps(f, _mm512_maskz_loadu_ps(m, e.fbias + col));
        }
        _mm512_mask_storeu_ps(e.fy + (i0 + r) * e.fld + col, m, f);
      } else {
        a = _mm512_add_epi32(a, _mm512_loadu_si512(e.add + col));
        if (e.posSum)
          a = _mm512_add_epi32(a, _mm512_mullo_epi32(_mm512_set1_epi32(e.posSum[i0 + r]), _mm512_loadu_si512(e.negZw + col)));
        finish(a, _mm512_loadu_si512(e.mult + col), _mm512_loadu_si512(e.left + col), _mm512_loadu_si512(e.right + col),
               _mm512_loadu_si512(e.rmask + col), e, y + r * ldy + 16 * j, m);
      }
    }
  }
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

// The GEMM of a block: channels [ch0, ch0 + nch) of the W4 weights `w` (ch0 a multiple
// of 16) against `npos` positions of packed activations `act` ([K4][actStride][4]); the
// Epi's arrays start at channel ch0 and position 0, y at (first row, first column).
// Conv: rows = channels, columns = positions; MatMul/Gemm: rows = positions (A's rows),
// columns = channels.
template <bool Conv>
void gemmRows(const void *w, int64_t ch0, int64_t nch, int64_t K4, const void *act, int64_t actStride,
              int64_t npos, const Epi &e, uint8_t *y, int64_t ldy) {
  const auto *W = static_cast<const uint8_t *>(w);
  const auto *A = static_cast<const uint8_t *>(act);
  if (Conv) {
    for (int64_t i = 0; i < nch;) {
      const int mr = tileRows(nch - i);
      const int64_t c = ch0 + i;
      const uint8_t *b = W + (c / 16) * K4 * 64 + (c % 16) * 4;
      for (int64_t j = 0; j < npos;) {
        const int64_t ncols = minI(tileCols(npos - j), npos - j);
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

template <int KH, int P, int NV>
void depthwisePairsVectors(const int32_t *rows, int64_t rowStride, int64_t dh, int64_t pairStep, const __m512i *w,
                           int32_t bias, const Epi &e, const __m512i *rq, int64_t ow, int64_t OW, uint8_t *y) {
  __m512i acc[NV];
  depthwisePairsBlock<KH, P, NV>(rows, rowStride, dh, pairStep, w, bias, ow, acc);
  EDGEC_UNROLL
  for (int j = 0; j < NV; ++j) finish(acc[j], rq[0], rq[1], rq[2], rq[3], e, y + ow + 16 * j, firstLanes(OW - ow - 16 * j));
}

template <int KH, int P>
void depthwisePairsPlaneFixed(const int32_t *plane, int64_t rowStride, int64_t rowStep, int64_t OH, int64_t dh,
                              int64_t pairStep, const int32_t *wp, int32_t bias, const Epi &e, int64_t OW, uint8_t *y) {
  const __m512i rq[4] = {_mm512_set1_epi32(e.mult[0]), _mm512_set1_epi32(e.left[0]), _mm512_set1_epi32(e.right[0]),
                         _mm512_set1_epi32(e.rmask[0])};
  __m512i w[KH * P];
  EDGEC_UNROLL
  for (int i = 0; i < KH * P; ++i) w[i] = _mm512_set1_epi32(wp[i]);
  // Per output row, blocks of up to four vectors (the rows are padded to whole vectors,
  // so the last vector may read past OW; its store is masked).
  for (int64_t oh = 0; oh < OH; ++oh, y += OW) {
    const int32_t *rows = plane + oh * rowStep;
    int64_t ow = 0;
    for (; ow + 64 <= OW; ow += 64)
      depthwisePairsVectors<KH, P, 4>(rows, rowStride, dh, pairStep, w, bias, e, rq, ow, OW, y);
    switch (ceilDiv(OW - ow, 16)) {
      case 4: depthwisePairsVectors<KH, P, 4>(rows, rowStride, dh, pairStep, w, bias, e, rq, ow, OW, y); break;
      case 3: depthwisePairsVectors<KH, P, 3>(rows, rowStride, dh, pairStep, w, bias, e, rq, ow, OW, y); break;
      case 2: depthwisePairsVectors<KH, P, 2>(rows, rowStride, dh, pairStep, w, bias, e, rq, ow, OW, y); break;
      case 1: depthwisePairsVectors<KH, P, 1>(rows, rowStride, dh, pairStep, w, bias, e, rq, ow, OW, y); break;
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

#include "qgemm_driver.inc"

}  // namespace

// Called only once the registry has chosen one of these, i.e. on a CPU with AVX-512 VNNI.
Kernel *newX86Avx512QuantConv() { return new X86QuantConv(); }
Kernel *newX86Avx512QuantMatMul() { return new X86QuantMatMul(false); }
Kernel *newX86Avx512QuantGemm() { return new X86QuantMatMul(true); }
Kernel *newX86Avx512DynamicQuantMatMul() { return new X86DynamicQuantMatMul(); }

}  // namespace edgec::rt

#undef EDGEC_UNROLL
