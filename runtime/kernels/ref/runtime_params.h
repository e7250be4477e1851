// Shape parameters read at run time (Slice's starts, Pad's pads, Tile's repeats, ...):
// the compiler takes a non-constant one as an input when the op's result type is
// static anyway, so the kernel reads the values on every run, uses them, and checks
// that the shape they imply is the one the package was compiled for.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "ref/util.h"

namespace edgec::rt::ref {

// At prepare: `t` is an int32/int64 list (rank 0 or 1).
inline void requireIntList(const KernelSignature &sig, const TensorView &t, const char *what) {
  if (t.dtype != DType::i32 && t.dtype != DType::i64)
    kernelFail(sig, std::string(what) + " must be int32 or int64, got " + dtypeName(t.dtype));
  if (t.rank() > 1) kernelFail(sig, std::string(what) + " must be a list (rank 0 or 1), got " + shapeStr(t.shape));
}

// At run: the values of such a list.
inline std::vector<int64_t> intValues(const TensorView &t) {
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = t.dtype == DType::i32 ? int64_t(t.as<int32_t>()[i]) : t.as<int64_t>()[i];
  return v;
}

// ONNX Slice's rule for one axis of size `dim`: a negative start or end counts from the
// end, then both clamp ([0, dim] forwards; [0, dim - 1] and [-1, dim - 1] backwards).
// The first index read and how many are, counted without overflow whatever the step (it
// may be INT64_MIN). The step must not be zero.
struct SliceRange {
  int64_t first = 0, count = 0;
};
inline SliceRange sliceRange(int64_t start, int64_t end, int64_t step, int64_t dim) {
  int64_t s = start < 0 ? start + dim : start;
  int64_t e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = std::clamp<int64_t>(s, 0, dim);
    e = std::clamp<int64_t>(e, 0, dim);
  } else {
    s = std::clamp<int64_t>(s, 0, std::max<int64_t>(dim - 1, 0));
    e = std::clamp<int64_t>(e, -1, dim - 1);
  }
  const int64_t span = step > 0 ? e - s : s - e;
  const int64_t mag = step > 0 ? step : (step == INT64_MIN ? INT64_MAX : -step);
  return {s, dim == 0 || span <= 0 ? 0 : 1 + (span - 1) / mag};
}

// "starts [0, 1]": how messages quote the values a run was given.
inline std::string valuesStr(const char *what, const std::vector<int64_t> &v) {
  std::string s = std::string(what) + " [";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// "Slice node 's'": how run-time errors name the node (kernelFail's prefix).
inline std::string nodeWhere(const KernelSignature &sig) { return sig.op + " node '" + sig.node + "'"; }

// The values give another shape than the compiled one: the package cannot run them.
// `what` names what the values decide ("shape", or Split's "sizes").
[[noreturn]] inline void shapeMismatch(const std::string &where, const std::string &values,
                                       const std::vector<int64_t> &implied, const std::vector<int64_t> &compiled,
                                       const char *what = "shape") {
  throw Error(where + ": " + values + " give " + what + " " + shapeStr(implied) + " but the package was compiled for " +
              shapeStr(compiled) +
              "; shapes are fixed at compile time (freeze the input with edgec compile --bind NAME=FILE.npy)");
}

// A value the op cannot use (an axis out of range, a zero step, ...).
[[noreturn]] inline void badValues(const std::string &where, const std::string &what) {
  throw Error(where + ": " + what);
}

}  // namespace edgec::rt::ref
