// Verifiers of the vision ops (EdgeVisionOps.td). They check the shapes and attributes
// the ref kernels (runtime/kernels/ref/) rely on, so a plan built from verified IR needs
// no shape logic at run time.
#include "edge/EdgeDialect.h"

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

namespace {
// Every operand and the result share one element type.
LogicalResult verifyOneElementType(Operation *op) {
  Type elem = elementOf(op->getResult(0));
  for (Value v : op->getOperands())
    if (elementOf(v) != elem)
      return op->emitOpError() << "operand element type " << elementOf(v) << " differs from the result's " << elem;
  return success();
}

// `values` has `count` entries, each >= `minValue`.
LogicalResult verifySpatialAttr(Operation *op, StringRef name, ArrayRef<int64_t> values, size_t count,
                                int64_t minValue) {
  if (values.size() != count)
    return op->emitOpError() << name << " has " << values.size() << " entries, expected " << count;
  for (int64_t v : values)
    if (v < minValue) return op->emitOpError() << name << " must be >= " << minValue << ", got " << v;
  return success();
}
}  // namespace

LogicalResult ConvTransposeOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getWeight()), y = shapeOf(getOutput());
  if (x.size() < 3) return emitOpError("input must have rank >= 3 (N, C, spatial...)");
  if (w.size() != x.size() || y.size() != x.size())
    return emitOpError("input, weight and result must have the same rank");
  if (failed(verifyOneElementType(*this))) return failure();
  const size_t nd = x.size() - 2;
  const int64_t group = getGroup();
  if (group < 1 || x[1] % group != 0)
    return emitOpError() << "group " << group << " does not divide the " << x[1] << " input channels";
  if (w[0] != x[1])
    return emitOpError() << "weight " << shapeStr(w) << " must have the input's " << x[1] << " channels as dim 0";
  const int64_t outChannels = w[1] * group;
  if (getBias() && shapeOf(getBias()) != ArrayRef<int64_t>{outChannels})
    return emitOpError() << "bias must have shape [" << outChannels << "]";
  if (failed(verifySpatialAttr(*this, "strides", getStrides(), nd, 1)) ||
      failed(verifySpatialAttr(*this, "dilations", getDilations(), nd, 1)) ||
      failed(verifySpatialAttr(*this, "pads", getPads(), 2 * nd, 0)) ||
      failed(verifySpatialAttr(*this, "output_padding", getOutputPadding(), nd, 0)))
    return failure();
  SmallVector<int64_t> expect = {x[0], outChannels};
  for (size_t i = 0; i < nd; ++i)
    expect.push_back(getStrides()[i] * (x[2 + i] - 1) + getOutputPadding()[i] + getDilations()[i] * (w[2 + i] - 1) +
                     1 - getPads()[i] - getPads()[nd + i]);
  for (size_t i = 0; i < nd; ++i)
    if (expect[2 + i] < 1)
      return emitOpError() << "pads " << shapeStr(getPads()) << " leave no output along spatial dim " << i;
  if (y != ArrayRef<int64_t>(expect))
    return emitOpError() << "result shape " << shapeStr(y) << " should be " << shapeStr(expect);
  return success();
}
