// Fixed-point requantization, as TFLite's reference kernels and gemmlowp do it (TOSA's
// apply_scale_32 with double_round = true computes the same): a real multiplier becomes
// an int32 multiplier in [2^30, 2^31) and a power-of-two shift, and an int32 accumulator
// is scaled by a rounding doubling high multiply followed by a rounding right shift. The
// ref int8 kernels use it, and every faster integer kernel (x86, NEON) must give the same
// bits.
//
// Exactly what the two roundings give (established by test/runtime/quant_kernels_test.cpp):
//   saturatingRoundingDoublingHighMul(a, b) = floor((a*b + 2^30) / 2^31): the nearest
//     integer to a*b / 2^31, ties toward +infinity (gemmlowp's "1 - 2^30" nudge for
//     negative products turns its truncating division into exactly this; it is also
//     what NEON's vqrdmulh computes). Only INT32_MIN * INT32_MIN saturates (to INT32_MAX).
//   roundingDivideByPOT(x, e) = x / 2^e rounded to nearest, ties away from zero.
//   multiplyByQuantizedMultiplier(x, m, s) = the second applied to the first: with s >= 0
//     one rounding (ties toward +infinity) of x * m * 2^(s-31); with s < 0 two roundings,
//     which differ from the single rounding of x * m * 2^(s-31) (ties away from zero) by
//     at most 1, and only when the first rounding lands exactly on a tie of the second.
//
// Header-only and every function `static inline`: files under x86/ built with AVX flags
// include it, and must not share a weak symbol with baseline code (docs/architecture.md,
// "A file built with higher ISA flags"). For the same reason it uses no std templates
// (std::min, std::string, exceptions): errors are reported through return values, and
// the prepare-time callers in ref/ turn them into kernel errors.
#pragma once

#include <cmath>
#include <cstdint>

namespace edgec::rt::quant {

struct QuantizedMultiplier {
  int32_t multiplier = 0;  // 0 or in [2^30, 2^31)
  int shift = 0;           // real = multiplier * 2^(shift - 31); in [-31, 30]
  bool valid = true;       // false: the real multiplier was negative, NaN, infinite or >= 2^30
};

// TFLite's QuantizeMultiplier: real = frac * 2^shift with frac in [0.5, 1) (frexp),
// multiplier = round(frac * 2^31) (half away from zero); a multiplier that rounds up to
// 2^31 is halved and the shift incremented; a shift below -31 gives multiplier 0 (the
// product is below 2^-32 of the accumulator: zero). real == 0 gives {0, 0}. Multipliers
// above 1 are allowed up to a shift of 30.
static inline QuantizedMultiplier quantizeMultiplier(double real) {
  QuantizedMultiplier q;
  // Rejects NaN (every comparison false), negatives and +inf.
  if (!(real >= 0.0 && real <= 1.7976931348623157e308)) {
    q.valid = false;
    return q;
  }
  if (real == 0.0) return q;
  int shift = 0;
  const double frac = std::frexp(real, &shift);
  int64_t fixed = static_cast<int64_t>(std::round(frac * 2147483648.0));  // <= 2^31
  if (fixed == (int64_t(1) << 31)) {
    fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    fixed = 0;
  }
  if (shift > 30) {
    q.valid = false;
    return q;
  }
  q.multiplier = static_cast<int32_t>(fixed);
  q.shift = shift;
  return q;
}

// gemmlowp's SaturatingRoundingDoublingHighMul: the high 32 bits of 2 * a * b, rounded
// (see the top of the file: ties toward +infinity).
static inline int32_t saturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t(1) << 30) : (int64_t(1) - (int64_t(1) << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t(1) << 31));  // C++ division truncates
}

// gemmlowp's RoundingDivideByPOT: x / 2^exponent, ties away from zero; exponent in [0, 31].
static inline int32_t roundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t(1) << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);  // >> of a negative: arithmetic
}

// TFLite's MultiplyByQuantizedMultiplier (the double-rounding reference, not the
// TFLITE_SINGLE_ROUNDING variant): x * multiplier * 2^(shift - 31).
// TFLite computes x * 2^left in int32, undefined on overflow; here it saturates to
// int32, so an accumulator that a positive shift would push past int32 gives the
// saturated product (whose magnitude is at least 2^30: any int8/uint8 output clamps it).
static inline int32_t multiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  int64_t shifted = static_cast<int64_t>(x) * (int64_t(1) << left);  // |x| * 2^30 < 2^62
  if (shifted > INT32_MAX) shifted = INT32_MAX;
  if (shifted < INT32_MIN) shifted = INT32_MIN;
  return roundingDivideByPOT(
      saturatingRoundingDoublingHighMul(static_cast<int32_t>(shifted), multiplier), right);
}
static inline int32_t multiplyByQuantizedMultiplier(int32_t x, QuantizedMultiplier m) {
  return multiplyByQuantizedMultiplier(x, m.multiplier, m.shift);
}

// The nearest integer, ties away from zero (std::round; TFLite's TfLiteRound).
static inline double roundHalfAwayFromZero(double v) { return std::round(v); }
// The nearest integer, ties to even (ONNX QuantizeLinear's rounding; nearbyint in the
// default rounding mode, which the runtime never changes).
static inline double roundHalfEven(double v) { return std::nearbyint(v); }

static inline int32_t clampToRange(int64_t v, int32_t lo, int32_t hi) {
  return static_cast<int32_t>(v < lo ? lo : v > hi ? hi : v);
}

// Rescaling small values (single codes, pool sums) with one multiply loses up to half a
// code to the two roundings of MBQM when the right shift is small (a multiplier near 1
// shifts right by 1). As TFLite's Add does with its 20-bit left shift, the value is
// first shifted left by `preShift` bits, so SRDHM keeps that many fractional bits and the
// final rounding divide rounds (almost) the exact product once. preShift is at most 20
// and leaves |v| * 2^preShift below 2^30 for |v| <= maxAbs.
struct RescaleMultiplier {
  QuantizedMultiplier m;  // of real / 2^preShift
  int preShift = 0;
};
static inline RescaleMultiplier rescaleMultiplier(double real, int64_t maxAbs) {
  int bits = 0;
  while (bits < 31 && (int64_t(1) << bits) <= maxAbs) ++bits;
  int k = 30 - bits < 20 ? 30 - bits : 20;
  if (k < 0) k = 0;
  // real / 2^k must stay representable (a shift of at least -31).
  while (k > 0 && real > 0 && std::ldexp(real, -k) < std::ldexp(1.0, -31)) --k;
  RescaleMultiplier r;
  r.m = quantizeMultiplier(std::ldexp(real, -k));
  r.preShift = k;
  return r;
}

// The output code of an int32 accumulator: clamp(zeroPoint + MBQM(acc, m), lo, hi), the
// sum taken in 64 bits so that a saturated product plus the zero point cannot wrap.
static inline int32_t requantize(int32_t acc, QuantizedMultiplier m, int32_t zeroPoint,
                                 int32_t lo, int32_t hi) {
  return clampToRange(
      static_cast<int64_t>(zeroPoint) + multiplyByQuantizedMultiplier(acc, m.multiplier, m.shift),
      lo, hi);
}

// requantize() of a small value through its RescaleMultiplier (|v| <= the maxAbs it was
// made for).
static inline int32_t rescale(int32_t v, const RescaleMultiplier &r, int32_t zeroPoint, int32_t lo, int32_t hi) {
  return requantize(v * (int32_t(1) << r.preShift), r.m, zeroPoint, lo, hi);
}

// The code of a real value: clamp(zeroPoint + roundHalfAwayFromZero(real / scale)),
// computed in double; NaN gives the zero point, +-inf the range's ends.
static inline int32_t quantizeRealHalfAway(double real, double scale, int32_t zeroPoint,
                                           int32_t lo, int32_t hi) {
  const double t = real / scale;
  if (t != t) return clampToRange(zeroPoint, lo, hi);
  const double v = roundHalfAwayFromZero(t) + static_cast<double>(zeroPoint);
  if (v <= static_cast<double>(lo)) return lo;
  if (v >= static_cast<double>(hi)) return hi;
  return static_cast<int32_t>(v);
}

}  // namespace edgec::rt::quant
