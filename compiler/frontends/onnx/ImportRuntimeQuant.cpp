// Quantization whose parameters are computed at run time: a QuantizeLinear or
// DequantizeLinear, QLinearMatMul or QLinearConv whose scale or zero point is a graph
// input or a computed value (ONNX's function body of DynamicQuantizeLinear feeds
// QuantizeLinear the scale and zero point of x's range). No `!quant.uniform` type can
// hold such parameters, so the integers stay plain integer tensors and the arithmetic is
// the spec's own, in f32 as ONNX defines it:
//   QuantizeLinear   Cast(Clip(Round(x / scale) + zero_point, qmin, qmax))  (Round: half to even)
//   DequantizeLinear (Cast(x) - Cast(zero_point)) * scale
// QLinearMatMul and QLinearConv are the float op between the two. Parameters with one
// value broadcast as scalars; a 1-D scale (and zero point) of several values is per axis,
// reshaped to broadcast along `axis`. Constant parameters keep the `!quant.uniform` path
// (ImportQuant.cpp), which edge-fold-qdq turns into integer kernels.
#include "GraphImporter.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

namespace edgec::onnx_frontend {

bool GraphImporter::runtimeParams(const onnx::NodeProto &n, std::initializer_list<int> inputs) {
  for (int i : inputs)
    if (Value p = input(n, i); p && !matchPattern(p, m_Constant())) return true;
  return false;
}

// Input `i` (a scale or zero point) as f32, shaped to broadcast against a rank-`rank`
// tensor: one value as a scalar, several along `axis`.
Value GraphImporter::runtimeParam(const onnx::NodeProto &n, int i, int64_t rank, std::optional<int64_t> axis) {
  Value v = input(n, i);
  auto t = cast<RankedTensorType>(v.getType());
  Type f32 = builder_.getF32Type();
  if (t.getRank() > 1)
    throw ImportError(where(n) + ": '" + n.input(i) + "' must be a scalar or 1-D (block-wise quantization is not "
                                 "supported)");
  if (!t.getElementType().isF32()) v = builder_.create<CastOp>(loc(n), t.clone(f32), v);
  SmallVector<int64_t> shape;  // one value: a scalar
  if (t.getNumElements() != 1) {
    if (!axis) throw ImportError(where(n) + ": '" + n.input(i) + "' must have one value (per tensor)");
    const int64_t a = normalizeAxis(*axis, rank, where(n));
    shape.assign(size_t(rank), 1);
    shape[size_t(a)] = t.getNumElements();
  }
  auto want = RankedTensorType::get(shape, f32);
  return v.getType() == want ? v : builder_.create<ReshapeOp>(loc(n), want, v);
}

Value GraphImporter::runtimeQuantize(const onnx::NodeProto &n, Value x, int scaleInput, int zeroPointInput,
                                     std::optional<int64_t> axis) {
  auto xt = cast<RankedTensorType>(x.getType());
  if (!xt.getElementType().isF32()) throw ImportError(where(n) + ": only float32 inputs are supported");
  Value zp = input(n, zeroPointInput);
  Type storage = zp ? getElementTypeOrSelf(zp.getType()) : IntegerType::get(&ctx_, 8, IntegerType::Unsigned);
  if (!storage.isInteger(8)) throw ImportError(where(n) + ": only int8 and uint8 zero points are supported");
  Type f32 = builder_.getF32Type();
  auto scalar = [&](float v) {
    auto t = RankedTensorType::get({}, f32);
    return builder_.create<ConstantOp>(loc(n), t, DenseElementsAttr::get(t, ArrayRef<float>{v}));
  };
  Value scale = runtimeParam(n, scaleInput, xt.getRank(), axis);
  Value q = builder_.create<RoundOp>(loc(n), xt, builder_.create<DivOp>(loc(n), xt, x, scale));
  // The zero point is an integer below 2^8: adding it in f32 is exact wherever the clip
  // does not decide the result.
  if (zp) q = builder_.create<AddOp>(loc(n), xt, q, runtimeParam(n, zeroPointInput, xt.getRank(), axis));
  const bool isUnsigned = storage.isUnsignedInteger();
  q = builder_.create<ClipOp>(loc(n), xt, q, scalar(isUnsigned ? 0.f : -128.f), scalar(isUnsigned ? 255.f : 127.f));
  return builder_.create<CastOp>(loc(n), xt.clone(storage), q);
}

Value GraphImporter::runtimeDequantize(const onnx::NodeProto &n, int valueInput, int scaleInput, int zeroPointInput,
                                       std::optional<int64_t> axis) {
  Value x = input(n, valueInput);
  auto xt = cast<RankedTensorType>(x.getType());
  Type elem = xt.getElementType();
  if (isUniformQuantized(elem) || !(elem.isInteger(8) || elem.isInteger(32)))
    throw ImportError(where(n) + ": with parameters computed at run time, '" + n.input(valueInput) +
                      "' must be a plain int8, uint8 or int32 tensor");
  auto ft = xt.clone(builder_.getF32Type());
  Value y = builder_.create<CastOp>(loc(n), ft, x);
  if (input(n, zeroPointInput))
    y = builder_.create<SubOp>(loc(n), ft, y, runtimeParam(n, zeroPointInput, xt.getRank(), axis));
  return builder_.create<MulOp>(loc(n), ft, y, runtimeParam(n, scaleInput, xt.getRank(), axis));
}

}  // namespace edgec::onnx_frontend
