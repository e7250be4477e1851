// edge-convert-to-f16: FP16 weights and activations (`edgec compile --precision fp16`).
//
// Every f32 tensor inside the function becomes f16: constants are converted (round to
// nearest even), op results retyped. The function keeps its f32 inputs and outputs (a
// Cast at each end), as ONNX Runtime's float16 converter does with keep_io_types, so
// users feed and read the same arrays as before. Kernels without f16 arithmetic compute
// in f32 on the f16 values (the runtime's F16Adapter), so each op rounds once to f16.
// An op marked edge.keep_float (--keep-float) stays f32 with f32 constants: a Cast to f32
// before each f16 operand, and one to f16 after each result for its f16 users.
#include "edge/ConstantData.h"
#include "edge/KeepFloat.h"
#include "edge/Passes.h"
#include "QuantizableOps.h"
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

// Ops whose operands and results stay f32: those marked keep-float, and the calls of
// control flow (If, Scan), whose bodies are functions converted on their own, each with
// f32 inputs and outputs like every function here; and RMSNormalization (what
// edge-fuse-rmsnorm makes of a decomposed RMSNorm), whose kernels are f32 only.
bool staysF32(Operation *op) { return isKeptFloat(op) || isa<IfOp, ScanOp, RMSNormalizationOp>(op); }

// Resize's run-time roi and scales are parameters, not activations: the kernel reads
// them as f32, and rounding them to f16 would move the sampling coordinates (and could
// change the shape the scales imply). Inputs and constants feeding them stay f32; a
// computed one is cast back to f32 in front of the Resize.
bool isParameterUse(OpOperand &use) {
  auto resize = dyn_cast<ResizeOp>(use.getOwner());
  return resize && use.getOperandNumber() != 0 &&
         (use.get() == resize.getRoiInput() || use.get() == resize.getScalesInput());
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

// `op` stays f32 (staysF32): its operands made f16 above are cast back to f32 (every f32 tensor
// before it in the block has been converted or is the f32 value a kept op or input
// produced), its f32 results are cast to f16 for the users that are neither kept-float
// ops nor the return (which wants f32).
void keepF32(OpBuilder &b, Operation &op) {
  b.setInsertionPoint(&op);
  for (OpOperand &operand : op.getOpOperands()) {
    auto t = dyn_cast<RankedTensorType>(operand.get().getType());
    if (!t || !t.getElementType().isF16()) continue;
    operand.set(b.create<CastOp>(op.getLoc(), t.clone(Float32Type::get(op.getContext())), operand.get()));
  }
  b.setInsertionPointAfter(&op);
  for (Value r : op.getResults()) {
    if (!isF32Tensor(r.getType())) continue;
    auto wantsF16 = [&](OpOperand &use) {
      Operation *user = use.getOwner();
      return !staysF32(user) && !user->hasTrait<OpTrait::IsTerminator>();
    };
    if (llvm::none_of(r.getUses(), wantsF16)) continue;
    auto cast = b.create<CastOp>(derivedLoc(op.getLoc(), ".f16"), toF16(r.getType()), r);
    r.replaceUsesWithIf(cast, [&](OpOperand &use) { return use.getOwner() != cast && wantsF16(use); });
  }
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
    // Uses by ops that stay f32 keep the f32 value.
    auto f16Use = [](OpOperand &use) { return !staysF32(use.getOwner()) && !isParameterUse(use); };
    // f32 inputs are cast to f16 once, at the top.
    b.setInsertionPointToStart(&body);
    llvm::DenseSet<Operation *> inputCasts;
    for (BlockArgument arg : body.getArguments()) {
      if (!isF32Tensor(arg.getType()) || llvm::none_of(arg.getUses(), f16Use)) continue;
      auto cast = b.create<CastOp>(arg.getLoc(), toF16(arg.getType()), arg);
      arg.replaceUsesWithIf(cast, [&](OpOperand &use) { return use.getOwner() != cast && f16Use(use); });
      inputCasts.insert(cast);
    }
    for (Operation &op : llvm::make_early_inc_range(body.without_terminator())) {
      if (inputCasts.contains(&op)) continue;
      if (auto constant = dyn_cast<ConstantOp>(op)) {
        if (!isF32Tensor(constant.getType()) || llvm::none_of(constant->getUses(), f16Use)) continue;
        b.setInsertionPoint(constant);
        auto converted = b.create<ConstantOp>(constant.getLoc(), toF16(constant.getType()),
                                              convertConstant(constant.getValue()));
        constant->replaceUsesWithIf(converted->getResults(), f16Use);
        if (constant->use_empty()) constant.erase();
        continue;
      }
      if (staysF32(&op)) {
        keepF32(b, op);
        continue;
      }
      for (OpOperand &operand : op.getOpOperands()) {
        auto t = dyn_cast<RankedTensorType>(operand.get().getType());
        if (!t || !t.getElementType().isF16() || !isParameterUse(operand)) continue;
        b.setInsertionPoint(&op);
        operand.set(b.create<CastOp>(op.getLoc(), t.clone(Float32Type::get(op.getContext())), operand.get()));
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
