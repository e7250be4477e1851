#ifndef EDGE_INDEXING_OPS_TD
#define EDGE_INDEXING_OPS_TD

// ONNX's element-indexing ops: GatherElements, ScatterElements, GatherND and ScatterND.
// Their indices are run-time data, so the ref kernels check every index against its dim
// (negative ones count from the end) and fail the call naming the op on one out of range;
// the verifiers (IndexingOps.cpp) check the static shapes, axes and dtypes those kernels
// rely on. Included by EdgeOps.td.

// Any element a kernel can move as whole elements: no `!quant.uniform` (a per-axis scale
// would have to follow the indices), no packed i4 or GGUF blocks.
def Edge_IndexedTensor :
    StaticShapeTensorOf<[AnyFloat, I1, I8, I16, I32, I64, UI8, UI16, UI32, UI64]>;
def Edge_IndicesTensor : StaticShapeTensorOf<[I32, I64]>;
// ONNX ScatterElements-16 / ScatterND-16: how an update combines with the value it lands
// on (`none` overwrites; the last update wins on duplicate indices).
def Edge_ScatterReductionAttr : StringBasedAttr<
    CPred<"::llvm::isa<::mlir::StringAttr>($_self) && "
          "::llvm::is_contained({\"none\", \"add\", \"mul\"}, "
          "::llvm::cast<::mlir::StringAttr>($_self).getValue())">,
    "string attribute \"none\", \"add\" or \"mul\"">;

def Edge_GatherElementsOp : Edge_Op<"GatherElements", [Pure]> {
  let summary = "Gather single elements of `data` along `axis` by `indices` of the same rank";
  let description = [{
    `output[i0, ..., i_axis, ..., i_(r-1)] = data[i0, ..., indices[i0, ..., i_(r-1)], ..., i_(r-1)]`.
    `indices` has the rank of `data` and no dim larger than data's, except along `axis`;
    the result has the shape of `indices`. `axis` is normalized to [0, rank); indices
    may be negative (counted from the end of the axis).
  }];
  let arguments = (ins Edge_IndexedTensor:$data, Edge_IndicesTensor:$indices, I64Attr:$axis);
  let results = (outs Edge_IndexedTensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_ScatterElementsOp : Edge_Op<"ScatterElements", [Pure]> {
  let summary = "Copy of `data` with `updates` written (or added, multiplied) along `axis` at `indices`";
  let description = [{
    The inverse of GatherElements: the result is `data` with, for every position p of
    `indices`, `output[p with p[axis] = indices[p]] = updates[p]` (`reduction = "none"`;
    "add" adds and "mul" multiplies instead, which bool elements do not allow). `updates`
    has the shape of `indices`, whose rank is data's. ONNX's deprecated Scatter is this op
    with `reduction = "none"`.
  }];
  let arguments = (ins Edge_IndexedTensor:$data, Edge_IndicesTensor:$indices,
                   Edge_IndexedTensor:$updates, I64Attr:$axis, Edge_ScatterReductionAttr:$reduction);
  let results = (outs Edge_IndexedTensor:$output);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_GatherNDOp : Edge_Op<"GatherND", [Pure]> {
  let summary = "Gather slices of `data` addressed by the last dim of `indices`";
  let description = [{
    With `b = batch_dims`, `k = indices.shape[-1]` (1 <= k <= rank(data) - b): the first
    b dims of data and indices are batch dims (equal sizes); each k-tuple of indices
    addresses data dims b .. b+k-1 within its batch, and the result is
    `indices.shape[:-1] + data.shape[b+k:]`.
  }];
  let arguments = (ins Edge_IndexedTensor:$data, Edge_IndicesTensor:$indices, I64Attr:$batch_dims);
  let results = (outs Edge_IndexedTensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_ScatterNDOp : Edge_Op<"ScatterND", [Pure]> {
  let summary = "Copy of `data` with slices of `updates` written (or added, multiplied) at `indices`";
  let description = [{
    With `k = indices.shape[-1]` (1 <= k <= rank(data)): each k-tuple of indices addresses
    a slice `data[i0, ..., i_(k-1), ...]`, which the matching slice of `updates`
    (shape `indices.shape[:-1] + data.shape[k:]`) replaces (`reduction = "none"`; "add"
    and "mul" combine instead, not for bool), in index order.
  }];
  let arguments = (ins Edge_IndexedTensor:$data, Edge_IndicesTensor:$indices,
                   Edge_IndexedTensor:$updates, Edge_ScatterReductionAttr:$reduction);
  let results = (outs Edge_IndexedTensor:$output);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // EDGE_INDEXING_OPS_TD
