#ifndef EDGE_INTEGER_OPS_TD
#define EDGE_INTEGER_OPS_TD

// ONNX's integer-output quantization ops (MatMulInteger, ConvInteger,
// DynamicQuantizeLinear): the ops of ONNX Runtime's dynamic quantization, whose scales
// and zero points are computed at run time, so they cannot live in a `!quant.uniform`
// type. Their results are integers (int32 accumulators, uint8 codes) that are exact by
// definition; the zero points are tensor operands. Included by EdgeOps.td.

def Edge_Int8Tensor : StaticShapeTensorOf<[I8, UI8]>;
def Edge_Int32Tensor : StaticShapeTensorOf<[I32]>;

def Edge_MatMulIntegerOp : Edge_Op<"MatMulInteger", [Pure]> {
  let summary = "ONNX MatMulInteger: (a - a_zero_point) @ (b - b_zero_point) in int32";
  let description = [{
    numpy.matmul semantics (batched, broadcasting, 1-D operands promoted) on int8 or
    uint8 operands (their types may differ), accumulated in int32 with two's-complement
    wrap-around. The zero points are tensors of their operand's element type (the
    frontend makes an absent one a constant 0): `a_zero_point` one value (per tensor)
    or `[M]` (one per row of a, a of rank >= 2), `b_zero_point` one value or `[N]` (one
    per column of b, b of rank >= 2).
  }];
  let arguments = (ins Edge_Int8Tensor:$a, Edge_Int8Tensor:$b, Edge_Int8Tensor:$a_zero_point,
                   Edge_Int8Tensor:$b_zero_point);
  let results = (outs Edge_Int32Tensor:$output);
  let assemblyFormat = [{
    $a `,` $b `,` $a_zero_point `,` $b_zero_point attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_ConvIntegerOp : Edge_Op<"ConvInteger", [Pure]> {
  let summary = "ONNX ConvInteger: conv of (x - x_zero_point) and (w - w_zero_point) in int32";
  let description = [{
    edge.Conv's layout and attributes (explicit `pads`, `group`; no bias, no fused
    activation) on int8 or uint8 operands, accumulated in int32 with two's-complement
    wrap-around. Padding contributes zero (a padded x equals its zero point).
    `x_zero_point` has one value; `w_zero_point` one value or `[M]` (one per output
    channel). Zero points have their operand's element type.
  }];
  let arguments = (ins Edge_Int8Tensor:$input, Edge_Int8Tensor:$weight,
                   Edge_Int8Tensor:$input_zero_point, Edge_Int8Tensor:$weight_zero_point,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs Edge_Int32Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight `,` $input_zero_point `,` $weight_zero_point attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_DynamicQuantizeLinearOp : Edge_Op<"DynamicQuantizeLinear", [Pure]> {
  let summary = "ONNX DynamicQuantizeLinear: f32 to uint8 with a scale and zero point computed from the data";
  let description = [{
    With lo = min(min(x), 0), hi = max(max(x), 0) (NaNs are ignored, and quantize to
    the zero point):
    `y_scale = (hi - lo) / 255` in f32 (1 when hi == lo, i.e. x is all zeros, as ONNX
    Runtime does: the spec's 0 would divide by zero),
    `y_zero_point = round_half_even(clamp(-lo / y_scale, 0, 255))`,
    `y = clamp(round_half_even(x / y_scale) + y_zero_point, 0, 255)` (x / y_scale in
    f32). The scale and zero point are rank-0 tensors.
  }];
  let arguments = (ins StaticShapeTensorOf<[F32]>:$input);
  let results = (outs StaticShapeTensorOf<[UI8]>:$output, StaticShapeTensorOf<[F32]>:$scale,
                  StaticShapeTensorOf<[UI8]>:$zero_point);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // EDGE_INTEGER_OPS_TD
