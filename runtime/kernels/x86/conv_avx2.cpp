// x86 (AVX2 + FMA) fp32 Conv: the micro-kernels for conv_driver.inc's three paths (see
// there), 8 floats per vector: a register-blocked GEMM for the pointwise and im2col paths
// and direct kernels for depthwise 2-D convs. All of them add the bias and apply the fused
// activation while the results are still in registers, so each output is written once.
//
// Compiled with -mavx2 -mfma: everything here, the included driver too, stays in an
// anonymous namespace and, apart from ConvPlan's own members, no std template is
// instantiated (no containers, no <algorithm>), so the linker cannot pick an AVX2 copy of
// a shared inline function for a baseline caller.
#include <immintrin.h>

#include <cstdlib>
#include <cstring>
#include <limits>

#include "ref/plans.h"
#include "register_kernels.h"
#include "thread_pool.h"
#include "x86/prefetch_lines.h"
#include "x86_conv_parts.h"
#include "x86_f32_plans.h"
#include "x86/transpose.h"

// GCC keeps an array of __m256 accumulators in registers only if the loops over it are
// unrolled before its scalar replacement; otherwise it stores them on every iteration.
#define EDGEC_UNROLL _Pragma("GCC unroll 8")

namespace edgec::rt {
namespace {

constexpr int64_t kVec = 8;  // floats per ymm
constexpr int64_t kMR = 6;   // rows of C per GEMM tile
constexpr int64_t kNR = 16;  // columns of C per GEMM tile (two ymm)

#include "x86/vec_avx2.inc"
#include "x86/vec_math.inc"
#include "conv_common.inc"

// The first n lanes (n clamped to [0, 8]) of a masked load/store.
__m256i firstLanes(int64_t n) {
  const int32_t k = static_cast<int32_t>(minI(maxI(n, 0), 8));
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// The fused activation as a clamp; (-inf, +inf) without one, or for a function epilogue
// (applied after the store: applyFunctionEpilogue). max(lo, v) and min(hi, v)
// return v when it is NaN, like the ref's std::min(std::max(v, lo), hi).
struct Clamp {
  __m256 lo, hi;
  explicit Clamp(const ref::Activation &act)
      : lo(_mm256_set1_ps(clamps(act) ? act.lo : -std::numeric_limits<float>::infinity())),
        hi(_mm256_set1_ps(clamps(act) ? act.hi : std::numeric_limits<float>::infinity())) {}
  __m256 operator()(__m256 v) const { return _mm256_min_ps(hi, _mm256_max_ps(lo, v)); }
};

// ---------------------------------------------------------------------------------------
// GEMM (see conv_common.inc). The 6x16 tile of C lives in 12 ymm accumulators: per k, two
// loads of B, six broadcasts of A, twelve FMAs. Only the last, partial 16 columns of a
// block of B are copied, zero-padded, so that no tile reads past the end of B.

// The gemm's scratch: K rows of that copy.
constexpr int64_t kTailCols = kNR;
// gemmColumns reads 8 floats of A where a panel has 6 per k: slack after the last panel.
constexpr int64_t kPackedASlack = 8;

// The last n < 16 columns of B (K rows of stride ldb) as K rows of 16, zero-padded.
void packTail(const float *b, int64_t ldb, int64_t K, int64_t n, float *dst) {
  const __m256i mask0 = firstLanes(n), mask1 = firstLanes(n - 8);
  for (int64_t k = 0; k < K; ++k, b += ldb, dst += kNR) {
    _mm256_storeu_ps(dst, _mm256_maskload_ps(b, mask0));
    _mm256_storeu_ps(dst + 8, _mm256_maskload_ps(b + 8, mask1));
  }
}

// One tile: MR rows and the first `cols` columns of 16 columns of C, from a packed A panel
// and 16 columns of B (row stride ldb). NV = 2 computes 16 columns, NV = 1 the first 8.
// MR < 6 only for the last rows of C, so that no FMA is spent on the zero rows of the
// last A panel.
template <int MR, int NV>
void gemmTile(int64_t K, const float *a, const float *b, int64_t ldb, const float *bias,
              float *c, int64_t ldc, int64_t cols, const Clamp &clamp) {
  __m256 acc[MR][NV];
  EDGEC_UNROLL
  for (int i = 0; i < MR; ++i)
    EDGEC_UNROLL
    for (int v = 0; v < NV; ++v) acc[i][v] = bias ? _mm256_set1_ps(bias[i]) : _mm256_setzero_ps();
  for (int64_t k = 0; k < K; ++k, a += kMR, b += ldb) {
    __m256 bv[NV];
    EDGEC_UNROLL
    for (int v = 0; v < NV; ++v) bv[v] = _mm256_loadu_ps(b + 8 * v);
    EDGEC_UNROLL
    for (int i = 0; i < MR; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a + i);
      EDGEC_UNROLL
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm256_fmadd_ps(ai, bv[v], acc[i][v]);
    }
  }
  if (cols == 8 * NV) {
    EDGEC_UNROLL
    for (int i = 0; i < MR; ++i)
      EDGEC_UNROLL
      for (int v = 0; v < NV; ++v) _mm256_storeu_ps(c + i * ldc + 8 * v, clamp(acc[i][v]));
  } else {
    __m256i mask[NV];
    EDGEC_UNROLL
    for (int v = 0; v < NV; ++v) mask[v] = firstLanes(cols - 8 * v);
    EDGEC_UNROLL
    for (int i = 0; i < MR; ++i)
      EDGEC_UNROLL
      for (int v = 0; v < NV; ++v)
        _mm256_maskstore_ps(c + i * ldc + 8 * v, mask[v], clamp(acc[i][v]));
  }
}

// The last Cols (1 to 4) columns of a block, e.g. the 49th output of a 7x7 plane: each
// column is a vector over the panel's rows (8 lanes read from A, the last 2 belong to the
// next k and are dropped), one FMA per k, instead of a 16-wide tile of mostly padding.
// Several partial sums per column keep 8 FMA chains in flight.
template <int Cols>
void gemmColumns(int64_t K, const float *a, const float *b, int64_t ldb, const float *bias,
                 int64_t rows, float *c, int64_t ldc, const Clamp &clamp) {
  constexpr int kSplit = (8 + Cols - 1) / Cols;
  __m256 acc[Cols][kSplit];
  EDGEC_UNROLL
  for (int j = 0; j < Cols; ++j)
    EDGEC_UNROLL
    for (int u = 0; u < kSplit; ++u) acc[j][u] = _mm256_setzero_ps();
  int64_t k = 0;
  for (; k + kSplit <= K; k += kSplit)
    EDGEC_UNROLL
    for (int u = 0; u < kSplit; ++u) {
      const __m256 av = _mm256_loadu_ps(a + (k + u) * kMR);
      EDGEC_UNROLL
      for (int j = 0; j < Cols; ++j)
        acc[j][u] =
            _mm256_fmadd_ps(av, _mm256_broadcast_ss(b + (k + u) * ldb + j), acc[j][u]);
    }
  for (; k < K; ++k) {
    const __m256 av = _mm256_loadu_ps(a + k * kMR);
    EDGEC_UNROLL
    for (int j = 0; j < Cols; ++j)
      acc[j][0] = _mm256_fmadd_ps(av, _mm256_broadcast_ss(b + k * ldb + j), acc[j][0]);
  }
  const __m256 init =
      bias ? _mm256_maskload_ps(bias, firstLanes(rows)) : _mm256_setzero_ps();
  EDGEC_UNROLL
  for (int j = 0; j < Cols; ++j) {
    __m256 sum = init;
    EDGEC_UNROLL
    for (int u = 0; u < kSplit; ++u) sum = _mm256_add_ps(sum, acc[j][u]);
    float lanes[8];
    _mm256_storeu_ps(lanes, clamp(sum));
    for (int64_t i = 0; i < rows; ++i) c[i * ldc + j] = lanes[i];
  }
}

template <int MR>
void gemmTileCols(int64_t K, const float *a, const float *b, int64_t ldb, const float *bias,
                  float *c, int64_t ldc, int64_t cols, const Clamp &clamp) {
  if (cols > 8)
    gemmTile<MR, 2>(K, a, b, ldb, bias, c, ldc, cols, clamp);
  else
    gemmTile<MR, 1>(K, a, b, ldb, bias, c, ldc, cols, clamp);
}

// rows x cols of C (at most 6 x 16) from an A panel and columns of B.
void gemmPanel(int64_t K, const float *a, const float *b, int64_t ldb, const float *bias,
               int64_t rows, float *c, int64_t ldc, int64_t cols, const Clamp &clamp) {
  switch (cols) {
  case 1: return gemmColumns<1>(K, a, b, ldb, bias, rows, c, ldc, clamp);
  case 2: return gemmColumns<2>(K, a, b, ldb, bias, rows, c, ldc, clamp);
  case 3: return gemmColumns<3>(K, a, b, ldb, bias, rows, c, ldc, clamp);
  case 4: return gemmColumns<4>(K, a, b, ldb, bias, rows, c, ldc, clamp);
  default: break;
  }
  switch (rows) {
  case 1: return gemmTileCols<1>(K, a, b, ldb, bias, c, ldc, cols, clamp);
  case 2: return gemmTileCols<2>(K, a, b, ldb, bias, c, ldc, cols, clamp);
  case 3: return gemmTileCols<3>(K, a, b, ldb, bias, c, ldc, cols, clamp);
  case 4: return gemmTileCols<4>(K, a, b, ldb, bias, c, ldc, cols, clamp);
  case 5: return gemmTileCols<5>(K, a, b, ldb, bias, c, ldc, cols, clamp);
  default: return gemmTileCols<6>(K, a, b, ldb, bias, c, ldc, cols, clamp);
  }
}

// C (row stride ldc) from packed A and B (K rows of stride ldb). `tail` holds K * 16 floats.
void gemm(const float *packedA, int64_t M, int64_t K, const float *b, int64_t ldb, int64_t N,
          const float *bias, const Clamp &clamp, float *c, int64_t ldc, float *tail) {
  const int64_t nc = blockCols(K, N);
  for (int64_t n0 = 0; n0 < N; n0 += nc) {
    const int64_t n = minI(nc, N - n0), full = n / kNR * kNR;
    if (full < n) packTail(b + n0 + full, ldb, K, n - full, tail);
    for (int64_t m0 = 0; m0 < M; m0 += kMR) {
      const float *ap = packedA + m0 * K;
      const float *bm = bias ? bias + m0 : nullptr;
      const int64_t rows = minI(kMR, M - m0);
      float *cm = c + m0 * ldc + n0;
      for (int64_t j = 0; j < full; j += kNR)
        gemmPanel(K, ap, b + n0 + j, ldb, bm, rows, cm + j, ldc, kNR, clamp);
      if (full < n) gemmPanel(K, ap, tail, kNR, bm, rows, cm + full, ldc, n - full, clamp);
    }
  }
}

// y[i] = clamp(y[i] + p[i]) for n floats: the two partial sums of a GEMM split over K.
void addClamp(float *y, const float *p, int64_t n, const Clamp &clamp) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, clamp(_mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(p + i))));
  for (; i < n; ++i) {
    float lanes[8];
    _mm256_storeu_ps(lanes, clamp(_mm256_set1_ps(y[i] + p[i])));
    y[i] = lanes[0];
  }
}

// ---------------------------------------------------------------------------------------
// Depthwise 2-D (see conv_common.inc), 8 outputs per vector.

// copyRow writes only the row's own floats.
constexpr int64_t kCopyRowSlack = 0;

// Copies input row x (W floats) into prepared row `row`: x[c] goes to phase (c + pw) % sw,
// index (c + pw) / sw. Writes exactly those floats, so the padding stays zero.
void copyRow(const float *x, int64_t W, const DepthwiseGeometry &geo, float *row) {
  const int64_t sw = geo.sw, pw = geo.pw;
  int64_t c = 0;
  if (sw == 1) {
    float *dst = row + geo.phaseOffset(0) + pw;
    for (; c + 8 <= W; c += 8) _mm256_storeu_ps(dst + c, _mm256_loadu_ps(x + c));
    const __m256i tail = firstLanes(W - c);
    _mm256_maskstore_ps(dst + c, tail, _mm256_maskload_ps(x + c, tail));
  } else if (sw == 2) {
    // Evens and odds of 16 columns at a time: x[2i] goes to phase pw % 2 at i + pw / 2,
    // x[2i + 1] to the other phase at i + (pw + 1) / 2. The 16 are loaded as halves
    // (x0..3 x8..11 | x4..7 x12..15), which insertf128 does from memory off the shuffle
    // port, so that two in-lane shuffles finish the split.
    float *evens = row + geo.phaseOffset(pw % 2) + pw / 2;
    float *odds = row + geo.phaseOffset((pw + 1) % 2) + (pw + 1) / 2;
    for (; c + 16 <= W; c += 16) {
      const __m256 lo = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(x + c)),
                                             _mm_loadu_ps(x + c + 8), 1);
      const __m256 hi = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(x + c + 4)),
                                             _mm_loadu_ps(x + c + 12), 1);
      _mm256_storeu_ps(evens + c / 2, _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0)));
      _mm256_storeu_ps(odds + c / 2, _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1)));
    }
    if (c < W) {
      const int64_t left = W - c;
      const __m256 v0 = _mm256_maskload_ps(x + c, firstLanes(left));
      const __m256 v1 = _mm256_maskload_ps(x + c + 8, firstLanes(left - 8));
      const __m256 lo = _mm256_permute2f128_ps(v0, v1, 0x20);
      const __m256 hi = _mm256_permute2f128_ps(v0, v1, 0x31);
      _mm256_maskstore_ps(evens + c / 2, firstLanes((left + 1) / 2),
                          _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0)));
      _mm256_maskstore_ps(odds + c / 2, firstLanes(left / 2),
                          _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1)));
    }
  } else {
    for (; c < W; ++c) row[geo.phaseOffset((c + pw) % sw) + (c + pw) / sw] = x[c];
  }
}

// Writes 8 outputs, or at the end of a row only the first OW % 8 of them.
struct RowStore {
  int64_t fullEnd;  // outputs before the partial vector
  __m256i tail;
  explicit RowStore(int64_t OW) : fullEnd(OW / 8 * 8), tail(firstLanes(OW % 8)) {}
  void operator()(float *y, int64_t ow, __m256 v) const {
    if (ow < fullEnd)
      _mm256_storeu_ps(y + ow, v);
    else
      _mm256_maskstore_ps(y + ow, tail, v);
  }
};

// OH rows of OW outputs from a prepared band, any kernel: taps[t] is the band offset of
// tap t for output (0, 0), rowStep the offset between output rows.
void depthwiseRows(const float *band, const int64_t *taps, int64_t ntaps, const float *w,
                   float bias, const Clamp &clamp, int64_t OH, int64_t OW, int64_t rowStep,
                   float *y) {
  const RowStore store(OW);
  for (int64_t oh = 0; oh < OH; ++oh, band += rowStep, y += OW) {
    for (int64_t ow = 0; ow < OW; ow += 8) {
      __m256 acc = _mm256_set1_ps(bias);
      for (int64_t t = 0; t < ntaps; ++t)
        acc = _mm256_fmadd_ps(_mm256_set1_ps(w[t]), _mm256_loadu_ps(band + taps[t] + ow), acc);
      store(y, ow, clamp(acc));
    }
  }
}

// No AVX2 twin of conv_avx512.cpp's depthwise3x3Direct: 3x3 depthwise convs take the band
// here (the driver calls it only where kDirectDepthwise3x3 holds).
constexpr bool kDirectDepthwise3x3 = false;
template <int SW>
void depthwise3x3Direct(const float *, int64_t, int64_t, int64_t, const float *, float, const Clamp &, int64_t,
                        int64_t, float *) {}

// The common cases, K x K (3x3, 5x5) with no dilation and strides SH, SW of 1 or 2: the
// weights stay in registers (K = 3; at 5, 25 do not fit in 16 ymm and are reloaded), two
// output rows per pass share their input rows (K + 1 rows for 2 K with SH = 1), and every
// load is a row pointer plus a constant: the taps of a row are columns 0 .. K - 1 of the
// one phase (SW = 1), or the even taps' of the even phase and the odd taps' of the odd
// (SW = 2).
template <int K, int SH, int SW>
void depthwiseKxK(const float *band, const int64_t *taps, int64_t rowStride, const float *w,
                  float bias, const Clamp &clamp, int64_t OH, int64_t OW, float *y) {
  __m256 wv[K * K];
  for (int t = 0; t < K * K; ++t) wv[t] = _mm256_set1_ps(w[t]);
  const __m256 b = _mm256_set1_ps(bias);
  const RowStore store(OW);
  // Where taps (r, 0) and (r, 1) read, relative to row r's pointer: tap (r, kw) is kw
  // floats on (SW = 1), or kw / 2 floats on in the even or odd phase (SW = 2).
  const int64_t even = taps[0], odd = SW == 1 ? taps[0] : taps[1];
  auto load = [&](const float *row, int kw) {
    if (SW == 1) return _mm256_loadu_ps(row + even + kw);
    return kw % 2 ? _mm256_loadu_ps(row + odd + kw / 2) : _mm256_loadu_ps(row + even + kw / 2);
  };
  for (int64_t oh = 0; oh < OH; oh += 2) {
    const float *rows = band + oh * SH * rowStride;
    float *y0 = y + oh * OW, *y1 = y0 + OW;
    if (oh + 1 < OH) {
      for (int64_t ow = 0; ow < OW; ow += 8) {
        __m256 acc0 = b, acc1 = b;
        EDGEC_UNROLL
        for (int r = 0; r < K + SH; ++r) {
          EDGEC_UNROLL
          for (int kw = 0; kw < K; ++kw) {
            const __m256 v = load(rows + r * rowStride + ow, kw);
            if (r < K) acc0 = _mm256_fmadd_ps(wv[r * K + kw], v, acc0);
            if (r >= SH && r - SH < K) acc1 = _mm256_fmadd_ps(wv[(r - SH) * K + kw], v, acc1);
          }
        }
        store(y0, ow, clamp(acc0));
        store(y1, ow, clamp(acc1));
      }
    } else {  // an odd last row
      for (int64_t ow = 0; ow < OW; ow += 8) {
        __m256 acc = b;
        EDGEC_UNROLL
        for (int r = 0; r < K; ++r)
          EDGEC_UNROLL
          for (int kw = 0; kw < K; ++kw)
            acc = _mm256_fmadd_ps(wv[r * K + kw], load(rows + r * rowStride + ow, kw), acc);
        store(y0, ow, clamp(acc));
      }
    }
  }
}

// dst[o] = src[o - lo] for lo <= o < hi, else 0, for o < n: an im2col row of a stride-1
// conv with its padding, in whole vectors (vmaskmov never touches src outside [lo, hi)).
// A memset, a memcpy and a memset per row cost more than the copy on narrow maps.
void copyPaddedRow(const float *src, int64_t lo, int64_t hi, int64_t n, float *dst) {
  const float *s = src - lo;
  for (int64_t o = 0; o < n; o += 8) {
    const __m256i valid = _mm256_andnot_si256(firstLanes(lo - o), firstLanes(hi - o));
    _mm256_maskstore_ps(dst + o, firstLanes(n - o), _mm256_maskload_ps(s + o, valid));
  }
}

// dst[i] = src[2 i] for i < n: an im2col row of a stride-2 conv. Loaded as halves, as in
// copyRow.
void gatherEven(const float *src, int64_t n, float *dst) {
  int64_t i = 0;
  // The 16 floats read must not pass src[2 (n - 1)].
  for (; i + 9 <= n; i += 8) {
    const float *p = src + 2 * i;
    const __m256 lo =
        _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(p)), _mm_loadu_ps(p + 8), 1);
    const __m256 hi =
        _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(p + 4)), _mm_loadu_ps(p + 12), 1);
    _mm256_storeu_ps(dst + i, _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0)));
  }
  for (; i < n; ++i) dst[i] = src[2 * i];
}

// MobileNet's stride-1 case, 3x3 with pads of 1 all round ("same"): the plane, with a zero
// row above and below, is one flat array, and the outputs are computed 8 at a time along
// it, across row ends, with no per-row work or partial vectors. A tap whose column falls
// in the horizontal padding reads the neighbouring row's end instead; those lanes are
// masked out. The masks repeat every lcm(8, W) outputs, i.e. every `period` vectors.
//
// `plane` points at input (0, 0) of the copy, with W + 1 zeros before and after the H x W
// floats (and slack for the last vector); `masks` holds, per vector of the period, the
// lanes whose column is not the first, then those whose column is not the last.
void depthwise3x3Same(const float *plane, const int32_t *masks, int64_t period, const float *w,
                      float bias, const Clamp &clamp, int64_t H, int64_t W, float *y) {
  __m256 wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = _mm256_set1_ps(w[t]);
  const __m256 b = _mm256_set1_ps(bias);
  const int64_t n = H * W, fullEnd = n / 8 * 8;
  const __m256i tail = firstLanes(n - fullEnd);
  int64_t p = 0;
  for (int64_t f = 0; f < n; f += 8) {
    const float *q = plane + f;
    // One sum per kernel column, so that each gets its mask once.
    __m256 left = _mm256_mul_ps(wv[0], _mm256_loadu_ps(q - W - 1));
    __m256 mid = _mm256_fmadd_ps(wv[1], _mm256_loadu_ps(q - W), b);
    __m256 right = _mm256_mul_ps(wv[2], _mm256_loadu_ps(q - W + 1));
    left = _mm256_fmadd_ps(wv[3], _mm256_loadu_ps(q - 1), left);
    mid = _mm256_fmadd_ps(wv[4], _mm256_loadu_ps(q), mid);
    right = _mm256_fmadd_ps(wv[5], _mm256_loadu_ps(q + 1), right);
    left = _mm256_fmadd_ps(wv[6], _mm256_loadu_ps(q + W - 1), left);
    mid = _mm256_fmadd_ps(wv[7], _mm256_loadu_ps(q + W), mid);
    right = _mm256_fmadd_ps(wv[8], _mm256_loadu_ps(q + W + 1), right);
    const int32_t *m = masks + p * 16;
    left = _mm256_and_ps(left, _mm256_castsi256_ps(_mm256_loadu_si256(
                                   reinterpret_cast<const __m256i *>(m))));
    right = _mm256_and_ps(right, _mm256_castsi256_ps(_mm256_loadu_si256(
                                     reinterpret_cast<const __m256i *>(m + 8))));
    const __m256 v = clamp(_mm256_add_ps(mid, _mm256_add_ps(left, right)));
    if (f < fullEnd)
      _mm256_storeu_ps(y + f, v);
    else
      _mm256_maskstore_ps(y + f, tail, v);
    if (++p == period) p = 0;
  }
}

// depthwise3x3Same's masks as 8 lanes of all-ones or zeros, ANDed onto the sums.
using SameMask = int32_t;
constexpr int64_t kSameMasksPerVector = 16;

void fillSameMasks(int64_t W, int64_t period, SameMask *masks) {
  for (int64_t v = 0; v < period; ++v)
    for (int64_t i = 0; i < 8; ++i) {
      const int64_t col = (8 * v + i) % W;
      masks[v * 16 + i] = col != 0 ? -1 : 0;
      masks[v * 16 + 8 + i] = col != W - 1 ? -1 : 0;
    }
}

// The 5x5 counterpart of depthwise3x3Same (pads of 2 all round, stride 1; EfficientNet's
// 7x7, 14x14 and 28x28 planes): 2 W + 2 zeros before and after the plane, one sum per
// kernel column, and the sums of columns 0, 1, 3 and 4 (offsets -2, -1, +1, +2) each
// masked by the lanes whose column plus that offset is inside the row.
void depthwise5x5Same(const float *plane, const int32_t *masks, int64_t period,
                      const float *w, float bias, const Clamp &clamp, int64_t H, int64_t W,
                      float *y) {
  const __m256 b = _mm256_set1_ps(bias);
  const int64_t n = H * W, fullEnd = n / 8 * 8;
  const __m256i tail = firstLanes(n - fullEnd);
  int64_t p = 0;
  for (int64_t f = 0; f < n; f += 8) {
    const float *q = plane + f - 2 * W - 2;
    __m256 c[5];
    EDGEC_UNROLL
    for (int kw = 0; kw < 5; ++kw)
      c[kw] = kw == 2 ? _mm256_fmadd_ps(_mm256_broadcast_ss(w + kw), _mm256_loadu_ps(q + kw), b)
                      : _mm256_mul_ps(_mm256_broadcast_ss(w + kw), _mm256_loadu_ps(q + kw));
    EDGEC_UNROLL
    for (int kh = 1; kh < 5; ++kh) {
      EDGEC_UNROLL
      for (int kw = 0; kw < 5; ++kw)
        c[kw] = _mm256_fmadd_ps(_mm256_broadcast_ss(w + kh * 5 + kw),
                                _mm256_loadu_ps(q + kh * W + kw), c[kw]);
    }
    const int32_t *m = masks + p * 32;
    auto masked = [&](__m256 v, int i) {
      return _mm256_and_ps(v, _mm256_castsi256_ps(_mm256_loadu_si256(
                                  reinterpret_cast<const __m256i *>(m + 8 * i))));
    };
    const __m256 near = _mm256_add_ps(masked(c[1], 1), masked(c[3], 2));
    const __m256 far = _mm256_add_ps(masked(c[0], 0), masked(c[4], 3));
    const __m256 v = clamp(_mm256_add_ps(c[2], _mm256_add_ps(near, far)));
    if (f < fullEnd)
      _mm256_storeu_ps(y + f, v);
    else
      _mm256_maskstore_ps(y + f, tail, v);
    if (++p == period) p = 0;
  }
}

// depthwise5x5Same's masks: per vector, 8 lanes of all-ones or zeros for each of the
// column offsets -2, -1, +1, +2.
constexpr int64_t kSame5MasksPerVector = 32;

void fillSame5Masks(int64_t W, int64_t period, SameMask *masks) {
  static constexpr int64_t kOffsets[4] = {-2, -1, 1, 2};
  for (int64_t v = 0; v < period; ++v)
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t i = 0; i < 8; ++i) {
        const int64_t col = (8 * v + i) % W + kOffsets[j];
        masks[v * 32 + 8 * j + i] = col >= 0 && col < W ? -1 : 0;
      }
}

// ---------------------------------------------------------------------------------------
// Winograd F(4x4, 3x3) rows (see conv_winograd.inc), 8 tiles per vector, as
// conv_avx512.cpp's 16 (the same arithmetic).

// v[k][tw] = (B^T across the 6 columns of tile tw)[k] for tw < TW, t[4 tw + q] being
// column q of tile tw: columns 0-3 of 8 tiles by a 4x4 transpose in each 128-bit half
// (tiles 0 2 4 6 | 1 3 5 7, then put in order), columns 4 and 5 are columns 0 and 1 one
// tile on. Reads t up to 4 roundUp(TW, 8) + 1 (kWinoRowSlack past the row).
void winogradInputRow(const float *t, int64_t TW, float *const v[6]) {
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const __m256i next = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7);
  for (int64_t tw = 0; tw < TW; tw += 8) {
    const float *s = t + 4 * tw;
    const __m256 z0 = _mm256_loadu_ps(s), z1 = _mm256_loadu_ps(s + 8);
    const __m256 z2 = _mm256_loadu_ps(s + 16), z3 = _mm256_loadu_ps(s + 24);
    const __m256 lo01 = _mm256_unpacklo_ps(z0, z1), hi01 = _mm256_unpackhi_ps(z0, z1);
    const __m256 lo23 = _mm256_unpacklo_ps(z2, z3), hi23 = _mm256_unpackhi_ps(z2, z3);
    __m256 a[6], out[6];
    a[0] = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(lo01, lo23, 0x44), order);
    a[1] = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(lo01, lo23, 0xEE), order);
    a[2] = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(hi01, hi23, 0x44), order);
    a[3] = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(hi01, hi23, 0xEE), order);
    a[4] = _mm256_blend_ps(_mm256_permutevar8x32_ps(a[0], next), _mm256_set1_ps(s[32]), 0x80);
    a[5] = _mm256_blend_ps(_mm256_permutevar8x32_ps(a[1], next), _mm256_set1_ps(s[33]), 0x80);
    winoBt(a, out);
    const __m256i m = firstLanes(TW - tw);
    for (int k = 0; k < 6; ++k) _mm256_maskstore_ps(v[k] + tw, m, out[k]);
  }
}

// yr[4 tw + j] = clamp(o[j][tw] + bias) for 4 tw + j < OW: the four column phases
// interleaved back (the transpose above, inverted).
void winogradOutputRow(const float *const o[4], int64_t TW, float bias, const Clamp &clamp, float *yr,
                       int64_t OW) {
  const __m256 b = _mm256_set1_ps(bias);
  for (int64_t tw = 0; tw < TW; tw += 8) {
    const __m256i m = firstLanes(TW - tw);
    const __m256 p0 = _mm256_maskload_ps(o[0] + tw, m), p1 = _mm256_maskload_ps(o[1] + tw, m);
    const __m256 p2 = _mm256_maskload_ps(o[2] + tw, m), p3 = _mm256_maskload_ps(o[3] + tw, m);
    const __m256 lo01 = _mm256_unpacklo_ps(p0, p1), hi01 = _mm256_unpackhi_ps(p0, p1);
    const __m256 lo23 = _mm256_unpacklo_ps(p2, p3), hi23 = _mm256_unpackhi_ps(p2, p3);
    const __m256 t04 = _mm256_shuffle_ps(lo01, lo23, 0x44), t15 = _mm256_shuffle_ps(lo01, lo23, 0xEE);
    const __m256 t26 = _mm256_shuffle_ps(hi01, hi23, 0x44), t37 = _mm256_shuffle_ps(hi01, hi23, 0xEE);
    const __m256 out[4] = {_mm256_permute2f128_ps(t04, t15, 0x20), _mm256_permute2f128_ps(t26, t37, 0x20),
                           _mm256_permute2f128_ps(t04, t15, 0x31), _mm256_permute2f128_ps(t26, t37, 0x31)};
    for (int k = 0; k < 4; ++k) {
      const int64_t at = 4 * tw + 8 * k;
      _mm256_maskstore_ps(yr + at, firstLanes(OW - at), clamp(_mm256_add_ps(out[k], b)));
    }
  }
}

#include "conv_driver.inc"
#include "conv_transpose_driver.inc"

}  // namespace

Kernel *newX86Avx2Conv() { return new X86Conv(); }
x86::ConvParts *newX86Avx2ConvParts() { return new X86Conv(); }
Kernel *newX86Avx2ConvTranspose() { return new X86ConvTranspose(); }

}  // namespace edgec::rt

#undef EDGEC_UNROLL
