#ifndef EDGE_SPATIAL_OPS_TD
#define EDGE_SPATIAL_OPS_TD

// ONNX's spatial resampling ops: DepthToSpace, SpaceToDepth and Resize (also ONNX's
// deprecated Upsample, which the frontend imports as a Resize). Their parameters are
// resolved at import: Resize's scales and roi are attributes, never operands, and the
// result shape is static. The input and result element types are the same (no per-axis
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

def Edge_ResizeOp : Edge_Op<"Resize", [Pure]> {
  let summary = "ONNX Resize (opsets 10-17; also Upsample): resample every dim by a scale";
  let description = [{
    ONNX 1.12's Resize with its parameters resolved at import. `scales` has one value
    per dim (ONNX `sizes` become `size_out / size_in`, rounded to f32), and every result
    dim is either `floor(size_in · scale)` (f32 arithmetic, as ONNX shape inference) or
    the size whose ratio rounds to `scale` (the `sizes` form).
    `roi` is [starts..., ends...] per dim (normalized coordinates) for
    `coordinate_transformation_mode` "tf_crop_and_resize", and empty otherwise.

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
  let arguments = (ins Edge_Tensor:$input, StrAttr:$mode, StrAttr:$coordinate_transformation_mode,
                   StrAttr:$nearest_mode, F32Attr:$cubic_coeff_a, I64Attr:$exclude_outside,
                   F32Attr:$extrapolation_value, DenseF32ArrayAttr:$scales, DenseF32ArrayAttr:$roi);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // EDGE_SPATIAL_OPS_TD
