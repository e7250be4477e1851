// edge-quantize: static INT8 quantization from calibration ranges.
//
// Calibration (compiler/quant) records each activation's range [lo, hi] in the IR as
// `edge.calib_range = array<f32: lo, hi>`, on the op producing it (result 0) or on a
// function argument. This pass turns the ranges into QuantizeLinear/DequantizeLinear
// pairs around every op with an integer kernel (QuantizableOps.h), and the float
// weights of Conv/Gemm/MatMul into int8 constants behind a DequantizeLinear; the IR is
// then a QDQ graph exactly like an imported pre-quantized model, and edge-fold-qdq
// turns it into integer ops. Schemes (issue 10's INT8 static):
// * activations per tensor, asymmetric int8: scale = (hi - lo) / 255 over the range
//   widened to contain 0, zero point = round(-128 - lo / scale);
// * weights per output channel, symmetric int8 in [-127, 127]: scale = max|w| / 127;
// * biases stay float here; edge-fold-qdq quantizes them to int32 with scale
//   input scale x weight scale.
// A value between two float ops gets no pair (it would only add error); an op other than
// Conv/Gemm/MatMul with a constant weight is integer only next to an integer producer,
// a MatMul of two activations stays float, and so does an elementwise function of one
// activation (a GELU: a table op after edge-fuse-elementwise; see tableRegions); a value whose
// producer is a passthrough op (Reshape, Transpose, MaxPool, ...) takes its input's
// parameters, so the op folds without a rescale. An op marked edge.keep_float
// (--keep-float) stays float like Softmax: its quantized neighbours' values get the pair.
// A value whose only user is a Relu with zero point -128 takes the Relu's parameters
// (reluRange), and edge-fold-qdq then drops the Relu (ResNet's residual Add + Relu).
#include <algorithm>
#include <cmath>

#include "edge/ConstantData.h"
#include "edge/KeepFloat.h"
#include "edge/Passes.h"
#include "edge/QuantTypes.h"
#include "mlir/IR/TypeUtilities.h"
#include "QuantizableOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::edge {
#define GEN_PASS_DEF_QUANTIZE
#include "edge/Passes.h.inc"

namespace {

constexpr const char *kRangeAttr = "edge.calib_range";

// Per-tensor asymmetric int8 parameters for values in [lo, hi].
UniformParams activationParams(double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  // A constant-zero tensor still needs a positive scale.
  if (hi - lo < 1e-30) hi = lo + 1e-30;
  UniformParams p;
  const double scale = (hi - lo) / 255.0;
  p.scales.push_back(scale);
  p.zeroPoints.push_back(int64_t(std::clamp(std::nearbyint(-128.0 - lo / scale), -128.0, 127.0)));
  return p;
}

// The dimension of a constant weight that holds output channels, or -1 if `op` has no
// quantizable weight at `operand`.
int64_t weightChannelAxis(Operation *op, unsigned operand) {
  if (operand != 1) return -1;
  if (isa<ConvOp>(op)) return 0;
  if (auto gemm = dyn_cast<GemmOp>(op)) return gemm.getTransB() ? 0 : 1;
  if (isa<MatMulOp>(op)) {
    int64_t rank = cast<RankedTensorType>(op->getOperand(1).getType()).getRank();
    return rank >= 2 ? rank - 1 : -1;
  }
  return -1;
}

// The int8 per-channel symmetric constant for float weight `w`, behind a DequantizeLinear.
Value quantizeWeight(OpBuilder &b, Location loc, Value w, int64_t axis) {
  ElementsAttr value;
  auto type = cast<RankedTensorType>(w.getType());
  if (!type.getElementType().isF32() || !matchPattern(w, m_Constant(&value))) return nullptr;
  UniformParams p;
  std::vector<int8_t> codes = quantizeSymmetricInt8(constantAsDoubles(value), type.getShape(), axis, p);
  auto qt = type.clone(makeUniformType(b.getI8Type(), b.getF32Type(), p));
  ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>(codes.data()), codes.size());
  auto q = b.create<ConstantOp>(loc, qt, makeConstantAttr(qt, bytes, "quantized_weight"));
  return b.create<DequantizeLinearOp>(loc, type, q);
}

std::optional<std::pair<double, double>> rangeOf(Value v) {
  DenseF32ArrayAttr range;
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    if (func) range = func.getArgAttrOfType<DenseF32ArrayAttr>(arg.getArgNumber(), kRangeAttr);
  } else if (cast<OpResult>(v).getResultNumber() == 0) {
    range = v.getDefiningOp()->getAttrOfType<DenseF32ArrayAttr>(kRangeAttr);
  }
  if (!range || range.size() != 2 || !std::isfinite(range[0]) || !std::isfinite(range[1])) return std::nullopt;
  return std::make_pair(double(range[0]), double(range[1]));
}

// The elementwise ops edge-fuse-elementwise makes steps of (its FusedElementwise).
bool tableStep(Operation *op) {
  return isa<AddOp, SubOp, MulOp, DivOp, PowOp, ClipOp, LeakyReluOp, EluOp, HardSigmoidOp, ReluOp, SigmoidOp, TanhOp,
             ErfOp, ExpOp, LogOp, NegOp, AbsOp, SqrtOp, ReciprocalOp, HardSwishOp, SoftplusOp>(op) &&
         op->getNumResults() == 1 && !isKeptFloat(op);
}

bool scalarConstant(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getElementType().isF32() && t.getNumElements() == 1 && matchPattern(v, m_Constant());
}

// Table regions: two or more elementwise ops computing a function of one activation x
// with f32 scalar constants only (a GELU: x * 0.5 * (1 + erf(x / sqrt 2))), whose
// intermediate values nothing else reads. They stay float as a whole, with a pair at x
// and at the result only, so that edge-fuse-elementwise makes DequantizeLinear ->
// FusedElementwise -> QuantizeLinear of them and then one table op; quantizing the ops
// one by one would make the Mul of x and (1 + erf) an int8 Mul between two more pairs.
llvm::DenseSet<Operation *> tableRegions(func::FuncOp func) {
  llvm::DenseMap<Operation *, Value> source;  // op -> the one activation it is a function of
  SmallVector<Operation *> candidates;
  func.walk([&](Operation *op) {
    if (!tableStep(op)) return;
    Value src;
    for (Value v : op->getOperands()) {
      if (scalarConstant(v)) continue;
      Operation *def = v.getDefiningOp();
      Value s = def && source.count(def) ? source.lookup(def) : v;
      if (src && s != src) return;
      src = s;
    }
    if (!src || src.getType() != op->getResult(0).getType()) return;
    source[op] = src;
    candidates.push_back(op);
  });
  llvm::DenseSet<Operation *> regions;
  for (Operation *end : llvm::reverse(candidates)) {
    if (regions.contains(end)) continue;
    Value src = source.lookup(end);
    // The end of a region: something outside it reads its result.
    if (!end->getResult(0).use_empty() &&
        llvm::all_of(end->getUsers(), [&](Operation *u) { return source.count(u) && source.lookup(u) == src; }))
      continue;
    llvm::SetVector<Operation *> members;
    members.insert(end);
    for (size_t m = 0; m < members.size(); ++m)
      for (Value v : members[m]->getOperands())
        if (Operation *def = v.getDefiningOp(); def && source.count(def) && source.lookup(def) == src)
          members.insert(def);
    if (members.size() < 2) continue;
    const bool closed = llvm::all_of(members, [&](Operation *op) {
      return op == end || llvm::all_of(op->getUsers(), [&](Operation *u) { return members.contains(u); });
    });
    if (closed) regions.insert(members.begin(), members.end());
  }
  return regions;
}

// The range of the Relu that is `v`'s only user, when it gives the Relu's output the
// lowest code as zero point (calibration records [0, hi] for a Relu: zero point -128). `v`
// then takes the Relu's parameters, as ONNX Runtime's quantizer removes an activation after
// a quantized op: the op's requantization clamps at the zero point, real 0, which is the
// Relu; the Relu, from and to one type with that zero point, is the identity on codes and
// edge-fold-qdq removes it. The op's result is rounded once, to the Relu's finer scale,
// where it was rounded to its own scale and again to the Relu's.
std::optional<std::pair<double, double>> reluRange(Value v) {
  if (!v.hasOneUse()) return std::nullopt;
  auto relu = dyn_cast<ReluOp>(*v.getUsers().begin());
  if (!relu || isKeptFloat(relu)) return std::nullopt;
  std::optional<std::pair<double, double>> range = rangeOf(relu.getResult());
  if (!range || activationParams(range->first, range->second).zeroPoints[0] != -128) return std::nullopt;
  return range;
}

struct QuantizePass : impl::QuantizeBase<QuantizePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    Type i8 = IntegerType::get(ctx, 8), f32 = Float32Type::get(ctx);
    // Each float activation's quantized element type, in program order (a passthrough
    // op's result takes its input's).
    llvm::DenseMap<Value, Type> types;
    SmallVector<Value> order;  // deterministic IR: pairs are created in program order
    auto assign = [&](Value v) {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      if (!t || !t.getElementType().isF32()) return;
      Operation *producer = v.getDefiningOp();
      if (producer && foldKind(producer) == FoldKind::Passthrough && producer->getNumOperands() > 0) {
        // Copied out before the insertion: types[v] may grow the map and free the bucket
        // `in` points into (a use-after-free that crashed the compiler now and then).
        auto in = types.find(producer->getOperand(0));
        if (in == types.end()) return;
        Type inputType = in->second;
        types[v] = inputType;
        order.push_back(v);
        return;
      }
      if (auto range = rangeOf(v)) {
        if (auto relu = reluRange(v)) range = relu;
        types[v] = makeUniformType(i8, f32, activationParams(range->first, range->second));
        order.push_back(v);
      }
    };
    for (BlockArgument arg : func.getArguments()) assign(arg);
    func.walk([&](Operation *op) {
      for (Value r : op->getResults()) assign(r);
    });

    // An op becomes integer when its result and every float operand that is not its
    // weight or bias have parameters; the others stay float and keep float weights.
    // Conv, Gemm and MatMul with a constant weight start integer regions; any other op
    // joins one only when one of its activations comes from an integer op (program order
    // decides producers first): an op whose inputs are all float would pay a Quantize per
    // input and a Dequantize after it for one cheap op. A Gemm/MatMul of two activations
    // (attention's Q K^T and P V) stays float, so that edge-fuse-attention makes it the
    // float ScaledDotProductAttention, faster than the int8 MatMuls, Softmax and their
    // rescales (transformer encoder at sequence 128: 0.39 ms fp32 against 1.1 ms int8).
    llvm::DenseSet<Operation *> integerOps;
    const llvm::DenseSet<Operation *> tables = tableRegions(func);
    func.walk([&](Operation *op) {
      if (foldKind(op) == FoldKind::None || isKeptFloat(op) || op->getNumResults() != 1 ||
          !types.count(op->getResult(0)) || tables.contains(op))
        return;
      const bool linalg = isa<ConvOp, GemmOp, MatMulOp>(op);
      if (linalg && !matchPattern(op->getOperand(1), m_Constant())) return;
      const int biasIndex = isa<ConvOp, GemmOp>(op) ? 2 : -1;
      bool integerInput = false;
      for (OpOperand &use : op->getOpOperands()) {
        const int index = int(use.getOperandNumber());
        if (!isa<FloatType>(getElementTypeOrSelf(use.get().getType())) || index == biasIndex) continue;
        if (weightChannelAxis(op, unsigned(index)) >= 0 && matchPattern(use.get(), m_Constant())) continue;
        if (!types.count(use.get())) return;
        integerInput = integerInput || integerOps.contains(use.get().getDefiningOp());
      }
      if (linalg || integerInput) integerOps.insert(op);
    });
    // A passthrough op (Transpose, Reshape, ...) stays integer only if an integer op reads
    // its result (in reverse order, so that chains of them resolve): else it would only
    // move int8 values into a Dequantize, as attention's K transpose would.
    SmallVector<Operation *> passthrough;
    func.walk([&](Operation *op) {
      if (integerOps.contains(op) && foldKind(op) == FoldKind::Passthrough) passthrough.push_back(op);
    });
    for (Operation *op : llvm::reverse(passthrough))
      if (llvm::none_of(op->getResult(0).getUsers(), [&](Operation *user) { return integerOps.contains(user); }))
        integerOps.erase(op);
    // Their constant weights become int8 behind a DequantizeLinear.
    for (Operation *op : integerOps)
      for (OpOperand &use : op->getOpOperands()) {
        const int64_t axis = weightChannelAxis(op, use.getOperandNumber());
        if (axis < 0) continue;
        OpBuilder b(op);
        if (Value dq = quantizeWeight(b, derivedLoc(op->getLoc(), ".weight"), use.get(), axis)) use.set(dq);
      }
    // A Q/DQ pair on every activation that an integer op produces or reads.
    auto integer = [&](Operation *op) { return op && integerOps.contains(op); };
    for (Value v : order) {
      Type type = types.lookup(v);
      if (!integer(v.getDefiningOp()) && llvm::none_of(v.getUsers(), integer)) continue;
      OpBuilder b(ctx);
      if (auto arg = dyn_cast<BlockArgument>(v)) b.setInsertionPointToStart(arg.getOwner());
      else b.setInsertionPointAfter(v.getDefiningOp());
      auto t = cast<RankedTensorType>(v.getType());
      // Named after the value, so the package tensor of a quantized graph input has a name.
      Location loc = v.getLoc();
      if (auto arg = dyn_cast<BlockArgument>(v))
        if (auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "edge.name"))
          loc = NameLoc::get(name);
      loc = derivedLoc(loc, ".quantized");
      auto q = b.create<QuantizeLinearOp>(loc, t.clone(type), v);
      auto dq = b.create<DequantizeLinearOp>(loc, t, q);
      v.replaceAllUsesExcept(dq, q);
    }
    func.walk([&](Operation *op) { op->removeAttr(kRangeAttr); });
    for (unsigned i = 0; i < func.getNumArguments(); ++i) func.removeArgAttr(i, kRangeAttr);
  }
};

}  // namespace
}  // namespace mlir::edge
