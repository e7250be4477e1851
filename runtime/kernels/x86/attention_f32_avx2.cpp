// x86 (AVX2 + FMA) f32 ScaledDotProductAttention (the op edge-fuse-attention creates;
// ref/attention.cpp is the oracle). Work is split into jobs of one batch item (head) and
// a block of kRows query rows; a job's scores [kRows, T] live in the thread's scratch,
// never the whole [B..., S, T] tensor:
//   1. K'^T [D, T] of the head into scratch (the k scale step applied as ref does, the
//      columns padded with zeros to a multiple of 8), Q' rows likewise;
//   2. scores of 4 rows x 16 columns at a time, fmas over D in ref's order;
//   3. per row: the scale step and the mask (as ref), max, e^(x - max) (the Softmax
//      kernel's polynomial, x86/softmax_f32_driver.inc; 0 below e^-87, no subnormals),
//      the sum in f32 lanes, e * (1 / sum);
//   4. P @ V for 4 rows x 16 columns of Dv at a time, fmas over T in ref's order.
// The products are fused multiply-adds and the exp and the sum differ from ref, so results
// are within a tolerance of ref, not its bits (test/runtime/attention_test.cpp states
// it). A job is computed the same way whichever thread takes it: the same bits for any
// thread count. Compiled with the x86-avx2 flags; everything but the factory stays in an
// anonymous namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernel.h"
#include "ref/attention.h"
#include "register_kernels.h"

namespace edgec::rt {
namespace {

constexpr int64_t kRows = 32;  // query rows per job
constexpr int64_t kLanes = 8;

int64_t roundUp8(int64_t n) { return (n + kLanes - 1) / kLanes * kLanes; }

// Lanes < n set (n in [0, 8]).
__m256i laneMask(int64_t n) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), idx);
}

// e^x for x <= 0 (x - max), NaN kept: the Softmax kernel's operations
// (x86/softmax_f32_driver.inc's expNonPositive) over 8 lanes, except that x < -87 gives 0:
// e^x is subnormal there (below 1.2e-38, nothing next to the row's term e^0 = 1), and
// computing a subnormal or an underflow costs a microcode assist per lane on Intel cores
// (a causal mask's -inf half of the scores took the kernel from 107 to 350 us at GPT's
// [4, 128, 16]). For x >= -87 every intermediate and the result are normal.
__m256 expNonPositive(__m256 x) {
  const __m256 gone = _mm256_cmp_ps(x, _mm256_set1_ps(-87.f), _CMP_LT_OQ);  // false for NaN
  const __m256 xc = _mm256_min_ps(_mm256_set1_ps(0.f), _mm256_max_ps(_mm256_set1_ps(-87.f), x));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), xc);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440054690583e-4f), r);
  __m256 p = _mm256_set1_ps(1.f / 5040.f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 720.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 120.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 24.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 6.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return _mm256_andnot_ps(gone, _mm256_mul_ps(_mm256_mul_ps(p, s1), s2));
}

float hsum(__m256 v) {
  alignas(32) float l[8];
  _mm256_store_ps(l, v);
  float s = 0;
  for (float x : l) s += x;
  return s;
}

float hmax(__m256 v) {
  alignas(32) float l[8];
  _mm256_store_ps(l, v);
  float m = l[0];
  for (int i = 1; i < 8; ++i) m = std::max(m, l[i]);
  return m;
}

// x * c or x / c, as the ref Mul/Div compute it.
inline __m256 scaleStep(__m256 x, __m256 c, bool divide) { return divide ? _mm256_div_ps(x, c) : _mm256_mul_ps(x, c); }
inline float scaleStep(float x, float c, bool divide) { return divide ? x / c : x * c; }

// s[rows, Tp] = a[rows, D] @ kt[D, Tp] for `rows` <= 4 rows (R a compile-time 1..4).
template <int R>
void scoreRows(const float *a, int64_t D, const float *kt, int64_t Tp, float *s) {
  int64_t t = 0;
  for (; t + 2 * kLanes <= Tp; t += 2 * kLanes) {
    __m256 acc0[R], acc1[R];
    for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm256_setzero_ps();
    for (int64_t d = 0; d < D; ++d) {
      const __m256 k0 = _mm256_loadu_ps(kt + d * Tp + t), k1 = _mm256_loadu_ps(kt + d * Tp + t + kLanes);
      for (int r = 0; r < R; ++r) {
        const __m256 qv = _mm256_broadcast_ss(a + r * D + d);
        acc0[r] = _mm256_fmadd_ps(qv, k0, acc0[r]);
        acc1[r] = _mm256_fmadd_ps(qv, k1, acc1[r]);
      }
    }
    for (int r = 0; r < R; ++r) {
      _mm256_storeu_ps(s + r * Tp + t, acc0[r]);
      _mm256_storeu_ps(s + r * Tp + t + kLanes, acc1[r]);
    }
  }
  for (; t < Tp; t += kLanes) {
    __m256 acc[R];
    for (int r = 0; r < R; ++r) acc[r] = _mm256_setzero_ps();
    for (int64_t d = 0; d < D; ++d) {
      const __m256 k0 = _mm256_loadu_ps(kt + d * Tp + t);
      for (int r = 0; r < R; ++r) acc[r] = _mm256_fmadd_ps(_mm256_broadcast_ss(a + r * D + d), k0, acc[r]);
    }
    for (int r = 0; r < R; ++r) _mm256_storeu_ps(s + r * Tp + t, acc[r]);
  }
}

// y[rows, Dv] = p[rows, T] (row stride Tp) @ v[T, Dv] for R <= 4 rows.
template <int R>
void valueRows(const float *p, int64_t Tp, int64_t T, const float *v, int64_t Dv, float *y) {
  for (int64_t c = 0; c < Dv; c += 2 * kLanes) {
    const int64_t w0 = std::min<int64_t>(kLanes, Dv - c), w1 = std::max<int64_t>(0, std::min<int64_t>(kLanes, Dv - c - kLanes));
    const __m256i m0 = laneMask(w0), m1 = laneMask(w1);
    __m256 acc0[R], acc1[R];
    for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm256_setzero_ps();
    if (w1 > 0) {
      for (int64_t t = 0; t < T; ++t) {
        const __m256 v0 = _mm256_maskload_ps(v + t * Dv + c, m0), v1 = _mm256_maskload_ps(v + t * Dv + c + kLanes, m1);
        for (int r = 0; r < R; ++r) {
          const __m256 pv = _mm256_broadcast_ss(p + r * Tp + t);
          acc0[r] = _mm256_fmadd_ps(pv, v0, acc0[r]);
          acc1[r] = _mm256_fmadd_ps(pv, v1, acc1[r]);
        }
      }
    } else {
      for (int64_t t = 0; t < T; ++t) {
        const __m256 v0 = _mm256_maskload_ps(v + t * Dv + c, m0);
        for (int r = 0; r < R; ++r) acc0[r] = _mm256_fmadd_ps(_mm256_broadcast_ss(p + r * Tp + t), v0, acc0[r]);
      }
    }
    for (int r = 0; r < R; ++r) {
      _mm256_maskstore_ps(y + r * Dv + c, m0, acc0[r]);
      if (w1 > 0) _mm256_maskstore_ps(y + r * Dv + c + kLanes, m1, acc1[r]);
    }
  }
}

class AttentionF32 final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    ref::parseSdpaInto(sig, &p_);
    Tp_ = roundUp8(p_.T);
    blocks_ = (p_.S + kRows - 1) / kRows;
  }

  // K'^T [D, Tp], Q' [kRows, D], scores [kRows, Tp].
  size_t scratchBytes() const override {
    return size_t(p_.D * Tp_ + kRows * p_.D + kRows * Tp_) * sizeof(float) + 64;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *q = in[0]->as<float>(), *k = in[1]->as<float>(), *v = in[2]->as<float>();
    const float *mask = p_.hasMask ? in[3]->as<float>() : nullptr;
    float *y = out[0]->as<float>();
    ctx.parallelFor(p_.batch * blocks_, 1, [&](int64_t j0, int64_t j1, int thread) {
      float *scratch = static_cast<float *>(ctx.threadScratch(thread));
      int64_t preparedHead = -1;  // K'^T in scratch belongs to this batch item
      for (int64_t j = j0; j < j1; ++j) {
        const int64_t b = j / blocks_, i0 = j % blocks_ * kRows;
        if (b != preparedHead) {
          keyColumns(k + b * p_.T * p_.D, scratch);
          preparedHead = b;
        }
        block(b, i0, std::min(kRows, p_.S - i0), q, v, mask, y, scratch);
      }
    });
  }

private:
  // K'^T [D, Tp] of one batch item: the k scale step as ref, columns >= T zero.
  void keyColumns(const float *kb, float *kt) const {
    const int64_t T = p_.T, D = p_.D;
    const bool scaled = p_.kScaled();
    for (int64_t d = 0; d < D; ++d) {
      float *row = kt + d * Tp_;
      if (p_.keyTransposed) {
        std::memcpy(row, kb + d * T, size_t(T) * sizeof(float));
      } else {
        for (int64_t t = 0; t < T; ++t) row[t] = kb[t * D + d];
      }
      if (scaled)
        for (int64_t t = 0; t < T; ++t) row[t] = scaleStep(row[t], p_.kScale, p_.kDivide);
      for (int64_t t = T; t < Tp_; ++t) row[t] = 0.f;
    }
  }

  void block(int64_t b, int64_t i0, int64_t rows, const float *q, const float *v, const float *mask, float *y,
             float *scratch) const {
    const int64_t T = p_.T, D = p_.D, Dv = p_.Dv, Tp = Tp_;
    float *kt = scratch, *qs = kt + D * Tp, *s = qs + kRows * D;
    const float *qb = q + (b * p_.S + i0) * D;
    if (p_.qScaled()) {
      for (int64_t i = 0; i < rows * D; ++i) qs[i] = scaleStep(qb[i], p_.qScale, p_.qDivide);
      qb = qs;
    }
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) scoreRows<4>(qb + r * D, D, kt, Tp, s + r * Tp);
    for (; r < rows; ++r) scoreRows<1>(qb + r * D, D, kt, Tp, s + r * Tp);

    const int64_t full = T / kLanes * kLanes, tail = T - full;
    const __m256i tailMask = laneMask(tail);
    const __m256 ninf = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    const __m256 sc = _mm256_set1_ps(p_.scale);
    for (r = 0; r < rows; ++r) {
      float *row = s + r * Tp;
      if (p_.scoresScaled())
        for (int64_t t = 0; t < Tp; t += kLanes)
          _mm256_storeu_ps(row + t, scaleStep(_mm256_loadu_ps(row + t), sc, p_.scaleDivide));
      if (mask) {
        const float *mr = mask + p_.maskOffsets[size_t(b)] + (i0 + r) * p_.maskRowStride;
        if (p_.maskColStride == 1) {
          for (int64_t t = 0; t < full; t += kLanes)
            _mm256_storeu_ps(row + t, _mm256_add_ps(_mm256_loadu_ps(row + t), _mm256_loadu_ps(mr + t)));
          if (tail)
            _mm256_storeu_ps(row + full, _mm256_add_ps(_mm256_loadu_ps(row + full), _mm256_maskload_ps(mr + full, tailMask)));
        } else {
          for (int64_t t = 0; t < T; ++t) row[t] = row[t] + mr[t * p_.maskColStride];
        }
      }
      // Softmax over the T valid columns (the padding is set to 0 afterwards).
      __m256 m = ninf;
      for (int64_t t = 0; t < full; t += kLanes) m = _mm256_max_ps(_mm256_loadu_ps(row + t), m);
      if (tail) m = _mm256_max_ps(_mm256_blendv_ps(ninf, _mm256_loadu_ps(row + full), _mm256_castsi256_ps(tailMask)), m);
      const __m256 vm = _mm256_set1_ps(hmax(m));
      __m256 sum0 = _mm256_setzero_ps(), sum1 = _mm256_setzero_ps();
      int64_t t = 0;
      for (; t + 2 * kLanes <= full; t += 2 * kLanes) {
        const __m256 e0 = expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(row + t), vm));
        const __m256 e1 = expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(row + t + kLanes), vm));
        _mm256_storeu_ps(row + t, e0);
        _mm256_storeu_ps(row + t + kLanes, e1);
        sum0 = _mm256_add_ps(sum0, e0);
        sum1 = _mm256_add_ps(sum1, e1);
      }
      for (; t < full; t += kLanes) {
        const __m256 e = expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(row + t), vm));
        _mm256_storeu_ps(row + t, e);
        sum0 = _mm256_add_ps(sum0, e);
      }
      if (tail) {
        const __m256 e = _mm256_and_ps(_mm256_castsi256_ps(tailMask),
                                       expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(row + full), vm)));
        _mm256_storeu_ps(row + full, e);  // lanes >= tail: 0 (the padding)
        sum1 = _mm256_add_ps(sum1, e);
      }
      const __m256 inv = _mm256_set1_ps(1.f / hsum(_mm256_add_ps(sum0, sum1)));
      for (t = 0; t < Tp; t += kLanes) _mm256_storeu_ps(row + t, _mm256_mul_ps(_mm256_loadu_ps(row + t), inv));
    }

    const float *vb = v + b * T * Dv;
    float *yb = y + (b * p_.S + i0) * Dv;
    for (r = 0; r + 4 <= rows; r += 4) valueRows<4>(s + r * Tp, Tp, T, vb, Dv, yb + r * Dv);
    for (; r < rows; ++r) valueRows<1>(s + r * Tp, Tp, T, vb, Dv, yb + r * Dv);
  }

  ref::SdpaPlan p_;
  int64_t Tp_ = 0, blocks_ = 0;
};

}  // namespace

Kernel *newX86Avx2AttentionF32() { return new AttentionF32(); }

}  // namespace edgec::rt
