#include "quant/RangeEstimator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace edgec::quant {

namespace {

constexpr const char *kMethodChoices =
    "expected minmax, percentile, percentile:P (0 < P <= 100, default 99.99), entropy or mse";

// The smallest scale a range may give: float32 epsilon (2^-23), as PyTorch's observers.
constexpr double kMinScale = 1.1920928955078125e-07;

// Everything ranges() needs about one tensor.
struct Summary {
  double min, max, maxAbs;
  double width;                 // histogram bin width (0 without a grid)
  size_t used;                  // bins up to the last non-empty one (|x| histogram)
  std::vector<uint64_t> abs;    // pos + neg, `used` bins
};

}  // namespace

struct RangeEstimator::State {
  uint64_t count = 0, nonFinite = 0;
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  Histogram hist;
};

CalibConfig parseCalibMethod(const std::string &spec) {
  CalibConfig c;
  if (spec == "minmax") c.method = CalibMethod::MinMax;
  else if (spec == "entropy") c.method = CalibMethod::Entropy;
  else if (spec == "mse") c.method = CalibMethod::Mse;
  else if (spec == "percentile") c.method = CalibMethod::Percentile;
  else if (spec.rfind("percentile:", 0) == 0) {
    c.method = CalibMethod::Percentile;
    const std::string value = spec.substr(11);
    char *end = nullptr;
    const double p = value.empty() ? NAN : std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size() || !(p > 0 && p <= 100))
      throw CalibrationError("invalid calibration method '" + spec + "': the percentile must be a number in (0, 100], as in percentile:99.9");
    c.percentile = p;
  } else {
    throw CalibrationError("unknown calibration method '" + spec + "': " + kMethodChoices);
  }
  return c;
}

std::string calibMethodString(const CalibConfig &config) {
  switch (config.method) {
  case CalibMethod::MinMax: return "minmax";
  case CalibMethod::Entropy: return "entropy";
  case CalibMethod::Mse: return "mse";
  case CalibMethod::Percentile: {
    char buf[64];
    std::snprintf(buf, sizeof buf, "percentile:%.10g", config.percentile);
    return buf;
  }
  }
  return "?";
}

RangeEstimator::RangeEstimator(const CalibConfig &config) : config_(config) {
  const int b = config.bins;
  if (b < 256 || b > 65536 || (b & (b - 1)) != 0)
    throw CalibrationError("calibration histogram bins must be a power of two in [256, 65536], not " + std::to_string(b));
  if (config.quantBits < 2 || config.quantBits > 16)
    throw CalibrationError("calibration quantization bits must be in [2, 16], not " + std::to_string(config.quantBits));
  if (config.method == CalibMethod::Percentile && !(config.percentile > 0 && config.percentile <= 100))
    throw CalibrationError("calibration percentile must be in (0, 100], not " + std::to_string(config.percentile));
  while ((1 << log2Bins_) < b) ++log2Bins_;
}

RangeEstimator::~RangeEstimator() = default;
RangeEstimator::RangeEstimator(RangeEstimator &&) noexcept = default;
RangeEstimator &RangeEstimator::operator=(RangeEstimator &&) noexcept = default;

void RangeEstimator::observe(const std::string &tensor, const float *data, size_t n) {
  std::unique_ptr<State> &slot = tensors_[tensor];
  if (!slot) slot = std::make_unique<State>();
  State &s = *slot;

  // Pass 1: extremes and counts.
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  uint64_t finite = 0;
  for (size_t i = 0; i < n; ++i) {
    const float x = data[i];
    if (!std::isfinite(x)) continue;
    ++finite;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  s.nonFinite += n - finite;
  s.count += finite;
  if (!finite) return;
  s.min = std::min(s.min, lo);
  s.max = std::max(s.max, hi);
  if (config_.method == CalibMethod::MinMax) return;

  // The grid: width 2^e with e the smallest integer such that maxAbs < bins * 2^e.
  Histogram &h = s.hist;
  const size_t bins = size_t(1) << log2Bins_;
  if (h.pos.empty()) {
    h.pos.assign(bins, 0);
    h.neg.assign(bins, 0);
  }
  const double maxAbs = std::max(std::fabs(double(lo)), std::fabs(double(hi)));
  if (maxAbs > 0) {
    const int e = std::ilogb(maxAbs) + 1 - log2Bins_;
    if (!h.hasGrid) {
      h.hasGrid = true;
      h.widthExp = e;  // zeros seen so far sit in bin 0 of any grid
    } else if (e > h.widthExp) {
      // Double the width (e - widthExp) times: bins 2i and 2i+1 become bin i. After
      // log2(bins) doublings every count is in bin 0.
      const int times = std::min(e - h.widthExp, log2Bins_ + 1);
      for (std::vector<uint64_t> *v : {&h.pos, &h.neg}) {
        for (int t = 0; t < times; ++t) {
          for (size_t i = 0; i < bins / 2; ++i) (*v)[i] = (*v)[2 * i] + (*v)[2 * i + 1];
          std::fill(v->begin() + bins / 2, v->end(), 0);
        }
      }
      h.widthExp = e;
    }
  }

  // Pass 2: counts. |x| * 2^-e is exact in double (a power-of-two scaling of a float), so
  // every value lands in the same bin however the data is chunked.
  if (!h.hasGrid) {
    h.pos[0] += finite;  // every finite value of this chunk is 0
    return;
  }
  const double inv = std::ldexp(1.0, -h.widthExp);
  uint64_t *pos = h.pos.data(), *neg = h.neg.data();
  for (size_t i = 0; i < n; ++i) {
    const float x = data[i];
    if (!std::isfinite(x)) continue;
    const size_t bin = std::min(size_t(std::fabs(double(x)) * inv), bins - 1);
    (x < 0 ? neg : pos)[bin]++;
  }
}

const RangeEstimator::Histogram *RangeEstimator::histogram(const std::string &tensor) const {
  auto it = tensors_.find(tensor);
  if (it == tensors_.end() || it->second->hist.pos.empty()) return nullptr;
  return &it->second->hist;
}

namespace {

// The range a threshold T on |x| gives (all of the header's common rules).
struct RangeRule {
  const CalibConfig &config;
  double min, max;  // finite extremes (0, 0 if none)

  std::pair<double, double> operator()(double t) const {
    double lo, hi;
    if (config.symmetric) {
      lo = -t;
      hi = t;
    } else {
      lo = std::max(min, -t);
      hi = std::min(max, t);
    }
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
    const double levels = std::ldexp(1.0, config.quantBits) - 1;
    const double minWidth = levels * kMinScale;
    if (hi - lo < minWidth) {
      if (config.symmetric) {
        const double half = (std::ldexp(1.0, config.quantBits - 1) - 1) * kMinScale;
        lo = -half;
        hi = half;
      } else {
        hi = lo + minWidth;
      }
    }
    return {lo, hi};
  }
};

// T for the Percentile method: numpy's linear-interpolated percentile of |x|, values
// within a bin taken as evenly spread.
double percentileThreshold(const Summary &s, double percentile) {
  uint64_t total = 0;
  for (uint64_t c : s.abs) total += c;
  if (percentile >= 100 || total == 0) return s.maxAbs;
  const double rank = percentile / 100.0 * double(total - 1);
  const uint64_t j = uint64_t(rank);
  uint64_t before = 0;
  for (size_t b = 0; b < s.used; ++b) {
    const uint64_t c = s.abs[b];
    if (j < before + c) {
      const double within = std::min(1.0, (rank - double(before) + 0.5) / double(c));
      return std::min(s.maxAbs, (double(b) + within) * s.width);
    }
    before += c;
  }
  return s.maxAbs;
}

// T for the Entropy method (TensorRT's KL-divergence calibration; see the header).
double entropyThreshold(const Summary &s, int quantBits, bool oneSided) {
  const size_t levels = size_t(1) << (quantBits - 1 + (oneSided ? 1 : 0));
  const size_t n = s.used;
  if (n < levels) return s.maxAbs;
  std::vector<uint64_t> a = s.abs;
  a[0] = a[1];  // the spike of exact zeros (Relu) would dominate the divergence
  std::vector<double> aLogA(n);
  for (size_t k = 0; k < n; ++k) aLogA[k] = a[k] ? double(a[k]) * std::log(double(a[k])) : 0.0;
  std::vector<uint64_t> suffix(n + 1, 0);  // counts at or beyond bin k
  for (size_t k = n; k-- > 0;) suffix[k] = suffix[k + 1] + a[k];
  const double total = double(suffix[0]);
  if (suffix[0] == 0) return s.maxAbs;

  struct Group {
    uint64_t qTotal, pSum;
    double pLogP;
    size_t nonZero;
  };
  std::vector<Group> groups(levels);
  double best = std::numeric_limits<double>::infinity();
  size_t bestI = n;
  for (size_t i = levels; i <= n; ++i) {
    const uint64_t outliers = suffix[i];
    if (2 * outliers > suffix[0]) continue;  // T below the median of |x| (see the header)
    std::fill(groups.begin(), groups.end(), Group{0, 0, 0.0, 0});
    for (size_t k = 0; k < i; ++k) {
      Group &g = groups[k * levels / i];  // bins split evenly over the levels
      uint64_t p = a[k];
      double pLogP = aLogA[k];
      if (k + 1 == i && outliers) {
        p += outliers;
        pLogP = double(p) * std::log(double(p));
      }
      g.qTotal += a[k];
      g.pSum += p;
      g.pLogP += pLogP;
      g.nonZero += p != 0;
    }
    size_t nonZeroP = 0, pNonZeroQZero = 0;
    uint64_t qSum = 0;
    for (const Group &g : groups) {
      nonZeroP += g.nonZero;
      qSum += g.qTotal;
      if (g.qTotal == 0) pNonZeroQZero += g.nonZero;
    }
    if (qSum == 0) continue;  // every count is an outlier: Q is empty
    // Smoothing: each zero bin gets eps counts, taken from the non-zero bins in proportion.
    const double sumP = total, sumQ = double(qSum);
    const size_t zerosP = i - nonZeroP, zerosQ = zerosP + pNonZeroQZero;
    const double epsP = zerosP ? std::min(1e-4, 0.01 * sumP / double(zerosP)) : 0.0;
    const double epsQ = zerosQ ? std::min(1e-4, 0.01 * sumQ / double(zerosQ)) : 0.0;
    const double cP = (1 - epsP * double(zerosP) / sumP) / sumP;  // normalised p = count * cP
    const double cQ = (1 - epsQ * double(zerosQ) / sumQ) / sumQ;
    const double logCP = std::log(cP);
    double kl = 0;
    for (const Group &g : groups) {
      if (!g.nonZero) continue;
      // sum over the group's non-zero bins of p log(p / q), p = count * cP, q constant.
      const double q = g.qTotal ? double(g.qTotal) / double(g.nonZero) * cQ : epsQ / sumQ;
      kl += cP * (g.pLogP + double(g.pSum) * (logCP - std::log(q)));
    }
    if (zerosP) {
      const double p = epsP / sumP, q = epsQ / sumQ;
      kl += double(zerosP) * p * std::log(p / q);
    }
    if (kl <= best) {  // the largest i on ties: the least clipping
      best = kl;
      bestI = i;
    }
  }
  return std::min(s.maxAbs, double(bestI) * s.width);
}

// The integral of (y - round(y))^2 over [0, y], y >= 0.
double sawtooth(double y) {
  const double whole = std::floor(y), r = y - whole;
  const double part = r <= 0.5 ? r * r * r / 3 : 1.0 / 24 + ((r - 1) * (r - 1) * (r - 1) + 0.125) / 3;
  return whole / 12 + part;
}

// Total squared error of the quantizer of range [lo, hi] over bins of values, each bin's
// values uniform over [u, v].
struct MseModel {
  const CalibConfig &config;
  struct Bin {
    double u, v, count;
  };
  std::vector<Bin> bins;

  double error(double lo, double hi) const {
    double scale, g0, top;
    if (config.symmetric) {
      const double half = std::ldexp(1.0, config.quantBits - 1) - 1;
      scale = hi / half;
      g0 = -hi;
      top = hi;
    } else {
      const double levels = std::ldexp(1.0, config.quantBits) - 1;
      scale = (hi - lo) / levels;
      const double zero = std::min(levels, std::max(0.0, std::nearbyint(-lo / scale)));
      g0 = -zero * scale;
      top = g0 + levels * scale;
    }
    const double s3 = scale * scale * scale;
    double total = 0;
    for (const Bin &b : bins) {
      double integral = 0;
      if (b.v <= b.u) {  // a point
        const double x = b.u;
        const double q = x <= g0 ? g0 : x >= top ? top : g0 + std::nearbyint((x - g0) / scale) * scale;
        total += b.count * (x - q) * (x - q);
        continue;
      }
      if (b.u < g0) {
        const double e = std::min(b.v, g0);
        integral += ((e - g0) * (e - g0) * (e - g0) - (b.u - g0) * (b.u - g0) * (b.u - g0)) / 3;
      }
      if (b.v > top) {
        const double s = std::max(b.u, top);
        integral += ((b.v - top) * (b.v - top) * (b.v - top) - (s - top) * (s - top) * (s - top)) / 3;
      }
      const double m0 = std::max(b.u, g0), m1 = std::min(b.v, top);
      if (m1 > m0) integral += s3 * (sawtooth((m1 - g0) / scale) - sawtooth((m0 - g0) / scale));
      total += b.count * integral / (b.v - b.u);
    }
    return total;
  }
};

// T for the Mse method: the candidate k * width with the smallest modelled error.
double mseThreshold(const Summary &s, const RangeRule &rule, const CalibConfig &config,
                    const std::vector<uint64_t> &pos, const std::vector<uint64_t> &neg) {
  if (s.used == 0 || s.width == 0) return s.maxAbs;
  MseModel model{config, {}};
  for (size_t k = 0; k < s.used; ++k) {
    const double u = double(k) * s.width, v = double(k + 1) * s.width;
    if (pos[k]) model.bins.push_back({std::min(u, s.max), std::min(v, s.max), double(pos[k])});
    if (neg[k]) model.bins.push_back({std::max(-v, s.min), std::max(-u, s.min), double(neg[k])});
  }
  auto errorAt = [&](size_t k) {
    const auto [lo, hi] = rule(std::min(s.maxAbs, double(k) * s.width));
    return model.error(lo, hi);
  };
  const size_t n = s.used, stride = std::max<size_t>(1, n / 256);
  size_t bestK = n;
  double best = errorAt(n);
  for (size_t k = stride; k < n; k += stride) {
    const double e = errorAt(k);
    if (e < best) best = e, bestK = k;
  }
  const size_t from = bestK > stride ? bestK - stride + 1 : 1, to = std::min(n, bestK + stride - 1);
  for (size_t k = from; k <= to; ++k) {
    if (k == bestK) continue;
    const double e = errorAt(k);
    if (e < best || (e == best && k < bestK)) best = e, bestK = k;
  }
  return std::min(s.maxAbs, double(bestK) * s.width);
}

}  // namespace

std::map<std::string, TensorRange> RangeEstimator::ranges() const {
  std::map<std::string, TensorRange> result;
  for (const auto &[name, state] : tensors_) {
    const State &st = *state;
    TensorRange r;
    r.count = st.count;
    r.nonFinite = st.nonFinite;
    r.min = st.count ? st.min : 0.0f;
    r.max = st.count ? st.max : 0.0f;
    const RangeRule rule{config_, double(r.min), double(r.max)};
    Summary s;
    s.min = r.min;
    s.max = r.max;
    s.maxAbs = std::max(std::fabs(s.min), std::fabs(s.max));
    s.width = st.hist.hasGrid ? std::ldexp(1.0, st.hist.widthExp) : 0.0;
    s.used = 0;
    double t = s.maxAbs;
    if (config_.method != CalibMethod::MinMax && st.count && st.hist.hasGrid) {
      const Histogram &h = st.hist;
      for (size_t k = 0; k < h.pos.size(); ++k)
        if (h.pos[k] || h.neg[k]) s.used = k + 1;
      s.abs.resize(s.used);
      for (size_t k = 0; k < s.used; ++k) s.abs[k] = h.pos[k] + h.neg[k];
      switch (config_.method) {
      case CalibMethod::Percentile: t = percentileThreshold(s, config_.percentile); break;
      case CalibMethod::Entropy:
        t = entropyThreshold(s, config_.quantBits, !config_.symmetric && (s.min >= 0 || s.max <= 0));
        break;
      case CalibMethod::Mse: t = mseThreshold(s, rule, config_, h.pos, h.neg); break;
      case CalibMethod::MinMax: break;
      }
    }
    const auto [lo, hi] = rule(t);
    r.lo = float(lo);
    r.hi = float(hi);
    // Rounding to float must not lose 0 or the order.
    if (r.lo > 0) r.lo = 0;
    if (r.hi < 0) r.hi = 0;
    if (!(r.hi > r.lo)) r.hi = std::nextafter(r.lo, std::numeric_limits<float>::infinity());
    result.emplace(name, r);
  }
  return result;
}

}  // namespace edgec::quant
