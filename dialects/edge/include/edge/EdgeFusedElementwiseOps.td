#ifndef EDGE_FUSED_ELEMENTWISE_OPS_TD
#define EDGE_FUSED_ELEMENTWISE_OPS_TD

// edge.FusedElementwise: what edge-fuse-elementwise makes of a chain of elementwise ops
// (no ONNX node has it).

def Edge_FusedElementwiseOp : Edge_Op<"FusedElementwise", [Pure]> {
  let summary = "A chain of f32 elementwise ops evaluated in one pass (edge-fuse-elementwise)";
  let description = [{
    A small program over registers, evaluated per element of the result: registers
    `0 .. N-1` are the inputs (each broadcast to the result shape with numpy rules),
    step `k` writes register `N + k`, and the result is the last step's register.
    Step `k` is `ops[k]` (an ONNX op name) on registers `args[2k]` and `args[2k + 1]`
    (-1 for a unary op and for Pow, whose exponent is a constant) with the constants
    `params[2k]`, `params[2k + 1]`:

    | op | params |
    |---|---|
    | Add, Sub, Mul, Div (two registers, ONNX's operand order) | - |
    | Pow (one register) | exponent, - |
    | Clip | min, max (absent bounds: -inf, +inf) |
    | LeakyRelu, Elu | alpha, - |
    | HardSigmoid | alpha, beta |
    | Relu, Sigmoid, Tanh, Erf, Exp, Log, Neg, Abs, Sqrt, Reciprocal, HardSwish, Softplus | - |

    Each step computes exactly what the single op's kernel computes, so fused and
    unfused execution give the same bits with the same kernel set (ref or x86).
    `edge-fuse-elementwise` creates it; the kernels are in runtime/kernels/README.md.

    Quantized (a table): input 0 and the result per-tensor i8/u8, every other input an
    f32 constant of one element. The program is then a function of one code, computed
    through a 256-entry table built when the kernel is prepared: for each input code q,
    the code that DequantizeLinear -> the f32 program -> QuantizeLinear gives (ONNX
    semantics, the f32 steps as above), so the table op equals the three ops it
    replaces bit for bit. `edge-fuse-elementwise` makes it of a DequantizeLinear ->
    FusedElementwise -> QuantizeLinear chain (static INT8's GELU between two int8
    MatMuls).
  }];
  let arguments = (ins Variadic<Edge_Tensor>:$inputs, StrArrayAttr:$ops,
                   DenseI64ArrayAttr:$args, DenseF32ArrayAttr:$params);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    // The most inputs and steps the kernels take (their register file).
    static constexpr int64_t kMaxInputs = 8, kMaxSteps = 24;
    // A table over one quantized input (see the description).
    bool isQuantizedTable();
  }];
}

#endif // EDGE_FUSED_ELEMENTWISE_OPS_TD
