// Helpers shared by the ref kernels: dtype dispatch, prepare-time checks and a strided
// loop that covers broadcasting, transposition, slicing and reductions alike.
//
// Inline code, so include it from ref/ files only: the x86 files are compiled with other
// ISA flags, and an inline function instantiated there could be picked by the linker for
// a ref caller too.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "kernel.h"
#include "ref/plans.h"

namespace edgec::rt::ref {

// Storage types for dtypes without a native C++ arithmetic type.
struct Half {
  uint16_t bits;
};
struct Bool {
  uint8_t v;
};

template <typename T> struct DTypeOf;
#define EDGEC_DTYPE_OF(T, D)                                                                       \
  template <> struct DTypeOf<T> { static constexpr DType value = DType::D; }
EDGEC_DTYPE_OF(float, f32);
EDGEC_DTYPE_OF(Half, f16);
EDGEC_DTYPE_OF(double, f64);
EDGEC_DTYPE_OF(int8_t, i8);
EDGEC_DTYPE_OF(uint8_t, u8);
EDGEC_DTYPE_OF(int16_t, i16);
EDGEC_DTYPE_OF(uint16_t, u16);
EDGEC_DTYPE_OF(int32_t, i32);
EDGEC_DTYPE_OF(uint32_t, u32);
EDGEC_DTYPE_OF(int64_t, i64);
EDGEC_DTYPE_OF(uint64_t, u64);
EDGEC_DTYPE_OF(Bool, bool_);
#undef EDGEC_DTYPE_OF

template <typename T> struct Tag { using type = T; };
template <typename... Ts> struct Types {};

using NumericTypes =
    Types<float, double, int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t, uint64_t>;
// Every dtype a Cast converts between.
using CastTypes = Types<float, Half, double, int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t,
                        int64_t, uint64_t, Bool>;

// Calls fn(Tag<T>{}) for the T in Ts whose dtype is `t`; false if none matches.
template <typename... Ts, typename Fn> bool dispatch(Types<Ts...>, DType t, Fn &&fn) {
  return ((DTypeOf<Ts>::value == t ? (fn(Tag<Ts>{}), true) : false) || ...);
}

template <typename... Ts> bool isOneOf(Types<Ts...>, DType t) {
  return ((DTypeOf<Ts>::value == t) || ...);
}

// "Any dtype" kernels only move elements, so they dispatch on the element size.
template <typename Fn> bool dispatchBySize(DType t, Fn &&fn) {
  if (t == DType::i4) return false;  // packed: no addressable elements
  switch (dtypeSize(t)) {
  case 1: fn(Tag<uint8_t>{}); return true;
  case 2: fn(Tag<uint16_t>{}); return true;
  case 4: fn(Tag<uint32_t>{}); return true;
  case 8: fn(Tag<uint64_t>{}); return true;
  }
  return false;
}

// Integer arithmetic that wraps like the hardware instead of being undefined on
// signed overflow (ONNX leaves overflow unspecified; wrapping is what every backend does).
template <typename T> T wrapAdd(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}
template <typename T> T wrapSub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
  } else {
    return a - b;
  }
}
template <typename T> T wrapMul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    // Promote to at least unsigned int so uint16_t * uint16_t cannot overflow `int`.
    using U = std::common_type_t<std::make_unsigned_t<T>, unsigned>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else {
    return a * b;
  }
}

// ---- prepare-time checks (all throw through kernelFail) ----

inline std::string shapeStr(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

inline const TensorView &requireInput(const KernelSignature &sig, size_t i, const char *what) {
  if (i >= sig.inputs.size() || !sig.inputs[i])
    kernelFail(sig, std::string("missing input ") + std::to_string(i) + " (" + what + ")");
  return *sig.inputs[i];
}
inline const TensorView *optionalInput(const KernelSignature &sig, size_t i) {
  return i < sig.inputs.size() ? sig.inputs[i] : nullptr;
}
inline const TensorView &requireOutput(const KernelSignature &sig, size_t i) {
  if (i >= sig.outputs.size() || !sig.outputs[i])
    kernelFail(sig, "missing output " + std::to_string(i));
  return *sig.outputs[i];
}
inline const TensorView *optionalOutput(const KernelSignature &sig, size_t i) {
  return i < sig.outputs.size() ? sig.outputs[i] : nullptr;
}
inline void requireInputCount(const KernelSignature &sig, size_t lo, size_t hi) {
  if (sig.inputs.size() < lo || sig.inputs.size() > hi)
    kernelFail(sig, "expected " + std::to_string(lo) +
                        (hi != lo ? " to " + std::to_string(hi) : std::string()) + " inputs, got " +
                        std::to_string(sig.inputs.size()));
}
template <typename... Ts>
void requireDType(const KernelSignature &sig, const TensorView &t, Types<Ts...> allowed,
                  const char *what) {
  if (!isOneOf(allowed, t.dtype))
    kernelFail(sig, std::string("unsupported dtype ") + dtypeName(t.dtype) + " for " + what);
}
inline void requireSameDType(const KernelSignature &sig, const TensorView &a, const TensorView &b,
                             const char *what) {
  if (a.dtype != b.dtype)
    kernelFail(sig, std::string(what) + ": dtype " + dtypeName(b.dtype) + " differs from " +
                        dtypeName(a.dtype));
}
inline void requireShape(const KernelSignature &sig, const TensorView &t,
                         const std::vector<int64_t> &expected, const char *what) {
  if (t.shape != expected)
    kernelFail(sig, std::string(what) + " has shape " + shapeStr(t.shape) + ", expected " +
                        shapeStr(expected));
}

inline int64_t product(const std::vector<int64_t> &v, size_t begin = 0, size_t end = SIZE_MAX) {
  int64_t n = 1;
  for (size_t i = begin; i < v.size() && i < end; ++i) n *= v[i];
  return n;
}

inline std::vector<int64_t> contiguousStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

// numpy broadcast of two shapes; false if they are incompatible.
inline bool broadcastShapes(const std::vector<int64_t> &a, const std::vector<int64_t> &b,
                            std::vector<int64_t> *out) {
  const size_t rank = std::max(a.size(), b.size());
  out->assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) return false;
    (*out)[i] = da == 1 ? db : da;
  }
  return true;
}

// True if `shape` broadcasts to `target` without changing it (unidirectional broadcast).
inline bool broadcastsTo(const std::vector<int64_t> &shape, const std::vector<int64_t> &target) {
  std::vector<int64_t> out;
  return shape.size() <= target.size() && broadcastShapes(shape, target, &out) && out == target;
}

// ---- strided loop ----

// A loop nest over `shape` carrying N element offsets (one per operand, each with its own
// strides). Adjacent dims that are contiguous for every operand are merged first, so the
// common cases (same shapes, scalar broadcast, bias per channel) become a few long runs.
template <size_t N> struct StridedLoop {
  std::vector<int64_t> shape;
  std::array<std::vector<int64_t>, N> strides;
  std::array<int64_t, N> base{};  // starting offsets (e.g. Slice starts)

  StridedLoop() = default;  // a single element, until assigned a real loop
  StridedLoop(std::vector<int64_t> s, std::array<std::vector<int64_t>, N> st)
      : shape(std::move(s)), strides(std::move(st)) {
    coalesce();
  }

  // fn(offsets, count, steps): `count` elements, the k-th at offsets[i] + k * steps[i].
  template <typename Fn> void forEachRun(Fn &&fn) const {
    const int rank = static_cast<int>(shape.size());
    for (int64_t d : shape)
      if (d == 0) return;
    std::array<int64_t, N> steps{};
    if (rank == 0) {
      fn(base, int64_t{1}, steps);
      return;
    }
    for (size_t i = 0; i < N; ++i) steps[i] = strides[i][rank - 1];
    const int64_t inner = shape[rank - 1];
    std::vector<int64_t> idx(rank, 0);
    std::array<int64_t, N> off = base;
    while (true) {
      fn(off, inner, steps);
      int d = rank - 2;
      for (; d >= 0; --d) {
        for (size_t i = 0; i < N; ++i) off[i] += strides[i][d];
        if (++idx[d] < shape[d]) break;
        for (size_t i = 0; i < N; ++i) off[i] -= strides[i][d] * shape[d];
        idx[d] = 0;
      }
      if (d < 0) return;
    }
  }

private:
  void coalesce() {
    std::vector<int64_t> s;
    std::array<std::vector<int64_t>, N> st;
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] == 1) continue;  // size-1 dims never move any offset
      bool merge = !s.empty();
      for (size_t i = 0; merge && i < N; ++i) merge = st[i].back() == strides[i][d] * shape[d];
      if (merge) {
        s.back() *= shape[d];
        for (size_t i = 0; i < N; ++i) st[i].back() = strides[i][d];
      } else {
        s.push_back(shape[d]);
        for (size_t i = 0; i < N; ++i) st[i].push_back(strides[i][d]);
      }
    }
    shape = std::move(s);
    strides = std::move(st);
  }
};

inline float activate(float v, const Activation &act) {
  // std::max/min keep NaN (like numpy's maximum/clip): the comparison is false for NaN.
  return std::min(std::max(v, act.lo), act.hi);
}
inline void applyActivation(float *y, int64_t n, const Activation &act) {
  if (!act.enabled) return;
  for (int64_t i = 0; i < n; ++i) y[i] = activate(y[i], act);
}

}  // namespace edgec::rt::ref
