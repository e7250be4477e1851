// x86 AVX-512 fp32 Conv: conv_avx2.cpp's three paths with 16-float vectors. On CPUs with
// two 512-bit FMA ports (Xeon since Skylake-SP) this doubles the multiply-add rate of the
// GEMM that 1x1 convs spend most of MobileNet's time in.
//
// The structure is that of the AVX2 kernel (see there for the paths and their layouts);
// what differs is what AVX-512 makes cheaper:
//   * the GEMM tile is 8 rows x 48 columns (24 zmm accumulators of the 32), which fits
//     MobileNet's channel counts (all multiples of 8) and its planes (112^2, 56^2 and
//     28^2 are whole 48-column tiles plus one vector, 7x7 = 49 is one tile and one column);
//   * loads and stores take a lane mask that suppresses faults on the masked lanes, so
//     partial tiles read B and write C in place: no zero-padded copy of B's last columns;
//   * the stride-2 even/odd split is one two-source permute per 16 outputs.
//
// Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma, so nothing here may run
// on a CPU without them. As in the AVX2 file, everything is in an anonymous namespace and
// no std template is instantiated, so the linker cannot hand an AVX-512 copy of a shared
// inline function to a baseline caller (the object defines no weak code besides Error's
// destructor, which the throw in Buffer needs and which has no vector instructions). The
// only external symbol is the factory newX86Avx512Conv: registration, which runs on every
// CPU, is in registry.cpp.
#include <immintrin.h>

#include <cstdlib>
#include <cstring>
#include <limits>

#include "ref/plans.h"
#include "register_kernels.h"

// GCC keeps an array of __m512 accumulators in registers only if the loops over it are
// unrolled before its scalar replacement; otherwise it stores them on every iteration.
#define EDGEC_UNROLL _Pragma("GCC unroll 16")

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

// The first n lanes (n clamped to [0, 16]) of a masked load/store.
__mmask16 firstLanes(int64_t n) {
  return static_cast<__mmask16>((1u << minI(maxI(n, 0), 16)) - 1);
}

// The fused activation as a clamp; (-inf, +inf) without one. max(lo, v) and min(hi, v)
// return v when it is NaN, like the ref's std::min(std::max(v, lo), hi).
struct Clamp {
  __m512 lo, hi;
  explicit Clamp(const ref::Activation &act)
      : lo(_mm512_set1_ps(act.enabled ? act.lo : -std::numeric_limits<float>::infinity())),
        hi(_mm512_set1_ps(act.enabled ? act.hi : std::numeric_limits<float>::infinity())) {}
  __m512 operator()(__m512 v) const { return _mm512_min_ps(hi, _mm512_max_ps(lo, v)); }
};

// ---------------------------------------------------------------------------------------
// GEMM: C[M, N] = clamp(A[M, K] * B[K, N] + bias[M]), row-major, for the conv shapes
// (M = output channels, K = input channels x taps, N = output positions, often large).
//
// An 8x48 tile of C lives in 24 zmm accumulators while the microkernel runs over all of
// K: per k, three loads of B, eight broadcasts of A, 24 FMAs. A (the weights) is packed
// into panels of 8 rows, k-major; B is read in place, a block of columns at a time sized
// to stay in L2 while every A panel sweeps over it (as in the AVX2 kernel).

constexpr int64_t kMR = 8;                    // rows of C per tile
constexpr int kNV = 3;                        // zmm vectors of columns per tile
constexpr int64_t kNR = 16 * kNV;             // columns of C per tile
constexpr int64_t kBlockBBytes = 256 * 1024;  // one block of B's columns (K rows)
constexpr int64_t kIm2colBytes = 128 * 1024;  // the column matrix of one im2col block

int64_t packedASize(int64_t M, int64_t K) { return roundUp(M, kMR) * K; }

// Rows of A (row stride K) into panels: panel p holds rows 8p..8p+7 as K groups of 8,
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

// One tile: MR rows and NV vectors of 16 columns of C, from a packed A panel and B (row
// stride ldb). With Masked, the last vector covers only the lanes in `last`, for B's
// loads as for C's stores. MR < 8 only for the last rows of C, so that no FMA is spent on
// the zero rows of the last A panel.
template <int MR, int NV, bool Masked>
void gemmTile(int64_t K, const float *a, const float *b, int64_t ldb, const float *bias,
              float *c, int64_t ldc, __mmask16 last, const Clamp &clamp) {
  __m512 acc[MR][NV];
  EDGEC_UNROLL
  for (int i = 0; i < MR; ++i)
    EDGEC_UNROLL
    for (int v = 0; v < NV; ++v) acc[i][v] = bias ? _mm512_set1_ps(bias[i]) : _mm512_setzero_ps();
  for (int64_t k = 0; k < K; ++k, a += kMR, b += ldb) {
    __m512 bv[NV];
    EDGEC_UNROLL
    for (int v = 0; v < NV; ++v)
      bv[v] = Masked && v == NV - 1 ? _mm512_maskz_loadu_ps(last, b + 16 * v)
                                    : _mm512_loadu_ps(b + 16 * v);
    EDGEC_UNROLL
    for (int i = 0; i < MR; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      EDGEC_UNROLL
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
    }
  }
  EDGEC_UNROLL
  for (int i = 0; i < MR; ++i)
    EDGEC_UNROLL
    for (int v = 0; v < NV; ++v) {
      if (Masked && v == NV - 1)
        _mm512_mask_storeu_ps(c + i * ldc + 16 * v, last, clamp(acc[i][v]));
      else
        _mm512_storeu_ps(c + i * ldc + 16 * v, clamp(acc[i][v]));
    }
}

// The last Cols (1 to 4) columns of a row of tiles, e.g. the 49th output of a 7x7 plane:
// each column is a vector over the panel's rows, one FMA per k, instead of a 16-wide tile
// of mostly padding. Several partial sums per column keep 8 FMA chains in flight.
template <int Cols>
void gemmColumns(int64_t K, const float *a, const float *b, int64_t ldb, const float *bias,
                 int64_t rows, float *c, int64_t ldc, const Clamp &clamp) {
  constexpr int kSplit = (8 + Cols - 1) / Cols;
  constexpr __mmask16 kPanel = static_cast<__mmask16>((1u << kMR) - 1);
  __m512 acc[Cols][kSplit];
  EDGEC_UNROLL
  for (int j = 0; j < Cols; ++j)
    EDGEC_UNROLL
    for (int u = 0; u < kSplit; ++u) acc[j][u] = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + kSplit <= K; k += kSplit)
    EDGEC_UNROLL
    for (int u = 0; u < kSplit; ++u) {
      const __m512 av = _mm512_maskz_loadu_ps(kPanel, a + (k + u) * kMR);
      EDGEC_UNROLL
      for (int j = 0; j < Cols; ++j)
        acc[j][u] = _mm512_fmadd_ps(av, _mm512_set1_ps(b[(k + u) * ldb + j]), acc[j][u]);
    }
  for (; k < K; ++k) {
    const __m512 av = _mm512_maskz_loadu_ps(kPanel, a + k * kMR);
    EDGEC_UNROLL
    for (int j = 0; j < Cols; ++j)
      acc[j][0] = _mm512_fmadd_ps(av, _mm512_set1_ps(b[k * ldb + j]), acc[j][0]);
  }
  const __m512 init = bias ? _mm512_maskz_loadu_ps(firstLanes(rows), bias) : _mm512_setzero_ps();
  EDGEC_UNROLL
  for (int j = 0; j < Cols; ++j) {
    __m512 sum = init;
    EDGEC_UNROLL
    for (int u = 0; u < kSplit; ++u) sum = _mm512_add_ps(sum, acc[j][u]);
    float lanes[16];
    _mm512_storeu_ps(lanes, clamp(sum));
    for (int64_t i = 0; i < rows; ++i) c[i * ldc + j] = lanes[i];
  }
}

// `nv` (< NV) whole vectors of columns for MR rows: the vectors before a partial one.
template <int MR, int NV>
void gemmVectors(int64_t nv, int64_t K, const float *a, const float *b, int64_t ldb,
                 const float *bias, float *c, int64_t ldc, const Clamp &clamp) {
  if constexpr (NV > 1) {
    if (nv < NV) return gemmVectors<MR, NV - 1>(nv, K, a, b, ldb, bias, c, ldc, clamp);
  }
  gemmTile<MR, NV, false>(K, a, b, ldb, bias, c, ldc, 0, clamp);
}

// MR rows and `cols` (1 to 48) columns of C: a full tile, or the whole vectors of a
// partial one, then its last cols % 16 as a masked vector or, if at most 4, as columns.
template <int MR>
void gemmRows(int64_t K, const float *a, const float *b, int64_t ldb, const float *bias,
              float *c, int64_t ldc, int64_t cols, const Clamp &clamp) {
  if (cols == kNR) return gemmTile<MR, kNV, false>(K, a, b, ldb, bias, c, ldc, 0, clamp);
  const int64_t whole = cols / 16 * 16, rest = cols - whole;
  static_assert(kNV > 1, "a partial tile's whole vectors are fewer than kNV");
  if (whole > 0) gemmVectors<MR, kNV - 1>(whole / 16, K, a, b, ldb, bias, c, ldc, clamp);
  b += whole;
  c += whole;
  switch (rest) {
  case 0: return;
  case 1: return gemmColumns<1>(K, a, b, ldb, bias, MR, c, ldc, clamp);
  case 2: return gemmColumns<2>(K, a, b, ldb, bias, MR, c, ldc, clamp);
  case 3: return gemmColumns<3>(K, a, b, ldb, bias, MR, c, ldc, clamp);
  case 4: return gemmColumns<4>(K, a, b, ldb, bias, MR, c, ldc, clamp);
  default: return gemmTile<MR, 1, true>(K, a, b, ldb, bias, c, ldc, firstLanes(rest), clamp);
  }
}

// rows x cols of C (at most 8 x 48) from an A panel and columns of B.
template <int MR = kMR>
void gemmPanel(int64_t K, const float *a, const float *b, int64_t ldb, const float *bias,
               int64_t rows, float *c, int64_t ldc, int64_t cols, const Clamp &clamp) {
  if constexpr (MR > 1) {
    if (rows < MR) return gemmPanel<MR - 1>(K, a, b, ldb, bias, rows, c, ldc, cols, clamp);
  }
  gemmRows<MR>(K, a, b, ldb, bias, c, ldc, cols, clamp);
}

// C (row stride ldc) from packed A and B (K rows of stride ldb).
void gemm(const float *packedA, int64_t M, int64_t K, const float *b, int64_t ldb, int64_t N,
          const float *bias, const Clamp &clamp, float *c, int64_t ldc) {
  const int64_t nc = blockCols(K, N);
  for (int64_t n0 = 0; n0 < N; n0 += nc) {
    const int64_t n = minI(nc, N - n0);
    for (int64_t m0 = 0; m0 < M; m0 += kMR) {
      const float *ap = packedA + m0 * K;
      const float *bm = bias ? bias + m0 : nullptr;
      const int64_t rows = minI(kMR, M - m0);
      float *cm = c + m0 * ldc + n0;
      for (int64_t j = 0; j < n; j += kNR)
        gemmPanel(K, ap, b + n0 + j, ldb, bm, rows, cm + j, ldc, minI(kNR, n - j), clamp);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Depthwise 2-D: out[oh, ow] = clamp(bias + sum_taps w[kh, kw] * in[oh*sh - ph + kh*dh,
// ow*sw - pw + kw*dw]), over prepared bands of zero-padded input rows split by horizontal
// stride phase, exactly as in the AVX2 kernel but 16 outputs per vector.

constexpr int64_t kBandBytes = 16 * 1024;

struct DepthwiseGeometry {
  int64_t sw = 1, pw = 0;    // horizontal stride and leading pad
  int64_t phaseLen = 0;      // floats per phase of a prepared row
  int64_t rowStride = 0;     // floats per prepared row (sw phases)
  int64_t bandRows = 0;      // output rows per band
  int64_t bandPrepRows = 0;  // prepared rows of a full band
  // Strides 1 and 2 start each phase's data on a cache line, so copyRow's stores do not
  // straddle two; the phase's index 0 is then `lead` floats into it.
  int64_t lead[2] = {0, 0};

  // Where index 0 of phase r is in a prepared row.
  int64_t phaseOffset(int64_t r) const { return r * phaseLen + (r < 2 ? lead[r] : 0); }
};

// Lane indices for the even and the odd floats of two vectors (32 consecutive floats).
__m512i evenLanes() {
  return _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}
__m512i oddLanes() {
  return _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}

// Copies input row x (W floats) into prepared row `row`: x[c] goes to phase (c + pw) % sw,
// index (c + pw) / sw. Writes only those floats and zeros, so the padding stays zero. For
// strides 1 and 2 the last, partial vectors are loaded under a mask (zeros past the row)
// but stored whole, into the padding (geometry leaves room): the kernels load these rows
// right after they are written, and masked stores measured slower there (as did masked
// loads and stores for the whole vectors: ~20% on MobileNet's 112-wide stride-2 rows).
void copyRow(const float *x, int64_t W, const DepthwiseGeometry &geo, float *row) {
  const int64_t sw = geo.sw, pw = geo.pw;
  int64_t c = 0;
  if (sw == 1) {
    float *dst = row + geo.phaseOffset(0) + pw;
    for (; c + 16 <= W; c += 16) _mm512_storeu_ps(dst + c, _mm512_loadu_ps(x + c));
    if (c < W) _mm512_storeu_ps(dst + c, _mm512_maskz_loadu_ps(firstLanes(W - c), x + c));
  } else if (sw == 2) {
    // x[2i] goes to phase pw % 2 at i + pw / 2, x[2i + 1] to the other phase at
    // i + (pw + 1) / 2; 32 columns at a time, the last (partial) ones through masks.
    float *evens = row + geo.phaseOffset(pw % 2) + pw / 2;
    float *odds = row + geo.phaseOffset((pw + 1) % 2) + (pw + 1) / 2;
    const __m512i even = evenLanes(), odd = oddLanes();
    for (; c + 32 <= W; c += 32) {
      const __m512 lo = _mm512_loadu_ps(x + c), hi = _mm512_loadu_ps(x + c + 16);
      _mm512_storeu_ps(evens + c / 2, _mm512_permutex2var_ps(lo, even, hi));
      _mm512_storeu_ps(odds + c / 2, _mm512_permutex2var_ps(lo, odd, hi));
    }
    if (c < W) {
      const int64_t left = W - c;
      const __m512 lo = _mm512_maskz_loadu_ps(firstLanes(left), x + c);
      const __m512 hi = _mm512_maskz_loadu_ps(firstLanes(left - 16), x + c + 16);
      _mm512_storeu_ps(evens + c / 2, _mm512_permutex2var_ps(lo, even, hi));
      _mm512_storeu_ps(odds + c / 2, _mm512_permutex2var_ps(lo, odd, hi));
    }
  } else {
    for (; c < W; ++c) row[geo.phaseOffset((c + pw) % sw) + (c + pw) / sw] = x[c];
  }
}

// Writes 16 outputs, or at the end of a row only the first OW % 16 of them.
struct RowStore {
  int64_t fullEnd;  // outputs before the partial vector
  __mmask16 tail;
  explicit RowStore(int64_t OW) : fullEnd(OW / 16 * 16), tail(firstLanes(OW % 16)) {}
  void operator()(float *y, int64_t ow, __m512 v) const {
    if (ow < fullEnd)
      _mm512_storeu_ps(y + ow, v);
    else
      _mm512_mask_storeu_ps(y + ow, tail, v);
  }
};

// OH rows of OW outputs from a prepared band, any kernel: taps[t] is the band offset of
// tap t for output (0, 0), rowStep the offset between output rows.
void depthwiseRows(const float *band, const int64_t *taps, int64_t ntaps, const float *w,
                   float bias, const Clamp &clamp, int64_t OH, int64_t OW, int64_t rowStep,
                   float *y) {
  const RowStore store(OW);
  for (int64_t oh = 0; oh < OH; ++oh, band += rowStep, y += OW) {
    for (int64_t ow = 0; ow < OW; ow += 16) {
      __m512 acc = _mm512_set1_ps(bias);
      for (int64_t t = 0; t < ntaps; ++t)
        acc = _mm512_fmadd_ps(_mm512_set1_ps(w[t]), _mm512_loadu_ps(band + taps[t] + ow), acc);
      store(y, ow, clamp(acc));
    }
  }
}

// 3x3 with no dilation and strides SH, SW of 1 or 2: the weights stay in registers, two
// output rows per pass share their input rows, and every load is a row pointer plus a
// constant (see the AVX2 kernel).
template <int SH, int SW>
void depthwise3x3(const float *band, const int64_t *taps, int64_t rowStride, const float *w,
                  float bias, const Clamp &clamp, int64_t OH, int64_t OW, float *y) {
  __m512 wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = _mm512_set1_ps(w[t]);
  const __m512 b = _mm512_set1_ps(bias);
  const RowStore store(OW);
  // Where taps (r, 0), (r, 1), (r, 2) read, relative to row r's pointer.
  const int64_t even = taps[0], odd = SW == 1 ? taps[0] : taps[1];
  auto load = [&](const float *row, int kw) {
    if (SW == 1) return _mm512_loadu_ps(row + even + kw);
    return kw == 1 ? _mm512_loadu_ps(row + odd) : _mm512_loadu_ps(row + even + kw / 2);
  };
  for (int64_t oh = 0; oh < OH; oh += 2) {
    const float *rows = band + oh * SH * rowStride;
    float *y0 = y + oh * OW, *y1 = y0 + OW;
    if (oh + 1 < OH) {
      for (int64_t ow = 0; ow < OW; ow += 16) {
        __m512 acc0 = b, acc1 = b;
        for (int r = 0; r < 3 + SH; ++r) {
          for (int kw = 0; kw < 3; ++kw) {
            const __m512 v = load(rows + r * rowStride + ow, kw);
            if (r < 3) acc0 = _mm512_fmadd_ps(wv[r * 3 + kw], v, acc0);
            if (r >= SH && r - SH < 3) acc1 = _mm512_fmadd_ps(wv[(r - SH) * 3 + kw], v, acc1);
          }
        }
        store(y0, ow, clamp(acc0));
        store(y1, ow, clamp(acc1));
      }
    } else {  // an odd last row
      for (int64_t ow = 0; ow < OW; ow += 16) {
        __m512 acc = b;
        for (int r = 0; r < 3; ++r)
          for (int kw = 0; kw < 3; ++kw)
            acc = _mm512_fmadd_ps(wv[r * 3 + kw], load(rows + r * rowStride + ow, kw), acc);
        store(y0, ow, clamp(acc));
      }
    }
  }
}

// dst[i] = src[2 i] for i < n: an im2col row of a stride-2 conv. The last vector's loads
// are masked so as not to read past src[2 (n - 1)].
void gatherEven(const float *src, int64_t n, float *dst) {
  const __m512i even = evenLanes();
  for (int64_t i = 0; i < n; i += 16) {
    const float *p = src + 2 * i;
    const int64_t need = 2 * (n - i) - 1;  // floats up to and including the last even one
    __m512 lo, hi;
    if (need >= 32) {
      lo = _mm512_loadu_ps(p);
      hi = _mm512_loadu_ps(p + 16);
    } else {
      lo = _mm512_maskz_loadu_ps(firstLanes(need), p);
      hi = _mm512_maskz_loadu_ps(firstLanes(need - 16), p + 16);
    }
    _mm512_mask_storeu_ps(dst + i, firstLanes(n - i), _mm512_permutex2var_ps(lo, even, hi));
  }
}

// 3x3 with pads of 1 all round, stride 1 ("same"), on short rows: the plane, with a zero
// row above and below, is one flat array and the outputs are computed 16 at a time along
// it, across row ends (see the AVX2 kernel). A tap whose column falls in the horizontal
// padding reads the neighbouring row's end instead; the left and right kernel columns
// are summed apart and added under a mask of the lanes where they are inside the row.
// The masks repeat every lcm(16, W) outputs, i.e. every `period` vectors.
//
// `plane` points at input (0, 0) of the copy, with W + 1 zeros before and after the H x W
// floats (and slack for the last vector); `masks` holds, per vector of the period, the
// lanes whose column is not the first, then those whose column is not the last.
void depthwise3x3Same(const float *plane, const __mmask16 *masks, int64_t period,
                      const float *w, float bias, const Clamp &clamp, int64_t H, int64_t W,
                      float *y) {
  __m512 wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = _mm512_set1_ps(w[t]);
  const __m512 b = _mm512_set1_ps(bias);
  const int64_t n = H * W, fullEnd = n / 16 * 16;
  const __mmask16 tail = firstLanes(n - fullEnd);
  int64_t p = 0;
  for (int64_t f = 0; f < n; f += 16) {
    const float *q = plane + f;
    __m512 left = _mm512_mul_ps(wv[0], _mm512_loadu_ps(q - W - 1));
    __m512 mid = _mm512_fmadd_ps(wv[1], _mm512_loadu_ps(q - W), b);
    __m512 right = _mm512_mul_ps(wv[2], _mm512_loadu_ps(q - W + 1));
    left = _mm512_fmadd_ps(wv[3], _mm512_loadu_ps(q - 1), left);
    mid = _mm512_fmadd_ps(wv[4], _mm512_loadu_ps(q), mid);
    right = _mm512_fmadd_ps(wv[5], _mm512_loadu_ps(q + 1), right);
    left = _mm512_fmadd_ps(wv[6], _mm512_loadu_ps(q + W - 1), left);
    mid = _mm512_fmadd_ps(wv[7], _mm512_loadu_ps(q + W), mid);
    right = _mm512_fmadd_ps(wv[8], _mm512_loadu_ps(q + W + 1), right);
    mid = _mm512_mask_add_ps(mid, masks[2 * p], mid, left);
    mid = _mm512_mask_add_ps(mid, masks[2 * p + 1], mid, right);
    const __m512 v = clamp(mid);
    if (f < fullEnd)
      _mm512_storeu_ps(y + f, v);
    else
      _mm512_mask_storeu_ps(y + f, tail, v);
    if (++p == period) p = 0;
  }
}

// ---------------------------------------------------------------------------------------

class X86Avx512Conv final : public Kernel {
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
      // Scratch: the packed weights unless done here, then (im2col) its index counters
      // and the column matrix.
      size_t bytes = 0;
      auto region = [&bytes](size_t n) {
        const size_t at = bytes;
        bytes += alignBytes(n);
        return at;
      };
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
          gemm(ag, mg_, gemmK_, xg, p_.outSize, p_.outSize, bg, clamp, yg, p_.outSize);
          continue;
        }
        const int64_t outLast = p_.outSpatial.back(), outRows = p_.outSize / outLast;
        for (int64_t r0 = 0; r0 < outRows; r0 += im2colRows_) {
          const int64_t r1 = minI(outRows, r0 + im2colRows_), cols = (r1 - r0) * outLast;
          im2col(xg, r0, r1, col, counters);
          gemm(ag, mg_, gemmK_, col, cols, cols, bg, clamp, yg + r0 * outLast, p_.outSize);
        }
      }
    }
  }

private:
  enum class Path { Pointwise, Depthwise2D, Im2col };

  int64_t packedWeightFloats() const { return p_.group * packedASize(mg_, gemmK_); }

  // W [M, C/group, k...] is, per group, a row-major [mg, K] matrix.
  void packWeights(const float *w, float *dst) const {
    for (int64_t g = 0; g < p_.group; ++g)
      packA(w + g * mg_ * gemmK_, mg_, gemmK_, dst + g * packedASize(mg_, gemmK_));
  }

  void prepareDepthwise() {
    const int64_t H = p_.inSpatial[0], W = p_.inSpatial[1];
    const int64_t OH = p_.outSpatial[0], OW = p_.outSpatial[1];
    const int64_t KH = p_.kernel[0], KW = p_.kernel[1];
    const int64_t sh = p_.strides[0], sw = p_.strides[1];
    const int64_t dh = p_.dilations[0], dw = p_.dilations[1];
    const int64_t ph = p_.padsBegin[0], pw = p_.padsBegin[1];
    // Pads of 1 at the start and an output as large as the input mean pads of 1 at the
    // end. The flat kernel pays where rows are short or end in a partial vector.
    if (KH == 3 && KW == 3 && sh == 1 && sw == 1 && dh == 1 && dw == 1 && ph == 1 && pw == 1 &&
        OH == H && OW == W && (W < 64 || W % 16 != 0)) {
      same3x3_ = true;
      int64_t gcd16 = 16;
      while (W % gcd16) gcd16 /= 2;
      samePeriod_ = W / gcd16;
      __mmask16 *masks = sameMasks_.reset(static_cast<size_t>(samePeriod_ * 2));
      for (int64_t v = 0; v < samePeriod_; ++v) {
        unsigned notFirst = 0, notLast = 0;
        for (int64_t i = 0; i < 16; ++i) {
          const int64_t col = (16 * v + i) % W;
          notFirst |= (col != 0 ? 1u : 0u) << i;
          notLast |= (col != W - 1 ? 1u : 0u) << i;
        }
        masks[2 * v] = static_cast<__mmask16>(notFirst);
        masks[2 * v + 1] = static_cast<__mmask16>(notLast);
      }
      return;
    }
    dw_.sw = sw;
    dw_.pw = pw;
    // Outputs are computed 16 at a time, so a phase covers OW rounded up to 16 plus the
    // farthest tap's shift within the phase; and it holds all of its input columns, even
    // those no output reads, so copyRow needs no clipping, plus the 16 floats its last,
    // zero-filled store may write past them. Plus up to 15 floats of lead.
    if (sw <= 2)
      for (int64_t r = 0; r < sw; ++r) {
        const int64_t first = (((r - pw) % sw + sw) % sw + pw) / sw;  // of its data
        dw_.lead[r] = (16 - first % 16) % 16;
      }
    dw_.phaseLen = roundUp(
        15 + maxI(roundUp(OW, 16) + (KW - 1) * dw / sw, ceilDiv(W + pw, sw) + 16), 16);
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
  int64_t samePlaneFloats() const { return p_.inSize + 2 * (p_.inSpatial[1] + 1) + 16; }

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
    const int64_t ph = p_.padsBegin[0];
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
    size_t weights = 0, counters = 0, col = 0, total = 0;
  } scratch_;
  // Depthwise path: the prepared band's layout and each tap's offset in it; or for
  // depthwise3x3Same, its mask period and masks.
  DepthwiseGeometry dw_;
  Buffer<int64_t> taps_;
  bool same3x3_ = false;
  int64_t samePeriod_ = 0;
  Buffer<__mmask16> sameMasks_;
};

}  // namespace

// Called only once the registry has chosen this kernel, i.e. on a CPU with AVX-512.
Kernel *newX86Avx512Conv() { return new X86Avx512Conv(); }

}  // namespace edgec::rt

#undef EDGEC_UNROLL
