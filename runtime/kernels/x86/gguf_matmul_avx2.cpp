// x86 (AVX2 + FMA + F16C) GgufMatMul: GGUF weights as stored times activations in their
// vec_dot format; bit-exact with ref (ref/gguf_matmul.cpp states the arithmetic) for any
// thread count. The kernel is x86/gguf_matmul_driver.inc; this file gives it the AVX2 dot
// steps: vpmaddubsw (u8 x s8 pairs to int16) then vpmaddwd by ones to int32. The codes
// are at most 63 against activation codes of at most 128 in magnitude, so a pair stays
// below 2^15; q8_0's signed codes go through vpsignb (|w| x sign(w) q, at most 2 * 128 *
// 127 < 2^15).
//
// Compiled with -mavx2 -mfma -mf16c: everything stays in an anonymous namespace (see
// docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "ref/gguf_blocks.h"
#include "ref/gguf_matmul.h"
#include "register_kernels.h"
#include "thread_pool.h"

namespace edgec::rt {
namespace {

struct V {
  static constexpr int kFloatRows = 2;  // f32/f16/bf16 weight rows per pass: 2 x 4 accumulators of 16 registers
  static constexpr int32_t kS8Offset = 0;
  static __m256i dotU8S8(__m256i acc, __m256i u, __m256i s) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
  }
  static __m256i dotS8S8(__m256i acc, __m256i w, __m256i s) {
    return dotU8S8(acc, _mm256_abs_epi8(w), _mm256_sign_epi8(s, w));
  }
  static __m256i dotI16(__m256i acc, __m256i a, __m256i b) { return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b)); }
};

#include "x86/gguf_matmul_driver.inc"

} // namespace

Kernel *newX86Avx2GgufMatMul() { return new GgufMatMulX86(); }

} // namespace edgec::rt
