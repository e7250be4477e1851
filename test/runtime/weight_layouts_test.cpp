// Packed weight layouts (edgec/weight_layouts.h): pack places every element where the
// documented formula says and unpack inverts it exactly (odd shapes: N and K not multiples
// of the tile, several matrices, both k axes, i8/u8 and i4/u4, partial int4 blocks, Conv
// groups, channels not a multiple of 4, 1-D to 3-D kernels); the I8W4 and I8ConvW4 column
// sums equal the signed sums computed here; and the x86 kernels that read a stored layout
// (int8 MatMul/Gemm, DynamicQuantizedMatMul, BlockQuantizedMatMul, the AVX2 ones reading
// half of a 16-column int4 tile, the int8 Conv on every path but depthwise) give ref's
// bits on the row-major weight, at 1 and 3 threads, while ref takes no layout (the session
// unpacks for it); the loader accepts a well-formed layout and names the problem of each
// malformed one.
#include <unistd.h>

#include <cstdlib>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>

#include "blockwise_test_util.h"
#include "edgec/package_builder.h"
#include "edgec/runtime.h"
#include "edgec/weight_layouts.h"
#include "naive_ops.h"
#include "quant_test_util.h"

namespace edgec::rt::testing {
namespace {

std::vector<uint8_t> randomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> b(n);
  for (uint8_t &v : b) v = uint8_t(rng());
  return b;
}

TEST(WeightLayouts, I8W4PlacesEveryElementAndRoundTrips) {
  uint32_t seed = 1;
  for (bool u8 : {false, true})
    for (bool kMajor : {true, false})
      for (int64_t matrices : {1, 3})
        for (int64_t N : {1, 16, 17, 40})
          for (int64_t K : {1, 4, 5, 67}) {
            layouts::Desc d;
            d.kind = layouts::Kind::I8W4;
            d.matrices = matrices, d.N = N, d.K = K, d.kMajor = kMajor, d.u8 = u8;
            const std::vector<uint8_t> w = randomBytes(size_t(matrices * N * K), seed++);
            const int64_t K4 = (K + 3) / 4, matBytes = (N + 15) / 16 * K4 * 64;
            ASSERT_EQ(layouts::packedBytes(d), uint64_t(matrices * matBytes));
            std::vector<uint8_t> packed(size_t(layouts::packedBytes(d)), 0xEE);
            std::vector<int32_t> sums(size_t(layouts::columnSumCount(d)), -1);
            layouts::pack(d, w.data(), packed.data(), sums.data());
            std::vector<uint8_t> expect(packed.size(), 0);  // padding zero
            for (int64_t m = 0; m < matrices; ++m)
              for (int64_t n = 0; n < N; ++n) {
                int64_t sum = 0;
                for (int64_t k = 0; k < K; ++k) {
                  const uint8_t raw = w[size_t(m * N * K + (kMajor ? k * N + n : n * K + k))];
                  const int v = u8 ? int(raw) - 128 : int(int8_t(raw));
                  // The documented place: ((n/16) K4 + k/4) 64 + (n%16) 4 + k%4.
                  expect[size_t(m * matBytes + ((n / 16) * K4 + k / 4) * 64 + (n % 16) * 4 + k % 4)] = uint8_t(int8_t(v));
                  sum += v;
                }
                ASSERT_EQ(sums[size_t(m * N + n)], sum) << "column " << n;
              }
            ASSERT_EQ(packed, expect) << "N " << N << " K " << K << " matrices " << matrices;
            std::vector<uint8_t> back(size_t(layouts::logicalBytes(d)), 0xEE);
            layouts::unpack(d, packed.data(), back.data());
            ASSERT_EQ(back, w) << "N " << N << " K " << K;
          }
}

// I8ConvW4: a Conv weight [M, C/groups, k...] as per group the W4 matrix [M/groups, K'],
// K' in channel quads: logical (m, c, t) at k' = ((c/4) taps + t) 4 + c%4, K4 =
// ceil((C/groups)/4) taps; a 1x1 kernel gives I8W4's bytes of the [M/groups, C/groups]
// matrices.
TEST(WeightLayouts, I8ConvW4PlacesEveryElementAndRoundTrips) {
  uint32_t seed = 50;
  const std::vector<std::vector<int64_t>> kernels = {{1, 1}, {3, 3}, {7}, {2, 1, 3}, {1}};
  for (bool u8 : {false, true})
    for (int64_t groups : {1, 2, 3})
      for (int64_t mg : {1, 16, 17})
        for (int64_t cg : {1, 3, 4, 5, 9})
          for (const std::vector<int64_t> &kernel : kernels) {
            std::vector<int64_t> shape = {groups * mg, cg};
            shape.insert(shape.end(), kernel.begin(), kernel.end());
            int64_t taps = 1;
            for (int64_t k : kernel) taps *= k;
            layouts::Desc d;
            std::string why;
            ASSERT_TRUE(layouts::describe(layouts::Kind::I8ConvW4, unsigned(u8 ? pkg::DType::u8 : pkg::DType::i8), shape,
                                          -1, -1, 0, 0, d, why, groups))
                << why;
            ASSERT_EQ(d.matrices, groups);
            ASSERT_EQ(d.N, mg);
            ASSERT_EQ(d.K, cg * taps);
            const std::vector<uint8_t> w = randomBytes(size_t(groups * mg * cg * taps), seed++);
            const int64_t K4 = (cg + 3) / 4 * taps, matBytes = (mg + 15) / 16 * K4 * 64;
            ASSERT_EQ(layouts::packedBytes(d), uint64_t(groups * matBytes));
            ASSERT_EQ(layouts::columnSumCount(d), groups * mg);
            std::vector<uint8_t> packed(size_t(layouts::packedBytes(d)), 0xEE);
            std::vector<int32_t> sums(size_t(layouts::columnSumCount(d)), -1);
            layouts::pack(d, w.data(), packed.data(), sums.data());
            std::vector<uint8_t> expect(packed.size(), 0);  // padding zero
            for (int64_t g = 0; g < groups; ++g)
              for (int64_t n = 0; n < mg; ++n) {
                int64_t sum = 0;
                for (int64_t c = 0; c < cg; ++c)
                  for (int64_t t = 0; t < taps; ++t) {
                    const uint8_t raw = w[size_t(((g * mg + n) * cg + c) * taps + t)];
                    const int v = u8 ? int(raw) - 128 : int(int8_t(raw));
                    const int64_t k = ((c / 4) * taps + t) * 4 + c % 4;
                    expect[size_t(g * matBytes + ((n / 16) * K4 + k / 4) * 64 + (n % 16) * 4 + k % 4)] =
                        uint8_t(int8_t(v));
                    sum += v;
                  }
                ASSERT_EQ(sums[size_t(g * mg + n)], sum) << "channel " << n;
              }
            ASSERT_EQ(packed, expect) << "groups " << groups << " mg " << mg << " cg " << cg << " taps " << taps;
            if (taps == 1) {  // the 1x1 kernel's bytes are I8W4's of the [mg, cg] matrices
              layouts::Desc m;
              m.kind = layouts::Kind::I8W4;
              m.matrices = groups, m.N = mg, m.K = cg, m.kMajor = false, m.u8 = u8;
              std::vector<uint8_t> plain(size_t(layouts::packedBytes(m)));
              layouts::pack(m, w.data(), plain.data(), nullptr);
              ASSERT_EQ(plain, packed);
            }
            std::vector<uint8_t> back(size_t(layouts::logicalBytes(d)), 0xEE);
            layouts::unpack(d, packed.data(), back.data());
            ASSERT_EQ(back, w) << "groups " << groups << " mg " << mg << " cg " << cg << " taps " << taps;
          }
}

TEST(WeightLayouts, Int4Q8TilesPlacesEveryCodeAndRoundTrips) {
  uint32_t seed = 100;
  for (bool i4 : {true, false})
    for (int64_t block : {32, 64})
      for (int64_t N : {1, 9, 16, 40})
        for (int64_t K : {32, 64, 96, 130}) {
          layouts::Desc d;
          d.kind = layouts::Kind::Int4Q8Tiles;
          d.N = N, d.K = K, d.i4 = i4, d.block = block, d.tile = layouts::kInt4Tile;
          const std::vector<uint8_t> codes = randomBytes(size_t(N * K / 2), seed++);
          auto code = [&](int64_t n, int64_t k) -> int {
            if (n >= N || k >= K) return 0;
            const int c = (codes[size_t((n * K + k) / 2)] >> (4 * ((n * K + k) % 2))) & 0xF;
            return i4 ? c ^ 8 : c;  // stored unsigned
          };
          const int64_t tiles = (N + 15) / 16, blocks = (K + block - 1) / block, runs = block / 32;
          ASSERT_EQ(layouts::packedBytes(d), uint64_t(tiles * 16 * blocks * block / 2));
          std::vector<uint8_t> packed(size_t(layouts::packedBytes(d)), 0xEE);
          layouts::pack(d, codes.data(), packed.data(), nullptr);
          // The documented order: tile, block, 32-code run, group j of 64 bytes; byte 4c + i
          // of group j holds k = 8j + i (low nibble) and 8j + i + 4 (high) of column c.
          size_t at = 0;
          for (int64_t t = 0; t < tiles; ++t)
            for (int64_t g = 0; g < blocks; ++g)
              for (int64_t s = 0; s < runs; ++s)
                for (int64_t j = 0; j < 4; ++j)
                  for (int64_t c = 0; c < 16; ++c)
                    for (int64_t i = 0; i < 4; ++i, ++at) {
                      const int64_t n = t * 16 + c, k = g * block + s * 32 + 8 * j + i;
                      ASSERT_EQ(int(packed[at]), code(n, k) | (code(n, k + 4) << 4))
                          << "N " << N << " K " << K << " n " << n << " k " << k;
                    }
          std::vector<uint8_t> back(size_t(layouts::logicalBytes(d)), 0xEE);
          layouts::unpack(d, packed.data(), back.data());
          ASSERT_EQ(back, codes) << "N " << N << " K " << K << " block " << block;
        }
}

TEST(WeightLayouts, DescribeRefusesWhatALayoutCannotHold) {
  layouts::Desc d;
  std::string why;
  const unsigned i8 = unsigned(pkg::DType::i8), f32 = unsigned(pkg::DType::f32), i4 = unsigned(pkg::DType::i4);
  EXPECT_TRUE(layouts::describe(layouts::Kind::I8W4, i8, {2, 5, 7}, 1, -1, 0, 0, d, why));
  EXPECT_EQ(d.matrices, 2);
  EXPECT_EQ(d.K, 5);
  EXPECT_EQ(d.N, 7);
  EXPECT_FALSE(layouts::describe(layouts::Kind::I8W4, f32, {5, 7}, 0, -1, 0, 0, d, why));
  EXPECT_EQ(why, "layout i8-w4 holds i8 or u8 weights");
  EXPECT_FALSE(layouts::describe(layouts::Kind::I8W4, i8, {2, 5, 7}, 0, -1, 0, 0, d, why));
  EXPECT_FALSE(layouts::describe(layouts::Kind::I8W4, i8, {7}, 0, -1, 0, 0, d, why));
  EXPECT_TRUE(layouts::describe(layouts::Kind::Int4Q8Tiles, i4, {8, 64}, -1, 1, 32, 16, d, why));
  EXPECT_FALSE(layouts::describe(layouts::Kind::Int4Q8Tiles, i4, {8, 64}, -1, 1, 16, 16, d, why));
  EXPECT_FALSE(layouts::describe(layouts::Kind::Int4Q8Tiles, i4, {8, 64}, -1, 1, 32, 8, d, why));
  EXPECT_FALSE(layouts::describe(layouts::Kind::Int4Q8Tiles, i4, {8, 64}, -1, 0, 32, 16, d, why));
  EXPECT_FALSE(layouts::describe(layouts::Kind(7), i4, {8, 64}, -1, 1, 32, 16, d, why));
  EXPECT_TRUE(layouts::describe(layouts::Kind::I8ConvW4, i8, {6, 5, 3, 3}, -1, -1, 0, 0, d, why, 2));
  EXPECT_EQ(d.matrices, 2);
  EXPECT_EQ(d.N, 3);
  EXPECT_EQ(d.K, 45);
  EXPECT_EQ(d.taps, 9);
  EXPECT_FALSE(layouts::describe(layouts::Kind::I8ConvW4, i8, {6, 5, 3, 3}, -1, -1, 0, 0, d, why, 4));
  EXPECT_EQ(why, "layout i8-conv-w4 has 4 groups, which do not divide its 6 output channels");
  EXPECT_FALSE(layouts::describe(layouts::Kind::I8ConvW4, i8, {6, 5, 3, 3}, -1, -1, 0, 0, d, why, 0));
  EXPECT_FALSE(layouts::describe(layouts::Kind::I8ConvW4, i8, {6, 5}, -1, -1, 0, 0, d, why, 1));
  EXPECT_FALSE(layouts::describe(layouts::Kind::I8ConvW4, f32, {6, 5, 3}, -1, -1, 0, 0, d, why, 1));
  EXPECT_FALSE(layouts::describe(layouts::Kind::I8ConvW4, i8, {6, 5, 0, 3}, -1, -1, 0, 0, d, why, 1));
  EXPECT_EQ(why, "layout i8-conv-w4 needs a kernel of at least one position");
}

// A weight view stored in `d`'s layout: packed bytes (and column sums) held here.
struct Stored {
  std::vector<uint8_t> bytes;
  std::unique_ptr<Tensor> sums;
  TensorView view;
  Stored(const TensorView &logical, const layouts::Desc &d) : view(logical) {
    bytes.assign(size_t(layouts::packedBytes(d)) + 64, 0);
    std::vector<int32_t> s(size_t(layouts::columnSumCount(d)));
    layouts::pack(d, logical.data, bytes.data(), s.data());
    view.data = bytes.data();
    view.layout = d;
    if (!s.empty()) {
      sums = std::make_unique<Tensor>(Tensor::of<int32_t>({d.matrices, d.N}, s));
      view.column_sums = &sums->view();
    }
  }
};

// `op` on ref with the row-major weight, then on every x86 level with the stored one
// (the kernel must take it) at 1 and 3 threads: the same output bytes.
void expectStoredSameAsRef(const std::string &op, std::vector<TensorView *> inputs, TensorView &y, Stored &w,
                           AttrList *attrs, bool needVnni) {
  const size_t bytes = y.nbytes();
  ASSERT_EQ(runKernelOnViews(op, inputs, y, {Isa::Ref}, 1, attrs, true), Isa::Ref);
  const std::vector<uint8_t> expect(static_cast<uint8_t *>(y.data), static_cast<uint8_t *>(y.data) + bytes);
  {
    const KernelSignature sig = viewSignature(op, inputs, y, attrs, true);
    std::vector<const TensorView *> in(sig.inputs.begin(), sig.inputs.end());
    in[1] = &w.view;
    KernelSignature stored = sig;
    stored.inputs[1] = &w.view;
    EXPECT_FALSE(KernelRegistry::instance().create(stored, {Isa::Ref}, nullptr)->takesLayout(stored, 1)) << op;
  }
  for (const IsaLevel &level : x86Levels(needVnni))
    for (int threads : {1, 3}) {
      inputs[1] = &w.view;
      KernelSignature sig = viewSignature(op, inputs, y, attrs, true);
      Isa chosen = Isa::Ref;
      std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, level.isas, &chosen);
      ASSERT_EQ(chosen, level.expect) << op;
      ASSERT_TRUE(k->takesLayout(sig, 1)) << op << " on " << level.name;
      k->prepare(sig);
      std::memset(y.data, 0x5A, bytes);
      std::vector<const TensorView *> in(sig.inputs.begin(), sig.inputs.end());
      runPrepared(*k, in, {&y}, threads);
      ASSERT_EQ(std::memcmp(y.data, expect.data(), bytes), 0) << op << " on " << level.name << ", " << threads
                                                              << " threads";
    }
}

TEST(WeightLayouts, X86Int8MatMulAndGemmReadStoredI8W4) {
  if (x86Levels(true).empty()) GTEST_SKIP() << "no x86 level on this CPU";
  std::mt19937 rng(7);
  for (auto [M, K, N] : {std::tuple<int64_t, int64_t, int64_t>{5, 37, 21}, {1, 64, 48}, {17, 100, 33}}) {
    for (bool gemmTransB : {false, true}) {
      QPtr a = makeQ(DType::u8, {M, K}, randomCodes(M * K, DType::u8, rng), QP{0.02f, 131});
      std::vector<float> scales(static_cast<size_t>(N));
      for (float &s : scales) s = randomScale(rng);
      const std::vector<int64_t> wShape = gemmTransB ? std::vector<int64_t>{N, K} : std::vector<int64_t>{K, N};
      QPtr w = makeQAxis(DType::i8, wShape, randomCodes(N * K, DType::i8, rng), scales, {}, gemmTransB ? 0 : 1);
      QPtr y = makeOut(DType::u8, {M, N}, QP{0.5f, 120});
      layouts::Desc d;
      d.kind = layouts::Kind::I8W4;
      d.N = N, d.K = K, d.kMajor = !gemmTransB;
      Stored stored(w->t.view(), d);
      AttrList attrs;
      if (gemmTransB) attrs.i("transB", 1);
      expectStoredSameAsRef(gemmTransB ? "Gemm" : "MatMul", {&a->t.view(), &w->t.view()}, y->t.view(), stored,
                            gemmTransB ? &attrs : nullptr, true);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(WeightLayouts, X86DynamicQuantMatMulReadsStoredI8W4) {
  if (x86Levels(true).empty()) GTEST_SKIP() << "no x86 level on this CPU";
  std::mt19937 rng(8);
  for (auto [M, K, N] : {std::tuple<int64_t, int64_t, int64_t>{3, 37, 21}, {16, 64, 64}}) {
    Tensor x = Tensor::of<float>({M, K}, randomFloats(M * K, 3, -2.f, 2.f));
    QPtr w = makeQ(DType::i8, {K, N}, randomCodes(K * N, DType::i8, rng), QP{0.03f, 0});
    Tensor y(DType::f32, {M, N});
    layouts::Desc d;
    d.kind = layouts::Kind::I8W4;
    d.N = N, d.K = K;
    Stored stored(w->t.view(), d);
    expectStoredSameAsRef("DynamicQuantizedMatMul", {&x.view(), &w->t.view()}, y.view(), stored, nullptr, true);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(WeightLayouts, X86Int4Q8MatMulReadsStoredTiles) {
  if (x86Levels(true).empty()) GTEST_SKIP() << "no x86 level on this CPU";
  // N 40: the AVX2 kernel's five 8-column tiles read halves of three stored 16-column tiles.
  for (auto [rows, N, K, block] : {std::tuple<int64_t, int64_t, int64_t, int64_t>{1, 40, 96, 32}, {5, 24, 128, 64}}) {
    for (DType dt : {DType::i4, DType::u4}) {
      BlockTensor w(dt, {N, K}, 1, block, dt == DType::u4, uint32_t(N + K));
      Tensor x = Tensor::of<float>({rows, K}, randomFloats(rows * K, 5, -1.f, 1.f));
      Tensor y(DType::f32, {rows, N});
      layouts::Desc d;
      d.kind = layouts::Kind::Int4Q8Tiles;
      d.N = N, d.K = K, d.i4 = dt == DType::i4, d.block = block;
      Stored stored(w.codes.view(), d);
      AttrList attrs;
      attrs.i("block_size", block);
      expectStoredSameAsRef("BlockQuantizedMatMul", {&x.view(), &w.codes.view()}, y.view(), stored, &attrs, true);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

// The int8 Conv on every path that takes the stored weight: 1x1 (VNNI: the bytes in
// place), 3x3 stride 1 (VNNI: the implicit GEMM in place; AVX2: the shifted path's int16
// copy), grouped and strided, a first layer (3 channels, 7x7 stride 2), u8 weights with
// zero points (VNNI: the shifted path, converted), 1-D and 3-D (im2col, converted); split
// between threads (EDGEC_SPLIT_SMALL_CONVS) and not.
TEST(WeightLayouts, X86Int8ConvReadsStoredI8ConvW4) {
  if (x86Levels(true).empty()) GTEST_SKIP() << "no x86 level on this CPU";
  struct Case {
    ConvCase c;
    DType xt, wt;
    bool weightZeroPoints;
  };
  const std::vector<Case> cases = {
      {{{1, 37, 6, 5}, 21, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}}, DType::u8, DType::i8, false},
      {{{2, 19, 9, 10}, 33, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu"}, DType::i8, DType::i8, false},
      {{{1, 10, 11, 9}, 6, 2, {3, 3}, {2, 2}, {1, 1}, {1, 0, 1, 2}}, DType::u8, DType::i8, false},
      {{{1, 3, 20, 18}, 16, 1, {7, 7}, {2, 2}, {1, 1}, {3, 3, 3, 3}}, DType::u8, DType::i8, false},
      {{{1, 12, 8, 8}, 18, 3, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}}, DType::i8, DType::u8, true},
      {{{2, 6, 11}, 5, 1, {4}, {3}, {2}, {2, 1}}, DType::i8, DType::i8, false},
      {{{1, 4, 5, 4, 6}, 4, 2, {2, 3, 2}, {1, 2, 2}, {2, 1, 1}, {1, 0, 1, 0, 1, 1}}, DType::u8, DType::i8, false},
  };
  for (bool split : {true, false}) {
    if (split)
      setenv("EDGEC_SPLIT_SMALL_CONVS", "1", 1);
    else
      unsetenv("EDGEC_SPLIT_SMALL_CONVS");
    std::mt19937 rng(11);
    for (const Case &q : cases) {
      const ConvCase &c = q.c;
      const int64_t M = c.outChannels;
      const QP xp = {randomScale(rng), q.xt == DType::u8 ? int32_t(rng() % 60) + 100 : int32_t(rng() % 20) - 10};
      QPtr x = makeQ(q.xt, c.x, randomCodes(numelOf(c.x), q.xt, rng), xp);
      std::vector<int32_t> zw(size_t(M), q.wt == DType::u8 ? 128 : 0);
      for (int32_t &z : zw)
        if (q.weightZeroPoints) z += int32_t(rng() % 21) - 10;
      std::vector<float> ws(static_cast<size_t>(M)), bs(static_cast<size_t>(M));
      for (float &s : ws) s = randomScale(rng, 0.001f, 0.02f);
      QPtr w = makeQAxis(q.wt, c.w(), randomCodes(numelOf(c.w()), q.wt, rng), ws, zw, 0);
      for (int64_t m = 0; m < M; ++m) bs[size_t(m)] = xp.scale * ws[size_t(m)];
      std::vector<int32_t> b(static_cast<size_t>(M));
      for (int32_t &v : b) v = int32_t(rng() % 40001) - 20000;
      QPtr bias = makeQAxis(DType::i32, {M}, b, bs, {}, 0);
      const int64_t K = numelOf(c.w()) / M;
      QPtr y = makeOut(DType::u8, c.y(), {float(xp.scale * ws[0] * 74.0 * 74.0 * std::sqrt(double(K)) * 3.0 / 128.0),
                                          int32_t(rng() % 256)});
      layouts::Desc d;
      std::string why;
      ASSERT_TRUE(layouts::describe(layouts::Kind::I8ConvW4, unsigned(q.wt), c.w(), -1, -1, 0, 0, d, why, c.group)) << why;
      Stored stored(w->t.view(), d);
      AttrList attrs;
      c.fill(attrs);
      expectStoredSameAsRef("Conv", {&x->t.view(), &w->t.view(), &bias->t.view()}, y->t.view(), stored, &attrs, true);
      if (::testing::Test::HasFatalFailure()) break;
    }
    if (::testing::Test::HasFatalFailure()) break;
  }
  unsetenv("EDGEC_SPLIT_SMALL_CONVS");
}

// y = x + c, plus a constant w i8 [5, 16] stored in I8W4 (k axis 0: 128 packed bytes) with
// its column sums ws i32 [1, 16], mutated by `edit` (the loader checks layouts whether or
// not a kernel reads the tensor). Returns the load error ("" when it loads and runs).
struct LayoutCase {
  bool feature = true;
  int32_t kAxis = 0, sums = 4;
  uint64_t wSize = 128;
  pkg::Storage wStorage = pkg::Storage::Constant;
};
std::string layoutPackageError(const LayoutCase &c) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int64_t> s23 = {2, 3}, s3 = {3}, sw = {5, 16}, ss = {1, 16};
  auto layout = pkg::CreateWeightLayout(fbb, pkg::LayoutKind::I8W4, c.kAxis, 0, c.sums);
  std::vector<flatbuffers::Offset<pkg::Tensor>> tensors = {
      pkg::CreateTensorDirect(fbb, "x", pkg::DType::f32, &s23, pkg::Storage::Arena, 0, 24),
      pkg::CreateTensorDirect(fbb, "c", pkg::DType::f32, &s3, pkg::Storage::Constant, 0, 12),
      pkg::CreateTensorDirect(fbb, "y", pkg::DType::f32, &s23, pkg::Storage::Arena, 64, 24),
      pkg::CreateTensorDirect(fbb, "w", pkg::DType::i8, &sw, c.wStorage, 64, c.wSize, 0, -1, nullptr, -1, nullptr,
                              layout),
      pkg::CreateTensorDirect(fbb, "ws", pkg::DType::i32, &ss, pkg::Storage::Constant, 192, 64),
  };
  std::vector<int32_t> kin = {0, 1}, kout = {2}, fin = {0}, fout = {2};
  std::vector<flatbuffers::Offset<pkg::Attr>> attrs;
  std::vector<flatbuffers::Offset<pkg::Kernel>> kernels = {pkg::CreateKernelDirect(fbb, "Add", "add0", &kin, &kout, &attrs)};
  std::vector<flatbuffers::Offset<pkg::Function>> fns = {pkg::CreateFunctionDirect(fbb, "main", &fin, &fout, &kernels, 128)};
  std::vector<flatbuffers::Offset<flatbuffers::String>> features;
  if (c.feature) features.push_back(fbb.CreateString("weight-layouts"));
  pkg::FinishPackageBuffer(fbb, pkg::CreatePackageDirect(fbb, "test", "w", "host", &features, &tensors, &fns, 128, 0));
  std::vector<uint8_t> plan(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  const std::string path = ::testing::TempDir() + "edgec_layout_" + std::to_string(::getpid()) + ".edgepkg";
  const std::vector<uint8_t> bytes = pkg::assemblePackage(plan, std::vector<uint8_t>(256));
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char *>(bytes.data()),
                                                                std::streamsize(bytes.size()));
  std::string error;
  edgec_model *model = nullptr;
  if (edgec_model_load(path.c_str(), &model) != EDGEC_OK) {
    error = edgec_last_error();
  } else {
    edgec_session *session = nullptr;
    if (edgec_session_create(model, &session) != EDGEC_OK) error = edgec_last_error();
    edgec_session_free(session);
    edgec_model_free(model);
  }
  std::remove(path.c_str());
  return error;
}

TEST(WeightLayouts, LoaderChecksLayouts) {
  EXPECT_EQ(layoutPackageError({}), "");
  auto expectError = [](LayoutCase c, const std::string &what) {
    const std::string error = layoutPackageError(c);
    EXPECT_NE(error.find(what), std::string::npos) << error;
  };
  LayoutCase c;
  c.feature = false;
  expectError(c, "tensor 'w' layout: the package does not require 'weight-layouts'");
  c = {};
  c.kAxis = 2;
  expectError(c, "tensor 'w' layout: layout i8-w4 has a k_axis that is not one of the last two");
  c = {};
  c.wSize = 80;  // the row-major size
  expectError(c, "tensor 'w' is 80 bytes, but its layout i8-w4 takes 128");
  c = {};
  c.sums = -1;
  expectError(c, "tensor 'w' layout: its column sums must be a Constant i32 tensor of 16 values");
  c = {};
  c.sums = 1;  // an f32 tensor of 3
  expectError(c, "its column sums must be a Constant i32 tensor of 16 values");
  c = {};
  c.wStorage = pkg::Storage::Arena;
  expectError(c, "tensor 'w' layout: only a Constant tensor has a packed layout");
}

}  // namespace
}  // namespace edgec::rt::testing
