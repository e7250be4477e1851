// Weight-only blockwise (int4 group-wise) kernels: the ref MatMul/Gemm/Conv against the
// float ref kernels on the dequantized weight (bit-exact: ref dequantizes as
// DequantizeLinear does and sums in the float ref's order), DequantizeLinear against
// hand-computed values, and the AVX2 int4 MatMul/Gemm against ref within a stated float
// tolerance (summation order), bit-identical for any thread count.
#include <gtest/gtest.h>

#include "blockwise_test_util.h"
#include "kernel_test_util.h"
#include "model.h"

namespace edgec::rt::testing {
namespace {

// The dequantized weight through the blockwise DequantizeLinear kernel.
Tensor dequantized(BlockTensor &w, const std::vector<Isa> &isas = {Isa::Ref}) {
  Tensor out(DType::f32, w.codes.shape());
  AttrList none;
  EXPECT_EQ(runKernel("DequantizeLinear", {&w.codes}, {&out}, none, isas), Isa::Ref);
  return out;
}

TEST(Blockwise, DequantizeLinearByHand) {
  // i4 [2, 4], groups of 3 along axis 1 (the last partial): codes row 0: 7 -8 1 -1,
  // row 1: 0 2 -3 5; scales [[0.5, 2], [1, 0.25]].
  Tensor codes(DType::i4, {2, 4}), scales = Tensor::of<float>({2, 2}, {0.5f, 2.f, 1.f, 0.25f});
  const uint8_t bytes[] = {0x87, 0xF1, 0x20, 0x5D};
  std::memcpy(codes.view().data, bytes, 4);
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(pkg::CreateQuantInfo(fbb, pkg::QuantScheme::Blockwise, 1, 3, pkg::DType::f32, 1, -1));
  codes.view().quant = flatbuffers::GetRoot<pkg::QuantInfo>(fbb.GetBufferPointer());
  codes.view().scales = &scales.view();
  Tensor y(DType::f32, {2, 4});
  runKernel("DequantizeLinear", {&codes}, {&y});
  EXPECT_EQ(y.values<float>(), (std::vector<float>{3.5f, -4.f, 0.5f, -2.f, 0.f, 2.f, -3.f, 1.25f}));

  // u4 with zero points [[8, 1], [15, 0]]: (q - z) * s.
  Tensor u(DType::u4, {2, 4}), z(DType::u4, {2, 2});
  std::memcpy(u.view().data, bytes, 4);  // codes 7 8 1 15 | 0 2 13 5
  const uint8_t zb[] = {0x18, 0x0F};
  std::memcpy(z.view().data, zb, 2);
  flatbuffers::FlatBufferBuilder fbb2;
  fbb2.Finish(pkg::CreateQuantInfo(fbb2, pkg::QuantScheme::Blockwise, 1, 3, pkg::DType::f32, 1, 2));
  u.view().quant = flatbuffers::GetRoot<pkg::QuantInfo>(fbb2.GetBufferPointer());
  u.view().scales = &scales.view();
  u.view().zero_points = &z.view();
  runKernel("DequantizeLinear", {&u}, {&y});
  EXPECT_EQ(y.values<float>(), (std::vector<float>{-0.5f, 0.f, -3.5f, 28.f, -15.f, -13.f, -2.f, 1.25f}));
}

struct Case {
  int64_t M, K, N, block;
  bool transB, asym;
};

std::string name(const Case &c) {
  return std::to_string(c.M) + "x" + std::to_string(c.K) + "x" + std::to_string(c.N) + " g" +
         std::to_string(c.block) + (c.transB ? " transB" : "") + (c.asym ? " asym" : "");
}

// Gemm (or MatMul when !transB and no C) with a blockwise B: returns Y.
std::vector<float> runBlockwise(const std::string &op, const Case &c, BlockTensor &w, Tensor &a, Tensor *bias,
                                const std::vector<Isa> &isas, int threads, Isa *chosen = nullptr) {
  Tensor y(DType::f32, {c.M, c.N});
  AttrList attrs;
  if (op == "Gemm") attrs.f("alpha", 1.f).f("beta", 1.f).i("transA", 0).i("transB", c.transB ? 1 : 0);
  std::vector<Tensor *> in{&a, &w.codes};
  if (op == "Gemm") in.push_back(bias);
  const Isa isa = runKernel(op, in, {&y}, attrs, isas, threads);
  if (chosen) *chosen = isa;
  return y.values<float>();
}

const Case kCases[] = {
    {1, 64, 32, 32, false, false},   {1, 256, 40, 32, false, true},  {1, 96, 48, 64, false, false},
    {2, 128, 66, 128, false, true},  {1, 256, 24, 32, true, false},  {1, 192, 17, 64, true, true},
    {3, 160, 10, 128, true, false},  {4, 256, 70, 32, false, false}, {7, 96, 130, 64, false, true},
    {5, 512, 33, 128, true, true},   {9, 64, 16, 32, true, false},   {1, 100, 10, 32, false, false},
    {6, 100, 12, 7, false, true},    {1, 96, 9, 48, true, false},
};

TEST(Blockwise, RefEqualsFloatKernelsOnDequantizedWeights) {
  for (const Case &c : kCases) {
    for (const char *op : {"MatMul", "Gemm"}) {
      if (std::string(op) == "MatMul" && c.transB) continue;
      BlockTensor w(c.asym ? DType::u4 : DType::i4, c.transB ? std::vector<int64_t>{c.N, c.K} : std::vector<int64_t>{c.K, c.N},
                    c.transB ? 1 : 0, c.block, c.asym, uint32_t(c.K * 31 + c.N));
      Tensor a = Tensor::of<float>({c.M, c.K}, randomFloats(c.M * c.K, 3));
      Tensor bias = Tensor::of<float>({c.N}, randomFloats(c.N, 4));
      Tensor wf = dequantized(w);
      const std::vector<float> got = runBlockwise(op, c, w, a, &bias, {Isa::Ref}, 1);
      Tensor y(DType::f32, {c.M, c.N});
      AttrList attrs;
      std::vector<Tensor *> in{&a, &wf};
      if (std::string(op) == "Gemm") {
        attrs.f("alpha", 1.f).f("beta", 1.f).i("transA", 0).i("transB", c.transB ? 1 : 0);
        in.push_back(&bias);
      }
      runKernel(op, in, {&y}, attrs);
      EXPECT_EQ(got, y.values<float>()) << op << " " << name(c);
    }
  }
}

TEST(Blockwise, ConvRunsTheFloatConvOnTheDequantizedWeight) {
  // W [8, 12, 3, 3] in groups of 8 input channels (axis 1; the second group partial).
  BlockTensor w(DType::i4, {8, 12, 3, 3}, 1, 8, false, 5);
  Tensor x = Tensor::of<float>({1, 12, 6, 6}, randomFloats(12 * 36, 6));
  Tensor b = Tensor::of<float>({8}, randomFloats(8, 7));
  Tensor wf = dequantized(w);
  AttrList attrs;
  attrs.ints("dilations", {1, 1}).i("group", 1).ints("pads", {1, 1, 1, 1}).ints("strides", {1, 1});
  std::vector<Isa> levels{Isa::Ref};
#if defined(__x86_64__)
  for (Isa isa : hostIsas())
    if (isa != Isa::Ref) levels.push_back(isa);
#endif
  std::vector<Isa> isas;
  for (Isa level : levels) {
    isas.push_back(level);
    Tensor y(DType::f32, {1, 8, 6, 6}), yf(DType::f32, {1, 8, 6, 6});
    EXPECT_EQ(runKernel("Conv", {&x, &w.codes, &b}, {&y}, attrs, isas), level);
    runKernel("Conv", {&x, &wf, &b}, {&yf}, attrs, isas);
    EXPECT_EQ(y.values<float>(), yf.values<float>()) << isaName(level);
  }
}

TEST(Blockwise, PrepareNamesWhatIsWrong) {
  BlockTensor w(DType::i4, {64, 16}, 1, 32, false, 1);  // blocks along N, not K
  Tensor a = Tensor::of<float>({1, 64}, randomFloats(64, 2));
  Tensor y(DType::f32, {1, 16});
  AttrList none;
  try {
    runKernel("MatMul", {&a, &w.codes}, {&y}, none);
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("must be quantized in blocks along axis 0"), std::string::npos) << e.what();
  }
  w.scales.view().as<float>()[3] = 0.f;
  BlockTensor good(DType::i4, {64, 16}, 0, 32, false, 1);
  good.scales.view().as<float>()[3] = -1.f;
  EXPECT_THROW(runKernel("MatMul", {&a, &good.codes}, {&y}, none), Error);
}

#if defined(__x86_64__)
// |x86 - ref| <= 3e-5 * sum_k |a_k * w_kn| + 1e-6: the two sum the same products in
// another order (and x86 applies the scale per group, not per element).
TEST(BlockwiseX86, Int4MatMulAndGemmAgreeWithRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2";
  const std::vector<Isa> x86{Isa::Ref, Isa::X86Avx2};
  for (const Case &c : kCases) {
    for (const char *op : {"MatMul", "Gemm"}) {
      if (std::string(op) == "MatMul" && c.transB) continue;
      BlockTensor w(c.asym ? DType::u4 : DType::i4, c.transB ? std::vector<int64_t>{c.N, c.K} : std::vector<int64_t>{c.K, c.N},
                    c.transB ? 1 : 0, c.block, c.asym, uint32_t(c.K * 31 + c.N));
      Tensor a = Tensor::of<float>({c.M, c.K}, randomFloats(c.M * c.K, 3));
      Tensor bias = Tensor::of<float>({c.N}, randomFloats(c.N, 4));
      Tensor wf = dequantized(w);
      const std::vector<float> ref = runBlockwise(op, c, w, a, &bias, {Isa::Ref}, 1);
      Isa chosen;
      const std::vector<float> got = runBlockwise(op, c, w, a, &bias, x86, 1, &chosen);
      // The AVX2 kernel takes [K, N] weights with N even, and [N, K] with K and the
      // group a multiple of 16; the others stay on ref.
      const bool accepted = c.transB ? c.K % 16 == 0 && c.block % 16 == 0 : c.N % 2 == 0;
      EXPECT_EQ(chosen, accepted ? Isa::X86Avx2 : Isa::Ref) << op << " " << name(c);
      const float *wv = wf.view().as<float>();
      for (int64_t m = 0; m < c.M; ++m)
        for (int64_t n = 0; n < c.N; ++n) {
          double mag = 0;
          for (int64_t k = 0; k < c.K; ++k)
            mag += std::fabs(a.values<float>()[size_t(m * c.K + k)] * wv[c.transB ? n * c.K + k : k * c.N + n]);
          const size_t i = size_t(m * c.N + n);
          ASSERT_NEAR(got[i], ref[i], 3e-5 * mag + 1e-6) << op << " " << name(c) << " at " << m << "," << n;
        }
      for (int threads : {2, 3})
        EXPECT_EQ(runBlockwise(op, c, w, a, &bias, x86, threads), got) << op << " " << name(c) << ", " << threads
                                                                          << " threads";
    }
  }
}

TEST(BlockwiseX86, LargeGemvAndGemm) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2";
  for (bool transB : {false, true})
    for (int64_t M : {1, 16}) {
      const Case c{M, 1024, 512, 128, transB, !transB};
      BlockTensor w(c.asym ? DType::u4 : DType::i4, transB ? std::vector<int64_t>{c.N, c.K} : std::vector<int64_t>{c.K, c.N},
                    transB ? 1 : 0, c.block, c.asym, 11);
      Tensor a = Tensor::of<float>({c.M, c.K}, randomFloats(c.M * c.K, 12));
      const std::vector<float> ref = runBlockwise("Gemm", c, w, a, nullptr, {Isa::Ref}, 1);
      Isa chosen;
      const std::vector<float> got = runBlockwise("Gemm", c, w, a, nullptr, {Isa::Ref, Isa::X86Avx2}, 2, &chosen);
      EXPECT_EQ(chosen, Isa::X86Avx2);
      expectNear(got, ref, 1e-4f, name(c));
    }
}
#endif

}  // namespace
}  // namespace edgec::rt::testing
