// Verifiers of the quantization ops: QuantizeLinear / DequantizeLinear (parameters in
// the `!quant.uniform` type) and DequantizeBlockwise (parameters as tensor operands).
#include "edge/EdgeDialect.h"

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

LogicalResult QuantizeLinearOp::verify() {
  Type expressed = expressedType(elementOf(getOutput()));
  if (elementOf(getInput()) != expressed)
    return emitOpError() << "input element type " << elementOf(getInput())
                         << " must be the result's expressed type " << expressed;
  return success();
}

LogicalResult DequantizeLinearOp::verify() {
  Type expressed = expressedType(elementOf(getInput()));
  if (elementOf(getOutput()) != expressed)
    return emitOpError() << "result element type " << elementOf(getOutput())
                         << " must be the input's expressed type " << expressed;
  return success();
}

LogicalResult DequantizeBlockwiseOp::verify() {
  ArrayRef<int64_t> weight = shapeOf(getWeight());
  int64_t axis = getAxis(), blockSize = getBlockSize();
  if (failed(verifyAxis(*this, axis, weight.size()))) return failure();
  if (blockSize < 1) return emitOpError() << "block_size must be >= 1, got " << blockSize;
  if (shapeOf(getOutput()) != weight)
    return emitOpError() << "result shape " << shapeStr(shapeOf(getOutput()))
                         << " must be the weight shape " << shapeStr(weight);
  if (elementOf(getOutput()) != elementOf(getScales()))
    return emitOpError() << "result element type " << elementOf(getOutput())
                         << " must be the scales' element type " << elementOf(getScales());
  // ONNX DequantizeLinear-21: one scale per block, the last block may be partial.
  SmallVector<int64_t> blocks(weight);
  blocks[axis] = (weight[axis] + blockSize - 1) / blockSize;
  if (shapeOf(getScales()) != ArrayRef<int64_t>(blocks))
    return emitOpError() << "scales shape " << shapeStr(shapeOf(getScales())) << " should be "
                         << shapeStr(blocks) << " (the weight shape with dim " << axis
                         << " divided by block_size " << blockSize << ", rounded up)";
  if (Value zeroPoints = getZeroPoints()) {
    if (shapeOf(zeroPoints) != shapeOf(getScales()))
      return emitOpError() << "zero_points shape " << shapeStr(shapeOf(zeroPoints))
                           << " must be the scales shape " << shapeStr(blocks);
    if (elementOf(zeroPoints) != elementOf(getWeight()))
      return emitOpError() << "zero_points element type " << elementOf(zeroPoints)
                           << " must be the weight's " << elementOf(getWeight());
  }
  return success();
}
