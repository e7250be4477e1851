// Importers of ONNX's spatial resampling ops (EdgeSpatialOps.td): DepthToSpace,
// SpaceToDepth, Resize and the deprecated Upsample. Resize's roi, scales and sizes become
// attributes when they are compile-time constants; one that is a run-time value (a graph
// input) becomes an operand the kernel reads on every run, provided the result type is
// static anyway (ONNX shape inference or the model's declared types). Otherwise it is an
// error: edgec compiles static shapes.
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
// Each parameter is either its attribute (`scales`, `roi`; null when absent) or its
// run-time operand (`roiInput`, `scalesInput`, `sizesInput`; null when absent).
void GraphImporter::createResize(const onnx::NodeProto &n, const std::string &mode, const std::string &coordinates,
                                 const std::string &nearestMode, DenseF32ArrayAttr scales, DenseF32ArrayAttr roi,
                                 Value roiInput, Value scalesInput, Value sizesInput) {
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
  define(n, 0, builder_.create<ResizeOp>(loc(n), resultType(n), x, roiInput, scalesInput, sizesInput,
                                         builder_.getStringAttr(mode), builder_.getStringAttr(coordinates),
                                         builder_.getStringAttr(nearestMode),
                                         builder_.getF32FloatAttr(attrFloat(n, "cubic_coeff_a", -0.75f)),
                                         builder_.getI64IntegerAttr(exclude),
                                         builder_.getF32FloatAttr(attrFloat(n, "extrapolation_value", 0.f)), scales,
                                         roi));
}

// Resize input i (roi, scales, sizes) as a run-time operand: a 1-D tensor of `count`
// values of an element type the kernel reads.
static Value resizeOperand(const std::string &where, Value v, const char *what, int64_t count, bool isFloat) {
  auto type = cast<RankedTensorType>(v.getType());
  Type elem = type.getElementType();
  const bool typeOk = isFloat ? (elem.isF32() || (std::string(what) == "roi" && elem.isF64())) : elem.isInteger(64);
  if (!typeOk)
    throw ImportError(where + ": a run-time " + what + " must be " +
                      (isFloat ? std::string(what) == "roi" ? "f32 or f64" : "f32" : "int64"));
  if (type.getRank() != 1 || type.getDimSize(0) != count) {
    std::string shape;
    for (int64_t d : type.getShape()) shape += (shape.empty() ? "" : ",") + std::to_string(d);
    throw ImportError(where + ": " + what + " has shape [" + shape + "], expected [" +
                      std::to_string(count) + "] (" + (std::string(what) == "roi" ? "2 values" : "one value") +
                      " per dim)");
  }
  return v;
}

// Resize (opsets 11-17: X, roi, scales, sizes): exactly one of scales and sizes, and roi
// for tf_crop_and_resize. Constants become attributes (sizes as the f32 scales out / in).
// A non-constant one becomes an operand when the result type is static anyway; the
// kernel then reads it on every run and checks it implies the compiled shape.
void GraphImporter::importResize(const onnx::NodeProto &n) {
  ArrayRef<int64_t> in = cast<RankedTensorType>(input(n, 0).getType()).getShape();
  const size_t rank = in.size();
  const std::string coordinates = attrString(n, "coordinate_transformation_mode", "half_pixel");
  const bool crop = coordinates == "tf_crop_and_resize";
  // An empty tensor is ONNX's way of leaving out an optional input that precedes a given one.
  auto given = [&](int i) {
    Value v = input(n, i);
    return v && cast<RankedTensorType>(v.getType()).getNumElements() != 0 ? v : Value();
  };
  auto atRunTime = [&](int i) { return given(i) && !matchPattern(given(i), m_Constant()); };
  bool runtime = atRunTime(2) || atRunTime(3) || (crop && atRunTime(1));
  if (runtime) {
    try {
      resultType(n);
    } catch (const ShapesPending &) {
      throw;  // constants folded this round may still make the parameters constant
    } catch (const ImportError &) {
      runtime = false;  // a truly dynamic result: the constant path below says why not
    }
  }
  const std::string at = where(n);
  Value scalesInput, sizesInput, roiInput;
  if (runtime && atRunTime(2)) scalesInput = resizeOperand(at, given(2), "scales", rank, true);
  if (runtime && atRunTime(3)) sizesInput = resizeOperand(at, given(3), "sizes", rank, false);
  if (runtime && crop && atRunTime(1)) roiInput = resizeOperand(at, given(1), "roi", 2 * rank, true);
  if (bool(given(2)) == bool(given(3))) throw ImportError(at + ": exactly one of scales and sizes must be given");
  std::vector<float> s;
  if (scalesInput || sizesInput) {
    // run-time: no attribute
  } else if (given(2)) {
    std::vector<double> scales = *constantFloats(n, 2, "scales");
    if (scales.size() != rank)
      throw ImportError(at + ": scales has " + std::to_string(scales.size()) + " values, expected one per dim (" +
                        std::to_string(rank) + ")");
    for (double v : scales) s.push_back(float(v));
  } else {
    std::vector<int64_t> sizes = constantInts(n, 3, "sizes");
    if (sizes.size() != rank)
      throw ImportError(at + ": sizes has " + std::to_string(sizes.size()) + " values, expected one per dim (" +
                        std::to_string(rank) + ")");
    for (size_t d = 0; d < rank; ++d) {
      if (sizes[d] < 0 || (in[d] == 0 && sizes[d] != 0))
        throw ImportError(at + ": size " + std::to_string(sizes[d]) + " of dim " + std::to_string(d) +
                          " is invalid for an input dim of " + std::to_string(in[d]));
      s.push_back(in[d] == 0 ? 1.f : float(sizes[d]) / float(in[d]));
    }
  }
  std::vector<float> roi;
  if (crop && !roiInput) {
    std::optional<std::vector<double>> values = constantFloats(n, 1, "roi");
    if (!values || values->size() != 2 * rank)
      throw ImportError(at + ": tf_crop_and_resize needs a roi of " + std::to_string(2 * rank) +
                        " values (starts, then ends)");
    for (double v : *values) roi.push_back(float(v));
  }
  createResize(n, attrString(n, "mode", "nearest"), coordinates, attrString(n, "nearest_mode", "round_prefer_floor"),
               scalesInput || sizesInput ? DenseF32ArrayAttr() : builder_.getDenseF32ArrayAttr(s),
               roiInput ? DenseF32ArrayAttr() : builder_.getDenseF32ArrayAttr(roi), roiInput, scalesInput,
               sizesInput);
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
