// x86 AVX2 int8 Conv, MatMul and Gemm: qgemm_common.inc's arithmetic and W4 weight layout
// without VNNI.
//
// Exactness. The usual AVX2 int8 scheme, vpmaddubsw (u8 x s8 pairs summed into int16)
// then vpmaddwd by ones, saturates: 255 * 127 * 2 = 64770 > 32767, so a pair of large
// activations and weights of one sign gives a wrong sum, and the result would depend on
// the data's layout, not just its values. Here both operands are widened to int16 first
// (vpmovzxbw / vpmovsxbw) and multiplied with vpmaddwd, whose two 16 x 16-bit products per
// int32 lane are exact and whose pair sum, at most 2 * 255 * 128 = 65280 in magnitude,
// cannot saturate (only two (-32768)^2 products could). The accumulation is int32 and
// wraps like the ref's. On the multiply port this is one vpmaddwd per 16 multiply-adds,
// the same rate as vpmaddubsw + vpmaddwd per 32, at the cost of the widening.
//
// Tile: 2 rows x 16 columns. A W4 line's k-quad of 4 columns (16 bytes) widens to one ymm
// of int16 pairs (col 0: k0 k1 | k2 k3, col 1: ...), the broadcast operand is the row's four
// k values as int16 (packed widened at prepare: the Conv's weights are a W4 copy in int16,
// the MatMul's activation rows are packed as int16), and each int32 lane accumulates half
// of a column's k-quad; the epilogue adds the halves (vphaddd, then a permute restores the
// column order). Per k-quad: four widening loads, two broadcasts, eight vpmaddwd.
//
// Compiled with -mavx2 -mfma; everything in an anonymous namespace, the factories are the
// only external symbols (see docs/architecture.md, "A file built with higher ISA flags").
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

#define EDGEC_UNROLL _Pragma("GCC unroll 16")

namespace edgec::rt {
namespace {

constexpr int64_t kLanes = 8;  // int32 lanes per ymm
constexpr int64_t kNR = 16;    // columns per GEMM tile (one W4 line)
using BcastT = int16_t;        // broadcast operands are widened to int16

#include "qgemm_common.inc"

// The depthwise quad mode (qgemm_driver.inc) needs vpdpbusd: not on this level.
constexpr bool kDepthwiseQuads = false;
struct QuadSegments {
  const int64_t *start, *at;
  const uint64_t *mask;
};
void depthwiseQuadsPlane(const uint8_t *, const int64_t *, int64_t, int64_t, int64_t, int64_t, int64_t, const int32_t *,
                         int32_t, const Epi &, const QuadSegments &, uint8_t *) {}
void copyFlipped(const uint8_t *, int64_t, uint8_t, uint8_t *) {}
void copyPlaneRows(const uint8_t *, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                   uint8_t, uint8_t *) {}
constexpr bool kDepthwiseFlat = false;
enum FlatFill { kMerge, kFlip, kZero };
void depthwiseFlatPlane(const uint8_t *, const int64_t *, int64_t, int64_t, int64_t, const uint64_t *, const int32_t *,
                        int32_t, const Epi &, int, uint8_t, uint8_t *) {}
template <int NQ>
void depthwiseFlatPair(const uint8_t *, const uint8_t *, const int64_t *, int64_t, const uint64_t *, const int32_t *,
                       const int32_t *, int32_t, int32_t, const Epi &, const Epi &, int, uint8_t, uint8_t *, uint8_t *) {}
// Nor the implicit-GEMM Conv path.
constexpr bool kImplicitConv = false;
constexpr bool kPrefetchOut = false;  // the AVX2 gemmRows issues no output prefetch
constexpr bool kBandedQuadCopy = false;
void quadRow(const uint8_t *const *, int, int64_t, int64_t, int64_t, int64_t, int64_t, uint8_t, uint8_t, uint8_t *) {}
void quadPlaneFlat(const uint8_t *const *, int, const QuadFlatVec *, int64_t, int64_t, uint8_t, uint8_t, uint8_t *) {}
void implicitGemm(const void *, int64_t, int64_t, int64_t, const uint8_t *, const int64_t *, int64_t, int64_t, int64_t,
                  int64_t, const Epi &, uint8_t *, int64_t) {}
void implicitRowGemm(const void *, int64_t, int64_t, int64_t, const uint8_t *, const int64_t *, int64_t, int64_t,
                     int64_t, int64_t, const Epi &, uint8_t *, int64_t) {}

// quant::multiplyByQuantizedMultiplier lane by lane: see qgemm_avx512.cpp's mbqm, of which
// this is the AVX2 spelling (compare results instead of masks).
__m256i mbqm(__m256i x, __m256i mult, __m256i left, __m256i right, __m256i rmask, bool anyLeft) {
  if (anyLeft) {
    const __m256i shifted = _mm256_sllv_epi32(x, left);
    const __m256i fits = _mm256_cmpeq_epi32(_mm256_srav_epi32(shifted, left), x);
    const __m256i sat = _mm256_xor_si256(_mm256_srai_epi32(x, 31), _mm256_set1_epi32(INT32_MAX));
    x = _mm256_blendv_epi8(sat, shifted, fits);
  }
  const __m256i nudge = _mm256_set1_epi64x(int64_t(1) << 30);
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, mult), nudge);
  const __m256i odd = _mm256_add_epi64(
      _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(mult, 32)), nudge);
  const __m256i high = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  const __m256i rem = _mm256_and_si256(high, rmask);
  const __m256i threshold = _mm256_sub_epi32(_mm256_srli_epi32(rmask, 1), _mm256_srai_epi32(high, 31));
  const __m256i q = _mm256_srav_epi32(high, right);
  return _mm256_sub_epi32(q, _mm256_cmpgt_epi32(rem, threshold));  // true is -1
}

// Requantizes 8 accumulators and stores the first n (1..8) as bytes.
void finish(__m256i acc, __m256i mult, __m256i left, __m256i right, __m256i rmask, const Epi &e,
            uint8_t *dst, int64_t n) {
  __m256i v = mbqm(acc, mult, left, right, rmask, e.anyLeft);
  v = _mm256_max_epi32(v, _mm256_set1_epi32(e.lo - e.zy));
  v = _mm256_min_epi32(v, _mm256_set1_epi32(e.hi - e.zy));
  v = _mm256_add_epi32(v, _mm256_set1_epi32(e.zy));
  // The low byte of each lane: four per 128-bit half, then the halves side by side.
  const __m256i pick = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                        0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m256i t = _mm256_shuffle_epi8(v, pick);
  const __m128i bytes = _mm_unpacklo_epi32(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1));
  if (n >= 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i *>(dst), bytes);
  } else {
    const int64_t all = _mm_cvtsi128_si64(bytes);
    std::memcpy(dst, &all, static_cast<size_t>(n));
  }
}

__m256i broadcastQuad(const int16_t *p) {
  int64_t v;
  std::memcpy(&v, p, sizeof v);
  return _mm256_set1_epi64x(v);
}

// One tile: MR rows x 16 columns, `ncols` of them valid. The vector operand of k-quad q
// (16 columns x 4 bytes) is at v + q vq, the broadcast one of row r (4 int16) at b + q bq +
// 4 r. Conv: vector = u8 activations, broadcast = weights, channels are rows; otherwise
// vector = s8 weights, broadcast = activations, channels are columns.
template <int MR, bool Conv>
void tile(const uint8_t *v, int64_t vq, const int16_t *b, int64_t bq, int64_t K4, const Epi &e, int64_t i0,
          int64_t j0, uint8_t *y, int64_t ldy, int64_t ncols) {
  __m256i acc[MR][4];
  EDGEC_UNROLL
  for (int r = 0; r < MR; ++r)
    EDGEC_UNROLL
    for (int g = 0; g < 4; ++g) acc[r][g] = _mm256_setzero_si256();
  for (int64_t q = 0; q < K4; ++q, v += vq, b += bq) {
    __m256i a[MR];
    EDGEC_UNROLL
    for (int r = 0; r < MR; ++r) a[r] = broadcastQuad(b + 4 * r);
    EDGEC_UNROLL
    for (int g = 0; g < 4; ++g) {
      const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i *>(v + 16 * g));
      const __m256i wide = Conv ? _mm256_cvtepu8_epi16(raw) : _mm256_cvtepi8_epi16(raw);
      EDGEC_UNROLL
      for (int r = 0; r < MR; ++r) acc[r][g] = _mm256_add_epi32(acc[r][g], _mm256_madd_epi16(wide, a[r]));
    }
  }
  // hadd gives columns 0 1 4 5 | 2 3 6 7; the permute puts them in order. The epilogue
  // reads them back from memory (see qgemm_avx512.cpp's tile: registers in the k loop).
  alignas(32) int32_t sums[MR][16];
  EDGEC_UNROLL
  for (int r = 0; r < MR; ++r) {
    _mm256_store_si256(reinterpret_cast<__m256i *>(sums[r]),
                       _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[r][0], acc[r][1]), 0xD8));
    _mm256_store_si256(reinterpret_cast<__m256i *>(sums[r] + 8),
                       _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[r][2], acc[r][3]), 0xD8));
  }
  for (int r = 0; r < MR; ++r) {
    for (int h = 0; h < 2; ++h) {
      const int64_t n = ncols - 8 * h, col = j0 + 8 * h;
      if (n <= 0) break;
      __m256i s = _mm256_load_si256(reinterpret_cast<const __m256i *>(sums[r] + 8 * h));
      if (Conv) {
        const int64_t c = i0 + r;
        s = _mm256_add_epi32(s, _mm256_set1_epi32(e.add[c]));
        if (e.posSum)
          s = _mm256_add_epi32(s, _mm256_mullo_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(e.posSum + col)),
                                                     _mm256_set1_epi32(e.negZw[c])));
        finish(s, _mm256_set1_epi32(e.mult[c]), _mm256_set1_epi32(e.left[c]), _mm256_set1_epi32(e.right[c]),
               _mm256_set1_epi32(e.rmask[c]), e, y + r * ldy + 8 * h, n);
      } else if (e.fy) {
        s = _mm256_add_epi32(s, _mm256_loadu_si256(reinterpret_cast<const __m256i *>(e.add + col)));
        const __m256 scale = _mm256_mul_ps(_mm256_set1_ps(e.rowScale[i0 + r]), _mm256_loadu_ps(e.colScale + col));
        __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(s), scale);
        const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(int(minI(n, 8))), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        if (e.fbias) {
          __asm__("" : "+x"(f));  // an opaque product: no FMA contraction with the add
          f = _mm256_add_ps(f, _mm256_maskload_ps(e.fbias + col, m));
        }
        _mm256_maskstore_ps(e.fy + (i0 + r) * e.fld + col, m, f);
      } else {
        auto ld = [col](const int32_t *p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + col)); };
        s = _mm256_add_epi32(s, ld(e.add));
        if (e.posSum) s = _mm256_add_epi32(s, _mm256_mullo_epi32(_mm256_set1_epi32(e.posSum[i0 + r]), ld(e.negZw)));
        finish(s, ld(e.mult), ld(e.left), ld(e.right), ld(e.rmask), e, y + r * ldy + 8 * h, n);
      }
    }
  }
}

// See qgemm_avx512.cpp's gemmRows; here tiles are 2 x 16.
template <bool Conv>
void gemmRows(const void *w, int64_t ch0, int64_t nch, int64_t K4, const void *act, int64_t actStride,
              int64_t npos, const Epi &e, uint8_t *y, int64_t ldy) {
  if (Conv) {
    const auto *W = static_cast<const int16_t *>(w);
    const auto *A = static_cast<const uint8_t *>(act);
    for (int64_t i = 0; i < nch; i += 2) {
      const int64_t c = ch0 + i;
      const int16_t *b = W + (c / 16) * K4 * 64 + (c % 16) * 4;
      for (int64_t j = 0; j < npos; j += kNR) {
        const int64_t ncols = minI(kNR, npos - j);
        if (nch - i >= 2)
          tile<2, true>(A + j * 4, actStride * 4, b, 64, K4, e, i, j, y + i * ldy + j, ldy, ncols);
        else
          tile<1, true>(A + j * 4, actStride * 4, b, 64, K4, e, i, j, y + i * ldy + j, ldy, ncols);
      }
    }
    return;
  }
  const auto *W = static_cast<const uint8_t *>(w);
  const auto *A = static_cast<const int16_t *>(act);
  for (int64_t j = 0; j < nch; j += kNR) {
    const int64_t ncols = minI(kNR, nch - j);
    const uint8_t *v = W + ((ch0 + j) / 16) * K4 * 64;
    for (int64_t i = 0; i < npos; i += 2) {
      if (npos - i >= 2)
        tile<2, false>(v, 64, A + i * 4, actStride * 4, K4, e, i, j, y + i * ldy + j, ldy, ncols);
      else
        tile<1, false>(v, 64, A + i * 4, actStride * 4, K4, e, i, j, y + i * ldy + j, ldy, ncols);
    }
  }
}

// See qgemm_avx512.cpp's depthwiseRow; 8 columns at a time.
void depthwiseRow(const int16_t *rows, int64_t rowStride, int64_t dh, int64_t dw, int64_t sw, int64_t phaseLen,
                  int64_t KH, int64_t KW, const int32_t *wm, int32_t bias, const Epi &e, int64_t OW, uint8_t *y) {
  const __m256i mult = _mm256_set1_epi32(e.mult[0]), left = _mm256_set1_epi32(e.left[0]);
  const __m256i right = _mm256_set1_epi32(e.right[0]), rmask = _mm256_set1_epi32(e.rmask[0]);
  for (int64_t ow = 0; ow < OW; ow += 8) {
    __m256i acc = _mm256_set1_epi32(bias);
    for (int64_t kh = 0; kh < KH; ++kh) {
      const int16_t *row = rows + kh * dh * rowStride + ow;
      for (int64_t kw = 0; kw < KW; ++kw) {
        const int64_t s = kw * dw;
        const int16_t *p = row + (s % sw) * phaseLen + s / sw;
        const __m256i xv = _mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(xv, _mm256_set1_epi32(wm[kh * KW + kw])));
      }
    }
    finish(acc, mult, left, right, rmask, e, y + ow, OW - ow);
  }
}

// See qgemm_avx512.cpp's depthwisePairsPlane; vpmaddwd then vpaddd, 8 columns at a time.
void depthwisePairsPlane(const int32_t *plane, int64_t rowStride, int64_t rowStep, int64_t OH, int64_t dh, int64_t KH,
                         int64_t pairs, int64_t pairStep, const int32_t *wp, int32_t bias, const Epi &e, int64_t OW,
                         uint8_t *y) {
  const __m256i mult = _mm256_set1_epi32(e.mult[0]), left = _mm256_set1_epi32(e.left[0]);
  const __m256i right = _mm256_set1_epi32(e.right[0]), rmask = _mm256_set1_epi32(e.rmask[0]);
  for (int64_t oh = 0; oh < OH; ++oh, y += OW) {
    const int32_t *rows = plane + oh * rowStep;
    for (int64_t ow = 0; ow < OW; ow += 8) {
      __m256i acc = _mm256_set1_epi32(bias);
      for (int64_t kh = 0; kh < KH; ++kh) {
        const int32_t *row = rows + kh * dh * rowStride + ow;
        for (int64_t p = 0; p < pairs; ++p)
          acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(row + p * pairStep)),
                                                        _mm256_set1_epi32(wp[kh * pairs + p])));
      }
      finish(acc, mult, left, right, rmask, e, y + ow, OW - ow);
    }
  }
}

// See qgemm_avx512.cpp's pairRow; the portable spelling (AVX2 has no masked byte loads).
void pairRow(const uint8_t *src, int64_t W, int64_t pw, int64_t R, int64_t sw, bool xI8, int32_t zx, int16_t *tmp,
             int32_t *row) {
  pairRowPortable(src, W, pw, R, sw, xI8, zx, tmp, row);
}

// DynamicQuantizedMatMul's row quantization: see qgemm_avx512.cpp's quantizeRow, of which
// this is the AVX2 spelling (the same NaN rules: vmaxps/vminps return the second operand).
float quantizeRow(const float *x, int64_t K, uint8_t *xu) {
  const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  auto lanes = [&](int64_t n) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(minI(n, 8))), iota); };
  __m256 mx = _mm256_setzero_ps();
  for (int64_t k = 0; k < K; k += 8)
    mx = _mm256_max_ps(_mm256_and_ps(_mm256_maskload_ps(x + k, lanes(K - k)), absMask), mx);
  __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(mx), _mm256_extractf128_ps(mx, 1));
  m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
  m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
  const float s = _mm_cvtss_f32(m4) / 127.0f;
  if (!(s > 0)) {
    std::memset(xu, 128, static_cast<size_t>(K));
    return s;
  }
  const __m256 sv = _mm256_set1_ps(s), hi = _mm256_set1_ps(127.0f), lo = _mm256_set1_ps(-127.0f);
  const __m256i pick = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                        0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  for (int64_t k = 0; k < K; k += 8) {
    __m256 v = _mm256_div_ps(_mm256_maskload_ps(x + k, lanes(K - k)), sv);
    v = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    v = _mm256_max_ps(_mm256_min_ps(v, hi), lo);
    const __m256i t = _mm256_shuffle_epi8(_mm256_add_epi32(_mm256_cvtps_epi32(v), _mm256_set1_epi32(128)), pick);
    const int64_t bytes = _mm_cvtsi128_si64(_mm_unpacklo_epi32(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1)));
    std::memcpy(xu + k, &bytes, static_cast<size_t>(minI(K - k, 8)));
  }
  return s;
}

// The MatMul/Gemm row block is packed by the scalar loop here (rows widened to int16).
constexpr bool kVectorPackRows = false;
void packRowQuads(const uint8_t *, int64_t, int64_t, int64_t, int64_t, bool, int16_t *) {}

// No AMX path at this level (qgemm_amx.inc is AVX-512's): these are never called.
constexpr bool kAmxMatMul = false;
constexpr int64_t kAmxRows = 32;
inline int64_t amxRowBytes(int64_t K4) { return 4 * K4; }
inline void amxConfigure() {}
inline void amxRelease() {}
inline void amxPackRows(const uint8_t *, int64_t, int64_t, int64_t, int64_t, bool, uint8_t *, int32_t *) {}
inline bool amxConvFits(int64_t) { return false; }
inline int64_t amxConvLineBytes(int64_t, int64_t) { return 0; }
inline void amxConvWeights(const uint8_t *, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, uint8_t *) {}
inline void amxPanelGemm(const uint8_t *, int64_t, int64_t, int64_t, const uint8_t *, int64_t, int64_t, const Epi &,
                         uint8_t *, int64_t) {}
inline void amxImplicitGemm(const uint8_t *, int64_t, int64_t, const AmxSteps &, const uint8_t *, int64_t, int64_t,
                            int64_t, int64_t, const Epi &, uint8_t *, int64_t) {}
inline int64_t amxStemRun(int64_t, int64_t) { return 0; }
inline void amxConfigureStem(int64_t) {}
inline void amxStemWeights(const uint8_t *, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, uint8_t *) {}
inline void amxGemmRows(const void *, int64_t, int64_t, int64_t, const uint8_t *, int64_t, const Epi &, uint8_t *,
                        int64_t) {}

// The int8 Conv's fused residual Add and table lookup at this level (qgemm_driver.inc).
x86::QuantAddRuns *newResidualAdd(const ref::QuantBinaryParams &p) { return x86::newQuantAddRunsAvx2(p); }
void lookupCodes(const uint8_t *table, uint8_t *y, int64_t n) { x86::lookupCodesAvx2(table, y, n); }

#include "qgemm_driver.inc"

}  // namespace

// Called only once the registry has chosen one of these, i.e. on a CPU with AVX2.
Kernel *newX86Avx2QuantConv() { return new X86QuantConv(); }
Kernel *newX86Avx2QuantMatMul() { return new X86QuantMatMul(false); }
Kernel *newX86Avx2QuantGemm() { return new X86QuantMatMul(true); }
Kernel *newX86Avx2DynamicQuantMatMul() { return new X86DynamicQuantMatMul(); }

}  // namespace edgec::rt

#undef EDGEC_UNROLL
