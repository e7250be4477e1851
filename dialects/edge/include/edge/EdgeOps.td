#ifndef EDGE_OPS_TD
#define EDGE_OPS_TD

include "edge/EdgeBase.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Every tensor in the edge dialect is statically shaped.
def Edge_Tensor : StaticShapeTensorOf<[AnyType]>;
def Edge_OptTensor : Optional<Edge_Tensor>;
def Edge_FloatTensor : StaticShapeTensorOf<[AnyFloat]>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Edge_ConstantOp : Edge_Op<"constant", [ConstantLike, Pure, AllTypesMatch<["value", "output"]>]> {
  let summary = "A constant tensor (ONNX initializer or Constant node)";
  let description = [{
    Large values are stored as `dense_resource` blobs so that weights are never
    copied into textual attributes; small ones (shape parameters, scalars) as
    `dense` so that passes can fold them.
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// Binary ops broadcast their operands with numpy rules; the result shape must be
// the broadcast shape.
class Edge_BinaryOp<string mnemonic, list<Trait> traits = []> :
    Edge_Op<mnemonic, !listconcat(traits, [Pure])> {
  let arguments = (ins Edge_Tensor:$lhs, Edge_Tensor:$rhs);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_AddOp : Edge_BinaryOp<"Add", [Commutative]> { let summary = "Elementwise sum"; }
def Edge_SubOp : Edge_BinaryOp<"Sub"> { let summary = "Elementwise difference"; }
def Edge_MulOp : Edge_BinaryOp<"Mul", [Commutative]> { let summary = "Elementwise product"; }
def Edge_DivOp : Edge_BinaryOp<"Div"> { let summary = "Elementwise quotient"; }
def Edge_PowOp : Edge_BinaryOp<"Pow"> {
  let summary = "Elementwise power (the exponent may have another element type)";
}

def Edge_WhereOp : Edge_Op<"Where", [Pure]> {
  let summary = "Select elements from X where cond is true, else from Y (broadcast)";
  let arguments = (ins StaticShapeTensorOf<[I1]>:$condition, Edge_Tensor:$x, Edge_Tensor:$y);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$condition `,` $x `,` $y attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

// Unary ops keep the operand type.
class Edge_UnaryOp<string mnemonic, string doc> :
    Edge_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = doc;
  let arguments = (ins Edge_Tensor:$input);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Edge_ReluOp : Edge_UnaryOp<"Relu", "max(x, 0)">;
def Edge_SigmoidOp : Edge_UnaryOp<"Sigmoid", "1 / (1 + exp(-x))">;
def Edge_TanhOp : Edge_UnaryOp<"Tanh", "Hyperbolic tangent">;
def Edge_SqrtOp : Edge_UnaryOp<"Sqrt", "Square root">;
def Edge_ErfOp : Edge_UnaryOp<"Erf", "Gauss error function">;
def Edge_ExpOp : Edge_UnaryOp<"Exp", "Natural exponential">;
def Edge_LogOp : Edge_UnaryOp<"Log", "Natural logarithm">;
def Edge_NegOp : Edge_UnaryOp<"Neg", "-x">;
def Edge_AbsOp : Edge_UnaryOp<"Abs", "|x|">;
def Edge_ReciprocalOp : Edge_UnaryOp<"Reciprocal", "1 / x">;

def Edge_ClipOp : Edge_Op<"Clip", [Pure, AttrSizedOperandSegments]> {
  let summary = "Clamp to [min, max]; absent bounds do not clamp";
  let arguments = (ins Edge_Tensor:$input, Edge_OptTensor:$min, Edge_OptTensor:$max);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = [{
    $input (`min` $min^)? (`max` $max^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Edge_SoftmaxOp : Edge_Op<"Softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax along one axis";
  let arguments = (ins Edge_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Edge_LayerNormalizationOp : Edge_Op<"LayerNormalization", [Pure]> {
  let summary = "Layer normalization over the dims from `axis` on";
  let description = [{
    Results: Y, then optionally Mean and InvStdDev (shape: X's dims before `axis`,
    then 1s), as in ONNX.
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$scale,
                   Optional<Edge_FloatTensor>:$bias, I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs Variadic<Edge_FloatTensor>:$outputs);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_BatchNormalizationOp : Edge_Op<"BatchNormalization", [Pure]> {
  let summary = "Inference-mode batch normalization over channel axis 1";
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$scale,
                   Edge_FloatTensor:$bias, Edge_FloatTensor:$mean,
                   Edge_FloatTensor:$var, F32Attr:$epsilon);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $var attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

def Edge_MatMulOp : Edge_Op<"MatMul", [Pure]> {
  let summary = "numpy.matmul: batched, broadcasting, 1-D operands promoted";
  let arguments = (ins Edge_FloatTensor:$a, Edge_FloatTensor:$b);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = "$a `,` $b attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_GemmOp : Edge_Op<"Gemm", [Pure]> {
  let summary = "alpha * op(A) * op(B) + beta * C";
  let arguments = (ins Edge_FloatTensor:$a, Edge_FloatTensor:$b,
                   Optional<Edge_FloatTensor>:$c,
                   DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0f">:$beta,
                   DefaultValuedAttr<I64Attr, "0">:$transA,
                   DefaultValuedAttr<I64Attr, "0">:$transB);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_ConvOp : Edge_Op<"Conv", [Pure]> {
  let summary = "N-d convolution (NC... layout) with groups and explicit pads";
  let description = [{
    `pads` holds all begins then all ends over the spatial dims (auto_pad is resolved
    by the frontend). `activation` is "" (none), "Relu" or "Clip" with
    [act_min, act_max]: a fused epilogue.
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$weight,
                   Optional<Edge_FloatTensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$group,
                   DefaultValuedAttr<StrAttr, "\"\"">:$activation,
                   DefaultValuedAttr<F32Attr, "0.0f">:$act_min,
                   DefaultValuedAttr<F32Attr, "0.0f">:$act_max);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

class Edge_PoolOp<string mnemonic, string doc, dag extraArgs> : Edge_Op<mnemonic, [Pure]> {
  let summary = doc;
  let arguments = !con((ins Edge_Tensor:$input, DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                            DenseI64ArrayAttr:$dilations), extraArgs);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_MaxPoolOp : Edge_PoolOp<"MaxPool", "Max pooling (pads are -inf)", (ins)>;
def Edge_AveragePoolOp : Edge_PoolOp<"AveragePool", "Average pooling",
    (ins DefaultValuedAttr<I64Attr, "0">:$count_include_pad)>;

def Edge_GlobalAveragePoolOp : Edge_Op<"GlobalAveragePool", [Pure]> {
  let summary = "Mean over all spatial dims, which become 1";
  let arguments = (ins Edge_FloatTensor:$input);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Edge_ReshapeOp : Edge_Op<"Reshape", [Pure]> {
  let summary = "Same elements, new static shape (Reshape, Flatten, Squeeze, Unsqueeze)";
  let arguments = (ins Edge_Tensor:$input);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Edge_TransposeOp : Edge_Op<"Transpose", [Pure]> {
  let summary = "Permute dims: output dim i is input dim perm[i]";
  let arguments = (ins Edge_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Edge_ConcatOp : Edge_Op<"Concat", [Pure]> {
  let summary = "Concatenate along `axis`";
  let arguments = (ins Variadic<Edge_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_SliceOp : Edge_Op<"Slice", [Pure]> {
  let summary = "Strided slice with one normalized (start, end, step) per dim";
  let arguments = (ins Edge_Tensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_GatherOp : Edge_Op<"Gather", [Pure]> {
  let summary = "Gather slices of `data` along `axis` by `indices` (negative allowed)";
  let arguments = (ins Edge_Tensor:$data, StaticShapeTensorOf<[I32, I64]>:$indices,
                   I64Attr:$axis);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_ExpandOp : Edge_Op<"Expand", [Pure]> {
  let summary = "Broadcast to the result shape";
  let arguments = (ins Edge_Tensor:$input);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_CastOp : Edge_Op<"Cast", [Pure]> {
  let summary = "Convert elements to the result's element type";
  let arguments = (ins Edge_Tensor:$input);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Edge_ReduceOp<string mnemonic, string doc> : Edge_Op<mnemonic, [Pure]> {
  let summary = doc;
  let description = [{
    `axes` are sorted and normalized; empty means all dims. `keepdims` keeps reduced
    dims as 1.
  }];
  let arguments = (ins Edge_Tensor:$input, DenseI64ArrayAttr:$axes, I64Attr:$keepdims);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_ReduceMeanOp : Edge_ReduceOp<"ReduceMean", "Mean over `axes`">;
def Edge_ReduceSumOp : Edge_ReduceOp<"ReduceSum", "Sum over `axes`">;
def Edge_ReduceMaxOp : Edge_ReduceOp<"ReduceMax", "Maximum over `axes`">;
def Edge_ReduceMinOp : Edge_ReduceOp<"ReduceMin", "Minimum over `axes`">;

#endif // EDGE_OPS_TD
