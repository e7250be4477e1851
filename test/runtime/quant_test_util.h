// Quantized tensors for kernel tests: codes with their QuantInfo, scale and zero-point
// tensors (as a package holds them), random codes and scales. Shared by
// quant_kernels_test.cpp (the ref kernels) and x86_quant_kernels_test.cpp.
#pragma once

#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "kernel_test_util.h"

namespace edgec::rt::testing {


struct QP {
  float scale = 1.f;
  int32_t zp = 0;
};

inline int32_t qmin(DType t) { return t == DType::i8 ? -128 : t == DType::u8 ? 0 : t == DType::i16 ? -32768 : INT32_MIN; }
inline int32_t qmax(DType t) { return t == DType::i8 ? 127 : t == DType::u8 ? 255 : t == DType::i16 ? 32767 : INT32_MAX; }

inline void setCode(TensorView &v, int64_t i, int32_t c) {
  switch (v.dtype) {
  case DType::i8: v.as<int8_t>()[i] = int8_t(c); break;
  case DType::u8: v.as<uint8_t>()[i] = uint8_t(c); break;
  case DType::i16: v.as<int16_t>()[i] = int16_t(c); break;
  case DType::i32: v.as<int32_t>()[i] = c; break;
  default: FAIL() << "not an integer dtype";
  }
}
inline int32_t getCode(const TensorView &v, int64_t i) {
  switch (v.dtype) {
  case DType::i8: return v.as<int8_t>()[i];
  case DType::u8: return v.as<uint8_t>()[i];
  case DType::i16: return v.as<int16_t>()[i];
  default: return v.as<int32_t>()[i];
  }
}
inline std::vector<int32_t> codesOf(const Tensor &t) {
  std::vector<int32_t> out(static_cast<size_t>(numelOf(t.shape())));
  for (size_t i = 0; i < out.size(); ++i) out[i] = getCode(const_cast<Tensor &>(t).view(), int64_t(i));
  return out;
}

// A quantized tensor: its codes, a QuantInfo FlatBuffer and the scale and zero-point
// tensors the view points to (held here, hence never moved: use makeQ).
class QTensor {
public:
  QTensor(DType dtype, std::vector<int64_t> shape, const std::vector<int32_t> &codes,
          const std::vector<float> &scales, const std::vector<int32_t> &zps, int axis)
      : t(dtype, std::move(shape)), s(Tensor::of<float>({int64_t(scales.size())}, scales)) {
    EXPECT_EQ(int64_t(codes.size()), t.view().numel());
    for (size_t i = 0; i < codes.size(); ++i) setCode(t.view(), int64_t(i), codes[i]);
    const bool hasZp = !zps.empty();
    fbb.Finish(pkg::CreateQuantInfo(fbb, axis >= 0 ? pkg::QuantScheme::PerAxis : pkg::QuantScheme::PerTensor,
                                    axis, 0, pkg::DType::f32, 1, hasZp ? 2 : -1));
    t.view().quant = flatbuffers::GetRoot<pkg::QuantInfo>(fbb.GetBufferPointer());
    t.view().scales = &s.view();
    if (hasZp) {
      z = std::make_unique<Tensor>(dtype, std::vector<int64_t>{int64_t(zps.size())});
      for (size_t i = 0; i < zps.size(); ++i) setCode(z->view(), int64_t(i), zps[i]);
      t.view().zero_points = &z->view();
    }
  }
  QTensor(const QTensor &) = delete;
  QTensor &operator=(const QTensor &) = delete;

  Tensor t, s;
  std::unique_ptr<Tensor> z;
  flatbuffers::FlatBufferBuilder fbb;

  std::vector<int32_t> codes() const { return codesOf(t); }
  float scale(int64_t i = 0) const { return s.values<float>()[size_t(s.shape() == std::vector<int64_t>{1} ? 0 : i)]; }
  int32_t zp(int64_t i = 0) const { return z ? getCode(z->view(), z->view().numel() == 1 ? 0 : i) : 0; }
};
using QPtr = std::unique_ptr<QTensor>;

inline QPtr makeQ(DType dtype, std::vector<int64_t> shape, const std::vector<int32_t> &codes, QP p) {
  return std::make_unique<QTensor>(dtype, std::move(shape), codes, std::vector<float>{p.scale},
                                   std::vector<int32_t>{p.zp}, -1);
}
inline QPtr makeQAxis(DType dtype, std::vector<int64_t> shape, const std::vector<int32_t> &codes,
               const std::vector<float> &scales, const std::vector<int32_t> &zps, int axis) {
  return std::make_unique<QTensor>(dtype, std::move(shape), codes, scales, zps, axis);
}
// An output: zero codes.
inline QPtr makeOut(DType dtype, std::vector<int64_t> shape, QP p) {
  return makeQ(dtype, shape, std::vector<int32_t>(size_t(numelOf(shape)), 0), p);
}

inline std::vector<int32_t> randomCodes(int64_t n, DType t, std::mt19937 &rng) {
  std::uniform_int_distribution<int32_t> d(qmin(t), qmax(t));
  std::vector<int32_t> v(static_cast<size_t>(n));
  for (int32_t &c : v) c = d(rng);
  return v;
}
inline float randomScale(std::mt19937 &rng, float lo = 0.002f, float hi = 0.1f) {
  return std::exp(std::uniform_real_distribution<float>(std::log(lo), std::log(hi))(rng));
}

}  // namespace edgec::rt::testing
