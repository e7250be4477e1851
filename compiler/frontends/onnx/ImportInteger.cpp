// Importers of ONNX's integer-output quantization ops, the ones ONNX Runtime's dynamic
// quantizer writes (DynamicQuantizeLinear -> MatMulInteger / ConvInteger -> Cast -> Mul):
// their scales and zero points are computed at run time, so they become edge ops on
// plain integer tensors with the zero points as operands (EdgeIntegerOps.td), not the
// `!quant.uniform` types of the QDQ path. An absent zero point is a constant 0.
#include "GraphImporter.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/raw_ostream.h"

namespace edgec::onnx_frontend {
namespace {
std::string typeStr(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return os.str();
}

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape)) s += (i ? "," : "") + std::to_string(d);
  return s + "]";
}
}  // namespace

// Input `i`, which must hold plain int8 or uint8 integers.
Value GraphImporter::integerOperand(const onnx::NodeProto &n, int i, const char *what) {
  Value v = input(n, i);
  if (!v) throw ImportError(where(n) + ": the input " + what + " is missing");
  Type elem = getElementTypeOrSelf(v.getType());
  if (isUniformQuantized(elem))
    throw ImportError(where(n) + ": " + what + " '" + n.input(i) + "' is the result of a QuantizeLinear (" +
                      typeStr(elem) + "); " + n.op_type() +
                      " takes the integers of a DynamicQuantizeLinear, a graph input or an initializer");
  if (!elem.isInteger(8))
    throw ImportError(where(n) + ": " + what + " '" + n.input(i) + "' must be int8 or uint8, got " + typeStr(elem));
  return v;
}

// The zero point of `operand` in input `i`: of the operand's type, one value or (count >= 0)
// a 1-D [count], one per `perWhat`; a constant 0 when absent.
Value GraphImporter::zeroPointOperand(const onnx::NodeProto &n, int i, Value operand, int64_t count,
                                      const char *what, const char *perWhat) {
  Type elem = getElementTypeOrSelf(operand.getType());
  Value zp = input(n, i);
  if (!zp) {
    auto t = RankedTensorType::get({}, elem);
    return builder_.create<ConstantOp>(loc(n), t, DenseElementsAttr::get(t, ArrayRef<APInt>{APInt(8, 0)}));
  }
  auto zt = cast<RankedTensorType>(zp.getType());
  if (zt.getElementType() != elem)
    throw ImportError(where(n) + ": the " + what + " '" + n.input(i) + "' must have its operand's type " +
                      typeStr(elem) + ", got " + typeStr(zt.getElementType()));
  if (zt.getNumElements() == 1 || (count >= 0 && zt.getShape() == ArrayRef<int64_t>{count})) return zp;
  throw ImportError(where(n) + ": the " + what + " '" + n.input(i) + "' has shape " + shapeText(zt.getShape()) +
                    ", expected one value (per tensor)" +
                    (count >= 0 ? " or [" + std::to_string(count) + "] (one per " + perWhat + ")" : std::string()));
}

// MatMulInteger(A, B, a_zero_point?, b_zero_point?) -> int32: a_zero_point per tensor or
// per row of A, b_zero_point per tensor or per column of B.
void GraphImporter::importMatMulInteger(const onnx::NodeProto &n) {
  Value a = integerOperand(n, 0, "A"), b = integerOperand(n, 1, "B");
  ArrayRef<int64_t> as = cast<RankedTensorType>(a.getType()).getShape();
  ArrayRef<int64_t> bs = cast<RankedTensorType>(b.getType()).getShape();
  Value az = zeroPointOperand(n, 2, a, as.size() > 1 ? as[as.size() - 2] : -1, "a_zero_point", "row of A");
  Value bz = zeroPointOperand(n, 3, b, bs.size() > 1 ? bs.back() : -1, "b_zero_point", "column of B");
  define(n, 0, builder_.create<MatMulIntegerOp>(loc(n), resultType(n), a, b, az, bz));
}

// ConvInteger(x, w, x_zero_point?, w_zero_point?) -> int32, Conv's attributes (auto_pad
// resolved); w_zero_point per tensor or per output channel.
void GraphImporter::importConvInteger(const onnx::NodeProto &n) {
  Value x = integerOperand(n, 0, "x"), w = integerOperand(n, 1, "w");
  auto xt = cast<RankedTensorType>(x.getType());
  auto wt = cast<RankedTensorType>(w.getType());
  if (xt.getRank() < 3 || wt.getRank() != xt.getRank())
    throw ImportError(where(n) + ": x must have rank >= 3 and w the same rank");
  Window win = window(n, xt.getShape(), std::vector<int64_t>(wt.getShape().begin() + 2, wt.getShape().end()));
  Value xz = zeroPointOperand(n, 2, x, -1, "x_zero_point", "");
  Value wz = zeroPointOperand(n, 3, w, wt.getShape()[0], "w_zero_point", "output channel");
  define(n, 0, builder_.create<ConvIntegerOp>(loc(n), resultType(n), x, w, xz, wz,
                                              builder_.getDenseI64ArrayAttr(win.strides),
                                              builder_.getDenseI64ArrayAttr(win.pads),
                                              builder_.getDenseI64ArrayAttr(win.dilations),
                                              builder_.getI64IntegerAttr(attrInt(n, "group", 1))));
}

// DynamicQuantizeLinear(x) -> y (uint8), y_scale, y_zero_point.
void GraphImporter::importDynamicQuantizeLinear(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  if (!getElementTypeOrSelf(x.getType()).isF32())
    throw ImportError(where(n) + ": x must be float32, got " + typeStr(getElementTypeOrSelf(x.getType())));
  if (n.output_size() != 3 || n.output(0).empty() || n.output(1).empty() || n.output(2).empty())
    throw ImportError(where(n) + ": expects the outputs y, y_scale and y_zero_point");
  auto op = builder_.create<DynamicQuantizeLinearOp>(loc(n), resultType(n, 0), resultType(n, 1), resultType(n, 2), x);
  for (int i = 0; i < 3; ++i) define(n, i, op->getResult(i));
}

void GraphImporter::addIntegerImporters(ImporterTable &table) {
  table["MatMulInteger"] = &GraphImporter::importMatMulInteger;
  table["ConvInteger"] = &GraphImporter::importConvInteger;
  table["DynamicQuantizeLinear"] = &GraphImporter::importDynamicQuantizeLinear;
}

}  // namespace edgec::onnx_frontend
