// x86 (AVX2 + FMA) f32 elementwise kernels for what an LLM's prefill spends time on
// outside the matmuls: Sigmoid (SiLU = x · Sigmoid(x)) and Exp (the registry's accepts
// function sends broadcasts to ref). The binary ops, SiLU's Mul included, are in
// x86/binary_f32_avx2.cpp.
//
// * Exp: x clamped to [-110, 90] (beyond, e^x is 0 or inf in f32 anyway; NaN kept),
//   n = round(x / ln2), r = x − n·ln2 with ln2 split in a part exact in 9 bits and the
//   rest (n·ln2_hi is exact, |r| ≤ ln2/2), e^r by its Taylor polynomial to degree 7
//   (truncation below 7e-9 relative), times 2^n applied as 2^(n/2) · 2^(n − n/2): both
//   factors are normal f32 for every n in range, so a result in the subnormal range is
//   rounded once, by the last product, and one past FLT_MAX becomes inf.
// * Sigmoid: with e = e^(−|x|) in (0, 1] (never overflows), 1 / (1 + e) for x ≥ 0 and
//   e / (1 + e) for x < 0 (ref's split; one division, its numerator blended by x's sign).
// Measured error bounds (test/runtime/x86_unary_test.cpp) are in runtime/kernels/README.md.
//
// Every element is computed by the same 8-lane code (a tail goes through an 8-float
// buffer), so results do not depend on how parallelFor splits the range: the same bits
// for any thread count. Compiled with -mavx2 -mfma; everything but the factories stays in
// an anonymous namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernel.h"
#include "register_kernels.h"
#include "x86/exp_avx2.h"

namespace edgec::rt {
namespace {

inline __m256 expAvx2(__m256 x) {
  const __m256 xc = _mm256_min_ps(_mm256_set1_ps(90.f), _mm256_max_ps(_mm256_set1_ps(-110.f), x));  // NaN kept: min/max return their second operand
  __m256 n;
  const __m256 p = expReducedAvx2(xc, n);  // x86/exp_avx2.h
  // n in [-159, 130]: n1 = floor(n / 2) and n2 = n - n1 in [-80, 65], 2^n1 and 2^n2
  // normal. (A NaN lane gives garbage exponent bits, but p is NaN there.)
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

inline __m256 sigmoidAvx2(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.f);
  const __m256 e = expAvx2(_mm256_or_ps(x, sign));  // e^(-|x|)
  const __m256 one = _mm256_set1_ps(1.f);
  const __m256 num = _mm256_blendv_ps(one, e, x);  // x's sign bit (-0 too: 1/2 either way)
  return _mm256_div_ps(num, _mm256_add_ps(one, e));
}

// y[i] = f(x[i]) for i in [b, e): 8 lanes at a time, then the tail
// through a buffer with the same code.
template <typename F> void mapUnary(const float *x, float *y, int64_t b, int64_t e, F f) {
  int64_t i = b;
  for (; i + 8 <= e; i += 8) _mm256_storeu_ps(y + i, f(_mm256_loadu_ps(x + i)));
  if (i < e) {
    float buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::memcpy(buf, x + i, size_t(e - i) * sizeof(float));
    _mm256_storeu_ps(buf, f(_mm256_loadu_ps(buf)));
    std::memcpy(y + i, buf, size_t(e - i) * sizeof(float));
  }
}

// Spelled out rather than vector's operator==: an ISA file must not emit weak copies of
// templates that baseline code also instantiates (test/lit/Runtime/isa-isolation.test).
bool sameShape(const TensorView &a, const TensorView &b) {
  if (a.shape.size() != b.shape.size()) return false;
  for (size_t i = 0; i < a.shape.size(); ++i)
    if (a.shape[i] != b.shape[i]) return false;
  return true;
}

enum class Op { Sigmoid, Exp };

// The registry's accepts function (acceptsSameShapeF32 in registry.cpp) has checked the
// dtypes and shapes; prepare checks them again so that a direct call fails clearly.
class ElementwiseF32Avx2 final : public Kernel {
public:
  explicit ElementwiseF32Avx2(Op op) : op_(op) {}

  void prepare(const KernelSignature &sig) override {
    if (sig.inputs.size() != 1 || sig.outputs.size() != 1 || !sig.outputs[0])
      kernelFail(sig, "expects one input and one output");
    const TensorView &y = *sig.outputs[0];
    for (const TensorView *v : sig.inputs)
      if (!v || v->dtype != DType::f32 || y.dtype != DType::f32 || !sameShape(*v, y))
        kernelFail(sig, "the x86-avx2 kernel takes f32 inputs of the output's shape only");
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int64_t n = out[0]->numel();
    const float *a = in[0]->as<float>();
    float *y = out[0]->as<float>();
    // Sigmoid/Exp cost a few ns per element.
    ctx.parallelFor(n, 8192, [&](int64_t lo, int64_t hi, int) {
      switch (op_) {
      case Op::Sigmoid: return mapUnary(a, y, lo, hi, sigmoidAvx2);
      case Op::Exp: return mapUnary(a, y, lo, hi, expAvx2);
      }
    });
  }

private:
  Op op_;
};

}  // namespace

Kernel *newX86Avx2Sigmoid() { return new ElementwiseF32Avx2(Op::Sigmoid); }
Kernel *newX86Avx2Exp() { return new ElementwiseF32Avx2(Op::Exp); }

}  // namespace edgec::rt
