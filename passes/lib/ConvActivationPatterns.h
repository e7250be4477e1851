// Relu and constant-bound Clip into the Conv before them as its `activation`: the
// patterns of edge-fuse-activation, which edge-fuse-conv-residual also adds for the
// activation after a fused residual Add. A Conv is taken when `accept` says so and it
// has no activation yet and no other user.
#pragma once

#include "edge/EdgeDialect.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::edge {

void populateConvActivationPatterns(RewritePatternSet &patterns, bool recordFusion, bool (*accept)(ConvOp));

}  // namespace mlir::edge
