// Verifiers of the ops only fusion passes create (EdgeFusedOps.td): they check what the
// kernels rely on (runtime/kernels/README.md, "Fused ops").
#include "edge/EdgeDialect.h"

#include <cmath>

#include "VerifyUtils.h"
#include "mlir/Dialect/Quant/QuantTypes.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

LogicalResult ScaledDotProductAttentionOp::verify() {
  ArrayRef<int64_t> q = shapeOf(getQuery()), k = shapeOf(getKey()), v = shapeOf(getValue());
  for (Value x : {getQuery(), getKey(), getValue(), getOutput()}) {
    Type e = elementOf(x);
    if (e.isF32()) continue;
    auto qt = dyn_cast<quant::UniformQuantizedType>(e);
    if (!qt || qt.getStorageTypeIntegralWidth() != 8 || !qt.getExpressedType().isF32())
      return emitOpError() << "query, key, value and result must be f32 or quantized per tensor to 8 bits "
                              "(f32 expressed), got "
                           << e;
  }
  if (getMask() && !elementOf(getMask()).isF32()) return emitOpError() << "mask must be f32";
  if (q.size() < 2) return emitOpError() << "query must be [B..., S, D], got " << shapeStr(q);
  if (k.size() != q.size() || v.size() != q.size())
    return emitOpError() << "query, key and value must have the same rank, got " << shapeStr(q) << ", "
                         << shapeStr(k) << " and " << shapeStr(v);
  for (auto [name, flag] : {std::pair{"key_transposed", getKeyTransposed()}, {"q_divide", getQDivide()},
                            {"k_divide", getKDivide()}, {"scale_divide", getScaleDivide()}, {"integer", getInteger()}})
    if (flag != 0 && flag != 1) return emitOpError() << name << " must be 0 or 1, got " << flag;
  const size_t r = q.size();
  ArrayRef<int64_t> batch = q.drop_back(2);
  if (k.drop_back(2) != batch || v.drop_back(2) != batch)
    return emitOpError() << "query, key and value must have the same batch dims, got " << shapeStr(q) << ", "
                         << shapeStr(k) << " and " << shapeStr(v);
  const int64_t S = q[r - 2], D = q[r - 1];
  const bool kt = getKeyTransposed() == 1;
  const int64_t T = kt ? k[r - 1] : k[r - 2], kd = kt ? k[r - 2] : k[r - 1];
  if (kd != D)
    return emitOpError() << "key " << shapeStr(k) << (kt ? " ([B..., D, T])" : " ([B..., T, D])")
                         << " has head size " << kd << ", the query " << D;
  if (v[r - 2] != T) return emitOpError() << "value " << shapeStr(v) << " must have " << T << " rows (the key's T)";
  SmallVector<int64_t> scores(batch);
  scores.append({S, T});
  if (Value m = getMask()) {
    auto b = broadcastShapes(scores, shapeOf(m));
    if (shapeOf(m).size() > r || failed(b) || ArrayRef<int64_t>(*b) != ArrayRef<int64_t>(scores))
      return emitOpError() << "mask " << shapeStr(shapeOf(m)) << " does not broadcast to the scores "
                           << shapeStr(scores);
  }
  SmallVector<int64_t> out(batch);
  out.append({S, v[r - 1]});
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(out)) return emitOpError() << "result must be " << shapeStr(out);
  for (auto [name, value] : {std::pair{"q_scale", getQScale()}, {"k_scale", getKScale()}, {"scale", getScale()}})
    if (!std::isfinite(value.convertToFloat()) || value.isZero())
      return emitOpError() << name << " must be finite and nonzero";
  if (getInteger() == 1) {
    for (Value x : {getQuery(), getKey(), getValue()})
      if (elementOf(x).isF32()) return emitOpError() << "integer = 1 needs quantized query, key and value";
    const int negatives = (getQScale().convertToFloat() < 0) + (getKScale().convertToFloat() < 0) +
                          (getScale().convertToFloat() < 0);
    if (negatives % 2) return emitOpError() << "integer = 1 needs a positive product of q_scale, k_scale and scale";
    if (D > 4096 || T > 32768)
      return emitOpError() << "integer = 1 supports head sizes up to 4096 and up to 32768 keys, got " << D << " and "
                           << T;
  }
  return success();
}

LogicalResult SqueezeExcitationOp::verify() {
  for (Value v : getOperation()->getOperands())
    if (!elementOf(v).isF32()) return emitOpError() << "operands must be f32";
  if (getOutput().getType() != getInput().getType()) return emitOpError() << "result must have the input's type";
  ArrayRef<int64_t> x = shapeOf(getInput()), w1 = shapeOf(getReduceWeight()), w2 = shapeOf(getExpandWeight());
  if (x.size() < 3) return emitOpError() << "input must be [N, C, D...], got " << shapeStr(x);
  const int64_t C = x[1];
  auto isPointwise = [&](ArrayRef<int64_t> w) {
    return w.size() == x.size() && llvm::all_of(w.drop_front(2), [](int64_t d) { return d == 1; });
  };
  if (!isPointwise(w1) || w1[1] != C)
    return emitOpError() << "reduce_weight must be [C1, " << C << ", 1...] (rank " << x.size() << "), got "
                         << shapeStr(w1);
  const int64_t C1 = w1[0];
  if (!isPointwise(w2) || w2[0] != C || w2[1] != C1)
    return emitOpError() << "expand_weight must be [" << C << ", " << C1 << ", 1...], got " << shapeStr(w2);
  if (shapeOf(getReduceBias()) != ArrayRef<int64_t>{C1})
    return emitOpError() << "reduce_bias must be [" << C1 << "], got " << shapeStr(shapeOf(getReduceBias()));
  if (shapeOf(getExpandBias()) != ArrayRef<int64_t>{C})
    return emitOpError() << "expand_bias must be [" << C << "], got " << shapeStr(shapeOf(getExpandBias()));
  if (!llvm::is_contained({"", "Relu", "Clip", "Sigmoid", "Silu", "HardSwish"}, getActivation()))
    return emitOpError() << "activation must be \"\", Relu, Clip, Sigmoid, Silu or HardSwish, got '"
                         << getActivation() << "'";
  if (getGate() != "Sigmoid" && getGate() != "HardSigmoid")
    return emitOpError() << "gate must be Sigmoid or HardSigmoid, got '" << getGate() << "'";
  return success();
}

LogicalResult PointwiseDepthwiseConvOp::verify() {
  for (Value v : getOperation()->getOperands())
    if (!elementOf(v).isF32() || !cast<RankedTensorType>(v.getType()).hasStaticShape())
      return emitOpError() << "operands must be f32 with static shapes";
  if (!elementOf(getOutput()).isF32()) return emitOpError() << "result must be f32";
  ArrayRef<int64_t> x = shapeOf(getInput()), w1 = shapeOf(getPointwiseWeight()), w2 = shapeOf(getDepthwiseWeight());
  if (x.size() != 4) return emitOpError() << "input must be [N, C, H, W], got " << shapeStr(x);
  const int64_t C = x[1];
  if (w1.size() != 4 || w1[1] != C || w1[2] != 1 || w1[3] != 1)
    return emitOpError() << "pointwise_weight must be [M, " << C << ", 1, 1], got " << shapeStr(w1);
  const int64_t M = w1[0];
  if (w2.size() != 4 || w2[0] != M || w2[1] != 1)
    return emitOpError() << "depthwise_weight must be [" << M << ", 1, kH, kW], got " << shapeStr(w2);
  if (getGroup() != M) return emitOpError() << "group must be " << M << " (depthwise), got " << getGroup();
  for (Value b : {getPointwiseBias(), getDepthwiseBias()})
    if (shapeOf(b) != ArrayRef<int64_t>{M}) return emitOpError() << "biases must be [" << M << "], got " << shapeStr(shapeOf(b));
  if (getStrides().size() != 2 || getDilations().size() != 2 || getPads().size() != 4)
    return emitOpError() << "strides and dilations need 2 values and pads 4";
  if (llvm::any_of(getStrides(), [](int64_t s) { return s < 1; }) ||
      llvm::any_of(getDilations(), [](int64_t d) { return d < 1; }) ||
      llvm::any_of(getPads(), [](int64_t p) { return p < 0; }))
    return emitOpError() << "strides and dilations must be positive and pads not negative";
  SmallVector<int64_t> expected{x[0], M};
  for (int d = 0; d < 2; ++d) {
    const int64_t span = getDilations()[d] * (w2[2 + d] - 1) + 1, padded = x[2 + d] + getPads()[d] + getPads()[2 + d];
    if (padded < span) return emitOpError() << "depthwise kernel larger than the padded input";
    expected.push_back((padded - span) / getStrides()[d] + 1);
  }
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(expected))
    return emitOpError() << "result must be " << shapeStr(expected) << ", got " << shapeStr(shapeOf(getOutput()));
  for (StringRef act : {getPointwiseActivation(), getActivation()})
    if (!llvm::is_contained({"", "Relu", "Clip", "Sigmoid", "Silu", "HardSwish"}, act))
      return emitOpError() << "activations must be \"\", Relu, Clip, Sigmoid, Silu or HardSwish, got '" << act << "'";
  return success();
}
