// Verifier of edge.FusedElementwise (EdgeFusedElementwiseOps.td): it checks what the
// FusedElementwise kernels rely on (runtime/kernels/README.md, "FusedElementwise"), so a
// plan built from verified IR needs no checks at run time beyond the kernel's own.
#include "edge/EdgeDialect.h"
#include "edge/QuantTypes.h"
#include "mlir/Dialect/Quant/QuantTypes.h"

#include "VerifyUtils.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

namespace {
// Registers a step reads: 2 (binary), 1 (unary, Pow: its exponent is a param), 0 unknown.
int stepArity(StringRef op) {
  return llvm::StringSwitch<int>(op)
      .Cases("Add", "Sub", "Mul", "Div", 2)
      .Cases("Pow", "Clip", "LeakyRelu", "Elu", "HardSigmoid", "Relu", "Sigmoid", "Tanh", 1)
      .Cases("Erf", "Exp", "Log", "Neg", "Abs", "Sqrt", "Reciprocal", "HardSwish", "Softplus", 1)
      .Default(0);
}
}  // namespace

LogicalResult mlir::edge::detail::verifyElementwiseProgram(Operation *op, ArrayAttr ops, ArrayRef<int64_t> args,
                                                           ArrayRef<float> params, int64_t nIn) {
  const int64_t nSteps = int64_t(ops.size()), kMaxSteps = FusedElementwiseOp::kMaxSteps;
  if (nSteps < 1 || nSteps > kMaxSteps)
    return op->emitOpError() << "takes 1 to " << kMaxSteps << " steps, got " << nSteps;
  if (int64_t(args.size()) != 2 * nSteps || int64_t(params.size()) != 2 * nSteps)
    return op->emitOpError() << "args and params must have 2 entries per step (" << 2 * nSteps << "), got "
                             << args.size() << " and " << params.size();
  for (int64_t k = 0; k < nSteps; ++k) {
    StringRef name = cast<StringAttr>(ops[k]).getValue();
    const int arity = stepArity(name);
    if (!arity) return op->emitOpError() << "step " << k << ": unknown op '" << name << "'";
    for (int j = 0; j < 2; ++j) {
      const int64_t r = args[2 * k + j];
      if (j >= arity) {
        if (r != -1)
          return op->emitOpError() << "step " << k << " (" << name << ") reads " << arity
                                   << " register(s); arg " << j << " must be -1, got " << r;
      } else if (r < 0 || r >= nIn + k) {
        return op->emitOpError() << "step " << k << " (" << name << ") reads register " << r
                                 << ", not an input or an earlier step's (0.." << nIn + k - 1 << ")";
      }
    }
  }
  return success();
}

LogicalResult FusedElementwiseOp::verify() {
  const int64_t nIn = int64_t(getInputs().size());
  if (nIn < 1 || nIn > kMaxInputs) return emitOpError() << "takes 1 to " << kMaxInputs << " inputs, got " << nIn;
  // f32 throughout, or a quantized table: input 0 and the result per-tensor i8/u8, the
  // others f32 constants of one element (the kernel builds its table from them).
  auto elementOf = [](Value v) { return cast<ShapedType>(v.getType()).getElementType(); };
  if (isUniformQuantized(elementOf(getOutput())) || isUniformQuantized(elementOf(getInputs()[0]))) {
    for (Value v : {getInputs()[0], Value(getOutput())}) {
      auto q = dyn_cast<quant::UniformQuantizedType>(elementOf(v));
      if (!q || q.getStorageTypeIntegralWidth() != 8)
        return emitOpError() << "a quantized FusedElementwise takes a per-tensor 8-bit input 0 and result, got "
                             << v.getType();
    }
    for (Value v : getInputs().drop_front()) {
      auto t = cast<ShapedType>(v.getType());
      if (!t.getElementType().isF32() || t.getNumElements() != 1 || !v.getDefiningOp<ConstantOp>())
        return emitOpError() << "a quantized FusedElementwise's inputs after the first must be f32 constants of "
                                "one element, got "
                             << v.getType();
    }
  } else {
    SmallVector<Value> all(getInputs().begin(), getInputs().end());
    all.push_back(getOutput());
    for (Value v : all)
      if (!elementOf(v).isF32()) return emitOpError() << "takes f32 tensors (or a quantized table), got " << v.getType();
  }
  ArrayRef<int64_t> result = shapeOf(getOutput());
  for (auto [i, in] : llvm::enumerate(getInputs())) {
    auto b = broadcastShapes(shapeOf(in), result);
    if (failed(b) || ArrayRef<int64_t>(*b) != result)
      return emitOpError() << "input " << i << " " << shapeStr(shapeOf(in)) << " does not broadcast to the result "
                           << shapeStr(result);
  }
  return verifyElementwiseProgram(*this, getOps(), getArgs(), getParams(), nIn);
}

bool FusedElementwiseOp::isQuantizedTable() {
  return isUniformQuantized(cast<ShapedType>(getOutput().getType()).getElementType());
}
