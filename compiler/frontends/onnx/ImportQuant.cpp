// Importers of ONNX's quantization ops. A QuantizeLinear's scale and zero point become
// its result's `!quant.uniform` element type, so the parameters travel with the values;
// a DequantizeLinear of an integer initializer (a QDQ model's weights) becomes a
// quantized constant and an edge.DequantizeLinear, which edge-fold-qdq later folds into
// the integer op that consumes it.
#include "GraphImporter.h"

#include <cmath>
#include <cstdio>

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
                                  int64_t rank, std::optional<int64_t> axis) {
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
  if (scaleType.getRank() == 1 && scales.size() != 1) {
    if (!axis) throw ImportError(where(n) + ": the scale '" + n.input(scaleInput) + "' must have one value");
    params.axis = normalizeAxis(*axis, rank, where(n));
  }
  std::vector<int64_t> zeroPoints(scales.size(), 0);
  if (zeroPointInput < n.input_size() && !n.input(zeroPointInput).empty()) {
    ElementsAttr zpAttr = constantOf(zeroPointInput, "zero point");
    if (cast<RankedTensorType>(zpAttr.getType()).getNumElements() != int64_t(scales.size()))
      throw ImportError(where(n) + ": the zero point '" + n.input(zeroPointInput) + "' has " +
                        std::to_string(cast<RankedTensorType>(zpAttr.getType()).getNumElements()) +
                        " values, the scale " + std::to_string(scales.size()));
    Type zpType = cast<RankedTensorType>(zpAttr.getType()).getElementType();
    if (zpType != storage)
      throw ImportError(where(n) + ": the zero point '" + n.input(zeroPointInput) + "' must have the quantized " +
                        "tensor's type");
    zeroPoints = constantAsInts(zpAttr);
  }
  // The storage's range (an int32 bias may have any zero point of its type).
  const unsigned width = storage.getIntOrFloatBitWidth();
  const bool isUnsigned = storage.isUnsignedInteger();
  const int64_t lo = isUnsigned ? 0 : -(int64_t(1) << (width - 1));
  const int64_t hi = isUnsigned ? (int64_t(1) << width) - 1 : (int64_t(1) << (width - 1)) - 1;
  for (int64_t z : zeroPoints)
    if (z < lo || z > hi)
      throw ImportError(where(n) + ": the zero point " + std::to_string(z) + " is out of range [" +
                        std::to_string(lo) + ", " + std::to_string(hi) + "]");
  for (size_t i = 0; i < scales.size(); ++i)
    if (!(scales[i] > 0) || !std::isfinite(scales[i]))
      throw ImportError(where(n) + ": the scale '" + n.input(scaleInput) + "' has the value " +
                        [&] {
                          char buf[32];
                          std::snprintf(buf, sizeof buf, "%g", scales[i]);
                          return std::string(buf);
                        }() +
                        (scales.size() > 1 ? " at index " + std::to_string(i) : "") +
                        "; scales must be positive and finite");
  params.scales.assign(scales.begin(), scales.end());
  params.zeroPoints.assign(zeroPoints.begin(), zeroPoints.end());
  return makeUniformType(storage, builder_.getF32Type(), params);
}

void GraphImporter::importQuantizeLinear(const onnx::NodeProto &n) {
  // Parameters computed at run time (ONNX's DynamicQuantizeLinear function body): plain
  // integers, computed as the spec says (ImportRuntimeQuant.cpp).
  if (runtimeParams(n, {1, 2})) return define(n, 0, runtimeQuantize(n, input(n, 0), 1, 2, attrInt(n, "axis", 1)));
  Value x = input(n, 0);
  auto xt = cast<RankedTensorType>(x.getType());
  if (!xt.getElementType().isF32())
    throw ImportError(where(n) + ": only float32 inputs are supported");
  // The result is stored as the zero point's type, else uint8 (ONNX's default).
  Value zp = input(n, 2);
  Type storage = zp ? getElementTypeOrSelf(zp.getType()) : IntegerType::get(&ctx_, 8, IntegerType::Unsigned);
  if (!storage.isInteger(8))
    throw ImportError(where(n) + ": only int8 and uint8 zero points are supported");
  Type q = quantizedType(n, 1, 2, storage, xt.getRank(), attrInt(n, "axis", 1));
  define(n, 0, builder_.create<QuantizeLinearOp>(loc(n), xt.clone(q), x));
}

// The float value of a node's quantized operand `valueInput` with the parameters of inputs
// `scaleInput` and `zeroPointInput` (per-axis along `axis` when the scale has several
// values): a DequantizeLinear of a QuantizeLinear's result (same parameters), of a graph
// input (which becomes a quantized input), or of an integer constant (a quantized weight).
Value GraphImporter::dequantized(const onnx::NodeProto &n, int valueInput, int scaleInput, int zeroPointInput,
                                 std::optional<int64_t> axis) {
  Value x = input(n, valueInput);
  auto xt = cast<RankedTensorType>(x.getType());
  Type elem = xt.getElementType();
  auto floatType = xt.clone(builder_.getF32Type());
  if (isUniformQuantized(elem)) {  // a QuantizeLinear's result: its parameters must agree
    Type q = quantizedType(n, scaleInput, zeroPointInput, storageType(elem), xt.getRank(), axis);
    if (q != elem)
      throw ImportError(where(n) + ": the scale and zero point differ from those '" + n.input(valueInput) +
                        "' was quantized with; edgec needs them equal");
    return builder_.create<DequantizeLinearOp>(loc(n), floatType, x);
  }
  if (!elem.isInteger(8) && !elem.isInteger(32))
    throw ImportError(where(n) + ": only int8, uint8 and int32 inputs are supported");
  Type q = quantizedType(n, scaleInput, zeroPointInput, elem, xt.getRank(), axis);
  // A graph input that nothing read yet: the model takes quantized data, so the input
  // itself gets the parameters (the package's input tensor carries them).
  if (auto arg = dyn_cast<BlockArgument>(x); arg && arg.use_empty() && elem.isInteger(8)) {
    arg.setType(xt.clone(q));
    return builder_.create<DequantizeLinearOp>(loc(n), floatType, arg);
  }
  ElementsAttr value;
  if (!matchPattern(x, m_Constant(&value)))
    throw ImportError(where(n) + ": the input '" + n.input(valueInput) +
                      "' is an integer tensor computed at run time; edgec dequantizes constants (weights, "
                      "biases), graph inputs and the results of QuantizeLinear");
  // A quantized weight or bias: the same bytes, typed with its parameters.
  auto qt = xt.clone(q);
  Value weight = builder_.create<ConstantOp>(x.getLoc(), qt,
                                             makeConstantAttr(qt, constantBytes(value), n.input(valueInput) + ".quantized"));
  return builder_.create<DequantizeLinearOp>(loc(n), floatType, weight);
}

// `y` quantized with the scale and zero point of inputs `scaleInput`, `zeroPointInput`
// (per-tensor; uint8 without a zero point).
Value GraphImporter::quantized(const onnx::NodeProto &n, Value y, int scaleInput, int zeroPointInput) {
  Value zp = input(n, zeroPointInput);
  Type storage = zp ? getElementTypeOrSelf(zp.getType()) : IntegerType::get(&ctx_, 8, IntegerType::Unsigned);
  if (!storage.isInteger(8)) throw ImportError(where(n) + ": only int8 and uint8 zero points are supported");
  auto yt = cast<RankedTensorType>(y.getType());
  Type q = quantizedType(n, scaleInput, zeroPointInput, storage, yt.getRank(), std::nullopt);
  return builder_.create<QuantizeLinearOp>(loc(n), yt.clone(q), y);
}

void GraphImporter::importDequantizeLinear(const onnx::NodeProto &n) {
  if (runtimeParams(n, {1, 2})) return define(n, 0, runtimeDequantize(n, 0, 1, 2, attrInt(n, "axis", 1)));
  define(n, 0, dequantized(n, 0, 1, 2, attrInt(n, "axis", 1)));
}

// QLinearConv(x, xs, xz, w, ws, wz, ys, yz, B?) is DequantizeLinear -> Conv ->
// QuantizeLinear; edge-fold-qdq makes it one integer Conv again. The bias is int32 with
// scale xs x ws (per output channel) and zero point 0.
void GraphImporter::importQLinearConv(const onnx::NodeProto &n) {
  // Parameters computed at run time: the f32 Conv between run-time DQ and Q, the int32
  // bias scaled by x_scale * w_scale (ImportRuntimeQuant.cpp).
  const bool runtime = runtimeParams(n, {1, 2, 4, 5, 6, 7});
  Value x = runtime ? runtimeDequantize(n, 0, 1, 2, std::nullopt) : dequantized(n, 0, 1, 2, std::nullopt);
  Value w = runtime ? runtimeDequantize(n, 3, 4, 5, 0) : dequantized(n, 3, 4, 5, 0);
  Value b;
  if (Value bias = input(n, 8); bias && runtime) {
    auto bt = cast<RankedTensorType>(bias.getType());
    if (!bt.getElementType().isInteger(32)) throw ImportError(where(n) + ": the bias must be int32");
    auto ft = bt.clone(builder_.getF32Type());
    Value wScale = runtimeParam(n, 4, 1, 0);  // [] or [M], one per output channel
    Value scale = builder_.create<MulOp>(loc(n), wScale.getType(), runtimeParam(n, 1, 1, std::nullopt), wScale);
    b = builder_.create<MulOp>(loc(n), ft, builder_.create<CastOp>(loc(n), ft, bias), scale);
  } else if (bias) {
    ElementsAttr value;
    auto bt = cast<RankedTensorType>(bias.getType());
    if (!bt.getElementType().isInteger(32) || !matchPattern(bias, m_Constant(&value)))
      throw ImportError(where(n) + ": the bias must be an int32 constant");
    std::optional<UniformParams> xp = uniformParams(getElementTypeOrSelf(x.getDefiningOp()->getOperand(0).getType()));
    std::optional<UniformParams> wp = uniformParams(getElementTypeOrSelf(w.getDefiningOp()->getOperand(0).getType()));
    UniformParams p;
    for (double ws : wp->scales) p.scales.push_back(xp->scales[0] * ws);
    p.zeroPoints.assign(p.scales.size(), 0);
    if (wp->axis) p.axis = 0;
    auto qt = bt.clone(makeUniformType(bt.getElementType(), builder_.getF32Type(), p));
    Value q = builder_.create<ConstantOp>(bias.getLoc(), qt, makeConstantAttr(qt, constantBytes(value), n.input(8) + ".quantized"));
    b = builder_.create<DequantizeLinearOp>(loc(n), bt.clone(builder_.getF32Type()), q);
  }
  auto xt = cast<RankedTensorType>(x.getType());
  auto wt = cast<RankedTensorType>(w.getType());
  if (xt.getRank() < 3) throw ImportError(where(n) + ": input must have rank >= 3");
  Window win = window(n, xt.getShape(), std::vector<int64_t>(wt.getShape().begin() + 2, wt.getShape().end()));
  auto conv = builder_.create<ConvOp>(loc(n), resultType(n).clone(builder_.getF32Type()), x, w, b, /*residual=*/Value(),
                                      builder_.getDenseI64ArrayAttr(win.strides),
                                      builder_.getDenseI64ArrayAttr(win.pads),
                                      builder_.getDenseI64ArrayAttr(win.dilations),
                                      builder_.getI64IntegerAttr(attrInt(n, "group", 1)), builder_.getStringAttr(""),
                                      builder_.getF32FloatAttr(0.0f), builder_.getF32FloatAttr(0.0f),
                                      /*conv_scale=*/nullptr, /*conv_zero_point=*/nullptr, /*table_ops=*/nullptr,
                                      /*table_args=*/nullptr, /*table_params=*/nullptr,
                                      /*thread_split=*/nullptr);
  define(n, 0, runtime ? runtimeQuantize(n, conv, 6, 7, std::nullopt) : quantized(n, conv, 6, 7));
}

// QLinearMatMul(a, as, az, b, bs, bz, ys, yz): DequantizeLinear -> MatMul -> QuantizeLinear;
// b may be quantized per column (its last dim).
void GraphImporter::importQLinearMatMul(const onnx::NodeProto &n) {
  // Parameters computed at run time: the f32 MatMul between run-time DQ and Q.
  const bool runtime = runtimeParams(n, {1, 2, 4, 5, 6, 7});
  const int64_t bRank = cast<RankedTensorType>(input(n, 3).getType()).getRank();
  Value a = runtime ? runtimeDequantize(n, 0, 1, 2, std::nullopt) : dequantized(n, 0, 1, 2, std::nullopt);
  Value b = runtime ? runtimeDequantize(n, 3, 4, 5, bRank - 1) : dequantized(n, 3, 4, 5, bRank - 1);
  auto mm = builder_.create<MatMulOp>(loc(n), resultType(n).clone(builder_.getF32Type()), a, b);
  define(n, 0, runtime ? runtimeQuantize(n, mm, 6, 7, std::nullopt) : quantized(n, mm, 6, 7));
}

// ONNX Runtime's QLinearAdd / QLinearMul (com.microsoft, QOperator format: A, A_scale,
// A_zero_point, B, B_scale, B_zero_point, C_scale, C_zero_point; per-tensor parameters,
// numpy broadcasting) are DequantizeLinear -> Add/Mul -> QuantizeLinear, exactly what a
// QDQ model says; edge-fold-qdq makes them the same integer Add/Mul.
template <typename OpTy> void GraphImporter::importQLinearBinary(const onnx::NodeProto &n) {
  if (n.input_size() < 7 || n.input(0).empty() || n.input(3).empty())
    throw ImportError(where(n) + ": expects inputs A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale "
                                 "and optionally C_zero_point");
  Value a = dequantized(n, 0, 1, 2, std::nullopt);
  Value b = dequantized(n, 3, 4, 5, std::nullopt);
  Value y = builder_.create<OpTy>(loc(n), resultType(n).clone(builder_.getF32Type()), a, b);
  define(n, 0, quantized(n, y, 6, 7));
}

void GraphImporter::addQuantImporters(ImporterTable &table) {
  table["QuantizeLinear"] = &GraphImporter::importQuantizeLinear;
  table["DequantizeLinear"] = &GraphImporter::importDequantizeLinear;
  table["QLinearConv"] = &GraphImporter::importQLinearConv;
  table["QLinearMatMul"] = &GraphImporter::importQLinearMatMul;
  table["com.microsoft.QLinearAdd"] = &GraphImporter::importQLinearBinary<AddOp>;
  table["com.microsoft.QLinearMul"] = &GraphImporter::importQLinearBinary<MulOp>;
}

}  // namespace edgec::onnx_frontend
