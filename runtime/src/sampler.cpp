#include "edgec/sampler.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace edgec {

std::string SamplerParams::validate() const {
  if (!std::isfinite(temperature)) return "temperature must be a finite number";
  if (!(topP >= 0.0f && topP <= 1.0f)) return "top-p must be in [0, 1], not " + std::to_string(topP);
  if (!(minP >= 0.0f && minP <= 1.0f)) return "min-p must be in [0, 1], not " + std::to_string(minP);
  if (!(repeatPenalty > 0.0f) || !std::isfinite(repeatPenalty))
    return "the repetition penalty must be a positive number, not " + std::to_string(repeatPenalty);
  if (repeatLastN < 0) return "the repetition window must be >= 0 tokens";
  return "";
}

Sampler::Sampler(const SamplerParams &params) : params_(params), rng_(params.seed) {}

void Sampler::reset() {
  history_.clear();
  rng_.seed(params_.seed);
}

void Sampler::accept(int32_t token) {
  if (params_.repeatLastN <= 0) return;
  history_.push_back(token);
  while (history_.size() > size_t(params_.repeatLastN)) history_.pop_front();
}

double Sampler::uniform() { return double(rng_() >> 11) * (1.0 / 9007199254740992.0); }

// llama.cpp's repetition penalty: each distinct token of the window once; a positive logit
// is divided by the penalty, a negative (or zero) one multiplied.
void Sampler::applyPenalty(std::vector<float> &logits) const {
  std::unordered_set<int32_t> seen;
  for (int32_t t : history_) {
    if (t < 0 || size_t(t) >= logits.size() || !seen.insert(t).second) continue;
    float &l = logits[t];
    l = l <= 0.0f ? l * params_.repeatPenalty : l / params_.repeatPenalty;
  }
}

namespace {
// A candidate while filtering: r = exp(logit - max logit), the probability at temperature
// 1 relative to the most likely (top-p and min-p come before temperature, as in llama.cpp).
struct Cand {
  int32_t id;
  float logit;
  double r;
};
// A total order (logit descending, then id) so that ties never depend on the sort.
bool before(const Cand &a, const Cand &b) { return a.logit > b.logit || (a.logit == b.logit && a.id < b.id); }
}  // namespace

size_t Sampler::brokenLogits(const float *logits, size_t n) {
  size_t broken = 0;
  for (size_t i = 0; i < n; ++i) broken += std::isnan(logits[i]) || logits[i] == INFINITY;
  return broken;
}

int32_t Sampler::sample(const float *logits, size_t n) {
  cands_.clear();
  if (n == 0) return -1;
  // The logits are read in place unless the repetition penalty changes some: a vocabulary
  // is 32k-152k floats, and copying them, or making a candidate of each, cost 0.3-0.7 ms a
  // token on 152k (3-6% of a small model's decode step) for the default greedy and top-k
  // 40. The candidates and their order are the same either way.
  std::vector<float> penalized;
  if (params_.repeatPenalty != 1.0f && !history_.empty()) {
    penalized.assign(logits, logits + n);
    applyPenalty(penalized);
    logits = penalized.data();
  }
  // A broken logit (NaN, or +inf: no probability follows from it) is never chosen, and
  // never breaks the sort or the sums.
  auto logit = [logits](size_t i) {
    const float x = logits[i];
    return std::isnan(x) || x == INFINITY ? -INFINITY : x;
  };
  if (params_.temperature <= 0.0f) {
    // The largest logit, then its first index (two plain passes the compiler vectorizes):
    // the lowest id on a tie; NaN and +inf never count; token 0 when none is above -inf.
    float bestLogit = -INFINITY;
    for (size_t i = 0; i < n; ++i)
      if (logits[i] > bestLogit && logits[i] != INFINITY) bestLogit = logits[i];
    size_t best = 0;
    if (bestLogit != -INFINITY)
      while (logits[best] != bestLogit) ++best;
    cands_.push_back({int32_t(best), bestLogit, 1.0f});
    return int32_t(best);
  }
  std::vector<Cand> c;
  if (params_.topK > 0 && size_t(params_.topK) < n) {
    // The top k by `before`, kept in a heap whose top is the last of them, then sorted.
    const size_t k = size_t(params_.topK);
    c.reserve(k);
    for (size_t i = 0; i < n; ++i) {
      const Cand x{int32_t(i), logit(i), 0.0};
      if (c.size() == k && x.logit < c.front().logit) continue;  // most of them: below the k-th
      if (c.size() < k) {
        c.push_back(x);
        std::push_heap(c.begin(), c.end(), before);
      } else if (before(x, c.front())) {
        std::pop_heap(c.begin(), c.end(), before);
        c.back() = x;
        std::push_heap(c.begin(), c.end(), before);
      }
    }
    std::sort_heap(c.begin(), c.end(), before);
  } else {
    c.resize(n);
    for (size_t i = 0; i < n; ++i) c[i] = {int32_t(i), logit(i), 0.0};
  }
  float maxL = c[0].logit;
  for (const Cand &x : c) maxL = std::max(maxL, x.logit);
  if (maxL == -INFINITY) {  // nothing is possible: the first token, deterministically
    cands_.push_back({c[0].id, c[0].logit, 1.0f});
    return c[0].id;
  }
  double total = 0;
  for (Cand &x : c) total += x.r = std::exp(double(x.logit) - double(maxL));
  // min-p keeps the tokens with p >= minP x p(most likely), i.e. r >= minP: the most likely
  // ones, found without sorting (a vocabulary is 32k-150k entries; the set is usually small).
  const double minP = std::min(params_.minP, 1.0f);  // the most likely (r = 1) always stays
  if (minP > 0.0) c.erase(std::remove_if(c.begin(), c.end(), [&](const Cand &x) { return x.r < minP; }), c.end());
  // top-p keeps the shortest most-likely prefix whose probability reaches topP (at least one
  // token); the intersection with min-p's set is the shorter of the two prefixes, whichever
  // filter goes first. Only that prefix needs sorting: 256 first, then twice as many each
  // time it is not enough (select with nth_element, sort the new part).
  size_t sorted = 0;
  auto sortUpTo = [&](size_t m) {
    m = std::min(m, c.size());
    if (m <= sorted) return;
    if (m < c.size()) std::nth_element(c.begin() + sorted, c.begin() + m, c.end(), before);
    std::sort(c.begin() + sorted, c.begin() + m, before);
    sorted = m;
  };
  sortUpTo(256);
  size_t keep = c.size();
  if (params_.topP < 1.0f) {
    double cum = 0;
    for (size_t k = 0; k < c.size(); ++k) {
      if (k == sorted) sortUpTo(2 * sorted);
      cum += c[k].r / total;
      if (cum >= params_.topP) {
        keep = k + 1;
        break;
      }
    }
  }
  c.resize(keep);
  sortUpTo(c.size());  // the draw walks the candidates in this fixed order

  // Temperature, then the inverse CDF at a uniform draw.
  std::vector<double> e(c.size());
  double sum = 0;
  for (size_t i = 0; i < c.size(); ++i) sum += e[i] = std::exp((double(c[i].logit) - double(maxL)) / params_.temperature);
  const double u = uniform() * sum;
  double cum = 0;
  size_t pick = c.size() - 1;
  for (size_t i = 0; i < c.size(); ++i) {
    cum += e[i];
    if (u < cum) {
      pick = i;
      break;
    }
  }
  cands_.resize(c.size());
  for (size_t i = 0; i < c.size(); ++i) cands_[i] = {c[i].id, c[i].logit, float(e[i] / sum)};
  return c[pick].id;
}

}  // namespace edgec
