// GgufMatMul (ref, ref/gguf_matmul.h): the activation quantizers on crafted values (ggml's
// x86 Q8_0/Q8_1 and Q8_K arithmetic: nearest-even codes, the f16 block scale, Q8_K's sign
// from the first largest element and its sums of 16), and the ref kernel for every weight
// type against an f64 matmul of the weight dequantized by ref::dequantizeRow (an
// independent decoder), within the error that quantizing the activations allows.
#include <gtest/gtest.h>

#include <cmath>

#include "gguf_matmul_test_util.h"
#include "ref/gguf_blocks.h"
#include "ref/gguf_matmul.h"

namespace edgec::rt::testing {
namespace {

float f16Round(float v) { return ref::halfToFloat(ref::halfFromDouble(v)); }

TEST(GgufMatMul, QuantizeQ8_0AndQ8_1ByHand) {
  // Block 0: max 127, so d = 1 and the codes are x to nearest even (0.5 -> 0, 1.5 -> 2,
  // -2.5 -> -2, 126.5 -> 126; ggml's portable roundf would give 1, 2, -3, 127). Block 1:
  // zeros. Block 2: max |-254| (d = 2, multiplier 0.5), 5 -> 2.5 -> 2, a NaN (ignored by
  // the max) -> 127. Block 3: max 0.1: d = f16(0.1 / 127), not 0.1 / 127 itself, and the
  // codes come from the multiplier 127 / 0.1 (0.1 -> 127, -0.05 -> about -63.5).
  std::vector<float> x(128, 0.f);
  const float b0[] = {127.f, 0.5f, -0.5f, 1.5f, -2.5f, 126.5f};
  std::copy(std::begin(b0), std::end(b0), x.begin());
  x[64] = -254.f;
  x[65] = 5.f;
  x[66] = NAN;
  x[96] = 0.1f;
  x[97] = -0.05f;
  std::vector<int8_t> q(128, 99);
  std::vector<float> d(4), s(4);
  std::vector<int32_t> sums(4);
  ref::quantizeRowQ8_0(x.data(), 128, q.data(), d.data(), sums.data());
  const std::vector<int8_t> head0{127, 0, 0, 2, -2, 126, 0};
  EXPECT_EQ(std::vector<int8_t>(q.begin(), q.begin() + 7), head0);
  EXPECT_EQ(std::vector<int8_t>(q.begin() + 32, q.begin() + 64), std::vector<int8_t>(32, 0));
  EXPECT_EQ(std::vector<int8_t>(q.begin() + 64, q.begin() + 68), (std::vector<int8_t>{-127, 2, 127, 0}));
  EXPECT_EQ(q[96], 127);
  EXPECT_EQ(q[97], int8_t(std::nearbyint(-0.05f * (127.0f / 0.1f))));
  EXPECT_EQ(d, (std::vector<float>{1.f, 0.f, 2.f, f16Round(0.1f / 127.0f)}));
  EXPECT_NE(d[3], 0.1f / 127.0f);
  EXPECT_EQ(sums, (std::vector<int32_t>{253, 0, 2, 127 + q[97]}));

  std::vector<int8_t> q1(128, 99);
  ref::quantizeRowQ8_1(x.data(), 128, q1.data(), d.data(), s.data(), nullptr);
  EXPECT_EQ(q1, q);
  // s = f16(sum * d32): 253, 0, 4, and sum * (0.1 / 127) rounded once to f16.
  EXPECT_EQ(s, (std::vector<float>{253.f, 0.f, 4.f, f16Round(float(127 + q[97]) * (0.1f / 127.0f))}));
}

TEST(GgufMatMul, QuantizeQ8_KByHand) {
  // Block 0: -127 comes before 127, so max = -127: iscale = 1, d = 1, nearest-even codes
  // (0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2). Block 1: max = +4 first: iscale = -31.75,
  // d = 1 / -31.75, codes negated (4 -> -127, -4 -> 127, 1 -> -31.75 -> -32). Block 2:
  // zeros: d = 0.
  std::vector<float> x(768, 0.f);
  const float b0[] = {-127.f, 0.5f, 1.5f, 2.5f, -2.5f, -0.5f};
  std::copy(std::begin(b0), std::end(b0), x.begin());
  x[10] = 127.f;
  x[40] = 3.f;
  x[256] = 4.f;
  x[257] = -4.f;
  x[258] = 1.f;
  x[300] = 0.25f;  // 0.25 * -31.75 = -7.9375 -> -8
  std::vector<int8_t> q(768, 99);
  std::vector<float> d(3);
  std::vector<int16_t> bsums(48, 99);
  ref::quantizeRowQ8_K(x.data(), 768, q.data(), d.data(), bsums.data());
  EXPECT_EQ(std::vector<int8_t>(q.begin(), q.begin() + 11), (std::vector<int8_t>{-127, 0, 2, 2, -2, 0, 0, 0, 0, 0, 127}));
  EXPECT_EQ(q[40], 3);
  EXPECT_EQ(std::vector<int8_t>(q.begin() + 256, q.begin() + 259), (std::vector<int8_t>{-127, 127, -32}));
  EXPECT_EQ(q[300], -8);
  EXPECT_EQ(d, (std::vector<float>{1.f, 1.0f / (-127.0f / 4.0f), 0.f}));
  EXPECT_LT(d[1], 0.f);
  std::vector<int16_t> want(48, 0);
  want[0] = 2;    // codes 0..15 of block 0
  want[2] = 3;    // code 40
  want[16] = -32; // codes 256..271
  want[18] = -8;  // code 300
  EXPECT_EQ(bsums, want);
}

TEST(GgufMatMul, RoundActivationsToF16AndBf16) {
  // f16: 1 + 2^-11 is a tie between 1 and 1 + 2^-10 (to even: 1); 1 + 3 * 2^-11 -> 1 + 2^-9.
  // bf16: 1 + 2^-8 ties to 1, 1 + 3 * 2^-8 to 1 + 2^-6; 1e-3 keeps its top 8 significand
  // bits, rounded; a NaN stays a NaN.
  const float x[] = {1.f + std::ldexp(1.f, -11), 1.f + 3 * std::ldexp(1.f, -11), 70000.f};
  float y[3];
  ref::roundRowF16(x, 3, y);
  EXPECT_EQ(y[0], 1.f);
  EXPECT_EQ(y[1], 1.f + std::ldexp(1.f, -9));
  EXPECT_EQ(y[2], INFINITY);
  const float xb[] = {1.f + std::ldexp(1.f, -8), 1.f + 3 * std::ldexp(1.f, -8), -3.f, NAN};
  float yb[4];
  ref::roundRowBf16(xb, 4, yb);
  EXPECT_EQ(yb[0], 1.f);
  EXPECT_EQ(yb[1], 1.f + std::ldexp(1.f, -6));
  EXPECT_EQ(yb[2], -3.f);
  EXPECT_TRUE(std::isnan(yb[3]));
}

struct Shape {
  std::vector<int64_t> x;  // [..., K]
  int64_t N;
  bool bias;
};

// The K formats need K % 256 == 0; the others run on the same shapes.
const Shape kShapes[] = {{{1, 512}, 9, true}, {{3, 256}, 16, false}, {{2, 2, 768}, 5, true}};

// Per element, how far the activation the kernel dots can be from x: half a code plus the
// f16 rounding of the block scale (Q8_0/Q8_1: 127 codes x 2^-11 relative), or the
// rounding to f16 / bf16.
double activationError(DType t, const float *x, int64_t K, int64_t k) {
  switch (t) {
    case DType::f32: return 0.0;
    case DType::f16: return std::ldexp(std::fabs(double(x[k])), -11);
    case DType::bf16: return std::ldexp(std::fabs(double(x[k])), -8);
    default: break;
  }
  const int64_t block = dtypeInfo(t).blockSize;  // Q8_K's 256 for the K formats, Q8_0/Q8_1's 32
  double amax = 0;
  for (int64_t j = k / block * block; j < k / block * block + block && j < K; ++j)
    amax = std::max(amax, std::fabs(double(x[j])));
  return amax / 254.0 * 1.0001 + (block == 32 ? std::ldexp(amax, -11) : 0.0);
}

TEST(GgufMatMul, RefMatchesDequantizedF64Matmul) {
  for (DType t : ggufMatMulTypes())
    for (const Shape &s : kShapes) {
      const int64_t K = s.x.back(), rows = numelOf(s.x) / K;
      Tensor w = randomGgufWeight(t, s.N, K, 11);
      Tensor x = ggufActivations(s.x, 12, /*outliers=*/false);
      Tensor bias = Tensor::of<float>({s.N}, randomFloats(s.N, 13));
      const std::vector<float> y = runGguf(x, w, s.bias ? &bias : nullptr, {Isa::Ref}, 1);
      const int64_t rowBytes = int64_t(w.view().nbytes()) / s.N;
      // Q4_1/Q5_1 add m * s per block, where s carries the f16 rounding of d32 * sum(q).
      const bool hasMin = t == DType::q4_1 || t == DType::q5_1;
      std::vector<float> wrow(static_cast<size_t>(K));
      for (int64_t n = 0; n < s.N; ++n) {
        const auto *wb = static_cast<const uint8_t *>(w.view().data) + n * rowBytes;
        if (t == DType::f32)
          std::memcpy(wrow.data(), wb, size_t(K) * sizeof(float));
        else
          ASSERT_TRUE(ref::dequantizeRow(t, wb, wrow.data(), K));
        for (int64_t r = 0; r < rows; ++r) {
          const float *xr = x.view().as<float>() + r * K;
          double want = s.bias ? bias.view().as<float>()[n] : 0.0, mag = std::fabs(want), err = 0;
          for (int64_t k = 0; k < K; ++k) {
            want += double(wrow[size_t(k)]) * xr[k];
            mag += std::fabs(double(wrow[size_t(k)]) * xr[k]);
            // The codes' part |w - m| against each activation's error, and the min's
            // m * (s - sum x), at most |m| times the same per-element error.
            double wk = std::fabs(double(wrow[size_t(k)]));
            if (hasMin) {
              const uint8_t *blk = wb + k / 32 * dtypeInfo(t).blockBytes;
              const double m = ref::halfToFloat(uint16_t(blk[2] | blk[3] << 8));
              wk = std::fabs(wrow[size_t(k)] - m) + std::fabs(m);
            }
            err += wk * activationError(t, xr, K, k);
          }
          // f32 rounding of the scale products and the per-block (or per-lane) sums.
          const double tol = err + 1e-5 * mag + 1e-6;
          EXPECT_NEAR(y[size_t(r * s.N + n)], want, tol) << dtypeName(t) << " row " << r << " col " << n;
          // The bound is tight enough to mean something: well below the output's size.
          if (t != DType::f32) {
            EXPECT_LT(tol, 0.02 * mag + 1e-3) << dtypeName(t);
          }
        }
      }
    }
}

TEST(GgufMatMul, BiasIsAddedLast) {
  Tensor w = randomGgufWeight(DType::q4_0, 4, 64, 3);
  Tensor x = ggufActivations({2, 64}, 4);
  Tensor bias = Tensor::of<float>({4}, {1.f, -2.f, 0.5f, 100.f});
  const std::vector<float> without = runGguf(x, w, nullptr, {Isa::Ref}, 1);
  const std::vector<float> with = runGguf(x, w, &bias, {Isa::Ref}, 1);
  for (size_t i = 0; i < with.size(); ++i) EXPECT_EQ(with[i], without[i] + bias.view().as<float>()[i % 4]) << i;
}

TEST(GgufMatMul, RefIsTheSameAtAnyThreadCount) {
  for (DType t : {DType::q6_k, DType::f16}) {
    Tensor w = randomGgufWeight(t, 37, 256, 5);
    Tensor x = ggufActivations({3, 256}, 6);
    const std::vector<float> one = runGguf(x, w, nullptr, {Isa::Ref}, 1);
    EXPECT_EQ(runGguf(x, w, nullptr, {Isa::Ref}, 3), one) << dtypeName(t);
  }
}

TEST(GgufMatMul, PrepareNamesWhatIsWrong) {
  auto expectError = [](Tensor &x, Tensor &w, Tensor *bias, const std::string &what) {
    try {
      runGguf(x, w, bias, {Isa::Ref}, 1);
      FAIL() << "expected an error containing: " << what;
    } catch (const Error &e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("test_node"), std::string::npos) << e.what();
    }
  };
  Tensor x = ggufActivations({1, 64}, 1);
  Tensor i8(DType::i8, {4, 64});
  expectError(x, i8, nullptr, "weight B has dtype i8, which GgufMatMul does not take");
  Tensor i16(DType::i16, {4, 256});
  Tensor x256 = ggufActivations({1, 256}, 1);
  expectError(x256, i16, nullptr, "weight B has dtype i16");
  Tensor w = randomGgufWeight(DType::q8_0, 4, 32, 1);
  expectError(x, w, nullptr, "A's last dim must be the weight's K (32)");
  Tensor w64 = randomGgufWeight(DType::q8_0, 4, 64, 1);
  Tensor shortBias = Tensor::of<float>({3}, randomFloats(3, 2));
  expectError(x, w64, &shortBias, "the bias C must be f32 [4]");
}

}  // namespace
}  // namespace edgec::rt::testing
