// x86 (AVX2) f32 binary elementwise ops with numpy broadcasting: Add, Sub, Mul, Div, and
// the two-input Max and Min. What CNNs and transformers run outside the matmuls:
// residual Adds (same shape), bias Adds (a row [D] against [M, D]), squeeze-excitation
// Muls ([N, C, H, W] against [N, C, 1, 1]) and scalar operands.
//
// The call is planned in baseline code (x86_f32_plans.cpp: ref's strided loop, dims of
// size 1 dropped and adjacent contiguous dims merged), which leaves an innermost run in
// which each input is contiguous (step 1) or constant (step 0, broadcast in a register),
// and outer dims walked with their strides. A run is 8 lanes at a time, its tail through
// a masked load/store.
//
// Each element is one IEEE operation on the same two values as ref's (Max/Min with ref's
// NaN rule: a NaN operand wins, the first if both are; ±0 ties keep the first operand),
// so results are bit-identical to ref's and do not depend on how parallelFor splits the
// elements: the same bits for any thread count.
//
// Compiled with -mavx2 -mfma; everything but the factories stays in an anonymous
// namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>

#include "kernel.h"
#include "register_kernels.h"
#include "x86_f32_plans.h"

namespace edgec::rt {
namespace {

using x86::BinaryPlanF32;

enum class Op { Add, Sub, Mul, Div, Max, Min };

struct AddOp {
  static __m256 f(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
};
struct SubOp {
  static __m256 f(__m256 a, __m256 b) { return _mm256_sub_ps(a, b); }
};
struct MulOp {
  static __m256 f(__m256 a, __m256 b) { return _mm256_mul_ps(a, b); }
};
struct DivOp {
  static __m256 f(__m256 a, __m256 b) { return _mm256_div_ps(a, b); }
};
// ref (ref/arith.cpp): isNan(a) ? a : (isNan(b) || b > a) ? b : a. vmaxps(b, a) is
// b > a ? b : a, and a when either is NaN; then a NaN b, then a NaN a, wins.
struct MaxOp {
  static __m256 f(__m256 a, __m256 b) {
    const __m256 m = _mm256_blendv_ps(_mm256_max_ps(b, a), b, _mm256_cmp_ps(b, b, _CMP_UNORD_Q));
    return _mm256_blendv_ps(m, a, _mm256_cmp_ps(a, a, _CMP_UNORD_Q));
  }
};
struct MinOp {
  static __m256 f(__m256 a, __m256 b) {
    const __m256 m = _mm256_blendv_ps(_mm256_min_ps(b, a), b, _mm256_cmp_ps(b, b, _CMP_UNORD_Q));
    return _mm256_blendv_ps(m, a, _mm256_cmp_ps(a, a, _CMP_UNORD_Q));
  }
};

// Lanes [0, n) of a mask, n in [0, 8].
inline __m256i tailMask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// y[i] = f(a[i·sa], b[i·sb]) for i in [0, n), steps 0 or 1: the three step patterns get
// their own loops (a constant operand loaded once).
template <class F> void runInner(const float *a, int64_t sa, const float *b, int64_t sb, float *y, int64_t n) {
  int64_t i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, F::f(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
    if (i < n) {
      const __m256i m = tailMask(n - i);
      _mm256_maskstore_ps(y + i, m, F::f(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m)));
    }
  } else if (sa == 1) {
    const __m256 vb = _mm256_broadcast_ss(b);
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, F::f(_mm256_loadu_ps(a + i), vb));
    if (i < n) {
      const __m256i m = tailMask(n - i);
      _mm256_maskstore_ps(y + i, m, F::f(_mm256_maskload_ps(a + i, m), vb));
    }
  } else if (sb == 1) {
    const __m256 va = _mm256_broadcast_ss(a);
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, F::f(va, _mm256_loadu_ps(b + i)));
    if (i < n) {
      const __m256i m = tailMask(n - i);
      _mm256_maskstore_ps(y + i, m, F::f(va, _mm256_maskload_ps(b + i, m)));
    }
  } else {  // both constant along the run (not produced by the plan; kept for safety)
    const __m256 v = F::f(_mm256_broadcast_ss(a), _mm256_broadcast_ss(b));
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, v);
    if (i < n) _mm256_maskstore_ps(y + i, tailMask(n - i), v);
  }
}

// Output elements [lo, hi) of the plan: the first (maybe partial) run, whole runs, the
// last partial one. Outer dims are walked with an odometer.
template <class F>
void runRange(const BinaryPlanF32 &p, const float *a, const float *b, float *y, int64_t lo, int64_t hi) {
  if (p.rank == 0) {
    runInner<F>(a, 0, b, 0, y, hi - lo);
    return;
  }
  const int r = p.rank - 1;  // the inner dim
  const int64_t inner = p.shape[r];
  int64_t idx[BinaryPlanF32::kMaxRank] = {};
  int64_t outer = lo / inner, j = lo % inner;
  int64_t offA = 0, offB = 0;
  for (int d = r - 1; d >= 0; --d) {
    idx[d] = outer % p.shape[d];
    outer /= p.shape[d];
    offA += idx[d] * p.strideA[d];
    offB += idx[d] * p.strideB[d];
  }
  const int64_t sa = p.strideA[r], sb = p.strideB[r];
  int64_t pos = lo;
  while (pos < hi) {
    const int64_t n = std::min(inner - j, hi - pos);
    runInner<F>(a + offA + j * sa, sa, b + offB + j * sb, sb, y + pos, n);
    pos += n;
    j = 0;
    for (int d = r - 1; d >= 0; --d) {  // next outer index
      offA += p.strideA[d];
      offB += p.strideB[d];
      if (++idx[d] < p.shape[d]) break;
      offA -= p.strideA[d] * p.shape[d];
      offB -= p.strideB[d] * p.shape[d];
      idx[d] = 0;
    }
  }
}

class BinaryF32Avx2 final : public Kernel {
public:
  explicit BinaryF32Avx2(Op op) : op_(op) {}

  void prepare(const KernelSignature &sig) override {
    if (!x86::planBinaryF32(sig, &plan_))
      kernelFail(sig, "the x86-avx2 kernel takes two f32 inputs broadcasting to the f32 output only");
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *a = in[0]->as<float>(), *b = in[1]->as<float>();
    float *y = out[0]->as<float>();
    if (plan_.numel == 0) return;
    // Memory bound: a thread is worth waking for some 10^4 elements.
    ctx.parallelFor(plan_.numel, 32768, [&](int64_t lo, int64_t hi, int) {
      switch (op_) {
      case Op::Add: return runRange<AddOp>(plan_, a, b, y, lo, hi);
      case Op::Sub: return runRange<SubOp>(plan_, a, b, y, lo, hi);
      case Op::Mul: return runRange<MulOp>(plan_, a, b, y, lo, hi);
      case Op::Div: return runRange<DivOp>(plan_, a, b, y, lo, hi);
      case Op::Max: return runRange<MaxOp>(plan_, a, b, y, lo, hi);
      case Op::Min: return runRange<MinOp>(plan_, a, b, y, lo, hi);
      }
    });
  }

private:
  Op op_;
  BinaryPlanF32 plan_;
};

}  // namespace

Kernel *newX86Avx2AddF32() { return new BinaryF32Avx2(Op::Add); }
Kernel *newX86Avx2SubF32() { return new BinaryF32Avx2(Op::Sub); }
Kernel *newX86Avx2MulF32() { return new BinaryF32Avx2(Op::Mul); }
Kernel *newX86Avx2DivF32() { return new BinaryF32Avx2(Op::Div); }
Kernel *newX86Avx2MaxF32() { return new BinaryF32Avx2(Op::Max); }
Kernel *newX86Avx2MinF32() { return new BinaryF32Avx2(Op::Min); }

}  // namespace edgec::rt
