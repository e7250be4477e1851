// Keys' cubic convolution kernel, shared by Resize's cubic mode (ref/resample.cpp) and
// GridSample's bicubic mode (ref/grid_sample.cpp).
#pragma once

namespace edgec::rt::ref {

// The weights of the four taps base - 1, base, base + 1, base + 2 for a sample at
// base + r (r in [0, 1]), i.e. the kernel at distances 1 + r, r, 1 - r and 2 - r, with
// coefficient `a` (-0.75 in PyTorch and GridSample, ONNX Resize's cubic_coeff_a).
template <typename T> void keysCubicWeights(T r, T a, T w[4]) {
  const T s = 1 - r;
  w[0] = ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a;
  w[1] = ((a + 2) * r - (a + 3)) * r * r + 1;
  w[2] = ((a + 2) * s - (a + 3)) * s * s + 1;
  w[3] = ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a;
}

}  // namespace edgec::rt::ref
