#ifndef EDGE_VISION_OPS_TD
#define EDGE_VISION_OPS_TD

// ONNX's vision ops beyond Conv and the pools: transposed convolution, grid sampling,
// region pooling (RoiAlign), unpooling (MaxUnpool) and the per-instance and
// cross-channel normalizations (InstanceNormalization, LRN). Their shape parameters are
// resolved at import (ConvTranspose's auto_pad and output_shape become pads and
// output_padding, MaxUnpool's output_shape the result type), so the result shapes are
// static. Included by EdgeOps.td; verifiers in VisionOps.cpp, ref kernels in
// runtime/kernels/ref/.

def Edge_ConvTransposeOp : Edge_Op<"ConvTranspose", [Pure]> {
  let summary = "ONNX ConvTranspose: N-d transposed convolution (NC... layout) with groups";
  let description = [{
    Input [N, C, D...], weight [C, M / group, k...], optional bias [M]; result
    [N, M, O...] with, per spatial dim i,
    `O[i] = strides[i]·(D[i] - 1) + output_padding[i] + dilations[i]·(k[i] - 1) + 1
            - pads[i] - pads[nd + i]`.
    Input position x adds `input[c, x] · weight[c, m, t]` to the "full" output at
    `x·strides + t·dilations`; the result is that full output from `pads[i]` on (the
    begin pads), and positions past its end (output_padding) hold only the bias.
    `pads` holds all begins then all ends (auto_pad and ONNX's `output_shape` are
    resolved by the frontend: an output_shape beyond the full output becomes
    output_padding, as in ONNX Runtime).
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$weight, Optional<Edge_FloatTensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$output_padding, I64Attr:$group);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_GridSampleOp : Edge_Op<"GridSample", [Pure]> {
  let summary = "ONNX GridSample (opset 16): sample a 4-D input at normalized grid positions";
  let description = [{
    Input [N, C, H, W], grid [N, Ho, Wo, 2] holding (x, y) in [-1, 1] (-1 and 1 are the
    outer edges of the border pixels, or their centers with `align_corners` = 1);
    result [N, C, Ho, Wo]. `mode` "bilinear", "nearest" (ties to even) or "bicubic"
    (Keys' kernel, a = -0.75, on a 4x4 neighbourhood); `padding_mode` "zeros" (outside
    pixels read 0), "border" (coordinates clamped to the input) or "reflection"
    (coordinates reflected at the borders), as PyTorch's grid_sample, which ONNX's
    definition follows.
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$grid, StrAttr:$mode, StrAttr:$padding_mode,
                   I64Attr:$align_corners);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = "$input `,` $grid attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_InstanceNormalizationOp : Edge_Op<"InstanceNormalization", [Pure]> {
  let summary = "ONNX InstanceNormalization: normalize each (n, c) over its spatial dims";
  let description = [{
    Input [N, C, D...], scale and bias [C]: `y = scale[c]·(x - mean) / sqrt(var + epsilon)
    + bias[c]` with the mean and (biased) variance of x[n, c, ...]. The result has the
    input's type.
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$scale, Edge_FloatTensor:$bias, F32Attr:$epsilon);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_LRNOp : Edge_Op<"LRN", [Pure]> {
  let summary = "ONNX LRN: local response normalization across channels";
  let description = [{
    Input [N, C, D...]: `y = x / (bias + alpha / size · Σ x²)^beta`, the sum over the
    channels c - floor((size - 1) / 2) .. c + ceil((size - 1) / 2) that exist. The result
    has the input's type.
  }];
  let arguments = (ins Edge_FloatTensor:$input, F32Attr:$alpha, F32Attr:$beta, F32Attr:$bias, I64Attr:$size);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_RoiAlignOp : Edge_Op<"RoiAlign", [Pure]> {
  let summary = "ONNX RoiAlign (opset 16): pool each region of interest to a fixed grid";
  let description = [{
    Input [N, C, H, W], rois [R, 4] as (x1, y1, x2, y2) in input coordinates before
    `spatial_scale`, batch_indices [R]; result [R, C, output_height, output_width]. Each
    output bin averages (`mode` "avg") or takes the maximum ("max") of bilinearly
    interpolated samples on a `sampling_ratio` x `sampling_ratio` grid (0: ceil(bin
    size) samples per dim). `coordinate_transformation_mode` "half_pixel" shifts the
    scaled rois by -0.5; "output_half_pixel" (opset 10's behaviour) does not and makes
    every roi at least 1x1. "max" follows ONNX Runtime, whose maximum is over the
    weighted corner values of each sample, as ONNX's reference does.
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$rois, Edge_IndicesTensor:$batch_indices,
                   StrAttr:$mode, I64Attr:$output_height, I64Attr:$output_width, I64Attr:$sampling_ratio,
                   F32Attr:$spatial_scale, StrAttr:$coordinate_transformation_mode);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $rois `,` $batch_indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_MaxUnpoolOp : Edge_Op<"MaxUnpool", [Pure]> {
  let summary = "ONNX MaxUnpool: scatter pooled values back to their indices, zeros elsewhere";
  let description = [{
    Input [N, C, D...] and indices of its shape (flat indices into the whole result, as
    MaxPool's Indices output); result [N, C, O...], zero except `output.flat[indices[i]]
    = input.flat[i]` (a later input wins on duplicates). The result's spatial dims come
    from the kernel, strides and pads, or ONNX's constant output_shape input, resolved by
    the frontend; an index outside the result is a run-time error. An output_shape known
    only at run time whose result type is static anyway is the operand
    `output_shape_input` (one value per result dim), read by the kernel on every run and
    checked to be the result's shape.
  }];
  let arguments = (ins Edge_NumericTensor:$input, Edge_IndicesTensor:$indices,
                   Optional<StaticShapeTensorOf<[I32, I64]>>:$output_shape_input);
  let results = (outs Edge_NumericTensor:$output);
  let assemblyFormat = [{
    $input `,` $indices (`output_shape` $output_shape_input^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // EDGE_VISION_OPS_TD
