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
  if (params_.repeatPenalty == 1.0f || history_.empty()) return;
  std::unordered_set<int32_t> seen;
  for (int32_t t : history_) {
    if (t < 0 || size_t(t) >= logits.size() || !seen.insert(t).second) continue;
    float &l = logits[t];
    l = l <= 0.0f ? l * params_.repeatPenalty : l / params_.repeatPenalty;
  }
}

int32_t Sampler::sample(const float *logits, size_t n) {
  cands_.clear();
  if (n == 0) return -1;
  std::vector<float> l(logits, logits + n);
  applyPenalty(l);
  // A total order (logit descending, then id) so that ties never depend on the sort.
  auto before = [](const Candidate &a, const Candidate &b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  };
  if (params_.temperature <= 0.0f) {
    size_t best = 0;
    for (size_t i = 1; i < n; ++i)
      if (l[i] > l[best]) best = i;
    cands_.push_back({int32_t(best), l[best], 1.0f});
    return int32_t(best);
  }
  std::vector<Candidate> c(n);
  for (size_t i = 0; i < n; ++i) c[i] = {int32_t(i), l[i], 0.0f};
  size_t keep = n;
  if (params_.topK > 0 && size_t(params_.topK) < n) keep = size_t(params_.topK);
  std::partial_sort(c.begin(), c.begin() + keep, c.end(), before);
  c.resize(keep);

  // Probabilities at temperature 1 for top-p and min-p (they come before temperature).
  auto softmax = [&](float temp) {
    const double maxL = c[0].logit;
    double sum = 0;
    std::vector<double> e(c.size());
    for (size_t i = 0; i < c.size(); ++i) sum += e[i] = std::exp((double(c[i].logit) - maxL) / temp);
    for (size_t i = 0; i < c.size(); ++i) c[i].p = float(e[i] / sum);
    return e;
  };
  softmax(1.0f);
  if (params_.topP < 1.0f) {
    double cum = 0;
    size_t k = 0;
    while (k < c.size()) {
      cum += c[k].p;
      ++k;
      if (cum >= params_.topP) break;
    }
    c.resize(std::max<size_t>(k, 1));
  }
  if (params_.minP > 0.0f) {
    const float threshold = c[0].p * params_.minP;
    size_t k = 1;
    while (k < c.size() && c[k].p >= threshold) ++k;
    c.resize(k);
  }
  const std::vector<double> e = softmax(params_.temperature);
  double sum = 0;
  for (double x : e) sum += x;
  // Inverse CDF over the candidates in their fixed order.
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
  cands_ = c;
  return c[pick].id;
}

}  // namespace edgec
