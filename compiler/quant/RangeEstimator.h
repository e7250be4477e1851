// Quantization ranges from observed activations (`edgec compile --calib-method`).
// Plain C++17 (no MLIR): the compiler runs the model on each calibration sample, hands
// every f32 activation it wants quantized to observe(), and asks ranges() at the end.
//
// ONE PASS. Every method needs one run per sample. The histogram methods keep, per
// tensor, two histograms of |x| (one for x >= 0, one for x < 0) on a shared grid of
// `bins` bins of width w = 2^e, where e is the smallest integer with max|x| < bins * w
// over the values seen so far. So the data's max|x| always lies in the upper half of the
// grid: between bins/2 and bins bins cover [0, max|x|]. When a later batch has a larger
// |x|, the grid's width doubles (as often as needed) by adding adjacent bin pairs; since
// bin edges are multiples of a power of two, that merge is exact: the histograms, and so
// the ranges, are identical whether a tensor is observed at once or in any chunks, in any
// order of chunks. (ONNX Runtime's HistogramCollector grows the range by adding bins of
// the first batch's width, so its bin count and resolution depend on that batch.)
//
// COMMON RULES, all methods:
//  * NaN and +-Inf are ignored and counted (TensorRange::nonFinite).
//  * min, max: the finite extremes. A tensor never observed is not in ranges().
//  * Histogram methods find a threshold T > 0 on |x| and give
//        [lo, hi] = [max(min, -T), min(max, T)]
//    (ONNX Runtime's rule for entropy/percentile): a tensor's negative and positive sides
//    are clipped at the same magnitude T, but a side that never reaches T keeps its own
//    extreme. Non-negative tensors (after Relu) give [0, min(max, T)].
//  * symmetric = true gives [-T, T] instead (T = max|x| for minmax).
//  * Then the range is made to contain 0 (lo = min(lo, 0), hi = max(hi, 0)): asymmetric
//    quantization needs 0 exactly representable (zero padding, Relu).
//  * Finally a minimum width: hi - lo >= (2^quantBits - 1) * 2^-23, i.e. the scale is at
//    least float32 epsilon, as PyTorch's observers clamp it. A constant-zero tensor (or
//    one with no finite value, or observed with zero elements) gives [0, 255 * 2^-23] for
//    8 bits ([-127, 127] * 2^-23 symmetric); widening moves hi (lo symmetric too).
//
// METHODS (CalibMethod):
//  * MinMax: [min, max] (no histogram).
//  * Percentile (P, default 99.99): T = the P-th percentile of |x|, as numpy's
//    percentile(abs(x), P) with linear interpolation (rank r = P/100 * (N-1)), where the
//    values within a histogram bin are taken as evenly spread over it. So T is within
//    about one bin width w of the exact value; T <= max|x|. P = 100 gives max|x|.
//  * Entropy (TensorRT's calibrator, as in Migacz, "8-bit inference with TensorRT", 2017,
//    with the details of NVIDIA's pytorch-quantization, the reference implementation):
//    H is the |x| histogram (positive and negative sides added) with H[0] replaced by H[1]
//    (bin 0 holds the exact zeros, a spike after Relu that would otherwise decide the
//    divergence and pull T down to a handful of bins); n the number of bins up to the last
//    non-empty one; L quantized levels: 2^(quantBits-1) (128 for 8 bits), or 2^quantBits
//    (256) for a one-sided tensor (min >= 0 or max <= 0) when not symmetric. For each
//    candidate i in [L, n]: the reference P = H[0..i) with every count at or beyond bin i
//    (the outliers) added to P[i-1]; the candidate Q = H[0..i) (without the outliers)
//    merged into L groups, bin k in group floor(k * L / i), each group's total spread
//    evenly over those of its bins where P is non-zero (0 where P is 0); zeros of P and Q
//    smoothed (each zero bin gets eps = min(1e-4, 0.01 * sum/zeros) counts, taken from the
//    non-zero bins in proportion); KL(P || Q) of the normalised distributions.
//    T = i * w for the i with the smallest divergence (the largest such i on ties), capped
//    at max|x|. If n < L, T = max|x|.
//    One departure: candidates that clip more than half of the values (more outliers than
//    values below bin i) are skipped. On data far from zero (|x| all near 10, say) the
//    search finds a divergence of 0 at the threshold just above the smallest value, where
//    P is all outliers folded into one bin and Q that bin alone, and would saturate the
//    whole tensor; no sensible threshold lies below the median.
//  * Mse: T minimising the expected squared quantization error over the histogram, with
//    the quantizer the range [lo, hi] of T gives (all rules above, min width included):
//      asymmetric: scale s = (hi - lo) / (2^bits - 1), zero point z = round(-lo / s) in
//                  [0, 2^bits - 1], q(x) = s * (clamp(round(x / s) + z, 0, 2^bits-1) - z);
//      symmetric:  s = T / (2^(bits-1) - 1), q(x) = s * clamp(round(x/s), -(2^(bits-1)-1), 2^(bits-1)-1);
//    and the values of each bin taken as uniformly distributed over the bin (clipped to
//    [min, max]); the error over a bin is integrated exactly (clipping and rounding).
//    Candidates: T = k * w for k = 1..n (capped at max|x|), searched with a stride of
//    max(1, n / 256) bins and then every bin around the best.
//
// Cost: per tensor two arrays of `bins` 64-bit counters (32 KiB for 2048) and two passes
// over each observed chunk; ranges() is O(n^2) per tensor for entropy (a few ms for 2048
// bins), O(n * 512) for mse. Not thread-safe: one estimator is observed from one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "quant/CalibrationError.h"

namespace edgec::quant {

enum class CalibMethod { MinMax, Percentile, Entropy, Mse };

struct CalibConfig {
  CalibMethod method = CalibMethod::MinMax;
  double percentile = 99.99;  // Percentile: in (0, 100]
  int bins = 2048;            // histogram bins: a power of two in [256, 65536]
  int quantBits = 8;          // 2..16; sets entropy's levels, mse's quantizer and the min width
  bool symmetric = false;     // [-T, T] instead of [max(min, -T), min(max, T)]
};

// "minmax" | "percentile" | "percentile:P" (0 < P <= 100) | "entropy" | "mse"; anything
// else throws a CalibrationError that lists the choices.
CalibConfig parseCalibMethod(const std::string &spec);
// The spelling parseCalibMethod accepts ("percentile:99.99").
std::string calibMethodString(const CalibConfig &config);

struct TensorRange {
  float lo = 0, hi = 0;     // the quantization range: lo <= 0 <= hi, hi > lo
  float min = 0, max = 0;   // finite extremes observed (0 if none)
  uint64_t count = 0;       // finite values observed
  uint64_t nonFinite = 0;   // NaN / Inf values ignored
};

class RangeEstimator {
public:
  // Throws CalibrationError for a configuration outside the documented limits.
  explicit RangeEstimator(const CalibConfig &config);
  ~RangeEstimator();
  RangeEstimator(RangeEstimator &&) noexcept;
  RangeEstimator &operator=(RangeEstimator &&) noexcept;

  const CalibConfig &config() const { return config_; }

  // Adds n values of `tensor` (any number of calls per tensor and sample).
  void observe(const std::string &tensor, const float *data, size_t n);

  // The range of every tensor observed so far (observing may continue afterwards).
  std::map<std::string, TensorRange> ranges() const;

  // The |x| histograms of a tensor (tests, debugging); null if not observed or MinMax.
  struct Histogram {
    bool hasGrid = false;            // false while every finite value seen is 0 (all in bin 0)
    int widthExp = 0;                // bin width 2^widthExp once hasGrid
    std::vector<uint64_t> pos, neg;  // counts of x >= 0 and x < 0 by floor(|x| / width)
  };
  const Histogram *histogram(const std::string &tensor) const;

private:
  struct State;
  CalibConfig config_;
  int log2Bins_ = 0;
  std::map<std::string, std::unique_ptr<State>> tensors_;
};

}  // namespace edgec::quant
