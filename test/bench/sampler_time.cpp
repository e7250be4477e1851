// The sampler's time a token over a vocabulary of Qwen2.5's size (151936 logits, N(0, 3)),
// for each of edgec generate's common settings: greedy (--temp 0, the default), --temp 0.8
// with the default top-k 40, top-p 0.95, min-p 0.05, and the same with top-k off. Prints
// the median of R calls. Not part of the test suite (speed is no test); built only on
// request (`ninja edgec_sampler_bench`):
//
//   edgec_sampler_bench [--vocab N] [--repeats R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "edgec/sampler.h"

int main(int argc, char **argv) {
  size_t vocab = 151936;
  int repeats = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--vocab")) vocab = size_t(std::atol(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--repeats")) repeats = std::atoi(argv[i + 1]);
    else return std::fprintf(stderr, "usage: edgec_sampler_bench [--vocab N] [--repeats R]\n"), 2;
  }
  std::vector<float> logits(vocab);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (float &x : logits) x = normal(rng);
  struct Setting {
    const char *name;
    float temperature;
    int topK;
  };
  for (const Setting &s : {Setting{"greedy", 0.0f, 40}, Setting{"temp 0.8, top-k 40, top-p 0.95, min-p 0.05", 0.8f, 40},
                           Setting{"temp 0.8, top-k off, top-p 0.95, min-p 0.05", 0.8f, 0}}) {
    edgec::SamplerParams params;
    params.temperature = s.temperature;
    params.topK = s.topK;
    edgec::Sampler sampler(params);
    std::vector<double> us;
    long sink = 0;
    for (int r = 0; r < repeats; ++r) {
      logits[size_t(r) % vocab] += 0.001f;  // a new row each time, as decoding gives
      const auto t0 = std::chrono::steady_clock::now();
      sink += sampler.sample(logits.data(), vocab);
      us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    std::nth_element(us.begin(), us.begin() + long(us.size() / 2), us.end());
    std::printf("%-45s %8.1f us a token (median of %d; ids sum %ld)\n", s.name, us[us.size() / 2], repeats, sink);
  }
  return 0;
}
