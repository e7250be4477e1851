// Verifiers, folders and canonicalizations of the edge ops. Every verifier checks what
// the runtime kernels rely on, so a plan built from verified IR never needs to
// re-check shapes.
#include "edge/EdgeDialect.h"
#include "edge/ConstantData.h"

#include "VerifyUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringExtras.h"
#include "mlir/Dialect/Quant/QuantTypes.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

namespace {
// " (quantized and non-quantized values do not mix)" after a message about two element
// types, when such a reason explains why they differ.
std::string kindNote(Type a, Type b) {
  std::string why = elementKindMismatch(a, b);
  return why.empty() ? "" : " (" + why + ")";
}

// The element types of a matmul or convolution: all equal floats or, for the integer
// kernels, a per-tensor quantized input, a weight quantized per-tensor or per-axis
// along `weightChannelDim` (one scale per output channel; its storage may differ from
// the input's, e.g. u8 activations times i8 weights as in ONNX Runtime's QLinear
// ops), a bias with 32-bit storage and a quantized result with its own scale (the
// kernel requantizes). `names` lists the operands and result for messages.
LogicalResult verifyContractionTypes(Operation *op, Value input, Value weight, Value bias,
                                     Value result, int64_t weightChannelDim,
                                     ArrayRef<StringRef> names) {
  std::string all = llvm::join(names, ", ");
  all.replace(all.rfind(", "), 2, " and ");
  Type x = elementOf(input), w = elementOf(weight), y = elementOf(result);
  Type b = bias ? elementOf(bias) : Type();
  auto quantized = [](Type t) { return t && isUniformQuantized(t); };
  if (!quantized(x) && !quantized(w) && !quantized(y) && !quantized(b)) {
    if (w != x || y != x || (b && b != x))
      return op->emitOpError() << all << " must have the same element type";
    return success();
  }
  if (!quantized(x) || !quantized(w) || !quantized(y) || (b && !quantized(b)))
    return op->emitOpError() << all << " must all be quantized or all be non-quantized";
  if (quantizedDimension(x))
    return op->emitOpError() << names[0] << " must be quantized per-tensor, not per-axis";
  if (auto d = quantizedDimension(w); d && *d != weightChannelDim)
    return op->emitOpError() << names[1] << " must be quantized per-tensor or per-axis along its "
                             << "output-channel dim " << weightChannelDim << ", not dim " << *d;
  if (b && cast<IntegerType>(storageType(b)).getWidth() != 32)
    return op->emitOpError() << "quantized " << names[2]
                             << " must have 32-bit storage (its scale is the input's times the "
                                "weight's), got "
                             << storageType(b);
  // One expressed type throughout: the scales below relate reals of one type.
  SmallVector<std::pair<Type, StringRef>> others = {{w, names[1]}, {y, names.back()}};
  if (b) others.push_back({b, names[2]});
  for (auto [t, name] : others)
    if (expressedType(t) != expressedType(x))
      return op->emitOpError() << "quantized " << names[0] << " and " << name
                               << " must have the same expressed type, got " << expressedType(x)
                               << " vs " << expressedType(t);
  if (b) {
    // The bias is added to the int32 accumulator, so its scale must be the input's times
    // the weight's (per output channel for a per-axis weight or bias).
    auto scalesOf = [](Type t) -> SmallVector<double> {
      if (auto a = dyn_cast<quant::UniformQuantizedPerAxisType>(t))
        return SmallVector<double>(a.getScales());
      return {cast<quant::UniformQuantizedType>(t).getScale()};
    };
    int64_t channelDim = int64_t(shapeOf(bias).size()) - 1;
    if (auto d = quantizedDimension(b); d && *d != channelDim)
      return op->emitOpError() << "quantized " << names[2] << " must be quantized per-tensor or "
                               << "per-axis along its last dim " << channelDim
                               << " (the output channels), not dim " << *d;
    double sx = cast<quant::UniformQuantizedType>(x).getScale();
    SmallVector<double> sw = scalesOf(w), sb = scalesOf(b);
    if (sw.size() > 1 && sb.size() > 1 && sw.size() != sb.size())
      return op->emitOpError() << "quantized " << names[2] << " has " << sb.size()
                               << " scales but " << names[1] << " has " << sw.size()
                               << " (one per output channel)";
    size_t n = std::max(sw.size(), sb.size());
    for (size_t c = 0; c < n; ++c) {
      double expected = sx * sw[sw.size() > 1 ? c : 0], got = sb[sb.size() > 1 ? c : 0];
      if (std::abs(got - expected) > 1e-6 * std::max(std::abs(got), std::abs(expected))) {
        auto diag = op->emitOpError() << "quantized " << names[2] << " scale " << got
                                      << " must be the " << names[0] << " scale times the "
                                      << names[1] << " scale (" << sx << " * "
                                      << sw[sw.size() > 1 ? c : 0] << " = " << expected << ")";
        if (n > 1) diag << " at output channel " << c;
        return diag;
      }
    }
  }
  return success();
}

LogicalResult verifyBroadcastResult(Operation *op, ArrayRef<Value> operands, Value result) {
  SmallVector<int64_t> shape;
  for (Value v : operands) {
    auto b = broadcastShapes(shape, shapeOf(v));
    if (failed(b))
      return op->emitOpError() << "operand shapes are not broadcast-compatible: "
                               << shapeStr(shape) << " vs " << shapeStr(shapeOf(v));
    shape = *b;
  }
  if (ArrayRef<int64_t>(shape) != shapeOf(result))
    return op->emitOpError() << "result shape " << shapeStr(shapeOf(result))
                             << " is not the broadcast shape " << shapeStr(shape);
  return success();
}

// Spatial attrs of conv/pool: one stride/dilation per spatial dim, 2x pads, all sane.
LogicalResult verifyWindowAttrs(Operation *op, int64_t spatial, ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations) {
  if (int64_t(strides.size()) != spatial || int64_t(dilations.size()) != spatial ||
      int64_t(pads.size()) != 2 * spatial)
    return op->emitOpError() << "expects " << spatial << " strides and dilations and "
                             << 2 * spatial << " pads for " << spatial << " spatial dims";
  if (llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }))
    return op->emitOpError("strides and dilations must be >= 1");
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return op->emitOpError("pads must be >= 0");
  return success();
}

// Check each spatial output dim against the floor and ceil formulas (ceil_mode is
// resolved into the result shape by the frontend).
LogicalResult verifyWindowOutput(Operation *op, ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                                 ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations) {
  int64_t spatial = kernel.size();
  for (int64_t i = 0; i < spatial; ++i) {
    // slidingWindowOutput assumes a non-empty window (the pool kernels reject one).
    if (kernel[i] < 1)
      return op->emitOpError() << "kernel size " << kernel[i] << " in spatial dim " << i
                               << " must be >= 1";
    int64_t lo = slidingWindowOutput(in[2 + i], kernel[i], strides[i], pads[i],
                                     pads[spatial + i], dilations[i], false);
    int64_t hi = slidingWindowOutput(in[2 + i], kernel[i], strides[i], pads[i],
                                     pads[spatial + i], dilations[i], true);
    if (lo < 1 && hi < 1)
      return op->emitOpError() << "window does not fit spatial dim " << i << " of size " << in[2 + i];
    if (out[2 + i] != lo && out[2 + i] != hi)
      return op->emitOpError() << "result spatial dim " << i << " is " << out[2 + i]
                               << ", expected " << lo << (hi != lo ? " or " + std::to_string(hi) : "");
  }
  return success();
}
}  // namespace

FailureOr<SmallVector<int64_t>> mlir::edge::broadcastShapes(ArrayRef<int64_t> a,
                                                           ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) return failure();
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t mlir::edge::slidingWindowOutput(int64_t in, int64_t kernel, int64_t stride,
                                        int64_t padBegin, int64_t padEnd, int64_t dilation,
                                        bool ceilMode) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t avail = in + padBegin + padEnd - span;
  if (avail < 0) return 0;
  return (ceilMode ? (avail + stride - 1) / stride : avail / stride) + 1;
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }


//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// Quantized operands may have different scales (the kernel requantizes), not different
// storage types.
#define EDGE_BINARY_VERIFIER(OP, SAME_TYPES)                                             \
  LogicalResult OP::verify() {                                                          \
    Type lhs = elementOf(getLhs()), rhs = elementOf(getRhs()), out = elementOf(getOutput()); \
    if (SAME_TYPES && !isSameElementKind(lhs, rhs))                                     \
      return emitOpError() << "operand element types differ: " << lhs << " vs " << rhs   \
                           << kindNote(lhs, rhs);                                        \
    if (!isSameElementKind(out, lhs))                                                    \
      return emitOpError() << "result element type must match the first operand"        \
                           << kindNote(out, lhs);                                        \
    return verifyBroadcastResult(*this, {getLhs(), getRhs()}, getOutput());              \
  }
EDGE_BINARY_VERIFIER(AddOp, true)
EDGE_BINARY_VERIFIER(SubOp, true)
EDGE_BINARY_VERIFIER(MulOp, true)
EDGE_BINARY_VERIFIER(DivOp, true)
EDGE_BINARY_VERIFIER(PowOp, false)
#undef EDGE_BINARY_VERIFIER

LogicalResult WhereOp::verify() {
  if (elementOf(getX()) != elementOf(getY()) || elementOf(getX()) != elementOf(getOutput()))
    return emitOpError("X, Y and the result must have the same element type");
  return verifyBroadcastResult(*this, {getCondition(), getX(), getY()}, getOutput());
}

// Unary ops, Softmax and LogSoftmax: the result keeps the input type, but a quantized
// result may have its own scale and zero point.
static LogicalResult verifyUnaryTypes(Operation *op, Value input, Value output) {
  Type in = elementOf(input), out = elementOf(output);
  if (!isSameElementKind(in, out))
    return op->emitOpError() << "result element type " << out << " must match the input's "
                             << in << kindNote(in, out);
  return success();
}

#define EDGE_UNARY_VERIFIER(OP) \
  LogicalResult OP::verify() { return verifyUnaryTypes(*this, getInput(), getOutput()); }
EDGE_UNARY_VERIFIER(ReluOp)
EDGE_UNARY_VERIFIER(SigmoidOp)
EDGE_UNARY_VERIFIER(TanhOp)
EDGE_UNARY_VERIFIER(SqrtOp)
EDGE_UNARY_VERIFIER(ErfOp)
EDGE_UNARY_VERIFIER(ExpOp)
EDGE_UNARY_VERIFIER(LogOp)
EDGE_UNARY_VERIFIER(NegOp)
EDGE_UNARY_VERIFIER(AbsOp)
EDGE_UNARY_VERIFIER(ReciprocalOp)
EDGE_UNARY_VERIFIER(LeakyReluOp)
EDGE_UNARY_VERIFIER(HardSigmoidOp)
EDGE_UNARY_VERIFIER(HardSwishOp)
#undef EDGE_UNARY_VERIFIER

// `: T` when the result has the operand's type, else `: T -> U`.
static ParseResult parseUnaryTypes(OpAsmParser &parser, Type &input, Type &output) {
  if (parser.parseType(input)) return failure();
  output = input;
  if (succeeded(parser.parseOptionalArrow()) && parser.parseType(output)) return failure();
  return success();
}

static void printUnaryTypes(OpAsmPrinter &printer, Operation *, Type input, Type output) {
  printer << input;
  if (output != input) printer << " -> " << output;
}

LogicalResult ClipOp::verify() {
  if (getInput().getType() != getOutput().getType())
    return emitOpError("result type must match the input type");
  // A quantized input's bounds are real values (its expressed type): the kernel
  // quantizes them with the input's scale.
  Type boundType = expressedType(elementOf(getInput()));
  for (Value bound : {getMin(), getMax()}) {
    if (!bound) continue;
    if (tensorType(bound).getNumElements() != 1)
      return emitOpError("min and max must be scalars (one element)");
    if (elementOf(bound) != boundType)
      return emitOpError() << "min and max must have the input's element type"
                           << (boundType != elementOf(getInput())
                                   ? " (the expressed type of a quantized input)"
                                   : "");
  }
  return success();
}

std::optional<std::array<float, 2>> ClipOp::getConstantBounds() {
  std::array<float, 2> bounds = {-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};
  Value operands[2] = {getMin(), getMax()};
  for (int i = 0; i < 2; ++i) {
    if (!operands[i]) continue;
    ElementsAttr value;
    if (!matchPattern(operands[i], m_Constant(&value))) return std::nullopt;
    // Empty for element types constantAsDoubles cannot read (f16, bf16).
    std::vector<double> v = constantAsDoubles(value);
    if (v.empty()) return std::nullopt;
    bounds[i] = static_cast<float>(v[0]);
  }
  return bounds;
}

// ONNX spells flags as ints; the kernels test them for 0 / 1 only.
static LogicalResult verifyFlag(Operation *op, StringRef name, int64_t value) {
  if (value != 0 && value != 1) return op->emitOpError() << name << " must be 0 or 1, got " << value;
  return success();
}

LogicalResult IsInfOp::verify() {
  if (failed(verifyFlag(*this, "detect_negative", getDetectNegative())) ||
      failed(verifyFlag(*this, "detect_positive", getDetectPositive())))
    return failure();
  return success();
}

template <typename PredicateOp> static LogicalResult verifyPredicate(PredicateOp op) {
  if (elementOf(op.getLhs()) != elementOf(op.getRhs()))
    return op.emitOpError() << "operand element types differ: " << elementOf(op.getLhs()) << " vs "
                            << elementOf(op.getRhs());
  return verifyBroadcastResult(op, {op.getLhs(), op.getRhs()}, op.getOutput());
}

#define EDGE_PREDICATE_VERIFIER(OP) \
  LogicalResult OP::verify() { return verifyPredicate(*this); }
EDGE_PREDICATE_VERIFIER(EqualOp)
EDGE_PREDICATE_VERIFIER(LessOp)
EDGE_PREDICATE_VERIFIER(GreaterOp)
EDGE_PREDICATE_VERIFIER(LessOrEqualOp)
EDGE_PREDICATE_VERIFIER(GreaterOrEqualOp)
EDGE_PREDICATE_VERIFIER(AndOp)
EDGE_PREDICATE_VERIFIER(OrOp)
EDGE_PREDICATE_VERIFIER(XorOp)
#undef EDGE_PREDICATE_VERIFIER

template <typename VariadicOp> static LogicalResult verifyVariadic(VariadicOp op) {
  if (op.getInputs().empty()) return op.emitOpError("needs at least one operand");
  // Quantized operands may each have their own scale (as Add's); the kernel
  // requantizes to the result's.
  Type out = elementOf(op.getOutput());
  for (auto [i, v] : llvm::enumerate(op.getInputs()))
    if (!isSameElementKind(elementOf(v), out))
      return op.emitOpError() << "operands and the result must have the same element type"
                              << " (operand " << i << ": " << elementOf(v) << " vs " << out
                              << (isUniformQuantized(out) || isUniformQuantized(elementOf(v))
                                      ? ", " + elementKindMismatch(elementOf(v), out)
                                      : std::string())
                              << ")";
  return verifyBroadcastResult(op, SmallVector<Value>(op.getInputs()), op.getOutput());
}

LogicalResult MinOp::verify() { return verifyVariadic(*this); }
LogicalResult MaxOp::verify() { return verifyVariadic(*this); }
LogicalResult SumOp::verify() { return verifyVariadic(*this); }
LogicalResult MeanOp::verify() { return verifyVariadic(*this); }

LogicalResult PReluOp::verify() {
  if (getInput().getType() != getOutput().getType())
    return emitOpError("result type must match the input type");
  if (elementOf(getSlope()) != elementOf(getInput()))
    return emitOpError("slope must have the input's element type");
  // ONNX: slope is unidirectionally broadcastable to X, so the result keeps X's shape.
  auto b = broadcastShapes(shapeOf(getInput()), shapeOf(getSlope()));
  if (failed(b) || ArrayRef<int64_t>(*b) != shapeOf(getInput()))
    return emitOpError() << "slope shape " << shapeStr(shapeOf(getSlope()))
                         << " does not broadcast to the input shape " << shapeStr(shapeOf(getInput()));
  return success();
}

LogicalResult BitShiftOp::verify() {
  if (elementOf(getLhs()) != elementOf(getRhs()) || elementOf(getLhs()) != elementOf(getOutput()))
    return emitOpError("operands and the result must have the same element type");
  if (getDirection() != "LEFT" && getDirection() != "RIGHT")
    return emitOpError() << "direction must be \"LEFT\" or \"RIGHT\", got \"" << getDirection() << "\"";
  return verifyBroadcastResult(*this, {getLhs(), getRhs()}, getOutput());
}

LogicalResult ModOp::verify() {
  if (elementOf(getLhs()) != elementOf(getRhs()) || elementOf(getLhs()) != elementOf(getOutput()))
    return emitOpError("operands and the result must have the same element type");
  if (failed(verifyFlag(*this, "fmod", getFmod()))) return failure();
  if (isa<FloatType>(elementOf(getLhs())) && getFmod() != 1)
    return emitOpError("float operands need fmod = 1");
  return verifyBroadcastResult(*this, {getLhs(), getRhs()}, getOutput());
}

LogicalResult RangeOp::verify() {
  for (Value v : {getStart(), getLimit(), getDelta()})
    if (!shapeOf(v).empty() || elementOf(v) != elementOf(getOutput()))
      return emitOpError("start, limit and delta must be scalars of the result's element type");
  if (shapeOf(getOutput()).size() != 1) return emitOpError("result must have rank 1");
  return success();
}

LogicalResult ShapeOp::verify() {
  const int64_t rank = int64_t(shapeOf(getInput()).size()), start = getStart(), end = getEnd();
  if (start < 0 || start > end || end > rank)
    return emitOpError("start ") << start << " and end " << end << " must satisfy 0 <= start <= end <= rank " << rank;
  if (shapeOf(getOutput())[0] != end - start)
    return emitOpError("result must have end - start = ") << end - start << " elements";
  return success();
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

template <typename SoftmaxLikeOp> static LogicalResult verifySoftmaxLike(SoftmaxLikeOp op) {
  if (failed(verifyUnaryTypes(op, op.getInput(), op.getOutput()))) return failure();
  return verifyAxis(op, op.getAxis(), shapeOf(op.getInput()).size());
}

LogicalResult SoftmaxOp::verify() { return verifySoftmaxLike(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmaxLike(*this); }

LogicalResult LayerNormalizationOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  int64_t rank = in.size();
  if (failed(verifyAxis(*this, getAxis(), rank))) return failure();
  ArrayRef<int64_t> normalized = in.drop_front(getAxis());
  // On codes: X per-tensor 8-bit, f32 Scale and B, one result Y (8-bit per tensor or f32).
  auto q8 = [](Value v) {
    auto q = dyn_cast<quant::UniformQuantizedType>(elementOf(v));
    return q && q.getStorageTypeIntegralWidth() == 8 && q.getExpressedType().isF32();
  };
  const bool onCodes = isa<quant::QuantizedType>(elementOf(getInput()));
  if (!getOutputs().empty() && isa<quant::QuantizedType>(elementOf(getOutputs()[0])) && !onCodes)
    return emitOpError("a quantized Y needs a quantized input");
  if (onCodes) {
    if (!q8(getInput())) return emitOpError("a quantized input must be per-tensor 8-bit with f32 expressed type");
    if (getOutputs().size() != 1) return emitOpError("on a quantized input: one result (Y), no Mean/InvStdDev");
    Value y = getOutputs()[0];
    if (!q8(y) && !elementOf(y).isF32()) return emitOpError("on a quantized input: Y must be f32 or per-tensor 8-bit");
    if (shapeOf(y) != in) return emitOpError("Y must have the input's shape");
  }
  for (Value p : {getScale(), getBias()}) {
    if (!p) continue;
    if (onCodes ? !elementOf(p).isF32() : elementOf(p) != elementOf(getInput()))
      return emitOpError(onCodes ? "scale and bias must be f32 on a quantized input"
                                 : "scale and bias must have the input's element type");
    if (failed(broadcastShapes(normalized, shapeOf(p))) ||
        *broadcastShapes(normalized, shapeOf(p)) != SmallVector<int64_t>(normalized))
      return emitOpError() << "scale/bias shape " << shapeStr(shapeOf(p))
                           << " does not broadcast to the normalized shape " << shapeStr(normalized);
  }
  if (getOutputs().empty() || getOutputs().size() > 3)
    return emitOpError("expects 1 to 3 results (Y, Mean, InvStdDev)");
  if (!onCodes && getOutputs()[0].getType() != getInput().getType())
    return emitOpError("Y must have the input type");
  SmallVector<int64_t> statShape(in.take_front(getAxis()));
  statShape.append(rank - getAxis(), 1);
  for (Value stat : getOutputs().drop_front())
    if (shapeOf(stat) != ArrayRef<int64_t>(statShape))
      return emitOpError() << "Mean/InvStdDev must have shape " << shapeStr(statShape);
  return success();
}

LogicalResult BatchNormalizationOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() < 2) return emitOpError("input must have rank >= 2 (N, C, ...)");
  for (Value p : {getScale(), getBias(), getMean(), getVar()})
    if (shapeOf(p).size() != 1 || shapeOf(p)[0] != in[1])
      return emitOpError() << "scale, bias, mean and var must have shape [" << in[1] << "]";
  if (getOutput().getType() != getInput().getType())
    return emitOpError("result type must match the input type");
  return success();
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

LogicalResult DetOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() < 2 || in[in.size() - 1] != in[in.size() - 2])
    return emitOpError() << "input must be square matrices [*, M, M], got " << shapeStr(in);
  if (elementOf(getOutput()) != elementOf(getInput()))
    return emitOpError("result must have the input's element type");
  if (shapeOf(getOutput()) != in.drop_back(2))
    return emitOpError() << "result shape should be " << shapeStr(in.drop_back(2));
  return success();
}

LogicalResult MatMulOp::verify() {
  SmallVector<int64_t> a(shapeOf(getA())), b(shapeOf(getB()));
  if (a.empty() || b.empty()) return emitOpError("operands must have rank >= 1");
  // B's columns are its last dim; a vector B has none (its only dim is contracted).
  int64_t columns = b.size() >= 2 ? int64_t(b.size()) - 1 : -1;
  if (failed(verifyContractionTypes(*this, getA(), getB(), {}, getOutput(), columns,
                                    {"A", "B", "the result"})))
    return failure();
  bool aVec = a.size() == 1, bVec = b.size() == 1;
  if (aVec) a.insert(a.begin(), 1);
  if (bVec) b.push_back(1);
  if (a.back() != b[b.size() - 2])
    return emitOpError() << "contracting dims differ: " << a.back() << " vs " << b[b.size() - 2];
  auto batch = broadcastShapes(ArrayRef<int64_t>(a).drop_back(2), ArrayRef<int64_t>(b).drop_back(2));
  if (failed(batch)) return emitOpError("batch dims are not broadcast-compatible");
  SmallVector<int64_t> expected = *batch;
  if (!aVec) expected.push_back(a[a.size() - 2]);
  if (!bVec) expected.push_back(b.back());
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(expected))
    return emitOpError() << "result shape " << shapeStr(shapeOf(getOutput())) << " should be "
                         << shapeStr(expected);
  return success();
}

LogicalResult GemmOp::verify() {
  ArrayRef<int64_t> a = shapeOf(getA()), b = shapeOf(getB());
  if (a.size() != 2 || b.size() != 2) return emitOpError("A and B must be matrices");
  if (failed(verifyContractionTypes(*this, getA(), getB(), getC(), getOutput(),
                                    getTransB() ? 0 : 1, {"A", "B", "C", "the result"})))
    return failure();
  int64_t m = getTransA() ? a[1] : a[0], ka = getTransA() ? a[0] : a[1];
  int64_t kb = getTransB() ? b[1] : b[0], n = getTransB() ? b[0] : b[1];
  if (ka != kb) return emitOpError() << "contracting dims differ: " << ka << " vs " << kb;
  if (shapeOf(getOutput()) != ArrayRef<int64_t>{m, n})
    return emitOpError() << "result shape should be [" << m << "," << n << "]";
  if (getC()) {
    auto bc = broadcastShapes({m, n}, shapeOf(getC()));
    if (failed(bc) || *bc != SmallVector<int64_t>{m, n})
      return emitOpError("C must broadcast to [M, N]");
  }
  return success();
}

// A fused residual: of the result's type on a float Conv; on a quantized one (conv_scale
// and conv_zero_point: the convolution's own codes, of the result's storage type) a per
// tensor 8-bit tensor of the result's shape, the result per tensor, and no activation.
// Or a fused table (table_ops, table_args, table_params: a program of one register) on a
// quantized Conv with those own codes and a per-tensor 8-bit result, no residual and no
// activation.
static LogicalResult verifyConvResidual(ConvOp op) {
  Value residual = op.getResidual();
  const bool convParams = op.getConvScale() || op.getConvZeroPoint();
  const int tableAttrs = int(bool(op.getTableOps())) + int(bool(op.getTableArgs())) + int(bool(op.getTableParams()));
  if (tableAttrs != 0 && tableAttrs != 3) return op.emitOpError("table_ops, table_args and table_params go together");
  const bool table = tableAttrs == 3;
  if (table && residual) return op.emitOpError("takes a residual or a table, not both");
  if (!residual && !table) {
    if (convParams) return op.emitOpError("conv_scale and conv_zero_point need a residual or a table");
    return success();
  }
  if (!convParams) {
    if (table) return op.emitOpError("a table needs conv_scale and conv_zero_point");
    if (residual.getType() != op.getOutput().getType())
      return op.emitOpError() << "residual must have the result's type " << op.getOutput().getType() << ", got "
                              << residual.getType();
    if (isUniformQuantized(elementOf(op.getOutput())))
      return op.emitOpError("a quantized Conv's residual needs conv_scale and conv_zero_point");
    return success();
  }
  if (!op.getConvScale() || !op.getConvZeroPoint())
    return op.emitOpError("a quantized residual or table needs both conv_scale and conv_zero_point");
  auto perTensor8 = [](Value v) {
    auto q = dyn_cast<quant::UniformQuantizedType>(elementOf(v));
    return q && q.getStorageTypeIntegralWidth() == 8;
  };
  const char *what = table ? "table" : "residual";
  if (!perTensor8(op.getOutput()) || (residual && !perTensor8(residual)))
    return op.emitOpError() << "a quantized " << what << " needs a per-tensor 8-bit result"
                            << (residual ? " and residual" : "");
  auto y = cast<quant::UniformQuantizedType>(elementOf(op.getOutput()));
  if (residual) {
    auto r = cast<quant::UniformQuantizedType>(elementOf(residual));
    if (r.getExpressedType() != y.getExpressedType())
      return op.emitOpError("the residual must have the result's expressed type");
    if (shapeOf(residual) != shapeOf(op.getOutput())) return op.emitOpError("the residual must have the result's shape");
  }
  const double scale = op.getConvScale()->convertToDouble();
  if (!(scale > 0) || !std::isfinite(scale)) return op.emitOpError("conv_scale must be positive and finite");
  const int64_t zp = *op.getConvZeroPoint();
  if (zp < y.getStorageTypeMin() || zp > y.getStorageTypeMax())
    return op.emitOpError() << "conv_zero_point " << zp << " is outside the result's storage range";
  if (!op.getActivation().empty())
    return op.emitOpError() << "a quantized Conv with a " << what
                            << " takes no activation (it is the " << (table ? "table's" : "Add's") << " output parameters)";
  // One register: the convolution's code.
  if (table) return verifyElementwiseProgram(op, *op.getTableOps(), *op.getTableArgs(), *op.getTableParams(), 1);
  return success();
}

LogicalResult ConvOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getWeight()), y = shapeOf(getOutput());
  if (x.size() < 3 || w.size() != x.size() || y.size() != x.size())
    return emitOpError("input, weight and result must have the same rank >= 3 (N, C, spatial...)");
  if (failed(verifyContractionTypes(*this, getInput(), getWeight(), getBias(), getOutput(), 0,
                                    {"input", "weight", "bias", "result"})))
    return failure();
  int64_t spatial = x.size() - 2, group = getGroup();
  if (failed(verifyWindowAttrs(*this, spatial, getStrides(), getPads(), getDilations())))
    return failure();
  if (group < 1 || x[1] % group != 0 || w[0] % group != 0)
    return emitOpError() << "group " << group << " must divide input channels " << x[1]
                         << " and output channels " << w[0];
  if (w[1] * group != x[1])
    return emitOpError() << "weight has " << w[1] << " input channels per group, expected "
                         << x[1] / group;
  if (y[0] != x[0] || y[1] != w[0]) return emitOpError("result must have shape [N, M, ...]");
  if (getBias() && shapeOf(getBias()) != ArrayRef<int64_t>{w[0]})
    return emitOpError() << "bias must have shape [" << w[0] << "]";
  StringRef act = getActivation();
  const bool clamp = act == "" || act == "Relu" || act == "Clip";
  if (!clamp && act != "Sigmoid" && act != "Silu" && act != "HardSwish")
    return emitOpError() << "unknown fused activation '" << act << "'";
  // The integer kernels apply an epilogue as a clamp of the requantized codes.
  if (!clamp && isUniformQuantized(getOutput().getType().getElementType()))
    return emitOpError() << "a quantized Conv takes only a Relu or Clip epilogue, not '" << act << "'";
  if (failed(verifyConvResidual(*this))) return failure();
  if (auto split = getThreadSplit(); split && *split != "channels")
    return emitOpError() << "unknown thread_split '" << *split << "' (expected \"channels\")";
  return verifyWindowOutput(*this, x, y, w.drop_front(2), getStrides(), getPads(), getDilations());
}

template <typename PoolOp> static LogicalResult verifyPool(PoolOp op) {
  ArrayRef<int64_t> x = shapeOf(op.getInput()), y = shapeOf(op.getOutput());
  if (x.size() < 3 || y.size() != x.size())
    return op.emitOpError("input and result must have the same rank >= 3 (N, C, spatial...)");
  int64_t spatial = x.size() - 2;
  if (int64_t(op.getKernelShape().size()) != spatial)
    return op.emitOpError() << "kernel_shape must have " << spatial << " entries";
  if (failed(verifyWindowAttrs(op, spatial, op.getStrides(), op.getPads(), op.getDilations())))
    return failure();
  if (y[0] != x[0] || y[1] != x[1]) return op.emitOpError("result must keep N and C");
  Type in = elementOf(op.getInput()), out = elementOf(op.getOutput());
  if (!isSameElementKind(in, out))
    return op.emitOpError() << "result element type must match the input" << kindNote(in, out);
  return verifyWindowOutput(op, x, y, op.getKernelShape(), op.getStrides(), op.getPads(),
                            op.getDilations());
}

LogicalResult MaxPoolOp::verify() { return verifyPool(*this); }
LogicalResult AveragePoolOp::verify() { return verifyPool(*this); }

template <typename GlobalPoolOp> static LogicalResult verifyGlobalPool(GlobalPoolOp op) {
  ArrayRef<int64_t> x = shapeOf(op.getInput()), y = shapeOf(op.getOutput());
  if (x.size() < 3 || y.size() != x.size() || y[0] != x[0] || y[1] != x[1] ||
      llvm::any_of(y.drop_front(2), [](int64_t d) { return d != 1; }))
    return op.emitOpError("result must be [N, C, 1, ...] for an [N, C, ...] input");
  Type in = elementOf(op.getInput()), out = elementOf(op.getOutput());
  if (!isSameElementKind(in, out))
    return op.emitOpError() << "result element type must match the input" << kindNote(in, out);
  return success();
}

LogicalResult GlobalAveragePoolOp::verify() { return verifyGlobalPool(*this); }
LogicalResult GlobalMaxPoolOp::verify() { return verifyGlobalPool(*this); }

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// Data-movement ops copy elements, so the result keeps the input's element type; a
// per-axis quantized dimension moves with its data (QuantTypes.h computes where), and
// an op that would tear it apart is refused.
LogicalResult ReshapeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getOutput());
  if (tensorType(getInput()).getNumElements() != tensorType(getOutput()).getNumElements())
    return emitOpError() << "cannot reshape " << shapeStr(in) << " to " << shapeStr(out)
                         << ": element counts differ";
  Type elem = elementOf(getInput());
  std::optional<int64_t> axis = quantizedDimension(elem);
  if (!axis && elementOf(getOutput()) != elem)
    return emitOpError("reshape cannot change the element type");
  if (axis) {
    FailureOr<int64_t> mapped = reshapedAxis(in, out, *axis);
    if (failed(mapped))
      return emitOpError() << "reshape would split the per-axis quantized dimension " << *axis
                           << " (size " << in[*axis] << ") of " << shapeStr(in) << ": "
                           << shapeStr(out) << " has no dim of that size after the same "
                           << "leading elements";
    Type expected = withQuantizedDimension(elem, *mapped);
    if (elementOf(getOutput()) != expected)
      return emitOpError() << "result element type should be " << expected
                           << ": the per-axis quantized dimension " << *axis
                           << " becomes dimension " << *mapped;
  }
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType()) return getInput();
  // A reshaped constant is the same data with a new type.
  if (auto dense = llvm::dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}

namespace {
// reshape(reshape(x)) -> reshape(x)
struct FoldReshapeChain : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<ReshapeOp>();
    if (!producer) return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), producer.getInput());
    return success();
  }
};
}  // namespace

namespace {
// Pow(x, 2) -> Mul(x, x) for floats: decomposed LayerNorm and variance computations
// square this way, and std::pow is far slower than a multiply. Bit-exact: the square of
// a float is exact in double, so pow's single rounding to float equals the multiply's.
struct SquareAsMul : OpRewritePattern<PowOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PowOp op, PatternRewriter &rewriter) const override {
    if (!isa<FloatType>(elementOf(op.getLhs())) || op.getLhs().getType() != op.getType()) return failure();
    DenseElementsAttr exponent;
    if (!matchPattern(op.getRhs(), m_Constant(&exponent)) || !exponent.isSplat()) return failure();
    Type e = exponent.getElementType();
    bool two = isa<FloatType>(e) ? exponent.getSplatValue<APFloat>().isExactlyValue(2.0)
                                 : e.isIntOrIndex() && exponent.getSplatValue<APInt>() == 2;
    if (!two) return failure();
    rewriter.replaceOpWithNewOp<MulOp>(op, op.getType(), op.getLhs(), op.getLhs());
    return success();
  }
};
}  // namespace

void PowOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *context) {
  results.add<SquareAsMul>(context);
}

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *context) {
  results.add<FoldReshapeChain>(context);
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getOutput());
  ArrayRef<int64_t> perm = getPerm();
  if (perm.size() != in.size() || out.size() != in.size())
    return emitOpError("perm, input and result must have the same rank");
  llvm::SmallSet<int64_t, 8> seen;
  for (auto [i, p] : llvm::enumerate(perm)) {
    if (p < 0 || p >= int64_t(in.size()) || !seen.insert(p).second)
      return emitOpError("perm must be a permutation of [0, rank)");
    if (out[i] != in[p]) return emitOpError() << "result dim " << i << " must be input dim " << p;
  }
  Type elem = elementOf(getInput());
  if (std::optional<int64_t> axis = quantizedDimension(elem)) {
    int64_t moved = transposedAxis(perm, *axis);
    Type expected = withQuantizedDimension(elem, moved);
    if (elementOf(getOutput()) != expected)
      return emitOpError() << "result element type should be " << expected
                           << ": perm moves the per-axis quantized dimension " << *axis
                           << " to dimension " << moved;
  } else if (elementOf(getOutput()) != elem) {
    return emitOpError("transpose cannot change the element type");
  }
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPerm()))
    if (int64_t(i) != p) return {};
  return getInput();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty()) return emitOpError("needs at least one input");
  ArrayRef<int64_t> out = shapeOf(getOutput());
  int64_t rank = out.size(), axis = getAxis();
  if (rank == 0) return emitOpError("cannot concatenate rank-0 tensors");
  if (failed(verifyAxis(*this, axis, rank))) return failure();
  int64_t total = 0;
  for (Value in : getInputs()) {
    ArrayRef<int64_t> s = shapeOf(in);
    // Quantized inputs may have their own scales: the kernel requantizes.
    if (int64_t(s.size()) != rank || !isSameElementKind(elementOf(in), elementOf(getOutput())))
      return emitOpError() << "inputs must have the result's rank and element type"
                           << kindNote(elementOf(in), elementOf(getOutput()));
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && s[d] != out[d])
        return emitOpError() << "input shape " << shapeStr(s) << " differs from the result "
                             << shapeStr(out) << " outside axis " << axis;
    total += s[axis];
  }
  if (total != out[axis])
    return emitOpError() << "inputs sum to " << total << " along axis " << axis << ", result has " << out[axis];
  return success();
}

// A shape parameter given as a run-time operand (Slice's starts, Pad's pads): a list of
// integers, so rank 0 or 1 (ODS checks the element type and the static shape).
static LogicalResult verifyShapeParam(Operation *op, Value v, StringRef name) {
  if (shapeOf(v).size() > 1)
    return op->emitOpError() << name << " must be a list of integers (rank 0 or 1), got " << v.getType();
  return success();
}

// Slice with run-time starts/ends (and axes/steps): what it reads is known only when it
// runs, so the result type is what the kernel checks the values against.
static LogicalResult verifySliceOperands(SliceOp op) {
  if (op.getStarts() || op.getEnds() || op.getSteps())
    return op.emitOpError("starts, ends and steps are given both as attributes and as operands");
  if (!op.getStartsInput() || !op.getEndsInput())
    return op.emitOpError("run-time slice parameters need both starts_input and ends_input");
  int64_t count = tensorType(op.getStartsInput()).getNumElements();
  for (auto [v, name] : {std::pair(op.getStartsInput(), "starts_input"), std::pair(op.getEndsInput(), "ends_input"),
                         std::pair(op.getAxesInput(), "axes_input"), std::pair(op.getStepsInput(), "steps_input")}) {
    if (!v) continue;
    if (failed(verifyShapeParam(op, v, name))) return failure();
    if (tensorType(v).getNumElements() != count)
      return op.emitOpError() << name << " has " << tensorType(v).getNumElements() << " elements, starts_input "
                              << count;
  }
  if (shapeOf(op.getOutput()).size() != shapeOf(op.getInput()).size())
    return op.emitOpError("the result must have the input's rank");
  // The scales of a per-axis quantized dimension would depend on the run-time values.
  if (elementOf(op.getOutput()) != elementOf(op.getInput()))
    return op.emitOpError("slice cannot change the element type (with run-time starts, not even a "
                          "per-axis quantized one's scales)");
  return success();
}

LogicalResult SliceOp::verify() {
  if (getStartsInput() || getEndsInput() || getAxesInput() || getStepsInput()) return verifySliceOperands(*this);
  if (!getStarts() || !getEnds() || !getSteps())
    return emitOpError("needs starts, ends and steps attributes (or starts_input and ends_input operands)");
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getOutput());
  ArrayRef<int64_t> starts = *getStarts(), ends = *getEnds(), steps = *getSteps();
  size_t rank = in.size();
  if (starts.size() != rank || ends.size() != rank || steps.size() != rank || out.size() != rank)
    return emitOpError("starts, ends, steps and the result need one entry per input dim");
  for (size_t d = 0; d < rank; ++d) {
    int64_t start = starts[d], end = ends[d], step = steps[d];
    if (step == 0) return emitOpError("steps must be non-zero");
    // Normalized form: start in [0, dim] (or [-1, dim-1] going backwards), end likewise.
    int64_t count = step > 0 ? std::max<int64_t>(0, (end - start + step - 1) / step)
                             : std::max<int64_t>(0, (start - end + (-step) - 1) / (-step));
    if (count > 0 && (start < 0 || start >= in[d]))
      return emitOpError() << "start " << start << " is outside dim " << d << " of size " << in[d];
    // The end bounds the last selected index; unchecked, an end past the dim (or
    // below -1 going backwards) let the slice read outside the input.
    if (count > 0 && (step > 0 ? end > in[d] : end < -1))
      return emitOpError() << "end " << end << " is outside dim " << d << " of size " << in[d]
                           << " (normalized ends lie in [0, dim], or [-1, dim-1] for negative steps)";
    if (out[d] != count)
      return emitOpError() << "result dim " << d << " is " << out[d] << ", the slice selects " << count;
  }
  // Slicing a per-axis quantized dimension keeps the scales of the selected indices.
  Type elem = elementOf(getInput()), expected = elem;
  if (std::optional<int64_t> axis = quantizedDimension(elem))
    expected = selectQuantizedChannels(elem, starts[*axis], steps[*axis], out[*axis]);
  if (elementOf(getOutput()) != expected) {
    if (expected != elem)
      return emitOpError() << "result element type should be " << expected
                           << ": the scales of the indices sliced from the per-axis quantized "
                           << "dimension " << *quantizedDimension(elem);
    return emitOpError("slice cannot change the element type");
  }
  return success();
}

LogicalResult GatherOp::verify() {
  ArrayRef<int64_t> data = shapeOf(getData()), idx = shapeOf(getIndices());
  int64_t axis = getAxis();
  if (data.empty()) return emitOpError("data must have rank >= 1");
  if (failed(verifyAxis(*this, axis, data.size()))) return failure();
  // Dims after `axis` shift by the indices' rank - 1; gathering along the quantized dim
  // itself would give the result scales that depend on the indices' values.
  Type elem = elementOf(getData()), expectedElem = elem;
  if (std::optional<int64_t> q = quantizedDimension(elem)) {
    if (*q == axis)
      return emitOpError() << "cannot gather along the per-axis quantized dimension " << axis
                           << " (the result's scales would depend on the indices)";
    expectedElem = withQuantizedDimension(elem, *q < axis ? *q : *q + int64_t(idx.size()) - 1);
  }
  SmallVector<int64_t> expected(data.take_front(axis));
  expected.append(idx.begin(), idx.end());
  expected.append(data.begin() + axis + 1, data.end());
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(expected))
    return emitOpError() << "result shape should be " << shapeStr(expected);
  if (elementOf(getOutput()) != expectedElem)
    return emitOpError("gather cannot change the element type")
           << (expectedElem != elem ? " (the per-axis quantized dimension moves)" : "");
  return success();
}

LogicalResult ExpandOp::verify() {
  // New leading dims shift a per-axis quantized dimension.
  Type elem = elementOf(getInput());
  if (std::optional<int64_t> q = quantizedDimension(elem))
    elem = withQuantizedDimension(elem, *q + int64_t(shapeOf(getOutput()).size()) -
                                            int64_t(shapeOf(getInput()).size()));
  if (elementOf(getOutput()) != elem)
    return emitOpError("expand cannot change the element type");
  auto b = broadcastShapes(shapeOf(getInput()), shapeOf(getOutput()));
  if (failed(b) || ArrayRef<int64_t>(*b) != shapeOf(getOutput()))
    return emitOpError() << "cannot broadcast " << shapeStr(shapeOf(getInput())) << " to "
                         << shapeStr(shapeOf(getOutput()));
  if (std::optional<ArrayRef<int64_t>> target = getShape()) {
    auto t = broadcastShapes(shapeOf(getInput()), *target);
    if (getShapeInput() || failed(t) || ArrayRef<int64_t>(*t) != shapeOf(getOutput()))
      return emitOpError() << "shape " << shapeStr(*target) << " must be the constant target that broadcasts "
                           << shapeStr(shapeOf(getInput())) << " to " << shapeStr(shapeOf(getOutput()))
                           << ", and only without shape_input";
  }
  // A run-time target shape: a list the kernel broadcasts X with (ONNX's rule), so at
  // most one value per result dim.
  if (Value shape = getShapeInput()) {
    auto type = cast<RankedTensorType>(shape.getType());
    if (type.getRank() != 1 || type.isDynamicDim(0) || type.getDimSize(0) > int64_t(shapeOf(getOutput()).size()))
      return emitOpError() << "shape_input must be a list of at most " << shapeOf(getOutput()).size()
                           << " values (the result's rank), got " << type;
  }
  return success();
}

LogicalResult CastOp::verify() {
  if (shapeOf(getInput()) != shapeOf(getOutput()))
    return emitOpError("cast cannot change the shape");
  if (isUniformQuantized(elementOf(getInput())) || isUniformQuantized(elementOf(getOutput())))
    return emitOpError("cast cannot convert to or from a quantized type (QuantizeLinear and "
                       "DequantizeLinear do)");
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType()) return getInput();
  return {};
}

LogicalResult SplitOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  int64_t rank = in.size(), axis = getAxis();
  if (failed(verifyAxis(*this, axis, rank))) return failure();
  if (getOutputs().empty()) return emitOpError("needs at least one result");
  // Run-time sizes: the kernel checks them against the results' sizes along the axis.
  if (Value split = getSplitInput()) {
    if (failed(verifyShapeParam(*this, split, "split_input"))) return failure();
    if (tensorType(split).getNumElements() != int64_t(getOutputs().size()))
      return emitOpError() << "split_input has " << tensorType(split).getNumElements() << " elements for "
                           << getOutputs().size() << " results";
  }
  int64_t total = 0;
  Type elem = elementOf(getInput());
  std::optional<int64_t> q = quantizedDimension(elem);
  for (Value out : getOutputs()) {
    ArrayRef<int64_t> s = shapeOf(out);
    if (int64_t(s.size()) != rank)
      return emitOpError("results must have the input's rank and element type");
    // Splitting the per-axis quantized dimension splits its scales.
    Type expected = q && *q == axis ? selectQuantizedChannels(elem, total, 1, s[axis]) : elem;
    if (elementOf(out) != expected)
      return emitOpError("results must have the input's rank and element type")
             << (expected != elem ? " (with the scales of their part of the per-axis "
                                    "quantized dimension)"
                                  : "");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && s[d] != in[d])
        return emitOpError() << "result shape " << shapeStr(s) << " differs from the input "
                             << shapeStr(in) << " outside axis " << axis;
    total += s[axis];
  }
  if (total != in[axis])
    return emitOpError() << "results sum to " << total << " along axis " << axis << ", input has " << in[axis];
  return success();
}

LogicalResult TileOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getOutput());
  if (Value r = getRepeatsInput()) {
    // Run-time repeats: the kernel checks them against the result shape.
    if (getRepeats()) return emitOpError("repeats are given both as an attribute and as an operand");
    if (failed(verifyShapeParam(*this, r, "repeats_input"))) return failure();
    if (tensorType(r).getNumElements() != int64_t(in.size()) || out.size() != in.size())
      return emitOpError("repeats_input, input and result must have the same rank");
    for (size_t d = 0; d < in.size(); ++d)
      if (in[d] != 0 && out[d] % in[d] != 0)
        return emitOpError() << "result dim " << d << " (" << out[d] << ") is no multiple of the input's " << in[d];
    if (elementOf(getInput()) != elementOf(getOutput())) return emitOpError("tile cannot change the element type");
    return success();
  }
  if (!getRepeats()) return emitOpError("needs a repeats attribute or a repeats_input operand");
  ArrayRef<int64_t> repeats = *getRepeats();
  if (repeats.size() != in.size() || out.size() != in.size())
    return emitOpError("repeats, input and result must have the same rank");
  for (size_t d = 0; d < in.size(); ++d) {
    if (repeats[d] < 0) return emitOpError("repeats must be >= 0");
    if (out[d] != in[d] * repeats[d])
      return emitOpError() << "result dim " << d << " is " << out[d] << ", expected " << in[d] * repeats[d];
  }
  if (elementOf(getInput()) != elementOf(getOutput()))
    return emitOpError("tile cannot change the element type");
  return success();
}

static LogicalResult verifyPadValue(PadOp op);

// Pads read at run time: their count is static, their values the kernel checks.
static LogicalResult verifyPadOperands(PadOp op) {
  if (op.getPads()) return op.emitOpError("pads are given both as an attribute and as an operand");
  if (!op.getPadsInput()) return op.emitOpError("axes_input needs pads_input");
  if (failed(verifyShapeParam(op, op.getPadsInput(), "pads_input"))) return failure();
  int64_t rank = shapeOf(op.getInput()).size(), axes = rank;
  if (Value a = op.getAxesInput()) {
    if (failed(verifyShapeParam(op, a, "axes_input"))) return failure();
    axes = tensorType(a).getNumElements();
  }
  if (tensorType(op.getPadsInput()).getNumElements() != 2 * axes)
    return op.emitOpError() << "pads_input has " << tensorType(op.getPadsInput()).getNumElements()
                            << " elements, expected " << 2 * axes << " (a begin and an end per padded axis)";
  if (int64_t(shapeOf(op.getOutput()).size()) != rank)
    return op.emitOpError("the result must have the input's rank");
  if (quantizedDimension(elementOf(op.getInput())))
    return op.emitOpError("run-time pads cannot pad a per-axis quantized input (new indices would have no scale)");
  return success();
}

LogicalResult PadOp::verify() {
  StringRef mode = getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return emitOpError() << "unknown mode '" << mode << "' (constant, reflect or edge)";
  if (getPadsInput() || getAxesInput()) {
    if (failed(verifyPadOperands(*this))) return failure();
    return verifyPadValue(*this);
  }
  if (!getPads()) return emitOpError("needs a pads attribute or a pads_input operand");
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getOutput()), pads = *getPads();
  size_t rank = in.size();
  if (pads.size() != 2 * rank || out.size() != rank)
    return emitOpError() << "expects " << 2 * rank << " pads (begins, then ends) and a rank-" << rank << " result";
  std::optional<int64_t> q = quantizedDimension(elementOf(getInput()));
  if (q && (pads[*q] != 0 || pads[rank + *q] != 0))
    return emitOpError() << "cannot pad the per-axis quantized dimension " << *q
                         << " (new indices would have no scale)";
  for (size_t d = 0; d < rank; ++d) {
    int64_t expected = in[d] + pads[d] + pads[rank + d];
    if (expected < 0) return emitOpError() << "pads crop dim " << d << " below zero";
    if (out[d] != expected)
      return emitOpError() << "result dim " << d << " is " << out[d] << ", expected " << expected;
    // reflect/edge read the input's border: an empty dim has none to read.
    if (mode != "constant" && in[d] == 0 && out[d] > 0)
      return emitOpError() << mode << " mode cannot pad the empty dim " << d;
  }
  return verifyPadValue(*this);
}

// What both forms of Pad share: the element type and constant_value.
static LogicalResult verifyPadValue(PadOp op) {
  if (elementOf(op.getInput()) != elementOf(op.getOutput()))
    return op.emitOpError("pad cannot change the element type");
  if (Value v = op.getConstantValue()) {
    if (op.getMode() != "constant") return op.emitOpError("constant_value is only used in constant mode");
    // For a quantized input, a real value (its expressed type) that the kernel quantizes.
    Type valueType = expressedType(elementOf(op.getInput()));
    if (tensorType(v).getNumElements() != 1 || elementOf(v) != valueType)
      return op.emitOpError("constant_value must be one element of the input's element type")
             << (valueType != elementOf(op.getInput()) ? " (the expressed type of a quantized input)" : "");
  }
  return success();
}

// A parameter given as a run-time operand (Trilu's k, CumSum's axis) is one integer.
static LogicalResult verifyScalarOperand(Operation *op, Value v, StringRef name) {
  auto type = cast<RankedTensorType>(v.getType());
  if (!type.hasStaticShape() || type.getNumElements() != 1)
    return op->emitOpError() << name << " must have one element, got " << type;
  return success();
}

LogicalResult TriluOp::verify() {
  if (shapeOf(getInput()).size() < 2) return emitOpError("input must have rank >= 2");
  if (Value k = getKInput()) {
    if (getK()) return emitOpError("k is given both as an attribute and as an operand");
    if (failed(verifyScalarOperand(*this, k, "k_input"))) return failure();
  }
  return verifyFlag(*this, "upper", getUpper());
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// Axes read at run time: the kernel checks the result shape against the values; here
// only what they cannot change (the rank with keepdims, the element type).
template <typename ReduceOp> static LogicalResult verifyReduceAxesOperand(ReduceOp op) {
  if (op.getAxes()) return op.emitOpError("axes are given both as an attribute and as an operand");
  if (failed(verifyShapeParam(op, op.getAxesInput(), "axes_input"))) return failure();
  if (std::optional<int64_t> noop = op.getNoopWithEmptyAxes())
    if (failed(verifyFlag(op, "noop_with_empty_axes", *noop))) return failure();
  size_t inRank = shapeOf(op.getInput()).size(), outRank = shapeOf(op.getOutput()).size();
  if (op.getKeepdims() ? outRank != inRank : outRank > inRank)
    return op.emitOpError() << "result rank " << outRank << " cannot come from a rank-" << inRank << " input"
                            << (op.getKeepdims() ? " with keepdims" : "");
  if (elementOf(op.getInput()) != elementOf(op.getOutput()))
    return op.emitOpError("with run-time axes, the result must have the input's element type");
  return success();
}

template <typename ReduceOp>
static LogicalResult verifyReduce(ReduceOp op, bool quantizedOk = false) {
  if (op.getAxesInput()) return verifyReduceAxesOperand(op);
  if (!op.getAxes()) return op.emitOpError("needs an axes attribute or an axes_input operand");
  if (op.getNoopWithEmptyAxes())
    return op.emitOpError("noop_with_empty_axes is only used with an axes_input operand (constant empty axes "
                          "that mean no reduction are resolved at import)");
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  ArrayRef<int64_t> axes = *op.getAxes();
  int64_t rank = in.size();
  for (auto [i, a] : llvm::enumerate(axes)) {
    if (failed(verifyAxis(op, a, rank, "reduced axis"))) return failure();
    if (i > 0 && axes[i - 1] >= a) return op.emitOpError("axes must be sorted and unique");
  }
  SmallVector<int64_t> expected;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = axes.empty() || llvm::is_contained(axes, d);
    if (!reduced) expected.push_back(in[d]);
    else if (op.getKeepdims()) expected.push_back(1);
  }
  if (shapeOf(op.getOutput()) != ArrayRef<int64_t>(expected))
    return op.emitOpError() << "result shape should be " << shapeStr(expected);
  Type inElem = elementOf(op.getInput()), outElem = elementOf(op.getOutput());
  if (!isUniformQuantized(inElem) && !isUniformQuantized(outElem)) {
    if (inElem != outElem) return op.emitOpError("reduction cannot change the element type");
    return success();
  }
  if (!quantizedOk)
    return op.emitOpError("has no quantized kernel: only ReduceMax, ReduceMin, ReduceSum and "
                          "ReduceMean take quantized types");
  // The kernel requantizes to the result's scale (Max/Min may also keep the input's).
  if (!isSameElementKind(inElem, outElem))
    return op.emitOpError() << "result element type " << outElem << " must match the input's " << inElem
                            << kindNote(inElem, outElem);
  std::optional<int64_t> q = quantizedDimension(inElem);
  if (!q) {
    if (quantizedDimension(outElem))
      return op.emitOpError("a per-tensor quantized input cannot give a per-axis quantized result");
    return success();
  }
  if (axes.empty() || llvm::is_contained(axes, *q))
    return op.emitOpError() << "cannot reduce along the per-axis quantized dimension " << *q
                            << ": the result would mix scales";
  // Dropped dims before the quantized one shift it down.
  int64_t mapped = *q;
  if (!op.getKeepdims())
    mapped -= llvm::count_if(axes, [&](int64_t a) { return a < *q; });
  if (std::optional<int64_t> r = quantizedDimension(outElem); r && *r != mapped)
    return op.emitOpError() << "result must be quantized along dim " << mapped
                            << ": the per-axis quantized dimension " << *q
                            << " of the input moves there, not dim " << *r;
  return success();
}

LogicalResult ReduceMeanOp::verify() { return verifyReduce(*this, true); }
LogicalResult ReduceSumOp::verify() { return verifyReduce(*this, true); }
LogicalResult ReduceMaxOp::verify() { return verifyReduce(*this, true); }
LogicalResult ReduceMinOp::verify() { return verifyReduce(*this, true); }
LogicalResult ReduceProdOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceL1Op::verify() { return verifyReduce(*this); }
LogicalResult ReduceL2Op::verify() { return verifyReduce(*this); }
LogicalResult ReduceLogSumOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceLogSumExpOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceSumSquareOp::verify() { return verifyReduce(*this); }

template <typename ArgReduceOp> static LogicalResult verifyArgReduce(ArgReduceOp op) {
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  int64_t axis = op.getAxis();
  if (failed(verifyAxis(op, axis, in.size()))) return failure();
  if (failed(verifyFlag(op, "keepdims", op.getKeepdims())) ||
      failed(verifyFlag(op, "select_last_index", op.getSelectLastIndex())))
    return failure();
  // An empty axis has no index to return.
  if (in[axis] == 0) return op.emitOpError() << "cannot take an index along the empty axis " << axis;
  SmallVector<int64_t> expected(in);
  if (op.getKeepdims()) expected[axis] = 1;
  else expected.erase(expected.begin() + axis);
  if (shapeOf(op.getOutput()) != ArrayRef<int64_t>(expected))
    return op.emitOpError() << "result shape should be " << shapeStr(expected);
  return success();
}

LogicalResult ArgMaxOp::verify() { return verifyArgReduce(*this); }
LogicalResult ArgMinOp::verify() { return verifyArgReduce(*this); }

LogicalResult CumSumOp::verify() {
  if (Value axis = getAxisInput()) {
    if (getAxis()) return emitOpError("axis is given both as an attribute and as an operand");
    if (failed(verifyScalarOperand(*this, axis, "axis_input"))) return failure();
  } else if (!getAxis()) {
    return emitOpError("needs an axis attribute or an axis_input operand");
  } else if (failed(verifyAxis(*this, *getAxis(), shapeOf(getInput()).size()))) {
    return failure();
  }
  if (failed(verifyFlag(*this, "exclusive", getExclusive()))) return failure();
  return verifyFlag(*this, "reverse", getReverse());
}

#define GET_OP_CLASSES
#include "edge/EdgeOps.cpp.inc"
