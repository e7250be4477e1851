// The x86 mover (x86_copy.h) behind Transpose, Slice, Expand, Tile, DepthToSpace and
// SpaceToDepth at the x86-avx2 level, against ref byte for byte: every path it has
// (block copies, fills, 8x8 register transposes of 32-bit elements and 16x16 ones of bytes
// with tails, blocked transposes of 2- and 8-byte elements, strided gathers), at 1, 2 and 3 threads, on
// inputs whose bytes are all distinct-ish random bits (NaN payloads included). Skipped
// without AVX2.
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>
#include <random>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

const std::vector<Isa> kAvx2 = {Isa::Ref, Isa::X86Avx2};

Tensor randomBytes(DType dtype, const std::vector<int64_t> &shape, uint32_t seed) {
  Tensor t(dtype, shape);
  std::mt19937 rng(seed);
  auto *p = static_cast<uint8_t *>(t.view().data);
  for (size_t i = 0; i < t.view().nbytes(); ++i) p[i] = static_cast<uint8_t>(rng());
  return t;
}

std::vector<uint8_t> bytesOf(Tensor &t) {
  const auto *p = static_cast<const uint8_t *>(t.view().data);
  return std::vector<uint8_t>(p, p + t.view().nbytes());
}

// Runs `op` on ref and on the x86 level at 1-3 threads; every output must equal ref's bytes.
void expectSameAsRef(const char *op, DType dtype, const std::vector<int64_t> &inShape,
                     const std::vector<int64_t> &outShape, AttrList &attrs, const std::vector<Tensor *> &extra = {}) {
  Tensor x = randomBytes(dtype, inShape, 7);
  std::vector<Tensor *> inputs = {&x};
  inputs.insert(inputs.end(), extra.begin(), extra.end());
  Tensor want(dtype, outShape);
  runKernel(op, inputs, {&want}, attrs, {Isa::Ref});
  for (int threads : {1, 2, 3}) {
    Tensor got = randomBytes(dtype, outShape, 99);  // garbage where nothing is written
    const Isa isa = runKernel(op, inputs, {&got}, attrs, kAvx2, threads);
    EXPECT_EQ(isa, Isa::X86Avx2) << op;
    EXPECT_EQ(bytesOf(got), bytesOf(want)) << op << " " << dtypeName(dtype) << " in " << ::testing::PrintToString(inShape)
                                           << " out " << ::testing::PrintToString(outShape) << " at " << threads
                                           << " threads";
  }
}

class X86Copy : public ::testing::Test {
protected:
  void SetUp() override {
    if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2";
  }
};

std::vector<int64_t> permuted(const std::vector<int64_t> &shape, const std::vector<int64_t> &perm) {
  std::vector<int64_t> out;
  for (int64_t p : perm) out.push_back(shape[size_t(p)]);
  return out;
}

void transpose(DType dtype, const std::vector<int64_t> &shape, const std::vector<int64_t> &perm) {
  AttrList attrs;
  attrs.ints("perm", perm);
  expectSameAsRef("Transpose", dtype, shape, permuted(shape, perm), attrs);
}

TEST_F(X86Copy, TransposeEveryPermutationOfRank4) {
  std::vector<int64_t> perm = {0, 1, 2, 3};
  do {
    for (DType t : {DType::f32, DType::u8, DType::f16, DType::i64}) transpose(t, {3, 9, 10, 11}, perm);
  } while (std::next_permutation(perm.begin(), perm.end()));
}

TEST_F(X86Copy, TransposeAttentionHeads) {
  transpose(DType::f32, {128, 4, 16}, {1, 0, 2});  // [S, H, D] -> [H, S, D]: 64-byte runs
  transpose(DType::f32, {128, 4, 16}, {1, 2, 0});  // -> [H, D, S]: 2-D transposes (16 x 128)
  transpose(DType::f32, {4, 128, 16}, {1, 0, 2});
  // Static INT8's heads on codes: 16-byte runs, and 16x16 byte blocks (with tails: 20 x 37).
  transpose(DType::i8, {128, 4, 16}, {1, 0, 2});
  transpose(DType::i8, {128, 4, 16}, {1, 2, 0});
  transpose(DType::u8, {37, 3, 20}, {1, 2, 0});
}

TEST_F(X86Copy, TransposeMatricesWithTails) {
  for (int64_t m : {1, 7, 8, 9, 37, 64})
    for (int64_t n : {1, 5, 8, 15, 16, 33}) {
      transpose(DType::f32, {m, n}, {1, 0});
      transpose(DType::u8, {m, n}, {1, 0});
    }
}

TEST_F(X86Copy, TransposeLargeLayoutsOverThreads) {
  transpose(DType::f32, {1, 64, 56, 56}, {0, 2, 3, 1});   // NCHW -> NHWC
  transpose(DType::f32, {1, 56, 56, 64}, {0, 3, 1, 2});   // NHWC -> NCHW
  transpose(DType::u8, {2, 116, 2, 28, 28}, {0, 2, 1, 3, 4});  // ShuffleNet's channel shuffle
  transpose(DType::f16, {300, 500}, {1, 0});
}

void slice(DType dtype, const std::vector<int64_t> &inShape, const std::vector<int64_t> &starts,
           const std::vector<int64_t> &steps, const std::vector<int64_t> &outShape) {
  AttrList attrs;
  attrs.ints("starts", starts).ints("steps", steps);
  expectSameAsRef("Slice", dtype, inShape, outShape, attrs);
}

TEST_F(X86Copy, Slice) {
  slice(DType::f32, {128, 1, 192}, {0, 0, 64}, {1, 1, 1}, {128, 1, 64});  // a third of a fused QKV
  slice(DType::f32, {2, 116, 28, 28}, {0, 58, 0, 0}, {1, 1, 1, 1}, {2, 58, 28, 28});
  slice(DType::f32, {9, 40, 41}, {8, 39, 40}, {-1, -2, -3}, {9, 20, 14});  // backwards
  slice(DType::u8, {64, 300}, {1, 3}, {2, 5}, {32, 60});
  slice(DType::i64, {5, 6, 7}, {1, 0, 2}, {1, 1, 2}, {3, 6, 3});
  slice(DType::f32, {512, 512}, {0, 0}, {1, 2}, {512, 256});  // every other column, over threads
}

TEST_F(X86Copy, SliceWithRunTimeStartsAndEnds) {
  Tensor starts = Tensor::of<int64_t>({2}, {1, -30}), ends = Tensor::of<int64_t>({2}, {100, -2});
  Tensor axes = Tensor::of<int64_t>({2}, {0, 2}), steps = Tensor::of<int64_t>({2}, {3, 2});
  AttrList none;
  expectSameAsRef("Slice", DType::f32, {50, 3, 40}, {17, 3, 14}, none, {&starts, &ends, &axes, &steps});
}

TEST_F(X86Copy, ExpandAndTile) {
  AttrList none;
  expectSameAsRef("Expand", DType::f32, {3, 1, 5}, {2, 3, 4, 5}, none);
  expectSameAsRef("Expand", DType::u8, {1}, {300, 301}, none);
  expectSameAsRef("Expand", DType::f32, {1, 64, 1, 1}, {1, 64, 56, 56}, none);  // fills over threads
  expectSameAsRef("Tile", DType::f32, {2, 3, 5}, {4, 3, 15}, none);
  expectSameAsRef("Tile", DType::i64, {7, 1}, {14, 9}, none);
}

TEST_F(X86Copy, DepthToSpaceAndSpaceToDepth) {
  for (const char *mode : {"DCR", "CRD"}) {
    AttrList attrs;
    attrs.i("blocksize", 2).s("mode", mode);
    expectSameAsRef("DepthToSpace", DType::f32, {1, 32, 20, 21}, {1, 8, 40, 42}, attrs);
  }
  AttrList attrs;
  attrs.i("blocksize", 3);
  expectSameAsRef("SpaceToDepth", DType::f32, {2, 5, 27, 12}, {2, 45, 9, 4}, attrs);
}

TEST_F(X86Copy, BadCallsFailAsOnRef) {
  AttrList attrs;
  attrs.ints("perm", {0, 0, 1});
  Tensor x = randomBytes(DType::f32, {2, 3, 4}, 1), y(DType::f32, {2, 2, 3});
  try {
    runKernel("Transpose", {&x}, {&y}, attrs, kAvx2);
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("is not a permutation"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace edgec::rt::testing
