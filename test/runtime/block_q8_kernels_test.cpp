// INT4 x INT8 (BlockQuantizedMatMul, `--precision int4-gN-a8`): the Q8 block quantizer and
// the ref kernel by hand, the ref kernel against a float64 evaluation of the same
// arithmetic (semantics, not bits), and the x86 kernels (AVX2, AVX-512 VNNI) bit-identical with ref at 1-3
// threads on odd shapes (GEMV and GEMM, N not a multiple of 8, K not a multiple of the
// block, i4 and u4 with zero points, with and without bias).
#include <gtest/gtest.h>

#include "blockwise_test_util.h"
#include "kernel_test_util.h"
#include "ref/block_q8.h"

namespace edgec::rt::testing {
namespace {

TEST(BlockQ8, QuantizeRowByHand) {
  // Blocks of 4 over K = 10: [127, 0.5, -1.5, 2.5] (scale 1: 0.5 -> 0 and 2.5 -> 2, ties to
  // even), four zeros (scale 0), then a partial block [-254, 3] (scale 2: 1.5 -> 2), padded.
  const std::vector<float> x{127.f, 0.5f, -1.5f, 2.5f, 0.f, 0.f, -0.f, 0.f, -254.f, 3.f};
  std::vector<int8_t> q(12, 99);
  std::vector<float> s(3);
  std::vector<int32_t> sums(3);
  ref::quantizeRowQ8(x.data(), 10, 4, q.data(), s.data(), sums.data());
  EXPECT_EQ(q, (std::vector<int8_t>{127, 0, -2, 2, 0, 0, 0, 0, -127, 2, 0, 0}));
  EXPECT_EQ(s, (std::vector<float>{1.f, 0.f, 2.f}));
  EXPECT_EQ(sums, (std::vector<int32_t>{127, 0, -125}));
}

// A BlockQuantizedMatMul call on x [rows..., K], weight [N, K] blocked along 1.
std::vector<float> runQ8(Tensor &x, BlockTensor &w, Tensor *bias, int64_t block, const std::vector<Isa> &isas,
                         int threads, Isa *chosen = nullptr) {
  std::vector<int64_t> yShape(x.shape());
  yShape.back() = w.codes.shape()[0];
  Tensor y(DType::f32, yShape);
  AttrList attrs;
  attrs.i("block_size", block);
  const Isa isa = runKernel("BlockQuantizedMatMul", {&x, &w.codes, bias}, {&y}, attrs, isas, threads);
  if (chosen)
    *chosen = isa;
  return y.values<float>();
}

TEST(BlockQ8, RefByHand) {
  // i4 weight [N = 2, K = 4], one block; x quantizes to [127, 0, -2, 2] with scale 1.
  // Row 0 codes [1, 2, 3, -8], scale 0.5: isum = 127 - 6 - 16 = 105 -> 52.5 (+ bias 1).
  // Row 1 codes [-1, 0, 7, 4], scale 0.25: isum = -127 - 14 + 8 = -133 -> -33.25 (+ bias -2).
  BlockTensor w(DType::i4, {2, 4}, 1, 4, false, 1);
  const uint8_t bytes[] = {0x21, 0x83, 0x0F, 0x47};
  std::memcpy(w.codes.view().data, bytes, 4);
  w.scales.view().as<float>()[0] = 0.5f;
  w.scales.view().as<float>()[1] = 0.25f;
  Tensor x = Tensor::of<float>({1, 4}, {127.f, 0.5f, -1.5f, 2.5f});
  Tensor bias = Tensor::of<float>({2}, {1.f, -2.f});
  EXPECT_EQ(runQ8(x, w, &bias, 4, {Isa::Ref}, 1), (std::vector<float>{53.5f, -35.25f}));
  EXPECT_EQ(runQ8(x, w, nullptr, 4, {Isa::Ref}, 1), (std::vector<float>{52.5f, -33.25f}));
}

struct Case {
  std::vector<int64_t> xShape; // [..., K]
  int64_t N, block;
  DType dtype;
  bool zeros, bias;
};

std::string name(const Case &c) {
  std::string s = "x";
  for (int64_t d : c.xShape)
    s += " " + std::to_string(d);
  return s + " N " + std::to_string(c.N) + " g" + std::to_string(c.block) + " " + dtypeName(c.dtype) +
         (c.zeros ? " zp" : "") + (c.bias ? " bias" : "");
}

const Case kCases[] = {
    {{1, 64}, 8, 32, DType::i4, false, true},    {{1, 256}, 17, 32, DType::u4, true, false},
    {{1, 200}, 33, 64, DType::i4, false, false}, {{2, 96}, 7, 32, DType::i4, true, true},
    {{5, 320}, 24, 128, DType::u4, true, true},  {{3, 4, 128}, 9, 64, DType::i4, false, true},
    {{1, 72}, 1, 32, DType::u4, false, false},   {{9, 512}, 40, 256, DType::i4, false, true},
    {{4, 136}, 16, 128, DType::u4, true, false}, {{1, 1024}, 64, 32, DType::i4, false, true},
};

// x with varied magnitudes per block, one all-zero block and exact ties (k + 0.5 codes).
Tensor makeInput(const std::vector<int64_t> &shape, uint32_t seed) {
  Tensor x(DType::f32, shape);
  std::vector<float> v = randomFloats(x.view().numel(), seed, -2.f, 2.f);
  const int64_t K = shape.back();
  for (size_t i = 0; i < v.size(); ++i) {
    const int64_t k = int64_t(i) % K;
    if (k % 97 == 5)
      v[i] *= 40.f; // an outlier
    if (i < 32 && K >= 64)
      v[i] = 0.f; // the first block of row 0 is zero
    if (k % 13 == 3)
      v[i] = std::round(v[i] * 4) / 8; // ties after scaling
  }
  std::memcpy(x.view().data, v.data(), v.size() * sizeof(float));
  return x;
}

TEST(BlockQ8, RefMatchesFloat64Semantics) {
  // The ref kernel against y = sum_k (q_k * sx) * ((w - z) * sw) + bias in double, with the
  // Q8 codes from quantizeRowQ8: only rounding of the f32 sum differs.
  for (const Case &c : kCases) {
    const int64_t K = c.xShape.back(), rows = numelOf(c.xShape) / K, blocks = (K + c.block - 1) / c.block;
    BlockTensor w(c.dtype, {c.N, K}, 1, c.block, c.zeros, 3);
    Tensor x = makeInput(c.xShape, 4);
    Tensor bias = Tensor::of<float>({c.N}, randomFloats(c.N, 5));
    const std::vector<float> y = runQ8(x, w, c.bias ? &bias : nullptr, c.block, {Isa::Ref}, 1);
    std::vector<int8_t> q(static_cast<size_t>(blocks * c.block));
    std::vector<float> sx(static_cast<size_t>(blocks));
    for (int64_t r = 0; r < rows; ++r) {
      ref::quantizeRowQ8(x.view().as<float>() + r * K, K, c.block, q.data(), sx.data(), nullptr);
      for (int64_t n = 0; n < c.N; ++n) {
        double want = c.bias ? bias.view().as<float>()[n] : 0.0, mag = std::fabs(want);
        for (int64_t k = 0; k < K; ++k) {
          const size_t b = size_t(n * blocks + k / c.block);
          const double wv =
              double(w.values[size_t(n * K + k)] - (c.zeros ? w.zeroValues[b] : 0)) * w.scales.view().as<float>()[b];
          const double t = double(q[size_t(k)]) * sx[size_t(k / c.block)] * wv;
          want += t;
          mag += std::fabs(t);
        }
        EXPECT_NEAR(y[size_t(r * c.N + n)], want, 1e-5 * mag + 1e-6) << name(c) << " row " << r << " col " << n;
      }
    }
  }
}

TEST(BlockQ8, PrepareNamesWhatIsWrong) {
  Tensor x = Tensor::of<float>({1, 64}, randomFloats(64, 2));
  auto expectError = [&](BlockTensor &w, int64_t block, Tensor *bias, const char *what) {
    try {
      runQ8(x, w, bias, block, {Isa::Ref}, 1);
      FAIL() << "expected an error containing: " << what;
    } catch (const Error &e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  BlockTensor w(DType::i4, {16, 64}, 1, 32, false, 1);
  expectError(w, 64, nullptr, "block_size 64 differs from the weight's block size 32");
  Tensor shortBias = Tensor::of<float>({15}, randomFloats(15, 3));
  expectError(w, 32, &shortBias, "the bias must be f32 [16]");
  BlockTensor alongN(DType::i4, {16, 64}, 0, 8, false, 1);
  expectError(alongN, 8, nullptr, "must be quantized in blocks along axis 1");
  BlockTensor wrongK(DType::u4, {16, 32}, 1, 32, false, 1);
  expectError(wrongK, 32, nullptr, "the input's last dim must be the weight's K (32)");
}

#if defined(__x86_64__)
TEST(BlockQ8X86, BitExactWithRefAtAnyThreadCount) {
  if (!cpuHasAvx2())
    GTEST_SKIP() << "no AVX2";
  for (const IsaLevel &level : x86Levels(/*needVnni=*/true))
    for (const Case &c : kCases) {
      const int64_t K = c.xShape.back();
      BlockTensor w(c.dtype, {c.N, K}, 1, c.block, c.zeros, 7);
      Tensor x = makeInput(c.xShape, 8);
      Tensor bias = Tensor::of<float>({c.N}, randomFloats(c.N, 9));
      Tensor *b = c.bias ? &bias : nullptr;
      const std::vector<float> want = runQ8(x, w, b, c.block, {Isa::Ref}, 1);
      for (int threads : {1, 2, 3}) {
        Isa chosen = Isa::Ref;
        const std::vector<float> got = runQ8(x, w, b, c.block, level.isas, threads, &chosen);
        EXPECT_EQ(chosen, level.expect) << level.name << " " << name(c);
        ASSERT_EQ(got.size(), want.size());
        for (size_t i = 0; i < got.size(); ++i)
          ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(float)), 0)
              << level.name << " " << name(c) << ", " << threads << " threads, element " << i << ": " << got[i]
              << " vs ref " << want[i];
      }
    }
}

TEST(BlockQ8X86, BlocksTheKernelCannotTakeRunOnRef) {
  if (!cpuHasAvx2())
    GTEST_SKIP() << "no AVX2";
  // Blocks of 16 (not whole 32-code runs) and an odd K: the registry picks ref.
  for (auto [K, block] : {std::pair<int64_t, int64_t>{64, 16}, {65, 32}}) {
    BlockTensor w(DType::i4, {8, K}, 1, block, false, 1);
    Tensor x = makeInput({1, K}, 2);
    Isa chosen = Isa::X86Avx2;
    runQ8(x, w, nullptr, block, x86Levels(false).front().isas, 1, &chosen);
    EXPECT_EQ(chosen, Isa::Ref) << K << " g" << block;
  }
}
#endif

} // namespace
} // namespace edgec::rt::testing
