#ifndef EDGE_SELECTION_OPS_TD
#define EDGE_SELECTION_OPS_TD

// Ops that select elements by value or position along one axis: Hardmax (a one-hot of
// the first maximum), TopK (the k best elements and their indices) and OneHot (a one-hot
// encoding of run-time indices), and ReverseSequence (reversal of each batch entry's
// first steps along a time axis). Their sizes (TopK's k, OneHot's depth) are compile-time
// constants that the frontend resolves and the result types carry, so the kernels read
// them from the output shapes. Verifiers in SelectionOps.cpp. Included by EdgeOps.td.

// Elements a kernel moves as whole values (OneHot's on/off values).
def Edge_SelectedTensor :
    StaticShapeTensorOf<[AnyFloat, I1, I8, I16, I32, I64, UI8, UI16, UI32, UI64]>;

def Edge_HardmaxOp : Edge_Op<"Hardmax", [Pure, SameOperandsAndResultType]> {
  let summary = "1 at the first maximum along `axis`, 0 elsewhere";
  let description = [{
    ONNX Hardmax-13: the result has the input's type; each line along `axis`
    (normalized to [0, rank)) holds a single 1, at its first (lowest-index) maximum; a
    NaN counts as the maximum (numpy.argmax). Models of older opsets, whose Hardmax
    coerces the input to 2-D, reach the frontend converted to this form.
  }];
  let arguments = (ins Edge_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Edge_TopKOp : Edge_Op<"TopK", [Pure]> {
  let summary = "The k largest (or smallest) elements along `axis`, and their indices";
  let description = [{
    k is the results' size along `axis` (ONNX's K input); the results otherwise have
    the input's shape. A K known only at run time is also the operand `k_input` (one
    int32/int64), which the kernel reads on every run and checks is that size. `largest = 1` picks the largest elements,
    `0` the smallest. The results are always sorted, best first (ONNX's `sorted = 0`
    leaves the order unspecified, so sorting is valid for it too); of equal elements
    the one with the lower index comes first, as ONNX requires. A NaN ranks above every
    number (numpy's sort order).
  }];
  let arguments = (ins Edge_NumericTensor:$input, Optional<StaticShapeTensorOf<[I32, I64]>>:$k_input,
                   I64Attr:$axis, I64Attr:$largest);
  let results = (outs Edge_NumericTensor:$values, StaticShapeTensorOf<[I64]>:$indices);
  let assemblyFormat = [{
    $input (`k` $k_input^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_OneHotOp : Edge_Op<"OneHot", [Pure]> {
  let summary = "One-hot encoding of `indices` along a new axis";
  let description = [{
    The result is `indices`' shape with a dim of size depth inserted at `axis`
    (normalized to [0, rank(indices)]); depth is ONNX's depth input. A depth known
    only at run time is also the operand `depth_input` (one number; a float one is
    truncated), which the kernel reads on every run and checks is that size. `values` holds [off, on] in the result's element type. Each index is
    converted to an integer (float indices truncated toward zero); a negative one counts
    from the end (index + depth), and one outside [-depth, depth) gives a line of
    only `off` values (ONNX).
  }];
  let arguments = (ins Edge_NumericTensor:$indices, Edge_SelectedTensor:$values,
                   Optional<Edge_NumericTensor>:$depth_input, I64Attr:$axis);
  let results = (outs Edge_SelectedTensor:$output);
  let assemblyFormat = [{
    $indices `,` $values (`depth` $depth_input^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_ReverseSequenceOp : Edge_Op<"ReverseSequence", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "Each batch entry's first sequence_lens[b] steps along `time_axis`, reversed";
  let description = [{
    ONNX ReverseSequence: `input` has rank >= 2; `batch_axis` and `time_axis` are 0
    and 1 in some order. For batch entry b, steps [0, sequence_lens[b]) along the time
    axis are reversed and the rest copied. `sequence_lens` (int64, one per batch entry)
    is run-time data that does not change the result's shape: the kernel reads it on
    every run and fails the call on a length outside [0, time steps].
  }];
  let arguments = (ins Edge_SelectedTensor:$input, StaticShapeTensorOf<[I64]>:$sequence_lens,
                   I64Attr:$batch_axis, I64Attr:$time_axis);
  let results = (outs Edge_SelectedTensor:$output);
  let assemblyFormat = [{
    $input `,` $sequence_lens attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // EDGE_SELECTION_OPS_TD
