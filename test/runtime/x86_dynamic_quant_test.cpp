// The x86 DynamicQuantizedMatMul kernels (x86/qgemm_*.cpp) against the ref kernel, bit for
// bit: f32 rows quantized at run time (an all-zero row, huge, tiny and subnormal rows, rows
// of exact .5 ties), per-tensor and per-column weight scales, with and without bias, sizes
// that leave a tail in every loop, constant (packed at prepare) and run-time weights, 1, 2
// and 3 threads, on each ISA level the CPU has (with AMX tiles allowed and not where it has
// them).
#include <cstring>
#include <random>

#include "amx_test_util.h"
#include "quant_test_util.h"

namespace edgec::rt::testing {
namespace {

// The x86 levels this CPU runs the kernel at (AVX-512 needs VNNI as well).
std::vector<IsaLevel> levels() { return x86Levels(/*needVnni=*/true); }

// The kernel on views (kernel_test_util.h), weights constant when `constants`.
Isa run(const std::vector<TensorView *> &inputs, TensorView &out, const std::vector<Isa> &isas, int threads,
        bool constants) {
  return runKernelOnViews("DynamicQuantizedMatMul", inputs, out, isas, threads, nullptr, constants);
}

std::vector<uint32_t> bitsOf(const TensorView &t) {
  std::vector<uint32_t> b(size_t(t.numel()));
  std::memcpy(b.data(), t.data, b.size() * 4);
  return b;
}

// Runs the call on ref, then on every level at 1, 2 and 3 threads (constant weights, and
// run-time ones at 2 threads), and expects the same bits.
void expectSameAsRef(const std::vector<TensorView *> &inputs, TensorView &y, const std::string &what) {
  std::fill(y.as<float>(), y.as<float>() + y.numel(), -7.f);
  ASSERT_EQ(run(inputs, y, {Isa::Ref}, 1, true), Isa::Ref) << what;
  const std::vector<uint32_t> expect = bitsOf(y);
  for (const IsaLevel &level : levels()) {
    for (bool amx : amxModes(level)) {
      allowAmx(amx);
      for (int threads = 1; threads <= 3; ++threads) {
        for (bool constants : {true, false}) {
          if (!constants && threads != 2) continue;
          std::fill(y.as<float>(), y.as<float>() + y.numel(), 13.f);
          ASSERT_EQ(run(inputs, y, level.isas, threads, constants), level.expect) << what << " on " << level.name;
          const std::vector<uint32_t> got = bitsOf(y);
          for (size_t i = 0; i < got.size(); ++i) {
            float g, e;
            std::memcpy(&g, &got[i], 4);
            std::memcpy(&e, &expect[i], 4);
            ASSERT_EQ(got[i], expect[i]) << what << " on " << level.name << (amx ? " (AMX allowed)" : "") << ", "
                                         << threads << " threads, " << (constants ? "constant" : "run-time")
                                         << " weights, at " << i << ": " << g << " vs ref " << e;
          }
        }
      }
    }
    allowAmx(true);
  }
}

// Row r of x: random values in [-1, 1] times a magnitude that varies by row, with an
// all-zero row, huge (1e30), tiny (1e-30) and subnormal (1e-41) rows, and a row of exact
// ties (max 127, the rest k + 0.5, so x / s is a tie for round half to even).
std::vector<float> rowsOf(int64_t rows, int64_t K, std::mt19937 &rng) {
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> x(size_t(rows * K));
  for (int64_t r = 0; r < rows; ++r) {
    float *row = x.data() + r * K;
    const int kind = rows == 1 ? 0 : int(r % 6);
    const float mag = kind == 2 ? 1e30f : kind == 3 ? 1e-30f : kind == 4 ? 1e-41f : kind == 5 ? 3.f : 1.f;
    for (int64_t k = 0; k < K; ++k) row[k] = kind == 1 ? 0.f : u(rng) * mag;
    if (kind == 5) {
      for (int64_t k = 0; k < K; ++k) row[k] = float(int(rng() % 254) - 127) + 0.5f;
      row[K / 2] = (rng() % 2) ? 127.f : -127.f;
    }
  }
  return x;
}

void checkCase(int64_t rows, int64_t K, int64_t N, bool perColumn, bool bias, uint32_t seed, int xRank = 2) {
  std::mt19937 rng(seed);
  const std::vector<int64_t> xShape = xRank == 3 && rows % 2 == 0 ? std::vector<int64_t>{2, rows / 2, K}
                                                                  : std::vector<int64_t>{rows, K};
  Tensor x = Tensor::of<float>(xShape, rowsOf(rows, K, rng));
  const std::vector<int32_t> codes = randomCodes(K * N, DType::i8, rng);  // -128 included
  QPtr w;
  if (perColumn) {
    std::vector<float> scales(static_cast<size_t>(N));
    for (float &s : scales) s = randomScale(rng);
    w = makeQAxis(DType::i8, {K, N}, codes, scales, {}, 1);
  } else {
    w = makeQ(DType::i8, {K, N}, codes, QP{randomScale(rng), 0});
  }
  Tensor b = Tensor::of<float>({N}, randomFloats(N, seed + 1, -2.f, 2.f));
  Tensor y(DType::f32, {rows, N});
  std::vector<TensorView *> in = {&x.view(), &w->t.view()};
  if (bias) in.push_back(&b.view());
  expectSameAsRef(in, y.view(),
                  "rows " + std::to_string(rows) + " K " + std::to_string(K) + " N " + std::to_string(N) +
                      (perColumn ? " per-column" : " per-tensor") + (bias ? " bias" : ""));
}

TEST(X86DynamicQuant, SameBitsAsRef) {
  if (levels().empty()) GTEST_SKIP() << "no x86 level for this kernel on this CPU";
  uint32_t seed = 1;
  int i = 0;
  for (int64_t rows : {1, 3, 17, 64})
    for (int64_t K : {3, 16, 64, 100, 768})
      for (int64_t N : {1, 16, 50, 768}) {
        // Every scale/bias combination on the small shapes, a rotating one on the large.
        if (rows * K * N <= 17 * 100 * 50) {
          for (int v = 0; v < 4; ++v) checkCase(rows, K, N, v % 2 == 1, v / 2 == 1, seed++);
        } else {
          checkCase(rows, K, N, i % 2 == 1, (i / 2) % 2 == 1, seed++);
        }
        ++i;
        if (::testing::Test::HasFatalFailure()) return;
      }
}

TEST(X86DynamicQuant, Rank3InputAndLargeRowCount) {
  if (levels().empty()) GTEST_SKIP() << "no x86 level for this kernel on this CPU";
  checkCase(64, 100, 50, true, true, 77, 3);
  checkCase(130, 33, 70, false, true, 78, 3);
}

// An all-zero input (s = 0 everywhere): y is the bias.
TEST(X86DynamicQuant, AllZeroInput) {
  if (levels().empty()) GTEST_SKIP() << "no x86 level for this kernel on this CPU";
  Tensor x(DType::f32, {5, 40});
  std::mt19937 rng(5);
  QPtr w = makeQ(DType::i8, {40, 20}, randomCodes(800, DType::i8, rng), QP{0.05f, 0});
  Tensor b = Tensor::of<float>({20}, randomFloats(20, 9));
  Tensor y(DType::f32, {5, 20});
  expectSameAsRef({&x.view(), &w->t.view(), &b.view()}, y.view(), "all-zero input");
  for (int64_t r = 0; r < 5; ++r)
    for (int64_t n = 0; n < 20; ++n) EXPECT_EQ(y.view().as<float>()[r * 20 + n], b.view().as<float>()[n]);
}

}  // namespace
}  // namespace edgec::rt::testing
