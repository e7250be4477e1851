#include "edge/EdgeDialect.h"

#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::edge;

#include "edge/EdgeOpsDialect.cpp.inc"

void EdgeDialect::initialize() {
  registerTypes();
  addOperations<
#define GET_OP_LIST
#include "edge/EdgeOps.cpp.inc"
      >();
}

Operation *EdgeDialect::materializeConstant(OpBuilder &builder, Attribute value, Type type,
                                            Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type) return nullptr;
  return builder.create<ConstantOp>(loc, type, elements);
}
