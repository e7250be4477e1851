// x86 (AVX-512 VNNI) integer ScaledDotProductAttention (integer = 1):
// x86/attention_q8_driver.inc over 16 lanes, the dot steps by vpdpbusd (four u8 x s8
// products a lane). The same bits as ref and as the AVX2 kernel. Compiled with the
// x86-avx512 flags plus VNNI and without FP contraction; everything but the factory stays
// in an anonymous namespace (see docs/architecture.md on ISA files).
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

#include "x86/vec_i32f32_avx512.inc"

struct V : VecI32F32 {
  using Elem = int8_t;
  static constexpr int64_t kGroup = 4;
  static I dot(I acc, I a, I b) { return _mm512_dpbusd_epi32(acc, a, b); }
  static I bcast32(const Elem *p) {
    int32_t x;
    std::memcpy(&x, p, 4);
    return _mm512_set1_epi32(x);
  }
  static I loadI(const void *p) { return _mm512_loadu_si512(p); }
  static void storeI(void *p, I v) { _mm512_storeu_si512(p, v); }
  static I maxI(I a, I b) { return _mm512_max_epi32(a, b); }
  static I minI(I a, I b) { return _mm512_min_epi32(a, b); }
  static int32_t hmaxI(I v) { return _mm512_reduce_max_epi32(v); }
  static float hmaxF(F v) { return _mm512_reduce_max_ps(v); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F roundF(F v) { return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // p * 2^n by vscalefps (one instruction for the exponent trick's three): the same value,
  // as p * 2^n is a normal float here (n in [kSdpaExpFloor = -9, 0], p about 255 * 2^f with
  // f in [-0.5, 0.5]).
  static F scale2n(F p, F n) { return _mm512_scalef_ps(p, n); }
  static void interleave(const char *src, int64_t stride, bool flip, Elem *dst) {
    const __m128i x = _mm_set1_epi8(flip ? char(0x80) : 0);
    auto row = [&](int64_t u) { return _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i *>(src + u * stride)), x); };
    const __m128i r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3);
    const __m128i a = _mm_unpacklo_epi8(r0, r1), b = _mm_unpackhi_epi8(r0, r1);
    const __m128i c = _mm_unpacklo_epi8(r2, r3), d = _mm_unpackhi_epi8(r2, r3);
    __m128i *o = reinterpret_cast<__m128i *>(dst);
    _mm_storeu_si128(o, _mm_unpacklo_epi16(a, c));
    _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(a, c));
    _mm_storeu_si128(o + 2, _mm_unpacklo_epi16(b, d));
    _mm_storeu_si128(o + 3, _mm_unpackhi_epi16(b, d));
  }
  static int64_t unsignedCodes(const char *src, int64_t n, bool flip, Elem *dst) {
    const __m128i x = _mm_set1_epi8(flip ? char(0x80) : 0);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
      _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i),
                       _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i *>(src + i)), x));
    return i;
  }
  static bool allNegInf(F x) {
    return _mm512_cmp_ps_mask(x, _mm512_set1_ps(-std::numeric_limits<float>::infinity()), _CMP_EQ_OQ) == 0xffff;
  }
  static void storeElems(Elem *p, I e) { _mm_storeu_si128(reinterpret_cast<__m128i *>(p), _mm512_cvtepi32_epi8(e)); }
  // 64 codes (0..255) by two saturating packs to int16, one to u8 (exact in range) and one
  // permute back from the packs' 128-bit lane order: four shuffles against eight for four
  // vpmovdb.
  static void storeElems4(Elem *p, I e0, I e1, I e2, I e3) {
    const __m512i b = _mm512_packus_epi16(_mm512_packs_epi32(e0, e1), _mm512_packs_epi32(e2, e3));
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    _mm512_storeu_si512(p, _mm512_permutexvar_epi32(order, b));
  }
  static __mmask16 mask(int64_t n) { return static_cast<__mmask16>((1u << n) - 1); }  // n <= 16
  static void storeOut(float *p, int64_t n, F x) { _mm512_mask_storeu_ps(p, mask(n), x); }
  // n codes from x = y / scale as ref: round half to even, + zero, saturated; NaN: zero.
  static void storeCodes(char *dst, int64_t n, F x, const ref::SdpaQuant &o) {
    const __mmask16 ordered = _mm512_cmp_ps_mask(x, x, _CMP_ORD_Q);
    F r = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r = _mm512_min_ps(_mm512_max_ps(r, _mm512_set1_ps(float(o.qmin - o.zero))), _mm512_set1_ps(float(o.qmax - o.zero)));
    r = _mm512_maskz_mov_ps(ordered, r);
    const __m128i c = _mm512_cvtepi32_epi8(_mm512_add_epi32(_mm512_cvtps_epi32(r), _mm512_set1_epi32(o.zero)));
    _mm_mask_storeu_epi8(dst, mask(n), c);
  }
};

#include "x86/attention_q8_driver.inc"

}  // namespace

Kernel *newX86Avx512AttentionQ8() { return new AttentionQ8(); }

}  // namespace edgec::rt
