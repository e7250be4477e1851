// Verifiers of the spatial resampling ops (EdgeSpatialOps.td): DepthToSpace,
// SpaceToDepth, Resize. They check the result shapes and attributes the ref kernels
// (runtime/kernels/ref/resample.cpp) rely on.
#include "edge/EdgeDialect.h"
#include "edge/QuantTypes.h"

#include <cmath>

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

namespace {
// These ops copy (or mix) elements without changing their type; a per-axis quantized
// tensor would need its scales moved with the channels, which nothing does.
LogicalResult verifySameElementType(Operation *op, Value input, Value output) {
  if (elementOf(input) != elementOf(output))
    return op->emitOpError() << "result element type " << elementOf(output) << " differs from the input's "
                             << elementOf(input);
  if (quantizedDimension(elementOf(input)))
    return op->emitOpError("per-axis quantized tensors are not supported");
  return success();
}

// Rank 4 [N, C, H, W] and a blocksize >= 1.
LogicalResult verifyBlockOp(Operation *op, Value input, Value output, int64_t blocksize) {
  if (shapeOf(input).size() != 4 || shapeOf(output).size() != 4)
    return op->emitOpError("input and result must have rank 4 (N, C, H, W)");
  if (blocksize < 1) return op->emitOpError() << "blocksize must be >= 1, got " << blocksize;
  return verifySameElementType(op, input, output);
}
}  // namespace

LogicalResult DepthToSpaceOp::verify() {
  const int64_t b = getBlocksize();
  if (failed(verifyBlockOp(*this, getInput(), getOutput(), b))) return failure();
  if (getMode() != "DCR" && getMode() != "CRD")
    return emitOpError() << "unknown mode '" << getMode() << "' (DCR or CRD)";
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in[1] % (b * b) != 0)
    return emitOpError() << "input channels " << in[1] << " are not a multiple of blocksize² " << b * b;
  SmallVector<int64_t> expect = {in[0], in[1] / (b * b), in[2] * b, in[3] * b};
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(expect))
    return emitOpError() << "result shape " << shapeStr(shapeOf(getOutput())) << " should be " << shapeStr(expect);
  return success();
}

LogicalResult SpaceToDepthOp::verify() {
  const int64_t b = getBlocksize();
  if (failed(verifyBlockOp(*this, getInput(), getOutput(), b))) return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in[2] % b != 0 || in[3] % b != 0)
    return emitOpError() << "input height and width " << in[2] << "x" << in[3] << " are not multiples of blocksize "
                         << b;
  SmallVector<int64_t> expect = {in[0], in[1] * b * b, in[2] / b, in[3] / b};
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(expect))
    return emitOpError() << "result shape " << shapeStr(shapeOf(getOutput())) << " should be " << shapeStr(expect);
  return success();
}

LogicalResult ResizeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getOutput());
  const int64_t rank = in.size();
  if (rank < 1 || int64_t(out.size()) != rank) return emitOpError("input and result must have the same rank >= 1");
  if (failed(verifySameElementType(*this, getInput(), getOutput()))) return failure();
  StringRef mode = getMode(), coordinates = getCoordinateTransformationMode(), nearest = getNearestMode();
  if (!llvm::is_contained({"nearest", "linear", "cubic"}, mode))
    return emitOpError() << "unknown mode '" << mode << "' (nearest, linear or cubic)";
  if (!llvm::is_contained({"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_crop_and_resize"},
                          coordinates))
    return emitOpError() << "unknown coordinate_transformation_mode '" << coordinates
                         << "' (half_pixel, pytorch_half_pixel, align_corners, asymmetric or tf_crop_and_resize)";
  if (!llvm::is_contained({"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}, nearest))
    return emitOpError() << "unknown nearest_mode '" << nearest
                         << "' (round_prefer_floor, round_prefer_ceil, floor or ceil)";
  if (getExcludeOutside() != 0 && getExcludeOutside() != 1) return emitOpError("exclude_outside must be 0 or 1");
  Type elem = elementOf(getInput());
  // Linear and cubic compute with the values; the kernel does so in f32 or f64.
  if (mode != "nearest" && !elem.isF32() && !elem.isF64())
    return emitOpError() << mode << " resizing takes f32 or f64 tensors, got " << elem;
  const bool crop = coordinates == "tf_crop_and_resize";
  if (crop && isUniformQuantized(elem))
    return emitOpError("tf_crop_and_resize of a quantized tensor is not supported (extrapolation_value is not quantized)");
  // A run-time parameter (operand) replaces its attribute: exactly one of the two.
  const int scaleForms = int(bool(getScales())) + int(bool(getScalesInput())) + int(bool(getSizesInput()));
  if (scaleForms == 0) return emitOpError("needs scales: the attribute, scales_input or sizes_input");
  if (scaleForms > 1)
    return emitOpError() << "takes one of scales, scales_input and sizes_input, got " << scaleForms;
  if (getRoiInput() && getRoi()) return emitOpError("roi is given both as an attribute and as an operand");
  if (getRoiInput() && !crop) return emitOpError("roi_input is for tf_crop_and_resize only");
  // The kernel reads run-time parameters as flat vectors of one value per dim (roi: two).
  auto checkOperand = [&](Value v, StringRef name, int64_t count) -> LogicalResult {
    if (!v) return success();
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getRank() != 1 || type.getDimSize(0) != count)
      return emitOpError() << name << " must have shape [" << count << "], got " << type;
    return success();
  };
  if (failed(checkOperand(getScalesInput(), "scales_input", rank)) ||
      failed(checkOperand(getSizesInput(), "sizes_input", rank)) ||
      failed(checkOperand(getRoiInput(), "roi_input", 2 * rank)))
    return failure();
  ArrayRef<float> roi = getRoi() ? *getRoi() : ArrayRef<float>();
  if (!getRoiInput() && int64_t(roi.size()) != (crop ? 2 * rank : 0))
    return emitOpError() << "expects " << (crop ? 2 * rank : 0) << " roi values (starts then ends, "
                         << "tf_crop_and_resize only), got " << roi.size();
  // Run-time scales or sizes: the kernel checks the shape they imply on every run.
  if (!getScales()) return success();
  ArrayRef<float> scales = *getScales();
  if (int64_t(scales.size()) != rank) return emitOpError() << "expects " << rank << " scales, got " << scales.size();
  for (int64_t d = 0; d < rank; ++d) {
    const float s = scales[d];
    if (!(s > 0) || std::isinf(s)) return emitOpError() << "scale " << d << " must be finite and > 0, got " << s;
    // ONNX shape inference's floor(in * scale) in f32, or the size that ONNX `sizes`
    // gave (its scale is the f32 ratio out / in).
    const bool fromScale = out[d] == int64_t(std::floor(float(in[d]) * s));
    const bool fromSize = in[d] > 0 && float(out[d]) / float(in[d]) == s;
    if (!fromScale && !fromSize)
      return emitOpError() << "result dim " << d << " is " << out[d] << ", but input dim " << in[d] << " at scale " << s
                           << " gives " << int64_t(std::floor(float(in[d]) * s));
  }
  return success();
}
