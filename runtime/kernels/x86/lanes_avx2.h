// The sum and the maximum of an 8-lane f32 vector, in one fixed order (so a kernel's
// result does not depend on where it is called): for the attention kernels'
// (x86/llm_avx2.cpp, llm_avx512.cpp) dot products and softmax.
//
// Include only from files compiled with -mavx2 (or AVX-512): the functions are in an
// anonymous namespace, so no AVX2 copy can be picked by the linker for baseline code.
#pragma once

#include <immintrin.h>

namespace edgec::rt {
namespace {

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

}  // namespace
}  // namespace edgec::rt
