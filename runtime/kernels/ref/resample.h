// ref's Resize plan (ref/resample.cpp), shared with the x86 f32 Resize (x86_resize.h):
// per dim, each output index's input taps (offsets) and weights, computed with ref's
// arithmetic, so that a faster kernel built on the same plan reads the same taps with
// the same weights.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edgec::rt::ref {

// One dim of a Resize: for output index o, `taps` input offsets (indices clamped to the
// input, times the dim's stride) and weights, and whether its source lies outside the
// input (tf_crop_and_resize; the output is then extrapolation_value).
struct ResizeAxis {
  int taps = 1;
  std::vector<int64_t> offset;   // [out][taps]
  std::vector<double> weight;    // [out][taps]
  std::vector<uint8_t> outside;  // [out]
};

struct ResizeModes {
  std::string mode, coordinates, nearest;
  double cubicA = -0.75;
  bool excludeOutside = false;
};

// The taps of every dim of one Resize and the loop that runs them.
struct ResizePlan {
  std::vector<ResizeAxis> axes;
  bool copies = true;   // every dim one tap: copy elements (any dtype)
  bool planar = false;  // only the last two dims mix, nothing outside the input
};

// `scale` and `outWidth` per dim (resizeAxis), roi starts then ends (empty: none).
ResizePlan planResize(const ResizeModes &m, const std::vector<int64_t> &in, const std::vector<int64_t> &out,
                      const std::vector<double> &scale, const std::vector<double> &outWidth,
                      const std::vector<float> &roi);

// The plan of a Resize whose scales (and roi) are attributes, one scale per dim: a
// scale that is the f32 rounding of out / in came from ONNX `sizes` (the verifier allows
// that or out = floor(in * scale)), and then the exact ratio is used, as the reference
// does.
ResizePlan planConstantResize(const ResizeModes &m, const std::vector<int64_t> &in, const std::vector<int64_t> &out,
                              const std::vector<float> &scales, const std::vector<float> &roi);

}  // namespace edgec::rt::ref
