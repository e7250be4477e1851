// x86 AVX2 + FMA f32 unary kernels: x86/unary_f32_driver.inc on 8-lane vectors (the ops
// and algorithms: x86/unary_f32.h, x86/vec_math.inc).
//
// Compiled with -mavx2 -mfma -ffp-contract=off; everything but the factory stays in an
// anonymous namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "kernel.h"
#include "x86/unary_f32.h"

namespace edgec::rt {
namespace {

struct V {
  using F = __m256;
  using I = __m256i;
  using M = __m256;  // all-ones lanes
  static constexpr int64_t kLanes = 8;
  static F load(const float *p) { return _mm256_loadu_ps(p); }
  static void store(float *p, F v) { _mm256_storeu_ps(p, v); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F setzero() { return _mm256_setzero_ps(); }
  static I seti(int32_t v) { return _mm256_set1_epi32(v); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  static F sqrt(F a) { return _mm256_sqrt_ps(a); }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F fnma(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }
  static F min(F a, F b) { return _mm256_min_ps(a, b); }
  static F max(F a, F b) { return _mm256_max_ps(a, b); }
  static F round(F a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static F floor(F a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
  static F ceil(F a) { return _mm256_round_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC); }
  static F andF(F a, F b) { return _mm256_and_ps(a, b); }
  static F orF(F a, F b) { return _mm256_or_ps(a, b); }
  static F xorF(F a, F b) { return _mm256_xor_ps(a, b); }
  static F andnotF(F a, F b) { return _mm256_andnot_ps(a, b); }
  static M lt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static M le(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
  static M gt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static M eq(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static M isnan(F a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static F select(M m, F t, F f) { return _mm256_blendv_ps(f, t, m); }
  static I castI(F a) { return _mm256_castps_si256(a); }
  static F castF(I a) { return _mm256_castsi256_ps(a); }
  static I cvtI(F a) { return _mm256_cvtps_epi32(a); }
  static F cvtF(I a) { return _mm256_cvtepi32_ps(a); }
  static I addI(I a, I b) { return _mm256_add_epi32(a, b); }
  static I subI(I a, I b) { return _mm256_sub_epi32(a, b); }
  static I andI(I a, I b) { return _mm256_and_si256(a, b); }
  static I orI(I a, I b) { return _mm256_or_si256(a, b); }
  static I slli23(I a) { return _mm256_slli_epi32(a, 23); }
  static I srli23(I a) { return _mm256_srli_epi32(a, 23); }
  static I srai1(I a) { return _mm256_srai_epi32(a, 1); }
};

#include "x86/vec_math.inc"
#include "x86/unary_f32_driver.inc"

}  // namespace

Kernel *newX86Avx2UnaryF32(UnaryF32Op op) { return new UnaryF32Kernel(op); }

}  // namespace edgec::rt
