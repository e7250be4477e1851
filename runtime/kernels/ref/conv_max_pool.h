// ConvMaxPool (the op for edge-fuse-conv-max-pool, which is not in yet: docs/performance.md,
// thirteenth session): a 2-D Conv over X [N, C, H, W] (with its Relu/Clip activation)
// giving C' [N, M, H', W'], then a 2-D MaxPool of C'. Its kernels prepare a kernel for
// each part with the signatures built here: the ref kernel (ref/conv_max_pool.cpp) the
// ref Conv over the whole of C' and the ref MaxPool, the x86 one (x86_conv_max_pool.cpp)
// the x86 Conv's rows and the x86 MaxPool's rows a block of C' rows at a time.
#pragma once

#include <cstdint>

#include "attr_list.h"
#include "kernel.h"

namespace edgec::rt::ref {

class ConvMaxPoolParts {
public:
  // Validates the call: inputs X [N, C, H, W], W [M, C / group, kH, kW], B [M], all f32;
  // the Conv's attributes as on Conv (strides, pads, dilations, group, activation,
  // act_min, act_max), the MaxPool's as pool_kernel_shape, pool_strides, pool_pads,
  // pool_dilations (ceil_mode already resolved into pool_pads by the compiler).
  explicit ConvMaxPoolParts(const KernelSignature &sig);
  ConvMaxPoolParts(const ConvMaxPoolParts &) = delete;
  ConvMaxPoolParts &operator=(const ConvMaxPoolParts &) = delete;

  // X, W, B -> C' (a view without data); C' -> Y. Their input_is_constant and node name
  // are the fused call's.
  const KernelSignature &conv() const { return conv_; }
  const KernelSignature &pool() const { return pool_; }
  const TensorView &convOutput() const { return convOut_; }
  int64_t convOutputFloats() const { return convOut_.numel(); }

private:
  AttrList poolAttrs_;
  TensorView convOut_;
  KernelSignature conv_, pool_;
};

}  // namespace edgec::rt::ref
