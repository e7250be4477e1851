// edge-plan-thread-split: a 1x1 expansion Conv whose result only depthwise Convs read is
// split over threads by output channels, as they are (Passes.td: what is matched and why).
#include "edge/EdgeDialect.h"
#include "edge/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::edge {
#define GEN_PASS_DEF_PLANTHREADSPLIT
#include "edge/Passes.h.inc"

namespace {

bool allEqual(ArrayRef<int64_t> values, int64_t want) {
  return llvm::all_of(values, [want](int64_t v) { return v == want; });
}

ArrayRef<int64_t> weightShape(ConvOp conv) {
  return cast<RankedTensorType>(conv.getWeight().getType()).getShape();
}

// A 2-D 1x1 Conv over every position with more output channels than input channels:
// group 1, unit strides and dilations, no pads. (Split by channels, each thread reads all
// of the input, half of it from the other core: that pays where the input is the smaller.)
bool isExpansion(ConvOp conv) {
  ArrayRef<int64_t> w = weightShape(conv);
  return w.size() == 4 && w[0] > w[1] && w[2] == 1 && w[3] == 1 && conv.getGroup() == 1 &&
         allEqual(conv.getStrides(), 1) && allEqual(conv.getDilations(), 1) && allEqual(conv.getPads(), 0);
}

// A 2-D depthwise Conv that reads `v` as its input: one input channel per group.
bool isDepthwiseOf(Operation *user, Value v) {
  auto conv = dyn_cast<ConvOp>(user);
  if (!conv || conv.getInput() != v) return false;
  ArrayRef<int64_t> w = weightShape(conv);
  return w.size() == 4 && w[1] == 1 && conv.getGroup() > 1 && w[0] == conv.getGroup();
}

struct PlanThreadSplitPass : impl::PlanThreadSplitBase<PlanThreadSplitPass> {
  void runOnOperation() override {
    getOperation().walk([](ConvOp conv) {
      Value y = conv.getOutput();
      if (!isExpansion(conv) || y.use_empty()) return;
      if (!llvm::all_of(y.getUsers(), [&](Operation *user) { return isDepthwiseOf(user, y); })) return;
      conv.setThreadSplit("channels");
    });
  }
};

}  // namespace
}  // namespace mlir::edge
