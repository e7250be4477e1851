// Each decode token's time in an LLM package, as `edgec bench` runs them (LlmSession: a
// prompt of P arbitrary token ids, then N greedy decode steps), with the spread that
// `edgec bench`'s one figure (N / the whole decode's time: the mean) hides. On the shared
// 2-vCPU host a handful of tokens slowed 3-6x by other processes move the mean by a
// quarter while the median stays at the step's own time (docs/gguf-performance-log.md, eleventh session),
// so compare a step's cost (e.g. with edgec_gguf_decode_bench's step) by the median or the
// minimum, and engines by alternated `scripts/bench.sh llm` rounds. Not part of the test
// suite (speed is no test); built only on request (`ninja edgec_llm_token_times`):
//
//   edgec_llm_token_times PACKAGE [-p P] [-n N] [-r R] [-t T] [--all]
//
// Prints per repetition: tokens/s as edgec bench computes it, then the mean, minimum,
// quartiles and maximum of the token times (ms); --all adds every token's time in order.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "edgec/llm_session.h"

namespace {

[[noreturn]] void usage(const char *msg) {
  std::fprintf(stderr, "edgec_llm_token_times: %s\nusage: edgec_llm_token_times PACKAGE [-p P] [-n N] [-r R] [-t T] [--all]\n",
               msg);
  std::exit(2);
}

}  // namespace

int main(int argc, char **argv) {
  std::string package;
  int prompt = 1, n = 64, reps = 1, threads = 1;
  bool all = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--all") {
      all = true;
      continue;
    }
    if (a[0] != '-') {
      package = a;
      continue;
    }
    if (i + 1 >= argc) usage("missing value");
    const int v = std::atoi(argv[++i]);
    if (a == "-p") prompt = v;
    else if (a == "-n") n = v;
    else if (a == "-r") reps = v;
    else if (a == "-t") threads = v;
    else usage(("unknown option " + a).c_str());
  }
  if (package.empty()) usage("no package");
  if (prompt < 1 || n < 1 || reps < 1 || threads < 0) usage("-p, -n and -r must be positive");
  std::string error;
  std::unique_ptr<edgec::LlmSession> s = edgec::LlmSession::open(package, threads, error);
  if (!s) usage(error.c_str());
  const edgec::LlmInfo &info = s->info();
  if (prompt + n > info.contextLength) usage("-p + -n exceed the package's context");
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  for (int r = 0; r < reps; ++r) {
    s->reset();
    std::vector<int32_t> tokens(static_cast<size_t>(prompt));
    for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = int32_t((i * 7919 + 13) % uint64_t(info.vocabSize));  // as edgec bench
    const float *logits = nullptr;
    if (!s->feed(tokens, logits, error)) usage(error.c_str());
    int32_t next = tokens.back();
    std::vector<double> t;
    const auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
      const auto a = Clock::now();
      if (!s->feed({next}, logits, error)) usage(error.c_str());
      next = int32_t(std::max_element(logits, logits + info.vocabSize) - logits);
      t.push_back(ms(Clock::now() - a));
    }
    const double total = ms(Clock::now() - start);
    std::vector<double> u = t;
    std::sort(u.begin(), u.end());
    std::printf("p %d n %d threads %d: %.2f tok/s (edgec bench's figure); token ms: mean %.2f min %.2f p25 %.2f "
                "median %.2f p75 %.2f max %.2f\n",
                prompt, n, s->threads(), n / total * 1e3, total / n, u[0], u[size_t(n) / 4], u[size_t(n) / 2],
                u[size_t(3 * n) / 4], u.back());
    if (all) {
      for (double x : t) std::printf("%.1f ", x);
      std::printf("\n");
    }
  }
  return 0;
}
