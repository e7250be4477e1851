#ifndef EDGE_PASSES_TD
#define EDGE_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def FoldBatchNorm : Pass<"edge-fold-batchnorm", "func::FuncOp"> {
  let summary = "Fold inference BatchNormalization into the preceding Conv";
  let description = [{
    `BN(conv(x, W, b))` with constant W, b and BN parameters becomes
    `conv(x, W * s, (b - mean) * s + beta)` with `s = scale / sqrt(var + eps)` per
    output channel. The folded weights are new constants; the BN disappears. Done in
    float64 so the fold itself adds no error beyond the final rounding to f32.
    Only folds when the Conv result has no other user.
  }];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def FuseActivation : Pass<"edge-fuse-activation", "func::FuncOp"> {
  let summary = "Fuse Relu and constant-bound Clip into the producing Conv's epilogue";
  let description = [{
    `Relu(Conv(...))` and `Clip(Conv(...), min, max)` with constant scalar bounds
    become one Conv with `activation = "Relu"` or `"Clip"` (`act_min`, `act_max`),
    saving a pass over the activation tensor (MobileNet's ReLU6 is a Clip).
    Only fuses when the Conv result has no other user.
  }];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

#endif // EDGE_PASSES_TD
