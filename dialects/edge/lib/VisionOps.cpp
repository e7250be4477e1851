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
  const int64_t group = getGroupAttr().getInt();
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

LogicalResult GridSampleOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), grid = shapeOf(getGrid()), y = shapeOf(getOutput());
  if (x.size() != 4) return emitOpError("input must have rank 4 (N, C, H, W)");
  if (grid.size() != 4 || grid[0] != x[0] || grid[3] != 2)
    return emitOpError() << "grid " << shapeStr(grid) << " must be [" << x[0] << ", Ho, Wo, 2]";
  if (failed(verifyOneElementType(*this))) return failure();
  if (!llvm::is_contained({"bilinear", "nearest", "bicubic"}, getMode()))
    return emitOpError() << "unknown mode '" << getMode() << "' (bilinear, nearest or bicubic)";
  if (!llvm::is_contained({"zeros", "border", "reflection"}, getPaddingMode()))
    return emitOpError() << "unknown padding_mode '" << getPaddingMode() << "' (zeros, border or reflection)";
  if (getAlignCorners() != 0 && getAlignCorners() != 1) return emitOpError("align_corners must be 0 or 1");
  SmallVector<int64_t> expect = {x[0], x[1], grid[1], grid[2]};
  if (y != ArrayRef<int64_t>(expect))
    return emitOpError() << "result shape " << shapeStr(y) << " should be " << shapeStr(expect);
  return success();
}

LogicalResult InstanceNormalizationOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput());
  if (x.size() < 3) return emitOpError("input must have rank >= 3 (N, C, spatial...)");
  if (failed(verifyOneElementType(*this))) return failure();
  for (Value p : {getScale(), getBias()})
    if (shapeOf(p) != ArrayRef<int64_t>{x[1]}) return emitOpError() << "scale and bias must have shape [" << x[1] << "]";
  if (getOutput().getType() != getInput().getType()) return emitOpError("result type must match the input type");
  if (!(getEpsilon().convertToFloat() >= 0)) return emitOpError("epsilon must be >= 0");
  return success();
}

LogicalResult LRNOp::verify() {
  if (shapeOf(getInput()).size() < 3) return emitOpError("input must have rank >= 3 (N, C, spatial...)");
  if (getOutput().getType() != getInput().getType()) return emitOpError("result type must match the input type");
  // I64Attr getters return uint64_t: read the signed value.
  const int64_t size = getSizeAttr().getInt();
  if (size < 1) return emitOpError() << "size must be >= 1, got " << size;
  return success();
}

LogicalResult RoiAlignOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), rois = shapeOf(getRois()), idx = shapeOf(getBatchIndices());
  if (x.size() != 4) return emitOpError("input must have rank 4 (N, C, H, W)");
  if (rois.size() != 2 || rois[1] != 4) return emitOpError() << "rois " << shapeStr(rois) << " must be [R, 4]";
  if (idx != ArrayRef<int64_t>{rois[0]})
    return emitOpError() << "batch_indices " << shapeStr(idx) << " must be [" << rois[0] << "]";
  if (elementOf(getRois()) != elementOf(getInput()) || elementOf(getOutput()) != elementOf(getInput()))
    return emitOpError("input, rois and result must have one element type");
  if (getMode() != "avg" && getMode() != "max")
    return emitOpError() << "unknown mode '" << getMode() << "' (avg or max)";
  if (getCoordinateTransformationMode() != "half_pixel" && getCoordinateTransformationMode() != "output_half_pixel")
    return emitOpError() << "unknown coordinate_transformation_mode '" << getCoordinateTransformationMode()
                         << "' (half_pixel or output_half_pixel)";
  // I64Attr getters return uint64_t: read the signed values.
  const int64_t h = getOutputHeightAttr().getInt(), w = getOutputWidthAttr().getInt();
  if (h < 1 || w < 1)
    return emitOpError("output_height and output_width must be >= 1");
  if (getSamplingRatioAttr().getInt() < 0) return emitOpError("sampling_ratio must be >= 0");
  SmallVector<int64_t> expect = {rois[0], x[1], h, w};
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(expect))
    return emitOpError() << "result shape " << shapeStr(shapeOf(getOutput())) << " should be " << shapeStr(expect);
  return success();
}

LogicalResult MaxUnpoolOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), y = shapeOf(getOutput());
  if (x.size() < 3 || y.size() != x.size())
    return emitOpError("input and result must have the same rank >= 3 (N, C, spatial...)");
  if (shapeOf(getIndices()) != x) return emitOpError("indices must have the input's shape");
  if (elementOf(getOutput()) != elementOf(getInput()))
    return emitOpError("result element type must match the input's");
  if (y[0] != x[0] || y[1] != x[1]) return emitOpError("result N and C must be the input's");
  // A run-time output_shape: one value per result dim, which the kernel checks.
  if (Value s = getOutputShapeInput(); s && tensorType(s).getShape() != ArrayRef<int64_t>{int64_t(y.size())})
    return emitOpError() << "output_shape_input must hold one value per result dim (" << y.size() << "), got "
                         << s.getType();
  return success();
}
