// edge-quantize-weights: weight-only group-wise INT4 (issue 10's int4-g32/g64/g128).
//
// The constant f32 weights of MatMul, Gemm and Conv become
// `edge.DequantizeBlockwise(codes, scales[, zero points])`, grouped along the reduction
// dim (see Passes.td for the rules); activations stay f32. The host target folds a
// DequantizeBlockwise of constants into the consuming MatMul/Gemm/Conv kernel call, which
// reads the packed codes directly (docs/architecture.md, "Weight-only INT4").
//
// With int8-activations (int4-gN-a8) a MatMul/Gemm that is x @ B (+ C) becomes
// edge.BlockQuantizedMatMul over a DequantizeBlockwise of B stored [N, K] (groups along
// axis 1), whose kernel quantizes the activations to int8 per group at run time
// (docs/architecture.md, "INT4 x INT8").
#include <algorithm>
#include <cmath>

#include "edge/ConstantData.h"
#include "edge/KeepFloat.h"
#include "edge/Passes.h"
#include "mlir/IR/Matchers.h"

namespace mlir::edge {
#define GEN_PASS_DEF_QUANTIZEWEIGHTS
#include "edge/Passes.h.inc"

namespace {

// Fewer elements than this along the reduction dim: the weight stays f32.
constexpr int64_t kMinReduction = 8;

// The reduction dim of `op`'s weight operand, or -1 if `operand` is not a weight this
// pass quantizes.
int64_t reductionAxis(Operation *op, unsigned operand) {
  if (operand != 1 || !isa<MatMulOp, GemmOp, ConvOp>(op)) return -1;
  auto type = cast<RankedTensorType>(op->getOperand(1).getType());
  if (isa<MatMulOp>(op)) return type.getRank() == 2 ? 0 : -1;
  if (auto gemm = dyn_cast<GemmOp>(op)) return gemm.getTransB() ? 1 : 0;
  if (isa<ConvOp>(op)) return type.getRank() >= 3 ? 1 : -1;
  return -1;
}

struct Quantized {
  std::vector<uint8_t> codes;   // packed, two per byte, low nibble first
  std::vector<float> scales;    // the weight's shape with dim(axis) -> number of groups
  std::vector<uint8_t> zeros;   // packed likewise (asymmetric only)
};

// Group-wise codes of `w` (row-major, `shape`) along `axis`.
Quantized quantize(const std::vector<double> &w, ArrayRef<int64_t> shape, int64_t axis, int64_t group,
                   bool asymmetric) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
  for (int64_t d = axis + 1; d < int64_t(shape.size()); ++d) inner *= shape[d];
  const int64_t dim = shape[axis], groups = (dim + group - 1) / group;
  Quantized q;
  q.codes.assign((w.size() + 1) / 2, 0);
  q.scales.resize(size_t(outer * groups * inner));
  std::vector<int> zeros(q.scales.size(), 0);
  auto put = [](std::vector<uint8_t> &packed, size_t i, int v) { packed[i / 2] |= uint8_t((v & 0xF) << (4 * (i % 2))); };
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t in = 0; in < inner; ++in) {
        const int64_t k0 = g * group, k1 = std::min(dim, k0 + group);
        auto at = [&](int64_t k) { return size_t((o * dim + k) * inner + in); };
        const size_t s = size_t((o * groups + g) * inner + in);
        double lo = 0, hi = 0, maxAbs = 0;
        for (int64_t k = k0; k < k1; ++k) {
          lo = std::min(lo, w[at(k)]);
          hi = std::max(hi, w[at(k)]);
          maxAbs = std::max(maxAbs, std::fabs(w[at(k)]));
        }
        // The scale is rounded to f32 first: codes are chosen for the scale the kernels use.
        float scale;
        int zero = 0, qmin = -7, qmax = 7;
        if (asymmetric) {
          scale = hi - lo > 0 ? float((hi - lo) / 15.0) : 1.f;
          zero = int(std::clamp(std::nearbyint(-lo / double(scale)), 0.0, 15.0));
          qmin = 0, qmax = 15;
        } else {
          scale = maxAbs > 0 ? float(maxAbs / 7.0) : 1.f;
        }
        q.scales[s] = scale;
        zeros[s] = zero;
        for (int64_t k = k0; k < k1; ++k) {
          const double code = std::nearbyint(w[at(k)] / double(scale)) + zero;
          put(q.codes, at(k), int(std::clamp(code, double(qmin), double(qmax))));
        }
      }
  if (asymmetric) {
    q.zeros.assign((zeros.size() + 1) / 2, 0);
    for (size_t i = 0; i < zeros.size(); ++i) put(q.zeros, i, zeros[i]);
  }
  return q;
}

struct QuantizeWeightsPass : impl::QuantizeWeightsBase<QuantizeWeightsPass> {
  using QuantizeWeightsBase::QuantizeWeightsBase;

  void runOnOperation() override {
    if (bits != 4) {
      getOperation().emitError() << "edge-quantize-weights: only bits=4 is implemented, not " << bits;
      return signalPassFailure();
    }
    if (groupSize < 1) {
      getOperation().emitError() << "edge-quantize-weights: group-size must be >= 1, not " << groupSize;
      return signalPassFailure();
    }
    done_.clear();
    SmallVector<std::pair<Operation *, int64_t>> work;
    getOperation().walk([&](Operation *op) {
      const int64_t axis = reductionAxis(op, 1);
      if (axis >= 0 && !isKeptFloat(op)) work.push_back({op, axis});  // --keep-float: f32 weight
    });
    for (auto [op, axis] : work) {
      if (int8Activations && succeeded(toBlockQuantizedMatMul(op))) continue;
      if (Value dq = blockwise(op, op->getOperand(1), axis, /*transpose=*/false)) op->setOperand(1, dq);
    }
  }

  // int8-activations: `op` (MatMul or Gemm) as BlockQuantizedMatMul(x, w [N, K], bias),
  // or failure if it is not x @ B (+ C) with a weight this pass quantizes.
  LogicalResult toBlockQuantizedMatMul(Operation *op) {
    Value x = op->getOperand(0), bias;
    bool nMajor = false;  // B already [N, K]
    if (auto gemm = dyn_cast<GemmOp>(op)) {
      if (gemm.getAlpha().convertToDouble() != 1.0 || gemm.getBeta().convertToDouble() != 1.0 || gemm.getTransA())
        return failure();
      if (Value c = gemm.getC()) {
        auto ct = cast<RankedTensorType>(c.getType());
        if (ct.getRank() != 1 || !ct.getElementType().isF32() || !matchPattern(c, m_Constant())) return failure();
        bias = c;
      }
      nMajor = gemm.getTransB() != 0;
    } else if (!isa<MatMulOp>(op)) {
      return failure();
    }
    if (!cast<RankedTensorType>(x.getType()).getElementType().isF32()) return failure();
    auto result = cast<RankedTensorType>(op->getResult(0).getType());
    if (bias && cast<RankedTensorType>(bias.getType()).getDimSize(0) != result.getShape().back()) return failure();
    Value w = blockwise(op, op->getOperand(1), nMajor ? 1 : 0, /*transpose=*/!nMajor);
    if (!w) return failure();
    OpBuilder b(op);
    auto mm = b.create<BlockQuantizedMatMulOp>(op->getLoc(), result, x, w, bias, b.getI64IntegerAttr(groupSize));
    op->getResult(0).replaceAllUsesWith(mm.getResult());
    op->erase();
    return success();
  }

  // The DequantizeBlockwise of `user`'s constant weight `w` grouped along `axis` (with
  // `transpose`, of the 2-D w transposed, grouped along axis 1), or null if it stays f32.
  // One per (weight, form): a shared weight is quantized once.
  Value blockwise(Operation *user, Value w, int64_t axis, bool transpose) {
    const std::pair<Value, int64_t> key{w, transpose ? -1 : axis};
    if (auto it = done_.find(key); it != done_.end()) return it->second;
    Value dq = quantizeWeight(user, w, axis, transpose);
    if (dq) done_[key] = dq;
    return dq;
  }

  Value quantizeWeight(Operation *user, Value w, int64_t axis, bool transpose) {
    ElementsAttr value;
    auto type = cast<RankedTensorType>(w.getType());
    if (!type.getElementType().isF32() || !type.hasStaticShape() || !matchPattern(w, m_Constant(&value)))
      return nullptr;
    if (type.getNumElements() < minElements || type.getDimSize(axis) < kMinReduction) return nullptr;
    std::vector<double> data = constantAsDoubles(value);
    if (transpose) {  // [K, N] -> [N, K], grouped along K (now axis 1)
      const int64_t K = type.getDimSize(0), N = type.getDimSize(1);
      std::vector<double> nk(data.size());
      for (int64_t k = 0; k < K; ++k)
        for (int64_t n = 0; n < N; ++n) nk[size_t(n * K + k)] = data[size_t(k * N + n)];
      data.swap(nk);
      type = RankedTensorType::get({N, K}, type.getElementType());
      axis = 1;
    }
    Quantized q = quantize(data, type.getShape(), axis, groupSize, asymmetric);

    MLIRContext *ctx = &getContext();
    OpBuilder b(w.getDefiningOp() ? w.getDefiningOp() : user);
    b.setInsertionPointAfterValue(w);
    // Named after the weight ("fc.weight" when imported), else after its user's node.
    std::string name;
    w.getLoc()->walk([&](Location l) {
      if (auto n = dyn_cast<NameLoc>(l)) name = n.getName().str();
      return name.empty() ? WalkResult::advance() : WalkResult::interrupt();
    });
    if (auto loc = dyn_cast<NameLoc>(user->getLoc()); name.empty() && loc) name = loc.getName().str() + ".weight";
    if (name.empty()) name = "weight";
    auto named = [&](const std::string &suffix) { return NameLoc::get(StringAttr::get(ctx, name + suffix)); };
    Type codeType = IntegerType::get(ctx, 4, asymmetric ? IntegerType::Unsigned : IntegerType::Signless);
    auto codesType = RankedTensorType::get(type.getShape(), codeType);
    SmallVector<int64_t> groupShape(type.getShape());
    groupShape[axis] = (groupShape[axis] + groupSize - 1) / groupSize;
    auto scalesType = RankedTensorType::get(groupShape, Float32Type::get(ctx));
    auto constant = [&](RankedTensorType t, ArrayRef<uint8_t> bytes, const std::string &suffix) -> Value {
      return b.create<ConstantOp>(named(suffix), t, makeConstantAttr(t, bytes, name + suffix));
    };
    Value codes = constant(codesType, q.codes, ".q4");
    ArrayRef<uint8_t> scaleBytes(reinterpret_cast<const uint8_t *>(q.scales.data()), q.scales.size() * sizeof(float));
    Value scales = constant(scalesType, scaleBytes, ".scales");
    Value zeros;
    if (asymmetric) zeros = constant(RankedTensorType::get(groupShape, codeType), q.zeros, ".zero_points");
    // Named after the weight: the host target names the codes, scales and zero points
    // after it when canonicalization has dropped their own locations.
    return b.create<DequantizeBlockwiseOp>(named(""), type, codes, scales, zeros, b.getI64IntegerAttr(axis),
                                           b.getI64IntegerAttr(groupSize));
  }

  llvm::DenseMap<std::pair<Value, int64_t>, Value> done_;
};

}  // namespace
}  // namespace mlir::edge
