// Which edge ops compute on quantized values, shared by edge-quantize (which puts
// quantize/dequantize pairs around them) and edge-fold-qdq (which folds the pairs into
// the op). The list is the ref integer kernels' (runtime/kernels/README.md).
#pragma once

#include "edge/EdgeDialect.h"

namespace mlir::edge {

enum class FoldKind {
  None,          // stays float (Softmax, the norms, ...)
  Requantizing,  // has an integer kernel that may give its result a scale of its own
  Passthrough,   // moves values: its result keeps its input's parameters
};

inline FoldKind foldKind(Operation *op) {
  if (isa<ConvOp, MatMulOp, GemmOp, AddOp, SubOp, MulOp, ConcatOp, AveragePoolOp, GlobalAveragePoolOp, ReluOp,
          LeakyReluOp, SigmoidOp, TanhOp, HardSigmoidOp, HardSwishOp, EluOp, ExpOp, ErfOp, SoftplusOp, NegOp, AbsOp>(op))
    return FoldKind::Requantizing;
  // Max pools requantize too, but their range is their input's: keeping its parameters
  // saves the rescale.
  if (isa<ReshapeOp, TransposeOp, SliceOp, GatherOp, ExpandOp, TileOp, MaxPoolOp, GlobalMaxPoolOp>(op))
    return FoldKind::Passthrough;
  return FoldKind::None;
}

// A location named `<name of op's location><suffix>` (a package tensor takes its name from
// it), or `loc` itself when it has no name.
inline Location derivedLoc(Location loc, StringRef suffix) {
  if (auto name = dyn_cast<NameLoc>(loc)) return NameLoc::get(StringAttr::get(loc.getContext(), name.getName().str() + suffix.str()));
  return loc;
}

}  // namespace mlir::edge
