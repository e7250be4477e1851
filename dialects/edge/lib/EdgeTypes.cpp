// The edge element types (`!edge.block`) and the checks that tie an element type to
// the shape of the tensor holding it (EdgeTraits.h).
#include "edge/EdgeDialect.h"

#include "edgec/dtype_table.h"
#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::edge;

#define GET_TYPEDEF_CLASSES
#include "edge/EdgeTypes.cpp.inc"

void EdgeDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "edge/EdgeTypes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// BlockType: sizes from the one dtype table, never restated here.
//===----------------------------------------------------------------------===//

static const edgec::DTypeInfo *blockInfo(StringRef format) {
  const edgec::DTypeInfo *info =
      edgec::dtypeInfoByName(std::string_view(format.data(), format.size()));
  return info && info->isBlock() ? info : nullptr;
}

LogicalResult BlockType::verify(function_ref<InFlightDiagnostic()> emitError, StringRef format) {
  if (blockInfo(format)) return success();
  auto diag = emitError() << "unknown block format \"" << format << "\" (expected one of";
  for (const edgec::DTypeInfo &d : edgec::kDTypeTable)
    if (d.isBlock()) diag << " " << d.name;
  return diag << ")";
}

int64_t BlockType::blockSize() const { return blockInfo(getFormat())->blockSize; }
int64_t BlockType::bytesPerBlock() const { return blockInfo(getFormat())->blockBytes; }

//===----------------------------------------------------------------------===//
// WellFormedElementTypes
//===----------------------------------------------------------------------===//

static LogicalResult verifyTensorElement(Operation *op, Type type, StringRef what, unsigned index) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor) return success();
  Type elem = tensor.getElementType();
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(elem)) {
    int64_t dim = perAxis.getQuantizedDimension(), scales = perAxis.getScales().size();
    if (dim >= tensor.getRank())
      return op->emitOpError() << what << " #" << index << ": per-axis quantized dimension "
                               << dim << " is out of range for rank " << tensor.getRank();
    if (!tensor.isDynamicDim(dim) && tensor.getDimSize(dim) != scales)
      return op->emitOpError() << what << " #" << index << " has " << scales
                               << " scales for its per-axis quantized dimension " << dim
                               << " of size " << tensor.getDimSize(dim);
  }
  if (auto block = dyn_cast<BlockType>(elem)) {
    // Dynamic shapes are rejected by the ops' ODS constraints.
    if (!tensor.hasStaticShape()) return success();
    uint64_t bytes = 0;
    std::string why;
    if (!edgec::tensorStorageBytes(*blockInfo(block.getFormat()), tensor.getShape().data(),
                                   tensor.getRank(), &bytes, &why))
      return op->emitOpError() << what << " #" << index << ": " << why;
  }
  return success();
}

LogicalResult mlir::edge::verifyElementTypes(Operation *op) {
  for (auto [i, type] : llvm::enumerate(op->getOperandTypes()))
    if (failed(verifyTensorElement(op, type, "operand", i))) return failure();
  for (auto [i, type] : llvm::enumerate(op->getResultTypes()))
    if (failed(verifyTensorElement(op, type, "result", i))) return failure();
  return success();
}
