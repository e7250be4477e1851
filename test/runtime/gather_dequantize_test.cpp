// GatherDequantize (ref/gather_dequantize.cpp): embedding rows looked up by token id and
// decoded to f32. f32 rows are copied; f16, bf16 and q8_0 rows are checked against values
// computed here from the formats; every other GGUF type against ref::dequantizeRow (the
// decoder's own tests, gguf_blocks_test.cpp, check it against the format definitions),
// also from a table stored in the GgufRows16 layout.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "kernel_test_util.h"
#include "ref/gguf_blocks.h"
#include "ref/util.h"

namespace edgec::rt::testing {
namespace {

// A [V, E] table of `dtype` with random bytes, the scales of block types set to small
// finite f16 values so that every row decodes to finite numbers.
Tensor randomTable(DType dtype, int64_t V, int64_t E, uint32_t seed) {
  Tensor t(dtype, {V, E});
  std::mt19937 rng(seed);
  uint8_t *b = t.view().as<uint8_t>();
  const DTypeInfo &info = dtypeInfo(dtype);
  for (size_t i = 0; i < t.view().nbytes(); ++i) b[i] = uint8_t(rng());
  auto f16At = [&](size_t at) {
    const uint16_t h = ref::halfFromDouble(std::uniform_real_distribution<double>(-0.1, 0.1)(rng));
    b[at] = uint8_t(h);
    b[at + 1] = uint8_t(h >> 8);
  };
  if (dtype == DType::f16)
    for (int64_t i = 0; i < V * E; ++i) f16At(size_t(i) * 2);
  if (dtype == DType::bf16)
    for (int64_t i = 0; i < V * E; ++i) b[i * 2 + 1] = uint8_t(0x3c + rng() % 4);  // |x| in [2^-7, 2^1)
  if (info.isBlock()) {
    const int64_t blocks = V * E / info.blockSize;
    for (int64_t k = 0; k < blocks; ++k) {
      uint8_t *blk = b + k * info.blockBytes;
      const size_t base = size_t(blk - b);
      if (dtype == DType::q6_k) {
        f16At(base + 208);  // [ql[128], qh[64], scales[16], d]
      } else if (dtype == DType::q2_k) {
        f16At(base + 80);  // [scales[16], qs[64], d, dmin]
        f16At(base + 82);
      } else if (dtype == DType::q3_k) {
        f16At(base + 108);  // [hmask[32], qs[64], scales[12], d]
      } else {
        f16At(base);  // d first
        if (dtype == DType::q4_1 || dtype == DType::q5_1 || dtype == DType::q4_k || dtype == DType::q5_k)
          f16At(base + 2);  // m / dmin
      }
    }
  }
  return t;
}

template <typename I>
std::vector<float> gather(Tensor &table, const std::vector<int64_t> &shape, const std::vector<I> &ids,
                          int threads = 1) {
  Tensor ti = Tensor::of<I>(shape, ids);
  std::vector<int64_t> outShape = shape;
  outShape.push_back(table.shape()[1]);
  Tensor ty(DType::f32, outShape);
  AttrList none;
  runKernel("GatherDequantize", {&table, &ti}, {&ty}, none, {Isa::Ref}, threads);
  return ty.values<float>();
}

TEST(GatherDequantize, F32RowsAreCopied) {
  const auto data = randomFloats(5 * 6, 1);
  Tensor t = Tensor::of<float>({5, 6}, data);
  const auto y = gather<int64_t>(t, {2, 2}, {4, 0, 0, 2});
  const int64_t rows[] = {4, 0, 0, 2};
  for (int i = 0; i < 4; ++i)
    for (int e = 0; e < 6; ++e) ASSERT_EQ(y[i * 6 + e], data[rows[i] * 6 + e]);
}

TEST(GatherDequantize, F16Bf16AndQ8_0FromTheirFormats) {
  Tensor h = randomTable(DType::f16, 4, 8, 2), bf = randomTable(DType::bf16, 4, 8, 3), q8 = randomTable(DType::q8_0, 3, 64, 4);
  const auto yh = gather<int32_t>(h, {2}, {3, 1});
  const auto yb = gather<int32_t>(bf, {1}, {2});
  for (int e = 0; e < 8; ++e) {
    EXPECT_EQ(yh[e], ref::halfToFloat(h.view().as<uint16_t>()[3 * 8 + e]));
    EXPECT_EQ(yh[8 + e], ref::halfToFloat(h.view().as<uint16_t>()[1 * 8 + e]));
    const uint32_t bits = uint32_t(bf.view().as<uint16_t>()[2 * 8 + e]) << 16;  // bf16: the top half
    float want;
    std::memcpy(&want, &bits, 4);
    EXPECT_EQ(yb[e], want);
  }
  // q8_0: blocks of [d (f16), 32 int8 codes], x = d * code; row 1 is blocks 2 and 3.
  const auto y8 = gather<int64_t>(q8, {1}, {1});
  for (int e = 0; e < 64; ++e) {
    const uint8_t *blk = q8.view().as<uint8_t>() + (2 + e / 32) * 34;
    const float d = ref::halfToFloat(uint16_t(blk[0] | blk[1] << 8));
    ASSERT_EQ(y8[e], float(int8_t(blk[2 + e % 32])) * d) << e;
  }
}

TEST(GatherDequantize, EveryGgufTypeDecodesItsRows) {
  for (DType dt : {DType::q4_0, DType::q4_1, DType::q5_0, DType::q5_1, DType::q8_0, DType::q2_k, DType::q3_k,
                   DType::q4_k, DType::q5_k, DType::q6_k, DType::iq4_nl, DType::iq4_xs}) {
    const int64_t V = 7, E = 512;
    Tensor t = randomTable(dt, V, E, 10 + unsigned(dt));
    const std::vector<int64_t> ids = {6, 0, 3, 3, 5, 1};
    const auto y = gather<int64_t>(t, {3, 2}, ids);
    const size_t rowBytes = size_t(E / dtypeInfo(dt).blockSize) * dtypeInfo(dt).blockBytes;
    for (size_t i = 0; i < ids.size(); ++i) {
      std::vector<float> want(E);
      ASSERT_TRUE(ref::dequantizeRow(dt, t.view().as<uint8_t>() + ids[i] * rowBytes, want.data(), E));
      for (int64_t e = 0; e < E; ++e) {
        ASSERT_TRUE(std::isfinite(want[e]));
        ASSERT_EQ(y[i * E + e], want[e]) << dtypeName(dt) << " row " << ids[i] << " element " << e;
      }
    }
  }
}

TEST(GatherDequantize, SameBitsForAnyThreadCount) {
  Tensor t = randomTable(DType::q4_k, 64, 256, 5);
  std::vector<int32_t> ids(1024);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = int32_t(i * 37 % 64);
  const auto one = gather<int32_t>(t, {1024}, ids, 1);
  const auto four = gather<int32_t>(t, {1024}, ids, 4);
  EXPECT_EQ(std::memcmp(one.data(), four.data(), one.size() * 4), 0);
}

// A table of any GGUF block type stored in GgufRows16 (a tied embedding the head's GgufMatMul
// reads so) is read in place: takesLayout says so, and every looked-up row decodes to
// ref::dequantizeRow of the table's GGUF row, in full groups of 16 rows and in the last
// partial group (kept as GGUF rows), at 1-3 threads. Any other layout is refused at
// prepare.
TEST(GatherDequantize, Rows16TableReadInPlace) {
  for (DType dt : {DType::q4_0, DType::q4_1, DType::q5_0, DType::q5_1, DType::q8_0, DType::q4_k, DType::q5_k, DType::q6_k})
    for (int64_t V : {int64_t(16), int64_t(87)}) {
      const int64_t E = dt == DType::q4_0 || dt == DType::q8_0 ? 96 : 512;
      Tensor t = randomTable(dt, V, E, 40 + unsigned(dt) + unsigned(V));
      layouts::Desc d;
      std::string why;
      ASSERT_TRUE(layouts::describe(layouts::Kind::GgufRows16, unsigned(dt), {V, E}, -1, -1, 0, 0, d, why)) << why;
      std::vector<uint8_t> packed(size_t(layouts::packedBytes(d)));
      layouts::pack(d, t.view().data, packed.data(), nullptr);
      ASSERT_NE(std::memcmp(packed.data(), t.view().data, packed.size()), 0);
      TensorView stored = t.view();
      stored.data = packed.data();
      stored.layout = d;
      std::vector<int64_t> ids;
      for (int64_t i = 0; i < 2 * V; ++i) ids.push_back((i * 29 + 3) % V);
      ids.push_back(V - 1);
      ids.push_back(0);
      Tensor ti = Tensor::of<int64_t>({int64_t(ids.size())}, ids);
      Tensor y(DType::f32, {int64_t(ids.size()), E});
      const KernelSignature sig = viewSignature("GatherDequantize", {&stored, &ti.view()}, y.view());
      std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, {Isa::Ref}, nullptr);
      ASSERT_TRUE(k->takesLayout(sig, 0)) << dtypeName(dt);
      EXPECT_FALSE(k->takesLayout(sig, 1));
      k->prepare(sig);
      const size_t rowBytes = size_t(E / dtypeInfo(dt).blockSize) * dtypeInfo(dt).blockBytes;
      for (int threads : {1, 2, 3}) {
        std::memset(y.view().data, 0x5A, y.view().nbytes());
        runPrepared(*k, {&stored, &ti.view()}, {&y.view()}, threads);
        const std::vector<float> got = y.values<float>();
        for (size_t i = 0; i < ids.size(); ++i) {
          std::vector<float> want(static_cast<size_t>(E));
          ASSERT_TRUE(ref::dequantizeRow(dt, t.view().as<uint8_t>() + ids[i] * rowBytes, want.data(), E));
          ASSERT_EQ(std::memcmp(got.data() + i * E, want.data(), size_t(E) * 4), 0)
              << dtypeName(dt) << " V " << V << " row " << ids[i] << " threads " << threads;
        }
      }
    }
  // A layout that does not hold the table (another kind) is refused.
  Tensor t = randomTable(DType::q4_0, 16, 64, 7);
  TensorView odd = t.view();
  odd.layout.kind = layouts::Kind::I8W4;
  Tensor ti = Tensor::of<int64_t>({1}, {0}), y(DType::f32, {1, 64});
  const KernelSignature sig = viewSignature("GatherDequantize", {&odd, &ti.view()}, y.view());
  std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, {Isa::Ref}, nullptr);
  EXPECT_FALSE(k->takesLayout(sig, 0));
  EXPECT_NE(errorOf([&] { k->prepare(sig); }).find("the table's layout i8-w4 does not hold it"), std::string::npos);
}

TEST(GatherDequantize, ErrorsNameTheNodeAndIndex) {
  Tensor t = randomTable(DType::q8_0, 5, 32, 6);
  std::string e = errorOf([&] { gather<int64_t>(t, {3}, {0, 5, 1}); });
  EXPECT_NE(e.find("GatherDequantize node 'test_node'"), std::string::npos) << e;
  EXPECT_NE(e.find("index 5 (element 1 of indices)"), std::string::npos) << e;
  EXPECT_NE(e.find("5 rows"), std::string::npos) << e;
  e = errorOf([&] { gather<int32_t>(t, {1}, {-1}); });
  EXPECT_NE(e.find("index -1"), std::string::npos) << e;

  AttrList none;
  Tensor ids = Tensor::of<int64_t>({1}, {0}), y(DType::f32, {1, 32});
  Tensor u8(DType::u8, {5, 32}), f64(DType::f64, {5, 256}), y256(DType::f32, {1, 256});
  EXPECT_NE(errorOf([&] { runKernel("GatherDequantize", {&u8, &ids}, {&y}, none); }).find("unsupported dtype u8"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { runKernel("GatherDequantize", {&f64, &ids}, {&y256}, none); }).find("unsupported dtype f64"),
            std::string::npos);
  Tensor y2(DType::f32, {2, 32});
  EXPECT_NE(errorOf([&] { runKernel("GatherDequantize", {&t, &ids}, {&y2}, none); }).find("output has shape [2,32]"),
            std::string::npos);
  Tensor idsF(DType::f32, {1});
  EXPECT_NE(errorOf([&] { runKernel("GatherDequantize", {&t, &idsF}, {&y}, none); }).find("for indices"),
            std::string::npos);
  Tensor t3(DType::f32, {2, 2, 32});
  EXPECT_NE(errorOf([&] { runKernel("GatherDequantize", {&t3, &ids}, {&y}, none); }).find("data must be [V, E]"),
            std::string::npos);
}

}  // namespace
}  // namespace edgec::rt::testing
