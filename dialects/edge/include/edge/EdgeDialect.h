// The edge dialect: graph-level tensor ops with value semantics and static shapes.
#pragma once

#include <array>
#include <optional>

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "edge/EdgeTraits.h"
#include "edge/QuantTypes.h"

#include "edge/EdgeOpsDialect.h.inc"

namespace mlir::edge {
// What edge.state_read/state_write have effects on: the session's persistent state.
struct StateResource : public SideEffects::Resource::Base<StateResource> {
  StringRef getName() final { return "edge::State"; }
};
}  // namespace mlir::edge

#define GET_TYPEDEF_CLASSES
#include "edge/EdgeTypes.h.inc"

#define GET_OP_CLASSES
#include "edge/EdgeOps.h.inc"

namespace mlir::edge {

// numpy broadcast of two static shapes; failure if incompatible.
FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b);

// Output length of a pooled/convolved dim (floor or ceil as ONNX does).
int64_t slidingWindowOutput(int64_t in, int64_t kernel, int64_t stride, int64_t padBegin,
                            int64_t padEnd, int64_t dilation, bool ceilMode);

}  // namespace mlir::edge
