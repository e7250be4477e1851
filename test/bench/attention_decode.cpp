// KVCacheAttention in a decode step, alone: one query row against `pos + 1` cached rows, at
// Qwen2.5-1.5B's shapes by default (12 query heads, 2 KV heads, head size 128, a cache of
// 1024 positions in f16; `--cache i8` as `edgec compile --kv-cache int8` makes it, with its
// row scales), one call per layer, each layer's cache its own buffer as in a package's
// state (on 2 MiB pages, as a session maps its state). Between the calls a
// buffer larger than the last-level cache is read (untimed), as a decode step streams the
// layers' weights between two attentions, so the cache rows come from memory as they do
// there; `--warm` leaves them in cache instead.
// Prints the median time of a call, its cache bytes per second, and its multiply-adds per
// second. Not part of the test suite (speed is no test); built only on request
// (`ninja edgec_attention_bench`):
//
//   edgec_attention_bench [--pos P] [--threads T] [--cache f16|f32|i8] [--isa avx2|best]
//                         [--layers L] [--repeats R] [--heads HQ,HKV,D] [--rows S] [--ctx C] [--window W]
//                         [--warm]
//
// --ctx C: the cache's rows (default 1024; pos + S must fit).
// --rows S: a prefill chunk instead, S query rows at positions P .. P + S - 1 (the
// chunk's own rows already in the cache, as a package's prefill writes them first).
// --window W: a sliding window of W positions (Gemma 3's local layers; default 0, none).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <sys/mman.h>

#include "kernel_bench_util.h"

using namespace edgec::bench;

namespace {

[[noreturn]] void usage(const char *msg) {
  std::fprintf(stderr,
               "edgec_attention_bench: %s\nusage: edgec_attention_bench [--pos P] [--threads T] [--cache f16|f32|i8] "
               "[--isa avx2|best] [--layers L] [--repeats R] [--heads HQ,HKV,D] [--rows S] [--ctx C] [--window W] "
               "[--warm]\n",
               msg);
  std::exit(2);
}

// Reads `bytes` of `buf` (one load a line), so that what was cached before is evicted.
float sweep(const std::vector<float> &buf) {
  float s = 0.f;
  for (size_t i = 0; i < buf.size(); i += 16) s += buf[i];
  return s;
}

}  // namespace

int main(int argc, char **argv) {
  int64_t pos = 576, Hq = 12, Hkv = 2, D = 128, C = 1024, S = 1, window = 0;
  int threads = 1, layers = 28, repeats = 20;
  bool warm = false;
  std::string cache = "f16", isa = "best";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--warm") {
      warm = true;
      continue;
    }
    if (i + 1 >= argc) usage(("missing value after " + a).c_str());
    const char *v = argv[++i];
    if (a == "--pos") pos = std::atoll(v);
    else if (a == "--threads") threads = std::atoi(v);
    else if (a == "--cache") cache = v;
    else if (a == "--isa") isa = v;
    else if (a == "--layers") layers = std::atoi(v);
    else if (a == "--repeats") repeats = std::atoi(v);
    else if (a == "--rows") S = std::atoll(v);
    else if (a == "--ctx") C = std::atoll(v);
    else if (a == "--window") window = std::atoll(v);
    else if (a == "--heads") {
      if (std::sscanf(v, "%ld,%ld,%ld", &Hq, &Hkv, &D) != 3) usage("--heads takes HQ,HKV,D");
    } else usage(("unknown option " + a).c_str());
  }
  if (S < 1 || pos < 0 || pos + S > C || threads < 1 || layers < 1 || repeats < 1 || Hkv < 1 || Hq % Hkv || D < 1 ||
      window < 0)
    usage("bad sizes");
  if (cache != "f16" && cache != "f32" && cache != "i8") usage("--cache is f16, f32 or i8");
  if (isa != "avx2" && isa != "best") usage("--isa is avx2 or best");
  const DType ct = cache == "f16" ? DType::f16 : cache == "i8" ? DType::i8 : DType::f32;

  std::mt19937 rng(1);
  Tensor q(DType::f32, {S, Hq, D}), y(DType::f32, {S, Hq, D}), p(DType::i64, {1});
  q.random(rng);
  *p.view.as<int64_t>() = pos;
  std::vector<std::unique_ptr<Tensor>> k, v, ks, vs;  // ks, vs: an i8 cache's row scales [Hkv, C]
  for (int l = 0; l < layers; ++l) {
    k.push_back(std::make_unique<Tensor>(ct, std::vector<int64_t>{Hkv, C, D}));
    v.push_back(std::make_unique<Tensor>(ct, std::vector<int64_t>{Hkv, C, D}));
    for (Tensor *t : {k.back().get(), v.back().get()}) {
      if (ct == DType::f32) t->random(rng);
      else if (ct == DType::i8)
        for (int64_t e = 0; e < t->view.numel(); ++e) t->view.as<int8_t>()[e] = int8_t(int(rng() % 255) - 127);
      else  // small normal f16 values (exponent 13..14: 0.25 .. 1), random sign and mantissa
        for (int64_t e = 0; e < t->view.numel(); ++e)
          t->view.as<uint16_t>()[e] = uint16_t((rng() & 0x83ff) | ((13 + rng() % 2) << 10));
    }
    if (ct == DType::i8)
      for (auto *scales : {&ks, &vs}) {
        scales->push_back(std::make_unique<Tensor>(DType::f32, std::vector<int64_t>{Hkv, C}));
        for (int64_t e = 0; e < Hkv * C; ++e) scales->back()->view.as<float>()[e] = float(1 + rng() % 8) / 1024.f;
      }
  }

  // The caches on 2 MiB pages, as a session's state is (runtime/src/session.cpp): with 4
  // KB pages a long cache's rows, read a KV head at a time, missed the TLB too, which a
  // package does not.
  const size_t cacheBytes = (k[0]->view.nbytes() + 63) / 64 * 64, arenaBytes = 2 * size_t(layers) * cacheBytes;
  const size_t huge = size_t(2) << 20, mapped = (arenaBytes + 2 * huge - 1) / huge * huge;
  void *map = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) usage("cannot map the caches");
  uint8_t *arena = reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(map) + huge - 1) / huge * huge);
  (void)madvise(arena, arenaBytes, MADV_HUGEPAGE);
  for (int l = 0; l < layers; ++l)
    for (int c = 0; c < 2; ++c) {
      Tensor &t = c == 0 ? *k[size_t(l)] : *v[size_t(l)];
      uint8_t *at = arena + (size_t(l) * 2 + size_t(c)) * cacheBytes;
      std::memcpy(at, t.view.data, t.view.nbytes());
      t.view.data = at;
    }

  Attr attrs;
  attrs.list.push_back(pkg::CreateAttrDirect(attrs.fbb, "scale", pkg::AttrKind::Float, 0, 1.f / std::sqrt(float(D))));
  if (window > 0) attrs.list.push_back(pkg::CreateAttrDirect(attrs.fbb, "window", pkg::AttrKind::Int, window));
  KernelSignature sig;
  sig.op = "KVCacheAttention";
  sig.node = "bench";
  sig.attrs = attrs.finish();
  sig.inputs = {&q.view, &k[0]->view, &v[0]->view, &p.view};
  if (ct == DType::i8) sig.inputs.insert(sig.inputs.end(), {&ks[0]->view, &vs[0]->view});
  sig.input_is_constant.assign(sig.inputs.size(), false);
  sig.outputs = {&y.view};
  Isa chosen;
  PreparedKernel kern(sig, isa == "avx2" ? kAvx2 : kBest, &chosen, threads);

  std::vector<float> evict(warm ? 0 : size_t(96) << 18, 1.f);  // 96 MiB
  float sink = 0.f;
  std::vector<double> perCall;
  std::vector<TensorView *> outs = {&y.view};
  for (int r = 0; r <= repeats; ++r)  // round 0 warms up
    for (int l = 0; l < layers; ++l) {
      if (!warm) sink += sweep(evict);
      std::vector<const TensorView *> ins = {&q.view, &k[size_t(l)]->view, &v[size_t(l)]->view, &p.view};
      if (ct == DType::i8) ins.insert(ins.end(), {&ks[size_t(l)]->view, &vs[size_t(l)]->view});
      const auto a = Clock::now();
      kern.run(ins, outs);
      if (r > 0) perCall.push_back(std::chrono::duration<double>(Clock::now() - a).count());
    }
  std::sort(perCall.begin(), perCall.end());
  const double t = perCall[perCall.size() / 2];
  // The rows a query at position x reads: from its window's first (0 without one) to x.
  auto firstRow = [&](int64_t x) { return window > 0 ? std::max<int64_t>(0, x - window + 1) : 0; };
  int64_t rowsRead = 0;
  for (int64_t s = 0; s < S; ++s) rowsRead += pos + s + 1 - firstRow(pos + s);
  const double bytes =
      2.0 * double(pos + S - firstRow(pos)) * double(Hkv) * double(D * dtypeSize(ct) + (ct == DType::i8 ? 4 : 0));
  const double macs = 2.0 * double(rowsRead) * double(Hq * D);
  const std::string windowNote = window > 0 ? " window " + std::to_string(window) : "";
  std::printf("KVCacheAttention (%s) %ld row%s at pos %ld%s, %ld/%ld heads of %ld, %s cache, %d thread(s), %s: "
              "median %.1f us a call (%d calls; best %.1f), %.1f GB/s of cache, %.1f GMAC/s%s\n",
              isaName(chosen), long(S), S == 1 ? "" : "s", long(pos), windowNote.c_str(), long(Hq), long(Hkv), long(D),
              cache.c_str(), threads, warm ? "warm" : "cold (96 MiB read between calls)", t * 1e6,
              int(perCall.size()), perCall[0] * 1e6, bytes / t * 1e-9, macs / t * 1e-9, sink == 42.f ? " " : "");
  return 0;
}
