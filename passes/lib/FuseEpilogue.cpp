// edge-fuse-epilogue: an f32 Conv followed by Sigmoid, SiLU (x * sigmoid(x)) or HardSwish
// (as the op, or as x * HardSigmoid(x)) becomes one Conv with that `activation`; see
// Passes.td. Runs after the precision passes, on the float Convs that ship.
#include <iterator>

#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSEEPILOGUE
#include "edge/Passes.h.inc"

namespace {

// The f32 Conv producing `v` with no epilogue yet and exactly `uses` uses.
ConvOp fusableConv(Value v, unsigned uses) {
  auto conv = v.getDefiningOp<ConvOp>();
  if (!conv || !conv.getActivation().empty() || !getElementTypeOrSelf(conv.getType()).isF32()) return nullptr;
  if (static_cast<unsigned>(std::distance(conv->use_begin(), conv->use_end())) != uses) return nullptr;
  return conv;
}

// `parts`: the ops absorbed, in source order (edge.fused when recording).
void fuse(PatternRewriter &rewriter, ConvOp conv, StringRef kind, Operation *last, bool record,
          ArrayRef<Operation *> parts) {
  rewriter.modifyOpInPlace(conv, [&] { conv.setActivation(kind); });
  if (record) {
    SmallVector<Operation *> all{conv.getOperation()};
    all.append(parts.begin(), parts.end());
    recordFusion(conv, all);
  }
  rewriter.replaceOp(last, conv.getResult());
}

// Sigmoid(conv) and HardSwish(conv).
template <typename OpTy> struct FuseUnary : OpRewritePattern<OpTy> {
  FuseUnary(MLIRContext *ctx, StringRef kind, bool record)
      : OpRewritePattern<OpTy>(ctx), kind(kind), record(record) {}
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    ConvOp conv = fusableConv(op.getInput(), 1);
    if (!conv || op.getType() != conv.getType()) return failure();
    fuse(rewriter, conv, kind, op, record, {op.getOperation()});
    return success();
  }
  std::string kind;
  bool record;
};

// Mul(conv, Sigmoid(conv)) and Mul(conv, HardSigmoid(conv)) with HardSwish's constants,
// either operand order.
struct FuseGatedMul : OpRewritePattern<MulOp> {
  FuseGatedMul(MLIRContext *ctx, bool record) : OpRewritePattern(ctx), record(record) {}
  bool record;
  LogicalResult matchAndRewrite(MulOp mul, PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i) {
      Value x = mul->getOperand(i), gate = mul->getOperand(1 - i);
      Operation *g = gate.getDefiningOp();
      if (!g || !g->hasOneUse() || g->getOperand(0) != x) continue;
      StringRef kind;
      if (isa<SigmoidOp>(g)) {
        kind = "Silu";
      } else if (auto hs = dyn_cast<HardSigmoidOp>(g)) {
        // HardSwish(x) = x * HardSigmoid(x; 1/6, 1/2), with the same f32 constants as
        // the kernels' HardSwish.
        if (hs.getAlpha().convertToFloat() != float(1.0 / 6.0) || hs.getBeta().convertToFloat() != 0.5f) continue;
        kind = "HardSwish";
      } else {
        continue;
      }
      ConvOp conv = fusableConv(x, 2);
      if (!conv || mul.getType() != conv.getType() || gate.getType() != conv.getType()) continue;
      fuse(rewriter, conv, kind, mul, record, {g, mul.getOperation()});
      rewriter.eraseOp(g);
      return success();
    }
    return failure();
  }
};

struct FuseEpiloguePass : impl::FuseEpilogueBase<FuseEpiloguePass> {
  using FuseEpilogueBase::FuseEpilogueBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseGatedMul>(&getContext(), recordFusion);
    patterns.add<FuseUnary<SigmoidOp>>(&getContext(), "Sigmoid", recordFusion);
    patterns.add<FuseUnary<HardSwishOp>>(&getContext(), "HardSwish", recordFusion);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

}  // namespace
}  // namespace mlir::edge
