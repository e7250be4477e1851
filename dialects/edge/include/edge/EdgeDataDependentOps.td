#ifndef EDGE_DATA_DEPENDENT_OPS_TD
#define EDGE_DATA_DEPENDENT_OPS_TD

// Ops whose result sizes depend on their operands' values: NonZero, Compress, Unique and
// NonMaxSuppression. A result type holds the op's *capacity* (the largest size the values
// can give: NonZero's element count, Compress's axis size, ...), which the arena is
// planned for (or less: the compiler's probe compile plans one less, and a run whose
// result does not fit fails); the kernel writes the actual result at the start of that
// space and sets the size when it runs, and the runtime computes the shapes after it from there
// (docs/architecture.md, "Data-dependent sizes"). Verifiers in DataDependentOps.cpp.
// Included by EdgeOps.td.

def Edge_NonZeroOp : Edge_Op<"NonZero", [Pure]> {
  let summary = "The indices of the nonzero elements, one column per element";
  let description = [{
    ONNX NonZero: `indices` is [rank(input), n] with the coordinates of the input's
    nonzero elements in row-major order (numpy.nonzero). The result type's n is the
    capacity, the input's element count; the run gives the actual n.
  }];
  let arguments = (ins Edge_AnyTensor:$input);
  let results = (outs StaticShapeTensorOf<[I64]>:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_CompressOp : Edge_Op<"Compress", [Pure]> {
  let summary = "The slices along `axis` whose condition is true";
  let description = [{
    ONNX Compress with an axis (normalized to [0, rank)); the frontend flattens the input
    first for ONNX's form without one. Slice i along the axis is kept where condition[i]
    is true; a condition shorter than the axis counts as false past its end, one longer
    is an error when the kernel runs. The result has the input's shape with the axis'
    size as capacity; the run gives the count kept.
  }];
  let arguments = (ins Edge_AnyTensor:$input, StaticShapeTensorOf<[I1]>:$condition, I64Attr:$axis);
  let results = (outs Edge_AnyTensor:$output);
  let assemblyFormat = "$input `,` $condition attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_UniqueOp : Edge_Op<"Unique", [Pure]> {
  let summary = "The distinct elements (or slices along `axis`), with indices and counts";
  let description = [{
    ONNX Unique. Without `axis` the input is taken flattened; with it (normalized), whole
    slices along the axis are compared. `sorted = 1` orders them ascending (slices
    lexicographically), `0` by first occurrence. `indices` holds each one's first
    occurrence, `inverse_indices` the position in `output` of every input element (or
    slice), `counts` how often each occurs. The capacity of `output`, `indices` and
    `counts` along the varying dim is the input's element count (or axis size); the run
    gives the number of distinct ones. `inverse_indices` has a fixed size.
  }];
  let arguments = (ins Edge_AnyTensor:$input, I64Attr:$sorted, OptionalAttr<I64Attr>:$axis);
  let results = (outs Edge_AnyTensor:$output, StaticShapeTensorOf<[I64]>:$indices,
                      StaticShapeTensorOf<[I64]>:$inverse_indices, StaticShapeTensorOf<[I64]>:$counts);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_NonMaxSuppressionOp : Edge_Op<"NonMaxSuppression", [Pure, AttrSizedOperandSegments]> {
  let summary = "Boxes kept by greedy non-maximum suppression, per batch and class";
  let description = [{
    ONNX NonMaxSuppression: boxes [B, N, 4] (corners [y1, x1, y2, x2] in either order, or
    [x_center, y_center, width, height] with `center_point_box = 1`), scores [B, C, N].
    For each batch and class the boxes scoring above `score_threshold` are taken best
    first, each dropped when its IoU with one already kept exceeds `iou_threshold`, up to
    `max_output_boxes_per_class` (absent or 0: none). The optional scalars are read
    when the kernel runs. `selected_indices` rows are (batch, class, box); its capacity is
    B * C * N rows, the run gives the number kept.
  }];
  let arguments = (ins StaticShapeTensorOf<[F32]>:$boxes, StaticShapeTensorOf<[F32]>:$scores,
                   Optional<StaticShapeTensorOf<[I64]>>:$max_output_boxes_per_class,
                   Optional<StaticShapeTensorOf<[F32]>>:$iou_threshold,
                   Optional<StaticShapeTensorOf<[F32]>>:$score_threshold, I64Attr:$center_point_box);
  let results = (outs StaticShapeTensorOf<[I64]>:$selected_indices);
  let assemblyFormat = [{
    $boxes `,` $scores (`max_output` $max_output_boxes_per_class^)? (`iou` $iou_threshold^)?
    (`score` $score_threshold^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // EDGE_DATA_DEPENDENT_OPS_TD
