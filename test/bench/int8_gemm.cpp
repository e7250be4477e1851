// int8 GEMM microbenchmark: the machine's AVX-512 VNNI (and fp32 FMA) peak on one core,
// our int8 MatMul's GOP/s on a few shapes as a fraction of that peak, and int8 Conv
// against the ref int8 kernels and our fp32 x86 Conv on a few MobileNetV2/ResNet shapes.
// Where AMX is usable (x86/amx.h) the kernels run on tiles: the AMX peak (four tdpbusd
// chains) is printed too, and each MatMul also on the VNNI tiles (EDGEC_X86_NO_AMX).
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

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "kernel_bench_util.h"
#include "x86/amx.h"

using namespace edgec::bench;

namespace {

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

// AMX: four independent C tiles, each a tdpbusd of 16 x 16 x 64 (32768 int ops) per step.
__attribute__((target("amx-tile,amx-int8"), noinline)) void amxLoop(int64_t iters) {
  edgec::rt::x86::TileConfig cfg;
  for (int t = 0; t < 8; ++t) cfg.rows[t] = 16, cfg.colsb[t] = 64;
  _tile_loadconfig(&cfg);
  alignas(64) static uint8_t src[16 * 64];
  _tile_loadd(4, src, 64);
  _tile_loadd(5, src, 64);
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  for (int64_t it = 0; it < iters; ++it) {
    _tile_dpbusd(0, 4, 5);
    _tile_dpbusd(1, 4, 5);
    _tile_dpbusd(2, 4, 5);
    _tile_dpbusd(3, 4, 5);
  }
  alignas(64) static int32_t out[16 * 16];
  _tile_stored(0, out, 64);
  _tile_release();
}

}  // namespace

int main(int argc, char **argv) {
  int cpu, repeats;
  parseBenchArgs(argc, argv, cpu, repeats);
  if (!pinToCpus(cpu, 1)) std::perror("sched_setaffinity");
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
    std::printf("fp32 FMA peak (vfmadd zmm, 16 chains, 32 flops each):   %8.1f GFLOP/s\n", double(iters) * 16 * 32 / f / 1e9);
  } else {
    std::printf("no AVX512_VNNI: peaks skipped\n");
  }
  // Where AMX is usable the int8 MatMul of 16 rows or more runs on tiles: its peak too, and
  // the VNNI tiles' speed (EDGEC_X86_NO_AMX, read when the kernel is prepared) beside it.
  const bool amx = edgec::rt::x86::amxUsable();
  double amxPeak = 0;
  if (amx) {
    const int64_t iters = 2000000;
    amxPeak = double(iters) * 4 * 32768 / medianSeconds(5, [&] { amxLoop(iters); }) / 1e9;
    std::printf("AMX peak (tdpbusd, 4 C tiles, 32768 int ops each):         %8.1f GOP/s\n", amxPeak);
  }
  std::printf("\n");

  std::mt19937 rng(1);
  std::printf("int8 MatMul u8 [M,K] x i8 [K,N] (per-column scales, zero point 0), y u8\n");
  std::printf("%-22s %10s %10s %10s %8s %10s %10s %10s\n", "M x N x K", "best GOP/s", "% VNNI pk", "% AMX pk", "ms",
              "VNNI GOP/s", "avx2 GOP/s", "ref GOP/s");
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
    double tv = tb;
    if (amx) {
      Attr none4;
      ::setenv("EDGEC_X86_NO_AMX", "1", 1);
      tv = timeKernel("MatMul", {&a, &b}, y, none4.finish(), kBest, repeats, &chosen);
      ::unsetenv("EDGEC_X86_NO_AMX");
    }
    const bool small = ops < 1e9;
    const double tr = small ? timeKernel("MatMul", {&a, &b}, y, none3.finish(), kRef, 3, &chosen) : -1;
    char name[64];
    std::snprintf(name, sizeof name, "%lld x %lld x %lld", (long long)s.M, (long long)s.N, (long long)s.K);
    std::printf("%-22s %10.1f %9.1f%% ", name, ops / tb / 1e9, peak > 0 ? 100.0 * ops / tb / 1e9 / peak : 0.0);
    if (amx)
      std::printf("%9.1f%% ", 100.0 * ops / tb / 1e9 / amxPeak);
    else
      std::printf("%10s ", "-");
    std::printf("%8.3f %10.1f %10.1f ", tb * 1e3, ops / tv / 1e9, ops / t2 / 1e9);
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
  for (const ConvShape &c : {ConvShape{"1x1 16->96 @112 (MobileNetV2)", 16, 112, 112, 96, 1, 1, 1},
                             ConvShape{"1x1 96->24 @56 (MobileNetV2)", 96, 56, 56, 24, 1, 1, 1},
                             ConvShape{"1x1 32->192 @28 (MobileNetV2)", 32, 28, 28, 192, 1, 1, 1},
                             ConvShape{"1x1 320->1280 @7 (MobileNetV2)", 320, 7, 7, 1280, 1, 1, 1},
                             ConvShape{"3x3 64->64 @56 (ResNet-18)", 64, 56, 56, 64, 3, 1, 1},
                             ConvShape{"3x3 s2 64->128 @56 (ResNet-18)", 64, 56, 56, 128, 3, 2, 1},
                             ConvShape{"1x1 s2 64->128 @56 (ResNet-18)", 64, 56, 56, 128, 1, 2, 1},
                             ConvShape{"3x3 512->512 @7 (ResNet-18)", 512, 7, 7, 512, 3, 1, 1},
                             ConvShape{"7x7 s2 3->64 @224 (ResNet-18)", 3, 224, 224, 64, 7, 2, 1},
                             ConvShape{"3x3 s2 3->32 @224 (first layer)", 3, 224, 224, 32, 3, 2, 1},
                             ConvShape{"dw 3x3 144 @56", 144, 56, 56, 144, 3, 1, 144},
                             ConvShape{"dw 3x3 s2 96 @112", 96, 112, 112, 96, 3, 2, 96},
                             ConvShape{"dw 3x3 960 @7", 960, 7, 7, 960, 3, 1, 960}}) {
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
