// Picking the next token from a model's logits: greedy, or temperature with top-k, top-p and
// min-p, after a repetition penalty; llama.cpp's semantics and order (penalties, top-k,
// top-p, min-p, temperature, draw). Deterministic for a seed on every platform: the random
// numbers come from std::mt19937_64 (its output is fixed by the standard) turned into
// doubles by our own code, not by std::*_distribution (implementation-defined).
// Stopping on end-of-generation is the caller's job (Tokenizer::isEog).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

namespace edgec {

struct SamplerParams {
  float temperature = 0.8f;  // <= 0: greedy (the highest logit after the penalty)
  int32_t topK = 40;         // keep the k most likely; <= 0: all
  float topP = 0.95f;        // keep the smallest most-likely set with probability >= p; >= 1: all
  float minP = 0.05f;        // keep tokens with probability >= minP x the highest; <= 0: all
  float repeatPenalty = 1.0f;  // > 1 discourages the last repeatLastN tokens; 1: off
  int32_t repeatLastN = 64;    // how many recent tokens the penalty looks at; 0: none
  uint64_t seed = 0;

  // A one-line problem with the values (temperature not finite, topP outside [0, 1], ...),
  // or empty when they are usable.
  std::string validate() const;
};

class Sampler {
public:
  explicit Sampler(const SamplerParams &params);

  // The next token for `logits` (one per vocabulary entry). Does not record it: call
  // accept() with the token actually used (prompt tokens too, for the penalty). NaN and
  // +inf logits are never chosen; with no finite logit at all it returns the first id
  // (brokenLogits() tells a caller that wants to stop instead).
  int32_t sample(const float *logits, size_t n);
  void accept(int32_t token);
  void reset();  // forget the history and restart the random sequence from the seed

  // How many of `logits` are NaN or +inf: values a model gives only when a weight or an
  // activation is not finite (a damaged file, an overflow).
  static size_t brokenLogits(const float *logits, size_t n);

  // A uniform double in [0, 1) from the generator (53 random bits); exposed for tests.
  double uniform();

  // The candidates (ids and probabilities, most likely first) that the last sample() drew
  // from; for tests and for printing.
  struct Candidate {
    int32_t id;
    float logit;
    float p;
  };
  const std::vector<Candidate> &lastCandidates() const { return cands_; }

private:
  void applyPenalty(std::vector<float> &logits) const;

  SamplerParams params_;
  std::mt19937_64 rng_;
  std::deque<int32_t> history_;
  std::vector<Candidate> cands_;
};

}  // namespace edgec
