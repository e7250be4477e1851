// Straightforward, slow implementations of Conv, MatMul and Gemm written from the ONNX
// definitions, independent of the kernels under test (double accumulation, one output
// element at a time).
#pragma once

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "kernel_test_util.h"

namespace edgec::rt::testing {

struct ConvCase {
  std::vector<int64_t> x;  // [N, C, D...]
  int64_t outChannels;
  int64_t group;
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads: begins then ends
  bool bias = true;
  std::string activation = "";  // "", "Relu", "Clip"; float Conv: "Sigmoid", "Silu", "HardSwish"
  float actMin = 0.f, actMax = 0.f;
  std::string threadSplit = "";  // the compiler's thread_split: "" or "channels"

  size_t nd() const { return x.size() - 2; }
  std::vector<int64_t> w() const {
    std::vector<int64_t> s = {outChannels, x[1] / group};
    s.insert(s.end(), kernel.begin(), kernel.end());
    return s;
  }
  std::vector<int64_t> y() const {
    std::vector<int64_t> s = {x[0], outChannels};
    for (size_t d = 0; d < nd(); ++d)
      s.push_back((x[2 + d] + pads[d] + pads[nd() + d] - dilations[d] * (kernel[d] - 1) - 1) /
                      strides[d] +
                  1);
    return s;
  }
  void fill(AttrList &attrs) const {
    attrs.i("group", group).ints("kernel_shape", kernel).ints("strides", strides);
    attrs.ints("dilations", dilations).ints("pads", pads);
    if (!activation.empty()) attrs.s("activation", activation.c_str());
    if (activation == "Clip") attrs.f("act_min", actMin).f("act_max", actMax);
    if (!threadSplit.empty()) attrs.s("thread_split", threadSplit.c_str());
  }
};

inline float naiveActivation(double v, const std::string &act, float lo, float hi) {
  if (act == "Relu") return static_cast<float>(std::max(v, 0.0));
  if (act == "Clip") return static_cast<float>(std::min(std::max(v, double(lo)), double(hi)));
  if (act == "Sigmoid") return static_cast<float>(1.0 / (1.0 + std::exp(-v)));
  if (act == "Silu") return static_cast<float>(v / (1.0 + std::exp(-v)));
  if (act == "HardSwish") return static_cast<float>(v * std::min(1.0, std::max(0.0, v / 6.0 + 0.5)));
  return static_cast<float>(v);
}

inline std::vector<float> naiveConv(const ConvCase &c, const std::vector<float> &x,
                                    const std::vector<float> &w, const std::vector<float> &b) {
  const std::vector<int64_t> yShape = c.y(), wShape = c.w();
  const int64_t cg = c.x[1] / c.group, mg = c.outChannels / c.group;
  const int64_t taps = numelOf(c.kernel);
  std::vector<float> y(numelOf(yShape));
  for (int64_t f = 0; f < numelOf(yShape); ++f) {
    const std::vector<int64_t> o = unflatIndex(f, yShape);
    const int64_t n = o[0], m = o[1], g = m / mg;
    double acc = c.bias ? b[m] : 0.0;
    for (int64_t ci = 0; ci < cg; ++ci) {
      for (int64_t t = 0; t < taps; ++t) {
        const std::vector<int64_t> k = unflatIndex(t, c.kernel);
        std::vector<int64_t> xi = {n, g * cg + ci};
        bool inside = true;
        for (size_t d = 0; d < c.nd(); ++d) {
          const int64_t p = o[2 + d] * c.strides[d] - c.pads[d] + k[d] * c.dilations[d];
          inside = inside && p >= 0 && p < c.x[2 + d];
          xi.push_back(p);
        }
        if (!inside) continue;
        std::vector<int64_t> wi = {m, ci};
        wi.insert(wi.end(), k.begin(), k.end());
        acc += double(x[flatIndex(xi, c.x)]) * w[flatIndex(wi, wShape)];
      }
    }
    y[f] = naiveActivation(acc, c.activation, c.actMin, c.actMax);
  }
  return y;
}

// numpy matmul with batch broadcasting; 1-D operands are promoted and the added dim
// dropped. Returns the output and its shape.
inline std::vector<float> naiveMatMul(std::vector<int64_t> as, const std::vector<float> &a,
                                      std::vector<int64_t> bs, const std::vector<float> &b,
                                      std::vector<int64_t> *outShape) {
  const bool aVec = as.size() == 1, bVec = bs.size() == 1;
  if (aVec) as.insert(as.begin(), 1);
  if (bVec) bs.push_back(1);
  const size_t rank = std::max(as.size(), bs.size());
  as.insert(as.begin(), rank - as.size(), 1);
  bs.insert(bs.begin(), rank - bs.size(), 1);
  const int64_t M = as[rank - 2], K = as[rank - 1], N = bs[rank - 1];
  std::vector<int64_t> full(rank);
  for (size_t d = 0; d + 2 < rank; ++d) full[d] = std::max(as[d], bs[d]);
  full[rank - 2] = M;
  full[rank - 1] = N;
  std::vector<float> y(numelOf(full));
  for (int64_t f = 0; f < numelOf(full); ++f) {
    const std::vector<int64_t> o = unflatIndex(f, full);
    std::vector<int64_t> ai = o, bi = o;
    for (size_t d = 0; d + 2 < rank; ++d) {
      if (as[d] == 1) ai[d] = 0;
      if (bs[d] == 1) bi[d] = 0;
    }
    double acc = 0;
    for (int64_t k = 0; k < K; ++k) {
      ai[rank - 1] = k;
      bi[rank - 2] = k;
      acc += double(a[flatIndex(ai, as)]) * b[flatIndex(bi, bs)];
    }
    y[f] = static_cast<float>(acc);
  }
  *outShape = std::vector<int64_t>(full.begin(), full.end() - 2);
  if (!aVec) outShape->push_back(M);
  if (!bVec) outShape->push_back(N);
  return y;
}

// Gemm: alpha * op(A) * op(B) + beta * C, C ([], [N], [M, 1], [1, N] or [M, N]) broadcast.
inline std::vector<float> naiveGemm(int64_t M, int64_t N, int64_t K, bool transA, bool transB,
                                    float alpha, float beta, const std::vector<float> &a,
                                    const std::vector<float> &b, const std::vector<int64_t> &cs,
                                    const std::vector<float> &c) {
  std::vector<float> y(M * N);
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      double acc = 0;
      for (int64_t k = 0; k < K; ++k)
        acc +=
            double(transA ? a[k * M + i] : a[i * K + k]) * (transB ? b[j * K + k] : b[k * N + j]);
      acc *= alpha;
      if (!c.empty()) {
        // Align C's dims to the right of [M, N]; size-1 dims broadcast.
        const int64_t rows = cs.size() == 2 ? cs[0] : 1;
        const int64_t cols = cs.empty() ? 1 : cs.back();
        acc += double(beta) * c[(rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j)];
      }
      y[i * N + j] = static_cast<float>(acc);
    }
  }
  return y;
}

}  // namespace edgec::rt::testing
