// x86 AVX-512 VNNI BlockQuantizedMatMul: the kernel of x86/int4_q8_driver.inc with the run
// dot as vpdpbusd (u8 x s8, four products of each column summed straight into
// int32: no int16 stage). 256-bit vectors (AVX512_VL), so everything else is the AVX2
// kernel's code; bit-exact with ref like it.
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

// Four independent accumulators: vpdpbusd's latency would otherwise chain all eight.
inline __m256i runDot(__m256i acc, const __m256i *w, const int32_t *x) {
  __m256i a[4] = {acc, _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
  for (int i = 0; i < 8; ++i) a[i % 4] = _mm256_dpbusd_epi32(a[i % 4], w[i], _mm256_set1_epi32(x[i]));
  return _mm256_add_epi32(_mm256_add_epi32(a[0], a[1]), _mm256_add_epi32(a[2], a[3]));
}

#include "x86/int4_q8_driver.inc"

} // namespace

Kernel *newX86Avx512Int4Q8MatMul() { return new Int4Q8MatMul(); }

} // namespace edgec::rt
