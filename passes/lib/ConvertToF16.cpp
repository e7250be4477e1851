// edge-convert-to-f16: FP16 weights and activations (`edgec compile --precision fp16`).
//
// Every f32 tensor inside the function becomes f16: constants are converted (round to
// nearest even), op results retyped. The function keeps its f32 inputs and outputs (a
// Cast at each end), as ONNX Runtime's float16 converter does with keep_io_types, so
// users feed and read the same arrays as before. Kernels without f16 arithmetic compute
// in f32 on the f16 values (the runtime's F16Adapter), so each op rounds once to f16.
#include "edge/ConstantData.h"
#include "edge/Passes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/APFloat.h"

namespace mlir::edge {
#define GEN_PASS_DEF_CONVERTTOF16
#include "edge/Passes.h.inc"

namespace {

bool isF32Tensor(Type t) {
  auto ranked = dyn_cast<RankedTensorType>(t);
  return ranked && ranked.getElementType().isF32();
}

RankedTensorType toF16(Type t) {
  auto ranked = cast<RankedTensorType>(t);
  return ranked.clone(Float16Type::get(t.getContext()));
}

// The f16 constant with `value`'s numbers rounded to nearest even.
ElementsAttr convertConstant(ElementsAttr value) {
  auto type = toF16(value.getType());
  std::vector<double> real = constantAsDoubles(value);
  std::vector<uint16_t> bits(real.size());
  for (size_t i = 0; i < real.size(); ++i) {
    llvm::APFloat f(static_cast<float>(real[i]));
    bool lost = false;
    f.convert(llvm::APFloat::IEEEhalf(), llvm::APFloat::rmNearestTiesToEven, &lost);
    bits[i] = static_cast<uint16_t>(f.bitcastToAPInt().getZExtValue());
  }
  ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>(bits.data()), bits.size() * sizeof(uint16_t));
  return makeConstantAttr(type, bytes, "f16_constant");
}

struct ConvertToF16Pass : impl::ConvertToF16Base<ConvertToF16Pass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    Block &body = func.getBody().front();
    bool stateful = false;
    func.walk([&](Operation *op) { stateful |= isa<StateReadOp, StateWriteOp>(op); });
    if (stateful) {
      func.emitError("--precision fp16 does not support functions with state (edge.state) yet");
      return signalPassFailure();
    }
    OpBuilder b(&getContext());
    // f32 inputs are cast to f16 once, at the top.
    b.setInsertionPointToStart(&body);
    for (BlockArgument arg : body.getArguments()) {
      if (!isF32Tensor(arg.getType()) || arg.use_empty()) continue;
      auto cast = b.create<CastOp>(arg.getLoc(), toF16(arg.getType()), arg);
      arg.replaceAllUsesExcept(cast, cast);
    }
    for (Operation &op : llvm::make_early_inc_range(body.without_terminator())) {
      if (auto cast = dyn_cast<CastOp>(op); cast && isa<BlockArgument>(cast.getInput())) continue;
      if (auto constant = dyn_cast<ConstantOp>(op)) {
        if (!isF32Tensor(constant.getType())) continue;
        b.setInsertionPoint(constant);
        auto converted = b.create<ConstantOp>(constant.getLoc(), toF16(constant.getType()),
                                              convertConstant(constant.getValue()));
        constant.replaceAllUsesWith(converted.getResult());
        constant.erase();
        continue;
      }
      for (Value r : op.getResults())
        if (isF32Tensor(r.getType())) r.setType(toF16(r.getType()));
    }
    // f16 results are cast back to the f32 the function returns.
    Operation *ret = body.getTerminator();
    b.setInsertionPoint(ret);
    for (OpOperand &operand : ret->getOpOperands()) {
      Type want = func.getFunctionType().getResult(operand.getOperandNumber());
      if (operand.get().getType() == want || !isF32Tensor(want)) continue;
      operand.set(b.create<CastOp>(ret->getLoc(), want, operand.get()));
    }
  }
};

}  // namespace
}  // namespace mlir::edge
