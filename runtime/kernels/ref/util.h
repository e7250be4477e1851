// Helpers shared by the ref kernels: dtype dispatch, prepare-time checks and a strided
// loop that covers broadcasting, transposition, slicing and reductions alike.
//
// Inline code, so include it from ref/ files only: the x86 files are compiled with other
// ISA flags, and an inline function instantiated there could be picked by the linker for
// a ref caller too.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "kernel.h"
#include "ref/plans.h"
#include "register_kernels.h"

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

// ---- f16 ----

inline float halfToFloat(uint16_t h) {
  const bool negative = h & 0x8000;
  const int exp = (h >> 10) & 0x1f;
  const int mant = h & 0x3ff;
  float v;
  if (exp == 0)
    v = std::ldexp(static_cast<float>(mant), -24);  // zero or subnormal
  else if (exp == 31 && mant) {
    // A NaN keeps its sign and payload and comes out quiet, as F16C's vcvtph2ps.
    const uint32_t bits = (negative ? 0x80000000u : 0u) | 0x7fc00000u | (uint32_t(mant) << 13);
    std::memcpy(&v, &bits, sizeof v);
    return v;
  } else if (exp == 31)
    v = std::numeric_limits<float>::infinity();
  else
    v = std::ldexp(static_cast<float>(1024 + mant), exp - 25);
  return negative ? -v : v;
}

// Little-endian fields of ggml's block structs (GGUF weights): an f16, a bf16 (the top
// half of an f32, so every value, NaNs included, widens exactly) and a u32.
inline float f16At(const uint8_t *p) { return halfToFloat(uint16_t(p[0] | (p[1] << 8))); }
inline float bf16At(const uint8_t *p) {
  const uint32_t bits = uint32_t(p[0] | (p[1] << 8)) << 16;
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}
inline uint32_t u32At(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// Round to nearest even, directly from double (going through float could round twice).
inline uint16_t halfFromDouble(double v) {
  const uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  if (std::isnan(v)) {
    // Quiet, with the payload's top bits (those of a float NaN widened to double), as
    // F16C's vcvtps2ph.
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    return sign | 0x7e00 | static_cast<uint16_t>((bits >> 42) & 0x3ff);
  }
  const double a = std::fabs(v);
  if (a >= 65520.0) return sign | 0x7c00;  // halfway above the largest half (65504) or inf
  if (a < std::ldexp(1.0, -14)) {
    // Subnormal: a multiple of 2^-24. Rounding up to 1024 gives the smallest normal,
    // whose encoding is exactly 0x400.
    return sign | static_cast<uint16_t>(std::nearbyint(std::ldexp(a, 24)));
  }
  int e;
  std::frexp(a, &e);  // a = f * 2^e, f in [0.5, 1)
  int exp = e - 1 + 15;
  // The scaling and the subtraction are exact, so nearbyint is the only rounding.
  int mant = static_cast<int>(std::nearbyint((std::ldexp(a, -(e - 1)) - 1.0) * 1024.0));
  if (mant == 1024) {
    mant = 0;
    ++exp;
  }
  return sign | static_cast<uint16_t>(exp << 10) | static_cast<uint16_t>(mant);
}

// The arithmetic type of a storage type: f16 computes in float (every f16 value is a
// float, and min/max/fmod of two of them are exact there, so one rounding back gives
// numpy's float16 result), bool in bool, everything else in itself.
template <typename T> struct Arith {
  using type = T;
  static T load(T v) { return v; }
  static T store(T v) { return v; }
};
template <> struct Arith<Half> {
  using type = float;
  static float load(Half h) { return halfToFloat(h.bits); }
  static Half store(float v) { return Half{halfFromDouble(v)}; }
};
template <> struct Arith<Bool> {
  using type = bool;
  static bool load(Bool b) { return b.v != 0; }
  static Bool store(bool v) { return Bool{static_cast<uint8_t>(v)}; }
};

template <typename T> bool isNan(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  return false;
}

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
  switch (dtypeSize(t)) {  // 0 for packed and block types: no addressable elements
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
// A parameter that a graph passes as a run-time input (Trilu's k, CumSum's axis): one
// int32 or int64 element, checked at prepare and read with scalarInt on every run.
inline void requireScalarInt(const KernelSignature &sig, const TensorView &t, const char *what) {
  if (t.dtype != DType::i32 && t.dtype != DType::i64)
    kernelFail(sig, std::string(what) + " must be int32 or int64, got " + dtypeName(t.dtype));
  if (t.numel() != 1) kernelFail(sig, std::string(what) + " must have one element, got " + shapeStr(t.shape));
}
inline int64_t scalarInt(const TensorView &t) {
  return t.dtype == DType::i32 ? int64_t(*t.as<int32_t>()) : *t.as<int64_t>();
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
// Byte-moving kernels copy whole elements; packed (i4/u4: two per byte) and block types
// (GGUF) have no addressable elements and need kernels of their own.
inline void requireUnpacked(const KernelSignature &sig, const TensorView &t) {
  if (dtypeSize(t.dtype) == 0)
    kernelFail(sig, std::string(dtypeName(t.dtype)) + " tensors (packed or blocks) are not supported");
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

  // The part of the loop over [begin, end) of its outermost dimension (rank >= 1).
  StridedLoop slice(int64_t begin, int64_t end) const {
    StridedLoop part = *this;
    part.shape[0] = end - begin;
    for (size_t i = 0; i < N; ++i) part.base[i] += begin * strides[i][0];
    return part;
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

// Shapes of a broadcasting op: the output is given, every input must broadcast to it.
// Operand 0 of the loop is the output, operand i + 1 is inputs[i].
template <size_t N>
StridedLoop<N> broadcastLoop(const KernelSignature &sig,
                             const std::array<const TensorView *, N - 1> &inputs) {
  const TensorView &y = requireOutput(sig, 0);
  std::array<std::vector<int64_t>, N> strides;
  strides[0] = contiguousStrides(y.shape);
  std::vector<int64_t> expected;
  for (size_t i = 0; i < N - 1; ++i) {
    std::vector<int64_t> next;
    if (!broadcastShapes(expected, inputs[i]->shape, &next))
      kernelFail(sig, "input shapes do not broadcast: " + shapeStr(expected) + " and " +
                          shapeStr(inputs[i]->shape));
    expected = next;
    strides[i + 1] = broadcastStrides(inputs[i]->shape, y.shape);
  }
  requireShape(sig, y, expected, "output");
  return StridedLoop<N>(y.shape, std::move(strides));
}

// Elements below which splitting a loop over threads costs more than it saves.
// (Waking a thread costs tens of microseconds; a simple loop does ~1e9 elements/s.)
inline constexpr int64_t kMinElementsPerThread = 65536;

// Runs fn(part) on parts of `loop` split along its outermost dimension, over the run
// context's threads. Each element is computed exactly as in one pass, so the result does
// not depend on the thread count.
template <size_t N, typename Fn>
void parallelLoop(const RunContext &ctx, const StridedLoop<N> &loop, Fn &&fn) {
  if (loop.shape.empty() || ctx.threads <= 1) {
    fn(loop);
    return;
  }
  int64_t inner = 1;
  for (size_t d = 1; d < loop.shape.size(); ++d) inner *= loop.shape[d];
  const int64_t grain = std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(inner, 1));
  ctx.parallelFor(loop.shape[0], grain, [&](int64_t begin, int64_t end, int) { fn(loop.slice(begin, end)); });
}

// Runs fn(begin, end) over [0, n) split over the run context's threads.
template <typename Fn> void parallelRange(const RunContext &ctx, int64_t n, Fn &&fn) {
  ctx.parallelFor(n, kMinElementsPerThread, [&](int64_t begin, int64_t end, int) { fn(begin, end); });
}

// Runs y = f(a, b) over a 3-operand broadcast loop; contiguous runs get a plain loop the
// compiler can vectorize.
template <typename Y, typename A, typename B, typename F>
void binaryLoop(const StridedLoop<3> &loop, Y *y, const A *a, const B *b, F f) {
  loop.forEachRun(
      [&](const std::array<int64_t, 3> &off, int64_t n, const std::array<int64_t, 3> &step) {
        Y *yr = y + off[0];
        const A *ar = a + off[1];
        const B *br = b + off[2];
        if (step[1] == 1 && step[2] == 1) {
          for (int64_t i = 0; i < n; ++i) yr[i] = f(ar[i], br[i]);
        } else if (step[1] == 1 && step[2] == 0) {
          for (int64_t i = 0; i < n; ++i) yr[i] = f(ar[i], br[0]);
        } else {
          for (int64_t i = 0; i < n; ++i) yr[i] = f(ar[i * step[1]], br[i * step[2]]);
        }
      });
}

// out[off0 + k*step0] = in[off1 + k*step1] over a 2-operand loop (output first).
template <typename T> void gatherLoop(const StridedLoop<2> &loop, T *out, const T *in) {
  loop.forEachRun(
      [&](const std::array<int64_t, 2> &off, int64_t n, const std::array<int64_t, 2> &step) {
        if (step[0] == 1 && step[1] == 1) {
          std::copy(in + off[1], in + off[1] + n, out + off[0]);
        } else {
          for (int64_t i = 0; i < n; ++i) out[off[0] + i * step[0]] = in[off[1] + i * step[1]];
        }
      });
}

// A StridedCopyFn (register_kernels.h) runs a strided copy (operand 0 the output,
// operand 1 the input) of elements of `elementBytes` bytes (1, 2, 4 or 8). The kernels
// that only move elements take one, so that each is registered once per mover with the
// same prepare, and every ISA validates a call identically: ref's (gatherLoop, one
// thread) and x86's (x86_copy.h: block copies, tiled transposes, threads; the same bytes).
void refStridedCopy(const RunContext &ctx, const StridedLoop<2> &loop, size_t elementBytes, void *out,
                    const void *in);

// Base of the kernels that only move elements (Transpose, Expand, Tile, DepthToSpace,
// SpaceToDepth): prepare() describes the move as one strided loop, output first; run()
// hands it to the mover.
class StridedCopyKernel : public Kernel {
public:
  explicit StridedCopyKernel(StridedCopyFn copy = refStridedCopy) : copy_(copy) {}
  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) final {
    copy_(ctx, loop_, dtypeSize(dtype_), out[0]->data, in[0]->data);
  }

protected:
  StridedLoop<2> loop_;
  DType dtype_ = DType::f32;
  StridedCopyFn copy_;
};

// The float Sigmoid and HardSwish kernels' functions (ref/elementwise.cpp,
// ref/unary_math.cpp), shared with the fused epilogues so that a fused Conv gives the
// same bits as the unfused ops.
template <typename T> T sigmoidOf(T v) {
  // Split by sign so exp never overflows.
  if (v >= 0) return T(1) / (T(1) + std::exp(-v));
  const T e = std::exp(v);
  return e / (T(1) + e);
}
// ONNX: x * HardSigmoid(x) with alpha = 1/6, beta = 0.5, in HardSigmoid's order.
template <typename T> T hardSwishOf(T v) {
  return v * std::min(T(1), std::max(T(0), v * T(1.0 / 6.0) + T(0.5)));
}

inline float activate(float v, const Activation &act) {
  switch (act.kind) {
  case ActKind::Clamp:
    // std::max/min keep NaN (like numpy's maximum/clip): the comparison is false for NaN.
    return std::min(std::max(v, act.lo), act.hi);
  case ActKind::Sigmoid: return sigmoidOf(v);
  case ActKind::Silu: return v * sigmoidOf(v);  // Mul(x, Sigmoid(x))
  case ActKind::HardSwish: return hardSwishOf(v);
  }
  return v;
}
inline void applyActivation(float *y, int64_t n, const Activation &act) {
  if (!act.enabled) return;
  for (int64_t i = 0; i < n; ++i) y[i] = activate(y[i], act);
}

}  // namespace edgec::rt::ref
