// Importers of ONNX's quantization ops. A QuantizeLinear's scale and zero point become
// its result's `!quant.uniform` element type, so the parameters travel with the values;
// a DequantizeLinear of an integer initializer (a QDQ model's weights) becomes a
// quantized constant and an edge.DequantizeLinear, which edge-fold-qdq later folds into
// the integer op that consumes it.
#include "GraphImporter.h"

#include <cmath>

#include "edge/ConstantData.h"
#include "edge/QuantTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

namespace edgec::onnx_frontend {

// The `!quant.uniform` type that a Q/DQ node's scale (input `scaleInput`) and zero point
// (input `zeroPointInput`, optional) describe, over `storage` (the zero point's type, or
// ui8 without one, as ONNX says) for a tensor of rank `rank`. A scale with one value is
// per-tensor; a 1-D scale with more is per-axis along the node's `axis`. Everything is
// checked here, where the message can name the node and the tensor.
Type GraphImporter::quantizedType(const onnx::NodeProto &n, int scaleInput, int zeroPointInput, Type storage,
                                  int64_t rank) {
  auto constantOf = [&](int i, const char *what) -> ElementsAttr {
    Value v = input(n, i);
    ElementsAttr value;
    if (!v || !matchPattern(v, m_Constant(&value)))
      throw ImportError(where(n) + ": the " + what + " '" + (i < n.input_size() ? n.input(i) : "") +
                        "' must be a constant (an initializer); run-time quantization parameters are not supported");
    return value;
  };
  ElementsAttr scaleAttr = constantOf(scaleInput, "scale");
  auto scaleType = cast<RankedTensorType>(scaleAttr.getType());
  if (!scaleType.getElementType().isF32())
    throw ImportError(where(n) + ": the scale '" + n.input(scaleInput) + "' must be float32");
  UniformParams params;
  std::vector<double> scales = constantAsDoubles(scaleAttr);
  if (scaleType.getRank() > 1)
    throw ImportError(where(n) + ": the scale '" + n.input(scaleInput) + "' must be a scalar or 1-D (block-wise "
                                 "quantization is not supported here)");
  if (scaleType.getRank() == 1 && scales.size() != 1) params.axis = normalizeAxis(attrInt(n, "axis", 1), rank, where(n));
  std::vector<int64_t> zeroPoints(scales.size(), 0);
  if (zeroPointInput < n.input_size() && !n.input(zeroPointInput).empty()) {
    ElementsAttr zpAttr = constantOf(zeroPointInput, "zero point");
    if (cast<RankedTensorType>(zpAttr.getType()).getNumElements() != int64_t(scales.size()))
      throw ImportError(where(n) + ": the zero point '" + n.input(zeroPointInput) + "' has " +
                        std::to_string(cast<RankedTensorType>(zpAttr.getType()).getNumElements()) +
                        " values, the scale " + std::to_string(scales.size()));
    zeroPoints = constantAsInts(zpAttr);
  }
  for (size_t i = 0; i < scales.size(); ++i)
    if (!(scales[i] > 0) || !std::isfinite(scales[i]))
      throw ImportError(where(n) + ": the scale '" + n.input(scaleInput) + "' has the value " +
                        std::to_string(scales[i]) + (scales.size() > 1 ? " at index " + std::to_string(i) : "") +
                        "; scales must be positive and finite");
  params.scales.assign(scales.begin(), scales.end());
  params.zeroPoints.assign(zeroPoints.begin(), zeroPoints.end());
  return makeUniformType(storage, builder_.getF32Type(), params);
}

void GraphImporter::importQuantizeLinear(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  auto xt = cast<RankedTensorType>(x.getType());
  if (!xt.getElementType().isF32())
    throw ImportError(where(n) + ": only float32 inputs are supported");
  // The result is stored as the zero point's type, else uint8 (ONNX's default).
  Value zp = input(n, 2);
  Type storage = zp ? getElementTypeOrSelf(zp.getType()) : IntegerType::get(&ctx_, 8, IntegerType::Unsigned);
  if (!storage.isInteger(8))
    throw ImportError(where(n) + ": only int8 and uint8 zero points are supported");
  Type q = quantizedType(n, 1, 2, storage, xt.getRank());
  define(n, 0, builder_.create<QuantizeLinearOp>(loc(n), xt.clone(q), x));
}

void GraphImporter::importDequantizeLinear(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  auto xt = cast<RankedTensorType>(x.getType());
  Type elem = xt.getElementType();
  if (isUniformQuantized(elem)) {  // a QuantizeLinear's result: its parameters must agree
    Type q = quantizedType(n, 1, 2, storageType(elem), xt.getRank());
    if (q != elem)
      throw ImportError(where(n) + ": the scale and zero point differ from those '" + n.input(0) +
                        "' was quantized with; edgec needs them equal");
    define(n, 0, builder_.create<DequantizeLinearOp>(loc(n), xt.clone(builder_.getF32Type()), x));
    return;
  }
  if (!elem.isInteger(8) && !elem.isInteger(32))
    throw ImportError(where(n) + ": only int8, uint8 and int32 inputs are supported");
  // A graph input that nothing read yet: the model takes quantized data, so the input
  // itself gets the parameters (the package's input tensor carries them).
  if (auto arg = dyn_cast<BlockArgument>(x); arg && arg.use_empty() && elem.isInteger(8)) {
    arg.setType(xt.clone(quantizedType(n, 1, 2, elem, xt.getRank())));
    define(n, 0, builder_.create<DequantizeLinearOp>(loc(n), xt.clone(builder_.getF32Type()), arg));
    return;
  }
  ElementsAttr value;
  if (!matchPattern(x, m_Constant(&value)))
    throw ImportError(where(n) + ": the input '" + n.input(0) +
                      "' is an integer tensor computed at run time; edgec dequantizes constants (weights, "
                      "biases), graph inputs and the results of QuantizeLinear");
  // A quantized weight or bias: the same bytes, typed with its parameters.
  Type q = quantizedType(n, 1, 2, elem, xt.getRank());
  auto qt = xt.clone(q);
  Value weight = builder_.create<ConstantOp>(x.getLoc(), qt,
                                             makeConstantAttr(qt, constantBytes(value), n.input(0) + ".quantized"));
  define(n, 0, builder_.create<DequantizeLinearOp>(loc(n), xt.clone(builder_.getF32Type()), weight));
}

void GraphImporter::addQuantImporters(ImporterTable &table) {
  table["QuantizeLinear"] = &GraphImporter::importQuantizeLinear;
  table["DequantizeLinear"] = &GraphImporter::importDequantizeLinear;
}

}  // namespace edgec::onnx_frontend
