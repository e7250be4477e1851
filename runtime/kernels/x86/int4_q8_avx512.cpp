// x86 AVX-512 VNNI BlockQuantizedMatMul: the kernel of x86/int4_q8_driver.inc with the run
// dot as vpdpbusd (u8 x s8, four products of each column summed straight into
// int32: no int16 stage) on 512-bit vectors: tiles of 16 columns. Bit-exact with ref like
// the AVX2 kernel (the same steps per column, only more columns at once).
//
// Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni -mfma: everything stays in
// an anonymous namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "ref/block_q8.h"
#include "register_kernels.h"
#include "x86/block_q8_avx2.h"

namespace edgec::rt {
namespace {

// 16 columns per 512-bit vector.
struct V {
  using I = __m512i;
  using F = __m512;
  static constexpr int64_t kTile = 16;
  static I loadI(const void *p) { return _mm512_loadu_si512(p); }
  static void storeI(void *p, I v) { _mm512_storeu_si512(p, v); }
  static F loadF(const float *p) { return _mm512_loadu_ps(p); }
  static void storeF(float *p, F v) { _mm512_storeu_ps(p, v); }
  static I zeroI() { return _mm512_setzero_si512(); }
  static F zeroF() { return _mm512_setzero_ps(); }
  static I set1_8(char v) { return _mm512_set1_epi8(v); }
  static I set1_32(int32_t v) { return _mm512_set1_epi32(v); }
  static F set1F(float v) { return _mm512_set1_ps(v); }
  static I andI(I a, I b) { return _mm512_and_si512(a, b); }
  static I srli16_4(I a) { return _mm512_srli_epi16(a, 4); }
  static I sub32(I a, I b) { return _mm512_sub_epi32(a, b); }
  static I mullo32(I a, I b) { return _mm512_mullo_epi32(a, b); }
  static F cvt(I a) { return _mm512_cvtepi32_ps(a); }
  static F mulF(F a, F b) { return _mm512_mul_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  // vpdpbusd with four independent accumulators: its latency would otherwise chain all eight.
  static I runDot(I acc, const I *w, const int32_t *x) {
    I a[4] = {acc, zeroI(), zeroI(), zeroI()};
    for (int i = 0; i < 8; ++i) a[i % 4] = _mm512_dpbusd_epi32(a[i % 4], w[i], _mm512_set1_epi32(x[i]));
    return _mm512_add_epi32(_mm512_add_epi32(a[0], a[1]), _mm512_add_epi32(a[2], a[3]));
  }
};

#include "x86/int4_q8_driver.inc"

} // namespace

Kernel *newX86Avx512Int4Q8MatMul() { return new Int4Q8MatMul(); }

} // namespace edgec::rt
