// The x86 quantized elementwise kernels (x86/qelementwise_*.cpp: Add/Sub on same-shape
// operands, Mul on same-shape operands or one constant along rows (long rows through a
// per-row table), the 256-entry table ops, per-tensor QuantizeLinear and
// DequantizeLinear, 2-D MaxPool, GlobalAveragePool, Concat) against
// the ref kernels, bit for bit: i8 and u8 on every operand, random codes, scales and zero points (input
// multipliers below 2^-10, output multipliers above 1 and rounding to 0), lengths that
// leave a tail of every size class, 1, 2 and 3 threads, on each x86 level the CPU has;
// QuantizeLinear on exact ties, huge values, NaN and infinities. Also prints the speedup
// over ref on a 1x64x56x56 tensor (no timing assertions).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "quant_test_util.h"
#include "ref/quant_elementwise.h"
#include "ref/util.h"

namespace edgec::rt::testing {
namespace {

std::vector<IsaLevel> levels() { return x86Levels(/*needVnni=*/false); }

// The AVX-512 table kernel needs AVX512_VBMI; without it the AVX2 one runs.
Isa lutIsa(Isa level) {
  return level == Isa::X86Avx512 && !__builtin_cpu_supports("avx512vbmi") ? Isa::X86Avx2 : level;
}

std::vector<uint8_t> bytesOf(const TensorView &v) {
  const uint8_t *p = v.as<uint8_t>();
  return std::vector<uint8_t>(p, p + v.nbytes());
}

// Runs on ref, then on every level at 1, 2 and 3 threads, and expects the same bytes.
// Returns the number of comparisons made.
// `lut`: a table op (lutIsa); `attrs`: the call's attributes.
int expectSameAsRef(const std::string &op, const std::vector<TensorView *> &inputs, TensorView &y,
                    const std::string &what, bool expectRef = false, bool lut = false, AttrList *attrs = nullptr) {
  std::memset(y.data, 0xA5, y.nbytes());
  EXPECT_EQ(runKernelOnViews(op, inputs, y, {Isa::Ref}, 1, attrs), Isa::Ref) << what;
  const std::vector<uint8_t> expect = bytesOf(y);
  int checks = 0;
  for (const IsaLevel &level : levels()) {
    for (int threads = 1; threads <= 3; ++threads) {
      std::memset(y.data, 0x5A, y.nbytes());
      const Isa chosen = runKernelOnViews(op, inputs, y, level.isas, threads, attrs);
      EXPECT_EQ(chosen, expectRef ? Isa::Ref : lut ? lutIsa(level.expect) : level.expect) << what << " on " << level.name;
      const std::vector<uint8_t> got = bytesOf(y);
      for (size_t i = 0; i < got.size(); ++i)
        if (got[i] != expect[i]) {
          ADD_FAILURE() << what << " on " << level.name << ", " << threads << " threads: byte " << i << " is "
                        << int(got[i]) << ", ref " << int(expect[i]);
          return checks;
        }
      ++checks;
    }
  }
  return checks;
}

const char *name(DType t) { return t == DType::i8 ? "i8" : "u8"; }

int32_t randomZp(DType t, std::mt19937 &rng) {
  return std::uniform_int_distribution<int32_t>(qmin(t), qmax(t))(rng);
}

TEST(X86QElementwise, AddSubBitExact) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(1);
  const DType types[] = {DType::i8, DType::u8};
  // (sa, sb, sy): random; input multipliers below 2^-10 (sb << sa); output multiplier
  // above 1 (sy tiny), just below 1, rounding to 0 (sy huge); equal scales.
  struct Scales {
    float sa, sb, sy;
    const char *what;
  };
  const Scales fixed[] = {
      {0.02f, 1e-6f, 0.03f, "mb < 2^-10"},
      {3e-6f, 0.05f, 0.01f, "ma < 2^-10"},
      {0.5f, 0.7f, 1e-6f, "output multiplier > 1"},
      {0.5f, 0.7f, 1.4f / 1048576.f * 1.01f, "output multiplier just below 1"},
      {0.01f, 0.02f, 1e5f, "output multiplier rounds to 0"},
      {0.05f, 0.05f, 0.05f, "equal scales"},
      {0.05f, 0.05f, 0.1f, "ties in the output rounding"},
  };
  const int64_t lengths[] = {1, 7, 8, 31, 33, 63, 64, 65, 127, 1000, 4099};
  int checks = 0;
  for (const char *op : {"Add", "Sub"})
    for (DType at : types)
      for (DType bt : types)
        for (DType yt : types) {
          for (int c = 0; c < 9 + int(std::size(fixed)); ++c) {
            Scales s = c < int(std::size(fixed)) ? fixed[c]
                                                 : Scales{randomScale(rng), randomScale(rng), randomScale(rng), "random"};
            const int64_t n = lengths[size_t(c) % std::size(lengths)];
            const std::vector<int64_t> shape = n % 2 ? std::vector<int64_t>{n} : std::vector<int64_t>{2, n / 2};
            auto a = makeQ(at, shape, randomCodes(n, at, rng), {s.sa, randomZp(at, rng)});
            auto b = makeQ(bt, shape, randomCodes(n, bt, rng), {s.sb, randomZp(bt, rng)});
            auto y = makeOut(yt, shape, {s.sy, randomZp(yt, rng)});
            const std::string what = std::string(op) + " " + name(at) + "+" + name(bt) + "->" + name(yt) + " " +
                                     s.what + " n=" + std::to_string(n);
            checks += expectSameAsRef(op, {&a->t.view(), &b->t.view()}, y->t.view(), what);
          }
        }
  // Long enough for three threads (the AVX-512 Add splits at >= 32768 elements per thread,
  // AVX2's at 4096).
  for (DType t : types) {
    const int64_t n = 3 * 32768 + 77;
    auto a = makeQ(t, {n}, randomCodes(n, t, rng), {0.03f, randomZp(t, rng)});
    auto b = makeQ(t, {n}, randomCodes(n, t, rng), {0.011f, randomZp(t, rng)});
    auto y = makeOut(t, {n}, {0.025f, randomZp(t, rng)});
    checks += expectSameAsRef("Add", {&a->t.view(), &b->t.view()}, y->t.view(), std::string("threaded Add ") + name(t));
  }
  // Every pair of codes (256 x 256) once.
  for (DType t : types) {
    std::vector<int32_t> ca, cb;
    for (int32_t u = qmin(t); u <= qmax(t); ++u)
      for (int32_t v = qmin(t); v <= qmax(t); ++v) {
        ca.push_back(u);
        cb.push_back(v);
      }
    const int64_t n = int64_t(ca.size());
    auto a = makeQ(t, {n}, ca, {0.021f, 3});
    auto b = makeQ(t, {n}, cb, {0.013f, qmax(t) - 5});
    auto y = makeOut(t, {n}, {0.017f, randomZp(t, rng)});
    checks += expectSameAsRef("Sub", {&a->t.view(), &b->t.view()}, y->t.view(), std::string("all pairs ") + name(t));
  }
  // Every pair of codes under many output scales: the AVX-512 Add rounds its output through
  // f32 and falls back to the integer MBQM for vectors with a sum near a rounding boundary
  // (one lane in about 4000); 65536 sums per scale put dozens of lanes there. Inputs of
  // different scales (one input through its table) and of the same scale (two halves).
  for (int c = 0; c < 24; ++c) {
    const DType t = c % 2 ? DType::u8 : DType::i8, yt = c % 4 < 2 ? DType::i8 : DType::u8;
    std::vector<int32_t> ca, cb;
    for (int32_t u = qmin(t); u <= qmax(t); ++u)
      for (int32_t v = qmin(t); v <= qmax(t); ++v) {
        ca.push_back(u);
        cb.push_back(v);
      }
    const int64_t n = int64_t(ca.size());
    const float sa = randomScale(rng), sb = c % 3 == 2 ? sa : randomScale(rng);
    // The output's scale near the sum's range (most codes inside the clamp).
    const float sy = (sa + sb) * std::uniform_real_distribution<float>(0.6f, 3.f)(rng);
    auto a = makeQ(t, {n}, ca, {sa, randomZp(t, rng)});
    auto b = makeQ(t, {n}, cb, {sb, randomZp(t, rng)});
    auto y = makeOut(yt, {n}, {sy, randomZp(yt, rng)});
    checks += expectSameAsRef(c % 5 == 4 ? "Sub" : "Add", {&a->t.view(), &b->t.view()}, y->t.view(),
                              std::string("all pairs, output scale ") + std::to_string(c) + " " + name(t));
  }
  // A broadcast goes to ref.
  {
    auto a = makeQ(DType::i8, {4, 8}, randomCodes(32, DType::i8, rng), {0.02f, 1});
    auto b = makeQ(DType::i8, {8}, randomCodes(8, DType::i8, rng), {0.03f, -2});
    auto y = makeOut(DType::i8, {4, 8}, {0.04f, 0});
    expectSameAsRef("Add", {&a->t.view(), &b->t.view()}, y->t.view(), "broadcast", /*expectRef=*/true);
  }
  std::printf("[x86 qelementwise] Add/Sub: %d bit-exact comparisons against ref\n", checks);
}

// The AVX-512 Add's two ways of looking an input's rescale up (on a CPU with AVX512_VBMI
// byte permutes of the table's four byte planes, whose unpacked dwords come in the order the
// narrowing undoes; else, or with EDGEC_ADD_GATHER, gathers): every pair of codes of every
// input and output dtype, with a's shift (its multiplier 1/2: the larger scale) and b's
// table, the reverse, and equal scales (two shifts, as a Sub).
TEST(X86QElementwise, AddByPermutesAndByGathersOnEveryPairOfCodes) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(5);
  const DType types[] = {DType::i8, DType::u8};
  int checks = 0;
  for (bool gather : {false, true}) {
    if (gather)
      setenv("EDGEC_ADD_GATHER", "1", 1);
    else
      unsetenv("EDGEC_ADD_GATHER");
    for (DType at : types)
      for (DType bt : types)
        for (DType yt : types)
          for (int c = 0; c < 3; ++c) {
            std::vector<int32_t> ca, cb;
            for (int32_t u = qmin(at); u <= qmax(at); ++u)
              for (int32_t v = qmin(bt); v <= qmax(bt); ++v) {
                ca.push_back(u);
                cb.push_back(v);
              }
            const int64_t n = int64_t(ca.size());
            const float sa = c == 0 ? 0.031f : 0.017f, sb = c == 1 ? 0.029f : c == 2 ? sa : 0.013f;
            auto a = makeQ(at, {n}, ca, {sa, randomZp(at, rng)});
            auto b = makeQ(bt, {n}, cb, {sb, randomZp(bt, rng)});
            auto y = makeOut(yt, {n}, {(sa + sb) * 1.3f, randomZp(yt, rng)});
            const std::string what = std::string(gather ? "gathers " : "permutes ") + name(at) + "+" + name(bt) +
                                     "->" + name(yt) + " case " + std::to_string(c);
            checks += expectSameAsRef(c == 2 ? "Sub" : "Add", {&a->t.view(), &b->t.view()}, y->t.view(), what);
          }
  }
  unsetenv("EDGEC_ADD_GATHER");
  std::printf("[x86 qelementwise] Add by permutes / gathers: %d bit-exact comparisons against ref\n", checks);
}

TEST(X86QElementwise, MulBitExact) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(11);
  const DType types[] = {DType::i8, DType::u8};
  // (A, B, Y) shapes: same shape, B or A constant along rows ([N, C, 1, 1], numpy-aligned
  // [C, 1, 1], a scalar), rows of every tail length and threads splitting rows.
  struct Shapes {
    std::vector<int64_t> a, b, y;
  };
  const Shapes shapes[] = {
      {{1}, {1}, {1}},
      {{7}, {7}, {7}},
      {{65}, {65}, {65}},
      {{3, 333}, {3, 333}, {3, 333}},
      {{1, 5, 7, 7}, {1, 5, 1, 1}, {1, 5, 7, 7}},
      {{1, 3, 1, 1}, {1, 3, 14, 14}, {1, 3, 14, 14}},
      {{2, 4, 1, 33}, {2, 4, 1, 1}, {2, 4, 1, 33}},
      {{1, 3, 8, 8}, {3, 1, 1}, {1, 3, 8, 8}},
      {{6, 1}, {1, 6, 17}, {1, 6, 17}},
      {{1, 6, 5, 3}, {1, 6, 5, 1}, {1, 6, 5, 3}},
      {{4, 31}, {}, {4, 31}},
      {{1}, {3, 129}, {3, 129}},
      {{1, 7, 99, 97}, {1, 7, 1, 1}, {1, 7, 99, 97}},  // three threads, split mid-row
  };
  int checks = 0;
  for (size_t c = 0; c < std::size(shapes); ++c)
    for (DType at : types)
      for (DType bt : types)
        for (DType yt : types) {
          const Shapes &sh = shapes[c];
          // Random scales; every third case a multiplier above 1 (sy small).
          const float sa = randomScale(rng), sb = randomScale(rng, 0.05f, 1.f);
          const float sy = (c + size_t(at) + size_t(bt)) % 3 == 0 ? sa * sb * randomScale(rng, 0.02f, 0.9f)
                                                                  : randomScale(rng, 1e-4f, 0.05f);
          auto a = makeQ(at, sh.a, randomCodes(numelOf(sh.a), at, rng), {sa, randomZp(at, rng)});
          auto b = makeQ(bt, sh.b, randomCodes(numelOf(sh.b), bt, rng), {sb, randomZp(bt, rng)});
          auto y = makeOut(yt, sh.y, {sy, randomZp(yt, rng)});
          const std::string what = std::string("Mul ") + name(at) + "*" + name(bt) + "->" + name(yt) + " case " +
                                   std::to_string(c) + " multiplier " + std::to_string(double(sa) * sb / sy);
          checks += expectSameAsRef("Mul", {&a->t.view(), &b->t.view()}, y->t.view(), what);
        }
  // Every pair of codes once, same shape and one code per row of 256.
  for (DType t : types) {
    std::vector<int32_t> ca, cb, rows;
    for (int32_t u = qmin(t); u <= qmax(t); ++u) {
      rows.push_back(u);
      for (int32_t v = qmin(t); v <= qmax(t); ++v) {
        ca.push_back(u);
        cb.push_back(v);
      }
    }
    const int64_t n = int64_t(ca.size());
    auto a = makeQ(t, {n}, ca, {0.021f, 3});
    auto b = makeQ(t, {n}, cb, {0.013f, qmax(t) - 5});
    auto y = makeOut(t, {n}, {0.017f, randomZp(t, rng)});
    checks += expectSameAsRef("Mul", {&a->t.view(), &b->t.view()}, y->t.view(), std::string("all pairs ") + name(t));
    auto r = makeQ(t, {256, 1}, rows, {0.021f, 3});
    auto x = makeQ(t, {256, 256}, cb, {0.013f, qmax(t) - 5});
    auto y2 = makeOut(t, {256, 256}, {0.017f, randomZp(t, rng)});
    checks += expectSameAsRef("Mul", {&r->t.view(), &x->t.view()}, y2->t.view(), std::string("all pairs, rows ") + name(t));
    // Rows of 512 (every code twice): the per-row table path (AVX512_VBMI) on every pair.
    std::vector<int32_t> wide;
    for (int32_t k = 0; k < 2 * 256; ++k) wide.push_back(qmin(t) + (k * 7) % 256);
    std::vector<int32_t> xs;
    for (int32_t i = 0; i < 256; ++i) xs.insert(xs.end(), wide.begin(), wide.end());
    auto x3 = makeQ(t, {256, 512}, xs, {0.013f, qmin(t) + 9});
    auto y3 = makeOut(t, {256, 512}, {0.011f, randomZp(t, rng)});
    checks += expectSameAsRef("Mul", {&r->t.view(), &x3->t.view()}, y3->t.view(),
                              std::string("all pairs, rows of 512 ") + name(t));
  }
  // Other broadcasts go to ref.
  {
    auto a = makeQ(DType::i8, {2, 3, 4, 4}, randomCodes(96, DType::i8, rng), {0.02f, 1});
    auto b = makeQ(DType::i8, {1, 3, 1, 1}, randomCodes(3, DType::i8, rng), {0.03f, -2});
    auto y = makeOut(DType::i8, {2, 3, 4, 4}, {0.04f, 0});
    expectSameAsRef("Mul", {&a->t.view(), &b->t.view()}, y->t.view(), "outer broadcast", /*expectRef=*/true);
    auto c = makeQ(DType::i8, {4}, randomCodes(4, DType::i8, rng), {0.03f, -2});
    expectSameAsRef("Mul", {&a->t.view(), &c->t.view()}, y->t.view(), "inner broadcast", /*expectRef=*/true);
  }
  std::printf("[x86 qelementwise] Mul: %d bit-exact comparisons against ref\n", checks);
}

TEST(X86QElementwise, TableOpsBitExact) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(12);
  struct Op {
    const char *name;
    bool alpha = false, beta = false, gamma = false;
  };
  const Op ops[] = {{"Relu"},    {"Clip"},          {"LeakyRelu", true}, {"Elu", true},  {"Selu", true, false, true},
                    {"HardSigmoid", true, true}, {"HardSwish"}, {"Sigmoid"}, {"Tanh"}, {"Exp"},
                    {"Erf"},     {"Softplus"},      {"Softsign"},        {"Neg"},        {"Abs"}};
  // The quantized FusedElementwise's table has its own test (quant_fused_table_test.cpp).
  EXPECT_EQ(std::size(ops) + 1, ref::quantLutOpNames().size());
  int checks = 0;
  for (const Op &op : ops)
    for (DType xt : {DType::i8, DType::u8})
      for (DType yt : {DType::i8, DType::u8})
        for (int c = 0; c < 2; ++c) {
          // Every code, shuffled, repeated to an odd length with a tail.
          std::vector<int32_t> codes;
          for (int r = 0; r < 3; ++r)
            for (int32_t q = qmin(xt); q <= qmax(xt); ++q) codes.push_back(q);
          std::shuffle(codes.begin(), codes.end(), rng);
          const int64_t n = c == 0 ? 256 * 3 : 256 * 3 - 37;
          codes.resize(size_t(n));
          AttrList attrs;
          std::uniform_real_distribution<float> u(0.05f, 2.f);
          if (op.alpha) attrs.f("alpha", u(rng));
          if (op.beta) attrs.f("beta", u(rng) - 1.f);
          if (op.gamma) attrs.f("gamma", u(rng));
          auto x = makeQ(xt, {n}, codes, {randomScale(rng, 0.005f, 0.2f), randomZp(xt, rng)});
          auto y = makeOut(yt, {n}, {randomScale(rng, 0.002f, 0.1f), randomZp(yt, rng)});
          const std::string what = std::string(op.name) + " " + name(xt) + "->" + name(yt) + " n=" + std::to_string(n);
          checks += expectSameAsRef(op.name, {&x->t.view()}, y->t.view(), what, false, /*lut=*/true, &attrs);
        }
  // Clip's bounds: f32 real values, codes (of X's dtype, own parameters or X's), one
  // absent, lo > hi, NaN.
  {
    std::vector<int32_t> all;
    for (int32_t q = -128; q <= 127; ++q) all.push_back(q);
    auto x = makeQ(DType::i8, {256}, all, {0.05f, 3});
    auto y = makeOut(DType::i8, {256}, {0.04f, -10});
    Tensor flo = Tensor::of<float>({}, {-1.3f}), fhi = Tensor::of<float>({}, {2.5f});
    Tensor fnan = Tensor::of<float>({}, {std::numeric_limits<float>::quiet_NaN()});
    auto qlo = makeQ(DType::i8, {}, {-20}, {0.1f, 2});
    auto qhi = makeQ(DType::i8, {}, {30}, {0.1f, 2});
    Tensor clo = Tensor::of<int8_t>({}, {-7}), chi = Tensor::of<int8_t>({}, {40});
    const std::pair<TensorView *, TensorView *> bounds[] = {
        {&flo.view(), &fhi.view()}, {nullptr, &fhi.view()},     {&flo.view(), nullptr},
        {&fhi.view(), &flo.view()}, {&fnan.view(), &fhi.view()}, {&qlo->t.view(), &qhi->t.view()},
        {&clo.view(), &chi.view()}};
    for (size_t i = 0; i < std::size(bounds); ++i)
      checks += expectSameAsRef("Clip", {&x->t.view(), bounds[i].first, bounds[i].second}, y->t.view(),
                                "Clip bounds " + std::to_string(i), false, true);
  }
  // Threaded (the AVX-512 lookup splits at >= 262144 elements per thread, AVX2's at 16384).
  for (DType t : {DType::i8, DType::u8}) {
    const int64_t n = 3 * 262144 + 11;
    auto x = makeQ(t, {n}, randomCodes(n, t, rng), {0.06f, randomZp(t, rng)});
    auto y = makeOut(t, {n}, {1.f / 256, t == DType::i8 ? -128 : 0});
    checks += expectSameAsRef("Sigmoid", {&x->t.view()}, y->t.view(), std::string("threaded Sigmoid ") + name(t),
                              false, true);
  }
  std::printf("[x86 qelementwise] table ops: %d bit-exact comparisons against ref\n", checks);
}

TEST(X86QElementwise, QuantizeLinearBitExact) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(2);
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  int checks = 0;
  for (DType t : {DType::i8, DType::u8}) {
    for (int c = 0; c < 12; ++c) {
      // 1e38: a reciprocal below FLT_MIN (the AVX-512 kernel then divides throughout).
      const float scale = c == 0   ? 1.f
                          : c == 1 ? 0.5f
                          : c == 2 ? 1e-30f
                          : c == 3 ? 1e38f
                                   : randomScale(rng, 1e-3f, 10.f);
      const int32_t zp = c < 2 ? (t == DType::i8 ? 0 : 10) : randomZp(t, rng);
      const int64_t n = 200 + c * 13;
      const float range = c == 3 ? 3e38f : 200.f * scale;  // 1e38: quotients in [-3, 3]
      std::vector<float> x = randomFloats(n, uint32_t(100 + c), -range, range);
      // Exact ties (x / scale = k + 0.5 exactly when the scale is a power of two), huge
      // values, NaN, infinities, signed zeros, denormals, spread over body and tail.
      const float special[] = {2.5f * scale, -2.5f * scale, 3.5f * scale, -3.5f * scale, 0.5f * scale,
                               -0.5f * scale, 1.5f * scale, 126.5f * scale, 127.5f * scale, -128.5f * scale,
                               254.5f * scale, 1e30f, -1e30f, 3.4e38f, -3.4e38f, nan, -nan, inf, -inf,
                               0.f, -0.f, 1e-40f, -1e-40f};
      for (size_t k = 0; k < std::size(special); ++k) x[(k * 37 + size_t(c)) % size_t(n)] = special[k];
      // Near ties for any scale: fl((k + 1/2) scale) and its two neighbours, whose quotients
      // lie within a few ulps of k + 1/2 (the AVX-512 kernel multiplies by fl(1 / scale) and
      // divides only near half-integers).
      for (int j = 0; j < 40; ++j) {
        const float v = (float(j % 2 ? -(j * 7 % (c == 3 ? 3 : 300)) : j * 7 % (c == 3 ? 3 : 300)) + 0.5f) * scale;
        const size_t at = (size_t(j) * 5 + 11) % size_t(n - 2);
        x[at] = v, x[at + 1] = std::nextafter(v, inf), x[at + 2] = std::nextafter(v, -inf);
      }
      Tensor tx = Tensor::of<float>({n}, x);
      auto y = makeOut(t, {n}, {scale, zp});
      checks += expectSameAsRef("QuantizeLinear", {&tx.view()}, y->t.view(),
                                std::string("QuantizeLinear ") + name(t) + " scale " + std::to_string(scale));
    }
    // The hand-checked ONNX values (quant_kernels_test.cpp) padded to a vector's length.
    std::vector<float> x = {2.5f, 3.5f, -2.5f, -3.5f, 0.5f, -0.5f, 1.49999f, 300.f, -300.f, nan, 1e30f, -1e30f};
    const std::vector<int32_t> want = {2, 4, -2, -4, 0, 0, 1, 127, -128, 0, 127, -128};
    std::vector<float> big;
    for (int r = 0; r < 16; ++r) big.insert(big.end(), x.begin(), x.end());
    Tensor tx = Tensor::of<float>({int64_t(big.size())}, big);
    if (t == DType::i8)
      for (const IsaLevel &level : levels()) {
        auto y = makeOut(t, {int64_t(big.size())}, {1.f, 0});
        EXPECT_EQ(runKernelOnViews("QuantizeLinear", {&tx.view()}, y->t.view(), level.isas, 1), level.expect);
        const std::vector<int32_t> got = y->codes();
        for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], want[i % want.size()]) << level.name << " at " << i;
      }
  }
  // Threaded.
  const int64_t n = 3 * 16384 + 5;
  Tensor tx = Tensor::of<float>({n}, randomFloats(n, 7, -3.f, 3.f));
  auto y = makeOut(DType::u8, {n}, {0.02f, 128});
  checks += expectSameAsRef("QuantizeLinear", {&tx.view()}, y->t.view(), "threaded QuantizeLinear");
  // Per-axis and i16 go to ref.
  auto q = makeQAxis(DType::i8, {2, 40}, std::vector<int32_t>(80, 0), {0.1f, 0.2f}, {0, 1}, 0);
  Tensor t80 = Tensor::of<float>({2, 40}, randomFloats(80, 8));
  expectSameAsRef("QuantizeLinear", {&t80.view()}, q->t.view(), "per-axis", true);
  auto q16 = makeOut(DType::i16, {80}, {0.01f, 0});
  Tensor f80 = Tensor::of<float>({80}, randomFloats(80, 9));
  expectSameAsRef("QuantizeLinear", {&f80.view()}, q16->t.view(), "i16", true);
  std::printf("[x86 qelementwise] QuantizeLinear: %d bit-exact comparisons against ref\n", checks);
}

TEST(X86QElementwise, DequantizeLinearBitExact) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(3);
  int checks = 0;
  for (DType t : {DType::i8, DType::u8}) {
    for (int c = 0; c < 8; ++c) {
      const int64_t n = c == 0 ? 256 : 1 + c * 97;
      std::vector<int32_t> codes = randomCodes(n, t, rng);
      if (c == 0)
        for (int64_t i = 0; i < n; ++i) codes[size_t(i)] = qmin(t) + int32_t(i);
      auto x = makeQ(t, {n}, codes, {c == 1 ? 3e38f : randomScale(rng, 1e-4f, 10.f), randomZp(t, rng)});
      Tensor y(DType::f32, {n});
      checks += expectSameAsRef("DequantizeLinear", {&x->t.view()}, y.view(),
                                std::string("DequantizeLinear ") + name(t) + " n=" + std::to_string(n));
    }
  }
  const int64_t n = 3 * 16384 + 3;
  auto x = makeQ(DType::i8, {n}, randomCodes(n, DType::i8, rng), {0.07f, -9});
  Tensor y(DType::f32, {n});
  checks += expectSameAsRef("DequantizeLinear", {&x->t.view()}, y.view(), "threaded DequantizeLinear");
  std::printf("[x86 qelementwise] DequantizeLinear: %d bit-exact comparisons against ref\n", checks);
}

// Speed against ref on 1x64x56x56 (one thread): a printout, not a test of speed.
double secondsPerRun(const std::string &op, const std::vector<TensorView *> &inputs, TensorView &out,
                     const std::vector<Isa> &isas) {
  const KernelSignature sig = viewSignature(op, inputs, out);
  std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, isas);
  k->prepare(sig);
  const std::vector<const TensorView *> in(inputs.begin(), inputs.end());
  const std::vector<TensorView *> outs = {&out};
  runPrepared(*k, in, outs, 1);
  double best = 1e9;
  for (int rep = 0; rep < 7; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) runPrepared(*k, in, outs, 1);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 5);
  }
  return best;
}

// 2-D MaxPool: kernels 2x2 to 3x5, strides 1 to 3, dilation, pads (some windows all
// padding), ceil_mode output sizes, rows of several vectors, equal and different X/Y
// parameters, i8 and u8.
TEST(X86QElementwise, MaxPoolBitExact) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(5);
  struct Pool {
    std::vector<int64_t> x, k, s, d, pads;
    bool ceil;
  };
  const Pool pools[] = {
      {{1, 64, 112, 112}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, false},  // ResNet's stem
      {{2, 3, 17, 19}, {2, 2}, {2, 2}, {1, 1}, {0, 0, 0, 0}, true},
      {{1, 5, 9, 70}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false},
      {{1, 4, 11, 13}, {3, 2}, {3, 1}, {2, 2}, {2, 1, 0, 2}, true},
      {{1, 2, 4, 5}, {2, 3}, {1, 2}, {1, 1}, {1, 2, 1, 2}, false},
      // Rows of several 64-byte vectors (AVX-512 rows: stride 1 and 2, horizontal
      // dilation, windows past the right edge).
      {{1, 3, 6, 150}, {3, 5}, {2, 2}, {1, 2}, {1, 2, 1, 3}, true},
      {{1, 2, 5, 131}, {2, 4}, {1, 1}, {2, 1}, {0, 3, 1, 0}, true},
  };
  int checks = 0;
  for (const Pool &p : pools)
    for (DType t : {DType::i8, DType::u8})
      for (int same = 0; same < 2; ++same) {
        std::vector<int64_t> y = p.x;
        for (int i = 0; i < 2; ++i) {
          const int64_t room = p.x[size_t(2 + i)] + p.pads[size_t(i)] + p.pads[size_t(2 + i)] -
                               (p.d[size_t(i)] * (p.k[size_t(i)] - 1) + 1);
          y[size_t(2 + i)] = (p.ceil ? (room + p.s[size_t(i)] - 1) : room) / p.s[size_t(i)] + 1;
        }
        const QP xq{randomScale(rng), randomZp(t, rng)};
        const QP yq = same ? xq : QP{randomScale(rng), randomZp(t, rng)};
        auto x = makeQ(t, p.x, randomCodes(numelOf(p.x), t, rng), xq);
        auto out = makeOut(t, y, yq);
        AttrList attrs;
        attrs.ints("kernel_shape", p.k).ints("strides", p.s).ints("dilations", p.d).ints("pads", p.pads);
        const std::string what = std::string("MaxPool ") + name(t) + " x" + ref::shapeStr(p.x) + (same ? " same" : " rescaled");
        checks += expectSameAsRef("MaxPool", {&x->t.view()}, out->t.view(), what, false, false, &attrs);
      }
  EXPECT_GT(checks, 0);
}

// Concat: U-Net's skip concatenations (one input requantized, one copied), every axis of
// a 4-D tensor (the last: runs of a few elements), three inputs of mixed dtypes, each copied
// (the output's parameters) or requantized by a factor of 1/20 to 20, sizes that leave
// lookup tails; the output's elements split over threads across the inputs' runs.
TEST(X86QElementwise, ConcatBitExact) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(7);
  struct Cat {
    std::vector<std::vector<int64_t>> xs;
    int64_t axis;
  };
  const Cat cats[] = {
      {{{1, 16, 32, 32}, {1, 8, 32, 32}}, 1},
      {{{1, 32, 16, 16}, {1, 16, 16, 16}}, 1},
      {{{2, 3, 5, 7}, {1, 3, 5, 7}}, 0},
      {{{2, 3, 9, 7}, {2, 3, 4, 7}, {2, 3, 1, 7}}, 2},
      {{{2, 5, 6, 3}, {2, 5, 6, 1}, {2, 5, 6, 4}}, 3},
      {{{1, 7, 61, 67}, {1, 2, 61, 67}, {1, 1, 61, 67}}, 1},
  };
  int checks = 0;
  for (const Cat &c : cats)
    for (int variant = 0; variant < 4; ++variant) {
      const DType yt = variant % 2 ? DType::u8 : DType::i8;
      const QP yq{randomScale(rng), randomZp(yt, rng)};
      std::vector<std::unique_ptr<QTensor>> xs;
      std::vector<TensorView *> views;
      std::vector<int64_t> y = c.xs[0];
      y[size_t(c.axis)] = 0;
      std::string what = std::string("Concat ") + name(yt) + " axis " + std::to_string(c.axis);
      for (size_t i = 0; i < c.xs.size(); ++i) {
        const DType t = (variant + int(i)) % 3 == 0 ? yt : (rng() % 2 ? DType::u8 : DType::i8);
        // Copied: the output's parameters (same dtype); otherwise a factor of 1/20 to 20.
        const bool copy = t == yt && (variant + int(i)) % 3 == 0;
        const float factor = std::exp(float(int(rng() % 1000) - 500) / 500.f * 3.f);
        const QP xq = copy ? yq : QP{yq.scale * factor, randomZp(t, rng)};
        xs.push_back(makeQ(t, c.xs[i], randomCodes(numelOf(c.xs[i]), t, rng), xq));
        views.push_back(&xs.back()->t.view());
        y[size_t(c.axis)] += c.xs[i][size_t(c.axis)];
        what += std::string(" ") + name(t) + ref::shapeStr(c.xs[i]) + (copy ? " copied" : " requantized");
      }
      auto out = makeOut(yt, y, yq);
      AttrList attrs;
      attrs.i("axis", c.axis);
      checks += expectSameAsRef("Concat", views, out->t.view(), what, false, false, &attrs);
    }
  EXPECT_GT(checks, 0);
}

// GlobalAveragePool: MobileNetV2's head, odd planes, a 3-D spatial input, planes of one
// element, of 112 x 112 and of exactly one and two 64-code blocks (the AVX-512 sum's
// masked blocks), equal and different X/Y parameters, random codes and every code at one
// extreme (the largest sums), i8 and u8.
TEST(X86QElementwise, GlobalAveragePoolBitExact) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(6);
  const std::vector<std::vector<int64_t>> shapes = {
      {1, 1280, 7, 7}, {2, 5, 13, 11}, {1, 3, 2, 3, 4}, {3, 8, 1, 1}, {1, 2, 112, 112}, {1, 3, 8, 8}, {1, 2, 8, 16}};
  int checks = 0;
  for (const std::vector<int64_t> &shape : shapes)
    for (DType t : {DType::i8, DType::u8})
      for (int variant = 0; variant < 3; ++variant) {
        std::vector<int64_t> y(shape.size(), 1);
        y[0] = shape[0], y[1] = shape[1];
        const QP xq{randomScale(rng), randomZp(t, rng)};
        const QP yq = variant == 0 ? xq : QP{randomScale(rng), randomZp(t, rng)};
        std::vector<int32_t> codes = randomCodes(numelOf(shape), t, rng);
        if (variant == 2) std::fill(codes.begin(), codes.end(), rng() % 2 ? qmax(t) : qmin(t));
        auto x = makeQ(t, shape, codes, xq);
        auto out = makeOut(t, y, yq);
        const std::string what = std::string("GlobalAveragePool ") + name(t) + " x" + ref::shapeStr(shape) +
                                 (variant == 0 ? " same" : variant == 1 ? " rescaled" : " extreme codes");
        checks += expectSameAsRef("GlobalAveragePool", {&x->t.view()}, out->t.view(), what);
      }
  EXPECT_GT(checks, 0);
}

TEST(X86QElementwise, SpeedupOverRef) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(4);
  const std::vector<int64_t> shape = {1, 64, 56, 56};
  const int64_t n = numelOf(shape);
  auto a = makeQ(DType::i8, shape, randomCodes(n, DType::i8, rng), {0.03f, -5});
  auto b = makeQ(DType::i8, shape, randomCodes(n, DType::i8, rng), {0.02f, 7});
  auto y = makeOut(DType::i8, shape, {0.04f, 3});
  Tensor f(DType::f32, shape);
  std::vector<float> fv = randomFloats(n, 5, -4.f, 4.f);
  std::memcpy(f.view().data, fv.data(), fv.size() * sizeof(float));
  struct Case {
    const char *op;
    std::vector<TensorView *> in;
    TensorView *out;
  };
  auto s = makeQ(DType::i8, {1, 64, 1, 1}, randomCodes(64, DType::i8, rng), {0.02f, 7});
  const Case cases[] = {{"Add", {&a->t.view(), &b->t.view()}, &y->t.view()},
                        {"Mul", {&a->t.view(), &b->t.view()}, &y->t.view()},
                        {"Mul", {&a->t.view(), &s->t.view()}, &y->t.view()},  // x [1,64,56,56] * s [1,64,1,1]
                        {"Sigmoid", {&a->t.view()}, &y->t.view()},
                        {"HardSwish", {&a->t.view()}, &y->t.view()},
                        {"QuantizeLinear", {&f.view()}, &y->t.view()},
                        {"DequantizeLinear", {&a->t.view()}, &f.view()}};
  for (const Case &c : cases) {
    const double ref = secondsPerRun(c.op, c.in, *c.out, {Isa::Ref});
    for (const IsaLevel &level : levels()) {
      const double t = secondsPerRun(c.op, c.in, *c.out, level.isas);
      const bool row = std::string(c.op) == "Mul" && c.in[1]->numel() == 64;
      std::printf("[x86 qelementwise] %-16s %-20s 1 thread: ref %8.1f us, %-6s %7.1f us, %5.1fx\n", c.op,
                  row ? "1x64x56x56*1x64x1x1" : "1x64x56x56", ref * 1e6, level.name, t * 1e6, ref / t);
    }
  }
}

}  // namespace
}  // namespace edgec::rt::testing
