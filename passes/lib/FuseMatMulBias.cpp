// edge-fuse-matmul-bias: an f32 MatMul by a 2-D weight (or a Gemm without C) followed by
// the Add of a constant bias along its last dim becomes one Gemm with that bias as C; see
// Passes.td.
#include "edge/FusionRecord.h"
#include "edge/KeepFloat.h"
#include "edge/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSEMATMULBIAS
#include "edge/Passes.h.inc"

namespace {

// What the fused Gemm inherits when the pass runs before quantization (the int8
// pipelines): the Add's calibration range (the Gemm computes the Add's values; a Reshape
// after it passes them on).
void inherit(Operation *gemm, AddOp add) {
  if (Attribute range = add->getAttr("edge.calib_range")) gemm->setAttr("edge.calib_range", range);
}

// Whether the int8 pipelines' run (skip-kept-float) leaves these ops alone.
bool skipped(bool skipKept, Operation *product, AddOp add) {
  return skipKept && (isKeptFloat(product) || isKeptFloat(add));
}

// A static-shape f32 tensor type, or null.
RankedTensorType staticF32(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  if (!rt || !rt.hasStaticShape() || !rt.getElementType().isF32()) return nullptr;
  return rt;
}

// A Gemm without C (edge-fold-matmul-transpose's) gets the bias as its C.
LogicalResult biasGemm(AddOp add, Value product, Value bias, bool record, bool skipKept, PatternRewriter &rewriter) {
  auto gemm = product.getDefiningOp<GemmOp>();
  if (!gemm || skipped(skipKept, gemm, add) || gemm.getC() || !gemm->hasOneUse() || gemm.getAlpha().convertToFloat() != 1.f ||
      !bias.getDefiningOp<ConstantOp>())
    return failure();
  RankedTensorType y = staticF32(gemm.getType()), b = staticF32(bias.getType());
  if (!y || !b || add.getType() != y || b.getRank() != 1 || b.getDimSize(0) != y.getDimSize(1)) return failure();
  Builder attrs(add.getContext());
  auto fused = rewriter.create<GemmOp>(
      gemm.getLoc(), TypeRange{y}, ValueRange{gemm.getA(), gemm.getB(), bias},
      ArrayRef<NamedAttribute>{attrs.getNamedAttr("transA", gemm.getTransAAttr()),
                               attrs.getNamedAttr("transB", gemm.getTransBAttr())});
  if (record) recordFusion(fused, {gemm.getOperation(), add.getOperation()});
  inherit(fused, add);
  rewriter.replaceOp(add, fused.getResult());
  rewriter.eraseOp(gemm);
  return success();
}

struct FuseBias : OpRewritePattern<AddOp> {
  FuseBias(MLIRContext *ctx, bool record, bool skipKept) : OpRewritePattern(ctx), record(record), skipKept(skipKept) {}
  bool record, skipKept;

  LogicalResult matchAndRewrite(AddOp add, PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i)
      if (succeeded(biasGemm(add, add->getOperand(i), add->getOperand(1 - i), record, skipKept, rewriter))) return success();
    for (int i = 0; i < 2; ++i) {
      auto matmul = add->getOperand(i).getDefiningOp<MatMulOp>();
      Value bias = add->getOperand(1 - i);
      if (!matmul || !matmul->hasOneUse() || !bias.getDefiningOp<ConstantOp>() || skipped(skipKept, matmul, add))
        continue;
      RankedTensorType y = staticF32(matmul.getType()), a = staticF32(matmul.getA().getType());
      RankedTensorType w = staticF32(matmul.getB().getType()), b = staticF32(bias.getType());
      // y [..., M, N] = a [..., M, K] x w [K, N]; the bias [N] neither widens nor
      // changes the result's type.
      if (!y || !a || !w || !b || add.getType() != y || y.getRank() < 2 || a.getRank() != y.getRank() ||
          w.getRank() != 2 || b.getRank() != 1 || b.getDimSize(0) != y.getShape().back())
        continue;
      const int64_t K = w.getDimSize(0), N = w.getDimSize(1), M = a.getNumElements() / K;
      // A's leading dims, flattened, are the GEMM's rows (w is shared by every batch).
      Location loc = matmul.getLoc();
      Value rows = matmul.getA();
      if (a.getRank() != 2)
        rows = rewriter.create<ReshapeOp>(loc, RankedTensorType::get({M, K}, a.getElementType()), rows);
      auto gemm = rewriter.create<GemmOp>(loc, TypeRange{RankedTensorType::get({M, N}, y.getElementType())},
                                          ValueRange{rows, matmul.getB(), bias}, ArrayRef<NamedAttribute>{});
      if (record) recordFusion(gemm, {matmul.getOperation(), add.getOperation()});
      inherit(gemm, add);
      Value out = gemm.getResult();
      if (y.getRank() != 2) out = rewriter.create<ReshapeOp>(loc, y, out);
      rewriter.replaceOp(add, out);
      rewriter.eraseOp(matmul);
      return success();
    }
    return failure();
  }
};

struct FuseMatMulBiasPass : impl::FuseMatMulBiasBase<FuseMatMulBiasPass> {
  using FuseMatMulBiasBase::FuseMatMulBiasBase;
  void runOnOperation() override {
    // A model compiled for dynamic dims (or data-dependent sizes) is also compiled at a
    // probe size whose static types would let the rows be flattened here; the runtime
    // cannot recompute such a reshape when more than one dim follows a dynamic one.
    if (auto module = getOperation()->getParentOfType<ModuleOp>())
      if (module->hasAttr("edge.input_dims") || module->hasAttr("edge.data_dependent")) return;
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseBias>(&getContext(), recordFusion, skipKeptFloat);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns)))) signalPassFailure();
  }
};

}  // namespace
}  // namespace mlir::edge
