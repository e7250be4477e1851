// x86 (AVX2 + FMA) MatMul and Gemm with a weight-only group-wise int4 weight (i4/u4 codes,
// two per byte, low nibble first; QuantInfo Blockwise along K) and f32 activations. The
// validation, plan and epilogue are ref/blockwise.cpp's (baseline code); ref is the oracle.
//
// * GEMV (fewer than 4 rows, the LLM decode case): the codes are unpacked in registers and
//   never dequantized: per group, acc = sum_k x_k * q_k, then y += s * acc - (s * z) *
//   sum_k x_k. Threads take blocks of output columns.
// * GEMM (4 rows or more): each thread dequantizes a panel of KB x NB weights into its
//   scratch as ref does (float(q - z) * s) and runs a 4 x 16 f32 register tile over it.
//
// Compiled with -mavx2 -mfma: everything stays in an anonymous namespace (see
// docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>

#include "ref/blockwise.h"
#include "register_kernels.h"

namespace edgec::rt {
namespace {

constexpr int64_t kColBlock = 32;  // GEMV over [K, N]: output columns per block (4 vectors)
constexpr int64_t kPanelK = 256;   // GEMM: weight panel rows (K)
constexpr int64_t kPanelN = 64;    // GEMM: weight panel columns (N)
constexpr int64_t kGemmRows = 4;   // GEMM from this many rows of A

// 8 bytes of packed codes -> 16 codes in order, as int8 (i4 sign-extended, u4 as is).
inline __m128i unpack16(const uint8_t *p, bool isSigned) {
  const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(p));
  const __m128i mask = _mm_set1_epi8(0x0F);
  const __m128i lo = _mm_and_si128(b, mask);
  const __m128i hi = _mm_and_si128(_mm_srli_epi16(b, 4), mask);
  __m128i v = _mm_unpacklo_epi8(lo, hi);
  if (isSigned) {
    const __m128i eight = _mm_set1_epi8(8);
    v = _mm_sub_epi8(_mm_xor_si128(v, eight), eight);
  }
  return v;
}

// 16 codes as two int32 vectors.
inline void codes16(const uint8_t *p, bool isSigned, __m256i &i0, __m256i &i1) {
  const __m128i v = unpack16(p, isSigned);
  i0 = _mm256_cvtepi8_epi32(v);
  i1 = _mm256_cvtepi8_epi32(_mm_srli_si128(v, 8));
}

inline int codeAt(const uint8_t *codes, int64_t i, bool isSigned) {
  const int v = (codes[i >> 1] >> ((i & 1) * 4)) & 0xF;
  return isSigned ? (v ^ 8) - 8 : v;
}

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

class Int4Gemm final : public Kernel {
public:
  explicit Int4Gemm(bool gemm) : gemm_(gemm) {}

  void prepare(const KernelSignature &sig) override {
    p_ = gemm_ ? ref::parseBlockwiseGemm(sig) : ref::parseBlockwiseMatMul(sig);
    if (p_.transA || (p_.w.dtype != DType::i4 && p_.w.dtype != DType::u4))
      kernelFail(sig, "the AVX2 int4 kernel takes i4/u4 codes and A not transposed");
    isSigned_ = p_.w.dtype == DType::i4;
    zeros_ = !p_.scaleZero.empty();
  }

  size_t scratchBytes() const override {
    if (p_.M >= kGemmRows) return size_t(kPanelK * kPanelN) * sizeof(float);
    return size_t(p_.M * p_.w.blocks + 16) * sizeof(float);  // sum of x per row and group
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *a = in[0]->as<float>();
    const uint8_t *codes = static_cast<const uint8_t *>(in[1]->data);
    float *y = out[0]->as<float>();
    if (p_.M >= kGemmRows)
      gemm(ctx, a, codes, y);
    else if (p_.nMajor)
      gemvNK(ctx, a, codes, y);
    else
      gemvKN(ctx, a, codes, y);
    ref::blockwiseEpilogue(p_, p_.hasC ? in[2]->as<float>() : nullptr, y, 0, p_.M);
  }

private:
  // Per row of A and group: the sum of the group's x (for the zero points).
  void groupSums(const float *a, float *sx) const {
    const int64_t G = p_.w.blockSize;
    for (int64_t m = 0; m < p_.M; ++m)
      for (int64_t g = 0; g < p_.w.blocks; ++g) {
        float s = 0.f;
        for (int64_t k = g * G; k < std::min(p_.K, (g + 1) * G); ++k) s += a[m * p_.K + k];
        sx[m * p_.w.blocks + g] = s;
      }
  }

  // W [K, N]: scales [groups, N]. Lanes are output columns.
  void gemvKN(const RunContext &ctx, const float *a, const uint8_t *codes, float *y) const {
    const int64_t K = p_.K, N = p_.N, G = p_.w.blockSize, groups = p_.w.blocks;
    const float *scales = p_.w.scales.data();
    const float *sz = zeros_ ? p_.scaleZero.data() : nullptr;
    const int64_t blocks = (N + kColBlock - 1) / kColBlock;
    const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, K * kColBlock * p_.M));
    ctx.parallelFor(blocks, grain, [&](int64_t b0, int64_t b1, int thread) {
      float *sx = static_cast<float *>(ctx.threadScratch(thread));
      if (zeros_) groupSums(a, sx);
      for (int64_t m = 0; m < p_.M; ++m) {
        const float *x = a + m * K;
        float *yr = y + m * N;
        const float *sxr = sx + m * groups;
        for (int64_t b = b0; b < b1; ++b) {
          const int64_t n0 = b * kColBlock;
          if (n0 + kColBlock <= N) {
            __m256 t0 = _mm256_setzero_ps(), t1 = t0, t2 = t0, t3 = t0;
            for (int64_t g = 0; g < groups; ++g) {
              __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
              for (int64_t k = g * G, k1 = std::min(K, k + G); k < k1; ++k) {
                const __m256 xv = _mm256_broadcast_ss(x + k);
                const uint8_t *row = codes + (k * N + n0) / 2;
                __m256i i0, i1, i2, i3;
                codes16(row, isSigned_, i0, i1);
                codes16(row + 8, isSigned_, i2, i3);
                c0 = _mm256_fmadd_ps(xv, _mm256_cvtepi32_ps(i0), c0);
                c1 = _mm256_fmadd_ps(xv, _mm256_cvtepi32_ps(i1), c1);
                c2 = _mm256_fmadd_ps(xv, _mm256_cvtepi32_ps(i2), c2);
                c3 = _mm256_fmadd_ps(xv, _mm256_cvtepi32_ps(i3), c3);
              }
              const float *s = scales + g * N + n0;
              t0 = _mm256_fmadd_ps(c0, _mm256_loadu_ps(s), t0);
              t1 = _mm256_fmadd_ps(c1, _mm256_loadu_ps(s + 8), t1);
              t2 = _mm256_fmadd_ps(c2, _mm256_loadu_ps(s + 16), t2);
              t3 = _mm256_fmadd_ps(c3, _mm256_loadu_ps(s + 24), t3);
              if (sz) {
                const __m256 xs = _mm256_broadcast_ss(sxr + g);
                const float *zr = sz + g * N + n0;
                t0 = _mm256_fnmadd_ps(_mm256_loadu_ps(zr), xs, t0);
                t1 = _mm256_fnmadd_ps(_mm256_loadu_ps(zr + 8), xs, t1);
                t2 = _mm256_fnmadd_ps(_mm256_loadu_ps(zr + 16), xs, t2);
                t3 = _mm256_fnmadd_ps(_mm256_loadu_ps(zr + 24), xs, t3);
              }
            }
            _mm256_storeu_ps(yr + n0, t0);
            _mm256_storeu_ps(yr + n0 + 8, t1);
            _mm256_storeu_ps(yr + n0 + 16, t2);
            _mm256_storeu_ps(yr + n0 + 24, t3);
          } else {
            // The last, partial block: the same operations per column, one at a time.
            for (int64_t n = n0; n < N; ++n) {
              float t = 0.f;
              for (int64_t g = 0; g < groups; ++g) {
                float c = 0.f;
                for (int64_t k = g * G, k1 = std::min(K, k + G); k < k1; ++k)
                  c = __builtin_fmaf(x[k], float(codeAt(codes, k * N + n, isSigned_)), c);
                t = __builtin_fmaf(c, scales[g * N + n], t);
                if (sz) t = __builtin_fmaf(-sz[g * N + n], sxr[g], t);
              }
              yr[n] = t;
            }
          }
        }
      }
    });
  }

  // W [N, K] (K and the group size multiples of 16): scales [N, groups]. Lanes run along K.
  void gemvNK(const RunContext &ctx, const float *a, const uint8_t *codes, float *y) const {
    const int64_t K = p_.K, N = p_.N, G = p_.w.blockSize, groups = p_.w.blocks;
    const float *scales = p_.w.scales.data();
    const float *sz = zeros_ ? p_.scaleZero.data() : nullptr;
    const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, K * p_.M));
    ctx.parallelFor(N, grain, [&](int64_t n0, int64_t n1, int thread) {
      float *sx = static_cast<float *>(ctx.threadScratch(thread));
      if (zeros_) groupSums(a, sx);
      for (int64_t m = 0; m < p_.M; ++m) {
        const float *x = a + m * K;
        for (int64_t n = n0; n < n1; ++n) {
          const uint8_t *row = codes + n * K / 2;
          __m256 t = _mm256_setzero_ps();
          float corr = 0.f;
          for (int64_t g = 0; g < groups; ++g) {
            __m256 c0 = _mm256_setzero_ps(), c1 = c0;
            for (int64_t k = g * G, k1 = std::min(K, k + G); k < k1; k += 16) {
              __m256i i0, i1;
              codes16(row + k / 2, isSigned_, i0, i1);
              c0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + k), _mm256_cvtepi32_ps(i0), c0);
              c1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + k + 8), _mm256_cvtepi32_ps(i1), c1);
            }
            t = _mm256_fmadd_ps(_mm256_add_ps(c0, c1), _mm256_set1_ps(scales[n * groups + g]), t);
            if (sz) corr = __builtin_fmaf(sz[n * groups + g], sx[m * groups + g], corr);
          }
          y[m * N + n] = hsum(t) - corr;
        }
      }
    });
  }

  // Rows of A times a dequantized panel: y[rows, 16 columns at j] (+)= A[rows, k0:k0+kc] x
  // panel[kc, j:j+16]; `cols` < 16 masks the tail.
  template <int R>
  void tile(const float *a, const float *panel, float *y, int64_t kc, int64_t cols, bool accumulate) const {
    const int64_t K = p_.K, N = p_.N;
    __m256 acc[R][2];
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(int(std::min<int64_t>(cols, 8))), idx);
    const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(int(std::max<int64_t>(cols - 8, 0))), idx);
    for (int r = 0; r < R; ++r) {
      acc[r][0] = accumulate ? _mm256_maskload_ps(y + r * N, m0) : _mm256_setzero_ps();
      acc[r][1] = accumulate ? _mm256_maskload_ps(y + r * N + 8, m1) : _mm256_setzero_ps();
    }
    for (int64_t k = 0; k < kc; ++k) {
      const __m256 b0 = _mm256_loadu_ps(panel + k * kPanelN);
      const __m256 b1 = _mm256_loadu_ps(panel + k * kPanelN + 8);
      for (int r = 0; r < R; ++r) {
        const __m256 av = _mm256_broadcast_ss(a + r * K + k);
        acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
        acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
      }
    }
    for (int r = 0; r < R; ++r) {
      _mm256_maskstore_ps(y + r * N, m0, acc[r][0]);
      _mm256_maskstore_ps(y + r * N + 8, m1, acc[r][1]);
    }
  }

  // Dequantizes W[k0:k0+kc, n0:n0+nc] into panel [kc, kPanelN] (columns past nc zero).
  void dequantizePanel(const uint8_t *codes, int64_t k0, int64_t kc, int64_t n0, int64_t nc, float *panel) const {
    const int64_t K = p_.K, N = p_.N, G = p_.w.blockSize, groups = p_.w.blocks;
    const float *scales = p_.w.scales.data();
    const int32_t *zeros = p_.w.zeroPoints.data();
    for (int64_t kk = 0; kk < kc; ++kk)
      for (int64_t j = nc; j < kPanelN; ++j) panel[kk * kPanelN + j] = 0.f;
    if (!p_.nMajor) {
      for (int64_t kk = 0; kk < kc; ++kk) {
        const int64_t k = k0 + kk, g = k / G;
        float *dst = panel + kk * kPanelN;
        int64_t j = 0;
        for (; j + 16 <= nc; j += 16) {
          const int64_t s = g * N + n0 + j;
          __m256i i0, i1;
          codes16(codes + (k * N + n0 + j) / 2, isSigned_, i0, i1);
          i0 = _mm256_sub_epi32(i0, _mm256_loadu_si256(reinterpret_cast<const __m256i *>(zeros + s)));
          i1 = _mm256_sub_epi32(i1, _mm256_loadu_si256(reinterpret_cast<const __m256i *>(zeros + s + 8)));
          _mm256_storeu_ps(dst + j, _mm256_mul_ps(_mm256_cvtepi32_ps(i0), _mm256_loadu_ps(scales + s)));
          _mm256_storeu_ps(dst + j + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(i1), _mm256_loadu_ps(scales + s + 8)));
        }
        for (; j < nc; ++j) {
          const int64_t s = g * N + n0 + j;
          dst[j] = float(codeAt(codes, k * N + n0 + j, isSigned_) - zeros[s]) * scales[s];
        }
      }
      return;
    }
    // [N, K]: a run of 16 along K lies inside one group (K, G and k0 are multiples of 16).
    alignas(32) float tmp[16];
    for (int64_t j = 0; j < nc; ++j) {
      const int64_t n = n0 + j;
      for (int64_t kk = 0; kk < kc; kk += 16) {
        const int64_t k = k0 + kk, s = n * groups + k / G;
        __m256i i0, i1;
        codes16(codes + (n * K + k) / 2, isSigned_, i0, i1);
        const __m256i z = _mm256_set1_epi32(zeros[s]);
        const __m256 sc = _mm256_set1_ps(scales[s]);
        _mm256_store_ps(tmp, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(i0, z)), sc));
        _mm256_store_ps(tmp + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(i1, z)), sc));
        for (int t = 0; t < 16 && kk + t < kc; ++t) panel[(kk + t) * kPanelN + j] = tmp[t];
      }
    }
  }

  void gemm(const RunContext &ctx, const float *a, const uint8_t *codes, float *y) const {
    const int64_t M = p_.M, K = p_.K, N = p_.N;
    if (K == 0) {
      for (int64_t i = 0; i < M * N; ++i) y[i] = 0.f;
      return;
    }
    const int64_t panels = (N + kPanelN - 1) / kPanelN;
    ctx.parallelFor(panels, 1, [&](int64_t p0, int64_t p1, int thread) {
      float *panel = static_cast<float *>(ctx.threadScratch(thread));
      for (int64_t pi = p0; pi < p1; ++pi) {
        const int64_t n0 = pi * kPanelN, nc = std::min(kPanelN, N - n0);
        for (int64_t k0 = 0; k0 < K; k0 += kPanelK) {
          const int64_t kc = std::min(kPanelK, K - k0);
          dequantizePanel(codes, k0, kc, n0, nc, panel);
          for (int64_t j = 0; j < nc; j += 16) {
            const int64_t cols = std::min<int64_t>(16, nc - j);
            int64_t m = 0;
            for (; m + 4 <= M; m += 4) tile<4>(a + m * K + k0, panel + j, y + m * N + n0 + j, kc, cols, k0 > 0);
            for (; m < M; ++m) tile<1>(a + m * K + k0, panel + j, y + m * N + n0 + j, kc, cols, k0 > 0);
          }
        }
      }
    });
  }

  bool gemm_;
  bool isSigned_ = true, zeros_ = false;
  ref::BlockwiseGemmPlan p_;
};

}  // namespace

Kernel *newX86Avx2Int4MatMul() { return new Int4Gemm(false); }
Kernel *newX86Avx2Int4Gemm() { return new Int4Gemm(true); }

}  // namespace edgec::rt
