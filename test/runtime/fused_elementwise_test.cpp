// FusedElementwise (edge-fuse-elementwise) against the unfused ops it replaces: each
// program is run once by the fused kernel and once step by step, every step as its own
// single-op kernel call, with the same kernel set: ref fused vs ref single ops, and at
// each x86 level the x86 fused kernel vs the kernels the registry picks for the single
// ops at that level (x86 unary kernels, the AVX2 binary kernel, ref's Pow). The results
// must be the same bits, at 1 and 3 threads; tails, broadcast inputs (scalars, per-row,
// per-channel) and NaN/inf inputs included. Also the calls prepare refuses.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

struct Step {
  const char *op;
  int a, b;
  float p0 = 0.f, p1 = 0.f;
};

struct Program {
  const char *what;
  std::vector<std::vector<int64_t>> inputs;  // shapes (each broadcasting to `out`)
  std::vector<int64_t> out;
  std::vector<Step> steps;
};

std::vector<std::unique_ptr<Tensor>> makeInputs(const Program &p, uint32_t seed) {
  std::vector<std::unique_ptr<Tensor>> in;
  for (const auto &shape : p.inputs) {
    std::vector<float> v = randomFloats(numelOf(shape), seed++, -6.f, 6.f);
    // A few specials where there is room: NaN, ±inf, ±0, a large value.
    const float specials[] = {std::numeric_limits<float>::quiet_NaN(), INFINITY, -INFINITY, 0.f, -0.f, 80.f};
    if (v.size() > 50)
      for (size_t i = 0; i < 6; ++i) v[7 * i + 3] = specials[i];
    in.push_back(std::make_unique<Tensor>(Tensor::of<float>(shape, v)));
  }
  return in;
}

std::vector<float> runFused(const Program &p, std::vector<std::unique_ptr<Tensor>> &in, const std::vector<Isa> &isas,
                            int threads, Isa *chosen) {
  std::string ops;
  std::vector<int64_t> args;
  std::vector<float> params;
  for (const Step &s : p.steps) {
    ops += (ops.empty() ? "" : ",") + std::string(s.op);
    args.insert(args.end(), {s.a, s.b});
    params.insert(params.end(), {s.p0, s.p1});
  }
  AttrList attrs;
  attrs.s("ops", ops.c_str()).ints("args", args).floats("params", params);
  std::vector<Tensor *> ins;
  for (auto &t : in) ins.push_back(t.get());
  Tensor y(DType::f32, p.out);
  *chosen = runKernel("FusedElementwise", ins, {&y}, attrs, isas, threads);
  return y.values<float>();
}

// The program as single-op kernel calls, each register a tensor.
std::vector<float> runUnfused(const Program &p, std::vector<std::unique_ptr<Tensor>> &in,
                              const std::vector<Isa> &isas, int threads) {
  std::vector<Tensor *> reg;
  std::vector<std::unique_ptr<Tensor>> owned;
  for (auto &t : in) reg.push_back(t.get());
  for (const Step &s : p.steps) {
    auto y = std::make_unique<Tensor>(DType::f32, p.out);
    AttrList attrs;
    const std::string op = s.op;
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
      runKernel(op, {reg[size_t(s.a)], reg[size_t(s.b)]}, {y.get()}, attrs, isas, threads);
    } else if (op == "Pow") {
      Tensor e = Tensor::of<float>({}, {s.p0});
      runKernel(op, {reg[size_t(s.a)], &e}, {y.get()}, attrs, isas, threads);
    } else if (op == "Clip") {
      Tensor lo = Tensor::of<float>({}, {s.p0}), hi = Tensor::of<float>({}, {s.p1});
      runKernel(op, {reg[size_t(s.a)], &lo, &hi}, {y.get()}, attrs, isas, threads);
    } else {
      if (op == "LeakyRelu" || op == "Elu") attrs.f("alpha", s.p0);
      if (op == "HardSigmoid") attrs.f("alpha", s.p0).f("beta", s.p1);
      runKernel(op, {reg[size_t(s.a)]}, {y.get()}, attrs, isas, threads);
    }
    reg.push_back(y.get());
    owned.push_back(std::move(y));
  }
  return reg.back()->values<float>();
}

const std::vector<Program> &programs() {
  static const std::vector<Program> all = {
      // torch's GELU after a bias Add: m [rows, 8] + bias [8], scalars sqrt(2), 1, 0.5.
      {"gelu with bias",
       {{33, 40}, {40}, {}, {}, {}},
       {33, 40},
       {{"Add", 0, 1}, {"Div", 5, 2}, {"Erf", 6, -1}, {"Add", 7, 3}, {"Mul", 5, 8}, {"Mul", 9, 4}}},
      {"silu + residual + relu (tail of 5)",
       {{3, 7, 11}, {3, 7, 11}},
       {3, 7, 11},
       {{"Sigmoid", 0, -1}, {"Mul", 0, 2}, {"Add", 3, 1}, {"Relu", 4, -1}}},
      {"per-channel scale and shift [C,1,1], tanh GELU with Pow 3",
       {{2, 5, 9, 9}, {5, 1, 1}, {5, 1, 1}},
       {2, 5, 9, 9},
       {{"Mul", 0, 1}, {"Add", 3, 2}, {"Pow", 4, -1, 3.f}, {"Tanh", 5, -1}, {"Sub", 6, 4}}},
      {"every one-register op",
       {{4, 130}},
       {4, 130},
       {{"Exp", 0, -1},
        {"Log", 1, -1},
        {"Neg", 2, -1},
        {"Abs", 3, -1},
        {"Sqrt", 4, -1},
        {"Reciprocal", 5, -1},
        {"HardSwish", 0, -1},
        {"Softplus", 0, -1},
        {"Elu", 0, -1, 0.7f},
        {"LeakyRelu", 0, -1, 0.1f},
        {"HardSigmoid", 0, -1, 0.2f, 0.5f},
        {"Clip", 0, -1, -1.f, 6.f},
        {"Add", 6, 7},
        {"Mul", 13, 8},
        {"Div", 14, 9},
        {"Sub", 15, 10},
        {"Add", 16, 11},
        {"Mul", 17, 12}}},
      {"per-row column [R,1] and a scalar on the left",
       {{6, 1}, {6, 70}, {}},
       {6, 70},
       {{"Sub", 2, 1}, {"Div", 3, 0}, {"Clip", 4, -1, -INFINITY, 2.f}, {"Exp", 5, -1}}},
      {"a single element", {{1}, {}}, {1}, {{"Add", 0, 1}, {"Sigmoid", 2, -1}}},
      {"large, over threads",
       {{4, 64, 1000}, {1000}},
       {4, 64, 1000},
       {{"Add", 0, 1}, {"Erf", 2, -1}, {"Mul", 3, 0}}},
  };
  return all;
}

// The same bits, except that any NaN matches any NaN: which of two NaN operands a binary
// operation returns (its sign and payload) depends on the operand order the compiler
// chose for a commutative intrinsic, in the single-op kernels as much as in the fused one.
bool sameBits(const std::vector<float> &x, const std::vector<float> &y, size_t *at) {
  for (size_t i = 0; i < x.size(); ++i)
    if (std::memcmp(&x[i], &y[i], sizeof(float)) != 0 && !(std::isnan(x[i]) && std::isnan(y[i]))) {
      *at = i;
      return false;
    }
  return x.size() == y.size();
}

TEST(FusedElementwise, RefGivesTheBitsOfTheUnfusedRefOps) {
  uint32_t seed = 5;
  for (const Program &p : programs()) {
    auto in = makeInputs(p, seed += 10);
    Isa chosen;
    const std::vector<float> unfused = runUnfused(p, in, {Isa::Ref}, 1);
    for (int threads : {1, 3}) {
      const std::vector<float> fused = runFused(p, in, {Isa::Ref}, threads, &chosen);
      EXPECT_EQ(chosen, Isa::Ref);
      size_t at = 0;
      ASSERT_TRUE(sameBits(fused, unfused, &at))
          << p.what << ", " << threads << " threads: at " << at << " fused " << fused[at] << " unfused " << unfused[at];
    }
  }
}

TEST(FusedElementwise, X86GivesTheBitsOfTheUnfusedX86Ops) {
  const std::vector<IsaLevel> levels = x86Levels(false);
  if (levels.empty()) GTEST_SKIP() << "no AVX2/FMA";
  uint32_t seed = 500;
  for (const IsaLevel &level : levels) {
    int differFromRef = 0;  // programs where the x86 kernels' bits are not ref's
    for (const Program &p : programs()) {
      auto in = makeInputs(p, seed += 10);
      const std::vector<float> unfused = runUnfused(p, in, level.isas, 1);
      const std::vector<float> ref = runUnfused(p, in, {Isa::Ref}, 1);
      for (int threads : {1, 3}) {
        Isa chosen;
        const std::vector<float> fused = runFused(p, in, level.isas, threads, &chosen);
        EXPECT_EQ(chosen, level.expect) << level.name;
        size_t at = 0;
        ASSERT_TRUE(sameBits(fused, unfused, &at)) << level.name << ", " << p.what << ", " << threads
                                                   << " threads: at " << at << " fused " << fused[at] << " unfused "
                                                   << unfused[at];
      }
      // And the x86 path stays near ref (the vector math's stated error, finite values).
      size_t at = 0;
      differFromRef += !sameBits(unfused, ref, &at);
      for (size_t i = 0; i < ref.size(); ++i) {
        if (std::isfinite(ref[i]) && std::isfinite(unfused[i])) {
          ASSERT_NEAR(unfused[i], ref[i], 1e-5 + 1e-5 * std::fabs(ref[i])) << level.name << ", " << p.what << " at " << i;
        }
      }
    }
    // The comparison can tell the kernel sets apart (erf, exp, tanh, ... differ from libm).
    EXPECT_GT(differFromRef, 2) << level.name;
  }
}

// Indicative (run with --gtest_also_run_disabled_tests): the x86 fused kernel against
// the unfused x86 kernels, one thread, all prepared once; per shape the minimum and the
// median over 300 alternating runs (the minimum resists a loaded machine's preemption).
TEST(FusedElementwise, DISABLED_Speed) {
  const std::vector<IsaLevel> levels = x86Levels(false);
  if (levels.empty()) GTEST_SKIP() << "no AVX2/FMA";
  const IsaLevel &level = levels.back();
  struct Timed {
    std::unique_ptr<Kernel> k;
    std::vector<const TensorView *> in;
    std::vector<TensorView *> out;
  };
  auto prepare = [&](const std::string &op, std::vector<Tensor *> ins, Tensor *y, AttrList &attrs) {
    KernelSignature sig;
    sig.op = op;
    sig.node = "timing";
    sig.attrs = attrs.attrs();
    Timed t;
    for (Tensor *x : ins) {
      sig.inputs.push_back(&x->view());
      sig.input_is_constant.push_back(false);
      t.in.push_back(&x->view());
    }
    sig.outputs.push_back(&y->view());
    t.out.push_back(&y->view());
    t.k = KernelRegistry::instance().create(sig, level.isas);
    t.k->prepare(sig);
    return t;
  };
  const std::vector<Program> cases = {
      {"GELU after a bias Add [128, 256] (GPT s128 MLP)",
       {{128, 256}, {256}, {}, {}, {}},
       {128, 256},
       {{"Add", 0, 1}, {"Div", 5, 2}, {"Erf", 6, -1}, {"Add", 7, 3}, {"Mul", 5, 8}, {"Mul", 9, 4}}},
      {"bias Add + residual Add [128, 64]", {{128, 64}, {64}, {128, 64}}, {128, 64}, {{"Add", 0, 1}, {"Add", 2, 3}}},
      {"Erf alone [128, 128] (the per-step cost)", {{128, 128}}, {128, 128}, {{"Erf", 0, -1}}},
      {"residual Add + Relu [1, 64, 56, 56] (ResNet-18)",
       {{1, 64, 56, 56}, {1, 64, 56, 56}},
       {1, 64, 56, 56},
       {{"Add", 0, 1}, {"Relu", 2, -1}}},
      {"GELU after a bias Add [128, 128] (transformer s128 MLP)",
       {{128, 128}, {128}, {}, {}, {}},
       {128, 128},
       {{"Add", 0, 1}, {"Div", 5, 2}, {"Erf", 6, -1}, {"Add", 7, 3}, {"Mul", 5, 8}, {"Mul", 9, 4}}},
      {"GELU after a bias Add [512, 3072] (BERT-base MLP)",
       {{512, 3072}, {3072}, {}, {}, {}},
       {512, 3072},
       {{"Add", 0, 1}, {"Div", 5, 2}, {"Erf", 6, -1}, {"Add", 7, 3}, {"Mul", 5, 8}, {"Mul", 9, 4}}},
  };
  for (const Program &p : cases) {
    auto in = makeInputs(p, 9);
    std::vector<std::unique_ptr<Tensor>> regs;
    std::vector<Tensor *> reg;
    for (auto &t : in) reg.push_back(t.get());
    std::vector<Timed> steps;
    std::vector<std::unique_ptr<AttrList>> keep;
    for (const Step &s : p.steps) {
      regs.push_back(std::make_unique<Tensor>(DType::f32, p.out));
      keep.push_back(std::make_unique<AttrList>());
      std::vector<Tensor *> ins{reg[size_t(s.a)]};
      if (s.b >= 0) ins.push_back(reg[size_t(s.b)]);
      steps.push_back(prepare(s.op, ins, regs.back().get(), *keep.back()));
      reg.push_back(regs.back().get());
    }
    std::string ops;
    std::vector<int64_t> args;
    std::vector<float> params;
    for (const Step &s : p.steps) {
      ops += (ops.empty() ? "" : ",") + std::string(s.op);
      args.insert(args.end(), {s.a, s.b});
      params.insert(params.end(), {s.p0, s.p1});
    }
    AttrList fattrs;
    fattrs.s("ops", ops.c_str()).ints("args", args).floats("params", params);
    Tensor y(DType::f32, p.out);
    std::vector<Tensor *> fins;
    for (auto &t : in) fins.push_back(t.get());
    Timed fused = prepare("FusedElementwise", fins, &y, fattrs);
    RunContext ctx;
    std::vector<double> tu, tf;
    for (int r = 0; r < 300; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      for (Timed &t : steps) t.k->run(ctx, t.in, t.out);
      auto t1 = std::chrono::steady_clock::now();
      fused.k->run(ctx, fused.in, fused.out);
      auto t2 = std::chrono::steady_clock::now();
      tu.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      tf.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
    }
    std::sort(tu.begin(), tu.end());
    std::sort(tf.begin(), tf.end());
    std::printf("%-50s %zu kernels: min %8.1f us, median %8.1f us; fused (%s): min %8.1f us, median %8.1f us\n",
                p.what, steps.size(), tu[0], tu[150], level.name, tf[0], tf[150]);
    ASSERT_EQ(0, std::memcmp(y.values<float>().data(), reg.back()->values<float>().data(),
                             size_t(numelOf(p.out)) * sizeof(float)));
  }
}

TEST(FusedElementwise, PrepareRefusesBadPrograms) {
  auto expectError = [](const char *ops, std::vector<int64_t> args, std::vector<int64_t> xShape, const char *needle) {
    Tensor x = Tensor::of<float>(xShape, randomFloats(numelOf(xShape), 1));
    Tensor y(DType::f32, {2, 3});
    AttrList attrs;
    std::vector<float> params(args.size(), 0.f);
    attrs.s("ops", ops).ints("args", args).floats("params", params);
    try {
      runKernel("FusedElementwise", {&x}, {&y}, attrs);
      FAIL() << "accepted " << ops;
    } catch (const Error &e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expectError("Softmax", {0, -1}, {2, 3}, "unknown op 'Softmax'");
  expectError("Add", {0, 1}, {2, 3}, "reads registers that do not exist");
  expectError("Relu", {0, 0}, {2, 3}, "reads registers that do not exist");
  expectError("Relu", {0, -1}, {3, 2}, "does not broadcast to the output");
  expectError("Relu", {0, -1, 1, -1}, {2, 3}, "2 entries per step");
}

}  // namespace
}  // namespace edgec::rt::testing
