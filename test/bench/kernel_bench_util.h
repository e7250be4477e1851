// Shared by the kernel microbenchmarks (int8_gemm.cpp, fp32_conv.cpp): the timing loop,
// register-only peak loops, tensors with storage (and quantization parameters), attribute
// tables, and one kernel call prepared and run through the registry as a session does.
// Not part of the test suite: speed is measured by hand, never asserted.
#pragma once

#include <immintrin.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernel.h"
#include "thread_pool.h"

namespace edgec::bench {

using namespace edgec::rt;
namespace pkg = edgec::pkg;

using Clock = std::chrono::steady_clock;

// What medianSeconds times: wall time (default), or with `--thread-time` the calling
// thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that on a loaded machine the time slices
// other processes take do not count (cache interference still does). At 2 threads that is
// the caller's share, its waiting for the other thread included.
inline bool &threadTimeMode() {
  static bool on = false;
  return on;
}

// `--cpu N`, `--repeats R` (defaults 0 and 15) and `--thread-time` from the command line.
inline void parseBenchArgs(int argc, char **argv, int &cpu, int &repeats) {
  cpu = 0, repeats = 15;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--thread-time")) threadTimeMode() = true;
    if (i + 1 < argc && !std::strcmp(argv[i], "--cpu")) cpu = std::atoi(argv[i + 1]);
    if (i + 1 < argc && !std::strcmp(argv[i], "--repeats")) repeats = std::atoi(argv[i + 1]);
  }
}

// Pins this thread (and the threads it starts from now on) to CPUs first .. first+count-1;
// false, changing nothing, if any of them is not online.
inline bool pinToCpus(int first, int count) {
  if (first < 0 || first + count > sysconf(_SC_NPROCESSORS_ONLN)) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int i = 0; i < count; ++i) CPU_SET(first + i, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

inline double threadSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

inline double medianSeconds(int repeats, const std::function<void()> &fn) {
  fn();  // warm-up (first touch, caches)
  std::vector<double> t;
  for (int i = 0; i < repeats; ++i) {
    if (threadTimeMode()) {
      const double a = threadSeconds();
      fn();
      t.push_back(threadSeconds() - a);
      continue;
    }
    const auto a = Clock::now();
    fn();
    t.push_back(std::chrono::duration<double>(Clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// ---- peaks ----

// 16 named accumulators (an array would live in memory); the empty asm keeps the compiler
// from folding the chains.
#define EDGEC_ACC16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
// AVX2 has 16 ymm registers: 16 chains and the two constants spilled three chains to the
// stack every iteration (the loop measured 39 GFLOP/s where the cores do 100+); 12 chains
// still cover the FMA latency times two ports.
#define EDGEC_ACC12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

__attribute__((target("avx512f"), noinline)) inline float fmaLoop(int64_t iters) {
#define DECL(i) __m512 acc##i = _mm512_set1_ps(float(i));
  EDGEC_ACC16(DECL)
#undef DECL
  const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-3f);
  for (int64_t it = 0; it < iters; ++it) {
#define STEP(i) acc##i = _mm512_fmadd_ps(acc##i, a, b);
    EDGEC_ACC16(STEP)
#undef STEP
    __asm__ volatile("" : "+v"(acc0), "+v"(acc1), "+v"(acc2), "+v"(acc3), "+v"(acc4), "+v"(acc5), "+v"(acc6), "+v"(acc7));
    __asm__ volatile("" : "+v"(acc8), "+v"(acc9), "+v"(acc10), "+v"(acc11), "+v"(acc12), "+v"(acc13), "+v"(acc14), "+v"(acc15));
  }
  __m512 s = _mm512_setzero_ps();
#define SUM(i) s = _mm512_add_ps(s, acc##i);
  EDGEC_ACC16(SUM)
#undef SUM
  return _mm512_reduce_add_ps(s);
}

// The same on 8-lane ymm registers, for CPUs without AVX-512 (and to show what AVX2 code
// can reach on one that has it).
__attribute__((target("avx2,fma"), noinline)) inline float fmaLoopAvx2(int64_t iters) {
#define DECL(i) __m256 acc##i = _mm256_set1_ps(float(i));
  EDGEC_ACC12(DECL)
#undef DECL
  const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-3f);
  for (int64_t it = 0; it < iters; ++it) {
#define STEP(i) acc##i = _mm256_fmadd_ps(acc##i, a, b);
    EDGEC_ACC12(STEP)
#undef STEP
    __asm__ volatile("" : "+v"(acc0), "+v"(acc1), "+v"(acc2), "+v"(acc3), "+v"(acc4), "+v"(acc5), "+v"(acc6), "+v"(acc7));
    __asm__ volatile("" : "+v"(acc8), "+v"(acc9), "+v"(acc10), "+v"(acc11));
  }
  __m256 s = _mm256_setzero_ps();
#define SUM(i) s = _mm256_add_ps(s, acc##i);
  EDGEC_ACC12(SUM)
#undef SUM
  float lanes[8];
  _mm256_storeu_ps(lanes, s);
  return lanes[0] + lanes[7];
}

// ---- tensors ----

// A tensor with storage, and (quantized) its QuantInfo, scale and zero-point tensors.
struct Tensor {
  std::vector<uint8_t> bytes;
  TensorView view;
  std::vector<float> scales;
  std::vector<uint8_t> zps;
  TensorView scaleView, zpView;
  flatbuffers::FlatBufferBuilder fbb;

  Tensor(DType t, std::vector<int64_t> shape) {
    view.dtype = t;
    view.shape = std::move(shape);
    bytes.assign(view.nbytes() + 64, 0);
    view.data = bytes.data();
  }
  // Quantized along `axis` (-1: per tensor) with these scales and zero point codes.
  void quantize(std::vector<float> s, int32_t zp, int axis) {
    scales = std::move(s);
    const size_t n = scales.size();
    scaleView.dtype = DType::f32;
    scaleView.shape = {int64_t(n)};
    scaleView.data = scales.data();
    zps.assign(n * dtypeSize(view.dtype), 0);
    for (size_t i = 0; i < n; ++i) std::memcpy(&zps[i * dtypeSize(view.dtype)], &zp, dtypeSize(view.dtype));
    zpView.dtype = view.dtype;
    zpView.shape = {int64_t(n)};
    zpView.data = zps.data();
    fbb.Finish(pkg::CreateQuantInfo(fbb, axis >= 0 ? pkg::QuantScheme::PerAxis : pkg::QuantScheme::PerTensor, axis,
                                    0, pkg::DType::f32, 1, 2));
    view.quant = flatbuffers::GetRoot<pkg::QuantInfo>(fbb.GetBufferPointer());
    view.scales = &scaleView;
    view.zero_points = &zpView;
  }
  void random(std::mt19937 &rng) {
    // nbytes() and numel() once: they validate the shape each call, which made filling
    // the inputs 40% of edgec_fp32_conv_bench's run time.
    const size_t nbytes = view.nbytes();
    for (size_t i = 0; i < nbytes; ++i) bytes[i] = uint8_t(rng());
    if (view.dtype == DType::f32) {
      float *f = view.as<float>();
      for (int64_t i = 0, n = view.numel(); i < n; ++i) f[i] = float(int(rng() % 2001) - 1000) * 1e-3f;
    }
  }
};

struct Attr {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<pkg::Attr>> list;
  Attr &ints(const char *name, const std::vector<int64_t> &v) {
    list.push_back(pkg::CreateAttrDirect(fbb, name, pkg::AttrKind::Ints, 0, 0.f, &v));
    return *this;
  }
  Attr &i(const char *name, int64_t v) {
    list.push_back(pkg::CreateAttrDirect(fbb, name, pkg::AttrKind::Int, v));
    return *this;
  }
  Attrs finish() {
    auto vec = fbb.CreateVectorOfSortedTables(&list);
    fbb.Finish(pkg::CreateKernel(fbb, 0, 0, 0, 0, vec));
    return Attrs(flatbuffers::GetRoot<pkg::Kernel>(fbb.GetBufferPointer())->attrs());
  }
};

// A kernel prepared through the registry as a session prepares it (the best among `isas`
// for `sig`), with a run context of `threads` threads (a pool of the calling thread and
// threads - 1 workers, which inherit its CPU affinity) and 64-byte aligned scratch a thread.
struct PreparedKernel {
  std::unique_ptr<Kernel> kernel;
  RunContext ctx;
  std::vector<uint8_t> scratch;
  std::unique_ptr<ThreadPool> pool;

  PreparedKernel(const KernelSignature &sig, const std::vector<Isa> &isas, Isa *chosen, int threads)
      : kernel(KernelRegistry::instance().create(sig, isas, chosen)) {
    kernel->prepare(sig);
    ctx.threads = threads;
    ctx.scratchStride = (kernel->scratchBytes() + 63) / 64 * 64;
    // With threads, one more region for what they share, as a session has.
    scratch.resize(ctx.scratchStride * size_t(threads > 1 ? threads + 1 : 1) + 128);
    ctx.scratch = reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) / 64 * 64);
    if (threads > 1) ctx.sharedScratch = ctx.scratch + size_t(threads) * ctx.scratchStride;
    if (threads > 1) pool = std::make_unique<ThreadPool>(threads);
    ctx.pool = pool.get();
  }
  PreparedKernel(const PreparedKernel &) = delete;  // ctx points into scratch
  PreparedKernel &operator=(const PreparedKernel &) = delete;

  void run(const std::vector<const TensorView *> &in, const std::vector<TensorView *> &out) {
    kernel->run(ctx, in, out);
  }
};

// Prepares `op` on the best kernel among `isas` (inputs after the first constant) and
// returns the median seconds of one run on `threads` threads.
inline double timeKernel(const std::string &op, std::vector<Tensor *> in, Tensor &out, Attrs attrs,
                         const std::vector<Isa> &isas, int repeats, Isa *chosen, int threads = 1) {
  KernelSignature sig;
  sig.op = op;
  sig.node = "bench";
  sig.attrs = attrs;
  std::vector<const TensorView *> ins;
  for (size_t i = 0; i < in.size(); ++i) {
    sig.inputs.push_back(&in[i]->view);
    sig.input_is_constant.push_back(i >= 1);
    ins.push_back(&in[i]->view);
  }
  sig.outputs.push_back(&out.view);
  std::vector<TensorView *> outs = {&out.view};
  PreparedKernel k(sig, isas, chosen, threads);
  return medianSeconds(repeats, [&] { k.run(ins, outs); });
}

const std::vector<Isa> kRef = {Isa::Ref};
const std::vector<Isa> kAvx2 = {Isa::Ref, Isa::X86Avx2};
const std::vector<Isa> kBest = {Isa::Ref, Isa::X86Avx2, Isa::X86Avx512};

}  // namespace edgec::bench
