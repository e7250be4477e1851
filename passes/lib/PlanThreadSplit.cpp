// edge-plan-thread-split: a 1x1 expansion Conv whose result only depthwise Convs read is
// split over threads by output channels, as they are (Passes.td: what is matched and why).
#include "ConvFusionUtils.h"
#include "edge/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::edge {
#define GEN_PASS_DEF_PLANTHREADSPLIT
#include "edge/Passes.h.inc"

namespace {

// A 1x1 Conv over every position with more output channels than input channels. (Split
// by channels, each thread reads all of the input, half of it from the other core: that
// pays where the input is the smaller.)
bool isExpansion(ConvOp conv) { return isPointwiseConv(conv) && weightShape(conv)[0] > weightShape(conv)[1]; }

// A depthwise Conv that reads `v` as its input.
bool isDepthwiseOf(Operation *user, Value v) {
  auto conv = dyn_cast<ConvOp>(user);
  return conv && conv.getInput() == v && isDepthwiseConv(conv);
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
