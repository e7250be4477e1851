// Verifiers of the quantization ops: QuantizeLinear / DequantizeLinear (parameters in
// the `!quant.uniform` type), DynamicQuantizedMatMul and DequantizeBlockwise (parameters
// as tensor operands).
#include "edge/EdgeDialect.h"

#include "VerifyUtils.h"
#include "edge/QuantTypes.h"

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

LogicalResult DynamicQuantizedMatMulOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getWeight()), y = shapeOf(getOutput());
  if (x.empty()) return emitOpError() << "input must have rank >= 1";
  if (w.size() != 2) return emitOpError() << "weight must be [K, N], got " << shapeStr(w);
  if (x.back() != w[0])
    return emitOpError() << "input's last dim " << x.back() << " must be the weight's K " << w[0];
  SmallVector<int64_t> expect(x.drop_back());
  expect.push_back(w[1]);
  if (y != ArrayRef<int64_t>(expect))
    return emitOpError() << "result shape " << shapeStr(y) << " should be " << shapeStr(expect);
  if (elementOf(getInput()) != elementOf(getOutput()) || !elementOf(getInput()).isF32())
    return emitOpError() << "input and result must be f32";
  Type we = elementOf(getWeight());
  std::optional<UniformParams> p = uniformParams(we);
  if (!p || storageType(we) != IntegerType::get(getContext(), 8) || expressedType(we) != elementOf(getInput()))
    return emitOpError() << "weight must be !quant.uniform over i8 expressing f32, got " << we;
  if (p->axis && *p->axis != 1) return emitOpError() << "a per-axis weight must be quantized along N (dim 1)";
  if (llvm::any_of(p->zeroPoints, [](int64_t z) { return z != 0; }))
    return emitOpError() << "the weight must be symmetric (zero point 0)";
  if (Value bias = getBias())
    if (shapeOf(bias) != ArrayRef<int64_t>{w[1]} || !elementOf(bias).isF32())
      return emitOpError() << "bias must be f32 [" << w[1] << "]";
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

LogicalResult BlockQuantizedMatMulOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getWeight()), y = shapeOf(getOutput());
  const int64_t blockSize = getBlockSize();
  if (x.empty()) return emitOpError() << "input must have rank >= 1";
  if (w.size() != 2) return emitOpError() << "weight must be [N, K], got " << shapeStr(w);
  if (x.back() != w[1])
    return emitOpError() << "input's last dim " << x.back() << " must be the weight's K " << w[1]
                         << " (the weight is [N, K])";
  SmallVector<int64_t> expect(x.drop_back());
  expect.push_back(w[0]);
  if (y != ArrayRef<int64_t>(expect))
    return emitOpError() << "result shape " << shapeStr(y) << " should be " << shapeStr(expect);
  if (!elementOf(getInput()).isF32() || !elementOf(getWeight()).isF32() || !elementOf(getOutput()).isF32())
    return emitOpError() << "input, weight and result must be f32";
  if (blockSize < 1) return emitOpError() << "block_size must be >= 1, got " << blockSize;
  if (Value bias = getBias())
    if (shapeOf(bias) != ArrayRef<int64_t>{w[0]} || !elementOf(bias).isF32())
      return emitOpError() << "bias must be f32 [" << w[0] << "]";
  // The int4 x int8 arithmetic needs integer weight codes whose scales are constant over
  // each activation block: the weight is a DequantizeBlockwise of i4/ui4 codes, blocked
  // along K with the same block size.
  auto dq = getWeight().getDefiningOp<DequantizeBlockwiseOp>();
  if (!dq) return emitOpError() << "weight must be the result of edge.DequantizeBlockwise";
  Type codes = elementOf(dq.getWeight());
  if (!codes.isInteger(4)) return emitOpError() << "weight codes must be i4 or ui4, got " << codes;
  if (dq.getAxis() != 1 || int64_t(dq.getBlockSize()) != blockSize)
    return emitOpError() << "weight must be blocked along K (axis 1) with block_size " << blockSize << ", got axis "
                         << dq.getAxis() << " block_size " << dq.getBlockSize();
  return success();
}
