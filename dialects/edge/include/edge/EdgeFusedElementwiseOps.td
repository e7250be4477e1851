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
  }];
  let arguments = (ins Variadic<StaticShapeTensorOf<[F32]>>:$inputs, StrArrayAttr:$ops,
                   DenseI64ArrayAttr:$args, DenseF32ArrayAttr:$params);
  let results = (outs StaticShapeTensorOf<[F32]>:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    // The most inputs and steps the kernels take (their register file).
    static constexpr int64_t kMaxInputs = 8, kMaxSteps = 24;
  }];
}

#endif // EDGE_FUSED_ELEMENTWISE_OPS_TD
