// Op traits of the edge dialect.
#pragma once

#include "mlir/IR/OpDefinition.h"

namespace mlir::edge {

// Checks what an element type cannot check about the tensor that holds it: a per-axis
// `!quant.uniform` needs its quantized dimension in range with one scale per index,
// and a `!edge.block` tensor must hold whole blocks along its innermost dimension.
LogicalResult verifyElementTypes(Operation *op);

template <typename ConcreteType>
class WellFormedElementTypes : public OpTrait::TraitBase<ConcreteType, WellFormedElementTypes> {
public:
  static LogicalResult verifyTrait(Operation *op) { return verifyElementTypes(op); }
};

}  // namespace mlir::edge
