// x86 (AVX2) integer ScaledDotProductAttention (integer = 1): x86/attention_q8_driver.inc
// over 8 lanes, the codes widened to int16 and the dot steps by vpmaddwd + vpaddd (two
// products a lane, exact). The same bits as ref and as the AVX-512 kernel. Compiled with
// the x86-avx2 flags and without FP contraction; everything but the factory stays in an
// anonymous namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <limits>

#include "kernel.h"
#include "ref/attention.h"
#include "register_kernels.h"

namespace edgec::rt {
namespace {

#include "x86/vec_i32f32_avx2.inc"

struct V : VecI32F32 {
  using Elem = int16_t;
  static constexpr int64_t kGroup = 2;
  static I dot(I acc, I a, I b) { return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b)); }
  static I bcast32(const Elem *p) {
    int32_t x;
    std::memcpy(&x, p, 4);
    return _mm256_set1_epi32(x);
  }
  static I loadI(const void *p) { return _mm256_loadu_si256(static_cast<const __m256i *>(p)); }
  static void storeI(void *p, I v) { _mm256_storeu_si256(static_cast<__m256i *>(p), v); }
  static I maxI(I a, I b) { return _mm256_max_epi32(a, b); }
  static I minI(I a, I b) { return _mm256_min_epi32(a, b); }
  static int32_t hmaxI(I v) {
    __m128i x = _mm_max_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    x = _mm_max_epi32(x, _mm_shuffle_epi32(x, 0x4e));
    x = _mm_max_epi32(x, _mm_shuffle_epi32(x, 0xb1));
    return _mm_cvtsi128_si32(x);
  }
  static float hmaxF(F v) {  // lanes are never NaN here (maxF keeps the running maximum)
    __m128 x = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_max_ps(x, _mm_movehl_ps(x, x));
    return _mm_cvtss_f32(_mm_max_ss(x, _mm_movehdup_ps(x)));
  }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F roundF(F v) { return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static F scale2n(F p, F n) {
    return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p), _mm256_slli_epi32(_mm256_cvtps_epi32(n), 23)));
  }
  static void interleave(const char *src, int64_t stride, bool flip, Elem *dst) {
    const __m128i x = _mm_set1_epi8(flip ? char(0x80) : 0);
    auto row = [&](int64_t u) {
      return _mm_cvtepi8_epi16(_mm_xor_si128(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(src + u * stride)), x));
    };
    const __m128i r0 = row(0), r1 = row(1);
    __m128i *o = reinterpret_cast<__m128i *>(dst);
    _mm_storeu_si128(o, _mm_unpacklo_epi16(r0, r1));
    _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(r0, r1));
  }
  static int64_t unsignedCodes(const char *src, int64_t n, bool flip, Elem *dst) {
    const __m128i x = _mm_set1_epi8(flip ? char(0x80) : 0);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
      _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i),
                       _mm_cvtepu8_epi16(_mm_xor_si128(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(src + i)), x)));
    return i;
  }
  static bool allNegInf(F x) {
    return _mm256_movemask_ps(_mm256_cmp_ps(x, _mm256_set1_ps(-std::numeric_limits<float>::infinity()), _CMP_EQ_OQ)) == 0xff;
  }
  static void storeElems(Elem *p, I e) {
    const __m256i w = _mm256_permute4x64_epi64(_mm256_packs_epi32(e, e), 0x08);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(p), _mm256_castsi256_si128(w));
  }
  static void storeElems4(Elem *p, I e0, I e1, I e2, I e3) {
    storeElems(p, e0);
    storeElems(p + kLanes, e1);
    storeElems(p + 2 * kLanes, e2);
    storeElems(p + 3 * kLanes, e3);
  }
  static void storeOut(float *p, int64_t n, F x) {
    if (n == kLanes) {
      _mm256_storeu_ps(p, x);
      return;
    }
    alignas(32) float tmp[8];
    _mm256_store_ps(tmp, x);
    std::memcpy(p, tmp, size_t(n) * sizeof(float));
  }
  // n codes from x = y / scale as ref: round half to even, + zero, saturated; NaN: zero.
  static void storeCodes(char *dst, int64_t n, F x, const ref::SdpaQuant &o) {
    const __m256 ordered = _mm256_cmp_ps(x, x, _CMP_ORD_Q);
    F r = _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r = _mm256_min_ps(_mm256_max_ps(r, _mm256_set1_ps(float(o.qmin - o.zero))), _mm256_set1_ps(float(o.qmax - o.zero)));
    r = _mm256_and_ps(r, ordered);
    const __m256i c = _mm256_add_epi32(_mm256_cvtps_epi32(r), _mm256_set1_epi32(o.zero));
    alignas(32) int32_t tmp[8];
    _mm256_store_si256(reinterpret_cast<__m256i *>(tmp), c);
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<char>(tmp[i]);  // in range: the low byte
  }
};

#include "x86/attention_q8_driver.inc"

}  // namespace

Kernel *newX86Avx2AttentionQ8() { return new AttentionQ8(); }

}  // namespace edgec::rt
