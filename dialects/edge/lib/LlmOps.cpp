// Verifiers of the decoder-LM ops (EdgeLlmOps.td): they check what the kernels rely on
// (runtime/kernels/README.md, "LLM kernels" and "GGUF matmul"), so a plan built from
// verified IR needs no shape checks at run time.
#include "edge/EdgeDialect.h"

#include <cmath>

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

namespace {
bool isF32(Value v) { return elementOf(v).isF32(); }
}  // namespace

LogicalResult RMSNormalizationOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput());
  if (x.empty()) return emitOpError() << "input must have rank >= 1";
  if (getAxis() != int64_t(x.size()) - 1)
    return emitOpError() << "only the last axis is supported, got axis " << getAxis() << " for rank " << x.size();
  if (!isF32(getInput()) || !isF32(getScale()) || !isF32(getOutput()))
    return emitOpError() << "input, scale and result must be f32";
  if (shapeOf(getScale()) != ArrayRef<int64_t>{x.back()})
    return emitOpError() << "scale must be [" << x.back() << "], got " << shapeStr(shapeOf(getScale()));
  if (shapeOf(getOutput()) != x) return emitOpError() << "result shape must equal the input's " << shapeStr(x);
  return success();
}

LogicalResult RotaryEmbeddingOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), cos = shapeOf(getCosCache()), sin = shapeOf(getSinCache()),
                    ids = shapeOf(getPositionIds());
  if (x.size() != 3) return emitOpError() << "input must be [B, S, num_heads * D], got " << shapeStr(x);
  if (!isF32(getInput()) || !isF32(getCosCache()) || !isF32(getSinCache()) || !isF32(getOutput()))
    return emitOpError() << "input, caches and result must be f32";
  const int64_t heads = getNumHeads();
  if (heads <= 0 || x[2] % heads) return emitOpError() << "num_heads " << heads << " does not divide " << x[2];
  const int64_t D = x[2] / heads;
  if (D % 2) return emitOpError() << "head size " << D << " must be even";
  // R: the rotated values of each head (the first R; the rest pass through), 0 for all.
  const int64_t R = getRotaryEmbeddingDim() == 0 ? D : getRotaryEmbeddingDim();
  if (R < 0 || R > D || R % 2)
    return emitOpError() << "rotary_embedding_dim must be 0 or even and at most the head size " << D << ", got "
                         << getRotaryEmbeddingDim();
  if (getInterleaved() != 0 && getInterleaved() != 1)
    return emitOpError() << "interleaved must be 0 or 1, got " << getInterleaved();
  if (cos.size() != 2 || cos[1] != R / 2 || cos != sin)
    return emitOpError() << "cos_cache and sin_cache must both be [P, " << R / 2 << "], got " << shapeStr(cos)
                         << " and " << shapeStr(sin);
  if (ids != x.take_front(2))
    return emitOpError() << "position_ids must be " << shapeStr(x.take_front(2)) << ", got " << shapeStr(ids);
  if (shapeOf(getOutput()) != x) return emitOpError() << "result shape must equal the input's " << shapeStr(x);
  return success();
}

LogicalResult KVCacheAttentionOp::verify() {
  ArrayRef<int64_t> q = shapeOf(getQuery()), k = shapeOf(getKeyCache()), v = shapeOf(getValueCache());
  if (q.size() != 3) return emitOpError() << "query must be [S, Hq, D], got " << shapeStr(q);
  if (k.size() != 3 || k != v)
    return emitOpError() << "key and value caches must both be [Hkv, C, D], got " << shapeStr(k) << " and "
                         << shapeStr(v);
  if (!isF32(getQuery()) || !isF32(getOutput())) return emitOpError() << "query and result must be f32";
  Type cache = elementOf(getKeyCache());
  if (cache != elementOf(getValueCache()))
    return emitOpError() << "caches must both be f16, both f32 or both i8";
  if (cache.isInteger(8)) {
    const SmallVector<int64_t> rows{k[0], k[1]};
    for (Value scales : {getKeyScales(), getValueScales()})
      if (!scales || !isF32(scales) || shapeOf(scales) != ArrayRef<int64_t>(rows))
        return emitOpError() << "i8 caches need key and value scales, f32 " << shapeStr(rows);
  } else if (getKeyScales() || getValueScales()) {
    return emitOpError() << "scales are only for i8 caches";
  }
  if (k[2] != q[2]) return emitOpError() << "query head size " << q[2] << " differs from the cache's " << k[2];
  if (k[0] <= 0 || q[1] % k[0])
    return emitOpError() << "query heads " << q[1] << " must be a multiple of the cache's " << k[0];
  if (shapeOf(getPos()) != ArrayRef<int64_t>{1}) return emitOpError() << "pos must be i64 [1]";
  if (q[0] > k[1]) return emitOpError() << q[0] << " queries do not fit a cache of " << k[1] << " rows";
  if (shapeOf(getOutput()) != q) return emitOpError() << "result shape must equal the query's " << shapeStr(q);
  // getWindow() reads the i64 as unsigned: the signed value, so that -1 is refused.
  const int64_t window = getWindowAttr().getInt(), ring = getRingAttr().getInt();
  if (window < 0)
    return emitOpError() << "window must be 0 (no window) or a count of positions > 0, got " << window;
  if (ring < 0) return emitOpError() << "ring must be 0 (none) or a count of rows > 0, got " << ring;
  const float softcap = getSoftcap().convertToFloat();
  if (!(std::isfinite(softcap) && softcap >= 0))
    return emitOpError() << "softcap must be 0 (none) or a finite cap > 0, got " << softcap;
  if (ring > 0) {
    if (window == 0) return emitOpError() << "a ring cache needs a window";
    if (k[1] != 2 * ring)
      return emitOpError() << "a ring of " << ring << " rows is a cache of " << 2 * ring << " rows, got " << k[1];
    if (q[0] + window - 1 > ring)
      return emitOpError() << "a ring of " << ring << " rows cannot hold " << q[0] << " queries' window of " << window
                           << " (needs S + window - 1 <= ring)";
  }
  return success();
}

LogicalResult KVCacheRingWriteOp::verify() {
  ArrayRef<int64_t> c = shapeOf(getCache()), r = shapeOf(getRows());
  const int64_t ring = getRingAttr().getInt();
  if (ring <= 0) return emitOpError() << "ring must be a count of rows > 0, got " << ring;
  if (c.size() < 2 || r.size() != c.size() || r[0] != c[0] || c.drop_front(2) != r.drop_front(2))
    return emitOpError() << "rows " << shapeStr(r) << " do not match a cache " << shapeStr(c)
                         << " ([H, S, ...] against [H, 2R, ...])";
  if (c[1] != 2 * ring)
    return emitOpError() << "a ring of " << ring << " rows is a cache of " << 2 * ring << " rows, got " << c[1];
  if (r[1] > ring) return emitOpError() << r[1] << " rows do not fit a ring of " << ring;
  if (elementOf(getCache()) != elementOf(getRows()) || getOutput().getType() != getCache().getType())
    return emitOpError() << "rows and result must have the cache's type";
  if (shapeOf(getPos()) != ArrayRef<int64_t>{1}) return emitOpError() << "pos must be i64 [1]";
  return success();
}

LogicalResult GgufMatMulOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getWeight()), y = shapeOf(getOutput());
  if (x.empty()) return emitOpError() << "input must have rank >= 1";
  if (w.size() != 2) return emitOpError() << "weight must be [N, K], got " << shapeStr(w);
  if (!isF32(getInput()) || !isF32(getOutput())) return emitOpError() << "input and result must be f32";
  if (w[1] != x.back())
    return emitOpError() << "weight rows have " << w[1] << " elements, the input " << x.back();
  if (getBias() && (!isF32(getBias()) || shapeOf(getBias()) != ArrayRef<int64_t>{w[0]}))
    return emitOpError() << "bias must be f32 [" << w[0] << "]";
  SmallVector<int64_t> expect(x);
  expect.back() = w[0];
  if (y != ArrayRef<int64_t>(expect)) return emitOpError() << "result must be " << shapeStr(expect);
  return success();
}

LogicalResult GgufMatMulIdOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getWeight()), ids = shapeOf(getIds());
  if (w.size() != 3) return emitOpError() << "weight must be [E, N, K], got " << shapeStr(w);
  if (ids.size() != 2) return emitOpError() << "ids must be [T, S], got " << shapeStr(ids);
  if (!isF32(getInput()) || !isF32(getOutput())) return emitOpError() << "input and result must be f32";
  const bool perSlot = x.size() == 3;
  if ((x.size() != 2 && !perSlot) || x[0] != ids[0] || (perSlot && x[1] != ids[1]))
    return emitOpError() << "input must be [T, K] or [T, S, K] with ids [T, S] = " << shapeStr(ids) << ", got "
                         << shapeStr(x);
  if (x.back() != w[2]) return emitOpError() << "weight rows have " << w[2] << " elements, the input " << x.back();
  SmallVector<int64_t> expect{ids[0], ids[1], w[1]};
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(expect)) return emitOpError() << "result must be " << shapeStr(expect);
  return success();
}

LogicalResult GatherDequantizeOp::verify() {
  ArrayRef<int64_t> d = shapeOf(getData()), i = shapeOf(getIndices());
  if (d.size() != 2) return emitOpError() << "data must be [V, E], got " << shapeStr(d);
  if (!isF32(getOutput())) return emitOpError() << "result must be f32";
  SmallVector<int64_t> expect(i);
  expect.push_back(d[1]);
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(expect)) return emitOpError() << "result must be " << shapeStr(expect);
  return success();
}

LogicalResult DynamicQuantizeRowsOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput());
  if (x.empty()) return emitOpError() << "input must have rank >= 1";
  if (!isF32(getInput()) || !isF32(getScales())) return emitOpError() << "input and scales must be f32";
  if (shapeOf(getOutput()) != x) return emitOpError() << "result shape must equal the input's " << shapeStr(x);
  if (shapeOf(getScales()) != x.drop_back())
    return emitOpError() << "scales must be " << shapeStr(x.drop_back()) << " (one per row)";
  return success();
}
