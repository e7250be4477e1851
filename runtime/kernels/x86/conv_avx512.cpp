// x86 AVX-512 fp32 Conv: conv_driver.inc's three paths with 16-float vectors. On CPUs with
// two 512-bit FMA ports (Xeon since Skylake-SP) this doubles the multiply-add rate of the
// GEMM that 1x1 convs spend most of MobileNet's time in.
//
// The paths and their layouts are conv_driver.inc's, shared with the AVX2 kernel; what
// differs is what AVX-512 makes cheaper:
//   * the GEMM tile is 8 rows x 48 columns (24 zmm accumulators of the 32), which fits
//     MobileNet's channel counts (all multiples of 8) and its planes (112^2, 56^2 and
//     28^2 are whole 48-column tiles plus one vector, 7x7 = 49 is one tile and one column);
//   * loads and stores take a lane mask that suppresses faults on the masked lanes, so
//     partial tiles read B and write C in place: no zero-padded copy of B's last columns;
//   * the stride-2 even/odd split is one two-source permute per 16 outputs.
//
// Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma, so nothing here may run
// on a CPU without them. As in the AVX2 file, everything (the included driver too) is in
// an anonymous namespace and no std template is instantiated, so the linker cannot hand an
// AVX-512 copy of a shared inline function to a baseline caller (the object defines no
// weak code besides Error's destructor, which the throw in Buffer needs and which has no
// vector instructions). The only external symbol is the factory newX86Avx512Conv:
// registration, which runs on every CPU, is in registry.cpp.
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

// GCC keeps an array of __m512 accumulators in registers only if the loops over it are
// unrolled before its scalar replacement; otherwise it stores them on every iteration.
#define EDGEC_UNROLL _Pragma("GCC unroll 16")

namespace edgec::rt {
namespace {

constexpr int64_t kVec = 16;       // floats per zmm
constexpr int64_t kMR = 8;         // rows of C per GEMM tile
constexpr int kNV = 3;             // zmm vectors of columns per GEMM tile
constexpr int64_t kNR = 16 * kNV;  // columns of C per GEMM tile

#include "x86/vec_avx512.inc"
#include "x86/vec_math.inc"
#include "conv_common.inc"

// The first n lanes (n clamped to [0, 16]) of a masked load/store.
__mmask16 firstLanes(int64_t n) {
  return static_cast<__mmask16>((1u << minI(maxI(n, 0), 16)) - 1);
}

// The fused activation as a clamp; (-inf, +inf) without one, or for a function epilogue
// (applied after the store: applyFunctionEpilogue). max(lo, v) and min(hi, v)
// return v when it is NaN, like the ref's std::min(std::max(v, lo), hi).
struct Clamp {
  __m512 lo, hi;
  explicit Clamp(const ref::Activation &act)
      : lo(_mm512_set1_ps(clamps(act) ? act.lo : -std::numeric_limits<float>::infinity())),
        hi(_mm512_set1_ps(clamps(act) ? act.hi : std::numeric_limits<float>::infinity())) {}
  __m512 operator()(__m512 v) const { return _mm512_min_ps(hi, _mm512_max_ps(lo, v)); }
};

// ---------------------------------------------------------------------------------------
// GEMM (see conv_common.inc). The 8x48 tile of C lives in 24 zmm accumulators: per k,
// three loads of B, eight broadcasts of A, 24 FMAs. Partial tiles read B in place under
// masks and read no A past the last panel. The last 1 to 4 columns of a block (the 49th
// output of a 7x7 plane, the 196th of 14x14) are copied into the gemm's scratch first: in
// place they sit one per row of B, each k a different cache line, and that column took
// as long as the other 48 (ResNet-18's layer 4).

constexpr int64_t kTailCols = 4;
constexpr int64_t kPackedASlack = 0;
constexpr int64_t kAPrefetch = 1024;

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
    _mm_prefetch(reinterpret_cast<const char *>(a + kAPrefetch), _MM_HINT_T0);
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

// A full tile plus one more column, the last of its block (the 49th output of a 7x7
// plane): a vector over the panel's MR rows, from `col` (K contiguous floats of B's
// column), one more FMA per k next to the tile's 24. The panel's floats of each k are the
// ones the tile broadcasts, already in L1, where a separate pass over the column read the
// whole panel again and took a fifth of layer 4's time for 1/49 of its work.
template <int MR>
void gemmTilePlusColumn(int64_t K, const float *a, const float *b, int64_t ldb, const float *col,
                        const float *bias, float *c, int64_t ldc, const Clamp &clamp) {
  static_assert(kMR == 8, "a panel's rows are one ymm");
  __m512 acc[MR][kNV];
  EDGEC_UNROLL
  for (int i = 0; i < MR; ++i)
    EDGEC_UNROLL
    for (int v = 0; v < kNV; ++v) acc[i][v] = bias ? _mm512_set1_ps(bias[i]) : _mm512_setzero_ps();
  __m256 extra = _mm256_setzero_ps();
  for (int64_t k = 0; k < K; ++k, a += kMR, b += ldb) {
    _mm_prefetch(reinterpret_cast<const char *>(a + kAPrefetch), _MM_HINT_T0);
    __m512 bv[kNV];
    EDGEC_UNROLL
    for (int v = 0; v < kNV; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
    EDGEC_UNROLL
    for (int i = 0; i < MR; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      EDGEC_UNROLL
      for (int v = 0; v < kNV; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
    }
    extra = _mm256_fmadd_ps(_mm256_loadu_ps(a), _mm256_broadcast_ss(col + k), extra);
  }
  EDGEC_UNROLL
  for (int i = 0; i < MR; ++i)
    EDGEC_UNROLL
    for (int v = 0; v < kNV; ++v) _mm512_storeu_ps(c + i * ldc + 16 * v, clamp(acc[i][v]));
  const __m512 init = bias ? _mm512_maskz_loadu_ps(firstLanes(MR), bias) : _mm512_setzero_ps();
  float lanes[16];
  _mm512_storeu_ps(lanes, clamp(_mm512_add_ps(init, _mm512_castps256_ps512(extra))));
  for (int i = 0; i < MR; ++i) c[i * ldc + kNR] = lanes[i];
}

template <int MR = kMR>
void gemmPanelPlusColumn(int64_t K, const float *a, const float *b, int64_t ldb, const float *col,
                         const float *bias, int64_t rows, float *c, int64_t ldc, const Clamp &clamp) {
  if constexpr (MR > 1) {
    if (rows < MR) return gemmPanelPlusColumn<MR - 1>(K, a, b, ldb, col, bias, rows, c, ldc, clamp);
  }
  gemmTilePlusColumn<MR>(K, a, b, ldb, col, bias, c, ldc, clamp);
}

// The last Cols (1 to 4) columns of a row of tiles, e.g. the 49th output of a 7x7 plane:
// each column is a vector over the panel's 8 rows, one FMA per k, instead of a 16-wide
// tile of mostly padding. The vectors are ymm: a panel's 8 floats of one k are 32 bytes
// that never straddle a cache line, where a masked zmm load straddled one every other k
// and held the column at a quarter of the speed. Several partial sums per column keep 8
// FMA chains in flight.
template <int Cols>
void gemmColumns(int64_t K, const float *a, const float *b, int64_t ldb, const float *bias,
                 int64_t rows, float *c, int64_t ldc, const Clamp &clamp) {
  static_assert(kMR == 8, "a panel's rows are one ymm");
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
        acc[j][u] = _mm256_fmadd_ps(av, _mm256_broadcast_ss(b + (k + u) * ldb + j), acc[j][u]);
    }
  for (; k < K; ++k) {
    const __m256 av = _mm256_loadu_ps(a + k * kMR);
    EDGEC_UNROLL
    for (int j = 0; j < Cols; ++j)
      acc[j][0] = _mm256_fmadd_ps(av, _mm256_broadcast_ss(b + k * ldb + j), acc[j][0]);
  }
  const __m512 init = bias ? _mm512_maskz_loadu_ps(firstLanes(rows), bias) : _mm512_setzero_ps();
  EDGEC_UNROLL
  for (int j = 0; j < Cols; ++j) {
    __m512 sum = init;
    EDGEC_UNROLL
    for (int u = 0; u < kSplit; ++u) sum = _mm512_add_ps(sum, _mm512_castps256_ps512(acc[j][u]));
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

// The last `cols` (1 to kTailCols) columns of B (K rows of stride ldb) as K rows of cols.
void packTailColumns(const float *b, int64_t ldb, int64_t K, int64_t cols, float *dst) {
  for (int64_t k = 0; k < K; ++k, b += ldb, dst += cols)
    for (int64_t j = 0; j < cols; ++j) dst[j] = b[j];
}

// C (row stride ldc) from packed A and B (K rows of stride ldb); `tail` holds K * kTailCols
// floats.
void gemm(const float *packedA, int64_t M, int64_t K, const float *b, int64_t ldb, int64_t N,
          const float *bias, const Clamp &clamp, float *c, int64_t ldc, float *tail) {
  const int64_t nc = blockCols(K, N);
  for (int64_t n0 = 0, n = 0; n0 < N; n0 += n) {
    n = minI(nc, N - n0);
    // A sliver of at most kTailCols columns after this block joins it rather than make a
    // block of its own that reads every A panel once more (7x7: 48 + 1 columns).
    if (N - n0 - n <= kTailCols) n = N - n0;
    // The last 1 to 4 columns come from the packed copy (gemmColumns, or
    // gemmTilePlusColumn), the tiles before them from B in place.
    const int64_t lastTile = (n - 1) / kNR * kNR, rest = (n - lastTile) % 16;
    const int64_t columns = rest <= kTailCols ? rest : 0, tiled = n - columns;
    if (columns > 0) packTailColumns(b + n0 + tiled, ldb, K, columns, tail);
    // One column after whole tiles rides along with the last tile.
    const bool plusColumn = columns == 1 && tiled >= kNR && tiled % kNR == 0;
    for (int64_t m0 = 0; m0 < M; m0 += kMR) {
      const float *ap = packedA + m0 * K;
      const float *bm = bias ? bias + m0 : nullptr;
      const int64_t rows = minI(kMR, M - m0);
      float *cm = c + m0 * ldc + n0;
      if (plusColumn) {
        for (int64_t j = 0; j + kNR < tiled; j += kNR)
          gemmPanel(K, ap, b + n0 + j, ldb, bm, rows, cm + j, ldc, kNR, clamp);
        gemmPanelPlusColumn(K, ap, b + n0 + tiled - kNR, ldb, tail, bm, rows, cm + tiled - kNR, ldc, clamp);
        continue;
      }
      for (int64_t j = 0; j < tiled; j += kNR)
        gemmPanel(K, ap, b + n0 + j, ldb, bm, rows, cm + j, ldc, minI(kNR, tiled - j), clamp);
      if (columns > 0) gemmPanel(K, ap, tail, columns, bm, rows, cm + tiled, ldc, columns, clamp);
    }
  }
}

// y[i] = clamp(y[i] + p[i]) for n floats: the two partial sums of a GEMM split over K.
void addClamp(float *y, const float *p, int64_t n, const Clamp &clamp) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(y + i, clamp(_mm512_add_ps(_mm512_loadu_ps(y + i), _mm512_loadu_ps(p + i))));
  if (i < n) {
    const __mmask16 m = firstLanes(n - i);
    _mm512_mask_storeu_ps(y + i, m, clamp(_mm512_add_ps(_mm512_maskz_loadu_ps(m, y + i), _mm512_maskz_loadu_ps(m, p + i))));
  }
}

// ---------------------------------------------------------------------------------------
// Depthwise 2-D (see conv_common.inc), 16 outputs per vector.

// copyRow's last, partial vector is stored whole.
constexpr int64_t kCopyRowSlack = 16;

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

// Depthwise 3x3 at stride 1 or 2 (both ways) with a left pad of 1, read straight from the
// input plane (H x W) instead of a prepared band. Output column j reads input columns
// SW j - 1, SW j and SW j + 1: at stride 1 three loads, masked at the row's ends; at
// stride 2 the odds O and evens E of two loads of 32 columns (two vpermt2ps), which give
// O[j - 1], E[j] and O[j] (O[j - 1] by vpalignrd from the previous vector's odds, zero
// before the row: the left pad). Rows outside the plane (vertical pads) and columns past
// W are zeros, as in the band. Each output is bias + the same nine fmas in the same order
// as depthwiseKxK<3, SW, SW> on a band, so the bits are the band path's. Output rows in
// pairs that share their input rows. Why: the band's copy of every input row took more
// time than the nine fmas on MobileNetV2's 112x112 and 56x56 stride-2 convs
// (docs/performance.md, eighteenth session).
constexpr bool kDirectDepthwise3x3 = true;

// The three taps of input row p (null: a padding row) for the 16 outputs from ow.
template <int SW>
void directTaps(const float *p, int64_t W, int64_t ow, __m512 &prevOdd, __m512 t[3]) {
  const __m512 zero = _mm512_setzero_ps();
  if (!p) {
    t[0] = t[1] = t[2] = zero;
    return;
  }
  const int64_t left = W - SW * ow;  // input columns from SW ow on
  if constexpr (SW == 1) {
    const bool whole = ow > 0 && left >= 17;
    t[0] = whole ? _mm512_loadu_ps(p + ow - 1)
                 : _mm512_maskz_loadu_ps(firstLanes(left + 1) & (ow > 0 ? 0xffff : 0xfffe), p + ow - 1);
    t[1] = whole ? _mm512_loadu_ps(p + ow) : _mm512_maskz_loadu_ps(firstLanes(left), p + ow);
    t[2] = whole ? _mm512_loadu_ps(p + ow + 1) : _mm512_maskz_loadu_ps(firstLanes(left - 1), p + ow + 1);
  } else {
    const float *q = p + 2 * ow;
    const __m512 lo = left >= 16 ? _mm512_loadu_ps(q) : _mm512_maskz_loadu_ps(firstLanes(left), q);
    const __m512 hi = left >= 32 ? _mm512_loadu_ps(q + 16) : _mm512_maskz_loadu_ps(firstLanes(left - 16), q + 16);
    const __m512 odds = _mm512_permutex2var_ps(lo, oddLanes(), hi);
    t[0] = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(odds), _mm512_castps_si512(prevOdd), 15));
    t[1] = _mm512_permutex2var_ps(lo, evenLanes(), hi);
    t[2] = prevOdd = odds;
  }
}

template <int SW>
void depthwise3x3Direct(const float *x, int64_t H, int64_t W, int64_t ph, const float *w, float bias,
                        const Clamp &clamp, int64_t OH, int64_t OW, float *y) {
  constexpr int kRows = 3 + SW;  // input rows of a pass of two output rows
  __m512 wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = _mm512_set1_ps(w[t]);
  const __m512 b = _mm512_set1_ps(bias);
  const RowStore store(OW);
  for (int64_t oh = 0; oh < OH; oh += 2) {
    const int nrows = oh + 1 < OH ? kRows : 3;
    const float *rows[kRows];
    __m512 prevOdd[kRows];
    for (int r = 0; r < kRows; ++r) {
      const int64_t ih = SW * oh - ph + r;
      rows[r] = r < nrows && ih >= 0 && ih < H ? x + ih * W : nullptr;
      prevOdd[r] = _mm512_setzero_ps();
    }
    float *y0 = y + oh * OW, *y1 = y0 + OW;
    for (int64_t ow = 0; ow < OW; ow += 16) {
      __m512 acc0 = b, acc1 = b;
      EDGEC_UNROLL
      for (int r = 0; r < kRows; ++r) {
        if (r >= nrows) break;
        __m512 t[3];
        directTaps<SW>(rows[r], W, ow, prevOdd[r], t);
        if (r < 3)
          for (int kw = 0; kw < 3; ++kw) acc0 = _mm512_fmadd_ps(wv[r * 3 + kw], t[kw], acc0);
        if (r >= SW)
          for (int kw = 0; kw < 3; ++kw) acc1 = _mm512_fmadd_ps(wv[(r - SW) * 3 + kw], t[kw], acc1);
      }
      store(y0, ow, clamp(acc0));
      if (nrows == kRows) store(y1, ow, clamp(acc1));
    }
  }
}

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

// K x K (3x3, 5x5) with no dilation and strides SH, SW of 1 or 2: the weights stay in
// registers, two output rows per pass share their input rows, and every load is a row
// pointer plus a constant (see the AVX2 kernel).
template <int K, int SH, int SW>
void depthwiseKxK(const float *band, const int64_t *taps, int64_t rowStride, const float *w,
                  float bias, const Clamp &clamp, int64_t OH, int64_t OW, float *y) {
  __m512 wv[K * K];
  for (int t = 0; t < K * K; ++t) wv[t] = _mm512_set1_ps(w[t]);
  const __m512 b = _mm512_set1_ps(bias);
  const RowStore store(OW);
  // Where taps (r, 0) and (r, 1) read, relative to row r's pointer: tap (r, kw) is kw
  // floats on (SW = 1), or kw / 2 floats on in the even or odd phase (SW = 2).
  const int64_t even = taps[0], odd = SW == 1 ? taps[0] : taps[1];
  auto load = [&](const float *row, int kw) {
    if (SW == 1) return _mm512_loadu_ps(row + even + kw);
    return kw % 2 ? _mm512_loadu_ps(row + odd + kw / 2) : _mm512_loadu_ps(row + even + kw / 2);
  };
  // 5x5: four output rows a pass share their input rows, K + 3 SH rows of K loads for
  // 4 K^2 fmas against K + SH rows for 2 K^2 (the loads, unaligned and mostly split
  // across cache lines, bound these kernels; 25 weights and 4 sums still fit in
  // registers). EfficientNet's 144-channel 5x5 s2 from 56x56: 152 -> 131-146 us; 3x3
  // measured no faster. Each output still sums its taps in the same order.
  int64_t oh = 0;
  for (; K == 5 && oh + 4 <= OH; oh += 4) {
    const float *rows = band + oh * SH * rowStride;
    float *yr = y + oh * OW;
    for (int64_t ow = 0; ow < OW; ow += 16) {
      __m512 acc[4] = {b, b, b, b};
      EDGEC_UNROLL
      for (int r = 0; r < K + 3 * SH; ++r) {
        EDGEC_UNROLL
        for (int kw = 0; kw < K; ++kw) {
          const __m512 v = load(rows + r * rowStride + ow, kw);
          EDGEC_UNROLL
          for (int j = 0; j < 4; ++j)
            if (r >= j * SH && r - j * SH < K) acc[j] = _mm512_fmadd_ps(wv[(r - j * SH) * K + kw], v, acc[j]);
        }
      }
      for (int j = 0; j < 4; ++j) store(yr + j * OW, ow, clamp(acc[j]));
    }
  }
  for (; oh < OH; oh += 2) {
    const float *rows = band + oh * SH * rowStride;
    float *y0 = y + oh * OW, *y1 = y0 + OW;
    if (oh + 1 < OH) {
      for (int64_t ow = 0; ow < OW; ow += 16) {
        __m512 acc0 = b, acc1 = b;
        EDGEC_UNROLL
        for (int r = 0; r < K + SH; ++r) {
          EDGEC_UNROLL
          for (int kw = 0; kw < K; ++kw) {
            const __m512 v = load(rows + r * rowStride + ow, kw);
            if (r < K) acc0 = _mm512_fmadd_ps(wv[r * K + kw], v, acc0);
            if (r >= SH && r - SH < K) acc1 = _mm512_fmadd_ps(wv[(r - SH) * K + kw], v, acc1);
          }
        }
        store(y0, ow, clamp(acc0));
        store(y1, ow, clamp(acc1));
      }
    } else {  // an odd last row
      for (int64_t ow = 0; ow < OW; ow += 16) {
        __m512 acc = b;
        EDGEC_UNROLL
        for (int r = 0; r < K; ++r)
          EDGEC_UNROLL
          for (int kw = 0; kw < K; ++kw)
            acc = _mm512_fmadd_ps(wv[r * K + kw], load(rows + r * rowStride + ow, kw), acc);
        store(y0, ow, clamp(acc));
      }
    }
  }
}

// dst[o] = src[o - lo] for lo <= o < hi, else 0, for o < n: an im2col row of a stride-1
// conv with its padding, in whole vectors (masked loads never touch src outside
// [lo, hi)). A memset, a memcpy and a memset per row cost more than the copy on narrow
// maps (U-Net's 32-wide rows: 24 channels x 9 taps x 32 rows of calls per block).
void copyPaddedRow(const float *src, int64_t lo, int64_t hi, int64_t n, float *dst) {
  const float *s = src - lo;
  for (int64_t o = 0; o < n; o += 16) {
    const __mmask16 valid = firstLanes(hi - o) & static_cast<__mmask16>(~firstLanes(lo - o));
    _mm512_mask_storeu_ps(dst + o, firstLanes(n - o), _mm512_maskz_loadu_ps(valid, s + o));
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

// depthwise3x3Same's masks as lane bitmasks, selecting where the left and right sums count.
using SameMask = __mmask16;
constexpr int64_t kSameMasksPerVector = 2;

void fillSameMasks(int64_t W, int64_t period, SameMask *masks) {
  for (int64_t v = 0; v < period; ++v) {
    unsigned notFirst = 0, notLast = 0;
    for (int64_t i = 0; i < 16; ++i) {
      const int64_t col = (16 * v + i) % W;
      notFirst |= (col != 0 ? 1u : 0u) << i;
      notLast |= (col != W - 1 ? 1u : 0u) << i;
    }
    masks[2 * v] = static_cast<__mmask16>(notFirst);
    masks[2 * v + 1] = static_cast<__mmask16>(notLast);
  }
}

// The 5x5 counterpart of depthwise3x3Same (see the AVX2 kernel): one sum per kernel
// column, the outer four added where their masks say the column is inside the row.
void depthwise5x5Same(const float *plane, const __mmask16 *masks, int64_t period,
                      const float *w, float bias, const Clamp &clamp, int64_t H, int64_t W,
                      float *y) {
  __m512 wv[25];
  for (int t = 0; t < 25; ++t) wv[t] = _mm512_set1_ps(w[t]);
  const __m512 b = _mm512_set1_ps(bias);
  const int64_t n = H * W, fullEnd = n / 16 * 16;
  const __mmask16 tail = firstLanes(n - fullEnd);
  int64_t p = 0;
  for (int64_t f = 0; f < n; f += 16) {
    const float *q = plane + f - 2 * W - 2;
    __m512 c[5];
    EDGEC_UNROLL
    for (int kw = 0; kw < 5; ++kw)
      c[kw] = kw == 2 ? _mm512_fmadd_ps(wv[kw], _mm512_loadu_ps(q + kw), b)
                      : _mm512_mul_ps(wv[kw], _mm512_loadu_ps(q + kw));
    EDGEC_UNROLL
    for (int kh = 1; kh < 5; ++kh) {
      EDGEC_UNROLL
      for (int kw = 0; kw < 5; ++kw)
        c[kw] = _mm512_fmadd_ps(wv[kh * 5 + kw], _mm512_loadu_ps(q + kh * W + kw), c[kw]);
    }
    const __mmask16 *m = masks + 4 * p;
    const __m512 c1 = _mm512_maskz_mov_ps(m[1], c[1]), c0 = _mm512_maskz_mov_ps(m[0], c[0]);
    const __m512 near = _mm512_mask_add_ps(c1, m[2], c1, c[3]);
    const __m512 far = _mm512_mask_add_ps(c0, m[3], c0, c[4]);
    const __m512 v = clamp(_mm512_add_ps(c[2], _mm512_add_ps(near, far)));
    if (f < fullEnd)
      _mm512_storeu_ps(y + f, v);
    else
      _mm512_mask_storeu_ps(y + f, tail, v);
    if (++p == period) p = 0;
  }
}

// depthwise5x5Same's masks: per vector, the lanes whose column plus -2, -1, +1, +2 is
// inside the row.
constexpr int64_t kSame5MasksPerVector = 4;

void fillSame5Masks(int64_t W, int64_t period, SameMask *masks) {
  static constexpr int64_t kOffsets[4] = {-2, -1, 1, 2};
  for (int64_t v = 0; v < period; ++v)
    for (int64_t j = 0; j < 4; ++j) {
      unsigned bits = 0;
      for (int64_t i = 0; i < 16; ++i) {
        const int64_t col = (16 * v + i) % W + kOffsets[j];
        bits |= (col >= 0 && col < W ? 1u : 0u) << i;
      }
      masks[4 * v + j] = static_cast<__mmask16>(bits);
    }
}

// ---------------------------------------------------------------------------------------
// Winograd F(4x4, 3x3) rows (see conv_winograd.inc), 16 tiles per vector.

// v[k][tw] = (B^T across the 6 columns of tile tw)[k], for the tiles tw < TW of one
// transformed row t (t[4 tw + q] is column q of tile tw). The stride-4 columns come out
// of 64 consecutive floats by two rounds of even/odd lane selection (columns 0-3 of 16
// tiles), columns 4 and 5 are columns 0 and 1 one tile on. Reads t up to
// 4 roundUp(TW, 16) + 1 (kWinoRowSlack past the row).
void winogradInputRow(const float *t, int64_t TW, float *const v[6]) {
  const __m512i even = evenLanes(), odd = oddLanes();
  for (int64_t tw = 0; tw < TW; tw += 16) {
    const float *s = t + 4 * tw;
    const __m512 z0 = _mm512_loadu_ps(s), z1 = _mm512_loadu_ps(s + 16);
    const __m512 z2 = _mm512_loadu_ps(s + 32), z3 = _mm512_loadu_ps(s + 48);
    const __m512 e01 = _mm512_permutex2var_ps(z0, even, z1), o01 = _mm512_permutex2var_ps(z0, odd, z1);
    const __m512 e23 = _mm512_permutex2var_ps(z2, even, z3), o23 = _mm512_permutex2var_ps(z2, odd, z3);
    __m512 a[6], out[6];
    a[0] = _mm512_permutex2var_ps(e01, even, e23);
    a[1] = _mm512_permutex2var_ps(o01, even, o23);
    a[2] = _mm512_permutex2var_ps(e01, odd, e23);
    a[3] = _mm512_permutex2var_ps(o01, odd, o23);
    a[4] = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(_mm512_set1_ps(s[64])),
                                                   _mm512_castps_si512(a[0]), 1));
    a[5] = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(_mm512_set1_ps(s[65])),
                                                   _mm512_castps_si512(a[1]), 1));
    winoBt(a, out);
    const __mmask16 m = firstLanes(TW - tw);
    for (int k = 0; k < 6; ++k) _mm512_mask_storeu_ps(v[k] + tw, m, out[k]);
  }
}

// yr[4 tw + j] = clamp(o[j][tw] + bias) for 4 tw + j < OW: one output row from the four
// column phases of its tiles, interleaved back by two rounds of lane interleaving.
void winogradOutputRow(const float *const o[4], int64_t TW, float bias, const Clamp &clamp, float *yr,
                       int64_t OW) {
  const __m512i lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i hi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const __m512 b = _mm512_set1_ps(bias);
  for (int64_t tw = 0; tw < TW; tw += 16) {
    const __mmask16 m = firstLanes(TW - tw);
    const __m512 p0 = _mm512_maskz_loadu_ps(m, o[0] + tw), p1 = _mm512_maskz_loadu_ps(m, o[1] + tw);
    const __m512 p2 = _mm512_maskz_loadu_ps(m, o[2] + tw), p3 = _mm512_maskz_loadu_ps(m, o[3] + tw);
    const __m512 q02lo = _mm512_permutex2var_ps(p0, lo, p2), q02hi = _mm512_permutex2var_ps(p0, hi, p2);
    const __m512 q13lo = _mm512_permutex2var_ps(p1, lo, p3), q13hi = _mm512_permutex2var_ps(p1, hi, p3);
    const __m512 out[4] = {_mm512_permutex2var_ps(q02lo, lo, q13lo), _mm512_permutex2var_ps(q02lo, hi, q13lo),
                           _mm512_permutex2var_ps(q02hi, lo, q13hi), _mm512_permutex2var_ps(q02hi, hi, q13hi)};
    for (int k = 0; k < 4; ++k) {
      const int64_t at = 4 * tw + 16 * k;
      _mm512_mask_storeu_ps(yr + at, firstLanes(OW - at), clamp(_mm512_add_ps(out[k], b)));
    }
  }
}

#include "conv_driver.inc"
#include "conv_transpose_driver.inc"

}  // namespace

// Called only once the registry has chosen this kernel, i.e. on a CPU with AVX-512.
Kernel *newX86Avx512Conv() { return new X86Conv(); }
x86::ConvParts *newX86Avx512ConvParts() { return new X86Conv(); }
Kernel *newX86Avx512ConvTranspose() { return new X86ConvTranspose(); }

}  // namespace edgec::rt

#undef EDGEC_UNROLL
