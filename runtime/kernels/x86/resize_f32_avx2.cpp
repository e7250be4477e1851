// x86 (AVX2) f32 Resize rows (see x86_resize.h): per output row, its one or two source
// rows and weights; per block of 8 output columns, their one or two taps, read from an
// 8-float window of each source row with a permute (the common upsamples: x2 reads 4 or
// 5 adjacent inputs per 8 outputs) or else gathered. Nearest (one tap each, ref copies)
// moves the floats; otherwise each output is ref's planar sum in double, term by term
// ((wh·ww)·x, the taps of a source row added first, then the rows, then + 0.0; see
// x86_resize.cpp for why these are ref's bits), 4 lanes per double vector.
//
// Compiled with -mavx2 -mfma -ffp-contract=off (no multiply-add fusing: ref rounds each
// product); nothing here but resizeRowsF32Avx2 has external linkage (see
// docs/architecture.md on ISA files).
#include <immintrin.h>

#include <cstring>

#include "x86_resize.h"

namespace edgec::rt::x86 {
namespace {

// The block's 8 taps (columns idx) of source row `src`.
inline __m256 taps8(const float *src, int32_t base, __m256i idx) {
  if (base >= 0) return _mm256_permutevar8x32_ps(_mm256_loadu_ps(src + base), idx);
  return _mm256_i32gather_ps(src, idx, 4);
}

// sum over the row taps s < TH of (sum over column taps t < TW of (wh[s]·ww[t])·x[s][t]),
// + 0.0, for 4 lanes (half h of the block).
template <int TH, int TW>
inline __m128 blend4(const double *wh, const double *ww, const __m256 (&v)[2][2], int h) {
  __m256d sum = _mm256_setzero_pd();
  for (int s = 0; s < TH; ++s) {
    const __m256d whs = _mm256_set1_pd(wh[s]);
    __m256d inner = _mm256_setzero_pd();
    for (int t = 0; t < TW; ++t) {
      const __m128 q = h == 0 ? _mm256_castps256_ps128(v[s][t]) : _mm256_extractf128_ps(v[s][t], 1);
      const __m256d w = _mm256_mul_pd(whs, _mm256_loadu_pd(ww + t * 8 + h * 4));
      const __m256d term = _mm256_mul_pd(w, _mm256_cvtps_pd(q));
      inner = t == 0 ? term : _mm256_add_pd(inner, term);
    }
    sum = s == 0 ? inner : _mm256_add_pd(sum, inner);
  }
  return _mm256_cvtpd_ps(_mm256_add_pd(sum, _mm256_setzero_pd()));
}

template <int TH, int TW, bool Copy>
void rows(const ResizeRowsF32 &p, int64_t begin, int64_t end) {
  const int64_t fullBlocks = p.OW / 8;
  for (int64_t r = begin; r < end; ++r) {
    const int64_t plane = r / p.OH, oh = r % p.OH;
    const float *xp = p.x + plane * p.H * p.W;
    float *y = p.y + r * p.OW;
    const float *src[2] = {xp + p.rowOffset[oh * TH], xp + p.rowOffset[oh * TH + (TH - 1)]};
    const double *wh = p.rowWeight + oh * TH;
    for (int64_t b = 0; b < p.blocks; ++b) {
      const int32_t base = p.blockBase[b];
      const int32_t *idx = p.colIndex + b * TW * 8;
      __m256 v[2][2] = {};
      for (int t = 0; t < TW; ++t) {
        const __m256i it = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(idx + t * 8));
        for (int s = 0; s < TH; ++s) v[s][t] = taps8(src[s], base, it);
      }
      __m256 out;
      if constexpr (Copy) {
        out = v[0][0];
      } else {
        const double *ww = p.colWeight + b * TW * 8;
        out = _mm256_set_m128(blend4<TH, TW>(wh, ww, v, 1), blend4<TH, TW>(wh, ww, v, 0));
      }
      if (b < fullBlocks) {
        _mm256_storeu_ps(y + b * 8, out);
      } else {  // the last, partial block
        alignas(32) float tmp[8];
        _mm256_store_ps(tmp, out);
        std::memcpy(y + b * 8, tmp, size_t(p.OW - b * 8) * sizeof(float));
      }
    }
  }
}

}  // namespace

void resizeRowsF32Avx2(const ResizeRowsF32 &p, int64_t begin, int64_t end) {
  if (p.copy) return rows<1, 1, true>(p, begin, end);
  if (p.th == 2 && p.tw == 2) return rows<2, 2, false>(p, begin, end);
  if (p.th == 2) return rows<2, 1, false>(p, begin, end);
  if (p.tw == 2) return rows<1, 2, false>(p, begin, end);
  rows<1, 1, false>(p, begin, end);
}

}  // namespace edgec::rt::x86
