// The element functions of the ref elementwise kernels (ref/elementwise.cpp's unary ops,
// Clip and Pow; ref/unary_math.cpp's parametrized activations), one definition each, so
// that the ref FusedElementwise kernel (ref/fused_elementwise.cpp) computes every step
// with the very function the single op's kernel uses: fused and unfused give the same
// bits. Baseline code only (inline functions: never include this from an x86/ ISA file).
#pragma once

#include <algorithm>
#include <cmath>

#include "ref/util.h"  // sigmoidOf, hardSwishOf

namespace edgec::rt::ref::fn {

template <typename T> T relu(T v) { return v < 0 ? T(0) : v; }  // keeps NaN and -0
template <typename T> T tanh(T v) { return std::tanh(v); }
template <typename T> T sqrt(T v) { return std::sqrt(v); }
template <typename T> T erf(T v) { return std::erf(v); }
template <typename T> T exp(T v) { return std::exp(v); }
template <typename T> T log(T v) { return std::log(v); }
template <typename T> T neg(T v) { return -v; }
template <typename T> T abs(T v) { return std::abs(v); }
template <typename T> T reciprocal(T v) { return T(1) / v; }
// min(max(x, lo), hi): lo > hi gives hi everywhere, as in ONNX; NaN stays NaN.
template <typename T> T clip(T v, T lo, T hi) { return std::min(std::max(v, lo), hi); }
template <typename T> T leakyRelu(T v, float alpha) { return v < 0 ? T(alpha) * v : v; }
// expm1: exact near 0, where exp(x) - 1 cancels.
template <typename T> T elu(T v, float alpha) { return v < 0 ? T(alpha) * std::expm1(v) : v; }
template <typename T> T hardSigmoid(T v, float alpha, float beta) {
  return std::min(T(1), std::max(T(0), T(alpha) * v + T(beta)));
}
// log(1 + exp(x)) without overflow for large x.
template <typename T> T softplus(T v) { return v > 0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v)); }
// A float base to the power e in double, the result in the base's type (numpy's
// power(...).astype(X)).
template <typename X> X powFloat(X x, double e) { return static_cast<X>(std::pow(static_cast<double>(x), e)); }

}  // namespace edgec::rt::ref::fn
