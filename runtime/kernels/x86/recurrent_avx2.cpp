// The steps of the x86 f32 RNN, GRU and LSTM (x86_recurrent.h) on AVX2 + FMA: per step,
// the recurrent product R·h_(t-1) as a mat-vec over R transposed (eight 8-float
// accumulators per block of output columns, h_(t-1)[k] broadcast), then the gates on
// x86/vec_math.inc's sigmoidV and tanhV (the unary kernels' vector math: errors in
// runtime/kernels/README.md), 8 hidden units at a time over gate blocks padded to 8.
//
// Compiled with -mavx2 -mfma -ffp-contract=off (as the unary kernels, so that the vector
// math is the one measured); everything but recurrentStepsAvx2 stays in an anonymous
// namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "x86_recurrent.h"

namespace edgec::rt::x86 {
namespace {

#include "x86/vec_avx2.inc"

#include "x86/vec_math.inc"

// out[g] = Σ_k rT[k·ld + g] · v[k] for g < n (n a multiple of 8), k in order.
template <int kVecs>
void matVecBlock(const float *rT, int64_t ld, int64_t K, const float *v, float *out) {
  __m256 acc[kVecs];
  for (int i = 0; i < kVecs; ++i) acc[i] = _mm256_setzero_ps();
  for (int64_t k = 0; k < K; ++k) {
    const __m256 vk = _mm256_set1_ps(v[k]);
    const float *row = rT + k * ld;
    for (int i = 0; i < kVecs; ++i) acc[i] = _mm256_fmadd_ps(_mm256_loadu_ps(row + 8 * i), vk, acc[i]);
  }
  for (int i = 0; i < kVecs; ++i) _mm256_storeu_ps(out + 8 * i, acc[i]);
}

void matVec(const float *rT, int64_t ld, int64_t n, int64_t K, const float *v, float *out) {
  int64_t g = 0;
  for (; g + 64 <= n; g += 64) matVecBlock<8>(rT + g, ld, K, v, out + g);
  for (; g + 32 <= n; g += 32) matVecBlock<4>(rT + g, ld, K, v, out + g);
  for (; g < n; g += 8) matVecBlock<1>(rT + g, ld, K, v, out + g);
}

}  // namespace

void recurrentStepsAvx2(const RecurrentPlanF32 &p, const RecurrentStepsF32 &s, int64_t d, int64_t b, int64_t len,
                        float *scratch) {
  const int64_t H = p.hidden, Hp = p.hiddenPadded, ld = p.gates * Hp;
  float *prod = scratch, *h = prod + ld, *c = h + Hp, *rh = c + Hp;
  const int64_t state = (p.layout ? b * p.dirs + d : d * p.batch + b) * H;
  for (int64_t j = 0; j < Hp; ++j) {
    h[j] = s.h0 && j < H ? s.h0[state + j] : 0.0f;
    c[j] = s.c0 && j < H ? s.c0[state + j] : 0.0f;
  }
  const __m256 one = _mm256_set1_ps(1.0f);
  const bool backwards = p.reverse || d == 1;
  for (int64_t step = 0; step < len; ++step) {
    const int64_t t = backwards ? len - 1 - step : step;
    const float *x = s.proj + (p.layout ? b * p.seq + t : t * p.batch + b) * ld;
    switch (p.cell) {
    case 0:  // RNN: h = tanh(x·Wᵀ + Wb + Rb + R·h)
      matVec(s.rT, ld, Hp, H, h, prod);
      for (int64_t j = 0; j < Hp; j += 8)
        _mm256_storeu_ps(h + j, tanhV(_mm256_add_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(prod + j))));
      break;
    case 1: {  // GRU: gates z, r, h
      matVec(s.rT, ld, p.linearBeforeReset ? 3 * Hp : 2 * Hp, H, h, prod);
      float *reset = rh;  // r, then r ⊙ h in place (not linear_before_reset)
      for (int64_t j = 0; j < Hp; j += 8)
        _mm256_storeu_ps(reset + j, sigmoidV(_mm256_add_ps(_mm256_loadu_ps(x + Hp + j), _mm256_loadu_ps(prod + Hp + j))));
      if (!p.linearBeforeReset) {
        for (int64_t j = 0; j < Hp; j += 8)
          _mm256_storeu_ps(rh + j, _mm256_mul_ps(_mm256_loadu_ps(reset + j), _mm256_loadu_ps(h + j)));
        matVec(s.rT + 2 * Hp, ld, Hp, H, rh, prod + 2 * Hp);
      }
      for (int64_t j = 0; j < Hp; j += 8) {
        const __m256 z = sigmoidV(_mm256_add_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(prod + j)));
        __m256 cand;
        if (p.linearBeforeReset) {
          const __m256 rec = _mm256_add_ps(_mm256_loadu_ps(prod + 2 * Hp + j),
                                           s.rbCand ? _mm256_loadu_ps(s.rbCand + j) : _mm256_setzero_ps());
          cand = tanhV(_mm256_add_ps(_mm256_loadu_ps(x + 2 * Hp + j), _mm256_mul_ps(_mm256_loadu_ps(reset + j), rec)));
        } else {
          cand = tanhV(_mm256_add_ps(_mm256_loadu_ps(x + 2 * Hp + j), _mm256_loadu_ps(prod + 2 * Hp + j)));
        }
        const __m256 hv = _mm256_loadu_ps(h + j);
        _mm256_storeu_ps(h + j, _mm256_add_ps(_mm256_mul_ps(_mm256_sub_ps(one, z), cand), _mm256_mul_ps(z, hv)));
      }
      break;
    }
    default: {  // LSTM: gates i, o, f, c; peepholes i, o, f
      matVec(s.rT, ld, 4 * Hp, H, h, prod);
      for (int64_t j = 0; j < Hp; j += 8) {
        auto gate = [&](int g) { return _mm256_add_ps(_mm256_loadu_ps(x + g * Hp + j), _mm256_loadu_ps(prod + g * Hp + j)); };
        const __m256 cv = _mm256_loadu_ps(c + j);
        __m256 ipre = gate(0), fpre = gate(2);
        if (s.peep) {
          ipre = _mm256_add_ps(ipre, _mm256_mul_ps(_mm256_loadu_ps(s.peep + j), cv));
          fpre = _mm256_add_ps(fpre, _mm256_mul_ps(_mm256_loadu_ps(s.peep + 2 * Hp + j), cv));
        }
        const __m256 ig = sigmoidV(ipre);
        const __m256 fg = p.inputForget ? _mm256_sub_ps(one, ig) : sigmoidV(fpre);
        const __m256 cn = _mm256_add_ps(_mm256_mul_ps(fg, cv), _mm256_mul_ps(ig, tanhV(gate(3))));
        __m256 opre = gate(1);
        if (s.peep) opre = _mm256_add_ps(opre, _mm256_mul_ps(_mm256_loadu_ps(s.peep + Hp + j), cn));
        _mm256_storeu_ps(c + j, cn);
        _mm256_storeu_ps(h + j, _mm256_mul_ps(sigmoidV(opre), tanhV(cn)));
      }
      break;
    }
    }
    std::memcpy(s.y + (p.layout ? (b * p.seq + t) * p.dirs + d : (t * p.dirs + d) * p.batch + b) * H, h,
                size_t(H) * sizeof(float));
  }
  for (int64_t t = len; t < p.seq; ++t)
    std::memset(s.y + (p.layout ? (b * p.seq + t) * p.dirs + d : (t * p.dirs + d) * p.batch + b) * H, 0,
                size_t(H) * sizeof(float));
  if (s.yh) std::memcpy(s.yh + state, h, size_t(H) * sizeof(float));
  if (s.yc) std::memcpy(s.yc + state, c, size_t(H) * sizeof(float));
}

}  // namespace edgec::rt::x86
