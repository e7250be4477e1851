// Importers of ONNX's vision ops (EdgeVisionOps.td). Shape parameters (ConvTranspose's
// auto_pad and output_shape, MaxUnpool's output_shape) are resolved here into explicit
// attributes and static result types, and every ONNX default is written out, so the edge
// ops carry exactly what their kernels compute with.
#include "GraphImporter.h"

namespace edgec::onnx_frontend {
namespace {
std::string shapeText(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}
}  // namespace

// ConvTranspose: X [N, C, D...], W [C, M/group, k...], optional B [M]. Per spatial dim
// the "full" output (no pads) has S·(D - 1) + output_padding + span positions (span =
// (k - 1)·dilation + 1). With `output_shape` (or auto_pad SAME_*, whose output is D·S)
// the pads are what takes the full output to that size, split as ONNX says (SAME_UPPER:
// the smaller half first; otherwise the larger half first); an output larger than the
// full one is padded at the end with bias-only positions, as ONNX Runtime does, which
// the edge op expresses as a larger output_padding.
void GraphImporter::importConvTranspose(const onnx::NodeProto &n) {
  Value x = input(n, 0), w = input(n, 1);
  ArrayRef<int64_t> xs = cast<RankedTensorType>(x.getType()).getShape();
  ArrayRef<int64_t> ws = cast<RankedTensorType>(w.getType()).getShape();
  if (xs.size() < 3 || ws.size() != xs.size())
    throw ImportError(where(n) + ": X must have rank >= 3 (N, C, spatial...) and W the same rank, got X " +
                      shapeText(xs) + " and W " + shapeText(ws));
  const size_t nd = xs.size() - 2;
  std::vector<int64_t> kernel(ws.begin() + 2, ws.end());
  if (attrInts(n, "kernel_shape", kernel) != kernel)
    throw ImportError(where(n) + ": kernel_shape " + shapeText(attrInts(n, "kernel_shape", kernel)) +
                      " differs from W's spatial dims " + shapeText(kernel));
  std::vector<int64_t> strides = attrInts(n, "strides", std::vector<int64_t>(nd, 1));
  std::vector<int64_t> dilations = attrInts(n, "dilations", std::vector<int64_t>(nd, 1));
  std::vector<int64_t> outputPadding = attrInts(n, "output_padding", std::vector<int64_t>(nd, 0));
  std::vector<int64_t> pads = attrInts(n, "pads", std::vector<int64_t>(2 * nd, 0));
  std::vector<int64_t> outputShape = attrInts(n, "output_shape", {});
  if (strides.size() != nd || dilations.size() != nd || outputPadding.size() != nd || pads.size() != 2 * nd)
    throw ImportError(where(n) + ": strides, dilations, output_padding and pads must match the spatial rank " +
                      std::to_string(nd));
  for (size_t i = 0; i < nd; ++i)
    if (strides[i] < 1 || dilations[i] < 1 || outputPadding[i] < 0)
      throw ImportError(where(n) + ": strides and dilations must be >= 1 and output_padding >= 0");
  // output_shape may also name N and C (ONNX's shape inference takes the last nd).
  if (outputShape.size() == nd + 2) outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  if (!outputShape.empty() && outputShape.size() != nd)
    throw ImportError(where(n) + ": output_shape " + shapeText(outputShape) + " must have one entry per spatial dim");

  const std::string autoPad = attrString(n, "auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    throw ImportError(where(n) + ": unknown auto_pad '" + autoPad + "' (NOTSET, VALID, SAME_UPPER or SAME_LOWER)");
  const bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (outputShape.empty() && same)
    for (size_t i = 0; i < nd; ++i) outputShape.push_back(xs[2 + i] * strides[i]);
  if (autoPad == "VALID" && outputShape.empty()) std::fill(pads.begin(), pads.end(), 0);
  if (!outputShape.empty()) {
    for (size_t i = 0; i < nd; ++i) {
      const int64_t full = strides[i] * (xs[2 + i] - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1;
      if (outputShape[i] < 1)
        throw ImportError(where(n) + ": output_shape " + shapeText(outputShape) + " must be positive");
      const int64_t total = full - outputShape[i];
      if (total < 0) {
        outputPadding[i] -= total;
        pads[i] = pads[nd + i] = 0;
      } else {
        const int64_t small = total / 2, large = total - small;
        pads[i] = autoPad == "SAME_UPPER" ? small : large;
        pads[nd + i] = autoPad == "SAME_UPPER" ? large : small;
      }
    }
  }
  for (int64_t p : pads)
    if (p < 0) throw ImportError(where(n) + ": pads must be >= 0, got " + shapeText(pads));

  const int64_t group = attrInt(n, "group", 1);
  if (group < 1 || xs[1] % group != 0 || ws[0] != xs[1])
    throw ImportError(where(n) + ": W " + shapeText(ws) + " and group " + std::to_string(group) +
                      " do not fit X's " + std::to_string(xs[1]) + " channels (W is [C, M/group, k...])");
  SmallVector<int64_t> expect = {xs[0], ws[1] * group};
  for (size_t i = 0; i < nd; ++i)
    expect.push_back(strides[i] * (xs[2 + i] - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1 - pads[i] -
                     pads[nd + i]);
  for (size_t i = 0; i < nd; ++i)
    if (expect[2 + i] < 1)
      throw ImportError(where(n) + ": pads " + shapeText(pads) + " leave no output along spatial dim " +
                        std::to_string(i));
  RankedTensorType type = resultType(n);
  if (type.getShape() != ArrayRef<int64_t>(expect))
    throw ImportError(where(n) + ": ONNX shape inference gives Y " + shapeText(type.getShape()) +
                      ", but the attributes give " + shapeText(expect));
  define(n, 0, builder_.create<ConvTransposeOp>(loc(n), type, x, w, input(n, 2), builder_.getDenseI64ArrayAttr(strides),
                                                builder_.getDenseI64ArrayAttr(pads),
                                                builder_.getDenseI64ArrayAttr(dilations),
                                                builder_.getDenseI64ArrayAttr(outputPadding),
                                                builder_.getI64IntegerAttr(group)));
}

// GridSample (opset 16; 4-D only there): ONNX's defaults written out.
void GraphImporter::importGridSample(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  if (cast<RankedTensorType>(x.getType()).getRank() != 4)
    throw ImportError(where(n) + ": only 4-D inputs (N, C, H, W) are supported");
  const std::string mode = attrString(n, "mode", "bilinear"), padding = attrString(n, "padding_mode", "zeros");
  requireOneOf(where(n), "mode", mode, {"bilinear", "nearest", "bicubic"});
  requireOneOf(where(n), "padding_mode", padding, {"zeros", "border", "reflection"});
  const int64_t align = attrInt(n, "align_corners", 0);
  if (align != 0 && align != 1)
    throw ImportError(where(n) + ": align_corners must be 0 or 1, got " + std::to_string(align));
  define(n, 0, builder_.create<GridSampleOp>(loc(n), resultType(n), x, input(n, 1), builder_.getStringAttr(mode),
                                             builder_.getStringAttr(padding), builder_.getI64IntegerAttr(align)));
}

void GraphImporter::importInstanceNorm(const onnx::NodeProto &n) {
  define(n, 0, builder_.create<InstanceNormalizationOp>(loc(n), resultType(n), input(n, 0), input(n, 1), input(n, 2),
                                                        builder_.getF32FloatAttr(attrFloat(n, "epsilon", 1e-5f))));
}

void GraphImporter::importLRN(const onnx::NodeProto &n) {
  if (!attr(n, "size")) throw ImportError(where(n) + ": the attribute size is required");
  const int64_t size = attrInt(n, "size", 0);
  if (size < 1) throw ImportError(where(n) + ": size must be >= 1, got " + std::to_string(size));
  define(n, 0, builder_.create<LRNOp>(loc(n), resultType(n), input(n, 0),
                                      builder_.getF32FloatAttr(attrFloat(n, "alpha", 1e-4f)),
                                      builder_.getF32FloatAttr(attrFloat(n, "beta", 0.75f)),
                                      builder_.getF32FloatAttr(attrFloat(n, "bias", 1.0f)),
                                      builder_.getI64IntegerAttr(size)));
}

// RoiAlign at opset 16 (older models are converted to it: ONNX's adapter writes opset
// 10's implicit "output_half_pixel").
void GraphImporter::importRoiAlign(const onnx::NodeProto &n) {
  const std::string mode = attrString(n, "mode", "avg");
  const std::string coordinates = attrString(n, "coordinate_transformation_mode", "half_pixel");
  requireOneOf(where(n), "mode", mode, {"avg", "max"});
  requireOneOf(where(n), "coordinate_transformation_mode", coordinates, {"half_pixel", "output_half_pixel"});
  const int64_t h = attrInt(n, "output_height", 1), w = attrInt(n, "output_width", 1);
  const int64_t ratio = attrInt(n, "sampling_ratio", 0);
  if (h < 1 || w < 1 || ratio < 0)
    throw ImportError(where(n) + ": output_height and output_width must be >= 1 and sampling_ratio >= 0");
  define(n, 0, builder_.create<RoiAlignOp>(
                   loc(n), resultType(n), input(n, 0), input(n, 1), input(n, 2), builder_.getStringAttr(mode),
                   builder_.getI64IntegerAttr(h), builder_.getI64IntegerAttr(w), builder_.getI64IntegerAttr(ratio),
                   builder_.getF32FloatAttr(attrFloat(n, "spatial_scale", 1.0f)), builder_.getStringAttr(coordinates)));
}

// MaxUnpool: the result's spatial dims are (D - 1)·stride + kernel - pads, or ONNX's
// optional output_shape input: a constant, or one known only at run time when the
// result type is static anyway (the kernel then checks the values against it).
void GraphImporter::importMaxUnpool(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  auto xt = cast<RankedTensorType>(x.getType());
  if (xt.getRank() < 3) throw ImportError(where(n) + ": X must have rank >= 3 (N, C, spatial...)");
  const size_t nd = xt.getRank() - 2;
  std::vector<int64_t> kernel = attrInts(n, "kernel_shape", {});
  std::vector<int64_t> strides = attrInts(n, "strides", std::vector<int64_t>(nd, 1));
  std::vector<int64_t> pads = attrInts(n, "pads", std::vector<int64_t>(2 * nd, 0));
  if (kernel.size() != nd || strides.size() != nd || pads.size() != 2 * nd)
    throw ImportError(where(n) + ": kernel_shape (required), strides and pads must match the spatial rank " +
                      std::to_string(nd));
  SmallVector<int64_t> shape(xt.getShape());
  for (size_t i = 0; i < nd; ++i) shape[2 + i] = (shape[2 + i] - 1) * strides[i] + kernel[i] - pads[i] - pads[nd + i];
  Value shapeInput;
  if (runtimeShapeParams(n, {2})) {
    shapeInput = input(n, 2);
    RankedTensorType result = resultType(n);
    if (result.getRank() != xt.getRank() || result.getDimSize(0) != shape[0] || result.getDimSize(1) != shape[1])
      throw ImportError(where(n) + ": the declared result " + shapeText(result.getShape()) + " must be [" +
                        std::to_string(shape[0]) + ", " + std::to_string(shape[1]) + ", spatial...]");
    auto st = cast<RankedTensorType>(shapeInput.getType());
    if (st.getRank() != 1 || st.getDimSize(0) != xt.getRank() || !st.getElementType().isInteger(64))
      throw ImportError(where(n) + ": output_shape must be an int64 list of " + std::to_string(xt.getRank()) +
                        " values");
    shape.assign(result.getShape().begin(), result.getShape().end());
  } else if (n.input_size() > 2 && !n.input(2).empty()) {
    std::vector<int64_t> given = constantInts(n, 2, "output_shape");
    if (given.size() != shape.size() || given[0] != shape[0] || given[1] != shape[1])
      throw ImportError(where(n) + ": output_shape " + shapeText(given) + " must be [" + std::to_string(shape[0]) +
                        ", " + std::to_string(shape[1]) + ", spatial...]");
    shape.assign(given.begin(), given.end());
  }
  for (size_t i = 0; i < nd; ++i)
    if (shape[2 + i] < 1) throw ImportError(where(n) + ": the output shape " + shapeText(shape) + " is empty");
  define(n, 0, builder_.create<MaxUnpoolOp>(loc(n), RankedTensorType::get(shape, xt.getElementType()), x,
                                            input(n, 1), shapeInput));
}

void GraphImporter::addVisionImporters(ImporterTable &table) {
  table["ConvTranspose"] = &GraphImporter::importConvTranspose;
  table["GridSample"] = &GraphImporter::importGridSample;
  table["InstanceNormalization"] = &GraphImporter::importInstanceNorm;
  table["LRN"] = &GraphImporter::importLRN;
  table["RoiAlign"] = &GraphImporter::importRoiAlign;
  table["MaxUnpool"] = &GraphImporter::importMaxUnpool;
}

}  // namespace edgec::onnx_frontend
