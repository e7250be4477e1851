#ifndef EDGE_STATE_OPS_TD
#define EDGE_STATE_OPS_TD

// Persistent state: tensors that keep their value from one call of a package function to
// the next (a running sum, a ring buffer, an LLM's KV cache). Included by EdgeOps.td.

include "mlir/IR/SymbolInterfaces.td"

// State is memory that outlives a call: reads and writes are effects on it, so passes
// neither fold, reorder nor drop them.
def Edge_StateResource : Resource<"::mlir::edge::StateResource">;

def Edge_StateOp : Edge_Op<"state", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "A persistent state tensor of the module, shared by its functions";
  let description = [{
    Declares a tensor that lives as long as the session, not one call: every function
    of the module may read it (`edge.state_read`) and write it (`edge.state_write`),
    and its value carries over to the next call of any function. It starts as
    `initial_value` (zeros if absent) and returns to it on a reset (the C API's
    `edgec_session_reset_state`). The host target gives it a `State` tensor of the
    package; an LLM's KV cache is one `edge.state` per layer.

    ```mlir
    edge.state @acc : tensor<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttrOf<Edge_Tensor>:$type,
                   OptionalAttr<ElementsAttr>:$initial_value);
  let assemblyFormat = "$sym_name `:` $type (`=` $initial_value^)? attr-dict";
  let hasVerifier = 1;
}

def Edge_StateReadOp : Edge_Op<"state_read", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>,
    MemoryEffects<[MemRead<Edge_StateResource>]>]> {
  let summary = "The current value of a state tensor";
  let description = [{
    The value the state holds when this op runs. Within one function, the host target
    requires every use of the value to come before the next `edge.state_write` of the
    same state (it does not copy the state to keep an old value alive).
  }];
  let arguments = (ins FlatSymbolRefAttr:$state);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$state attr-dict `:` type($output)";
}

def Edge_StateWriteOp : Edge_Op<"state_write", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>,
    MemoryEffects<[MemWrite<Edge_StateResource>]>]> {
  let summary = "Store a new value into a state tensor";
  let description = [{
    From this op on (and in later calls) the state holds `value`. A write of a value
    computed in place from the state itself (`edge.DynamicUpdateSlice` of an
    `edge.state_read` of the same state) costs nothing: the host target plans the
    update into the state's own bytes.
  }];
  let arguments = (ins FlatSymbolRefAttr:$state, Edge_Tensor:$value);
  let assemblyFormat = "$state `,` $value attr-dict `:` type($value)";
}

def Edge_DynamicUpdateSliceOp : Edge_Op<"DynamicUpdateSlice", [Pure]> {
  let summary = "The operand with `update` written at positions given at run time";
  let description = [{
    `output` is `operand` with the block `update` written starting at `starts` (one
    i64 index per dimension, known only at run time, e.g. a decode step's position).
    Starts are clamped so that the update fits, as StableHLO's
    dynamic_update_slice. `update` has the operand's element type and rank and is no
    larger in any dimension.
  }];
  let arguments = (ins Edge_Tensor:$operand, Edge_Tensor:$update,
                   StaticShapeTensorOf<[I64]>:$starts);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = [{
    $operand `,` $update `,` $starts attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // EDGE_STATE_OPS_TD
