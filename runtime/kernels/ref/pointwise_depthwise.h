// PointwiseDepthwiseConv (the op edge-fuse-pointwise-depthwise creates): a 1x1 Conv
// expanding X [N, C, H, W] to E [N, M, H, W], then a depthwise Conv of E. Its kernels
// prepare a Conv kernel for each part with the signatures built here: the ref kernel
// (ref/pointwise_depthwise.cpp) two ref Convs over the whole of E, the x86 one
// (x86_pointwise_depthwise.cpp) the x86 Conv's parts over a few channels at a time.
#pragma once

#include <cstdint>

#include "attr_list.h"
#include "kernel.h"

namespace edgec::rt::ref {

class PointwiseDepthwiseParts {
public:
  // Validates the call: inputs X [N, C, H, W], W1 [M, C, 1, 1], B1 [M], W2 [M, 1, kH, kW],
  // B2 [M], all f32, the depthwise Conv's attributes (group = M) and the pointwise one's
  // activation as pointwise_activation, pointwise_act_min, pointwise_act_max.
  explicit PointwiseDepthwiseParts(const KernelSignature &sig);
  PointwiseDepthwiseParts(const PointwiseDepthwiseParts &) = delete;
  PointwiseDepthwiseParts &operator=(const PointwiseDepthwiseParts &) = delete;

  // X, W1, B1 -> E (a view without data); E, W2, B2 -> Y. Their input_is_constant and
  // node name are the fused call's.
  const KernelSignature &pointwise() const { return pointwise_; }
  const KernelSignature &depthwise() const { return depthwise_; }
  int64_t batch() const { return expanded_.shape[0]; }
  int64_t inChannels() const { return inChannels_; }
  int64_t channels() const { return expanded_.shape[1]; }          // M
  int64_t plane() const { return expanded_.shape[2] * expanded_.shape[3]; }  // H * W
  int64_t outPlane() const { return outPlane_; }

private:
  AttrList pointwiseAttrs_;
  TensorView expanded_;
  KernelSignature pointwise_, depthwise_;
  int64_t inChannels_ = 0, outPlane_ = 0;
};

}  // namespace edgec::rt::ref
