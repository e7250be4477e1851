// edge-quantize-dynamic: INT8 dynamic (`edgec compile --precision int8-dynamic`).
//
// MatMul and Gemm with a constant f32 weight become edge.DynamicQuantizedMatMul: the
// weight int8, symmetric per output column (scale max|w| / 127, codes in [-127, 127],
// rounded half to even), the activations quantized per row at run time by the kernel.
// No calibration. A Gemm folds only when it is a plain x @ W (+ bias): alpha = beta = 1,
// transA = 0, and C absent or a 1-D f32 constant of N values; with transB its weight is
// transposed here to [K, N]. A 2-D MatMul weight [K, N] is taken as it is; anything else
// (batched weights, two activations) stays float, as does an op marked edge.keep_float.
#include <cmath>

#include "edge/ConstantData.h"
#include "edge/KeepFloat.h"
#include "edge/Passes.h"
#include "edge/QuantTypes.h"
#include "QuantizableOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"

namespace mlir::edge {
#define GEN_PASS_DEF_QUANTIZEDYNAMIC
#include "edge/Passes.h.inc"

namespace {

// The int8 constant for f32 weight `w` ([K, N], or [N, K] when `transposed`), as [K, N]
// quantized per column.
Value quantizeWeight(OpBuilder &b, Location loc, Value w, bool transposed) {
  ElementsAttr value;
  auto type = cast<RankedTensorType>(w.getType());
  if (type.getRank() != 2 || !type.getElementType().isF32() || !matchPattern(w, m_Constant(&value))) return nullptr;
  // Per output column: along dim 1 of [K, N], dim 0 of [N, K] (then transposed to [K, N]).
  UniformParams p;
  std::vector<int8_t> codes = quantizeSymmetricInt8(constantAsDoubles(value), type.getShape(), transposed ? 0 : 1, p);
  const int64_t K = transposed ? type.getDimSize(1) : type.getDimSize(0);
  const int64_t N = transposed ? type.getDimSize(0) : type.getDimSize(1);
  if (transposed) {
    std::vector<int8_t> kn(codes.size());
    for (int64_t k = 0; k < K; ++k)
      for (int64_t n = 0; n < N; ++n) kn[size_t(k * N + n)] = codes[size_t(n * K + k)];
    codes.swap(kn);
  }
  p.axis = 1;
  auto qt = RankedTensorType::get({K, N}, makeUniformType(b.getI8Type(), b.getF32Type(), p));
  ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>(codes.data()), codes.size());
  return b.create<ConstantOp>(loc, qt, makeConstantAttr(qt, bytes, "dynamic_weight"));
}

struct QuantizeDynamicPass : impl::QuantizeDynamicBase<QuantizeDynamicPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<MatMulOp, GemmOp>(op) && !isKeptFloat(op)) ops.push_back(op);
    });
    for (Operation *op : ops) {
      OpBuilder b(op);
      Value x = op->getOperand(0), bias;
      Value weight;
      if (auto mm = dyn_cast<MatMulOp>(op)) {
        if (!cast<RankedTensorType>(x.getType()).getElementType().isF32()) continue;
        weight = quantizeWeight(b, derivedLoc(op->getLoc(), ".weight"), mm.getOperand(1), false);
      } else {
        auto gemm = cast<GemmOp>(op);
        if (gemm.getAlpha().convertToDouble() != 1.0 || gemm.getBeta().convertToDouble() != 1.0 || gemm.getTransA())
          continue;
        if (Value c = gemm.getC()) {
          auto ct = cast<RankedTensorType>(c.getType());
          if (ct.getRank() != 1 || !ct.getElementType().isF32() || !matchPattern(c, m_Constant())) continue;
          bias = c;
        }
        weight = quantizeWeight(b, derivedLoc(op->getLoc(), ".weight"), gemm.getB(), gemm.getTransB() != 0);
      }
      if (!weight) continue;
      auto result = op->getResult(0);
      auto dq = b.create<DynamicQuantizedMatMulOp>(op->getLoc(), result.getType(), x, weight, bias);
      bool valid;
      {
        ScopedDiagnosticHandler quiet(op->getContext(), [](Diagnostic &) { return success(); });
        valid = succeeded(verify(dq));
      }
      if (!valid) {  // shapes the op does not take (a bias of another size, ...)
        dq.erase();
        weight.getDefiningOp()->erase();
        continue;
      }
      result.replaceAllUsesWith(dq.getResult());
      op->erase();
    }
  }
};

}  // namespace
}  // namespace mlir::edge
