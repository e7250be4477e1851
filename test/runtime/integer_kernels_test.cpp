// The ref MatMulInteger, ConvInteger and DynamicQuantizeLinear kernels (ONNX's
// integer-output ops): the ONNX spec's examples, random shapes against naive int64 loops
// (written here from the spec, independently of the kernels), every thread count giving
// the same result, and the calls they refuse.
#include <cmath>
#include <limits>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

template <typename T> std::vector<T> randomInts(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  std::vector<T> v(size_t(n), 0);
  for (T &x : v) x = T(dist(rng));
  return v;
}

TEST(MatMulInteger, OnnxSpecExample) {
  Tensor a = Tensor::of<uint8_t>({4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0});
  Tensor b = Tensor::of<uint8_t>({3, 2}, {1, 4, 2, 5, 3, 6});
  Tensor az = Tensor::of<uint8_t>({}, {12}), bz = Tensor::of<uint8_t>({}, {0});
  Tensor y(DType::i32, {4, 2});
  runKernel("MatMulInteger", {&a, &b, &az, &bz}, {&y});
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{-38, -83, -44, -98, -50, -113, -56, -128}));
}

// Batched, A broadcast over B's batch, a per-row and b per-column zero points, u8 x i8.
TEST(MatMulInteger, RandomAgainstNaive) {
  const int64_t batch = 3, M = 5, K = 37, N = 6;
  std::vector<uint8_t> av = randomInts<uint8_t>(M * K, 1);
  std::vector<int8_t> bv = randomInts<int8_t>(batch * K * N, 2);
  std::vector<uint8_t> azv = randomInts<uint8_t>(M, 3);
  std::vector<int8_t> bzv = randomInts<int8_t>(N, 4);
  std::vector<int32_t> expect;
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        int64_t acc = 0;
        for (int64_t k = 0; k < K; ++k)
          acc += (int64_t(av[i * K + k]) - azv[i]) * (int64_t(bv[(n * K + k) * N + j]) - bzv[j]);
        expect.push_back(int32_t(acc));
      }
  for (int threads : {1, 2, 3}) {
    Tensor a = Tensor::of<uint8_t>({M, K}, av), b = Tensor::of<int8_t>({batch, K, N}, bv);
    Tensor az = Tensor::of<uint8_t>({M}, azv), bz = Tensor::of<int8_t>({N}, bzv);
    Tensor y(DType::i32, {batch, M, N});
    AttrList none;
    runKernel("MatMulInteger", {&a, &b, &az, &bz}, {&y}, none, {Isa::Ref}, threads);
    EXPECT_EQ(y.values<int32_t>(), expect) << threads << " threads";
  }
}

TEST(MatMulInteger, RefusesBadCalls) {
  Tensor a = Tensor::of<uint8_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = Tensor::of<uint8_t>({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor z = Tensor::of<uint8_t>({}, {0}), zi8 = Tensor::of<int8_t>({}, {0});
  Tensor z3 = Tensor::of<uint8_t>({3}, {0, 0, 0});
  Tensor y(DType::i32, {2, 2}), yf(DType::f32, {2, 2});
  EXPECT_THROW(runKernel("MatMulInteger", {&a, &b, &zi8, &z}, {&y}), Error);  // zero point of another type
  EXPECT_THROW(runKernel("MatMulInteger", {&a, &b, &z3, &z}, {&y}), Error);   // 3 values for 2 rows
  EXPECT_THROW(runKernel("MatMulInteger", {&a, &b, &z, &z3}, {&y}), Error);   // 3 values for 2 columns
  EXPECT_THROW(runKernel("MatMulInteger", {&a, &b, &z, &z}, {&yf}), Error);   // f32 output
  EXPECT_THROW(runKernel("MatMulInteger", {&a, &b}, {&y}), Error);            // zero points missing
}

TEST(ConvInteger, OnnxSpecExampleWithPadding) {
  Tensor x = Tensor::of<uint8_t>({1, 1, 3, 3}, {2, 3, 4, 5, 6, 7, 8, 9, 10});
  Tensor w = Tensor::of<uint8_t>({1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor xz = Tensor::of<uint8_t>({}, {1}), wz = Tensor::of<uint8_t>({}, {0});
  Tensor y(DType::i32, {1, 1, 4, 4});
  AttrList attrs;
  attrs.ints("strides", {1, 1}).ints("pads", {1, 1, 1, 1}).ints("dilations", {1, 1}).i("group", 1);
  runKernel("ConvInteger", {&x, &w, &xz, &wz}, {&y}, attrs);
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9}));
}

// Grouped, strided, dilated, asymmetric pads, per-channel weight zero points, i8 x u8.
TEST(ConvInteger, RandomAgainstNaive) {
  const int64_t N = 2, C = 4, H = 7, W = 6, M = 6, G = 2, KH = 3, KW = 2;
  const int64_t sh = 2, sw = 1, dh = 1, dw = 2, pt = 1, pl = 0, pb = 2, pr = 1;
  const int64_t OH = (H + pt + pb - (dh * (KH - 1) + 1)) / sh + 1, OW = (W + pl + pr - (dw * (KW - 1) + 1)) / sw + 1;
  std::vector<int8_t> xv = randomInts<int8_t>(N * C * H * W, 5);
  std::vector<uint8_t> wv = randomInts<uint8_t>(M * (C / G) * KH * KW, 6);
  std::vector<uint8_t> wzv = randomInts<uint8_t>(M, 7);
  const int8_t zx = -3;
  std::vector<int32_t> expect;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          int64_t acc = 0;
          const int64_t g = m / (M / G);
          for (int64_t c = 0; c < C / G; ++c)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t ih = oh * sh - pt + kh * dh, iw = ow * sw - pl + kw * dw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const int64_t xi = ((n * C + g * (C / G) + c) * H + ih) * W + iw;
                const int64_t wi = ((m * (C / G) + c) * KH + kh) * KW + kw;
                acc += (int64_t(xv[size_t(xi)]) - zx) * (int64_t(wv[size_t(wi)]) - wzv[size_t(m)]);
              }
          expect.push_back(int32_t(acc));
        }
  for (int threads : {1, 2}) {
    Tensor x = Tensor::of<int8_t>({N, C, H, W}, xv), w = Tensor::of<uint8_t>({M, C / G, KH, KW}, wv);
    Tensor xz = Tensor::of<int8_t>({1}, {zx}), wz = Tensor::of<uint8_t>({M}, wzv);
    Tensor y(DType::i32, {N, M, OH, OW});
    AttrList attrs;
    attrs.ints("strides", {sh, sw}).ints("pads", {pt, pl, pb, pr}).ints("dilations", {dh, dw}).i("group", G);
    runKernel("ConvInteger", {&x, &w, &xz, &wz}, {&y}, attrs, {Isa::Ref}, threads);
    EXPECT_EQ(y.values<int32_t>(), expect) << threads << " threads";
  }
}

TEST(ConvInteger, RefusesBadZeroPoints) {
  Tensor x = Tensor::of<uint8_t>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor w = Tensor::of<uint8_t>({2, 1, 1, 1}, {1, 2});
  Tensor z = Tensor::of<uint8_t>({}, {0}), z2 = Tensor::of<uint8_t>({2}, {0, 1});
  Tensor z3 = Tensor::of<uint8_t>({3}, {0, 1, 2});
  Tensor y(DType::i32, {1, 2, 2, 2});
  AttrList attrs;
  attrs.ints("strides", {1, 1}).ints("pads", {0, 0, 0, 0}).ints("dilations", {1, 1}).i("group", 1);
  EXPECT_THROW(runKernel("ConvInteger", {&x, &w, &z2, &z}, {&y}, attrs), Error);  // x zero point per tensor only
  EXPECT_THROW(runKernel("ConvInteger", {&x, &w, &z, &z3}, {&y}, attrs), Error);  // 3 values for 2 channels
  runKernel("ConvInteger", {&x, &w, &z, &z2}, {&y}, attrs);                       // one per output channel
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{1, 2, 3, 4, 1, 2, 3, 4}));
}

struct DqlResult {
  std::vector<uint8_t> y;
  float scale;
  uint8_t zp;
};
DqlResult dynamicQuantize(const std::vector<float> &x) {
  Tensor tx = Tensor::of<float>({int64_t(x.size())}, x);
  Tensor y(DType::u8, {int64_t(x.size())}), s(DType::f32, {}), z(DType::u8, {});
  runKernel("DynamicQuantizeLinear", {&tx}, {&y, &s, &z});
  return {y.values<uint8_t>(), s.values<float>()[0], z.values<uint8_t>()[0]};
}

// The three cases of ONNX's test_dynamicquantizelinear*, values from its generator
// (numpy in f32).
TEST(DynamicQuantizeLinear, OnnxSpecExamples) {
  DqlResult r = dynamicQuantize({0, 2, -3, -2.5f, 1.34f, 0.5f});
  EXPECT_EQ(r.scale, 0.019607844f);
  EXPECT_EQ(r.zp, 153);
  EXPECT_EQ(r.y, (std::vector<uint8_t>{153, 255, 0, 26, 221, 179}));
  r = dynamicQuantize({-1.0f, -2.1f, -1.3f, -2.5f, -3.34f, -4.0f});
  EXPECT_EQ(r.scale, 0.015686275f);
  EXPECT_EQ(r.zp, 255);
  EXPECT_EQ(r.y, (std::vector<uint8_t>{191, 121, 172, 96, 42, 0}));
  r = dynamicQuantize({1, 2.1f, 1.3f, 2.5f, 3.34f, 4.0f, 1.5f, 2.6f, 3.9f, 4.0f, 3.0f, 2.345f});
  EXPECT_EQ(r.scale, 0.015686275f);
  EXPECT_EQ(r.zp, 0);
  EXPECT_EQ(r.y, (std::vector<uint8_t>{64, 134, 83, 159, 213, 255, 96, 166, 249, 255, 191, 149}));
}

// All zeros: ONNX Runtime's scale 1 (the spec's formula would give 0 and divide by it);
// NaN is skipped by min/max and quantizes to the zero point.
TEST(DynamicQuantizeLinear, ZerosAndNaN) {
  DqlResult r = dynamicQuantize({0, 0, 0});
  EXPECT_EQ(r.scale, 1.f);
  EXPECT_EQ(r.zp, 0);
  EXPECT_EQ(r.y, (std::vector<uint8_t>{0, 0, 0}));
  r = dynamicQuantize({std::nanf(""), -1.f, 1.f});
  EXPECT_EQ(r.scale, 2.f / 255.f);
  EXPECT_EQ(r.zp, 127);  // 1 / (2 / 255) is 127.49999 in f32
  EXPECT_EQ(r.y, (std::vector<uint8_t>{127, 0, 254}));
}

}  // namespace
}  // namespace edgec::rt::testing
