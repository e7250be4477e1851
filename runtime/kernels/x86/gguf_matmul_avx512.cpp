// x86 AVX-512 VNNI GgufMatMul: x86/gguf_matmul_driver.inc (bit-exact with ref at any thread
// count) with AVX512_VNNI's dot steps on 256-bit vectors (AVX512VL): vpdpbusd (u8 x s8,
// four products summed into int32, no int16 step) for the 32-element formats, and
// vpdpwssd (int16 pairs into int32) for the K formats' scaled sub-block dots. q8_0's
// signed codes are made unsigned (w ^ 0x80 = w + 128) and 128 * sum(q) taken off.
// 256-bit vectors keep one 32-element block per register, as the GGUF layouts are cut.
//
// Compiled with the AVX-512 level's flags plus -mavx512vnni -mf16c: everything stays in an
// anonymous namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <type_traits>
#include <utility>

#include "ref/gguf_blocks.h"
#include "ref/gguf_matmul.h"
#include "register_kernels.h"
#include "thread_pool.h"
#include "x86/amx.h"

namespace edgec::rt {
namespace {

struct V {
  static constexpr int kFloatRows = 4;  // f32/f16/bf16 weight rows per pass: 4 x 4 accumulators of AVX512VL's 32 registers
  static constexpr int32_t kS8Offset = 128;
  static __m256i dotU8S8(__m256i acc, __m256i u, __m256i s) { return _mm256_dpbusd_epi32(acc, u, s); }
  static __m256i dotS8S8(__m256i acc, __m256i w, __m256i s) {
    return _mm256_dpbusd_epi32(acc, _mm256_xor_si256(w, _mm256_set1_epi8(char(0x80))), s);
  }
  static __m256i dotI16(__m256i acc, __m256i a, __m256i b) { return _mm256_dpwssd_epi32(acc, a, b); }
};

#include "x86/gguf_matmul_driver.inc"

} // namespace

Kernel *newX86Avx512GgufMatMul() { return new GgufMatMulX86(); }

} // namespace edgec::rt
