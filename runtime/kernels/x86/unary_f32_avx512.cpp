// x86 AVX-512 f32 unary kernels: x86/unary_f32_driver.inc on 16-lane vectors (the ops
// and algorithms: x86/unary_f32.h, x86/vec_math.inc). The same operations per lane as
// the AVX2 kernels, so the same bits; only AVX512F instructions
// (float bitwise operations through the integer ones, which need no AVX512DQ).
//
// Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma -ffp-contract=off;
// everything but the factory stays in an anonymous namespace (see docs/architecture.md on
// ISA files).
#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "kernel.h"
#include "x86/unary_f32.h"

namespace edgec::rt {
namespace {

struct V {
  using F = __m512;
  using I = __m512i;
  using M = __mmask16;
  static constexpr int64_t kLanes = 16;
  static F load(const float *p) { return _mm512_loadu_ps(p); }
  static void store(float *p, F v) { _mm512_storeu_ps(p, v); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F setzero() { return _mm512_setzero_ps(); }
  static I seti(int32_t v) { return _mm512_set1_epi32(v); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F div(F a, F b) { return _mm512_div_ps(a, b); }
  static F sqrt(F a) { return _mm512_sqrt_ps(a); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F fnma(F a, F b, F c) { return _mm512_fnmadd_ps(a, b, c); }
  static F min(F a, F b) { return _mm512_min_ps(a, b); }
  static F max(F a, F b) { return _mm512_max_ps(a, b); }
  static F round(F a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static F floor(F a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
  static F ceil(F a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC); }
  static F andF(F a, F b) { return castF(_mm512_and_si512(castI(a), castI(b))); }
  static F orF(F a, F b) { return castF(_mm512_or_si512(castI(a), castI(b))); }
  static F xorF(F a, F b) { return castF(_mm512_xor_si512(castI(a), castI(b))); }
  static F andnotF(F a, F b) { return castF(_mm512_andnot_si512(castI(a), castI(b))); }
  static M lt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static M le(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
  static M gt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static M eq(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static M isnan(F a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static F select(M m, F t, F f) { return _mm512_mask_blend_ps(m, f, t); }
  static I castI(F a) { return _mm512_castps_si512(a); }
  static F castF(I a) { return _mm512_castsi512_ps(a); }
  static I cvtI(F a) { return _mm512_cvtps_epi32(a); }
  static F cvtF(I a) { return _mm512_cvtepi32_ps(a); }
  static I addI(I a, I b) { return _mm512_add_epi32(a, b); }
  static I subI(I a, I b) { return _mm512_sub_epi32(a, b); }
  static I andI(I a, I b) { return _mm512_and_si512(a, b); }
  static I orI(I a, I b) { return _mm512_or_si512(a, b); }
  static I slli23(I a) { return _mm512_slli_epi32(a, 23); }
  static I srli23(I a) { return _mm512_srli_epi32(a, 23); }
  static I srai1(I a) { return _mm512_srai_epi32(a, 1); }
};

#include "x86/vec_math.inc"
#include "x86/unary_f32_driver.inc"

}  // namespace

Kernel *newX86Avx512UnaryF32(UnaryF32Op op) { return new UnaryF32Kernel(op); }

}  // namespace edgec::rt
