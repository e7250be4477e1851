// The x86 f32 Conv kernel (x86/conv_driver.inc) seen as parts that a fused kernel runs on
// a range of channels: PointwiseDepthwiseConv (x86_pointwise_depthwise.cpp) expands a few
// channels with one Conv's pointwise GEMM and runs another Conv's depthwise path on them
// while they are in cache. Each part computes an output with the same instructions as
// the Conv's own run(), so the fused op gives the bits of the two unfused kernels.
//
// The destructor is defined in x86_pointwise_depthwise.cpp (baseline code), so that the
// interface's vtable is emitted there and not as a weak copy by the ISA files.
#pragma once

#include <cstdint>

#include "kernel.h"

namespace edgec::rt::x86 {

class ConvParts : public Kernel {
public:
  ~ConvParts() override;
  // Whether the prepared call can run as pointwiseRows (a 1x1 group-1 Conv with constant
  // weights and no residual) or as depthwiseChannels (a depthwise 2-D Conv, no residual).
  virtual bool pointwiseRowsApply() const = 0;
  virtual bool depthwiseChannelsApply() const = 0;
  // What channel ranges must be multiples of: the GEMM's panel height for pointwiseRows,
  // the channel-blocked depthwise path's vector for depthwiseChannels (else 1).
  virtual int64_t rowGranule() const = 0;
  virtual int64_t channelGranule() const = 0;
  // Output channels [m0, m1) over every position of one batch item: x its input planes,
  // y channel m0's output plane (the others follow). `scratch` holds scratchBytes().
  virtual void pointwiseRows(const float *x, const float *bias, int64_t m0, int64_t m1, float *y,
                             void *scratch) const = 0;
  // Channels [c0, c1) of batch item n: x holds their input planes one after another, y is
  // the whole output (all batch items). `scratch` holds scratchBytes().
  virtual void depthwiseChannels(const float *x, const float *w, const float *bias, int64_t n, int64_t c0,
                                 int64_t c1, float *y, void *scratch) const = 0;
};

}  // namespace edgec::rt::x86

namespace edgec::rt {
// The x86 f32 Conv kernels as parts (x86/conv_avx2.cpp, x86/conv_avx512.cpp).
x86::ConvParts *newX86Avx2ConvParts();
x86::ConvParts *newX86Avx512ConvParts();
}  // namespace edgec::rt
