// The x86 int8 Conv kernel (x86/qgemm_driver.inc) seen as parts that a fused kernel runs on
// a range of channels: the int8 PointwiseDepthwiseConv (x86_pointwise_depthwise.cpp) packs
// one image's input once, expands a few channels with one Conv's pointwise GEMM and runs
// another Conv's depthwise path on them while they are in cache. Each part computes an
// output with the same instructions as the Conv's own run(), so the fused op gives the
// codes of the two unfused kernels. The int8 twin of x86_conv_parts.h.
//
// The destructor is defined in x86_pointwise_depthwise.cpp (baseline code), so that the
// interface's vtable is emitted there and not as a weak copy by the ISA files.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel.h"

namespace edgec::rt::x86 {

class QuantConvParts : public Kernel {
public:
  ~QuantConvParts() override;
  // Whether the prepared call can run as pointwiseRows (a 1x1 group-1 Conv with constant
  // weights and bias) or as depthwiseChannels (a depthwise 2-D Conv with constant weights),
  // neither with a fused residual or table.
  virtual bool pointwiseRowsApply() const = 0;
  virtual bool depthwiseChannelsApply() const = 0;
  // What pointwiseRows' channel ranges must be multiples of (but for the last).
  virtual int64_t rowGranule() const = 0;
  // One image's input as the pointwise GEMM's packed panels: their count, their bytes, and
  // panels [p0, p1) of the image whose input planes start at x, into `packed`.
  virtual int64_t inputPanels() const = 0;
  virtual size_t packedInputBytes() const = 0;
  virtual void packInput(const uint8_t *x, int64_t p0, int64_t p1, uint8_t *packed) const = 0;
  // Output channels [m0, m1) over every position of the image whose input `packed` holds:
  // y is channel m0's output plane (the others follow).
  virtual void pointwiseRows(const uint8_t *packed, int64_t m0, int64_t m1, uint8_t *y) const = 0;
  // Channels [c0, c1) of image n: x holds their input planes one after another, y is the
  // whole output (all images). `scratch` holds scratchBytes(); `prefetch`: request the
  // output lines ahead (at several threads).
  virtual void depthwiseChannels(const uint8_t *x, const int32_t *bias, int64_t n, int64_t c0, int64_t c1,
                                 uint8_t *y, void *scratch, bool prefetch) = 0;
};

}  // namespace edgec::rt::x86

namespace edgec::rt {
// The x86 int8 Conv kernels as parts (x86/qgemm_avx2.cpp; x86/qgemm_avx512.cpp, which
// needs AVX512_VNNI).
x86::QuantConvParts *newX86Avx2QuantConvParts();
x86::QuantConvParts *newX86Avx512QuantConvParts();
}  // namespace edgec::rt
