// edge-fold-qdq: DequantizeLinear -> op -> QuantizeLinear becomes one integer op.
//
// This is how quantized computation enters the IR, whoever put the Q/DQ pairs there:
// an ONNX QDQ model (ONNX Runtime's quantizer, PyTorch's export) or edge-quantize from
// calibration ranges. A float op whose float operands are all dequantized values (or,
// for a Conv/Gemm bias, a float constant, quantized here to int32 with scale
// input scale x weight scale) and whose every user is a QuantizeLinear to one type is
// rebuilt on the quantized values with that type as its result; its kernels then work
// on integers and requantize once (TFLite fixed point; see docs/architecture.md).
// Afterwards Q(DQ(x)) of one type is x, and a DequantizeLinear of a constant that no
// integer op took is folded into a float constant, so what stays float runs on floats.
// A Relu from and to one type whose zero point is its lowest code is the identity on
// codes and is dropped (identityRelu).
#include <cmath>
#include <limits>

#include "edge/ConstantData.h"
#include "edge/KeepFloat.h"
#include "edge/Passes.h"
#include "edge/QuantTypes.h"
#include "mlir/IR/TypeUtilities.h"
#include "QuantizableOps.h"
#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FOLDQDQ
#include "edge/Passes.h.inc"

namespace {

Type elementOf(Value v) { return cast<ShapedType>(v.getType()).getElementType(); }

// A float bias constant of a Conv (output channels) or Gemm (N) as int32 with scale
// input scale x weight scale (per channel for a per-axis weight): round half to even,
// as ONNX Runtime's quantizer does. Null if the bias is not a 1-D float constant with one
// value per channel.
Value quantizeBias(OpBuilder &b, Location loc, Value bias, Type inputElem, Type weightElem) {
  ElementsAttr value;
  auto type = cast<RankedTensorType>(bias.getType());
  if (!type.getElementType().isF32() || type.getRank() != 1 || !matchPattern(bias, m_Constant(&value)))
    return nullptr;
  std::optional<UniformParams> in = uniformParams(inputElem), w = uniformParams(weightElem);
  if (!in || !w || in->axis) return nullptr;
  const int64_t n = type.getDimSize(0);
  if (w->axis && int64_t(w->scales.size()) != n) return nullptr;
  UniformParams params;
  for (double s : w->scales) params.scales.push_back(in->scales[0] * s);
  params.zeroPoints.assign(params.scales.size(), 0);
  if (w->axis) params.axis = 0;
  std::vector<double> real = constantAsDoubles(value);
  std::vector<int32_t> codes(static_cast<size_t>(n));
  for (int64_t c = 0; c < n; ++c) {
    const double q = std::nearbyint(real[size_t(c)] / params.scales[w->axis ? size_t(c) : 0]);
    codes[size_t(c)] = int32_t(std::clamp(q, double(std::numeric_limits<int32_t>::min()),
                                          double(std::numeric_limits<int32_t>::max())));
  }
  auto qt = type.clone(makeUniformType(b.getI32Type(), b.getF32Type(), params));
  ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>(codes.data()), codes.size() * sizeof(int32_t));
  return b.create<ConstantOp>(loc, qt, makeConstantAttr(qt, bytes, "quantized_bias"));
}

// Folds `producer` (whose users are all QuantizeLinear to `resultType`) into an integer
// op; false if it does not fold (the IR is then unchanged).
bool foldInto(Operation *producer, Type resultType) {
  const FoldKind kind = foldKind(producer);
  // An op kept float (--keep-float) stays float between its Q/DQ pairs.
  if (kind == FoldKind::None || isKeptFloat(producer) || producer->getNumResults() != 1) return false;
  OpBuilder b(producer);
  SmallVector<Value> operands;
  SmallVector<Operation *> created;
  auto undo = [&] {
    for (Operation *op : llvm::reverse(created)) op->erase();
    return false;
  };
  const int biasIndex = isa<ConvOp, GemmOp>(producer) ? 2 : -1;
  for (auto [i, operand] : llvm::enumerate(producer->getOperands())) {
    if (!isa<FloatType>(elementOf(operand))) {  // indices, shapes: as they are
      operands.push_back(operand);
      continue;
    }
    if (auto dq = operand.getDefiningOp<DequantizeLinearOp>()) {
      operands.push_back(dq.getInput());
      continue;
    }
    if (int(i) == biasIndex) {
      if (Value bias = quantizeBias(b, derivedLoc(producer->getLoc(), ".bias"), operand, elementOf(operands[0]),
                                      elementOf(operands[1]))) {
        created.push_back(bias.getDefiningOp());
        operands.push_back(bias);
        continue;
      }
    }
    return undo();  // a float operand that is not dequantized: the op stays float
  }
  if (kind == FoldKind::Passthrough) {
    Type in = elementOf(operands[0]);
    if (in != getElementTypeOrSelf(resultType) || quantizedDimension(in)) return undo();
  }
  Operation *folded = b.clone(*producer);
  created.push_back(folded);
  folded->setOperands(operands);
  folded->getResult(0).setType(resultType);
  {
    // The op's verifier has the last word (bias scale = input x weight scale, per-axis
    // weights along the output channels, ...): an op it refuses stays float.
    ScopedDiagnosticHandler quiet(producer->getContext(), [](Diagnostic &) { return success(); });
    if (failed(verify(folded))) return undo();
  }
  for (Operation *user : llvm::make_early_inc_range(producer->getUsers())) {
    user->getResult(0).replaceAllUsesWith(folded->getResult(0));
    user->erase();
  }
  producer->erase();
  return true;
}

// A DequantizeLinear of a constant as a float constant.
void foldConstantDequantize(DequantizeLinearOp dq) {
  ElementsAttr value;
  if (!matchPattern(dq.getInput(), m_Constant(&value))) return;
  std::optional<UniformParams> p = uniformParams(elementOf(dq.getInput()));
  auto type = cast<RankedTensorType>(dq.getType());
  if (!p || !type.getElementType().isF32()) return;
  std::vector<int64_t> codes = constantAsInts(value);
  int64_t inner = 1;
  if (p->axis)
    for (int64_t d : type.getShape().drop_front(*p->axis + 1)) inner *= d;
  std::vector<float> real(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    const size_t c = p->axis ? size_t((int64_t(i) / inner) % type.getDimSize(*p->axis)) : 0;
    real[i] = float(codes[i] - p->zeroPoints[c]) * float(p->scales[c]);
  }
  ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>(real.data()), real.size() * sizeof(float));
  OpBuilder b(dq);
  auto constant = b.create<ConstantOp>(dq.getLoc(), type, makeConstantAttr(type, bytes, "dequantized"));
  dq.replaceAllUsesWith(constant.getResult());
  dq.erase();
}

// A Relu from and to one per-tensor type whose zero point is its lowest code is the
// identity on codes: every code q is the real value (q - zp) s >= 0, which the Relu keeps
// and the requantization to the same scale and zero point gives back as q (the ref table
// kernel's formula, bit for bit). edge-quantize gives an op whose only user is a Relu the
// Relu's parameters, and a QDQ model's DQ -> Relu -> Q of one such type is the same.
bool identityRelu(ReluOp relu) {
  Type in = elementOf(relu.getInput());
  auto q = dyn_cast<quant::UniformQuantizedType>(in);
  return q && in == elementOf(relu.getResult()) && q.getZeroPoint() == q.getStorageTypeMin();
}

struct FoldQDQPass : impl::FoldQDQBase<FoldQDQPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // In program order, so a folded op's quantized result is there for the next one.
    SmallVector<QuantizeLinearOp> quantizes;
    func.walk([&](QuantizeLinearOp q) { quantizes.push_back(q); });
    llvm::DenseSet<Operation *> erased;
    for (QuantizeLinearOp q : quantizes) {
      if (erased.contains(q)) continue;
      Operation *producer = q.getInput().getDefiningOp();
      if (!producer || producer->getNumResults() != 1) continue;
      Type type = q.getType();
      SmallVector<Operation *> users(producer->getUsers());
      if (!llvm::all_of(users, [&](Operation *u) { return isa<QuantizeLinearOp>(u) && u->getResult(0).getType() == type; }))
        continue;
      if (foldInto(producer, type)) erased.insert(users.begin(), users.end());
    }
    func.walk([&](ReluOp relu) {
      if (!identityRelu(relu)) return;
      relu.replaceAllUsesWith(relu.getInput());
      relu.erase();
    });
    // Q(DQ(x)) back to the same type is x.
    func.walk([&](QuantizeLinearOp q) {
      auto dq = q.getInput().getDefiningOp<DequantizeLinearOp>();
      if (dq && dq.getInput().getType() == q.getType()) {
        q.replaceAllUsesWith(dq.getInput());
        q.erase();
      }
    });
    func.walk([&](DequantizeLinearOp dq) {
      if (dq->use_empty()) dq.erase();
      else foldConstantDequantize(dq);
    });
    func.walk([&](ConstantOp c) {
      if (c->use_empty()) c.erase();
    });
  }
};

}  // namespace
}  // namespace mlir::edge
