// Small helpers shared by the edge op verifiers (EdgeOps.cpp, QuantOps.cpp).
#pragma once

#include <string>

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLExtras.h"

namespace mlir::edge::detail {

inline RankedTensorType tensorType(Value v) { return cast<RankedTensorType>(v.getType()); }
inline ArrayRef<int64_t> shapeOf(Value v) { return tensorType(v).getShape(); }
inline Type elementOf(Value v) { return tensorType(v).getElementType(); }

inline std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape)) s += (i ? "," : "") + std::to_string(d);
  return s + "]";
}

// A rank-0 tensor has no valid axis (ONNX: axis in [-r, r-1]); accepting axis 0 there
// let Concat index an empty shape and passed Softmax/LayerNormalization/Reduce IR that
// the runtime kernels reject.
inline LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank,
                                StringRef what = "axis") {
  if (axis < 0 || axis >= rank)
    return op->emitOpError() << what << " " << axis << " is out of range for rank " << rank
                             << " (axes must be normalized to [0, rank))";
  return success();
}

// The program of edge.FusedElementwise (or of a quantized Conv's fused table) over `nIn`
// input registers: 1 to kMaxSteps known ops, two args and params a step, each arg an
// input's or an earlier step's register (-1 past the op's arity). In FusedElementwiseOps.cpp.
LogicalResult verifyElementwiseProgram(Operation *op, ArrayAttr ops, ArrayRef<int64_t> args, ArrayRef<float> params,
                                       int64_t nIn);

}  // namespace mlir::edge::detail
