// edge-fuse-conv-residual: Add(Conv(x), r) -> Conv(x) residual(r), and a Relu or Clip
// after it into the same (float) Conv's activation; see Passes.td. Runs after the
// precision passes, on the float and int8 Convs that ship.
#include "ConvActivationPatterns.h"
#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSECONVRESIDUAL
#include "edge/Passes.h.inc"

namespace {

// The f32 (or, with `int8`, quantized) Conv producing `v` with no epilogue or residual
// yet and no other user.
ConvOp fusableConv(Value v, bool int8) {
  auto conv = v.getDefiningOp<ConvOp>();
  if (!conv || !conv->hasOneUse() || !conv.getActivation().empty() || conv.getResidual()) return nullptr;
  Type t = getElementTypeOrSelf(conv.getType());
  if (!t.isF32() && !(int8 && isa<quant::UniformQuantizedType>(t))) return nullptr;
  return conv;
}

// A per-tensor 8-bit quantized element type, or null.
quant::UniformQuantizedType perTensor8(Type t) {
  auto q = dyn_cast<quant::UniformQuantizedType>(getElementTypeOrSelf(t));
  return q && q.getStorageTypeIntegralWidth() == 8 ? q : nullptr;
}

// Whether Add(conv, other) may become `conv` with residual `other`: on floats, all three
// of one type; quantized (the int8 Conv's residual epilogue, which runs the quantized
// Add's arithmetic on the Conv's codes), the three per-tensor 8-bit of one shape and
// expressed type, the Conv's codes of the Add's storage type.
bool fusableTypes(ConvOp conv, Value other, AddOp add) {
  if (getElementTypeOrSelf(conv.getType()).isF32())
    return conv.getType() == add.getType() && other.getType() == add.getType();
  auto c = perTensor8(conv.getType()), r = perTensor8(other.getType()), y = perTensor8(add.getType());
  if (!c || !r || !y) return false;
  auto shape = [](Value v) { return cast<ShapedType>(v.getType()).getShape(); };
  return shape(conv.getResult()) == shape(add.getResult()) && shape(other) == shape(add.getResult()) &&
         c.getStorageType() == y.getStorageType() && c.isSigned() == y.isSigned() &&
         c.getExpressedType() == y.getExpressedType() && r.getExpressedType() == y.getExpressedType();
}

// Whether `v` is available where `op` is: a block argument of an enclosing region or a
// result of an op before it in its block.
bool definedBefore(Value v, Operation *op) {
  if (auto arg = dyn_cast<BlockArgument>(v)) return arg.getOwner()->getParentOp()->isAncestor(op);
  Operation *def = v.getDefiningOp();
  return def->getBlock() == op->getBlock() && def->isBeforeInBlock(op);
}

struct FuseResidualAdd : OpRewritePattern<AddOp> {
  FuseResidualAdd(MLIRContext *ctx, bool record, bool int8) : OpRewritePattern(ctx), record(record), int8(int8) {}
  bool record, int8;
  LogicalResult matchAndRewrite(AddOp add, PatternRewriter &rewriter) const override {
    ConvOp candidates[2] = {fusableConv(add.getLhs(), int8), fusableConv(add.getRhs(), int8)};
    Value others[2] = {add.getRhs(), add.getLhs()};
    int pick = -1;
    for (int i = 0; i < 2; ++i) {
      if (!candidates[i] || !fusableTypes(candidates[i], others[i], add)) continue;
      // Prefer a Conv its residual already precedes (the later of two Convs).
      if (pick < 0 || definedBefore(others[i], candidates[i])) pick = i;
    }
    if (pick < 0) return failure();
    ConvOp conv = candidates[pick];
    Value residual = others[pick];
    if (!definedBefore(residual, conv)) {
      // The Conv's operands precede it and its one user is the Add, so it may run
      // right before the Add, after the residual.
      if (conv->getBlock() != add->getBlock()) return failure();
      rewriter.moveOpBefore(conv, add);
    }
    rewriter.modifyOpInPlace(conv, [&] {
      conv.getResidualMutable().assign(residual);
      if (auto q = perTensor8(conv.getType())) {
        // The Conv's own codes keep their parameters; its result becomes the Add's.
        conv.setConvScaleAttr(rewriter.getF32FloatAttr(float(q.getScale())));
        conv.setConvZeroPointAttr(rewriter.getI64IntegerAttr(q.getZeroPoint()));
        conv.getResult().setType(cast<RankedTensorType>(add.getType()));
      }
    });
    if (record) recordFusion(conv, {conv, add});
    rewriter.replaceOp(add, conv.getResult());
    return success();
  }
};

struct FuseConvResidualPass : impl::FuseConvResidualBase<FuseConvResidualPass> {
  using FuseConvResidualBase::FuseConvResidualBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseResidualAdd>(&getContext(), recordFusion, int8);
    // The Relu or Clip after a fused Add: edge-fuse-activation's patterns, on Convs with a
    // residual only (the others' activations were fused before the precision passes).
    // (A quantized Conv's residual comes with no activation: its Relu is the Add's output
    // parameters, and a Relu left after it is one on the sum's codes.)
    populateConvActivationPatterns(patterns, recordFusion, [](ConvOp conv) {
      return conv.getResidual() && getElementTypeOrSelf(conv.getType()).isF32();
    });
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

}  // namespace
}  // namespace mlir::edge
