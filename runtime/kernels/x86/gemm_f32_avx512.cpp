// x86 AVX-512 fp32 Gemm and MatMul: x86/gemm_f32_driver.inc (blocking, packing, threads,
// epilogue) with 8 x 48 tiles: 24 zmm accumulators of the 32, per k three loads of B, eight
// broadcasts of A and 24 FMAs, which keeps both FMA ports of a Xeon busy; tails under
// k-masks. Compiled with the x86-avx512 flags; everything but the factories stays in an
// anonymous namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <cstdlib>
#include <limits>

#include "ref/plans.h"
#include "register_kernels.h"

namespace edgec::rt {
namespace {

struct V {
  using F = __m512;
  using M = __mmask16;
  static constexpr int64_t kLanes = 16;
  static M mask(int64_t n) { return static_cast<__mmask16>((1u << n) - 1); }  // 1 <= n <= 16
  static F zero() { return _mm512_setzero_ps(); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F load(const float *p) { return _mm512_loadu_ps(p); }
  static F loadN(const float *p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float *p, F v) { _mm512_storeu_ps(p, v); }
  static void storeN(float *p, M m, F v) { _mm512_mask_storeu_ps(p, m, v); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F min(F a, F b) { return _mm512_min_ps(a, b); }
  static F max(F a, F b) { return _mm512_max_ps(a, b); }
  static float hsum(F v) { return _mm512_reduce_add_ps(v); }
};

constexpr int kMR = 8;  // rows of C per tile
constexpr int kNV = 3;  // zmm vectors of columns per tile (48 columns)

#include "x86/gemm_f32_driver.inc"

}  // namespace

Kernel *newX86Avx512Gemm() { return new GemmF32(); }
Kernel *newX86Avx512MatMul() { return new MatMulF32(); }

}  // namespace edgec::rt
