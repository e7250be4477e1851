// A blockwise (group-wise int4/int8) weight for kernel tests: random packed codes, its
// Blockwise QuantInfo and the scale/zero-point tensors (the weight-only and the int4 x
// int8 kernel tests share it).
#pragma once

#include <memory>
#include <random>
#include <vector>

#include "kernel_test_util.h"

namespace edgec::rt::testing {

// A blockwise tensor: packed codes, its QuantInfo and the scale/zero-point tensors.
struct BlockTensor {
  Tensor codes, scales;
  std::unique_ptr<Tensor> zeros;
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int32_t> values;  // the codes, unpacked
  std::vector<int32_t> zeroValues;

  BlockTensor(DType dtype, std::vector<int64_t> shape, int axis, int64_t block, bool withZeros, uint32_t seed)
      : codes(dtype, shape), scales(DType::f32, groupShape(shape, axis, block)) {
    std::mt19937 rng(seed);
    const bool isSigned = dtype == DType::i4;
    const int lo = isSigned ? -8 : 0, hi = isSigned ? 7 : 15;
    std::uniform_int_distribution<int> code(lo, hi);
    values.resize(size_t(codes.view().numel()));
    auto *bytes = codes.view().as<uint8_t>();
    for (size_t i = 0; i < values.size(); ++i) {
      values[i] = code(rng);
      bytes[i / 2] |= uint8_t((values[i] & 0xF) << (4 * (i % 2)));
    }
    std::uniform_real_distribution<float> scale(0.01f, 0.1f);
    for (int64_t i = 0; i < scales.view().numel(); ++i) scales.view().as<float>()[i] = scale(rng);
    if (withZeros) {
      zeros.reset(new Tensor(dtype, scales.shape()));
      zeroValues.resize(size_t(scales.view().numel()));
      auto *z = zeros->view().as<uint8_t>();
      for (size_t i = 0; i < zeroValues.size(); ++i) {
        zeroValues[i] = code(rng);
        z[i / 2] |= uint8_t((zeroValues[i] & 0xF) << (4 * (i % 2)));
      }
    }
    fbb.Finish(pkg::CreateQuantInfo(fbb, pkg::QuantScheme::Blockwise, axis, int32_t(block), pkg::DType::f32, 1,
                                    withZeros ? 2 : -1));
    codes.view().quant = flatbuffers::GetRoot<pkg::QuantInfo>(fbb.GetBufferPointer());
    codes.view().scales = &scales.view();
    codes.view().zero_points = zeros ? &zeros->view() : nullptr;
  }

  static std::vector<int64_t> groupShape(std::vector<int64_t> shape, int axis, int64_t block) {
    shape[size_t(axis)] = (shape[size_t(axis)] + block - 1) / block;
    return shape;
  }
};

}  // namespace edgec::rt::testing
