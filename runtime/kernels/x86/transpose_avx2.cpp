// 2-D transposes of 32-bit elements in 8x8 register blocks (AVX2) and of bytes in 16x16
// blocks, for x86_copy.cpp.
#include <immintrin.h>

#include "x86/transpose.h"

namespace edgec::rt::x86 {
namespace {

// The 8x8 transpose of rows r[0..7] in place (the classic unpack / shuffle / lane-permute
// network).
inline void transpose8x8(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

// The 16x16 byte transpose of rows r[0..15] in place: four rounds of interleaving the
// bytes of row j with row j + 8 (each round a perfect shuffle of the 256 bytes; four of
// them move byte (i, j) to (j, i)).
inline void transpose16x16(__m128i r[16]) {
  __m128i t[16];
  for (int round = 0; round < 4; ++round) {
    for (int j = 0; j < 8; ++j) {
      t[2 * j] = _mm_unpacklo_epi8(r[j], r[j + 8]);
      t[2 * j + 1] = _mm_unpackhi_epi8(r[j], r[j + 8]);
    }
    for (int j = 0; j < 16; ++j) r[j] = t[j];
  }
}

// dst[a][b] = src[b][a] over A x B elements: whole kT x kT blocks by `block(src, dst)`
// (the block's top-left elements), the rows and columns past them element by element.
template <int64_t kT, typename T, typename Block>
void blockedTranspose(const T *src, int64_t srcStep, T *dst, int64_t dstStep, int64_t A, int64_t B, Block block) {
  const int64_t AT = A / kT * kT, BT = B / kT * kT;
  for (int64_t a = 0; a < AT; a += kT) {
    for (int64_t b = 0; b < BT; b += kT) block(src + a + b * srcStep, dst + a * dstStep + b);
    for (int64_t k = 0; k < kT; ++k)
      for (int64_t b = BT; b < B; ++b) dst[(a + k) * dstStep + b] = src[a + k + b * srcStep];
  }
  for (int64_t a = AT; a < A; ++a)
    for (int64_t b = 0; b < B; ++b) dst[a * dstStep + b] = src[a + b * srcStep];
}

}  // namespace

void transpose8Avx2(const uint8_t *src, int64_t srcStep, uint8_t *dst, int64_t dstStep, int64_t A, int64_t B) {
  blockedTranspose<16>(src, srcStep, dst, dstStep, A, B, [&](const uint8_t *s, uint8_t *d) {
    __m128i r[16];
    for (int k = 0; k < 16; ++k) r[k] = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + k * srcStep));
    transpose16x16(r);
    for (int k = 0; k < 16; ++k) _mm_storeu_si128(reinterpret_cast<__m128i *>(d + k * dstStep), r[k]);
  });
}

void transpose32Avx2(const uint32_t *src, int64_t srcStep, uint32_t *dst, int64_t dstStep, int64_t A,
                     int64_t B) {
  // Float loads and stores only move bits (no arithmetic): NaN payloads are kept.
  blockedTranspose<8>(src, srcStep, dst, dstStep, A, B, [&](const uint32_t *s, uint32_t *d) {
    __m256 r[8];
    for (int k = 0; k < 8; ++k) r[k] = _mm256_loadu_ps(reinterpret_cast<const float *>(s + k * srcStep));
    transpose8x8(r);
    for (int k = 0; k < 8; ++k) _mm256_storeu_ps(reinterpret_cast<float *>(d + k * dstStep), r[k]);
  });
}

}  // namespace edgec::rt::x86
