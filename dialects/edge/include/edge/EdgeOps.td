#ifndef EDGE_OPS_TD
#define EDGE_OPS_TD

include "edge/EdgeBase.td"
include "edge/EdgeTypes.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// `!quant.uniform`, per-tensor or per-axis (edge/QuantTypes.h).
def Edge_UniformQuantized : Type<CPred<"::mlir::edge::isUniformQuantized($_self)">,
                                 "quant.uniform">;
// GGUF blocks are opaque: only constants hold them (weight-only ops that decode them
// will take them explicitly), so no op reads one as numbers by accident.
def Edge_NonBlockType : Type<CPred<"!::llvm::isa<::mlir::edge::BlockType>($_self)">,
                             "any type but !edge.block">;

// Every tensor in the edge dialect is statically shaped.
def Edge_Tensor : StaticShapeTensorOf<[Edge_NonBlockType]>;
def Edge_AnyTensor : StaticShapeTensorOf<[AnyType]>;
def Edge_OptTensor : Optional<Edge_Tensor>;
def Edge_FloatTensor : StaticShapeTensorOf<[AnyFloat]>;
// Ops with integer kernels for quantized tensors (requantizing to the result's scale)
// take float or `!quant.uniform` elements; their verifiers compare storage types
// (isSameElementKind), not whole types.
def Edge_QuantizableFloatTensor : StaticShapeTensorOf<[AnyFloat, Edge_UniformQuantized]>;
def Edge_QuantizedTensor : StaticShapeTensorOf<[Edge_UniformQuantized]>;
def Edge_BoolTensor : StaticShapeTensorOf<[I1]>;
// Numbers: floats and (signless or unsigned) integers, not bool.
def Edge_NumericTensor : StaticShapeTensorOf<[AnyFloat, I8, I16, I32, I64, UI8, UI16, UI32, UI64]>;
def Edge_QuantizableNumericTensor :
    StaticShapeTensorOf<[AnyFloat, I8, I16, I32, I64, UI8, UI16, UI32, UI64, Edge_UniformQuantized]>;

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
  let results = (outs Edge_AnyTensor:$output);
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
  let hasCanonicalizer = 1;
}

def Edge_WhereOp : Edge_Op<"Where", [Pure]> {
  let summary = "Select elements from X where cond is true, else from Y (broadcast)";
  let arguments = (ins StaticShapeTensorOf<[I1]>:$condition, Edge_Tensor:$x, Edge_Tensor:$y);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$condition `,` $x `,` $y attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

// Unary ops keep the operand type, except that a quantized result may have its own
// scale and zero point (a lookup-table kernel maps input codes to output codes, and
// Sigmoid/Tanh want a fixed output range). The result type is printed only when it
// differs: `: T` or `: T -> U`.
class Edge_UnaryOp<string mnemonic, string doc> :
    Edge_Op<mnemonic, [Pure, AllShapesMatch<["input", "output"]>]> {
  let summary = doc;
  let arguments = (ins Edge_Tensor:$input);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` custom<UnaryTypes>(type($input), type($output))";
  let hasVerifier = 1;
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
  let extraClassDeclaration = [{
    // [min, max] when each bound is absent (-inf, +inf) or a constant readable as f32:
    // what a Conv's fused Clip epilogue takes.
    std::optional<std::array<float, 2>> getConstantBounds();
  }];
}

// Elementwise math on one operand (ref/unary_math.cpp: one kernel family). Parameters
// are f32 attributes whose ONNX defaults the frontend writes out, so the IR always
// states them.
class Edge_MathOp<string mnemonic, string doc, Type operandType, dag attrs = (ins)> :
    Edge_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = doc;
  let arguments = !con((ins operandType:$input), attrs);
  let results = (outs operandType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

// Activations with int8 kernels in other runtimes (lookup tables): float or quantized
// as Relu/Sigmoid; a quantized result may have its own scale (`: T` or `: T -> U`).
class Edge_QuantizableMathOp<string mnemonic, string doc, dag attrs = (ins)> :
    Edge_Op<mnemonic, [Pure, AllShapesMatch<["input", "output"]>]> {
  let summary = doc;
  let arguments = !con((ins Edge_QuantizableFloatTensor:$input), attrs);
  let results = (outs Edge_QuantizableFloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` custom<UnaryTypes>(type($input), type($output))";
  let hasVerifier = 1;
}

def Edge_LeakyReluOp : Edge_QuantizableMathOp<"LeakyRelu", "x < 0 ? alpha * x : x",
                                              (ins F32Attr:$alpha)>;
def Edge_EluOp : Edge_MathOp<"Elu", "x < 0 ? alpha * (exp(x) - 1) : x", Edge_FloatTensor,
                             (ins F32Attr:$alpha)>;
def Edge_SeluOp : Edge_MathOp<"Selu", "gamma * (x <= 0 ? alpha * (exp(x) - 1) : x)",
                              Edge_FloatTensor, (ins F32Attr:$alpha, F32Attr:$gamma)>;
def Edge_HardSigmoidOp : Edge_QuantizableMathOp<"HardSigmoid", "max(0, min(1, alpha * x + beta))",
                                                (ins F32Attr:$alpha, F32Attr:$beta)>;
def Edge_ThresholdedReluOp : Edge_MathOp<"ThresholdedRelu", "x > alpha ? x : 0", Edge_FloatTensor,
                                         (ins F32Attr:$alpha)>;
// ONNX defines Shrink on every numeric type; integers compare and shift in double and
// convert back (the bias of an integer case is integral in practice).
def Edge_ShrinkOp : Edge_MathOp<"Shrink", "x < -lambd ? x + bias : (x > lambd ? x - bias : 0)",
                                Edge_NumericTensor, (ins F32Attr:$lambd, F32Attr:$bias)>;
def Edge_HardSwishOp : Edge_QuantizableMathOp<"HardSwish", "x * max(0, min(1, x / 6 + 1 / 2))">;
def Edge_SoftplusOp : Edge_MathOp<"Softplus", "log(exp(x) + 1)", Edge_FloatTensor>;
def Edge_SoftsignOp : Edge_MathOp<"Softsign", "x / (1 + |x|)", Edge_FloatTensor>;
def Edge_SinOp : Edge_MathOp<"Sin", "Sine", Edge_FloatTensor>;
def Edge_CosOp : Edge_MathOp<"Cos", "Cosine", Edge_FloatTensor>;
def Edge_TanOp : Edge_MathOp<"Tan", "Tangent", Edge_FloatTensor>;
def Edge_AsinOp : Edge_MathOp<"Asin", "Arcsine", Edge_FloatTensor>;
def Edge_AcosOp : Edge_MathOp<"Acos", "Arccosine", Edge_FloatTensor>;
def Edge_AtanOp : Edge_MathOp<"Atan", "Arctangent", Edge_FloatTensor>;
def Edge_SinhOp : Edge_MathOp<"Sinh", "Hyperbolic sine", Edge_FloatTensor>;
def Edge_CoshOp : Edge_MathOp<"Cosh", "Hyperbolic cosine", Edge_FloatTensor>;
def Edge_AsinhOp : Edge_MathOp<"Asinh", "Inverse hyperbolic sine", Edge_FloatTensor>;
def Edge_AcoshOp : Edge_MathOp<"Acosh", "Inverse hyperbolic cosine", Edge_FloatTensor>;
def Edge_AtanhOp : Edge_MathOp<"Atanh", "Inverse hyperbolic tangent", Edge_FloatTensor>;
def Edge_FloorOp : Edge_MathOp<"Floor", "Round toward -inf", Edge_FloatTensor>;
def Edge_CeilOp : Edge_MathOp<"Ceil", "Round toward +inf", Edge_FloatTensor>;
def Edge_RoundOp : Edge_MathOp<"Round", "Round to nearest, halves to even", Edge_FloatTensor>;
def Edge_SignOp : Edge_MathOp<"Sign", "-1, 0 or 1 (NaN stays NaN)", Edge_NumericTensor>;
def Edge_NotOp : Edge_MathOp<"Not", "Logical negation", Edge_BoolTensor>;

// Float classification: a bool result of the input's shape.
class Edge_FloatPredicateOp<string mnemonic, string doc, dag attrs = (ins)> :
    Edge_Op<mnemonic, [Pure, AllShapesMatch<["input", "output"]>]> {
  let summary = doc;
  let arguments = !con((ins Edge_FloatTensor:$input), attrs);
  let results = (outs Edge_BoolTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Edge_IsNaNOp : Edge_FloatPredicateOp<"IsNaN", "x is NaN">;
def Edge_IsInfOp : Edge_FloatPredicateOp<"IsInf", "x is an infinity of a detected sign",
                                         (ins I64Attr:$detect_negative, I64Attr:$detect_positive)> {
  let hasVerifier = 1;
}

// Comparisons and logic: operands of one element type broadcast (numpy rules); the
// result is bool with the broadcast shape.
class Edge_PredicateOp<string mnemonic, string doc, Type operandType, list<Trait> traits = []> :
    Edge_Op<mnemonic, !listconcat(traits, [Pure])> {
  let summary = doc;
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs Edge_BoolTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_EqualOp : Edge_PredicateOp<"Equal", "a == b", Edge_Tensor, [Commutative]>;
def Edge_LessOp : Edge_PredicateOp<"Less", "a < b", Edge_NumericTensor>;
def Edge_GreaterOp : Edge_PredicateOp<"Greater", "a > b", Edge_NumericTensor>;
def Edge_LessOrEqualOp : Edge_PredicateOp<"LessOrEqual", "a <= b", Edge_NumericTensor>;
def Edge_GreaterOrEqualOp : Edge_PredicateOp<"GreaterOrEqual", "a >= b", Edge_NumericTensor>;
def Edge_AndOp : Edge_PredicateOp<"And", "Logical and", Edge_BoolTensor, [Commutative]>;
def Edge_OrOp : Edge_PredicateOp<"Or", "Logical or", Edge_BoolTensor, [Commutative]>;
def Edge_XorOp : Edge_PredicateOp<"Xor", "Logical exclusive or", Edge_BoolTensor, [Commutative]>;

// Variadic elementwise ops: one or more operands of one element type broadcast together.
class Edge_VariadicOp<string mnemonic, string doc, Type operandType> :
    Edge_Op<mnemonic, [Pure]> {
  let summary = doc;
  let arguments = (ins Variadic<operandType>:$inputs);
  let results = (outs operandType:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

// Quantized operands may each have their own scale, as Add's (the kernel requantizes to
// the result's); storage and expressed types must agree.
def Edge_MinOp : Edge_VariadicOp<"Min", "Elementwise minimum (NaN propagates)",
                                 Edge_QuantizableNumericTensor>;
def Edge_MaxOp : Edge_VariadicOp<"Max", "Elementwise maximum (NaN propagates)",
                                 Edge_QuantizableNumericTensor>;
def Edge_SumOp : Edge_VariadicOp<"Sum", "Elementwise sum", Edge_QuantizableFloatTensor>;
def Edge_MeanOp : Edge_VariadicOp<"Mean", "Elementwise mean", Edge_QuantizableFloatTensor>;

def Edge_PReluOp : Edge_Op<"PRelu", [Pure]> {
  let summary = "x < 0 ? slope * x : x; slope broadcasts to x (one direction)";
  let arguments = (ins Edge_NumericTensor:$input, Edge_NumericTensor:$slope);
  let results = (outs Edge_NumericTensor:$output);
  let assemblyFormat = "$input `,` $slope attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_BitShiftOp : Edge_Op<"BitShift", [Pure]> {
  let summary = "Unsigned integers shifted LEFT or RIGHT by the amounts of `rhs` (broadcast)";
  let description = [{
    ONNX BitShift: `direction` is "LEFT" or "RIGHT". A shift by the element's bit width
    or more gives 0 (every bit shifted out), where C++ and x86 leave it undefined or
    take the amount modulo the width.
  }];
  let arguments = (ins StaticShapeTensorOf<[UI8, UI16, UI32, UI64]>:$lhs,
                   StaticShapeTensorOf<[UI8, UI16, UI32, UI64]>:$rhs, StrAttr:$direction);
  let results = (outs StaticShapeTensorOf<[UI8, UI16, UI32, UI64]>:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_ModOp : Edge_Op<"Mod", [Pure]> {
  let summary = "Remainder (broadcast): fmod = 0 takes the divisor's sign, 1 the dividend's";
  let description = [{
    `fmod = 0` is integer-only (Python's `%`); float operands need `fmod = 1` (C `fmod`),
    as in ONNX.
  }];
  let arguments = (ins Edge_NumericTensor:$lhs, Edge_NumericTensor:$rhs, I64Attr:$fmod);
  let results = (outs Edge_NumericTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_RangeOp : Edge_Op<"Range", [Pure]> {
  let summary = "output[i] = start + i * delta; the length is the result's static size";
  let arguments = (ins Edge_NumericTensor:$start, Edge_NumericTensor:$limit,
                   Edge_NumericTensor:$delta);
  let results = (outs Edge_NumericTensor:$output);
  let assemblyFormat = [{
    $start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_ShapeOp : Edge_Op<"Shape", [Pure]> {
  let summary = "the input's dims start .. end (i64) as they are at run time";
  let description = [{
    ONNX's Shape, kept as an op only in a model with dynamic dims (the importer folds it
    into a constant otherwise): the kernel writes the dims the input has on this run, so
    sizes computed from a dynamic dim (a Range's limit, a mask's shape) follow it.
    `start` and `end` are normalized: 0 <= start <= end <= rank.
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$start, I64Attr:$end);
  let results = (outs 1DTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

// A quantized result may have its own scale (int8 kernels use 1/256).
class Edge_SoftmaxLikeOp<string mnemonic, string doc> :
    Edge_Op<mnemonic, [Pure, AllShapesMatch<["input", "output"]>]> {
  let summary = doc;
  let arguments = (ins Edge_QuantizableFloatTensor:$input, I64Attr:$axis);
  let results = (outs Edge_QuantizableFloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` custom<UnaryTypes>(type($input), type($output))";
  let hasVerifier = 1;
}

def Edge_SoftmaxOp : Edge_SoftmaxLikeOp<"Softmax", "Softmax along one axis">;
def Edge_LogSoftmaxOp : Edge_SoftmaxLikeOp<"LogSoftmax", "log(softmax(x)) along one axis, computed stably">;

def Edge_LayerNormalizationOp : Edge_Op<"LayerNormalization", [Pure]> {
  let summary = "Layer normalization over the dims from `axis` on";
  let description = [{
    Results: Y, then optionally Mean and InvStdDev (shape: X's dims before `axis`,
    then 1s), as in ONNX.

    On codes (edge-fuse-elementwise folds static INT8's DequantizeLinear -> LayerNorm
    -> QuantizeLinear into it): X quantized per tensor to 8 bits, Scale and B f32, one
    result Y, quantized per tensor to 8 bits or f32. The statistics are then integer
    sums of the codes (runtime/kernels/README.md, "Integer LayerNormalization").
  }];
  let arguments = (ins Edge_QuantizableFloatTensor:$input, Edge_FloatTensor:$scale,
                   Optional<Edge_FloatTensor>:$bias, I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs Variadic<Edge_QuantizableFloatTensor>:$outputs);
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

def Edge_DetOp : Edge_Op<"Det", [Pure]> {
  let summary = "Determinant of each square matrix in the last two dims";
  let description = [{
    ONNX Det: `input` is [*, M, M], the result [*] of the same element type. The ref
    kernel factors each matrix (LU with partial pivoting) in double.
  }];
  let arguments = (ins Edge_FloatTensor:$input);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_MatMulOp : Edge_Op<"MatMul", [Pure]> {
  let summary = "numpy.matmul: batched, broadcasting, 1-D operands promoted";
  let description = [{
    Quantized: A per-tensor, B per-tensor or per-axis along its last dim (one scale
    per output column); their storage may differ (u8 activations times i8 weights,
    as ONNX Runtime's QLinearMatMul); the result is quantized with its own scale.
  }];
  let arguments = (ins Edge_QuantizableFloatTensor:$a, Edge_QuantizableFloatTensor:$b);
  let results = (outs Edge_QuantizableFloatTensor:$output);
  let assemblyFormat = "$a `,` $b attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_GemmOp : Edge_Op<"Gemm", [Pure]> {
  let summary = "alpha * op(A) * op(B) + beta * C";
  let description = [{
    Quantized as MatMul (B per-axis along N); a quantized C has 32-bit storage (its
    scale is A's times B's, as ONNX QLinear ops' bias, checked to a relative 1e-6 per
    output channel; C per-tensor or per-axis along its last dim).
  }];
  let arguments = (ins Edge_QuantizableFloatTensor:$a, Edge_QuantizableFloatTensor:$b,
                   Optional<Edge_QuantizableFloatTensor>:$c,
                   DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0f">:$beta,
                   DefaultValuedAttr<I64Attr, "0">:$transA,
                   DefaultValuedAttr<I64Attr, "0">:$transB);
  let results = (outs Edge_QuantizableFloatTensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_ConvOp : Edge_Op<"Conv", [Pure, AttrSizedOperandSegments]> {
  let summary = "N-d convolution (NC... layout) with groups and explicit pads";
  let description = [{
    `pads` holds all begins then all ends over the spatial dims (auto_pad is resolved
    by the frontend). `activation` is a fused epilogue: "" (none), "Relu" or "Clip"
    with [act_min, act_max] (edge-fuse-activation), or, on a float Conv only,
    "Sigmoid", "Silu" (x * sigmoid(x)) or "HardSwish" (edge-fuse-epilogue).

    `residual` (edge-fuse-conv-residual; on a float Conv): a tensor of the result's
    type added to the convolution (bias included) before the activation, so
    `activation(conv + bias + residual)`, each sum rounded to f32 as the unfused Add
    does: a residual block's Add (and the Relu after it) without another pass over
    the activations.

    On a quantized Conv (edge-fuse-conv-residual, from a quantized Add): `residual`
    is the Add's other operand (per tensor, 8-bit, the result's shape) and the result
    has the Add's type; the convolution's own codes have the storage type of the result
    and the parameters `conv_scale` / `conv_zero_point` (the unfused Conv's result
    type), and the result is the quantized Add of those codes and the residual's,
    with the same arithmetic and bits as the two kernels. No activation: a Relu after
    the Add is the Add's output parameters (edge-quantize).

    On a quantized Conv (edge-fuse-conv-table, from a quantized FusedElementwise table
    such as static INT8's SiLU): `table_ops`, `table_args` and `table_params` are that
    table's program (as FusedElementwise's ops, args and params, over one register,
    the convolution's code), the convolution's own codes have the result's storage type
    and the parameters `conv_scale` / `conv_zero_point`, and the result (the table's
    type) is the table's entry for each code: the bytes of the two kernels. No residual
    and no activation with a table.

    Quantized (as ONNX QLinearConv): the input per-tensor, the weight per-tensor or
    per-axis along dim 0 (output channels), storage types may differ; the bias has
    32-bit storage and the input's scale times the weight's (per output channel, to a
    relative 1e-6); the result is quantized with its own scale. One expressed type.

    `thread_split` (edge-plan-thread-split) says how the kernels split the work over
    threads where the choice is not the kernel's to make alone: absent, the kernel's
    own choice; "channels", each thread computes every position of a run of output
    channels (set on a 1x1 Conv with more output than input channels whose results
    only depthwise Convs read: those split by channels, so each thread then reads the
    planes its own core wrote). A schedule only: the results are the same bits under
    any split.
  }];
  let arguments = (ins Edge_QuantizableFloatTensor:$input, Edge_QuantizableFloatTensor:$weight,
                   Optional<Edge_QuantizableFloatTensor>:$bias,
                   Optional<Edge_QuantizableFloatTensor>:$residual,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$group,
                   DefaultValuedAttr<StrAttr, "\"\"">:$activation,
                   DefaultValuedAttr<F32Attr, "0.0f">:$act_min,
                   DefaultValuedAttr<F32Attr, "0.0f">:$act_max,
                   OptionalAttr<F32Attr>:$conv_scale,
                   OptionalAttr<I64Attr>:$conv_zero_point,
                   OptionalAttr<StrArrayAttr>:$table_ops,
                   OptionalAttr<DenseI64ArrayAttr>:$table_args,
                   OptionalAttr<DenseF32ArrayAttr>:$table_params,
                   OptionalAttr<StrAttr>:$thread_split);
  let results = (outs Edge_QuantizableFloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? (`residual` `(` $residual^ `)`)? attr-dict `:` functional-type(operands, results)
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

class Edge_GlobalPoolOp<string mnemonic, string doc> : Edge_Op<mnemonic, [Pure]> {
  let summary = doc;
  let arguments = (ins Edge_QuantizableFloatTensor:$input);
  let results = (outs Edge_QuantizableFloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_GlobalAveragePoolOp : Edge_GlobalPoolOp<"GlobalAveragePool", "Mean over all spatial dims, which become 1">;
def Edge_GlobalMaxPoolOp : Edge_GlobalPoolOp<"GlobalMaxPool", "Maximum over all spatial dims, which become 1">;

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

// A shape parameter given as a run-time operand (Slice's starts, Pad's pads, ...): a
// static int32/int64 tensor of rank <= 1 whose values the kernel reads on every run.
def Edge_ShapeParam : Optional<StaticShapeTensorOf<[I32, I64]>>;

def Edge_SliceOp : Edge_Op<"Slice", [Pure, AttrSizedOperandSegments]> {
  let summary = "Strided slice with one normalized (start, end, step) per dim";
  let description = [{
    Known at compile time, the slice is the attributes: one normalized (start, end,
    step) per dim. Otherwise it is ONNX's own operands, read on every run: `starts_input`
    and `ends_input`, with `axes_input` and `steps_input` optional (absent: the first
    dims, steps of 1); the result type is then what those values must give, and the
    kernel fails a run whose values give another shape. Never both forms.
  }];
  let arguments = (ins Edge_Tensor:$input, Edge_ShapeParam:$starts_input, Edge_ShapeParam:$ends_input,
                   Edge_ShapeParam:$axes_input, Edge_ShapeParam:$steps_input,
                   OptionalAttr<DenseI64ArrayAttr>:$starts, OptionalAttr<DenseI64ArrayAttr>:$ends,
                   OptionalAttr<DenseI64ArrayAttr>:$steps);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = [{
    $input (`starts` $starts_input^)? (`ends` $ends_input^)? (`axes` $axes_input^)?
    (`steps` $steps_input^)? attr-dict `:` functional-type(operands, results)
  }];
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
  let description = [{
    The result type is the target shape. ONNX's shape input (Expand's `shape`,
    ConstantOfShape's input) is resolved into it at import when it is a constant; one
    known only at run time whose result type is static anyway stays the operand
    `shape_input` (i64, at most the result's rank values), read by the kernel on every
    run and checked to give the result shape. A constant target is also kept as
    `shape`, so that a package with dynamic dims can broadcast a run's input to it (a
    dim of 1 in the target follows the input, whatever size the input had when
    compiled).
  }];
  let arguments = (ins Edge_Tensor:$input, Optional<TensorOf<[I64]>>:$shape_input,
                   OptionalAttr<DenseI64ArrayAttr>:$shape);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = [{
    $input (`shape` `(` $shape_input^ `:` type($shape_input) `)`)? attr-dict `:` functional-type($input, results)
  }];
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

def Edge_SplitOp : Edge_Op<"Split", [Pure]> {
  let summary = "Split along `axis` into the results (their sizes along it are the split)";
  let description = [{
    The results' sizes along `axis` are the split. ONNX's split input known only at
    run time is the operand `split_input` (one size per result), which the kernel
    reads on every run and checks against those sizes.
  }];
  let arguments = (ins Edge_Tensor:$input, Edge_ShapeParam:$split_input, I64Attr:$axis);
  let results = (outs Variadic<Edge_Tensor>:$outputs);
  let assemblyFormat = [{
    $input (`split` $split_input^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_TileOp : Edge_Op<"Tile", [Pure]> {
  let summary = "Repeat the input `repeats[d]` times along each dim d";
  let description = [{
    `repeats` is the attribute, or, known only at run time, the operand
    `repeats_input` (one per dim), which the kernel reads on every run and checks
    gives the result shape; never both.
  }];
  let arguments = (ins Edge_Tensor:$input, Edge_ShapeParam:$repeats_input,
                   OptionalAttr<DenseI64ArrayAttr>:$repeats);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = [{
    $input (`repeats` $repeats_input^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_PadOp : Edge_Op<"Pad", [Pure, AttrSizedOperandSegments]> {
  let summary = "Pad (or crop, with negative pads) every dim; mode constant, reflect or edge";
  let description = [{
    `pads` holds all begins then all ends, one per input dim (ONNX `axes` are
    resolved by the frontend). `constant_value` (a one-element tensor of the input's
    element type; zero when absent) is only used, and only allowed, in constant mode.
    Pads known only at run time are ONNX's operands instead, read on every run:
    `pads_input` (begins then ends, one pair per padded axis) and `axes_input`
    (absent: every dim); then there is no `pads` attribute, and the result type is
    what the values must give (the kernel checks it).
  }];
  let arguments = (ins Edge_Tensor:$input, Edge_OptTensor:$constant_value, Edge_ShapeParam:$pads_input,
                   Edge_ShapeParam:$axes_input, StrAttr:$mode, OptionalAttr<DenseI64ArrayAttr>:$pads);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = [{
    $input (`,` $constant_value^)? (`pads` $pads_input^)? (`axes` $axes_input^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_TriluOp : Edge_Op<"Trilu", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "Keep the upper (or lower) triangle of the last two dims, from diagonal k";
  let description = [{
    `k` is the attribute when it is known at compile time (absent: 0), or else the
    one-element integer operand `k_input`, read at run time; never both.
  }];
  let arguments = (ins Edge_Tensor:$input, Optional<TensorOf<[I32, I64]>>:$k_input,
                   OptionalAttr<I64Attr>:$k, I64Attr:$upper);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = [{
    $input (`,` $k_input^ `:` type($k_input))? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Edge_ReduceOp<string mnemonic, string doc> : Edge_Op<mnemonic, [Pure]> {
  let summary = doc;
  let description = [{
    `axes` are sorted and normalized; empty means all dims. `keepdims` keeps reduced
    dims as 1. Quantized: ReduceMax/ReduceMin/ReduceSum/ReduceMean only, storage and
    expressed types kept, the result may have its own scale; a per-axis input may not
    be reduced along its quantized dimension (the result would mix scales), and
    otherwise that dimension is remapped past the dropped dims.

    Axes known only at run time (ReduceSum-13's input) are the operand `axes_input`
    instead (ONNX's values, read on every run; then no `axes` attribute), with
    `noop_with_empty_axes`: an empty list copies the input (1) or reduces every dim
    (0). The result type is what the values must give; the kernel checks it.
  }];
  let arguments = (ins Edge_Tensor:$input, Edge_ShapeParam:$axes_input,
                   OptionalAttr<DenseI64ArrayAttr>:$axes, I64Attr:$keepdims,
                   OptionalAttr<I64Attr>:$noop_with_empty_axes);
  let results = (outs Edge_Tensor:$output);
  let assemblyFormat = [{
    $input (`axes` $axes_input^ `:` type($axes_input))? attr-dict `:` functional-type($input, results)
  }];
  let hasVerifier = 1;
}

def Edge_ReduceMeanOp : Edge_ReduceOp<"ReduceMean", "Mean over `axes`">;
def Edge_ReduceSumOp : Edge_ReduceOp<"ReduceSum", "Sum over `axes`">;
def Edge_ReduceMaxOp : Edge_ReduceOp<"ReduceMax", "Maximum over `axes`">;
def Edge_ReduceMinOp : Edge_ReduceOp<"ReduceMin", "Minimum over `axes`">;
def Edge_ReduceProdOp : Edge_ReduceOp<"ReduceProd", "Product over `axes`">;
def Edge_ReduceL1Op : Edge_ReduceOp<"ReduceL1", "Sum of absolute values over `axes`">;
def Edge_ReduceL2Op : Edge_ReduceOp<"ReduceL2", "Euclidean norm over `axes`">;
def Edge_ReduceLogSumOp : Edge_ReduceOp<"ReduceLogSum", "log of the sum over `axes`">;
def Edge_ReduceLogSumExpOp : Edge_ReduceOp<"ReduceLogSumExp", "log(sum(exp(x))) over `axes`, computed stably">;
def Edge_ReduceSumSquareOp : Edge_ReduceOp<"ReduceSumSquare", "Sum of squares over `axes`">;

class Edge_ArgReduceOp<string mnemonic, string doc> : Edge_Op<mnemonic, [Pure]> {
  let summary = doc;
  let description = [{
    `axis` is normalized; `keepdims` keeps it as 1; ties take the first index, or the
    last with `select_last_index = 1`.
  }];
  let arguments = (ins Edge_NumericTensor:$input, I64Attr:$axis, I64Attr:$keepdims,
                   I64Attr:$select_last_index);
  let results = (outs StaticShapeTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_ArgMaxOp : Edge_ArgReduceOp<"ArgMax", "Index of the maximum along `axis`">;
def Edge_ArgMinOp : Edge_ArgReduceOp<"ArgMin", "Index of the minimum along `axis`">;

def Edge_CumSumOp : Edge_Op<"CumSum", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "Running sum along `axis` (exclusive: without the element itself; reverse: from the end)";
  let description = [{
    `axis` is the normalized attribute when it is known at compile time, or else the
    one-element integer operand `axis_input`, read (and checked) at run time; exactly
    one of them is given.
  }];
  let arguments = (ins Edge_NumericTensor:$input, Optional<TensorOf<[I32, I64]>>:$axis_input,
                   OptionalAttr<I64Attr>:$axis, I64Attr:$exclusive, I64Attr:$reverse);
  let results = (outs Edge_NumericTensor:$output);
  let assemblyFormat = [{
    $input (`,` $axis_input^ `:` type($axis_input))? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Edge_QuantizeLinearOp : Edge_Op<"QuantizeLinear",
                                    [Pure, AllShapesMatch<["input", "output"]>]> {
  let summary = "Quantize floats to the result's !quant.uniform type (per-tensor or per-axis)";
  let description = [{
    ONNX QuantizeLinear with constant scale and zero point: they are the result
    element type's parameters, `q = saturate(round_half_even(x / scale) + zero_point)`.
    The input's element type is the quantized type's expressed type.
  }];
  let arguments = (ins Edge_FloatTensor:$input);
  let results = (outs Edge_QuantizedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_DequantizeLinearOp : Edge_Op<"DequantizeLinear",
                                      [Pure, AllShapesMatch<["input", "output"]>]> {
  let summary = "Floats from a !quant.uniform tensor: (q - zero_point) * scale";
  let description = [{
    ONNX DequantizeLinear with the scale and zero point of the input's element type
    (per-tensor or per-axis); the result's element type is its expressed type.
  }];
  let arguments = (ins Edge_QuantizedTensor:$input);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_DynamicQuantizedMatMulOp : Edge_Op<"DynamicQuantizedMatMul", [Pure]> {
  let summary = "f32 x int8 weight with activations quantized per row at run time (INT8 dynamic)";
  let description = [{
    `y = x @ dequantize(w) + bias`, computed as `edgec compile --precision int8-dynamic`
    defines it: each row of `x` (its last dim, K: one token of a transformer) is
    quantized at run time to int8, symmetrically, with its own scale
    `s = max|row| / 127` (codes `round_half_even(x / s)` in [-127, 127]; an all-zero row
    gives zeros), dotted with the int8 weight in int32, and the sum scaled back:
    `y[r, n] = s[r] * sw[n] * acc[r, n] + bias[n]`. The weight is a constant
    `[K, N]` tensor of `!quant.uniform<i8:f32...>`, symmetric (zero point 0), per-tensor
    or per-axis along N (dim 1). `x` has rank >= 1 with last dim K; `y` has x's shape with
    the last dim N. `bias` is optional, f32 `[N]`.

    No calibration is needed and no activation range can be wrong: the price is a pass
    over each row to find its scale. ONNX Runtime's dynamic quantization does this per
    tensor (DynamicQuantizeLinear, uint8); per row is what transformers need, since
    token magnitudes differ widely.
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_QuantizedTensor:$weight, Optional<Edge_FloatTensor>:$bias);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_IntWeightTensor : StaticShapeTensorOf<[I<4>, UI<4>, I8, UI8]>;
def Edge_ScaleTensor : StaticShapeTensorOf<[F32, F16, BF16]>;

def Edge_DequantizeBlockwiseOp : Edge_Op<"DequantizeBlockwise", [Pure]> {
  let summary = "Group-wise (blocked) int4/int8 weight to floats; weight-only";
  let description = [{
    ONNX DequantizeLinear-21 with `block_size` (as ONNX Runtime's MatMulNBits
    weights): every run of `block_size` elements along `axis` shares one scale and
    zero point, `y = (w - zero_points[b]) * scales[b]`. `scales` (and `zero_points`,
    which default to 0) have the weight's shape with dim `axis` divided by
    `block_size`, rounded up. The result's element type is the scales'.

    Weight-only: matmul kernels consume it directly (the packed weight stays packed;
    nothing materializes the float weight). The scales are tensor operands rather
    than type parameters because a uniqued type lives as long as the context, and a
    7B model has millions of them.
  }];
  let arguments = (ins Edge_IntWeightTensor:$weight, Edge_ScaleTensor:$scales,
                   Optional<Edge_IntWeightTensor>:$zero_points, I64Attr:$axis,
                   I64Attr:$block_size);
  let results = (outs Edge_ScaleTensor:$output);
  let assemblyFormat = [{
    $weight `,` $scales (`,` $zero_points^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_BlockQuantizedMatMulOp : Edge_Op<"BlockQuantizedMatMul", [Pure]> {
  let summary = "group-wise int4 weight x activations quantized to int8 per block at run time (INT4 x INT8)";
  let description = [{
    `y = x @ transpose(w) + bias` with `w` = `edge.DequantizeBlockwise` of i4/ui4 codes
    `[N, K]` in blocks of `block_size` along K (axis 1), computed as `edgec compile
    --precision int4-gN-a8` (and GGUF's Q4_0 x Q8_0 / Q4_1 x Q8_1) define it: each row of
    `x` (last dim K) is quantized at run time per block of `block_size` elements,
    Q8_0-style: `sx = max|x_block| / 127` (f32), codes `round_half_even(x / sx)` clamped
    to [-127, 127] (an all-zero block: scale 0, codes 0); then per output, in block order,
    `acc = fma(f32(isum), sx[r, g] * sw[n, g], acc)` with `isum` the exact int32 dot of
    the block's weight codes minus their zero point and the activation codes; finally
    `y = acc + bias[n]`. The last block may be partial (K not a multiple of block_size).

    The weight stays a `DequantizeBlockwise` result (the one form of a group-wise weight
    in the IR, folded by the host target into this kernel's packed weight); this op
    only adds what differs, the run-time quantization of the activations, and requires
    `block_size` to equal the weight's so that both scales are constant over a block.
    `x` has rank >= 1 with last dim K; `y` has x's shape with the last dim N; `bias`
    is optional, f32 `[N]`.
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$weight, Optional<Edge_FloatTensor>:$bias,
                   I64Attr:$block_size);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

include "edge/EdgeSpatialOps.td"
include "edge/EdgeStateOps.td"
include "edge/EdgeIntegerOps.td"
include "edge/EdgeLlmOps.td"
include "edge/EdgeIndexingOps.td"
include "edge/EdgeVisionOps.td"
include "edge/EdgeSignalOps.td"
include "edge/EdgeTextOps.td"
include "edge/EdgeRecurrentOps.td"
include "edge/EdgeControlFlowOps.td"
include "edge/EdgeSelectionOps.td"
include "edge/EdgeDataDependentOps.td"
include "edge/EdgeFusedOps.td"
include "edge/EdgeFusedElementwiseOps.td"

#endif // EDGE_OPS_TD
