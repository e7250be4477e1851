// Verifiers of the state ops (EdgeStateOps.td).
#include "edge/EdgeDialect.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::edge;

LogicalResult StateOp::verify() {
  if (auto init = getInitialValueAttr())
    if (init.getType() != getType())
      return emitOpError() << "initial value of type " << init.getType() << " does not match the state's type "
                           << getType();
  return success();
}

// The state a read or write names must exist and have the type used there.
static LogicalResult verifyStateUse(Operation *op, FlatSymbolRefAttr ref, Type type,
                                    SymbolTableCollection &symbols) {
  auto module = op->getParentOfType<ModuleOp>();
  auto state = module ? symbols.lookupSymbolIn<StateOp>(module, ref) : StateOp();
  if (!state) return op->emitOpError() << "refers to " << ref << ", which is not an edge.state of the module";
  if (state.getType() != type)
    return op->emitOpError() << "uses " << ref << " as " << type << ", but the state is " << state.getType();
  return success();
}

LogicalResult StateReadOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyStateUse(*this, getStateAttr(), getOutput().getType(), symbols);
}

LogicalResult StateWriteOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyStateUse(*this, getStateAttr(), getValue().getType(), symbols);
}

LogicalResult DynamicUpdateSliceOp::verify() {
  auto operand = cast<RankedTensorType>(getOperand().getType());
  auto update = cast<RankedTensorType>(getUpdate().getType());
  auto starts = cast<RankedTensorType>(getStarts().getType());
  if (getOutput().getType() != operand)
    return emitOpError() << "result type " << getOutput().getType() << " must be the operand's, " << operand;
  if (update.getElementType() != operand.getElementType())
    return emitOpError() << "update element type " << update.getElementType() << " differs from the operand's "
                         << operand.getElementType();
  if (update.getRank() != operand.getRank())
    return emitOpError() << "update has rank " << update.getRank() << ", the operand " << operand.getRank();
  if (starts.getRank() != 1 || starts.getDimSize(0) != operand.getRank())
    return emitOpError() << "starts must be tensor<" << operand.getRank() << "xi64> (one index per dimension)";
  for (int64_t d = 0; d < operand.getRank(); ++d)
    if (update.getDimSize(d) > operand.getDimSize(d))
      return emitOpError() << "update dimension " << d << " (" << update.getDimSize(d)
                           << ") is larger than the operand's (" << operand.getDimSize(d) << ")";
  return success();
}
