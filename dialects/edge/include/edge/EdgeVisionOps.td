#ifndef EDGE_VISION_OPS_TD
#define EDGE_VISION_OPS_TD

// ONNX's vision ops beyond Conv and the pools: transposed convolution and (later in
// this file) sampling, region pooling, unpooling and per-instance normalization. Their
// shape parameters are resolved at import (auto_pad and output_shape become pads and
// output_padding), so the result shapes are static. Float tensors only. Included by
// EdgeOps.td; verifiers in VisionOps.cpp, ref kernels in runtime/kernels/ref/.

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

#endif // EDGE_VISION_OPS_TD
