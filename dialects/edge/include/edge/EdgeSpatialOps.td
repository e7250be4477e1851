#ifndef EDGE_SPATIAL_OPS_TD
#define EDGE_SPATIAL_OPS_TD

// ONNX's spatial resampling ops: DepthToSpace, SpaceToDepth and Resize (also ONNX's
// deprecated Upsample, which the frontend imports as a Resize). Their parameters are
// resolved at import when they are constants: Resize's scales and roi are then
// attributes. A Resize whose scales, sizes or roi is a run-time value (a graph input)
// but whose result type is static anyway takes it as an operand instead, read by the
// kernel on every run. The result shape is always static. The input and result element types are the same (no per-axis
// quantized tensors: these ops move or mix the quantized dimension). Included by
// EdgeOps.td; verifiers in SpatialOps.cpp.

def Edge_DepthToSpaceOp : Edge_Op<"DepthToSpace", [Pure]> {
  let summary = "ONNX DepthToSpace: move blocks of channels into blocksize x blocksize spatial tiles";
  let description = [{
    Input [N, C, H, W], result [N, C / b², H·b, W·b] with b = `blocksize`. `mode` "DCR"
    (depth-column-row, the default): output channel c at tile offset (i, j) reads input
    channel (i·b + j)·C/b² + c; "CRD" (column-row-depth): input channel c·b² + i·b + j.
  }];
  let arguments = (ins Edge_Tensor:$input, I64Attr:$blocksize, StrAttr:$mode);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_SpaceToDepthOp : Edge_Op<"SpaceToDepth", [Pure]> {
  let summary = "ONNX SpaceToDepth: move blocksize x blocksize spatial tiles into channels";
  let description = [{
    The inverse of DepthToSpace in DCR mode: input [N, C, H, W] (H and W multiples of
    b = `blocksize`), result [N, C·b², H / b, W / b]; output channel (i·b + j)·C + c at
    (h, w) is input channel c at (h·b + i, w·b + j).
  }];
  let arguments = (ins Edge_Tensor:$input, I64Attr:$blocksize);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_ResizeOp : Edge_Op<"Resize", [Pure, AttrSizedOperandSegments]> {
  let summary = "ONNX Resize (opsets 10-17; also Upsample): resample every dim by a scale";
  let description = [{
    ONNX 1.12's Resize. When its parameters are constants they are resolved at import:
    `scales` has one value per dim (ONNX `sizes` become `size_out / size_in`, rounded to
    f32), and every result dim is either `floor(size_in · scale)` (f32 arithmetic, as
    ONNX shape inference) or the size whose ratio rounds to `scale` (the `sizes` form).
    `roi` is [starts..., ends...] per dim (normalized coordinates) for
    `coordinate_transformation_mode` "tf_crop_and_resize", and empty otherwise.

    A parameter known only at run time (a graph input) whose Resize still has a static
    result type (ONNX shape inference or the model's declared types) is an operand
    instead of the attribute: `scales_input` (f32, one per dim) or `sizes_input` (i64,
    one per dim) in place of `scales`, and `roi_input` (f32 or f64, 2 per dim;
    tf_crop_and_resize only) in place of `roi`. The kernel reads them on every run,
    uses them as ONNX does (run-time scales drive the coordinate transform), and fails
    when the shape they imply is not the compiled one.

    * `mode`: "nearest" (`nearest_mode` "round_prefer_floor", "round_prefer_ceil",
      "floor" or "ceil" picks the input), "linear" (2 taps per dim) or "cubic" (4 taps,
      Keys' kernel with `cubic_coeff_a`; `exclude_outside` = 1 drops taps outside the
      input and renormalizes the rest). Every dim is resampled separably; a dim whose
      scale is 1 copies.
    * `coordinate_transformation_mode`: "half_pixel", "pytorch_half_pixel",
      "align_corners", "asymmetric" or "tf_crop_and_resize" (an output whose source is
      outside the input is `extrapolation_value`).

    Linear and cubic take float tensors (the kernel: f32); nearest takes any element
    type (it only copies elements).
  }];
  let arguments = (ins Edge_Tensor:$input, Optional<TensorOf<[F32, F64]>>:$roi_input,
                   Optional<TensorOf<[F32]>>:$scales_input, Optional<TensorOf<[I64]>>:$sizes_input,
                   StrAttr:$mode, StrAttr:$coordinate_transformation_mode,
                   StrAttr:$nearest_mode, F32Attr:$cubic_coeff_a, I64Attr:$exclude_outside,
                   F32Attr:$extrapolation_value, OptionalAttr<DenseF32ArrayAttr>:$scales,
                   OptionalAttr<DenseF32ArrayAttr>:$roi);
  let results = (outs Edge_Tensor:$output);
  // The operand forms name their parameter; the attribute form prints as before.
  let assemblyFormat = [{
    $input (`roi` `(` $roi_input^ `:` type($roi_input) `)`)?
    (`scales` `(` $scales_input^ `:` type($scales_input) `)`)?
    (`sizes` `(` $sizes_input^ `:` type($sizes_input) `)`)?
    attr-dict `:` functional-type($input, results)
  }];
  let hasVerifier = 1;
}

#endif // EDGE_SPATIAL_OPS_TD
