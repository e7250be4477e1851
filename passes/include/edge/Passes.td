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
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the absorbed ONNX nodes) on each fused op, for --report-fusion">];
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
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the absorbed ONNX nodes) on each fused op, for --report-fusion">];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def FuseLayerNorm : Pass<"edge-fuse-layernorm", "func::FuncOp"> {
  let summary = "Fuse the decomposed LayerNorm that torch.onnx exports into LayerNormalization";
  let description = [{
    torch.onnx at opset <= 16 has no LayerNormalization op and exports `nn.LayerNorm`
    as nine elementwise and reduction ops (nine kernels, each a pass over the
    activation tensor):

      mean = ReduceMean(x, axes = trailing dims, keepdims = 1)
      d    = Sub(x, mean)
      var  = ReduceMean(Mul(d, d) or Pow(d, 2), same axes, keepdims = 1)
      y    = Div(d, Sqrt(Add(var, eps)))
      y    = Add(Mul(y, gamma), beta)      (Mul and Add each optional)

    This becomes one `edge.LayerNormalization(x, gamma, beta?) {axis, epsilon}` with
    `axis` the first reduced dim, computing the same function in one pass over the
    rows. The variance's Sub and ReduceMean may be separate, identical copies of the
    numerator's (before CSE); both are matched.

    Fuses only when the result is the same function of x, so that rewriting cannot
    change what any other op sees:
    - both ReduceMeans reduce exactly the same trailing dims with keepdims = 1
      (LayerNormalization normalizes `x.shape[axis:]`; other axes are not a LayerNorm);
    - eps is a constant f32 scalar (it becomes an attribute) that does not broadcast
      the variance;
    - gamma and beta are f32 constants broadcasting to the normalized dims (what the
      op's verifier accepts); a Mul or Add whose other operand is not is left outside
      the fused op. Without a gamma, a splat-1 scale is created; without a beta there
      is no bias operand;
    - every intermediate (mean, d, the square, var, var + eps, its sqrt, the
      unscaled and the scaled y) has no user outside the pattern;
    - x is a static-shape f32 tensor (the LayerNormalization kernels are f32).
  }];
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the absorbed ONNX nodes) on each fused op, for --report-fusion">];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def FuseEpilogue : Pass<"edge-fuse-epilogue", "func::FuncOp"> {
  let summary = "Fuse Sigmoid, SiLU and HardSwish into the producing float Conv's epilogue";
  let description = [{
    On what stays float after the precision passes (it runs after them: the integer
    Conv kernels apply an epilogue as a clamp of their output codes, and calibration
    must see the activations that ship), an f32 Conv followed by

      Sigmoid(y)                          -> activation = "Sigmoid"
      Mul(y, Sigmoid(y))  (SiLU / Swish)  -> activation = "Silu"
      HardSwish(y)                        -> activation = "HardSwish"
      Mul(y, HardSigmoid(y)) with alpha 1/6 and beta 1/2 (HardSwish as exported
      before opset 14)                    -> activation = "HardSwish"

    becomes one Conv whose kernel applies the function to each output as it stores
    it, instead of one or two more passes over the activation tensor (EfficientNet's
    SiLU after nearly every Conv, MobileNetV3's HardSwish). The Mul must not
    broadcast, and the Conv's result and the Sigmoid/HardSigmoid must have no user
    outside the pattern. The kernels compute the same function as the unfused ops
    (ref: the same formulas, so the same bits).
  }];
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the absorbed ONNX nodes) on each fused op, for --report-fusion">];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def FoldMatMulTranspose : Pass<"edge-fold-matmul-transpose", "func::FuncOp"> {
  let summary = "Fold a Transpose of a 2-D f32 MatMul operand into a Gemm's transA / transB";
  let description = [{
      MatMul(Transpose(A), B) -> Gemm(A, B) {transA = 1}
      MatMul(A, Transpose(B)) -> Gemm(A, B) {transB = 1}     (both at once too)

    for static-shape f32 matrices and Transposes with perm [1, 0] (`x @ w.T` with a
    run-time w; an exporter folds constant weights already). The x86 GEMM reads the
    operand transposed while it packs it, so the transposed copy is never written; the
    products are the MatMul's (same sums, in the same order). A Transpose with other
    users stays for them. Batched MatMuls are left alone (Gemm is 2-D); attention's
    transposed K is taken by edge-fuse-attention, which runs first. Runs before
    edge-fuse-matmul-bias, which then also adds a bias to such a Gemm.
  }];
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the absorbed ONNX nodes) on each fused op, for --report-fusion">];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def FuseMatMulBias : Pass<"edge-fuse-matmul-bias", "func::FuncOp"> {
  let summary = "Fuse an f32 MatMul by a 2-D weight and the Add of a constant bias into one Gemm";
  let description = [{
    A Linear layer as torch.onnx exports it, `Add(MatMul(x, W), b)` with W [K, N] and a
    constant bias b [N] (either operand order), becomes

      Gemm(x, W, b)                                 (x of rank 2)
      Reshape(Gemm(Reshape(x, [M, K]), W, b), y)    (x [..., M, K]: its rows flattened,
                                                     as W is shared by every batch)

    whose kernel adds the bias to each tile of the product while it is in registers
    (beta = 1: one rounding, as the Add's) instead of another pass over the result. The
    Reshapes move no bytes. A Gemm without C and with alpha 1 (edge-fold-matmul-transpose
    makes `x @ w.T` one) takes the bias as its C the same way. Fuses only static-shape
    f32 MatMuls whose result has no
    other user, and nothing in a model compiled for dynamic dims or data-dependent sizes
    (module attribute edge.input_dims or edge.data_dependent: the flattened rows would
    be a reshape the runtime cannot recompute at another size); runs after the
    precision passes (an int8 or f16 MatMul stays as it is) and before
    edge-fuse-elementwise, which then takes what follows the bias (a GELU). The int8
    pipelines (static and dynamic) also run it first, before quantizing: the bias then
    becomes the int8 Gemm's int32 bias or the DynamicQuantizedMatMul's, and the fused
    Gemm takes the Add's `edge.calib_range`. There (option skip-kept-float) a MatMul or
    Add marked `edge.keep_float` is left alone, so that the marks (--keep-float, and a
    precision plan's per-op precisions) stay on the ops they name; the late run fuses it.
  }];
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the absorbed ONNX nodes) on each fused op, for --report-fusion">,
                 Option<"skipKeptFloat", "skip-kept-float", "bool", "false",
                        "Leave a MatMul or Add marked edge.keep_float unfused (the int8 pipelines' early run)">];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def FuseConvResidual : Pass<"edge-fuse-conv-residual", "func::FuncOp"> {
  let summary = "Fuse a residual Add (and a Relu or Clip after it) into the float or int8 Conv before it";
  let description = [{
    A residual block's join, on what stays float after the precision passes (it runs
    after them, with the other late fusions, before edge-fuse-elementwise takes the
    remaining elementwise chains):

      y = Add(Conv(x, W, b?), r)          either operand order
      y = Relu(y) or Clip(y, lo, hi)      optional, constant bounds

    becomes one `Conv(x, W, b?) residual(r)` with the activation, computing
    `activation(conv + b + r)`: the Conv's kernel adds r to each output block right
    after storing it, while it is still in cache, instead of a separate kernel reading
    both tensors and writing a third (ResNet's Add and Relu, MobileNetV2's and
    EfficientNet's Add after the projection conv). The sums are rounded as the unfused
    Add rounds them, so results do not change.

    Fuses only when the Conv is f32 with no activation and no residual yet and the Add
    is its only user; r has the Add's type (no broadcast); and r is defined before the
    Conv (when both Add operands are such Convs, the later one takes the other as its
    residual; otherwise the Conv moves down to the Add, which its one use allows). A
    Relu or Clip is absorbed when it is the fused Add's only user.

    Quantized (static INT8): a quantized Add of the Conv's codes and r, the Conv, r and
    the Add per tensor, 8-bit, of one shape and expressed type, the Conv's result of the
    Add's storage type. The Conv keeps its own result parameters as `conv_scale` and
    `conv_zero_point` and takes the Add's result type; its kernel runs the quantized
    Add's arithmetic on each block of its codes, so the bytes do not change. No Relu or
    Clip is absorbed there (edge-quantize gave the Add a following Relu's parameters).
    Only with option `int8`, off in the pipeline: the same bytes, no faster at one
    thread and 3-12% slower at two on ResNet-18 (docs/quantization.md, "The int8
    residual Add as the Conv's epilogue").
  }];
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the absorbed ONNX nodes) on each fused op, for --report-fusion">,
                 Option<"int8", "int8", "bool", "false",
                         "Also fuse a quantized Add into the int8 Conv before it">];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def FoldGateIntoConv : Pass<"edge-fold-gate-into-conv", "func::FuncOp"> {
  let summary = "Fold a per-channel gate x * g into the weights of the 1x1 Conv that reads it";
  let description = [{
    A squeeze-excitation block ends by scaling every channel of its map x by a gate g,
    and the block's next op is usually the 1x1 Conv that projects the map down
    (EfficientNet, MobileNetV3). Scaling the Conv's weights instead gives the same sums,
    W (x g) = (W g) x, and the map is never scaled:

      y = Conv(Mul(x, g), W, b)      x [1, C, H, W], g [1, C, 1, 1], W [M, C, 1, 1]

    becomes

      y = Conv(x, Mul(W, g), b)

    The scaled map (C H W floats written and read again) becomes M C products on the
    weights, which the Conv packs on every run (its weights are no longer a constant).
    Run before edge-fuse-squeeze-excitation: the pool, the two small Convs and the gate
    then stay separate ops on [1, C, 1, 1] tensors.

    Folds only for static-shape f32 operands, one image (the gate is per image), a Conv
    of group 1 with a constant [M, C, 1, 1] weight, unit strides and dilations, no pads
    and no residual, a Mul whose only user is the Conv, and H W >= M (where the map is
    smaller than the weights, scaling it is cheaper). The sums are rounded differently
    (w (x g) against (w g) x): the result is within float tolerance, not the same bits.
  }];
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the Conv and the Mul it absorbed) on the Conv, for --report-fusion">];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def FuseSqueezeExcitation : Pass<"edge-fuse-squeeze-excitation", "func::FuncOp"> {
  let summary = "Fuse GlobalAveragePool -> 1x1 Conv -> 1x1 Conv -> gate -> Mul into one SqueezeExcitation";
  let description = [{
    The squeeze-excitation block (MobileNetV3, EfficientNet, RegNetY, SE-ResNet) as
    exporters write it, after edge-fuse-activation and edge-fuse-epilogue gave the Convs
    their activations:

      m = GlobalAveragePool(x)                       [N, C, 1...]
      h = Conv(m, W1, b1?) {activation}              1x1; activation none, Relu, Clip,
                                                     Sigmoid, Silu or HardSwish
      s = Conv(h, W2, b2?) {activation = Sigmoid}    or HardSigmoid(Conv(h, W2, b2?))
      y = Mul(x, s)                                  either operand order

    becomes one `edge.SqueezeExcitation(x, W1, b1, W2, b2)` (a missing bias becomes a
    zero constant). Its kernel pools, runs both small matrix products and scales each
    plane in one call: the gate is never a separate op broadcast over the map, and a
    block costs one kernel call (one fork and join of the threads) instead of five or
    six. The ref kernel gives the bits of the unfused ref ops.

    Fuses only when x, every intermediate and each Conv operand is a static-shape f32
    tensor; the Convs are group 1 with 1x1 kernels, unit strides and dilations and no
    pads; the gate gives one value per channel of x; and the pooled map, the Conv
    results and the gate have no user outside the block.
  }];
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the absorbed ONNX nodes) on each fused op, for --report-fusion">];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def FusePointwiseDepthwise : Pass<"edge-fuse-pointwise-depthwise", "func::FuncOp"> {
  let summary = "Fuse a 1x1 Conv and the depthwise Conv after it into one PointwiseDepthwiseConv";
  let description = [{
    The expansion and depthwise convs of an inverted-residual block (MobileNetV2/V3,
    EfficientNet, MnasNet), after edge-fuse-activation and edge-fuse-epilogue gave them
    their activations:

      e = Conv(x, W1, b1?) {activation}     1x1, unit strides, no pads, group 1
      y = Conv(e, W2, b2?) {activation}     depthwise 2-D: group = M, W2 [M, 1, kH, kW]

    becomes one `edge.PointwiseDepthwiseConv(x, W1, b1, W2, b2)` (a missing bias becomes
    a zero constant) with the depthwise Conv's attributes and the 1x1 Conv's activation
    as `pointwise_activation`. Its kernel expands a few channels at a time into a
    buffer that stays in cache and runs the depthwise conv on them there, so the
    expanded tensor never goes to memory (written once and read once per block
    otherwise: the early layers' are 1.8-4.8 MB at 224x224). The ref kernel gives the
    bits of the two ref Convs, the x86 kernel those of the two x86 Convs.

    Fuses only when every operand and both results are static-shape f32 tensors, the
    weights are constants, the depthwise kernel is larger than 1x1, e has no other
    user, neither Conv has a residual, and e
    holds at least `min-bytes` bytes: a smaller one stays in cache between the two
    unfused kernels anyway, and those keep their wider split over threads.
  }];
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the absorbed ONNX nodes) on each fused op, for --report-fusion">,
                 Option<"minBytes", "min-bytes", "int64_t", "1048576",
                         "Fuse only where the expanded tensor has at least this many bytes">];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def PlanThreadSplit : Pass<"edge-plan-thread-split", "func::FuncOp"> {
  let summary = "Split a 1x1 expansion Conv that feeds depthwise Convs by output channels, as they are split";
  let description = [{
    Sets `thread_split = "channels"` on a 1x1 Conv with more output channels than
    input channels (group 1, unit strides and dilations, no pads, 4-D) whose result
    only depthwise Convs read as their input (group = channels, one input channel per
    group, 4-D): an inverted-residual block's expansion, float or quantized. A kernel
    alone cannot see what reads its result.

    Why: the depthwise kernels split their work by channels, each thread reading whole
    planes, while a 1x1 Conv's kernel splits its positions by default. At two threads
    each depthwise thread then read half of every plane from the other core's cache, a
    line at a time over the cores' link. Split by channels, the threads read the planes
    they wrote: int8 MobileNetV2's 56x56 expansions took a quarter less time at two
    threads, and its depthwise convs a fifth. Each thread now reads all of the
    expansion's input, half of it from the other core, which is why only expansions are
    split so:
    their input is the smaller tensor (a sixth of the result in MobileNetV2). On
    ShuffleNetV2's 1x1 Convs (as many channels out as in) the split measured level at
    INT8 and 1.5% slower at fp32.

    A schedule only: every split gives the same bits. The x86 kernels follow it at
    one image and enough channels for each thread; others ignore it.
  }];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def FuseAttention : Pass<"edge-fuse-attention", "func::FuncOp"> {
  let summary = "Fuse MatMul -> scale -> mask -> Softmax -> MatMul into one ScaledDotProductAttention";
  let description = [{
    The scaled-dot-product attention that torch.onnx exports (nn.MultiheadAttention,
    nn.TransformerEncoder/Decoder layers, F.scaled_dot_product_attention's symbolic, a
    hand-written `softmax(q @ k.T / sqrt(d) + mask) @ v`):

      Q'     = Q * c or Q / c                  (optional; c a constant f32 scalar)
      K'     = Kt * c or Kt / c                (optional)
      Kt     = Transpose(K, last two dims swapped)   (absorbed when present; else the
                                                MatMul's operand is taken as K^T)
      s      = MatMul(Q', K')
      s      = s * c or s / c                  (optional)
      s      = Add(s, mask)                    (optional; mask any f32 tensor that
                                                broadcasts to the scores: a constant
                                                causal mask, an input, a Where's result)
      out    = MatMul(Softmax(s, axis = last), V)

    becomes one `edge.ScaledDotProductAttention(Q, K, V, mask?)` whose kernel computes
    the scores of a block of rows of one head at a time, instead of four passes over
    the [B..., S, T] score tensor of every head (written, scaled, masked, normalized).
    Each scale step stays a Mul or a Div by the exporter's constant (attributes), so the
    ref kernel gives the bits of the unfused ref ops.

    Fuses only when every intermediate (Q', K', Kt, the scores and each step on them,
    the probabilities) has no user outside the chain; the Softmax is along the last
    axis; everything is static-shape f32 (an int8 or f16 attention stays as it is); Q,
    K and V have the same rank and batch dims (MatMul's batch broadcasting is not
    fused); the mask's Add does not broadcast the scores to a larger shape. A Where
    that masks the scores themselves (`Where(cond, s, -inf)`) is not matched.

    Runs in the late host pipeline, after the precision passes: calibration observes
    the unfused ops and quantization sees the MatMuls it knows.

    Then static INT8's boundaries: an operand (Q, K or V) that is a per-tensor 8-bit
    DequantizeLinear followed only by Reshapes, Transposes and constant Slices (the
    heads of a fused QKV projection) gets those movers rebuilt on the codes and takes
    the codes; a result whose only users are such movers ending in one per-tensor 8-bit
    QuantizeLinear becomes that type, the movers running on the codes after it. The
    movers then move a quarter of the bytes and no DequantizeLinear / QuantizeLinear
    runs; the kernel dequantizes and quantizes as those ops do. Movers and
    DequantizeLinears still read as f32 elsewhere stay.

    An attention whose query, key and value all take codes then gets `integer = 1`
    (option `integer`, default on): integer scores and products on the codes and 8-bit
    probabilities instead of the f32 arithmetic between dequantize and quantize (see
    the op; the integer kernels run it in about a third of the f32 path's time).
  }];
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the absorbed ONNX nodes) on each fused op, for --report-fusion">,
                 Option<"integer", "integer", "bool", "true",
                        "Set integer = 1 on attentions whose query, key and value are all quantized">];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def FuseRMSNorm : Pass<"edge-fuse-rmsnorm", "func::FuncOp"> {
  let summary = "Fuse the decomposed RMSNorm that exporters emit into RMSNormalization";
  let description = [{
    ONNX before opset 23 has no RMSNormalization, so a LlamaRMSNorm-style module
    (`x * rsqrt(mean(x^2, -1) + eps) * weight`) arrives as six or seven ops (torch.onnx
    writes rsqrt as `Div(1, Sqrt(.))`):

      s = Pow(x, 2) or Mul(x, x)
      m = ReduceMean(s, axes = [rank - 1], keepdims = 1)
      r = Sqrt(Add(m, eps))
      y = Mul(x, Div(1, r)) or Mul(x, Reciprocal(r)) or Div(x, r)    (operands either way)
      y = Mul(y, weight)                                              (optional)

    This becomes one `edge.RMSNormalization(x, weight) {axis = rank - 1, epsilon}`, the
    op the GGUF frontend builds, whose kernels (ref and x86) take any rank of f32 and
    compute the row's mean square in double, one pass over the row instead of six.
    Fuses only when the result is the same function of x:
    - the mean is over the last dim only, with keepdims = 1 (the op normalizes the last
      dim; other axes are not this op);
    - eps is a constant f32 scalar, finite and >= 0 (it becomes the attribute);
    - the weight is an f32 constant with E elements broadcasting along the last dim only
      (reshaped to `[E]` if it has leading 1s); a Mul by anything else is left outside the
      fused op, and without a weight a splat-1 scale is created;
    - every intermediate (the square, the mean, mean + eps, its sqrt, its reciprocal,
      the unscaled y when a weight is fused) has no user outside the pattern;
    - x is a static-shape f32 tensor.
  }];
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the absorbed ONNX nodes) on each fused op, for --report-fusion">];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def FuseElementwise : Pass<"edge-fuse-elementwise", "func::FuncOp"> {
  let summary = "Fuse chains of f32 elementwise ops into one FusedElementwise loop";
  let description = [{
    Each elementwise op is a pass over its tensor: torch's GELU export (Div, Erf, Add,
    Mul, Mul) reads and writes the activation five times, a bias Add before it once
    more. A group of f32 elementwise ops

      binary: Add, Sub, Mul, Div; Pow with a constant scalar exponent
      unary:  Relu, Sigmoid, Tanh, Erf, Exp, Log, Neg, Abs, Sqrt, Reciprocal, HardSwish,
              Softplus, LeakyRelu, Elu, HardSigmoid, Clip with constant (or absent) bounds

    becomes one `edge.FusedElementwise`: its inputs (the group's operands from outside:
    tensors of the result's shape, or anything broadcasting to it, such as a bias
    vector, a per-channel scale or a scalar constant) and a program of one step per op
    over registers (the inputs, then each step's result), which the kernel evaluates
    per block of elements with the single ops' own scalar (ref) or vector (x86)
    functions, so fused and unfused execution give the same bits.

    A group grows from its last op (the root, walking the block backwards) to the
    producers of its operands that have the root's result type (no op that broadcasts
    a smaller intermediate up joins) and whose every user is already in the group, so
    no intermediate is needed outside it; x and x's Sigmoid both feeding a Mul (SiLU),
    or GELU's x read by its Div and its Mul, are one group with x an input. Groups of
    at least two ops are fused, up to 8 inputs and 24 steps.

    It runs in the late host pipeline, after the precision passes (only f32 ops that
    ship as f32: quantized and f16 ops are other element types) and after
    edge-fuse-epilogue, so a Conv still takes its Sigmoid/SiLU/HardSwish epilogue first.

    Then a fused program whose one non-constant input is a per-tensor 8-bit
    DequantizeLinear (through Reshapes), whose other inputs are f32 constants of one
    element and whose result only a per-tensor 8-bit QuantizeLinear reads (through
    Reshapes) becomes a quantized FusedElementwise on the codes, in the QuantizeLinear's
    shape: a 256-entry table that gives what the three ops give. static INT8 leaves a
    GELU between two int8 Gemms that way (edge-quantize keeps such a function of one
    activation float as a whole).

    Last, a LayerNormalization with one result, f32 Scale and B, whose input is a
    per-tensor 8-bit DequantizeLinear reads the codes instead (integer statistics, see
    the op): its result becomes the codes of the per-tensor 8-bit QuantizeLinear that is
    its one user (through single-use Reshapes; a Reshape after the LayerNorm gives the
    QuantizeLinear's shape), or stays f32 when there is none. static INT8's LayerNorm
    after each residual Add runs on codes that way. Not folded: a LayerNorm with Mean /
    InvStdDev results, a per-axis or wider DequantizeLinear, a float producer.
  }];
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the absorbed ONNX nodes) on each fused op, for --report-fusion">];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def FuseConvTable : Pass<"edge-fuse-conv-table", "func::FuncOp"> {
  let summary = "Fold a quantized FusedElementwise table into the int8 Conv it reads";
  let description = [{
    static INT8 leaves an activation that is not a clamp of codes (SiLU, HardSwish, GELU,
    Sigmoid, Tanh) as a quantized `edge.FusedElementwise`: a 256-entry table over the
    Conv's codes (edge-fuse-elementwise), a second pass over the Conv's output. In
    EfficientNet-B0 at INT8 there are 48, and at two threads each also reads the half of
    its input that the other core's Conv threads wrote.

    A table whose one input is a quantized Conv (per-tensor 8-bit result of the table's
    storage type and expressed type, same shape, no residual, no activation, no other
    user) becomes that Conv's `table_ops`, `table_args` and `table_params`; the Conv's own
    result parameters stay as `conv_scale` / `conv_zero_point` and its result takes the
    table's type. The kernels build the same table from the same program and look each
    code up right after storing it (on the thread that stored it), so the fused Conv gives
    the bytes of the two kernels. Not folded: a table with constant inputs besides the
    Conv's codes, a Conv with a fused residual.

    It runs in the late host pipeline right after edge-fuse-elementwise, which makes the
    tables.
  }];
  let options = [Option<"recordFusion", "record-fusion", "bool", "false",
                         "Leave edge.fused (the absorbed ONNX nodes) on each fused op, for --report-fusion">];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Quantize : Pass<"edge-quantize", "func::FuncOp"> {
  let summary = "Static INT8: quantize/dequantize pairs from calibration ranges, int8 weights";
  let description = [{
    Reads the ranges calibration recorded (`edge.calib_range = array<f32: lo, hi>` on
    the op producing a value, or on a function argument) and makes the function a QDQ
    graph: every activation that an op with an integer kernel produces or reads gets a
    `QuantizeLinear` to per-tensor asymmetric int8 (scale (hi - lo) / 255 over the range
    widened to contain 0) and a `DequantizeLinear` back; a passthrough op's result
    (Reshape, Transpose, Slice, Gather, MaxPool, ...) takes its input's parameters; the
    constant float weights of Conv, Gemm and MatMul become int8 constants, symmetric per
    output channel (scale max|w| / 127, codes in [-127, 127]), behind a
    `DequantizeLinear`. Biases stay float (edge-fold-qdq quantizes them). Values
    between two float ops get no pair. Conv/Gemm/MatMul with a constant weight start
    integer regions; other ops join one only next to an integer producer, a passthrough
    op only when an integer op reads it, and a MatMul of two activations (attention)
    stays float so that edge-fuse-attention can fuse it. A value whose only user is a
    Relu (not kept float) whose parameters have zero point -128 (calibration's [0, hi])
    takes the Relu's parameters, as ONNX Runtime's quantizer removes such an activation:
    its op's requantization then clamps at real 0, and the Relu, from and to one type, is
    the identity that edge-fold-qdq drops (a residual Add + Relu: one rounding, to the
    Relu's scale, instead of two). The range attributes are removed. Run edge-fold-qdq
    next to get integer ops.
  }];
  let dependentDialects = ["::mlir::edge::EdgeDialect", "::mlir::quant::QuantizationDialect"];
}

def FoldQDQ : Pass<"edge-fold-qdq", "func::FuncOp"> {
  let summary = "Fold DequantizeLinear -> op -> QuantizeLinear into one integer op";
  let description = [{
    For an op with an integer kernel (Conv, MatMul, Gemm, Add, Sub, Mul, Concat, the
    pools, the activations with lookup-table kernels, and the data-movement ops) whose
    float operands are all `DequantizeLinear` results (a Conv or Gemm bias may instead
    be a 1-D float constant: it becomes int32 with scale input scale x weight scale,
    rounded half to even) and whose users are all `QuantizeLinear` to one type, the op
    is rebuilt on the quantized values with that result type, if its verifier accepts
    it (else it stays float). A data-movement op folds only when its result's
    parameters are its input's. Then `QuantizeLinear(DequantizeLinear(x))` of x's own
    type is x, and a `DequantizeLinear` of a constant that no integer op consumed is
    folded into a float constant. A Relu from and to one per-tensor type whose zero
    point is its storage type's lowest code (i8 -128, u8 0) is the identity on codes (the
    ref table kernel's formula gives every code back) and is replaced by its input.
    Unused Q/DQ ops and constants are removed.
  }];
  let dependentDialects = ["::mlir::edge::EdgeDialect", "::mlir::quant::QuantizationDialect"];
}

def QuantizeWeights : Pass<"edge-quantize-weights", "func::FuncOp"> {
  let summary = "Weight-only group-wise INT4: constant MatMul/Gemm/Conv weights become DequantizeBlockwise";
  let description = [{
    Activations stay f32; each constant f32 weight of MatMul (B [K, N]), Gemm (B [K, N],
    or [N, K] with transB) and Conv (W [M, C/g, kh, kw]) becomes
    `edge.DequantizeBlockwise(codes, scales[, zero points])` with groups of
    `group-size` consecutive elements along the reduction dim: MatMul axis 0, Gemm axis
    0 (1 with transB), Conv axis 1 (the input channels of one output channel and kernel
    tap, so the weight keeps its ONNX shape and the package its layout; a flattened
    C/g*kh*kw group would need a reshape the runtime's blockwise QuantInfo cannot
    describe). When the reduction dim is not a multiple of the group size the last
    group is partial (the op's rounded-up scale count).

    * symmetric (default): `i4` codes in [-7, 7], scale = max|w| / 7 per group (the code
      -8 is unused, as int8's -128: the largest magnitude is exact whatever its sign);
    * `asymmetric`: `ui4` codes in [0, 15] over [min(w, 0), max(w, 0)], scale =
      (hi - lo) / 15, zero point = round(-lo / scale) (a `ui4` tensor);
    * rounding half to even; an all-zero group gets scale 1.

    Scales are f32: exact, and at group 128 they add 3% to the 4-bit codes (f16 would
    save half of that and cost a conversion in every kernel). Codes are packed two per
    byte, low nibble first (the dtype table's i4/u4 packing), in a `dense_resource` blob.

    A weight stays f32 when it is too small to matter (fewer than `min-elements`
    elements, default 1024: a classifier head, a first conv) or has fewer than 8
    elements along the reduction dim (depthwise convs, a conv over 3 input channels),
    or is not a 2-D MatMul B (batched weights). One weight feeding several ops is
    quantized once.

    `int8-activations` (`--precision int4-gN-a8`): a MatMul with a constant 2-D B, and a
    Gemm that is `x @ B (+ C)` (alpha = beta = 1, transA = 0, C absent or a 1-D f32
    constant of N values), become `edge.BlockQuantizedMatMul`: activations quantized to
    int8 at run time per block of `group-size` along K (Q8_0), dotted with the int4 codes.
    Its weight is stored `[N, K]` with groups along axis 1 (transposed here from MatMul's
    and a plain Gemm's `[K, N]`), so each output's codes of one block are contiguous, as
    in GGUF's Q4_0/Q4_1 and the kernels' packing. Other MatMul/Gemm and every Conv keep
    the weight-only form.
  }];
  let options = [
    Option<"bits", "bits", "int64_t", "4", "Bits per weight (only 4)">,
    Option<"groupSize", "group-size", "int64_t", "32", "Elements per group along the reduction dim">,
    Option<"asymmetric", "asymmetric", "bool", "false", "ui4 codes with a zero point per group (else symmetric i4)">,
    Option<"minElements", "min-elements", "int64_t", "1024", "Weights with fewer elements stay f32">,
    Option<"int8Activations", "int8-activations", "bool", "false",
           "MatMul/Gemm become BlockQuantizedMatMul: activations int8 per block at run time">,
  ];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def ConvertToF16 : Pass<"edge-convert-to-f16", "func::FuncOp"> {
  let summary = "FP16 weights and activations; f32 inputs and outputs";
  let description = [{
    Every f32 tensor inside the function becomes f16: f32 constants are converted
    (round to nearest even) and every f32 op result is retyped. The function keeps its
    f32 inputs and outputs: an `edge.Cast` to f16 after each input and back to f32
    before each output (ONNX Runtime's float16 converter with keep_io_types). Kernels
    without f16 arithmetic compute in f32 on the f16 values (the runtime's F16Adapter),
    so each op's result is rounded to f16 once. Functions with state are refused.
  }];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def QuantizeDynamic : Pass<"edge-quantize-dynamic", "func::FuncOp"> {
  let summary = "INT8 dynamic: MatMul/Gemm with constant weights become DynamicQuantizedMatMul";
  let description = [{
    `edgec compile --precision int8-dynamic`: each MatMul with a constant 2-D f32 weight
    [K, N], and each Gemm that is a plain `x @ W (+ bias)` (alpha = beta = 1, transA = 0,
    C absent or a constant f32 [N]; with transB the weight is transposed to [K, N]),
    becomes `edge.DynamicQuantizedMatMul` with the weight int8, symmetric per output
    column (scale max|w| / 127, codes in [-127, 127], rounded half to even). The
    activations are quantized per row at run time by the kernel; no calibration. Other
    MatMuls (two activations, batched weights) stay float.
  }];
  let dependentDialects = ["::mlir::edge::EdgeDialect", "::mlir::quant::QuantizationDialect"];
}

def MarkKeepFloat : Pass<"edge-mark-keep-float", "func::FuncOp"> {
  let summary = "Mark ops that stay fp32 under a quantizing precision (edge.keep_float)";
  let description = [{
    `edgec compile --keep-float REGEX` / `--keep-float-ends`: every op (constants aside)
    one of whose location names (its ONNX node name; each name in a fused location)
    matches one of `patterns` (ECMAScript regexes, std::regex_search), and with `ends`
    the first and the last Conv/Gemm/MatMul in program order, gets the unit attribute
    `edge.keep_float`. edge-quantize, edge-fold-qdq, edge-quantize-dynamic,
    edge-quantize-weights and edge-convert-to-f16 leave such ops in f32, with explicit
    quantize/dequantize (or casts) where they meet quantized neighbours. A pattern that
    does not parse is an error naming it; one that matches nothing, a warning; a
    remark gives the number of ops marked.
  }];
  let options = [
    ListOption<"patterns", "patterns", "std::string", "Node-name regexes (ECMAScript) of ops to keep float">,
    Option<"ends", "ends", "bool", "false", "Also keep the first and last Conv/Gemm/MatMul float">,
  ];
}

#endif // EDGE_PASSES_TD
