// Helpers for kernel unit tests: owned tensors, attribute lists backed by a real
// FlatBuffer (as in a package), and a one-call prepare + run through the registry.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "attr_list.h"
#include "kernel.h"
#include "thread_pool.h"

namespace edgec::rt::testing {

template <typename T> constexpr DType dtypeFor();
template <> constexpr DType dtypeFor<float>() { return DType::f32; }
template <> constexpr DType dtypeFor<double>() { return DType::f64; }
template <> constexpr DType dtypeFor<int8_t>() { return DType::i8; }
template <> constexpr DType dtypeFor<uint8_t>() { return DType::u8; }
template <> constexpr DType dtypeFor<int16_t>() { return DType::i16; }
template <> constexpr DType dtypeFor<uint16_t>() { return DType::u16; }
template <> constexpr DType dtypeFor<int32_t>() { return DType::i32; }
template <> constexpr DType dtypeFor<uint32_t>() { return DType::u32; }
template <> constexpr DType dtypeFor<int64_t>() { return DType::i64; }
template <> constexpr DType dtypeFor<uint64_t>() { return DType::u64; }

inline int64_t numelOf(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// A tensor that owns its (8-byte aligned) storage.
class Tensor {
public:
  Tensor(DType dtype, std::vector<int64_t> shape) {
    view_.dtype = dtype;
    view_.shape = std::move(shape);
    storage_.assign((view_.nbytes() + 7) / 8 + 1, 0);
    view_.data = storage_.data();
  }
  // Moves keep the heap buffer (and so view_.data) valid; copies would not.
  Tensor(Tensor &&) = default;
  Tensor &operator=(Tensor &&) = default;
  Tensor(const Tensor &) = delete;
  Tensor &operator=(const Tensor &) = delete;
  // Elements stored as T, tagged with `dtype` (e.g. uint16_t bits for f16, uint8_t for bool).
  template <typename T>
  static Tensor of(DType dtype, std::vector<int64_t> shape, const std::vector<T> &values) {
    Tensor t(dtype, std::move(shape));
    EXPECT_EQ(sizeof(T), dtypeSize(dtype));
    EXPECT_EQ(static_cast<int64_t>(values.size()), t.view_.numel());
    std::memcpy(t.view_.data, values.data(), values.size() * sizeof(T));
    return t;
  }
  template <typename T> static Tensor of(std::vector<int64_t> shape, const std::vector<T> &values) {
    return of<T>(dtypeFor<T>(), std::move(shape), values);
  }
  template <typename T> std::vector<T> values() const {
    const T *p = view_.as<T>();
    return std::vector<T>(p, p + view_.numel());
  }
  TensorView &view() { return view_; }
  const std::vector<int64_t> &shape() const { return view_.shape; }

private:
  TensorView view_;
  std::vector<uint64_t> storage_;
};

using rt::AttrList;  // attr_list.h: attributes as the compiler writes them

inline bool cpuHasAvx2() {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

// An x86 level a test runs a kernel at: the ISAs offered to the registry and the one it
// should pick.
struct IsaLevel {
  std::vector<Isa> isas;
  Isa expect;
  const char *name;
};

// The x86 levels this CPU has: AVX2 (with FMA), then AVX-512 (F, DQ, BW, VL, and VNNI
// when `needVnni`: the int8 GEMM kernels require it at that level).
inline std::vector<IsaLevel> x86Levels(bool needVnni) {
  std::vector<IsaLevel> out;
#if defined(__x86_64__) || defined(__i386__)
  if (cpuHasAvx2()) out.push_back({{Isa::Ref, Isa::X86Avx2}, Isa::X86Avx2, "avx2"});
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      (!needVnni || __builtin_cpu_supports("avx512vnni")))
    out.push_back({{Isa::Ref, Isa::X86Avx2, Isa::X86Avx512}, Isa::X86Avx512, needVnni ? "avx512-vnni" : "avx512"});
#endif
  return out;
}

// Runs a prepared kernel as a session does with `threads` threads: a pool, per-thread
// scratch and (with threads) the shared region apart, all filled with NaNs, so that it can
// rely neither on zeroed scratch nor on what a previous run left there, nor find in thread
// 0's region what it put in the shared one.
inline void runPrepared(Kernel &k, const std::vector<const TensorView *> &in, const std::vector<TensorView *> &out,
                        int threads = 1) {
  std::unique_ptr<ThreadPool> pool(threads > 1 ? new ThreadPool(threads) : nullptr);
  const size_t stride = (k.scratchBytes() + 63) / 64 * 64, regions = size_t(threads > 1 ? threads + 1 : 1);
  std::vector<float> scratch(stride * regions / sizeof(float) + 16, std::numeric_limits<float>::quiet_NaN());
  RunContext ctx;
  ctx.pool = pool.get();
  ctx.threads = threads;
  // 64-byte aligned, as a session's scratch.
  auto base = reinterpret_cast<uintptr_t>(scratch.data());
  ctx.scratch = reinterpret_cast<uint8_t *>((base + 63) / 64 * 64);
  ctx.scratchStride = stride;
  if (threads > 1) ctx.sharedScratch = ctx.scratch + size_t(threads) * stride;
  k.run(ctx, in, out);
}

// Creates the best kernel for `op` among `isas`, prepares it with the tensors' shapes
// and runs it once. Null entries in `inputs` are absent optional inputs. Throws
// whatever prepare/run throw; returns the ISA that was chosen.
inline Isa runKernel(const std::string &op, const std::vector<Tensor *> &inputs,
                     const std::vector<Tensor *> &outputs, AttrList &attrs,
                     const std::vector<Isa> &isas = {Isa::Ref}, int threads = 1) {
  Isa chosen = Isa::Ref;
  static const TensorView absent;  // data == null
  KernelSignature sig;
  sig.op = op;
  sig.node = "test_node";
  sig.attrs = attrs.attrs();
  std::vector<const TensorView *> in;
  std::vector<TensorView *> out;
  for (Tensor *t : inputs) {
    sig.inputs.push_back(t ? &t->view() : nullptr);
    sig.input_is_constant.push_back(false);
    in.push_back(t ? &t->view() : &absent);
  }
  for (Tensor *t : outputs) {
    sig.outputs.push_back(t ? &t->view() : nullptr);
    out.push_back(t ? &t->view() : nullptr);
  }
  std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, isas, &chosen);
  k->prepare(sig);
  runPrepared(*k, in, out, threads);
  return chosen;
}

inline Isa runKernel(const std::string &op, const std::vector<Tensor *> &inputs,
                     const std::vector<Tensor *> &outputs) {
  AttrList none;
  return runKernel(op, inputs, outputs, none);
}

// The signature of a call on views with one output: `attrs` may be null (none); inputs
// from index 1 on (weights, bias) are marked constant when `constWeights`, as a package's
// constants are (kernels then pack them at prepare).
inline KernelSignature viewSignature(const std::string &op, const std::vector<TensorView *> &inputs, TensorView &out,
                                     AttrList *attrs = nullptr, bool constWeights = false) {
  KernelSignature sig;
  sig.op = op;
  sig.node = "test_node";
  if (attrs) sig.attrs = attrs->attrs();
  for (size_t i = 0; i < inputs.size(); ++i) {
    sig.inputs.push_back(inputs[i]);
    sig.input_is_constant.push_back(constWeights && i >= 1);
  }
  sig.outputs.push_back(&out);
  return sig;
}

// runKernel on views (viewSignature's call): prepares the best kernel among `isas` and
// runs it with `threads` threads; null inputs are absent. Returns the chosen ISA.
inline Isa runKernelOnViews(const std::string &op, const std::vector<TensorView *> &inputs, TensorView &out,
                            const std::vector<Isa> &isas, int threads, AttrList *attrs = nullptr,
                            bool constWeights = false) {
  static const TensorView absent;  // data == null
  const KernelSignature sig = viewSignature(op, inputs, out, attrs, constWeights);
  Isa chosen = Isa::Ref;
  std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, isas, &chosen);
  k->prepare(sig);
  std::vector<const TensorView *> in;
  for (TensorView *v : inputs) in.push_back(v ? v : &absent);
  const std::vector<TensorView *> outs = {&out};
  runPrepared(*k, in, outs, threads);
  return chosen;
}

inline std::vector<float> randomFloats(int64_t n, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float &x : v) x = dist(rng);
  return v;
}

// Element-wise comparison with a tolerance relative to the expected magnitude (at least
// `floor`: 1, or for results whose rounding scales with the whole output rather than each
// value, such as Winograd's, the output's largest magnitude).
inline void expectNear(const std::vector<float> &actual, const std::vector<float> &expected,
                       float rtol, const std::string &what = "", float floor = 1.f) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << what << " at " << i;
      continue;
    }
    const float tol = rtol * std::max(floor, std::fabs(expected[i]));
    ASSERT_NEAR(actual[i], expected[i], tol) << what << " at flat index " << i;
  }
}

// Row-major flat index of `idx` in `shape`.
inline int64_t flatIndex(const std::vector<int64_t> &idx, const std::vector<int64_t> &shape) {
  int64_t f = 0;
  for (size_t d = 0; d < shape.size(); ++d) f = f * shape[d] + idx[d];
  return f;
}

// The multi-index of flat position `f` in `shape`.
inline std::vector<int64_t> unflatIndex(int64_t f, const std::vector<int64_t> &shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = f % shape[d];
    f /= shape[d];
  }
  return idx;
}

// Whether two float results are the same bytes (NaN payloads and signed zeros included).
inline bool sameBits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// The message of the Error `fn` throws, or "" when it throws none.
inline std::string errorOf(const std::function<void()> &fn) {
  try {
    fn();
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

}  // namespace edgec::rt::testing
