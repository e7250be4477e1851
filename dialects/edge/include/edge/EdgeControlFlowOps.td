#ifndef EDGE_CONTROL_FLOW_OPS_TD
#define EDGE_CONTROL_FLOW_OPS_TD

// ONNX's control flow: If, Scan and Loop. Their subgraphs are functions of the module
// (private func.func, referenced by symbol) rather than regions: every pass, the
// calibration observer and the host target already work one function at a time, and a
// package already holds several functions (an LLM's prefill and decode), so a branch or
// loop body becomes a package function as it is, planned over its own arena. The ops
// pass every value a body reads explicitly (ONNX subgraphs capture outer values by
// name; the importer turns those captures into arguments). Included by EdgeOps.td;
// verifiers in ControlFlowOps.cpp.

include "mlir/IR/SymbolInterfaces.td"

def Edge_IfOp : Edge_Op<"If", [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "ONNX If: call one of two functions, chosen by a run-time boolean";
  let description = [{
    `cond` (one bool element) selects `then_branch` or `else_branch`; the chosen
    function is called with `inputs` and its results are the op's. Both functions take
    exactly the types of `inputs` and return exactly the op's result types (ONNX lets
    branches differ in shape; edgec compiles static shapes, so they may not).

    ```mlir
    %y = edge.If %c, %x then @main.if.then else @main.if.else : (tensor<i1>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins TensorOf<[I1]>:$cond, Variadic<Edge_Tensor>:$inputs,
                   FlatSymbolRefAttr:$then_branch, FlatSymbolRefAttr:$else_branch);
  let results = (outs Variadic<Edge_Tensor>:$outputs);
  let assemblyFormat = [{
    $cond (`,` $inputs^)? `then` $then_branch `else` $else_branch attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_ScanOp : Edge_Op<"Scan", [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "ONNX Scan (opset 9+): a loop over slices of its scan inputs, carrying state";
  let description = [{
    Operands: N initial states, then M scan inputs (`num_scan_inputs`), then the
    values the body reads from outside (captures). The body function takes the N
    states, one slice of each scan input (the scan axis removed) and the captures, and
    returns N new states and K scan-output slices. Iteration t (of the scan inputs'
    common length along their `scan_input_axes`) reads slice t, or length-1-t where
    `scan_input_directions` is 1. Results: the N final states, then the K scan outputs,
    the slices stacked along `scan_output_axes` (reversed where
    `scan_output_directions` is 1). Axes are normalized.
  }];
  let arguments = (ins Variadic<Edge_Tensor>:$inputs, FlatSymbolRefAttr:$body, I64Attr:$num_states,
                   I64Attr:$num_scan_inputs, DenseI64ArrayAttr:$scan_input_axes,
                   DenseI64ArrayAttr:$scan_input_directions, DenseI64ArrayAttr:$scan_output_axes,
                   DenseI64ArrayAttr:$scan_output_directions);
  let results = (outs Variadic<Edge_Tensor>:$outputs);
  let assemblyFormat = [{
    $inputs `body` $body attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_LoopOp : Edge_Op<"Loop", [Pure, AttrSizedOperandSegments,
                                   DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "ONNX Loop: call the body while a trip count and a condition allow";
  let description = [{
    `max_trip_count` (one int64; absent: no limit) and `cond` (one bool; absent: true)
    decide how often the body runs: iteration i runs while i < max_trip_count and the
    condition holds (the initial `cond`, then the body's first result). The body takes
    the iteration number (an i64 scalar), the condition (an i1 scalar), the
    `num_carried` loop-carried values and then the captured values (the operands after
    the carried ones); it returns the next condition, the carried values' next values
    (same types) and one slice of each scan output. Results: the carried values' final
    values, then each scan output's slices stacked along a new axis 0.

    A scan output's leading dim is its capacity (the constant trip count, or the size
    the model declares for it), which the arena is planned for; the kernel sets the
    actual number of iterations when it runs and fails, naming the node, on a run that
    would take more (as the other ops with data-dependent sizes).
  }];
  let arguments = (ins Optional<StaticShapeTensorOf<[I64]>>:$max_trip_count, Optional<TensorOf<[I1]>>:$cond,
                   Variadic<Edge_Tensor>:$inputs, FlatSymbolRefAttr:$body, I64Attr:$num_carried);
  let results = (outs Variadic<Edge_Tensor>:$outputs);
  let assemblyFormat = [{
    (`trip` $max_trip_count^)? (`cond` $cond^)? (`,` $inputs^)? `body` $body attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // EDGE_CONTROL_FLOW_OPS_TD
