// GgufMatMul GEMV microbenchmark (the LLM decode step): weight bytes streamed per second
// for a GGUF weight [N, K] against one activation row, at 1 and 2 threads, per ISA level.
// Not part of the test suite (speed is no test); built only on request
// (`ninja edgec_gguf_gemv_bench`) and run by hand:
//
//   edgec_gguf_gemv_bench [N K] [--rows M] [--repeats R] [--types q4_0,q8_0,...] [--rows16]
//
// --rows16: a GGUF block weight in the GgufRows16 layout a package stores it in
// (edgec/weight_layouts.h), which only the AVX-512 kernel reads (the other rows are left out).
// --rows M > 1 times a GEMM (prefill) instead and also prints its multiply-adds per second.
// GB/s = the weight's bytes / the best run time (activation quantization included). The
// weight (random valid blocks) is far larger than the caches for the default shape
// (8960 x 1536, Qwen2-1.5B's FFN up/gate), so this is the decode step's memory stream.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernel.h"
#include "thread_pool.h"

using namespace edgec::rt;

namespace {

using Clock = std::chrono::steady_clock;

// The fastest of `repeats` runs after a warm-up: on a shared machine the other runs
// measure the neighbours.
double bestSeconds(int repeats, const std::function<void()> &fn) {
  fn();
  double best = 1e30;
  for (int i = 0; i < repeats; ++i) {
    const auto a = Clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - a).count());
  }
  return best;
}

// Random bytes with every f16 scale field set to a small normal value (0x2000 ~ 0.0078),
// so no block holds NaN or infinite scales.
std::vector<uint8_t> randomWeight(DType t, int64_t N, int64_t K) {
  const edgec::DTypeInfo &info = dtypeInfo(t);
  const size_t bytes = info.isBlock() ? size_t(N * K / info.blockSize * info.blockBytes) : size_t(N * K * info.bits / 8);
  std::vector<uint8_t> w(bytes);
  std::mt19937 rng(1);
  for (auto &b : w) b = uint8_t(rng());
  if (t == DType::f16)
    for (size_t i = 1; i < bytes; i += 2) w[i] &= 0x3b;  // |x| < 1
  if (t == DType::f32 || t == DType::bf16)
    for (size_t i = info.bits / 8 - 1; i < bytes; i += info.bits / 8) w[i] = 0x3f;
  if (!info.isBlock()) return w;
  std::vector<size_t> f16s;
  switch (t) {
    case DType::q4_k: case DType::q5_k: case DType::q4_1: case DType::q5_1: f16s = {0, 2}; break;
    case DType::q6_k: f16s = {208}; break;
    case DType::q2_k: f16s = {80, 82}; break;
    case DType::q3_k: f16s = {108}; break;
    default: f16s = {0}; break;
  }
  for (size_t b = 0; b < bytes / info.blockBytes; ++b)
    for (size_t off : f16s) {
      w[b * info.blockBytes + off] = 0x00;
      w[b * info.blockBytes + off + 1] = 0x20;
    }
  return w;
}

}  // namespace

int main(int argc, char **argv) {
  int64_t N = 8960, K = 1536;
  int repeats = 50;
  int64_t rows = 1;
  std::string types = "q4_0,q8_0,q4_k,q6_k,q5_k,q4_1,q5_0,q5_1,f16";
  int pos = 0;
  bool rows16 = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--repeats" && i + 1 < argc) repeats = std::atoi(argv[++i]);
    else if (a == "--rows" && i + 1 < argc) rows = std::atoll(argv[++i]);
    else if (a == "--types" && i + 1 < argc) types = argv[++i];
    else if (a == "--rows16") rows16 = true;
    else if (pos == 0) N = std::atoll(argv[i]), ++pos;
    else K = std::atoll(argv[i]);
  }
  std::printf("GgufMatMul, %lld row(s), weight [N %lld, K %lld], best of %d runs\n", (long long)rows, (long long)N,
              (long long)K, repeats);
  std::printf("%-6s %-10s %8s %11s %11s %13s %13s\n", "type", "isa", "MB", "1 thr GB/s", "2 thr GB/s", "1 thr GMAC/s",
              "2 thr GMAC/s");
  size_t start = 0;
  while (start < types.size()) {
    const size_t comma = std::min(types.find(',', start), types.size());
    const std::string name = types.substr(start, comma - start);
    start = comma + 1;
    const edgec::DTypeInfo *info = edgec::dtypeInfoByName(name);
    if (!info) {
      std::fprintf(stderr, "unknown type %s\n", name.c_str());
      return 1;
    }
    const DType t = DType(info->code);
    std::vector<uint8_t> wbytes = randomWeight(t, N, K);
    edgec::layouts::Desc desc;
    if (rows16 && info->isBlock()) {
      std::string why;
      if (!edgec::layouts::describe(edgec::layouts::Kind::GgufRows16, unsigned(t), {N, K}, -1, -1, 0, 0, desc, why)) {
        std::fprintf(stderr, "%s\n", why.c_str());
        return 1;
      }
      std::vector<uint8_t> packed(wbytes.size());
      edgec::layouts::pack(desc, wbytes.data(), packed.data(), nullptr);
      wbytes.swap(packed);
    }
    std::vector<float> x(static_cast<size_t>(rows * K)), y(static_cast<size_t>(rows * N));
    std::mt19937 rng(2);
    for (float &v : x) v = std::uniform_real_distribution<float>(-1.f, 1.f)(rng);
    TensorView xv, wv, yv;
    xv.data = x.data(), xv.dtype = DType::f32, xv.shape = {rows, K};
    wv.data = wbytes.data(), wv.dtype = t, wv.shape = {N, K};
    wv.layout = desc;
    yv.data = y.data(), yv.dtype = DType::f32, yv.shape = {rows, N};
    KernelSignature sig;
    sig.op = "GgufMatMul";
    sig.node = "bench";
    sig.inputs = {&xv, &wv};
    sig.input_is_constant = {false, true};
    sig.outputs = {&yv};
    for (Isa isa : {Isa::Ref, Isa::X86Avx2, Isa::X86Avx512}) {
      std::vector<Isa> isas;
      for (Isa i : {Isa::Ref, Isa::X86Avx2, Isa::X86Avx512})
        if (int(i) <= int(isa)) isas.push_back(i);
      Isa chosen = Isa::Ref;
      std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, isas, &chosen);
      if (chosen != isa) continue;  // this CPU lacks the level
      if (desc.kind != edgec::layouts::Kind::None && !k->takesLayout(sig, 1)) continue;
      k->prepare(sig);
      double gbs[2], gmacs[2];
      for (int threads : {1, 2}) {
        std::unique_ptr<ThreadPool> pool(threads > 1 ? new ThreadPool(threads) : nullptr);
        const size_t stride = (k->scratchBytes() + 63) / 64 * 64;
        std::vector<uint8_t> scratch(stride * size_t(threads) + 64);
        RunContext ctx;
        ctx.pool = pool.get();
        ctx.threads = threads;
        ctx.scratch = reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) / 64 * 64);
        ctx.scratchStride = stride;
        const int reps = isa == Isa::Ref ? 3 : repeats;
        const double s = bestSeconds(reps, [&] { k->run(ctx, {&xv, &wv}, {&yv}); });
        gbs[threads - 1] = double(wbytes.size()) / s / 1e9;
        gmacs[threads - 1] = double(rows) * double(N) * double(K) / s / 1e9;
      }
      std::printf("%-6s %-10s %8.2f %11.2f %11.2f %13.2f %13.2f\n", name.c_str(), isaName(isa), wbytes.size() / 1e6,
                  gbs[0], gbs[1], gmacs[0], gmacs[1]);
    }
  }
  return 0;
}
