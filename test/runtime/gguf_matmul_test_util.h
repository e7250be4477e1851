// Helpers for the GgufMatMul tests (gguf_matmul_test.cpp, x86_gguf_matmul_test.cpp):
// random valid GGUF weights of every type GgufMatMul takes, activations with the cases
// that matter to the quantizers, and one call through the registry.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "kernel_test_util.h"
#include "ref/util.h"

namespace edgec::rt::testing {

inline const std::vector<DType> &ggufMatMulTypes() {
  static const std::vector<DType> types{DType::f32,  DType::f16,  DType::bf16, DType::q4_0,
                                        DType::q4_1, DType::q5_0, DType::q5_1, DType::q8_0,
                                        DType::q2_k, DType::q3_k, DType::q4_k, DType::q5_k,
                                        DType::q6_k, DType::iq4_nl, DType::iq4_xs};
  return types;
}

inline void putF16(uint8_t *p, float v) {
  const uint16_t h = ref::halfFromDouble(v);
  p[0] = uint8_t(h & 0xff);
  p[1] = uint8_t(h >> 8);
}

// A weight [N, K] of `t` with random codes in every bit and f16 scales of a sane size (so
// that the dequantized values are O(1)): d in +-[0.005, 0.05] (q4/q5/q8 blocks),
// [0.0005, 0.005] for the K formats' super-scales (times 6/8-bit sub-scales), mins of
// either sign for q4_1/q5_1.
inline Tensor randomGgufWeight(DType t, int64_t N, int64_t K, uint32_t seed) {
  Tensor w(t, {N, K});
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_real_distribution<float> unit(-1.f, 1.f);
  auto scale = [&](float lo, float hi) {
    const float m = lo + (hi - lo) * std::uniform_real_distribution<float>(0.f, 1.f)(rng);
    return byte(rng) & 1 ? -m : m;
  };
  auto *p = static_cast<uint8_t *>(w.view().data);
  const size_t bytes = w.view().nbytes();
  if (t == DType::f32 || t == DType::f16 || t == DType::bf16) {
    for (int64_t i = 0; i < N * K; ++i) {
      const float v = unit(rng);
      if (t == DType::f32) {
        std::memcpy(p + 4 * i, &v, 4);
      } else if (t == DType::f16) {
        putF16(p + 2 * i, v);
      } else {
        uint32_t u;
        std::memcpy(&u, &v, 4);
        p[2 * i] = uint8_t(u >> 16);
        p[2 * i + 1] = uint8_t(u >> 24);
      }
    }
    return w;
  }
  for (size_t i = 0; i < bytes; ++i) p[i] = uint8_t(byte(rng));
  const DTypeInfo &info = dtypeInfo(t);
  for (size_t b = 0; b < bytes / info.blockBytes; ++b) {
    uint8_t *blk = p + b * info.blockBytes;
    switch (t) {
      case DType::q4_0: case DType::q5_0: case DType::q8_0: putF16(blk, scale(0.005f, 0.05f)); break;
      case DType::q4_1: case DType::q5_1:
        putF16(blk, std::fabs(scale(0.005f, 0.05f)));
        putF16(blk + 2, scale(0.f, 0.4f));
        break;
      case DType::q4_k: case DType::q5_k:
        putF16(blk, std::fabs(scale(0.0005f, 0.005f)));
        putF16(blk + 2, std::fabs(scale(0.0005f, 0.005f)));
        break;
      case DType::q6_k: putF16(blk + 208, scale(0.0001f, 0.001f)); break;
      case DType::q2_k:  // 4-bit scales and mins: d and dmin a little larger than q4_k's
        putF16(blk + 80, std::fabs(scale(0.002f, 0.02f)));
        putF16(blk + 82, std::fabs(scale(0.002f, 0.02f)));
        break;
      case DType::q3_k: putF16(blk + 108, scale(0.0005f, 0.005f)); break;
      case DType::iq4_nl: putF16(blk, scale(0.0005f, 0.005f)); break;  // codes stand for -127..113
      case DType::iq4_xs: putF16(blk, scale(0.00005f, 0.0005f)); break;  // times scales -32..31
      default: break;
    }
  }
  return w;
}

// Activations [shape] in [-2, 2], with (if `outliers`) a 40x outlier every 97 elements,
// exact multiples of 1/8 (ties after some scalings) every 13, and row 0's first 256
// elements zero (an all-zero block for every format) when K >= 512.
inline Tensor ggufActivations(const std::vector<int64_t> &shape, uint32_t seed, bool outliers = true) {
  Tensor x(DType::f32, shape);
  std::vector<float> v = randomFloats(x.view().numel(), seed, -2.f, 2.f);
  const int64_t K = shape.back();
  for (size_t i = 0; i < v.size(); ++i) {
    const int64_t k = int64_t(i) % K;
    if (outliers && k % 97 == 5) v[i] *= 40.f;
    if (k % 13 == 3) v[i] = std::round(v[i] * 8) / 8;
    if (int64_t(i) < 256 && K >= 512) v[i] = 0.f;
  }
  std::memcpy(x.view().data, v.data(), v.size() * sizeof(float));
  return x;
}

// Y = GgufMatMul(x, w, bias?) through the registry among `isas`.
inline std::vector<float> runGguf(Tensor &x, Tensor &w, Tensor *bias, const std::vector<Isa> &isas, int threads,
                                  Isa *chosen = nullptr) {
  std::vector<int64_t> yShape(x.shape());
  yShape.back() = w.shape()[0];
  Tensor y(DType::f32, yShape);
  AttrList none;
  const Isa isa = runKernel("GgufMatMul", {&x, &w, bias}, {&y}, none, isas, threads);
  if (chosen) *chosen = isa;
  return y.values<float>();
}

}  // namespace edgec::rt::testing
