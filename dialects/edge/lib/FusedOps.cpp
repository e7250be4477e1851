// Verifiers of the ops only fusion passes create (EdgeFusedOps.td): they check what the
// kernels rely on (runtime/kernels/README.md, "Fused ops").
#include "edge/EdgeDialect.h"

#include <cmath>

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

LogicalResult ScaledDotProductAttentionOp::verify() {
  ArrayRef<int64_t> q = shapeOf(getQuery()), k = shapeOf(getKey()), v = shapeOf(getValue());
  for (Value x : {getQuery(), getKey(), getValue(), getOutput()})
    if (!elementOf(x).isF32()) return emitOpError() << "query, key, value and result must be f32";
  if (getMask() && !elementOf(getMask()).isF32()) return emitOpError() << "mask must be f32";
  if (q.size() < 2) return emitOpError() << "query must be [B..., S, D], got " << shapeStr(q);
  if (k.size() != q.size() || v.size() != q.size())
    return emitOpError() << "query, key and value must have the same rank, got " << shapeStr(q) << ", "
                         << shapeStr(k) << " and " << shapeStr(v);
  for (auto [name, flag] : {std::pair{"key_transposed", getKeyTransposed()}, {"q_divide", getQDivide()},
                            {"k_divide", getKDivide()}, {"scale_divide", getScaleDivide()}})
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
  return success();
}
