// The quantized FusedElementwise (a 256-entry table: edge-fuse-elementwise's fold of
// DequantizeLinear -> FusedElementwise -> QuantizeLinear, static INT8's GELU): its ref
// kernel against the three ref ops it replaces, on every input code (the same codes,
// which is its definition); the table's GELU against the real function in double (at most
// one code apart: the f32 steps round); every x86 level against ref, bit for bit, at 1 to 3
// threads and lengths with tails; and the calls prepare refuses.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "quant_test_util.h"

namespace edgec::rt::testing {
namespace {

struct Step {
  const char *op;
  int a, b;
};

struct Program {
  const char *what;
  std::vector<float> scalars;  // inputs 1.. (f32 constants of one element)
  std::vector<Step> steps;
  int source = 0;  // the register of the quantized input in the f32 program
};

// GELU as torch exports it: x / sqrt 2, Erf, + 1, x * ., * 0.5 (registers: x, sqrt 2, 1, 0.5).
const Program kGelu{"gelu", {1.41421354f, 1.f, 0.5f}, {{"Div", 0, 1}, {"Erf", 4, -1}, {"Add", 5, 2}, {"Mul", 0, 6}, {"Mul", 7, 3}}};
// sigmoid(1 - x) with x the second register (the fold moves it to register 0).
const Program kSwapped{"sigmoid(1 - x)", {1.f}, {{"Sub", 0, 1}, {"Sigmoid", 2, -1}}, 1};

AttrList programAttrs(const Program &p, bool table) {
  std::string ops;
  std::vector<int64_t> args;
  for (const Step &s : p.steps) {
    ops += (ops.empty() ? "" : ",") + std::string(s.op);
    for (int r : {s.a, s.b}) {
      // The table's registers: the quantized input first (registers 0 and `source` trade places).
      if (table && r >= 0) r = r == p.source ? 0 : r == 0 ? p.source : r;
      args.push_back(r);
    }
  }
  AttrList attrs;
  attrs.s("ops", ops.c_str()).ints("args", args).floats("params", std::vector<float>(2 * p.steps.size(), 0.f));
  return attrs;
}

// Runs the table op on `x` into `y` with the kernels of `isas`; scalars are constants.
Isa runTable(const Program &p, QTensor &x, QTensor &y, const std::vector<Isa> &isas, int threads,
             std::vector<Tensor> &scalars) {
  AttrList attrs = programAttrs(p, true);
  std::vector<TensorView *> in = {&x.t.view()};
  for (Tensor &s : scalars) in.push_back(&s.view());
  return runKernelOnViews("FusedElementwise", in, y.t.view(), isas, threads, &attrs, /*constWeights=*/true);
}

std::vector<Tensor> scalarTensors(const Program &p) {
  std::vector<Tensor> out;
  for (float v : p.scalars) out.push_back(Tensor::of<float>({}, {v}));
  return out;
}

std::vector<int32_t> allCodes(DType t) {
  std::vector<int32_t> c;
  for (int32_t q = qmin(t); q <= qmax(t); ++q) c.push_back(q);
  return c;
}

TEST(QuantFusedTable, EqualsDequantizeProgramQuantize) {
  std::mt19937 rng(7);
  for (const Program *p : {&kGelu, &kSwapped})
    for (DType xt : {DType::i8, DType::u8})
      for (DType yt : {DType::i8, DType::u8})
        for (int c = 0; c < 3; ++c) {
          const QP px{c == 0 ? 0.05f : randomScale(rng, 0.005f, 0.1f), c == 0 ? qmin(xt) + 100 : int32_t(rng() % 256) + qmin(xt)};
          const QP py{c == 0 ? 0.02f : randomScale(rng, 0.002f, 0.05f), c == 0 ? qmin(yt) + 20 : int32_t(rng() % 256) + qmin(yt)};
          const std::vector<int32_t> codes = allCodes(xt);
          const int64_t n = int64_t(codes.size());
          auto x = makeQ(xt, {n}, codes, px);
          auto y = makeOut(yt, {n}, py);
          std::vector<Tensor> scalars = scalarTensors(*p);
          EXPECT_EQ(runTable(*p, *x, *y, {Isa::Ref}, 1, scalars), Isa::Ref);
          // The three ref ops: DequantizeLinear, the f32 program (its scalars as registers), QuantizeLinear.
          Tensor fx(DType::f32, {n}), fy(DType::f32, {n});
          AttrList none;
          runKernel("DequantizeLinear", {&x->t}, {&fx}, none);
          std::vector<Tensor *> regs;
          for (size_t i = 0, s = 0; i < 1 + scalars.size(); ++i)
            regs.push_back(int(i) == p->source ? &fx : &scalars[s++]);
          AttrList f32 = programAttrs(*p, false);
          runKernel("FusedElementwise", regs, {&fy}, f32);
          auto want = makeOut(yt, {n}, py);
          runKernel("QuantizeLinear", {&fy}, {&want->t}, none);
          const std::string what = std::string(p->what) + " case " + std::to_string(c);
          EXPECT_EQ(codesOf(y->t), codesOf(want->t)) << what;
          if (p == &kGelu) {
            // Against GELU in double: at most one code apart (the f32 steps round), and
            // equal on most codes.
            int differ = 0;
            const std::vector<int32_t> got = codesOf(y->t);
            for (int64_t i = 0; i < n; ++i) {
              const double v = (codes[size_t(i)] - px.zp) * double(px.scale);
              const double g = 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
              const double q = std::min<double>(qmax(yt), std::max<double>(qmin(yt), std::nearbyint(g / py.scale) + py.zp));
              EXPECT_LE(std::fabs(got[size_t(i)] - q), 1.0) << what << " code " << codes[size_t(i)];
              differ += got[size_t(i)] != int32_t(q);
            }
            EXPECT_LE(differ, 8) << what;
          }
        }
}

TEST(QuantFusedTable, X86BitExactWithRef) {
  const std::vector<IsaLevel> levels = x86Levels(/*needVnni=*/false);
  if (levels.empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(8);
  int checks = 0;
  for (const Program *p : {&kGelu, &kSwapped})
    for (DType xt : {DType::i8, DType::u8})
      for (DType yt : {DType::i8, DType::u8})
        for (int64_t n : {int64_t(7), int64_t(256 * 3 - 37), int64_t(3 * 16384 + 11)}) {
          auto x = makeQ(xt, {n}, randomCodes(n, xt, rng), {randomScale(rng, 0.005f, 0.1f), qmin(xt) + 120});
          auto y = makeOut(yt, {n}, {randomScale(rng, 0.002f, 0.05f), qmin(yt) + 30});
          std::vector<Tensor> scalars = scalarTensors(*p);
          runTable(*p, *x, *y, {Isa::Ref}, 1, scalars);
          const std::vector<int32_t> want = codesOf(y->t);
          for (const IsaLevel &level : levels)
            for (int threads = 1; threads <= 3; ++threads) {
              std::memset(y->t.view().data, 0x5A, size_t(n));
              const Isa chosen = runTable(*p, *x, *y, level.isas, threads, scalars);
              EXPECT_NE(chosen, Isa::Ref) << level.name;
              ASSERT_EQ(codesOf(y->t), want) << p->what << " n=" << n << " on " << level.name << ", " << threads
                                             << " threads";
              ++checks;
            }
        }
  std::printf("[quant fused table] %d bit-exact comparisons against ref\n", checks);
}

TEST(QuantFusedTable, PrepareRefuses) {
  auto x = makeQ(DType::i8, {4}, {1, 2, 3, 4}, {0.1f, 0});
  auto y = makeOut(DType::i8, {4}, {0.1f, 0});
  AttrList attrs;
  attrs.s("ops", "Add").ints("args", {0, 1}).floats("params", {0.f, 0.f});
  Tensor scalar = Tensor::of<float>({}, {1.f}), row = Tensor::of<float>({4}, {1.f, 2.f, 3.f, 4.f});
  auto expectThrow = [&](std::vector<TensorView *> in, bool constant, const char *what) {
    try {
      runKernelOnViews("FusedElementwise", in, y->t.view(), {Isa::Ref}, 1, &attrs, constant);
      ADD_FAILURE() << "accepted: " << what;
    } catch (const std::exception &e) {
      EXPECT_NE(std::string(e.what()).find("must be an f32 constant of one element"), std::string::npos) << e.what();
    }
  };
  expectThrow({&x->t.view(), &scalar.view()}, false, "a scalar that is not a constant");
  expectThrow({&x->t.view(), &row.view()}, true, "a constant of four elements");
}

}  // namespace
}  // namespace edgec::rt::testing
