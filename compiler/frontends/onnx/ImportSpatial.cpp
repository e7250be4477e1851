// Importers of ONNX's spatial resampling ops (EdgeSpatialOps.td): DepthToSpace,
// SpaceToDepth, Resize and the deprecated Upsample. Resize's roi, scales and sizes must
// be compile-time constants: they become attributes and the result shape is static.
#include "GraphImporter.h"

#include "edge/ConstantData.h"
#include "mlir/IR/Matchers.h"

namespace edgec::onnx_frontend {

void requireOneOf(const std::string &where, const char *key, const std::string &v,
                  std::initializer_list<const char *> allowed) {
  std::string list;
  for (const char *a : allowed) {
    if (v == a) return;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  throw ImportError(where + ": " + key + " '" + v + "' is not supported (" + list + ")");
}

// The values of a constant float input (roi, scales), or nullopt when the input is
// absent or an empty tensor (ONNX's way of leaving out an optional input that precedes
// a given one).
std::optional<std::vector<double>> GraphImporter::constantFloats(const onnx::NodeProto &n, int i, const char *what) {
  Value v = input(n, i);
  if (!v || cast<RankedTensorType>(v.getType()).getNumElements() == 0) return std::nullopt;
  ElementsAttr value;
  if (!matchPattern(v, m_Constant(&value)))
    throw ImportError(where(n) + ": " + what + " '" + n.input(i) +
                      "' must be a compile-time constant (an initializer): edgec compiles static shapes" +
                      bindHint(n.input(i)));
  return constantAsDoubles(value);
}

void GraphImporter::importDepthToSpace(const onnx::NodeProto &n) {
  std::string mode = attrString(n, "mode", "DCR");
  requireOneOf(where(n), "mode", mode, {"DCR", "CRD"});
  if (!attr(n, "blocksize")) throw ImportError(where(n) + ": the attribute blocksize is required");
  define(n, 0, builder_.create<DepthToSpaceOp>(loc(n), resultType(n), input(n, 0),
                                               builder_.getI64IntegerAttr(attrInt(n, "blocksize", 0)),
                                               builder_.getStringAttr(mode)));
}

void GraphImporter::importSpaceToDepth(const onnx::NodeProto &n) {
  if (!attr(n, "blocksize")) throw ImportError(where(n) + ": the attribute blocksize is required");
  define(n, 0, builder_.create<SpaceToDepthOp>(loc(n), resultType(n), input(n, 0),
                                               builder_.getI64IntegerAttr(attrInt(n, "blocksize", 0))));
}

// The edge.Resize of node `n` (input 0) with ONNX's other attributes and their defaults.
void GraphImporter::createResize(const onnx::NodeProto &n, const std::string &mode, const std::string &coordinates,
                                 const std::string &nearestMode, std::vector<float> scales, std::vector<float> roi) {
  requireOneOf(where(n), "mode", mode, {"nearest", "linear", "cubic"});
  requireOneOf(where(n), "coordinate_transformation_mode", coordinates,
               {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_crop_and_resize"});
  requireOneOf(where(n), "nearest_mode", nearestMode, {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"});
  const int64_t exclude = attrInt(n, "exclude_outside", 0);
  if (exclude != 0 && exclude != 1)
    throw ImportError(where(n) + ": exclude_outside must be 0 or 1, got " + std::to_string(exclude));
  Value x = input(n, 0);
  Type elem = cast<RankedTensorType>(x.getType()).getElementType();
  if (mode != "nearest" && !elem.isF32() && !elem.isF64())
    throw ImportError(where(n) + ": " + mode + " resizing of " +
                      (isUniformQuantized(elem) ? std::string("quantized") : std::string("non-float")) +
                      " tensors is not supported (f32, f64; nearest takes any type)");
  define(n, 0, builder_.create<ResizeOp>(loc(n), resultType(n), x, builder_.getStringAttr(mode),
                                         builder_.getStringAttr(coordinates), builder_.getStringAttr(nearestMode),
                                         builder_.getF32FloatAttr(attrFloat(n, "cubic_coeff_a", -0.75f)),
                                         builder_.getI64IntegerAttr(exclude),
                                         builder_.getF32FloatAttr(attrFloat(n, "extrapolation_value", 0.f)),
                                         builder_.getDenseF32ArrayAttr(scales), builder_.getDenseF32ArrayAttr(roi)));
}

// Resize (opsets 11-17: X, roi, scales, sizes): exactly one of scales and sizes, and roi
// for tf_crop_and_resize, as constants; sizes become the f32 scales out / in.
void GraphImporter::importResize(const onnx::NodeProto &n) {
  ArrayRef<int64_t> in = cast<RankedTensorType>(input(n, 0).getType()).getShape();
  const size_t rank = in.size();
  const std::string coordinates = attrString(n, "coordinate_transformation_mode", "half_pixel");
  std::optional<std::vector<double>> scales = constantFloats(n, 2, "scales");
  Value sizesInput = input(n, 3);
  const bool hasSizes = sizesInput && cast<RankedTensorType>(sizesInput.getType()).getNumElements() > 0;
  if (scales.has_value() == hasSizes) throw ImportError(where(n) + ": exactly one of scales and sizes must be given");
  std::vector<float> s;
  if (scales) {
    if (scales->size() != rank)
      throw ImportError(where(n) + ": scales has " + std::to_string(scales->size()) + " values, expected one per dim (" +
                        std::to_string(rank) + ")");
    for (double v : *scales) s.push_back(float(v));
  } else {
    std::vector<int64_t> sizes = constantInts(n, 3, "sizes");
    if (sizes.size() != rank)
      throw ImportError(where(n) + ": sizes has " + std::to_string(sizes.size()) + " values, expected one per dim (" +
                        std::to_string(rank) + ")");
    for (size_t d = 0; d < rank; ++d) {
      if (sizes[d] < 0 || (in[d] == 0 && sizes[d] != 0))
        throw ImportError(where(n) + ": size " + std::to_string(sizes[d]) + " of dim " + std::to_string(d) +
                          " is invalid for an input dim of " + std::to_string(in[d]));
      s.push_back(in[d] == 0 ? 1.f : float(sizes[d]) / float(in[d]));
    }
  }
  std::vector<float> roi;
  if (coordinates == "tf_crop_and_resize") {
    std::optional<std::vector<double>> given = constantFloats(n, 1, "roi");
    if (!given || given->size() != 2 * rank)
      throw ImportError(where(n) + ": tf_crop_and_resize needs a roi of " + std::to_string(2 * rank) +
                        " values (starts, then ends)");
    for (double v : *given) roi.push_back(float(v));
  }
  createResize(n, attrString(n, "mode", "nearest"), coordinates, attrString(n, "nearest_mode", "round_prefer_floor"),
               s, roi);
}

// The deprecated Upsample is registered so that the unsupported-op check (which runs
// before version conversion) lets an opset <= 9 model through: ONNX's version converter
// then rewrites each Upsample into a Resize (Upsample_9_10), and the checker rejects one
// at opset >= 10 (deprecated). So no Upsample node reaches the importer itself.
void GraphImporter::importUpsample(const onnx::NodeProto &n) {
  throw ImportError(where(n) + ": Upsample is imported as the Resize that ONNX's version converter makes of it "
                               "(opset <= 9 models); this one was not converted");
}

void GraphImporter::addSpatialImporters(ImporterTable &table) {
  table["DepthToSpace"] = &GraphImporter::importDepthToSpace;
  table["SpaceToDepth"] = &GraphImporter::importSpaceToDepth;
  table["Resize"] = &GraphImporter::importResize;
  table["Upsample"] = &GraphImporter::importUpsample;
}

}  // namespace edgec::onnx_frontend
