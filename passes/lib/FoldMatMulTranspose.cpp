// edge-fold-matmul-transpose: a 2-D f32 MatMul whose operand is a Transpose becomes a Gemm
// that reads that operand transposed (transA / transB); see Passes.td.
#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FOLDMATMULTRANSPOSE
#include "edge/Passes.h.inc"

namespace {

// The input of a 2-D Transpose (perm [1, 0]) producing v, or null.
Value transposed(Value v) {
  auto t = v.getDefiningOp<TransposeOp>();
  if (!t || t.getPerm() != ArrayRef<int64_t>{1, 0}) return nullptr;
  return t.getInput();
}

struct FoldTranspose : OpRewritePattern<MatMulOp> {
  FoldTranspose(MLIRContext *ctx, bool record) : OpRewritePattern(ctx), record(record) {}
  bool record;

  LogicalResult matchAndRewrite(MatMulOp matmul, PatternRewriter &rewriter) const override {
    auto isF32Matrix = [](Value v) {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      return t && t.getRank() == 2 && t.hasStaticShape() && t.getElementType().isF32();
    };
    if (!isF32Matrix(matmul.getA()) || !isF32Matrix(matmul.getB()) || !isF32Matrix(matmul.getResult()))
      return failure();
    Value a = transposed(matmul.getA()), b = transposed(matmul.getB());
    if (!a && !b) return failure();
    SmallVector<Operation *> parts;
    if (a) parts.push_back(matmul.getA().getDefiningOp());
    if (b) parts.push_back(matmul.getB().getDefiningOp());
    parts.push_back(matmul.getOperation());
    Builder attrs(getContext());
    auto gemm = rewriter.create<GemmOp>(
        matmul.getLoc(), TypeRange{matmul.getType()}, ValueRange{a ? a : matmul.getA(), b ? b : matmul.getB()},
        ArrayRef<NamedAttribute>{attrs.getNamedAttr("transA", attrs.getI64IntegerAttr(a ? 1 : 0)),
                                 attrs.getNamedAttr("transB", attrs.getI64IntegerAttr(b ? 1 : 0))});
    // A Transpose that feeds other ops stays for them (and is not reported as fused).
    if (record) {
      SmallVector<Operation *> fused;
      for (Operation *op : parts)
        if (op == matmul.getOperation() || op->hasOneUse()) fused.push_back(op);
      recordFusion(gemm, fused);
    }
    rewriter.replaceOp(matmul, gemm.getResult());
    return success();
  }
};

struct FoldMatMulTransposePass : impl::FoldMatMulTransposeBase<FoldMatMulTransposePass> {
  using FoldMatMulTransposeBase::FoldMatMulTransposeBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldTranspose>(&getContext(), recordFusion);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns)))) signalPassFailure();
  }
};

}  // namespace
}  // namespace mlir::edge
