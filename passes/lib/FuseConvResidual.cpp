// edge-fuse-conv-residual: Add(Conv(x), r) -> Conv(x) residual(r), and a Relu or Clip
// after it into the same Conv's activation; see Passes.td. Runs after the precision
// passes, on the float Convs that ship.
#include "ConvActivationPatterns.h"
#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSECONVRESIDUAL
#include "edge/Passes.h.inc"

namespace {

// The f32 Conv producing `v` with no epilogue or residual yet and no other user.
ConvOp fusableConv(Value v) {
  auto conv = v.getDefiningOp<ConvOp>();
  if (!conv || !conv->hasOneUse() || !conv.getActivation().empty() || conv.getResidual() ||
      !getElementTypeOrSelf(conv.getType()).isF32())
    return nullptr;
  return conv;
}

// Whether `v` is available where `op` is: a block argument of an enclosing region or a
// result of an op before it in its block.
bool definedBefore(Value v, Operation *op) {
  if (auto arg = dyn_cast<BlockArgument>(v)) return arg.getOwner()->getParentOp()->isAncestor(op);
  Operation *def = v.getDefiningOp();
  return def->getBlock() == op->getBlock() && def->isBeforeInBlock(op);
}

struct FuseResidualAdd : OpRewritePattern<AddOp> {
  FuseResidualAdd(MLIRContext *ctx, bool record) : OpRewritePattern(ctx), record(record) {}
  bool record;
  LogicalResult matchAndRewrite(AddOp add, PatternRewriter &rewriter) const override {
    ConvOp candidates[2] = {fusableConv(add.getLhs()), fusableConv(add.getRhs())};
    Value others[2] = {add.getRhs(), add.getLhs()};
    int pick = -1;
    for (int i = 0; i < 2; ++i) {
      if (!candidates[i] || candidates[i].getType() != add.getType() || others[i].getType() != add.getType())
        continue;
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
    rewriter.modifyOpInPlace(conv, [&] { conv.getResidualMutable().assign(residual); });
    if (record) recordFusion(conv, {conv, add});
    rewriter.replaceOp(add, conv.getResult());
    return success();
  }
};

struct FuseConvResidualPass : impl::FuseConvResidualBase<FuseConvResidualPass> {
  using FuseConvResidualBase::FuseConvResidualBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseResidualAdd>(&getContext(), recordFusion);
    // The Relu or Clip after a fused Add: edge-fuse-activation's patterns, on Convs with a
    // residual only (the others' activations were fused before the precision passes).
    populateConvActivationPatterns(patterns, recordFusion, [](ConvOp conv) { return bool(conv.getResidual()); });
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

}  // namespace
}  // namespace mlir::edge
