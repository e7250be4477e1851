#ifndef EDGE_FUSED_OPS_TD
#define EDGE_FUSED_OPS_TD

// Ops that only fusion passes create: each is the function of a chain of ONNX ops,
// computed by one kernel (runtime/kernels/README.md, "Fused ops").

def Edge_ScaledDotProductAttentionOp : Edge_Op<"ScaledDotProductAttention", [Pure]> {
  let summary = "softmax(scale(Q) @ scale(K)^T scaled + mask) @ V, as one op (edge-fuse-attention)";
  let description = [{
    The attention chain that exporters write as MatMul -> Mul/Div -> Add -> Softmax ->
    MatMul (torch's nn.MultiheadAttention, F.scaled_dot_product_attention, a
    hand-written attention), kept as one op so the kernel never writes the scores of
    all heads to memory. With batch dims `B...` (the same for Q, K and V):

    * `query` is `[B..., S, D]`; `key` is `[B..., T, D]`, or `[B..., D, T]` (already
      transposed, as the second MatMul operand) when `key_transposed = 1`; `value` is
      `[B..., T, Dv]`; the result is `[B..., S, Dv]`;
    * Q' = Q `*` or `/` `q_scale` (`q_divide` = 0 or 1), K' likewise with `k_scale`,
      `k_divide`; scores = Q' @ K'^T, then `*` or `/` `scale` (`scale_divide`);
    * `mask`, when present, is f32 broadcasting (numpy rules) to `[B..., S, T]` and is
      added to the scores (a causal mask of 0 and -inf, a padding mask, the result of
      a Where that turned a boolean mask into one);
    * then softmax along T, and the probabilities times V.

    Each scale step is the exporter's own (a Mul or a Div by that constant), kept
    apart instead of folded into one factor, so the ref kernel computes exactly what
    the unfused ops compute; a factor of 1 with `*` is no step.

    `query`, `key`, `value` and the result are each f32 or quantized per tensor (i8/u8
    storage, f32 expressed): static INT8's attention, whose DequantizeLinear and
    QuantizeLinear edge-fuse-attention folds in. A quantized operand is dequantized as
    DequantizeLinear does, a quantized result quantized as QuantizeLinear does; the
    arithmetic between stays f32.

    `integer = 1` (static INT8's attention, set by edge-fuse-attention when `query`,
    `key` and `value` are all quantized) computes on the codes instead: scores as exact
    integer dot products of the zero-point-shifted codes, the softmax numerators as u8
    codes e = round(255 * exp(x - max)) by a fixed exp2 approximation, their sum, then
    the integer products e @ (V - zero) divided by that sum (runtime/kernels/ref/
    attention.cpp defines every step; the x86 kernels give its bits). The probabilities
    thus have 8 bits relative to the row's largest, as ONNX Runtime's QDQ attention
    quantizes them; the results differ from the f32 path by that. Needs `query`, `key`
    and `value` quantized and a positive product of `q_scale`, `k_scale` and `scale`.
  }];
  let arguments = (ins Edge_Tensor:$query, Edge_Tensor:$key, Edge_Tensor:$value,
                   Optional<Edge_FloatTensor>:$mask,
                   DefaultValuedAttr<I64Attr, "0">:$key_transposed,
                   DefaultValuedAttr<F32Attr, "1.0f">:$q_scale, DefaultValuedAttr<I64Attr, "0">:$q_divide,
                   DefaultValuedAttr<F32Attr, "1.0f">:$k_scale, DefaultValuedAttr<I64Attr, "0">:$k_divide,
                   DefaultValuedAttr<F32Attr, "1.0f">:$scale, DefaultValuedAttr<I64Attr, "0">:$scale_divide,
                   DefaultValuedAttr<I64Attr, "0">:$integer);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` $mask^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_SqueezeExcitationOp : Edge_Op<"SqueezeExcitation", [Pure]> {
  let summary = "x * gate(Conv2(act(Conv1(GlobalAveragePool(x))))), as one op (edge-fuse-squeeze-excitation)";
  let description = [{
    The squeeze-excitation block of MobileNetV3, EfficientNet and their kin, which
    exporters write as GlobalAveragePool -> 1x1 Conv -> activation -> 1x1 Conv -> gate
    -> Mul, kept as one op so that the per-channel gate is never a separate tensor
    broadcast over the map and the block is one kernel call instead of five or six.
    With `input` `[N, C, D...]`:

    * m = the mean of each `[n, c]` plane (GlobalAveragePool);
    * h = `activation`(`reduce_weight` · m + `reduce_bias`): `reduce_weight` is
      `[C1, C, 1...]` (a 1x1 Conv on the pooled `[N, C, 1...]`), `reduce_bias` `[C1]`;
      `activation` is a Conv epilogue: "" (none), "Relu", "Clip" with
      [act_min, act_max], "Sigmoid", "Silu" or "HardSwish";
    * s = `gate`(`expand_weight` · h + `expand_bias`): `expand_weight` `[C, C1, 1...]`,
      `expand_bias` `[C]`; `gate` is "Sigmoid" or "HardSigmoid" (max(0, min(1,
      gate_alpha * v + gate_beta)));
    * the result is `input * s`, s broadcast over each plane; the same type as `input`.

    Each step is the unfused ops' own (the Convs' summation from the bias, the
    HardSigmoid's two roundings), so the ref kernel computes what they compute.
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$reduce_weight, Edge_FloatTensor:$reduce_bias,
                   Edge_FloatTensor:$expand_weight, Edge_FloatTensor:$expand_bias,
                   DefaultValuedAttr<StrAttr, "\"\"">:$activation,
                   DefaultValuedAttr<F32Attr, "0.0f">:$act_min,
                   DefaultValuedAttr<F32Attr, "0.0f">:$act_max,
                   DefaultValuedAttr<StrAttr, "\"Sigmoid\"">:$gate,
                   DefaultValuedAttr<F32Attr, "0.2f">:$gate_alpha,
                   DefaultValuedAttr<F32Attr, "0.5f">:$gate_beta);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $reduce_weight `,` $reduce_bias `,` $expand_weight `,` $expand_bias attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_PointwiseDepthwiseConvOp : Edge_Op<"PointwiseDepthwiseConv", [Pure]> {
  let summary = "DepthwiseConv(PointwiseConv(x)), as one op (edge-fuse-pointwise-depthwise)";
  let description = [{
    The first two convolutions of an inverted-residual block (MobileNetV2/V3,
    EfficientNet, MnasNet): a 1x1 Conv that expands C channels to M, then a depthwise
    2-D Conv over those M channels, kept as one op so that the expanded tensor (six
    times the block's input, megabytes on the early large maps) is never written to
    memory whole: the kernel computes a few expanded channels at a time into a
    cache-sized buffer and runs the depthwise conv on them while they are in cache.
    With `input` `[N, C, H, W]`:

    * e = `pointwise_activation`(`pointwise_weight` · x + `pointwise_bias`):
      `pointwise_weight` is `[M, C, 1, 1]`, `pointwise_bias` `[M]`, the Conv of unit
      strides, no pads, group 1;
    * the result is the depthwise Conv of e: `depthwise_weight` `[M, 1, kH, kW]`,
      `depthwise_bias` `[M]`, and `strides`, `pads`, `dilations`, `group` (= M),
      `activation`, `act_min`, `act_max` as on edge.Conv.

    Activations are Conv epilogues: "" (none), "Relu", "Clip" with [act_min,
    act_max], "Sigmoid", "Silu" or "HardSwish". Each step is the unfused Convs' own,
    so the ref kernel computes exactly what they compute and the x86 kernel what the
    two x86 Conv kernels compute. f32 only.
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$pointwise_weight, Edge_FloatTensor:$pointwise_bias,
                   Edge_FloatTensor:$depthwise_weight, Edge_FloatTensor:$depthwise_bias,
                   DefaultValuedAttr<StrAttr, "\"\"">:$pointwise_activation,
                   DefaultValuedAttr<F32Attr, "0.0f">:$pointwise_act_min,
                   DefaultValuedAttr<F32Attr, "0.0f">:$pointwise_act_max,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$group,
                   DefaultValuedAttr<StrAttr, "\"\"">:$activation,
                   DefaultValuedAttr<F32Attr, "0.0f">:$act_min,
                   DefaultValuedAttr<F32Attr, "0.0f">:$act_max);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $pointwise_weight `,` $pointwise_bias `,` $depthwise_weight `,` $depthwise_bias attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // EDGE_FUSED_OPS_TD
