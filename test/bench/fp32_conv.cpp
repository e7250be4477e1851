// fp32 microbenchmark (issue 8): the machine's fp32 FMA peak on one core, then every
// distinct Conv layer of ResNet-18 (and the largest GEMMs of the benchmark models) on our
// best fp32 kernels, in GFLOP/s and as a fraction of that peak, at 1 and 2 threads.
// Not part of the test suite (speed is no test); run it by hand:
//
//   edgec_fp32_conv_bench [--cpu N] [--repeats R] [--matmul] [--mobilenet | --mobilenet-only]
//                         [--thread-time]
//
// `--matmul` skips the Conv layers; `--mobilenet` adds MobileNetV2's conv layers (1x1,
// depthwise), `--mobilenet-only` runs only those; `--thread-time` times the calling thread's CPU time
// instead of wall time (kernel_bench_util.h: for a loaded machine).
//
// Counting: a Conv does 2 x (output elements) x (input channels per group x kernel taps)
// flops; a GEMM M x N x K 2 M N K. The peak loop runs 16 independent FMA chains on
// registers only (one vfmadd zmm = 16 lanes x 2 flops). Threads are pinned to CPUs N and
// N + 1 (sched_setaffinity), median of `repeats` timed runs after a warm-up. The kernels
// run through the registry as a session does (prepare once: constant weights packed then).
#include <cstdio>
#include <cstdlib>

#include "kernel_bench_util.h"

using namespace edgec::bench;

namespace {

struct ConvLayer {
  const char *name;
  int count;  // how many times the model has this shape
  int64_t C, H, W, M, k, stride;
  int64_t group = 1;
};

// ResNet-18 at 1x3x224x224, every conv after BatchNorm folding (bias) and with ReLU where
// the model has one (the fused epilogue costs nothing measurable either way).
const ConvLayer kResNet18[] = {
    {"conv1 7x7 s2 3->64 @224", 1, 3, 224, 224, 64, 7, 2},
    {"layer1 3x3 64->64 @56", 4, 64, 56, 56, 64, 3, 1},
    {"layer2.0 3x3 s2 64->128 @56", 1, 64, 56, 56, 128, 3, 2},
    {"layer2 3x3 128->128 @28", 3, 128, 28, 28, 128, 3, 1},
    {"layer2 down 1x1 s2 64->128", 1, 64, 56, 56, 128, 1, 2},
    {"layer3.0 3x3 s2 128->256 @28", 1, 128, 28, 28, 256, 3, 2},
    {"layer3 3x3 256->256 @14", 3, 256, 14, 14, 256, 3, 1},
    {"layer3 down 1x1 s2 128->256", 1, 128, 28, 28, 256, 1, 2},
    {"layer4.0 3x3 s2 256->512 @14", 1, 256, 14, 14, 512, 3, 2},
    {"layer4 3x3 512->512 @7", 3, 512, 7, 7, 512, 3, 1},
    {"layer4 down 1x1 s2 256->512", 1, 256, 14, 14, 512, 1, 2},
};

// MobileNetV2 at 1x3x224x224: its inverted-residual blocks' 1x1 expand and project convs
// and 3x3 depthwise convs (group = channels), which split over threads differently from
// ResNet-18's dense convs (column runs, output-channel panels, channels). The expand and
// depthwise convs of features.2-4 run fused in the model (PointwiseDepthwiseConv).
const ConvLayer kMobileNetV2[] = {
    {"stem 3x3 s2 3->32 @224", 1, 3, 224, 224, 32, 3, 2},
    {"dw 3x3 32 @112", 1, 32, 112, 112, 32, 3, 1, 32},
    {"1x1 32->16 @112", 1, 32, 112, 112, 16, 1, 1},
    {"1x1 16->96 @112", 1, 16, 112, 112, 96, 1, 1},
    {"dw 3x3 s2 96 @112", 1, 96, 112, 112, 96, 3, 2, 96},
    {"1x1 96->24 @56", 1, 96, 56, 56, 24, 1, 1},
    {"1x1 24->144 @56", 2, 24, 56, 56, 144, 1, 1},
    {"dw 3x3 144 @56", 1, 144, 56, 56, 144, 3, 1, 144},
    {"1x1 144->24 @56", 1, 144, 56, 56, 24, 1, 1},
    {"dw 3x3 s2 144 @56", 1, 144, 56, 56, 144, 3, 2, 144},
    {"1x1 144->32 @28", 1, 144, 28, 28, 32, 1, 1},
    {"1x1 32->192 @28", 3, 32, 28, 28, 192, 1, 1},
    {"dw 3x3 192 @28", 2, 192, 28, 28, 192, 3, 1, 192},
    {"1x1 192->32 @28", 2, 192, 28, 28, 32, 1, 1},
    {"dw 3x3 s2 192 @28", 1, 192, 28, 28, 192, 3, 2, 192},
    {"1x1 192->64 @14", 1, 192, 14, 14, 64, 1, 1},
    {"1x1 64->384 @14", 4, 64, 14, 14, 384, 1, 1},
    {"dw 3x3 384 @14", 4, 384, 14, 14, 384, 3, 1, 384},
    {"1x1 384->64 @14", 3, 384, 14, 14, 64, 1, 1},
    {"1x1 384->96 @14", 1, 384, 14, 14, 96, 1, 1},
    {"1x1 96->576 @14", 3, 96, 14, 14, 576, 1, 1},
    {"dw 3x3 576 @14", 2, 576, 14, 14, 576, 3, 1, 576},
    {"1x1 576->96 @14", 2, 576, 14, 14, 96, 1, 1},
    {"dw 3x3 s2 576 @14", 1, 576, 14, 14, 576, 3, 2, 576},
    {"1x1 576->160 @7", 1, 576, 7, 7, 160, 1, 1},
    {"1x1 160->960 @7", 3, 160, 7, 7, 960, 1, 1},
    {"dw 3x3 960 @7", 3, 960, 7, 7, 960, 3, 1, 960},
    {"1x1 960->160 @7", 2, 960, 7, 7, 160, 1, 1},
    {"1x1 960->320 @7", 1, 960, 7, 7, 320, 1, 1},
    {"1x1 320->1280 @7", 1, 320, 7, 7, 1280, 1, 1},
};

double convSeconds(const ConvLayer &c, std::mt19937 &rng, int repeats, int threads, Isa *chosen) {
  const int64_t pad = c.k / 2;
  const int64_t OH = (c.H + 2 * pad - c.k) / c.stride + 1, OW = (c.W + 2 * pad - c.k) / c.stride + 1;
  Tensor x(DType::f32, {1, c.C, c.H, c.W}), w(DType::f32, {c.M, c.C / c.group, c.k, c.k}), b(DType::f32, {c.M}),
      y(DType::f32, {1, c.M, OH, OW});
  x.random(rng), w.random(rng), b.random(rng);
  Attr a;
  a.i("group", c.group).ints("kernel_shape", {c.k, c.k}).ints("strides", {c.stride, c.stride});
  a.ints("dilations", {1, 1}).ints("pads", {pad, pad, pad, pad});
  return timeKernel("Conv", {&x, &w, &b}, y, a.finish(), kBest, repeats, chosen, threads);
}

double convFlops(const ConvLayer &c) {
  const int64_t pad = c.k / 2;
  const int64_t OH = (c.H + 2 * pad - c.k) / c.stride + 1, OW = (c.W + 2 * pad - c.k) / c.stride + 1;
  return 2.0 * double(c.M * OH * OW) * double(c.C / c.group * c.k * c.k);
}

}  // namespace

int main(int argc, char **argv) {
  int cpu, repeats;
  parseBenchArgs(argc, argv, cpu, repeats);
  if (!pinToCpus(cpu, 1)) std::perror("sched_setaffinity");
  const bool twoCpus = pinToCpus(cpu, 2) && pinToCpus(cpu, 1);
  bool matmulOnly = false, mobilenet = false, mobilenetOnly = false;
  for (int i = 1; i < argc; ++i) {
    matmulOnly = matmulOnly || !std::strcmp(argv[i], "--matmul");
    mobilenet = mobilenet || !std::strcmp(argv[i], "--mobilenet");
    mobilenetOnly = mobilenetOnly || !std::strcmp(argv[i], "--mobilenet-only");
  }
  std::printf("fp32 microbenchmark: pinned to CPU %d%s, median of %d runs%s\n\n", cpu,
              twoCpus ? " (and the next for 2 threads)" : "", repeats,
              threadTimeMode() ? " (the calling thread's CPU time)" : "");

  const int64_t iters = 20000000;
  volatile float sink;
  double peak = 0;
  if (__builtin_cpu_supports("avx512f")) {
    const double s = medianSeconds(5, [&] { sink = fmaLoop(iters); });
    peak = double(iters) * 16 * 32 / s / 1e9;
    std::printf("fp32 FMA peak, one core (vfmadd zmm, 16 chains, 32 flops each): %7.1f GFLOP/s\n", peak);
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    const double s = medianSeconds(5, [&] { sink = fmaLoopAvx2(iters); });
    const double p = double(iters) * 12 * 16 / s / 1e9;
    std::printf("fp32 FMA peak, one core (vfmadd ymm, 12 chains, 16 flops each): %7.1f GFLOP/s\n", p);
    if (peak == 0) peak = p;
  }
  std::printf("\n");

  std::mt19937 rng(1);
  auto convTable = [&](const char *title, const ConvLayer *layers, size_t n) {
    std::printf("%s (%% of the one-core peak; 2 threads: of twice it, and the 2-thread speed-up)\n", title);
    std::printf("%-32s %3s %8s %10s %8s %10s %8s %6s  %s\n", "layer", "n", "ms 1T", "GFLOP/s 1T", "% peak",
                "GFLOP/s 2T", "% 2xpeak", "1T/2T", "kernel");
    double total1 = 0, total2 = 0, flops = 0;
    for (size_t i = 0; i < n; ++i) {
      const ConvLayer &c = layers[i];
      Isa chosen;
      const double t1 = convSeconds(c, rng, repeats, 1, &chosen);
      const double t2 = twoCpus ? (pinToCpus(cpu, 2), convSeconds(c, rng, repeats, 2, &chosen)) : 0;
      pinToCpus(cpu, 1);
      const double f = convFlops(c);
      total1 += c.count * t1, total2 += c.count * t2, flops += c.count * f;
      std::printf("%-32s %3d %8.3f %10.1f %7.1f%% ", c.name, c.count, t1 * 1e3, f / t1 / 1e9, 100 * f / t1 / 1e9 / peak);
      if (twoCpus)
        std::printf("%10.1f %7.1f%% %6.2f  %s\n", f / t2 / 1e9, 100 * f / t2 / 1e9 / (2 * peak), t1 / t2,
                    isaName(chosen));
      else
        std::printf("%10s %8s %6s  %s\n", "-", "-", "-", isaName(chosen));
    }
    std::printf("%-32s %3s %8.3f %10.1f %7.1f%% ", "all", "", total1 * 1e3, flops / total1 / 1e9,
                100 * flops / total1 / 1e9 / peak);
    if (twoCpus)
      std::printf("%10.1f %7.1f%% %6.2f\n\n", flops / total2 / 1e9, 100 * flops / total2 / 1e9 / (2 * peak),
                  total1 / total2);
    else
      std::printf("\n\n");
  };
  if (!matmulOnly && !mobilenetOnly)
    convTable("ResNet-18 Conv layers (1x3x224x224)", kResNet18, std::size(kResNet18));
  if (!matmulOnly && (mobilenet || mobilenetOnly))
    convTable("MobileNetV2 Conv layers (1x3x224x224)", kMobileNetV2, std::size(kMobileNetV2));
  if (mobilenetOnly) return 0;

  // The largest GEMMs of the benchmark models: the transformer encoder's FFN at sequence
  // 128 (d_model 64 -> 128 and back; tiny), and a BERT-base-sized FFN, as MatMul [M,K] x [K,N].
  std::printf("\nMatMul [M,K] x [K,N] (B constant)\n");
  std::printf("%-32s %8s %10s %8s %10s %8s  %s\n", "M x N x K", "ms 1T", "GFLOP/s 1T", "% peak", "GFLOP/s 2T",
              "% 2xpeak", "kernel");
  struct Shape {
    int64_t M, N, K;
  };
  for (const Shape &s : {Shape{128, 128, 64}, Shape{128, 3072, 768}, Shape{128, 768, 3072}, Shape{1024, 1024, 1024}}) {
    Tensor a(DType::f32, {s.M, s.K}), b(DType::f32, {s.K, s.N}), y(DType::f32, {s.M, s.N});
    a.random(rng), b.random(rng);
    const double f = 2.0 * double(s.M) * double(s.N) * double(s.K);
    Isa chosen;
    Attr n1, n2;
    const double t1 = timeKernel("MatMul", {&a, &b}, y, n1.finish(), kBest, repeats, &chosen, 1);
    double t2 = 0;
    if (twoCpus) {
      pinToCpus(cpu, 2);
      t2 = timeKernel("MatMul", {&a, &b}, y, n2.finish(), kBest, repeats, &chosen, 2);
      pinToCpus(cpu, 1);
    }
    char name[64];
    std::snprintf(name, sizeof name, "%lld x %lld x %lld", (long long)s.M, (long long)s.N, (long long)s.K);
    std::printf("%-32s %8.3f %10.1f %7.1f%% ", name, t1 * 1e3, f / t1 / 1e9, 100 * f / t1 / 1e9 / peak);
    if (twoCpus)
      std::printf("%10.1f %7.1f%%  %s\n", f / t2 / 1e9, 100 * f / t2 / 1e9 / (2 * peak), isaName(chosen));
    else
      std::printf("%10s %8s  %s\n", "-", "-", isaName(chosen));
  }
  return 0;
}
