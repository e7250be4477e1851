// What `edgec compile --report-fusion` reports: the fusion passes, run with their
// record-fusion option, leave on each op that absorbed others the discardable attribute
// edge.fused, the ONNX node names (the ops' NameLocs) of everything it now computes, in
// source order, its own first. The package writer encodes only ops' inherent attributes,
// so packages are the same bytes with or without it.
#pragma once

#include <string>
#include <vector>

#include "mlir/IR/Operation.h"

namespace mlir::edge {

inline constexpr llvm::StringLiteral kFusedAttr = "edge.fused";

// Sets `survivor`'s edge.fused to the names of `parts` (each op's own edge.fused list if it
// has one, else its name), duplicates dropped. `parts` may include `survivor`.
void recordFusion(Operation *survivor, ArrayRef<Operation *> parts);

// The names in `op`'s edge.fused; empty if it fused nothing.
std::vector<std::string> fusedNames(Operation *op);

}  // namespace mlir::edge
