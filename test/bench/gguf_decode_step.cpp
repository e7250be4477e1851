// The matmuls of one LLM decode step alone: GgufMatMul over Qwen2.5-1.5B's 197 weights
// (28 layers of q, k, v, o [1536|256 x 1536], ffn gate and up [8960 x 1536], ffn down
// [1536 x 8960], then the head [151936 x 1536]), each its own buffer as in a package, one
// activation row each, one step after another. Weight bytes per step / step time, against
// read_bandwidth (test/bench/read_bandwidth.cpp) at the same thread count, says how much of
// a decode step's distance from the memory's limit is the GEMV kernel itself and how much
// the rest of the step (attention, the small ops, the runtime). Not part of the test suite
// (speed is no test); built only on request (`ninja edgec_gguf_decode_bench`):
//
//   edgec_gguf_decode_bench [--type q4_0] [--threads T] [--steps S] [--layers L] [--memory anon|thp|FILE]
//                           [--layout gguf|rows16|rows16-head] [--rows M]
//
// --memory: the weights in anonymous memory (4 KiB pages, the default), anonymous memory
// with MADV_HUGEPAGE, or a file of that name written and then mmapped read-only, as a
// package's constants are (page-cache pages). Random valid blocks (every f16 scale a small
// normal value). Prints the best and median step and, per matrix shape, the sum over the
// step of each matmul's best time. --layout rows16 (q4_0, q8_0, q4_k, q5_k, q6_k): the layers' weights in the
// GgufRows16 layout a package stores them in (edgec/weight_layouts.h), the head as GGUF
// rows (as packages stored the tied embedding until 30 Nov); --layout rows16-head: the head
// too, as a package stores a tied embedding since (docs/gguf-performance-log.md, 30 Nov). --rows M (M > 1): the
// layers' matmuls of a prefill chunk of M tokens instead (the panel GEMM), without the head
// (a prefill chunk runs it on its last row only); each weight still read from memory once a
// step, as in a package's prefill, where the microbenchmark (gguf_gemv.cpp) rereads one.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel.h"
#include "thread_pool.h"

using namespace edgec::rt;

namespace {

using Clock = std::chrono::steady_clock;

struct Matmul {
  int64_t N, K;
  size_t offset, bytes;
  std::unique_ptr<Kernel> kernel;
  TensorView x, w, y;
};

[[noreturn]] void usage(const char *msg) {
  std::fprintf(stderr,
               "edgec_gguf_decode_bench: %s\nusage: edgec_gguf_decode_bench [--type q4_0] [--threads T] [--steps S] "
               "[--layers L] [--memory anon|thp|FILE] [--layout gguf|rows16|rows16-head] [--rows M]\n",
               msg);
  std::exit(2);
}

}  // namespace

int main(int argc, char **argv) {
  std::string type = "q4_0", memory = "anon", layout = "gguf";
  int threads = 1, steps = 8, layers = 28, rows = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage("missing value");
    if (a == "--type") type = argv[++i];
    else if (a == "--memory") memory = argv[++i];
    else if (a == "--layout") layout = argv[++i];
    else if (a == "--threads") threads = std::atoi(argv[++i]);
    else if (a == "--steps") steps = std::atoi(argv[++i]);
    else if (a == "--layers") layers = std::atoi(argv[++i]);
    else if (a == "--rows") rows = std::atoi(argv[++i]);
    else usage(("unknown option " + a).c_str());
  }
  if (threads < 1 || steps < 1 || layers < 0 || rows < 1) usage("--threads, --steps and --rows must be positive");
  const edgec::DTypeInfo *info = edgec::dtypeInfoByName(type);
  if (!info || !info->isBlock()) usage(("not a GGUF block type: " + type).c_str());
  const DType t = DType(info->code);

  std::vector<Matmul> mm;
  const int64_t E = 1536, KV = 256, F = 8960, vocab = 151936;
  for (int l = 0; l < layers; ++l)
    for (auto nk : {std::pair{E, E}, {KV, E}, {KV, E}, {E, E}, {F, E}, {F, E}, {E, F}}) {
      mm.emplace_back();
      mm.back().N = nk.first, mm.back().K = nk.second;
    }
  if (rows == 1) {
    mm.emplace_back();
    mm.back().N = vocab, mm.back().K = E;
  }
  size_t total = 0;
  for (Matmul &m : mm) {
    m.offset = total;
    m.bytes = size_t(m.N * m.K / info->blockSize * info->blockBytes);
    total += (m.bytes + 63) / 64 * 64;
  }

  // The weights: random bytes, then each block's f16 scale fields set to 0x2000 (~0.0078).
  const size_t huge = size_t(2) << 20;
  auto *base = static_cast<uint8_t *>(
      mmap(nullptr, total + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (base == MAP_FAILED) usage("out of memory");
  uint8_t *w = reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(base) + huge - 1) & ~uintptr_t(huge - 1));
  if (memory == "thp") madvise(w, total, MADV_HUGEPAGE);
  std::mt19937 rng(1);
  for (size_t i = 0; i + 4 <= total; i += 4) {
    const uint32_t v = rng();
    std::memcpy(w + i, &v, 4);
  }
  std::vector<size_t> f16s;
  switch (t) {
    case DType::q4_k: case DType::q5_k: case DType::q4_1: case DType::q5_1: f16s = {0, 2}; break;
    case DType::q6_k: f16s = {208}; break;
    default: f16s = {0}; break;
  }
  for (const Matmul &m : mm)
    for (size_t b = 0; b < m.bytes / info->blockBytes; ++b)
      for (size_t off : f16s) {
        w[m.offset + b * info->blockBytes + off] = 0x00;
        w[m.offset + b * info->blockBytes + off + 1] = 0x20;
      }
  if (layout != "gguf" && ((layout != "rows16" && layout != "rows16-head") ||
                            (t != DType::q4_0 && t != DType::q8_0 && t != DType::q4_k && t != DType::q5_k &&
                             t != DType::q6_k)))
    usage("--layout rows16 and rows16-head take q4_0, q8_0, q4_k, q5_k or q6_k weights");
  std::vector<edgec::layouts::Desc> descs(mm.size());
  if (layout != "gguf")
    for (size_t i = 0; i + (layout == "rows16" && rows == 1 ? 1 : 0) < mm.size(); ++i) {  // rows16: the head stays GGUF
      std::string why;
      if (!edgec::layouts::describe(edgec::layouts::Kind::GgufRows16, unsigned(t), {mm[i].N, mm[i].K}, -1, -1, 0, 0,
                                    descs[i], why))
        usage(why.c_str());
      std::vector<uint8_t> packed(mm[i].bytes);
      edgec::layouts::pack(descs[i], w + mm[i].offset, packed.data(), nullptr);
      std::memcpy(w + mm[i].offset, packed.data(), packed.size());
    }
  if (memory != "anon" && memory != "thp") {  // a file, mmapped as a package is
    const int fd = open(memory.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, w, total) != ssize_t(total)) usage(("cannot write " + memory).c_str());
    close(fd);
    munmap(base, total + huge);
    const int rd = open(memory.c_str(), O_RDONLY);
    w = static_cast<uint8_t *>(mmap(nullptr, total, PROT_READ, MAP_PRIVATE, rd, 0));
    if (w == MAP_FAILED) usage(("cannot mmap " + memory).c_str());
  }

  std::vector<float> x(static_cast<size_t>(rows * F)), y(static_cast<size_t>(rows * (rows == 1 ? vocab : F)));
  for (float &v : x) v = std::uniform_real_distribution<float>(-1.f, 1.f)(rng);
  std::unique_ptr<ThreadPool> pool(threads > 1 ? new ThreadPool(threads) : nullptr);
  size_t scratchBytes = 0;
  for (size_t i = 0; i < mm.size(); ++i) {
    Matmul &m = mm[i];
    m.x.data = x.data(), m.x.dtype = DType::f32, m.x.shape = {rows, m.K};
    m.w.data = w + m.offset, m.w.dtype = t, m.w.shape = {m.N, m.K};
    m.w.layout = descs[i];
    m.y.data = y.data(), m.y.dtype = DType::f32, m.y.shape = {rows, m.N};
    KernelSignature sig;
    sig.op = "GgufMatMul";
    sig.node = "bench";
    sig.inputs = {&m.x, &m.w};
    sig.input_is_constant = {false, true};
    sig.outputs = {&m.y};
    Isa chosen = Isa::Ref;
    m.kernel = KernelRegistry::instance().create(sig, {Isa::Ref, Isa::X86Avx2, Isa::X86Avx512}, &chosen);
    m.kernel->prepare(sig);
    scratchBytes = std::max(scratchBytes, m.kernel->scratchBytes());
  }
  const size_t stride = (scratchBytes + 63) / 64 * 64;
  std::vector<uint8_t> scratch(stride * size_t(threads) + 64);
  RunContext ctx;
  ctx.pool = pool.get();
  ctx.threads = threads;
  ctx.scratch = reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) / 64 * 64);
  ctx.scratchStride = stride;

  std::vector<double> stepSeconds, best(mm.size(), 1e30);
  for (int s = 0; s <= steps; ++s) {  // step 0 warms up
    const auto start = Clock::now();
    for (size_t i = 0; i < mm.size(); ++i) {
      const auto a = Clock::now();
      mm[i].kernel->run(ctx, {&mm[i].x, &mm[i].w}, {&mm[i].y});
      if (s) best[i] = std::min(best[i], std::chrono::duration<double>(Clock::now() - a).count());
    }
    if (s) stepSeconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(stepSeconds.begin(), stepSeconds.end());
  const double first = stepSeconds.front(), median = stepSeconds[stepSeconds.size() / 2];
  std::printf("%s matmuls %s, %d thread%s, memory %s: %.1f MB a step, best %.2f ms (%.2f GB/s), median %.2f ms "
              "(%.2f GB/s)\n",
              rows == 1 ? "decode-step" : ("prefill-chunk (" + std::to_string(rows) + " rows)").c_str(), type.c_str(),
              threads, threads == 1 ? "" : "s", memory.c_str(), total / 1e6, first * 1e3, total / first / 1e9,
              median * 1e3, total / median / 1e9);
  double macs = 0;
  for (const Matmul &m : mm) macs += double(rows) * double(m.N) * double(m.K);
  if (rows > 1) std::printf("  %.1f GMAC/s at the best step, %.1f at the median\n", macs / first / 1e9, macs / median / 1e9);
  const char *names[] = {"q/o [1536 x 1536]", "k/v [256 x 1536]", "gate/up [8960 x 1536]", "down [1536 x 8960]",
                         "head [151936 x 1536]"};
  double sec[5] = {};
  size_t bytes[5] = {};
  for (size_t i = 0; i < mm.size(); ++i) {
    const int k = mm[i].N == vocab ? 4 : mm[i].K == F ? 3 : mm[i].N == F ? 2 : mm[i].N == KV ? 1 : 0;
    sec[k] += best[i], bytes[k] += mm[i].bytes;
  }
  // The per-shape lines sum each matmul's own best over the steps: every matmul at its
  // quietest moment, a floor that no whole step reaches on a shared host. Compare a decode
  // step (`edgec bench`, `edgec run --function decode`) with the step's best and median
  // above, not with this sum (docs/gguf-performance-log.md, eleventh session: the matmuls run as fast in
  // the package's step as here; the sum hid a third of the step under load).
  double bestSum = 0;
  for (int k = 0; k < 5; ++k) bestSum += sec[k];
  std::printf("  sum of each matmul's best: %.2f ms (%.2f GB/s), %.0f%% of the best step\n", bestSum * 1e3,
              total / bestSum / 1e9, 100 * bestSum / first);
  for (int k = 0; k < 5; ++k)
    if (bytes[k])
      std::printf("  %-22s %8.2f ms %7.2f GB/s %8.1f GMAC/s\n", names[k], sec[k] * 1e3, bytes[k] / sec[k] / 1e9,
                  double(rows) * double(bytes[k]) / info->blockBytes * info->blockSize / sec[k] / 1e9);
  return 0;
}
