// x86 AVX2 fp32 Gemm and MatMul: x86/gemm_f32_driver.inc (blocking, packing, threads,
// epilogue) with 6 x 16 tiles: 12 ymm accumulators of the 16, per k two loads of B, six
// broadcasts of A and 12 FMAs; tails through vmaskmovps. Also the GEMM of the x86
// RNN/GRU/LSTM's input projection (x86Avx2GemmF32). Compiled with -mavx2 -mfma;
// everything but the factories stays in an anonymous namespace (see docs/architecture.md
// on ISA files).
#include <immintrin.h>

#include <cstdlib>
#include <limits>

#include "ref/plans.h"
#include "register_kernels.h"
#include "x86_recurrent.h"  // x86Avx2GemmF32

namespace edgec::rt {
namespace {

struct V {
  using F = __m256;
  using M = __m256i;
  static constexpr int64_t kLanes = 8;
  static M mask(int64_t n) {  // lanes [0, n)
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static F zero() { return _mm256_setzero_ps(); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F load(const float *p) { return _mm256_loadu_ps(p); }
  static F loadN(const float *p, M m) { return _mm256_maskload_ps(p, m); }
  static void store(float *p, F v) { _mm256_storeu_ps(p, v); }
  static void storeN(float *p, M m, F v) { _mm256_maskstore_ps(p, m, v); }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F min(F a, F b) { return _mm256_min_ps(a, b); }
  static F max(F a, F b) { return _mm256_max_ps(a, b); }
  static float hsum(F v) {
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
  }
};

constexpr int kMR = 6;  // rows of C per tile
constexpr int kNV = 2;  // ymm vectors of columns per tile (16 columns)

#include "x86/gemm_f32_driver.inc"

}  // namespace

Kernel *newX86Avx2Gemm() { return new GemmF32(); }
Kernel *newX86Avx2MatMul() { return new MatMulF32(); }

// The x86 RNN/GRU/LSTM's input projection (x86_recurrent.h).
void x86Avx2GemmF32(const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc, int64_t M,
                    int64_t K, int64_t N) {
  gemmInPlace(a, lda, b, ldb, c, ldc, M, K, N);
}

}  // namespace edgec::rt
