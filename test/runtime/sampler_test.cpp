// The sampler: greedy, the filters' edge cases (worked out by hand), the distribution of
// draws against the softmax, the repetition penalty's signs, and the random numbers pinned
// to the C++ standard's own mt19937_64 check value, so that a seed gives the same tokens
// on every platform.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <vector>

#include "edgec/sampler.h"

namespace edgec {
namespace {

SamplerParams plain(float temperature, uint64_t seed = 1) {
  SamplerParams p;
  p.temperature = temperature;
  p.topK = 0;
  p.topP = 1.0f;
  p.minP = 0.0f;
  p.seed = seed;
  return p;
}

std::vector<float> logitsOf(const std::vector<double> &probs) {
  std::vector<float> l;
  for (double p : probs) l.push_back(float(std::log(p)));
  return l;
}

std::vector<int32_t> keptIds(Sampler &s, const std::vector<float> &logits) {
  s.sample(logits.data(), logits.size());
  std::vector<int32_t> ids;
  for (const auto &c : s.lastCandidates()) ids.push_back(c.id);
  return ids;
}

TEST(Sampler, GreedyTakesTheFirstHighest) {
  Sampler s(plain(0.0f));
  const std::vector<float> l = {0.5f, 2.0f, -1.0f, 2.0f};
  EXPECT_EQ(s.sample(l.data(), l.size()), 1);  // a tie goes to the lower id
}

TEST(Sampler, TopKTiesGoToTheLowerIds) {
  // The k kept at a tie on the k-th logit are the lowest ids, whatever order they come in.
  SamplerParams p = plain(1.0f);
  p.topK = 2;
  Sampler s(p);
  EXPECT_EQ(keptIds(s, {1.0f, 2.0f, 3.0f, 2.0f, 2.0f, 0.0f}), (std::vector<int32_t>{2, 1}));
  EXPECT_EQ(keptIds(s, {2.0f, 2.0f, 2.0f, 2.0f}), (std::vector<int32_t>{0, 1}));
  p.topK = 3;
  Sampler t(p);
  EXPECT_EQ(keptIds(t, {NAN, 5.0f, INFINITY, 5.0f, -1.0f}), (std::vector<int32_t>{1, 3, 4}));
}

TEST(Sampler, RandomNumbersFollowTheStandardEngine) {
  // [rand.predef]: the 10000th output of a default-seeded mt19937_64 is 9981545732273789042.
  Sampler s(plain(1.0f, 5489));
  double u = 0;
  for (int i = 0; i < 10000; ++i) u = s.uniform();
  EXPECT_EQ(u, double(9981545732273789042ull >> 11) / 9007199254740992.0);
  // And a fixed seed gives a fixed sequence of tokens.
  const std::vector<float> l = logitsOf({0.25, 0.25, 0.25, 0.25});
  Sampler a(plain(1.0f, 42)), b(plain(1.0f, 42)), c(plain(1.0f, 43));
  std::vector<int32_t> ta, tb, tc;
  for (int i = 0; i < 32; ++i) {
    ta.push_back(a.sample(l.data(), l.size()));
    tb.push_back(b.sample(l.data(), l.size()));
    tc.push_back(c.sample(l.data(), l.size()));
  }
  EXPECT_EQ(ta, tb);
  EXPECT_NE(ta, tc);
  a.reset();
  EXPECT_EQ(a.sample(l.data(), l.size()), ta[0]);
}

TEST(Sampler, DrawsFollowTheSoftmax) {
  const std::vector<double> probs = {0.5, 0.3, 0.15, 0.05};
  const int n = 40000;
  for (float temp : {1.0f, 0.5f}) {
    Sampler s(plain(temp, 7));
    const std::vector<float> l = logitsOf(probs);
    std::vector<int> count(probs.size());
    for (int i = 0; i < n; ++i) ++count[s.sample(l.data(), l.size())];
    double z = 0;  // probabilities at this temperature: p^(1/T), normalised
    for (double p : probs) z += std::pow(p, 1.0 / temp);
    for (size_t k = 0; k < probs.size(); ++k) {
      const double expect = std::pow(probs[k], 1.0 / temp) / z;
      // 5 standard deviations of a binomial count.
      EXPECT_NEAR(count[k] / double(n), expect, 5 * std::sqrt(expect * (1 - expect) / n) + 1e-9)
          << "token " << k << " at temperature " << temp;
    }
  }
}

TEST(Sampler, TopK) {
  SamplerParams p = plain(1.0f);
  p.topK = 2;
  Sampler s(p);
  EXPECT_EQ(keptIds(s, {0.1f, 3.0f, 2.0f, 1.0f}), (std::vector<int32_t>{1, 2}));
  p.topK = 1;  // k = 1 is greedy at any temperature
  p.temperature = 100.0f;
  Sampler g(p);
  const std::vector<float> l = {0.1f, 3.0f, 2.0f, 1.0f};
  for (int i = 0; i < 50; ++i) EXPECT_EQ(g.sample(l.data(), l.size()), 1);
  p.topK = 10;  // more than the vocabulary: all
  Sampler all(p);
  EXPECT_EQ(keptIds(all, l).size(), 4u);
}

TEST(Sampler, TopP) {
  const std::vector<float> l = logitsOf({0.5, 0.3, 0.15, 0.05});
  SamplerParams p = plain(1.0f);
  p.topP = 0.75f;  // 0.5 < 0.75 <= 0.5 + 0.3: two
  Sampler a(p);
  EXPECT_EQ(keptIds(a, l), (std::vector<int32_t>{0, 1}));
  p.topP = 0.5f;  // reached exactly by the first
  Sampler b(p);
  EXPECT_EQ(keptIds(b, l), (std::vector<int32_t>{0}));
  p.topP = 0.0f;  // at least one is always kept
  Sampler c(p);
  EXPECT_EQ(keptIds(c, l), (std::vector<int32_t>{0}));
  p.topP = 0.99f;
  Sampler d(p);
  EXPECT_EQ(keptIds(d, l).size(), 4u);
}

TEST(Sampler, MinP) {
  const std::vector<float> l = logitsOf({0.5, 0.3, 0.15, 0.05});
  SamplerParams p = plain(1.0f);
  p.minP = 0.5f;  // threshold 0.25: 0.5 and 0.3
  Sampler a(p);
  EXPECT_EQ(keptIds(a, l), (std::vector<int32_t>{0, 1}));
  p.minP = 1.0f;  // only the most likely (and any equal to it)
  Sampler b(p);
  EXPECT_EQ(keptIds(b, logitsOf({0.4, 0.4, 0.2})), (std::vector<int32_t>{0, 1}));
  p.minP = 0.05f;  // 0.025: all four
  Sampler c(p);
  EXPECT_EQ(keptIds(c, l).size(), 4u);
}

TEST(Sampler, FiltersCompose) {
  // top-k 3 of 5, then top-p 0.8 over the renormalised three, then min-p.
  const std::vector<float> l = logitsOf({0.4, 0.3, 0.2, 0.06, 0.04});
  SamplerParams p = plain(1.0f);
  p.topK = 3;
  p.topP = 0.8f;  // renormalised: 0.444, 0.333, 0.222 -> 0.444 + 0.333 = 0.778 < 0.8: three
  Sampler a(p);
  EXPECT_EQ(keptIds(a, l), (std::vector<int32_t>{0, 1, 2}));
  p.minP = 0.6f;  // 0.6 x 0.444 = 0.267: 0.444 and 0.333
  Sampler b(p);
  EXPECT_EQ(keptIds(b, l), (std::vector<int32_t>{0, 1}));
}

// The filters against a plain reference (sort everything, then top-k, top-p, min-p in
// llama.cpp's order) on random logits and parameters: the sampler sorts only what it needs
// and filters min-p first, which must keep exactly the same tokens.
TEST(Sampler, FiltersMatchAFullSortReference) {
  uint64_t state = 99;
  auto next = [&] {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return state;
  };
  for (int round = 0; round < 200; ++round) {
    const size_t n = 1 + next() % 3000;
    std::vector<float> l(n);
    // Logits in [-10, 10] times a scale: 0.001 makes a nearly flat distribution (top-p then
    // keeps more than the 256 the sampler sorts first), 8 a peaked one.
    const float scale = std::array<float, 3>{0.001f, 1.0f, 8.0f}[next() % 3];
    for (float &x : l) x = float(int64_t(next() % 2000001) - 1000000) * 1e-5f * scale;
    SamplerParams p = plain(1.0f, round);
    p.topK = next() % 3 == 0 ? int32_t(next() % 600) : 0;
    p.topP = next() % 2 ? float(next() % 1001) / 1000.0f : 1.0f;
    p.minP = next() % 2 ? float(next() % 1001) / 10000.0f : 0.0f;
    std::vector<int32_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = int32_t(i);
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return l[a] > l[b] || (l[a] == l[b] && a < b); });
    if (p.topK > 0 && size_t(p.topK) < n) order.resize(size_t(p.topK));
    const double maxL = l[order[0]];
    double total = 0;
    for (int32_t i : order) total += std::exp(double(l[i]) - maxL);
    size_t keep = order.size();
    double cum = 0;
    for (size_t k = 0; p.topP < 1.0f && k < order.size(); ++k) {
      cum += std::exp(double(l[order[k]]) - maxL) / total;
      if (cum >= p.topP) {
        keep = k + 1;
        break;
      }
    }
    order.resize(keep);
    size_t k = 1;
    while (k < order.size() && std::exp(double(l[order[k]]) - maxL) >= p.minP) ++k;
    order.resize(k);
    Sampler s(p);
    ASSERT_EQ(keptIds(s, l), order) << "round " << round << ": n " << n << " top-k " << p.topK << " top-p "
                                    << p.topP << " min-p " << p.minP;
  }
}

TEST(Sampler, BrokenLogits) {
  Sampler s(plain(1.0f));
  std::vector<float> l = {NAN, 1.0f, NAN};
  for (int i = 0; i < 20; ++i) EXPECT_EQ(s.sample(l.data(), l.size()), 1);
  l = {-INFINITY, -INFINITY};
  EXPECT_EQ(s.sample(l.data(), l.size()), 0);
  Sampler g(plain(0.0f));
  EXPECT_EQ(g.sample(l.data(), l.size()), 0);
  l = {NAN, NAN};
  EXPECT_EQ(s.sample(l.data(), l.size()), 0);
  // +inf gives no probability either: the finite logits are drawn from, greedy or not.
  l = {INFINITY, 0.5f, 1.0f, NAN};
  for (int i = 0; i < 20; ++i) EXPECT_NE(s.sample(l.data(), l.size()), 0);
  EXPECT_EQ(g.sample(l.data(), l.size()), 2);
  EXPECT_EQ(Sampler::brokenLogits(l.data(), l.size()), 2u);
  l = {-INFINITY, 3.0f};
  EXPECT_EQ(Sampler::brokenLogits(l.data(), l.size()), 0u);
  // Greedy over broken logits: the finite maximum, else token 0.
  l = {NAN, INFINITY, -INFINITY};
  EXPECT_EQ(g.sample(l.data(), l.size()), 0);
  l = {NAN, -2.0f, INFINITY, -2.0f};
  EXPECT_EQ(g.sample(l.data(), l.size()), 1);
}

TEST(Sampler, RepetitionPenalty) {
  SamplerParams p = plain(0.0f);
  p.repeatPenalty = 2.0f;
  p.repeatLastN = 2;
  Sampler s(p);
  std::vector<float> l = {2.0f, 1.5f};
  s.accept(0);  // 2.0 / 2 = 1.0 < 1.5
  EXPECT_EQ(s.sample(l.data(), l.size()), 1);
  l = {-1.0f, -1.5f};  // negative: -1.0 x 2 = -2.0 < -1.5
  EXPECT_EQ(s.sample(l.data(), l.size()), 1);
  s.accept(0);  // a repeated token is penalised once, not twice
  l = {3.0f, 1.6f};
  EXPECT_EQ(s.sample(l.data(), l.size()), 1);  // 1.5 < 1.6 (3.0 / 4 would be 0.75)
  l = {3.0f, 1.4f};
  EXPECT_EQ(s.sample(l.data(), l.size()), 0);
  s.accept(1);
  s.accept(1);  // the window of 2 no longer holds token 0
  l = {2.0f, 1.5f};
  EXPECT_EQ(s.sample(l.data(), l.size()), 0);
}

TEST(Sampler, ParamsValidate) {
  SamplerParams p;
  EXPECT_EQ(p.validate(), "");
  p.topP = 1.5f;
  EXPECT_EQ(p.validate(), "top-p must be in [0, 1], not 1.500000");
  p = SamplerParams();
  p.repeatPenalty = 0.0f;
  EXPECT_EQ(p.validate(), "the repetition penalty must be a positive number, not 0.000000");
  p = SamplerParams();
  p.temperature = NAN;
  EXPECT_EQ(p.validate(), "temperature must be a finite number");
}

}  // namespace
}  // namespace edgec
