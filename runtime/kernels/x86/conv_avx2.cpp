// x86 (AVX2 + FMA) fp32 Conv: a register-blocked GEMM for the pointwise and im2col paths
// and direct kernels for depthwise 2-D convs. All of them add the bias and apply the fused
// activation while the results are still in registers, so each output is written once.
//
// Conv picks one of three paths at prepare time:
//   * pointwise (1x1, stride 1, no pads): Y_g = W_g * X_g, the input planes already are
//     the GEMM's right operand;
//   * depthwise 2-D (one input channel per group, MobileNet's 3x3 convs): input rows are
//     copied into zero-padded rows in scratch (split by stride phase), so that every
//     kernel tap of 8 adjacent outputs is one unaligned load with no bounds checks;
//   * everything else: im2col into scratch, a block of output rows at a time, each block
//     followed by the same GEMM.
// Weights that are constants are packed for the GEMM at prepare time; others are packed
// into scratch on every run. Validation and attribute parsing are shared with the ref
// kernels (ref/plans.h), which are the oracle for the tests.
//
// Compiled with -mavx2 -mfma: everything here stays in an anonymous namespace and, apart
// from ConvPlan's own members, no std template is instantiated (no containers, no
// <algorithm>), so the linker cannot pick an AVX2 copy of a shared inline function for a
// baseline caller.
#include <immintrin.h>

#include <cstdlib>
#include <cstring>
#include <limits>

#include "ref/plans.h"
#include "register_kernels.h"

// GCC keeps an array of __m256 accumulators in registers only if the loops over it are
// unrolled before its scalar replacement; otherwise it stores them on every iteration.
#define EDGEC_UNROLL _Pragma("GCC unroll 8")

namespace edgec::rt {
namespace {

int64_t minI(int64_t a, int64_t b) { return a < b ? a : b; }
int64_t maxI(int64_t a, int64_t b) { return a > b ? a : b; }
int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t roundUp(int64_t a, int64_t b) { return ceilDiv(a, b) * b; }
// Scratch regions start on cache lines.
size_t alignBytes(size_t n) { return (n + 63) & ~size_t(63); }

// A heap array for prepare-time data (std::vector would instantiate shared templates).
template <typename T> class Buffer {
public:
  Buffer() = default;
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  ~Buffer() { std::free(p_); }
  T *reset(size_t n) {
    std::free(p_);
    p_ = static_cast<T *>(std::aligned_alloc(64, alignBytes(n > 0 ? n * sizeof(T) : 1)));
    if (!p_) throw Error("out of memory packing Conv weights");
    return p_;
  }
  T *get() const { return p_; }

private:
  T *p_ = nullptr;
};

// The first n lanes (n clamped to [0, 8]) of a masked load/store.
__m256i firstLanes(int64_t n) {
  const int32_t k = static_cast<int32_t>(minI(maxI(n, 0), 8));
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// The fused activation as a clamp; (-inf, +inf) without one. max(lo, v) and min(hi, v)
// return v when it is NaN, like the ref's std::min(std::max(v, lo), hi).
struct Clamp {
  __m256 lo, hi;
  explicit Clamp(const ref::Activation &act)
      : lo(_mm256_set1_ps(act.enabled ? act.lo : -std::numeric_limits<float>::infinity())),
        hi(_mm256_set1_ps(act.enabled ? act.hi : std::numeric_limits<float>::infinity())) {}
  __m256 operator()(__m256 v) const { return _mm256_min_ps(hi, _mm256_max_ps(lo, v)); }
};

// ---------------------------------------------------------------------------------------
// GEMM: C[M, N] = clamp(A[M, K] * B[K, N] + bias[M]), row-major, for the conv shapes
// (M = output channels, K = input channels x taps, N = output positions, often large).
//
// A 6x16 tile of C lives in 12 ymm accumulators while the microkernel runs over all of
// K: per k, two loads of B, six broadcasts of A, twelve FMAs. A (the weights) is packed
// into panels of 6 rows, k-major, so a panel is read sequentially. B is read in place: a
// block of columns at a time, sized to stay in L2 while every A panel sweeps over it,
// which writes C a few rows at a time. (Packing B as well measured slower on MobileNet's
// shapes: its copy costs about as much as it saves.) Only the last, partial 16 columns
// are copied, zero-padded, so that no tile reads past the end of B.

constexpr int64_t kMR = 6;                    // rows of C per tile
constexpr int64_t kNR = 16;                   // columns of C per tile (two ymm)
constexpr int64_t kBlockBBytes = 256 * 1024;  // one block of B's columns (K rows)
constexpr int64_t kIm2colBytes = 128 * 1024;  // the column matrix of one im2col block

int64_t packedASize(int64_t M, int64_t K) { return roundUp(M, kMR) * K; }
// gemmColumns reads 8 floats of A where a panel has 6 per k: slack after the last panel.
constexpr int64_t kPackedASlack = 8;

// Rows of A (row stride K) into panels: panel p holds rows 6p..6p+5 as K groups of 6,
// the rows past M zero.
void packA(const float *a, int64_t M, int64_t K, float *dst) {
  for (int64_t m0 = 0; m0 < M; m0 += kMR, dst += kMR * K)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t i = 0; i < kMR; ++i)
        dst[k * kMR + i] = m0 + i < M ? a[(m0 + i) * K + k] : 0.f;
}

// Columns per block of B: as many as fit the budget, spread evenly over the blocks so the
// last one is not a sliver.
int64_t blockCols(int64_t K, int64_t N) {
  const int64_t maxCols = maxI(kNR, kBlockBBytes / (static_cast<int64_t>(sizeof(float)) *
                                                    maxI(K, 1)) / kNR * kNR);
  N = maxI(N, 1);
  return roundUp(ceilDiv(N, ceilDiv(N, maxCols)), kNR);
}

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

// ---------------------------------------------------------------------------------------
// Depthwise 2-D: out[oh, ow] = clamp(bias + sum_taps w[kh, kw] * in[oh*sh - ph + kh*dh,
// ow*sw - pw + kw*dw]).
//
// A band of output rows at a time, the input rows it reads are first copied into a
// "prepared" band in scratch (small enough to stay in L1): rows zero-padded to the full
// extent the outputs read, each split by horizontal stride phase (phase r, index j holds
// padded column j sw + r). A tap then reads 8 adjacent outputs' inputs as 8 adjacent
// floats of one phase, at an offset fixed per tap, and the padding is just zeros. The
// data lands at the same columns in every row, so the band is zeroed once per run and
// a row only overwrites its data (or is zeroed whole where it is vertical padding).

constexpr int64_t kBandBytes = 16 * 1024;

struct DepthwiseGeometry {
  int64_t sw = 1, pw = 0;    // horizontal stride and leading pad
  int64_t phaseLen = 0;      // floats per phase of a prepared row
  int64_t rowStride = 0;     // floats per prepared row (sw phases)
  int64_t bandRows = 0;      // output rows per band
  int64_t bandPrepRows = 0;  // prepared rows of a full band
  // Strides 1 and 2 start each phase's data on 32 bytes, so copyRow's stores do not
  // straddle cache lines; the phase's index 0 is then `lead` floats into it.
  int64_t lead[2] = {0, 0};

  // Where index 0 of phase r is in a prepared row.
  int64_t phaseOffset(int64_t r) const { return r * phaseLen + (r < 2 ? lead[r] : 0); }
};

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

// The common case, 3x3 with no dilation and strides SH, SW of 1 or 2: the weights stay in
// registers, two output rows per pass share their input rows (4 rows for 6 with SH = 1),
// and every load is a row pointer plus a constant: the taps of a row are columns 0, 1, 2
// of the one phase (SW = 1), or 0 and 1 of the even phase and 0 of the odd (SW = 2).
template <int SH, int SW>
void depthwise3x3(const float *band, const int64_t *taps, int64_t rowStride, const float *w,
                  float bias, const Clamp &clamp, int64_t OH, int64_t OW, float *y) {
  __m256 wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = _mm256_set1_ps(w[t]);
  const __m256 b = _mm256_set1_ps(bias);
  const RowStore store(OW);
  // Where taps (r, 0), (r, 1), (r, 2) read, relative to row r's pointer.
  const int64_t even = taps[0], odd = SW == 1 ? taps[0] : taps[1];
  auto load = [&](const float *row, int kw) {
    if (SW == 1) return _mm256_loadu_ps(row + even + kw);
    return kw == 1 ? _mm256_loadu_ps(row + odd) : _mm256_loadu_ps(row + even + kw / 2);
  };
  for (int64_t oh = 0; oh < OH; oh += 2) {
    const float *rows = band + oh * SH * rowStride;
    float *y0 = y + oh * OW, *y1 = y0 + OW;
    if (oh + 1 < OH) {
      for (int64_t ow = 0; ow < OW; ow += 8) {
        __m256 acc0 = b, acc1 = b;
        for (int r = 0; r < 3 + SH; ++r) {
          for (int kw = 0; kw < 3; ++kw) {
            const __m256 v = load(rows + r * rowStride + ow, kw);
            if (r < 3) acc0 = _mm256_fmadd_ps(wv[r * 3 + kw], v, acc0);
            if (r >= SH && r - SH < 3) acc1 = _mm256_fmadd_ps(wv[(r - SH) * 3 + kw], v, acc1);
          }
        }
        store(y0, ow, clamp(acc0));
        store(y1, ow, clamp(acc1));
      }
    } else {  // an odd last row
      for (int64_t ow = 0; ow < OW; ow += 8) {
        __m256 acc = b;
        for (int r = 0; r < 3; ++r)
          for (int kw = 0; kw < 3; ++kw)
            acc = _mm256_fmadd_ps(wv[r * 3 + kw], load(rows + r * rowStride + ow, kw), acc);
        store(y0, ow, clamp(acc));
      }
    }
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

// ---------------------------------------------------------------------------------------

class X86Conv final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    p_ = ref::parseConv(sig);
    cg_ = p_.inChannels / p_.group;
    mg_ = p_.outChannels / p_.group;
    const size_t nd = p_.kernel.size();
    bool unitStrides = true, noPads = true;
    for (size_t d = 0; d < nd; ++d) {
      unitStrides = unitStrides && p_.strides[d] == 1;
      noPads = noPads && p_.padsBegin[d] == 0;
    }
    if (p_.kernelSize == 1 && unitStrides && noPads && p_.outSize == p_.inSize)
      path_ = Path::Pointwise;
    else if (cg_ == 1 && nd == 2)
      path_ = Path::Depthwise2D;
    else
      path_ = Path::Im2col;

    if (path_ == Path::Depthwise2D) {
      prepareDepthwise();
    } else {
      gemmK_ = cg_ * p_.kernelSize;
      packedWeights_ = sig.input_is_constant.size() > 1 && sig.input_is_constant[1];
      if (packedWeights_)
        packWeights(sig.inputs[1]->as<float>(), packed_.reset(packedWeightFloats()));
      // Scratch: the tail panel of B, the packed weights unless done here, then (im2col)
      // its index counters and the column matrix.
      size_t bytes = 0;
      auto region = [&bytes](size_t n) {
        const size_t at = bytes;
        bytes += alignBytes(n);
        return at;
      };
      scratch_.tail = region(static_cast<size_t>(gemmK_ * kNR) * sizeof(float));
      if (!packedWeights_)
        scratch_.weights = region(static_cast<size_t>(packedWeightFloats()) * sizeof(float));
      if (path_ == Path::Im2col) {
        // im2col and the GEMM take a block of output rows at a time, so that the column
        // matrix stays in L2 between the two.
        const int64_t outLast = p_.outSpatial[nd - 1];
        const int64_t rowBytes = gemmK_ * outLast * static_cast<int64_t>(sizeof(float));
        im2colRows_ = minI(p_.outSize / outLast, maxI(1, kIm2colBytes / maxI(rowBytes, 1)));
        scratch_.counters = region(2 * nd * sizeof(int64_t));
        scratch_.col = region(static_cast<size_t>(gemmK_ * im2colRows_ * outLast) * sizeof(float));
      }
      scratch_.total = bytes;
    }
  }

  size_t scratchBytes() const override {
    if (path_ == Path::Depthwise2D && same3x3_)
      return static_cast<size_t>(samePlaneFloats()) * sizeof(float);
    if (path_ == Path::Depthwise2D)
      return static_cast<size_t>(dw_.bandPrepRows * dw_.rowStride) * sizeof(float);
    return scratch_.total;
  }

  void run(const std::vector<const TensorView *> &in, const std::vector<TensorView *> &out,
           void *scratch) override {
    const float *x = in[0]->as<float>();
    const float *w = in[1]->as<float>();
    const float *bias = p_.hasBias ? in[2]->as<float>() : nullptr;
    float *y = out[0]->as<float>();
    const Clamp clamp(p_.act);
    if (path_ == Path::Depthwise2D) {
      runDepthwise(x, w, bias, clamp, y, static_cast<float *>(scratch));
      return;
    }

    char *base = static_cast<char *>(scratch);
    auto *tail = reinterpret_cast<float *>(base + scratch_.tail);
    const float *packedA = packed_.get();
    if (!packedWeights_) {
      auto *dst = reinterpret_cast<float *>(base + scratch_.weights);
      packWeights(w, dst);
      packedA = dst;
    }
    auto *counters = reinterpret_cast<int64_t *>(base + scratch_.counters);
    auto *col = reinterpret_cast<float *>(base + scratch_.col);

    const int64_t groupA = packedASize(mg_, gemmK_);
    for (int64_t n = 0; n < p_.batch; ++n) {
      for (int64_t g = 0; g < p_.group; ++g) {
        const float *xg = x + (n * p_.inChannels + g * cg_) * p_.inSize;
        float *yg = y + (n * p_.outChannels + g * mg_) * p_.outSize;
        const float *bg = bias ? bias + g * mg_ : nullptr;
        const float *ag = packedA + g * groupA;
        if (path_ == Path::Pointwise) {
          gemm(ag, mg_, gemmK_, xg, p_.outSize, p_.outSize, bg, clamp, yg, p_.outSize, tail);
          continue;
        }
        const int64_t outLast = p_.outSpatial.back(), outRows = p_.outSize / outLast;
        for (int64_t r0 = 0; r0 < outRows; r0 += im2colRows_) {
          const int64_t r1 = minI(outRows, r0 + im2colRows_), cols = (r1 - r0) * outLast;
          im2col(xg, r0, r1, col, counters);
          gemm(ag, mg_, gemmK_, col, cols, cols, bg, clamp, yg + r0 * outLast, p_.outSize,
               tail);
        }
      }
    }
  }

private:
  enum class Path { Pointwise, Depthwise2D, Im2col };

  int64_t packedWeightFloats() const {
    return p_.group * packedASize(mg_, gemmK_) + kPackedASlack;
  }

  // W [M, C/group, k...] is, per group, a row-major [mg, K] matrix.
  void packWeights(const float *w, float *dst) const {
    for (int64_t g = 0; g < p_.group; ++g)
      packA(w + g * mg_ * gemmK_, mg_, gemmK_, dst + g * packedASize(mg_, gemmK_));
    std::memset(dst + p_.group * packedASize(mg_, gemmK_), 0, kPackedASlack * sizeof(float));
  }

  void prepareDepthwise() {
    const int64_t H = p_.inSpatial[0], W = p_.inSpatial[1];
    const int64_t OH = p_.outSpatial[0], OW = p_.outSpatial[1];
    const int64_t KH = p_.kernel[0], KW = p_.kernel[1];
    const int64_t sh = p_.strides[0], sw = p_.strides[1];
    const int64_t dh = p_.dilations[0], dw = p_.dilations[1];
    const int64_t ph = p_.padsBegin[0], pw = p_.padsBegin[1];
    // Pads of 1 at the start and an output as large as the input mean pads of 1 at the end.
    // The masks cost 4 more vector ops per 8 outputs, which pays where rows are short or
    // end in a partial vector (MobileNet's 28, 14 and 7), not for 56 or 112.
    if (KH == 3 && KW == 3 && sh == 1 && sw == 1 && dh == 1 && dw == 1 && ph == 1 && pw == 1 &&
        OH == H && OW == W && (W < 32 || W % 8 != 0)) {
      same3x3_ = true;
      int64_t gcd8 = 8;
      while (W % gcd8) gcd8 /= 2;
      samePeriod_ = W / gcd8;
      int32_t *masks = sameMasks_.reset(static_cast<size_t>(samePeriod_ * 16));
      for (int64_t v = 0; v < samePeriod_; ++v)
        for (int64_t i = 0; i < 8; ++i) {
          const int64_t col = (8 * v + i) % W;
          masks[v * 16 + i] = col != 0 ? -1 : 0;
          masks[v * 16 + 8 + i] = col != W - 1 ? -1 : 0;
        }
      return;
    }
    dw_.sw = sw;
    dw_.pw = pw;
    // Outputs are computed 8 at a time, so a phase covers OW rounded up to 8 plus the
    // farthest tap's shift within the phase; and it holds all of its input columns, even
    // those no output reads, so copyRow needs no clipping. Plus up to 7 floats of lead.
    if (sw <= 2)
      for (int64_t r = 0; r < sw; ++r) {
        const int64_t first = (((r - pw) % sw + sw) % sw + pw) / sw;  // of its data
        dw_.lead[r] = (8 - first % 8) % 8;
      }
    dw_.phaseLen = roundUp(
        7 + maxI(roundUp(OW, 8) + (KW - 1) * dw / sw, ceilDiv(W + pw, sw)), 8);
    dw_.rowStride = sw * dw_.phaseLen;
    // As many output rows as keep the band within budget (at least one).
    const int64_t span = (KH - 1) * dh + 1, rowBytes = dw_.rowStride * 4;
    dw_.bandRows = minI(OH, maxI(1, (kBandBytes / rowBytes - span) / sh + 1));
    if (dw_.bandRows < OH && dw_.bandRows > 1) dw_.bandRows &= ~int64_t(1);  // in row pairs
    dw_.bandPrepRows = (dw_.bandRows - 1) * sh + span;
    int64_t *taps = taps_.reset(static_cast<size_t>(KH * KW));
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t kw = 0; kw < KW; ++kw)
        taps[kh * KW + kw] =
            kh * dh * dw_.rowStride + dw_.phaseOffset(kw * dw % sw) + kw * dw / sw;
  }

  // The copy depthwise3x3Same reads: W + 1 zeros, the plane, W + 1 zeros, and what its
  // last vector reads past them.
  int64_t samePlaneFloats() const {
    return p_.inSize + 2 * (p_.inSpatial[1] + 1) + 8;
  }

  void runSame3x3(const float *x, const float *w, const float *bias, const Clamp &clamp,
                  float *y, float *buf) const {
    const int64_t H = p_.inSpatial[0], W = p_.inSpatial[1];
    // The zeros around the plane are never overwritten: one memset per run.
    std::memset(buf, 0, static_cast<size_t>(samePlaneFloats()) * sizeof(float));
    float *plane = buf + W + 1;
    for (int64_t n = 0; n < p_.batch; ++n) {
      for (int64_t g = 0; g < p_.group; ++g) {
        std::memcpy(plane, x + (n * p_.inChannels + g) * p_.inSize,
                    static_cast<size_t>(p_.inSize) * sizeof(float));
        for (int64_t m = g * mg_; m < (g + 1) * mg_; ++m)
          depthwise3x3Same(plane, sameMasks_.get(), samePeriod_, w + m * 9,
                           bias ? bias[m] : 0.f, clamp, H, W,
                           y + (n * p_.outChannels + m) * p_.outSize);
      }
    }
  }

  void runDepthwise(const float *x, const float *w, const float *bias, const Clamp &clamp,
                    float *y, float *band) const {
    if (same3x3_) {
      runSame3x3(x, w, bias, clamp, y, band);
      return;
    }
    const int64_t H = p_.inSpatial[0], W = p_.inSpatial[1];
    const int64_t OH = p_.outSpatial[0], OW = p_.outSpatial[1];
    const int64_t ph = p_.padsBegin[0], pw = p_.padsBegin[1];
    const int64_t sh = p_.strides[0], sw = p_.strides[1];
    const int64_t span = dw_.bandPrepRows - (dw_.bandRows - 1) * sh;
    // With a single band, the rows in the vertical padding are the same for every channel
    // and stay zero; with several, a padding row may hold a previous band's data.
    const bool zeroPaddingRows = dw_.bandRows < OH;
    const bool fast3x3 = p_.kernel[0] == 3 && p_.kernel[1] == 3 && p_.dilations[0] == 1 &&
                         p_.dilations[1] == 1 && (sh == 1 || sh == 2) && (sw == 1 || sw == 2);
    std::memset(band, 0, static_cast<size_t>(dw_.bandPrepRows * dw_.rowStride) * sizeof(float));
    for (int64_t n = 0; n < p_.batch; ++n) {
      for (int64_t g = 0; g < p_.group; ++g) {
        const float *xg = x + (n * p_.inChannels + g) * p_.inSize;
        for (int64_t oh0 = 0; oh0 < OH; oh0 += dw_.bandRows) {
          const int64_t rows = minI(dw_.bandRows, OH - oh0);
          for (int64_t r = 0; r < (rows - 1) * sh + span; ++r) {
            float *row = band + r * dw_.rowStride;
            const int64_t ih = oh0 * sh + r - ph;
            if (ih >= 0 && ih < H)
              copyRow(xg + ih * W, W, dw_, row);
            else if (zeroPaddingRows)
              std::memset(row, 0, static_cast<size_t>(dw_.rowStride) * sizeof(float));
          }
          for (int64_t m = g * mg_; m < (g + 1) * mg_; ++m) {
            const float *wm = w + m * p_.kernelSize;
            const float b = bias ? bias[m] : 0.f;
            float *ym = y + (n * p_.outChannels + m) * p_.outSize + oh0 * OW;
            if (fast3x3 && sh == 1 && sw == 1)
              depthwise3x3<1, 1>(band, taps_.get(), dw_.rowStride, wm, b, clamp, rows, OW, ym);
            else if (fast3x3 && sh == 1)
              depthwise3x3<1, 2>(band, taps_.get(), dw_.rowStride, wm, b, clamp, rows, OW, ym);
            else if (fast3x3 && sw == 1)
              depthwise3x3<2, 1>(band, taps_.get(), dw_.rowStride, wm, b, clamp, rows, OW, ym);
            else if (fast3x3)
              depthwise3x3<2, 2>(band, taps_.get(), dw_.rowStride, wm, b, clamp, rows, OW, ym);
            else
              depthwiseRows(band, taps_.get(), p_.kernelSize, wm, b, clamp, rows, OW,
                            sh * dw_.rowStride, ym);
          }
        }
      }
    }
  }

  // The range [lo, hi) of output indices o with 0 <= o * stride + offset < in.
  static void validRange(int64_t offset, int64_t stride, int64_t in, int64_t out, int64_t *lo,
                         int64_t *hi) {
    *lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    *hi = in - 1 - offset < 0 ? 0 : minI(out, (in - 1 - offset) / stride + 1);
    *lo = minI(*lo, *hi);
  }

  static void fillZero(float *p, int64_t n) { std::memset(p, 0, n * sizeof(float)); }

  // col[(c, tap), o] = x[c, o * stride - pad + tap * dilation], 0 in the padding, for
  // the output positions in rows [r0, r1) (a row: all positions that share the leading
  // spatial coordinates). The last spatial dim is the inner loop; the leading ones are
  // walked with an odometer.
  void im2col(const float *x, int64_t r0, int64_t r1, float *col, int64_t *counters) const {
    const size_t nd = p_.kernel.size();
    const int64_t inLast = p_.inSpatial[nd - 1], outLast = p_.outSpatial[nd - 1];
    const int64_t sLast = p_.strides[nd - 1];
    int64_t *tap = counters, *pos = counters + nd;
    for (int64_t c = 0; c < cg_; ++c) {
      for (size_t d = 0; d < nd; ++d) tap[d] = 0;
      for (int64_t t = 0; t < p_.kernelSize; ++t) {
        const int64_t offset = tap[nd - 1] * p_.dilations[nd - 1] - p_.padsBegin[nd - 1];
        int64_t lo, hi;
        validRange(offset, sLast, inLast, outLast, &lo, &hi);
        for (int64_t d = static_cast<int64_t>(nd) - 2, rest = r0; d >= 0; --d) {
          pos[d] = rest % p_.outSpatial[d];
          rest /= p_.outSpatial[d];
        }
        for (int64_t r = r0; r < r1; ++r, col += outLast) {
          // Input offset of the leading coordinates, or -1 if they fall in the padding.
          int64_t base = c;
          for (size_t d = 0; d + 1 < nd && base >= 0; ++d) {
            const int64_t i = pos[d] * p_.strides[d] - p_.padsBegin[d] + tap[d] * p_.dilations[d];
            base = (i < 0 || i >= p_.inSpatial[d]) ? -1 : base * p_.inSpatial[d] + i;
          }
          if (base < 0) {
            fillZero(col, outLast);
          } else {
            const float *xr = x + base * inLast + lo * sLast + offset;
            fillZero(col, lo);
            if (sLast == 1)
              std::memcpy(col + lo, xr, static_cast<size_t>(hi - lo) * sizeof(float));
            else if (sLast == 2)
              gatherEven(xr, hi - lo, col + lo);
            else
              for (int64_t o = lo; o < hi; ++o) col[o] = xr[(o - lo) * sLast];
            fillZero(col + hi, outLast - hi);
          }
          for (size_t d = nd - 1; d-- > 0;) {
            if (++pos[d] < p_.outSpatial[d]) break;
            pos[d] = 0;
          }
        }
        for (size_t d = nd; d-- > 0;) {
          if (++tap[d] < p_.kernel[d]) break;
          tap[d] = 0;
        }
      }
    }
  }

  ref::ConvPlan p_;
  int64_t cg_ = 0, mg_ = 0;
  Path path_ = Path::Im2col;
  // GEMM paths: K of the GEMM, the weights packed at prepare (when constant), and the
  // byte offsets of the scratch regions.
  int64_t gemmK_ = 0, im2colRows_ = 0;
  bool packedWeights_ = false;
  Buffer<float> packed_;
  struct {
    size_t tail = 0, weights = 0, counters = 0, col = 0, total = 0;
  } scratch_;
  // Depthwise path: the prepared band's layout and each tap's offset in it; or for
  // depthwise3x3Same, its mask period and masks.
  DepthwiseGeometry dw_;
  Buffer<int64_t> taps_;
  bool same3x3_ = false;
  int64_t samePeriod_ = 0;
  Buffer<int32_t> sameMasks_;
};

}  // namespace

Kernel *newX86Avx2Conv() { return new X86Conv(); }

}  // namespace edgec::rt

#undef EDGEC_UNROLL
