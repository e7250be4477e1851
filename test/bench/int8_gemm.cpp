// int8 GEMM microbenchmark: the machine's AVX-512 VNNI (and fp32 FMA) peak on one core,
// our int8 MatMul's GOP/s on a few shapes as a fraction of that peak, and int8 Conv
// against the ref int8 kernels and our fp32 x86 Conv on a few MobileNetV2/ResNet shapes.
// Not part of the test suite (speed is no test); run it by hand:
//
//   edgec_int8_gemm_bench [--cpu N] [--repeats R]
//
// Counting: one vpdpbusd zmm does 16 lanes x 4 = 64 u8 x s8 multiply-adds = 128 integer
// ops; a GEMM M x N x K does 2 M N K ops. The peak loop runs 16 independent accumulator
// chains (more than latency x throughput on any current core) on registers only. One
// thread, pinned to one CPU (sched_setaffinity), median of `repeats` timed runs after a
// warm-up. The kernels run through the registry as a session does (prepare once: constant
// weights packed then; run timed).
#include <immintrin.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernel.h"

using namespace edgec::rt;
namespace pkg = edgec::pkg;

namespace {

using Clock = std::chrono::steady_clock;

double medianSeconds(int repeats, const std::function<void()> &fn) {
  fn();  // warm-up (first touch, caches)
  std::vector<double> t;
  for (int i = 0; i < repeats; ++i) {
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

__attribute__((target("avx512f,avx512vnni"), noinline)) int vnniLoop(int64_t iters) {
#define DECL(i) __m512i acc##i = _mm512_set1_epi32(i);
  EDGEC_ACC16(DECL)
#undef DECL
  const __m512i a = _mm512_set1_epi32(0x01010101), b = _mm512_set1_epi32(0x02020202);
  for (int64_t it = 0; it < iters; ++it) {
#define STEP(i) acc##i = _mm512_dpbusd_epi32(acc##i, a, b);
    EDGEC_ACC16(STEP)
#undef STEP
    __asm__ volatile("" : "+v"(acc0), "+v"(acc1), "+v"(acc2), "+v"(acc3), "+v"(acc4), "+v"(acc5), "+v"(acc6), "+v"(acc7));
    __asm__ volatile("" : "+v"(acc8), "+v"(acc9), "+v"(acc10), "+v"(acc11), "+v"(acc12), "+v"(acc13), "+v"(acc14), "+v"(acc15));
  }
  __m512i s = _mm512_setzero_si512();
#define SUM(i) s = _mm512_add_epi32(s, acc##i);
  EDGEC_ACC16(SUM)
#undef SUM
  return _mm512_reduce_add_epi32(s);
}

__attribute__((target("avx512f"), noinline)) float fmaLoop(int64_t iters) {
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
    for (size_t i = 0; i < view.nbytes(); ++i) bytes[i] = uint8_t(rng());
    if (view.dtype == DType::f32)
      for (int64_t i = 0; i < view.numel(); ++i) view.as<float>()[i] = float(int(rng() % 2001) - 1000) * 1e-3f;
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

// Prepares `op` on the best kernel among `isas` (inputs after the first constant) and
// returns the median seconds of one single-threaded run, or -1 if no kernel takes it.
double timeKernel(const std::string &op, std::vector<Tensor *> in, Tensor &out, Attrs attrs,
                  const std::vector<Isa> &isas, int repeats, Isa *chosen) {
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
  std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, isas, chosen);
  k->prepare(sig);
  std::vector<uint8_t> scratch(k->scratchBytes() + 128);
  RunContext ctx;
  ctx.threads = 1;
  ctx.scratch = reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) / 64 * 64);
  ctx.scratchStride = (k->scratchBytes() + 63) / 64 * 64;
  return medianSeconds(repeats, [&] { k->run(ctx, ins, outs); });
}

const std::vector<Isa> kRef = {Isa::Ref};
const std::vector<Isa> kAvx2 = {Isa::Ref, Isa::X86Avx2};
const std::vector<Isa> kBest = {Isa::Ref, Isa::X86Avx2, Isa::X86Avx512};

}  // namespace

int main(int argc, char **argv) {
  int cpu = 0, repeats = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--cpu")) cpu = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--repeats")) repeats = std::atoi(argv[i + 1]);
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) std::perror("sched_setaffinity");
  std::printf("int8 GEMM microbenchmark: 1 thread pinned to CPU %d, median of %d runs\n\n", cpu, repeats);

  const bool vnni = __builtin_cpu_supports("avx512vnni");
  double peak = 0;
  if (vnni) {
    const int64_t iters = 20000000;
    volatile int sink;
    const double s = medianSeconds(5, [&] { sink = vnniLoop(iters); });
    (void)sink;
    peak = double(iters) * 16 * 128 / s / 1e9;
    std::printf("VNNI peak (vpdpbusd zmm, 16 chains, 128 int ops each): %8.1f GOP/s  (%.2f vpdpbusd/ns)\n", peak,
                double(iters) * 16 / s / 1e9);
    volatile float fsink;
    const double f = medianSeconds(5, [&] { fsink = fmaLoop(iters); });
    (void)fsink;
    std::printf("fp32 FMA peak (vfmadd zmm, 16 chains, 32 flops each):   %8.1f GFLOP/s\n\n", double(iters) * 16 * 32 / f / 1e9);
  } else {
    std::printf("no AVX512_VNNI: peaks skipped\n\n");
  }

  std::mt19937 rng(1);
  std::printf("int8 MatMul u8 [M,K] x i8 [K,N] (per-column scales, zero point 0), y u8\n");
  std::printf("%-22s %10s %10s %8s %10s %10s\n", "M x N x K", "best GOP/s", "% peak", "ms", "avx2 GOP/s", "ref GOP/s");
  struct Shape {
    int64_t M, N, K;
  };
  for (const Shape &s : {Shape{256, 256, 256}, Shape{1024, 1024, 1024}, Shape{512, 2048, 1024}, Shape{1, 4096, 4096},
                         Shape{196, 256, 2304}, Shape{3136, 64, 576}}) {
    Tensor a(DType::u8, {s.M, s.K}), b(DType::i8, {s.K, s.N}), y(DType::u8, {s.M, s.N});
    a.random(rng), b.random(rng);
    a.quantize({0.02f}, 128, -1);
    b.quantize(std::vector<float>(size_t(s.N), 0.01f), 0, 1);
    y.quantize({0.02f * 0.01f * 3000.f}, 128, -1);
    const double ops = 2.0 * double(s.M) * double(s.N) * double(s.K);
    Isa chosen;
    Attr none1, none2, none3;
    const double tb = timeKernel("MatMul", {&a, &b}, y, none1.finish(), kBest, repeats, &chosen);
    const double t2 = timeKernel("MatMul", {&a, &b}, y, none2.finish(), kAvx2, repeats, &chosen);
    const bool small = ops < 1e9;
    const double tr = small ? timeKernel("MatMul", {&a, &b}, y, none3.finish(), kRef, 3, &chosen) : -1;
    char name[64];
    std::snprintf(name, sizeof name, "%lld x %lld x %lld", (long long)s.M, (long long)s.N, (long long)s.K);
    std::printf("%-22s %10.1f %9.1f%% %8.3f %10.1f ", name, ops / tb / 1e9, peak > 0 ? 100.0 * ops / tb / 1e9 / peak : 0.0,
                tb * 1e3, ops / t2 / 1e9);
    if (tr > 0)
      std::printf("%10.2f\n", ops / tr / 1e9);
    else
      std::printf("%10s\n", "-");
  }

  std::printf("\nConv (1 thread): int8 best / int8 avx2 / int8 ref / fp32 best, ms and speed-up of int8 best\n");
  std::printf("%-40s %9s %9s %9s %9s %8s %8s\n", "shape", "i8 best", "i8 avx2", "i8 ref", "f32 best", "vs ref", "vs f32");
  struct ConvShape {
    const char *name;
    int64_t C, H, W, M, k, stride, group;
  };
  for (const ConvShape &c : {ConvShape{"1x1 96->24 @56 (MobileNetV2)", 96, 56, 56, 24, 1, 1, 1},
                             ConvShape{"1x1 32->192 @28 (MobileNetV2)", 32, 28, 28, 192, 1, 1, 1},
                             ConvShape{"1x1 320->1280 @7 (MobileNetV2)", 320, 7, 7, 1280, 1, 1, 1},
                             ConvShape{"3x3 64->64 @56 (ResNet-18)", 64, 56, 56, 64, 3, 1, 1},
                             ConvShape{"3x3 s2 3->32 @224 (first layer)", 3, 224, 224, 32, 3, 2, 1},
                             ConvShape{"dw 3x3 144 @56", 144, 56, 56, 144, 3, 1, 144},
                             ConvShape{"dw 3x3 s2 96 @112", 96, 112, 112, 96, 3, 2, 96}}) {
    const int64_t pad = c.k / 2, OH = (c.H + 2 * pad - c.k) / c.stride + 1, OW = (c.W + 2 * pad - c.k) / c.stride + 1;
    auto attrs = [&](Attr &at) {
      at.i("group", c.group).ints("kernel_shape", {c.k, c.k}).ints("strides", {c.stride, c.stride});
      at.ints("dilations", {1, 1}).ints("pads", {pad, pad, pad, pad});
      return at.finish();
    };
    const int64_t cg = c.C / c.group;
    Tensor x(DType::u8, {1, c.C, c.H, c.W}), w(DType::i8, {c.M, cg, c.k, c.k}), b(DType::i32, {c.M}),
        y(DType::u8, {1, c.M, OH, OW});
    x.random(rng), w.random(rng), b.random(rng);
    x.quantize({0.02f}, 128, -1);
    w.quantize(std::vector<float>(size_t(c.M), 0.01f), 0, 0);
    b.quantize(std::vector<float>(size_t(c.M), 0.02f * 0.01f), 0, 0);
    for (int64_t i = 0; i < c.M; ++i) b.view.as<int32_t>()[i] = int32_t(rng() % 20001) - 10000;
    y.quantize({0.02f * 0.01f * 400.f}, 128, -1);
    Tensor fx(DType::f32, {1, c.C, c.H, c.W}), fw(DType::f32, {c.M, cg, c.k, c.k}), fb(DType::f32, {c.M}),
        fy(DType::f32, {1, c.M, OH, OW});
    fx.random(rng), fw.random(rng), fb.random(rng);
    Isa i1, i2, i3, i4;
    Attr a1, a2, a3, a4;
    const double tb = timeKernel("Conv", {&x, &w, &b}, y, attrs(a1), kBest, repeats, &i1);
    const double t2 = timeKernel("Conv", {&x, &w, &b}, y, attrs(a2), kAvx2, repeats, &i2);
    const double tr = timeKernel("Conv", {&x, &w, &b}, y, attrs(a3), kRef, 3, &i3);
    const double tf = timeKernel("Conv", {&fx, &fw, &fb}, fy, attrs(a4), kBest, repeats, &i4);
    std::printf("%-40s %9.3f %9.3f %9.3f %9.3f %7.1fx %7.2fx\n", c.name, tb * 1e3, t2 * 1e3, tr * 1e3, tf * 1e3, tr / tb,
                tf / tb);
  }

  // DynamicQuantizedMatMul (--precision int8-dynamic): f32 rows quantized at run time, i8
  // weight (per-column scales), f32 bias and output, against ref and the f32 MatMul.
  std::printf("\nDynamicQuantizedMatMul (1 thread): best / avx2 / ref / f32 MatMul best, ms and speed-up of best\n");
  std::printf("%-40s %9s %9s %9s %9s %8s %8s\n", "rows x N x K", "dq best", "dq avx2", "dq ref", "f32 best", "vs ref",
              "vs f32");
  for (const Shape &s : {Shape{32, 1024, 256}, Shape{1, 1024, 256}, Shape{128, 768, 768}}) {
    Tensor x(DType::f32, {s.M, s.K}), w(DType::i8, {s.K, s.N}), b(DType::f32, {s.N}), y(DType::f32, {s.M, s.N});
    Tensor fw(DType::f32, {s.K, s.N}), fy(DType::f32, {s.M, s.N});
    x.random(rng), w.random(rng), b.random(rng), fw.random(rng);
    for (int64_t i = 0; i < s.K * s.N; ++i) w.view.as<int8_t>()[i] = int8_t(std::max<int>(-127, w.view.as<int8_t>()[i]));
    w.quantize(std::vector<float>(size_t(s.N), 0.01f), 0, 1);
    Isa i1, i2, i3, i4;
    Attr a1, a2, a3, a4;
    const double tb = timeKernel("DynamicQuantizedMatMul", {&x, &w, &b}, y, a1.finish(), kBest, repeats, &i1);
    const double t2 = timeKernel("DynamicQuantizedMatMul", {&x, &w, &b}, y, a2.finish(), kAvx2, repeats, &i2);
    const double tr = timeKernel("DynamicQuantizedMatMul", {&x, &w, &b}, y, a3.finish(), kRef, 3, &i3);
    const double tf = timeKernel("MatMul", {&x, &fw}, fy, a4.finish(), kBest, repeats, &i4);
    char name[64];
    std::snprintf(name, sizeof name, "%lld x %lld x %lld (%s)", (long long)s.M, (long long)s.N, (long long)s.K,
                  isaName(i1));
    std::printf("%-40s %9.3f %9.3f %9.3f %9.3f %7.1fx %7.2fx\n", name, tb * 1e3, t2 * 1e3, tr * 1e3, tf * 1e3, tr / tb,
                tf / tb);
  }
  return 0;
}
