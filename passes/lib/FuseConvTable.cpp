// edge-fuse-conv-table: FusedElementwise(Conv(x)) over the int8 Conv's codes -> one Conv
// with the table's program (table_ops, table_args, table_params); see Passes.td.
#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/Dialect/Quant/QuantTypes.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSECONVTABLE
#include "edge/Passes.h.inc"

namespace {

quant::UniformQuantizedType perTensor8(Type t) {
  auto q = dyn_cast<quant::UniformQuantizedType>(getElementTypeOrSelf(t));
  return q && q.getStorageTypeIntegralWidth() == 8 ? q : nullptr;
}

// The quantized Conv whose codes alone `table` maps, if it may take the table.
ConvOp tableConv(FusedElementwiseOp table) {
  if (!table.isQuantizedTable() || table.getInputs().size() != 1) return nullptr;
  auto conv = table.getInputs()[0].getDefiningOp<ConvOp>();
  if (!conv || !conv->hasOneUse() || conv.getResidual() || !conv.getActivation().empty() || conv.getConvScale() ||
      conv.getTableOps())
    return nullptr;
  auto c = perTensor8(conv.getType()), y = perTensor8(table.getType());
  if (!c || !y || c.getStorageType() != y.getStorageType() || c.isSigned() != y.isSigned() ||
      c.getExpressedType() != y.getExpressedType())
    return nullptr;
  if (cast<ShapedType>(conv.getType()).getShape() != cast<ShapedType>(table.getType()).getShape()) return nullptr;
  return conv;
}

struct FuseConvTablePass : impl::FuseConvTableBase<FuseConvTablePass> {
  using FuseConvTableBase::FuseConvTableBase;
  void runOnOperation() override {
    SmallVector<FusedElementwiseOp> tables;
    getOperation().walk([&](FusedElementwiseOp t) { tables.push_back(t); });
    for (FusedElementwiseOp table : tables) {
      ConvOp conv = tableConv(table);
      if (!conv) continue;
      Builder b(&getContext());
      auto own = perTensor8(conv.getType());
      // The Conv's own codes keep their parameters; its result becomes the table's.
      conv.setConvScaleAttr(b.getF32FloatAttr(float(own.getScale())));
      conv.setConvZeroPointAttr(b.getI64IntegerAttr(own.getZeroPoint()));
      conv.setTableOpsAttr(table.getOps());
      conv.setTableArgsAttr(table.getArgsAttr());
      conv.setTableParamsAttr(table.getParamsAttr());
      conv.getResult().setType(cast<RankedTensorType>(table.getType()));
      if (recordFusion) mlir::edge::recordFusion(conv, {conv, table});
      table.getResult().replaceAllUsesWith(conv.getResult());
      table.erase();
    }
  }
};

}  // namespace
}  // namespace mlir::edge
