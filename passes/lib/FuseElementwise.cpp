// edge-fuse-elementwise: a chain (or small DAG) of f32 elementwise ops whose
// intermediates nothing else reads becomes one edge.FusedElementwise (see Passes.td).
// Runs late, after the precision passes and edge-fuse-epilogue, on what ships as f32.
#include <cmath>

#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSwitch.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "edge/Passes.h.inc"

namespace {

// How a step reads its op: 2 registers (the binary ops), or 1 (the rest: Pow's exponent
// and Clip's bounds are constants, kept as params). 0: not fusable.
int arity(Operation *op) {
  return llvm::StringSwitch<int>(op->getName().stripDialect())
      .Cases("Add", "Sub", "Mul", "Div", 2)
      .Cases("Pow", "Clip", "LeakyRelu", "Elu", "HardSigmoid", "Relu", "Sigmoid", "Tanh", 1)
      .Cases("Erf", "Exp", "Log", "Neg", "Abs", "Sqrt", "Reciprocal", "HardSwish", "Softplus", 1)
      .Default(0);
}

RankedTensorType staticF32(Type t) {
  auto r = dyn_cast<RankedTensorType>(t);
  return r && r.hasStaticShape() && r.getElementType().isF32() ? r : RankedTensorType();
}

// A constant scalar (one element) as a float that is exactly its value: Pow's exponent
// (any numeric type) and Clip's bounds (f32).
std::optional<float> constantScalar(Value v) {
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1) return std::nullopt;
  double d;
  if (isa<FloatType>(attr.getElementType())) d = (*attr.getValues<APFloat>().begin()).convertToDouble();
  else if (auto it = dyn_cast<IntegerType>(attr.getElementType()))
    d = it.isUnsigned() ? double((*attr.getValues<APInt>().begin()).getZExtValue())
                        : double((*attr.getValues<APInt>().begin()).getSExtValue());
  else return std::nullopt;
  const float f = float(d);
  if (double(f) != d && !std::isnan(d)) return std::nullopt;
  return f;
}

// The step's constants (params), or nullopt when the op cannot be a step (a Pow whose
// exponent is not a constant scalar, a Clip with a bound computed at run time).
std::optional<std::pair<float, float>> stepParams(Operation *op) {
  StringRef name = op->getName().stripDialect();
  auto attr = [&](StringRef n) {
    auto a = op->getAttrOfType<FloatAttr>(n);
    return a ? float(a.getValueAsDouble()) : 0.f;
  };
  if (name == "Pow") {
    auto e = constantScalar(op->getOperand(1));
    if (!e) return std::nullopt;
    return std::make_pair(*e, 0.f);
  }
  if (auto clip = dyn_cast<ClipOp>(op)) {
    float lo = -INFINITY, hi = INFINITY;
    if (clip.getMin()) {
      auto v = constantScalar(clip.getMin());
      if (!v || !staticF32(clip.getMin().getType())) return std::nullopt;
      lo = *v;
    }
    if (clip.getMax()) {
      auto v = constantScalar(clip.getMax());
      if (!v || !staticF32(clip.getMax().getType())) return std::nullopt;
      hi = *v;
    }
    return std::make_pair(lo, hi);
  }
  if (name == "LeakyRelu" || name == "Elu") return std::make_pair(attr("alpha"), 0.f);
  if (name == "HardSigmoid") return std::make_pair(attr("alpha"), attr("beta"));
  return std::make_pair(0.f, 0.f);
}

// Whether `op` can be a step: a fusable op on static f32 tensors (quantized and f16 ops
// are not), its register operands f32 and broadcasting to its result.
bool fusable(Operation *op) {
  const int n = arity(op);
  if (!n || op->getNumResults() != 1 || !staticF32(op->getResult(0).getType())) return false;
  for (int i = 0; i < n; ++i)
    if (!staticF32(op->getOperand(i).getType())) return false;
  return stepParams(op).has_value();
}

struct FuseElementwisePass : impl::FuseElementwiseBase<FuseElementwisePass> {
  using FuseElementwiseBase::FuseElementwiseBase;

  void runOnOperation() override {
    llvm::SmallPtrSet<Operation *, 32> taken;  // in a group already (fused or not)
    SmallVector<SmallVector<Operation *>> groups;
    for (Block &block : getOperation().getBody()) {
      for (Operation &root : llvm::reverse(block)) {
        if (taken.contains(&root) || !fusable(&root)) continue;
        groups.push_back(grow(&root, taken));
      }
    }
    for (auto &group : groups)
      if (group.size() >= 2) fuse(group);
    // DequantizeLinear -> FusedElementwise -> QuantizeLinear, the program a function of
    // the one quantized value (static INT8's GELU between two int8 MatMuls): one quantized
    // FusedElementwise, a 256-entry table (the same codes as the three ops).
    SmallVector<QuantizeLinearOp> quantizes;
    getOperation().walk([&](QuantizeLinearOp q) { quantizes.push_back(q); });
    for (QuantizeLinearOp q : quantizes) foldTable(q);
    // DequantizeLinear -> LayerNormalization [-> QuantizeLinear]: the LayerNorm on the
    // codes (integer statistics; static INT8's LayerNorm between a residual Add and a Gemm).
    SmallVector<LayerNormalizationOp> norms;
    getOperation().walk([&](LayerNormalizationOp ln) { norms.push_back(ln); });
    for (LayerNormalizationOp ln : norms) foldLayerNorm(ln);
  }

  // A LayerNormalization with one result whose input is a per-tensor 8-bit
  // DequantizeLinear and whose Scale and B are f32 reads the codes instead. When its one
  // user is a per-tensor 8-bit QuantizeLinear (through single-use Reshapes), it writes
  // that QuantizeLinear's codes, in its own shape (a Reshape after it gives the
  // QuantizeLinear's); otherwise it still writes f32.
  void foldLayerNorm(LayerNormalizationOp ln) {
    if (ln.getOutputs().size() != 1) return;
    auto dq = ln.getInput().getDefiningOp<DequantizeLinearOp>();
    if (!dq || !perTensor8(dq->getOperand(0).getType()) || !staticF32(ln.getInput().getType())) return;
    for (Value p : {ln.getScale(), ln.getBias()})
      if (p && !staticF32(p.getType())) return;
    Value y = ln.getOutputs()[0];
    auto yType = cast<RankedTensorType>(y.getType());
    QuantizeLinearOp q;
    SmallVector<Operation *> after;  // Reshapes between the LayerNorm and the QuantizeLinear
    if (y.hasOneUse()) {
      Operation *user = *y.getUsers().begin();
      while (isa<ReshapeOp>(user) && user->getResult(0).hasOneUse()) {
        after.push_back(user);
        user = *user->getResult(0).getUsers().begin();
      }
      q = dyn_cast<QuantizeLinearOp>(user);
      if (q && !perTensor8(q.getType())) q = nullptr;
    }
    OpBuilder b(q ? q.getOperation() : ln.getOperation());
    if (q) yType = yType.clone(cast<ShapedType>(q.getType()).getElementType());
    auto codes = b.create<LayerNormalizationOp>(ln.getLoc(), TypeRange{yType}, dq->getOperand(0), ln.getScale(),
                                                ln.getBias(), ln.getAxisAttr(), ln.getEpsilonAttr());
    if (Attribute fused = ln->getAttr(kFusedAttr)) codes->setAttr(kFusedAttr, fused);
    if (!q) {
      y.replaceAllUsesWith(codes->getResult(0));
    } else {
      Value r = codes->getResult(0);
      if (cast<ShapedType>(q.getType()).getShape() != yType.getShape())
        r = b.create<ReshapeOp>(ln.getLoc(), q.getType(), r);
      q.getResult().replaceAllUsesWith(r);
      q.erase();
      for (Operation *op : llvm::reverse(after)) op->erase();
    }
    ln.erase();
    if (dq->use_empty()) dq.erase();
  }

  static bool perTensor8(Type t) {
    auto q = dyn_cast<quant::UniformQuantizedType>(cast<ShapedType>(t).getElementType());
    return q && q.getStorageTypeIntegralWidth() == 8;
  }

  // `v` seen through single-use Reshapes (the rows a Gemm flattened), and the Reshapes.
  static Value throughReshapes(Value v, SmallVector<Operation *> &reshapes) {
    while (auto r = v.getDefiningOp<ReshapeOp>()) {
      if (!r->hasOneUse()) break;
      reshapes.push_back(r);
      v = r->getOperand(0);
    }
    return v;
  }

  void foldTable(QuantizeLinearOp q) {
    if (!perTensor8(q.getType())) return;
    SmallVector<Operation *> after;  // Reshapes between the program and the QuantizeLinear
    auto fe = throughReshapes(q->getOperand(0), after).getDefiningOp<FusedElementwiseOp>();
    if (!fe || !fe->hasOneUse() || fe.isQuantizedTable()) return;
    // The one non-constant input, a per-tensor 8-bit DequantizeLinear (through Reshapes:
    // the program is elementwise with scalars, so shapes do not matter) of the program's
    // shape; every other input an f32 constant of one element.
    int64_t source = -1;
    DequantizeLinearOp dq;
    for (auto [i, v] : llvm::enumerate(fe.getInputs())) {
      auto t = cast<ShapedType>(v.getType());
      if (v.getDefiningOp<ConstantOp>() && t.getNumElements() == 1 && t.getElementType().isF32()) continue;
      Value src = v;
      while (auto r = src.getDefiningOp<ReshapeOp>()) src = r->getOperand(0);
      dq = src.getDefiningOp<DequantizeLinearOp>();
      if (source >= 0 || !dq || t != fe.getType() || !perTensor8(dq->getOperand(0).getType())) return;
      source = int64_t(i);
    }
    if (source < 0) return;
    // The quantized value becomes input 0 (registers 0 and `source` trade places), in the
    // QuantizeLinear's shape.
    SmallVector<Value> inputs(fe.getInputs().begin(), fe.getInputs().end());
    std::swap(inputs[0], inputs[size_t(source)]);
    SmallVector<int64_t> args(fe.getArgs().begin(), fe.getArgs().end());
    for (int64_t &r : args) r = r == source ? 0 : r == 0 ? source : r;
    OpBuilder b(q);
    auto yType = cast<RankedTensorType>(q.getType());
    Value x = dq->getOperand(0);
    auto xType = cast<RankedTensorType>(x.getType());
    if (xType.getShape() != yType.getShape())
      x = b.create<ReshapeOp>(fe.getLoc(), xType.clone(yType.getShape()), x);
    inputs[0] = x;
    auto table = b.create<FusedElementwiseOp>(fe.getLoc(), yType, inputs, fe.getOps(), b.getDenseI64ArrayAttr(args),
                                              fe.getParamsAttr());
    if (Attribute fused = fe->getAttr(kFusedAttr)) table->setAttr(kFusedAttr, fused);
    q.getResult().replaceAllUsesWith(table.getResult());
    q.erase();
    for (Operation *r : after) r->erase();
    Value oldInput = fe.getInputs()[size_t(source)];
    fe.erase();
    // The Reshapes and the DequantizeLinear before the program, if nothing else reads them.
    while (Operation *def = oldInput.getDefiningOp()) {
      if (!def->use_empty() || !isa<ReshapeOp, DequantizeLinearOp>(def)) break;
      oldInput = def->getOperand(0);
      def->erase();
    }
  }

  // The group whose result is `root`'s: producers of its register operands with the same
  // result type whose every user is in the group, to a fixed point (a producer joins once
  // all its users have).
  SmallVector<Operation *> grow(Operation *root, llvm::SmallPtrSet<Operation *, 32> &taken) {
    llvm::SetVector<Operation *> group;
    group.insert(root);
    taken.insert(root);
    const Type type = root->getResult(0).getType();
    bool changed = true;
    while (changed) {
      changed = false;
      for (size_t m = 0; m < group.size(); ++m) {
        Operation *member = group[m];
        for (int i = 0; i < arity(member); ++i) {
          Operation *def = member->getOperand(i).getDefiningOp();
          if (!def || taken.contains(def) || def->getBlock() != root->getBlock() || !fusable(def) ||
              def->getResult(0).getType() != type)
            continue;
          if (!llvm::all_of(def->getUsers(), [&](Operation *u) { return group.contains(u); })) continue;
          if (int64_t(group.size()) >= FusedElementwiseOp::kMaxSteps) continue;
          group.insert(def);
          taken.insert(def);
          changed = true;
        }
      }
    }
    SmallVector<Operation *> ops(group.begin(), group.end());
    llvm::sort(ops, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
    return ops;
  }

  void fuse(ArrayRef<Operation *> group) {
    Operation *root = group.back();
    llvm::SmallPtrSet<Operation *, 16> members(group.begin(), group.end());
    llvm::SetVector<Value> inputs;
    for (Operation *op : group)
      for (int i = 0; i < arity(op); ++i)
        if (!members.contains(op->getOperand(i).getDefiningOp())) inputs.insert(op->getOperand(i));
    if (int64_t(inputs.size()) > FusedElementwiseOp::kMaxInputs) return;

    llvm::DenseMap<Operation *, int64_t> reg;
    SmallVector<StringRef> names;
    SmallVector<int64_t> args;
    SmallVector<float> params;
    const int64_t nIn = int64_t(inputs.size());
    for (auto [k, op] : llvm::enumerate(group)) {
      names.push_back(op->getName().stripDialect());
      for (int i = 0; i < 2; ++i) {
        if (i >= arity(op)) {
          args.push_back(-1);
          continue;
        }
        Value v = op->getOperand(i);
        Operation *def = v.getDefiningOp();
        args.push_back(members.contains(def) ? reg[def] : int64_t(llvm::find(inputs, v) - inputs.begin()));
      }
      auto [p0, p1] = *stepParams(op);
      params.append({p0, p1});
      reg[op] = nIn + int64_t(k);
    }
    OpBuilder b(root);
    auto fused = b.create<FusedElementwiseOp>(root->getLoc(), root->getResult(0).getType(), inputs.getArrayRef(),
                                              b.getStrArrayAttr(names), b.getDenseI64ArrayAttr(args),
                                              b.getDenseF32ArrayAttr(params));
    if (recordFusion) edge::recordFusion(fused, group);
    root->getResult(0).replaceAllUsesWith(fused.getResult());
    for (Operation *op : llvm::reverse(group)) op->erase();
  }
};

}  // namespace
}  // namespace mlir::edge
