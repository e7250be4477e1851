// Reference RMSNormalization, RotaryEmbedding and KVCacheAttention (issue 12), and the
// prepare-time plans they share with the x86 kernels (ref/llm.h). The arithmetic follows
// ggml's CPU operators where the contract names them (RMS sums in double, rotations in
// f32), so a model run here matches one run by llama.cpp within f32 rounding.
#include "ref/llm.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "ref/block_q8.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {

// ---- RMSNormalization ----

RmsNormPlan parseRmsNorm(const KernelSignature &sig) {
  requireInputCount(sig, 2, 2);
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &scale = requireInput(sig, 1, "Scale");
  const TensorView &y = requireOutput(sig, 0);
  if (sig.outputs.size() != 1) kernelFail(sig, "RMSNormalization has one output");
  for (const TensorView *t : {&x, &scale, &y}) requireDType(sig, *t, Types<float>{}, "RMSNormalization");
  if (x.rank() == 0) kernelFail(sig, "X must have rank >= 1");
  requireShape(sig, y, x.shape, "output");
  const int64_t axis = sig.attrs.i("axis", x.rank() - 1);
  if (axis != x.rank() - 1)
    kernelFail(sig, "only normalization over the last axis is supported (axis " + std::to_string(x.rank() - 1) +
                        " of X " + shapeStr(x.shape) + "), got axis " + std::to_string(axis));
  // stash_type 1 (f32) is ONNX's default and the only precision defined here.
  if (sig.attrs.i("stash_type", 1) != 1) kernelFail(sig, "only stash_type 1 (float32) is supported");
  RmsNormPlan p;
  p.E = x.shape.back();
  p.rows = product(x.shape, 0, x.shape.size() - 1);
  requireShape(sig, scale, {p.E}, "Scale");
  p.epsilon = sig.attrs.f("epsilon", 1e-5f);
  if (!(p.epsilon >= 0.f) || !std::isfinite(p.epsilon))
    kernelFail(sig, "epsilon must be finite and >= 0, got " + std::to_string(p.epsilon));
  return p;
}

float rmsFactorFromSum(double sumOfSquares, int64_t E, float epsilon) {
  // ggml_compute_forward_rms_norm_f32: `const float mean = sum/ne00;` then
  // `1.0f/sqrtf(mean + eps)`; an empty row (E = 0) has nothing to scale.
  const float mean = E ? static_cast<float>(sumOfSquares / static_cast<double>(E)) : 0.f;
  return 1.0f / std::sqrt(mean + epsilon);
}

float rmsFactor(const float *x, int64_t E, float epsilon) {
  double sum = 0;
  for (int64_t i = 0; i < E; ++i) sum += static_cast<double>(x[i] * x[i]);  // square in f32
  return rmsFactorFromSum(sum, E, epsilon);
}

namespace {

class RefRmsNorm final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = parseRmsNorm(sig); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    const float *scale = in[1]->as<float>();
    float *y = out[0]->as<float>();
    const int64_t E = p_.E;
    // Threads take whole rows; each row is computed in one order whatever the split.
    const int64_t grain = std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(1, E));
    ctx.parallelFor(p_.rows, grain, [&](int64_t r0, int64_t r1, int) {
      for (int64_t r = r0; r < r1; ++r) {
        const float *xr = x + r * E;
        float *yr = y + r * E;
        const float f = rmsFactor(xr, E, p_.epsilon);
        // ggml scales the row (ggml_vec_scale_f32), then multiplies by the weight (ggml_mul).
        for (int64_t i = 0; i < E; ++i) yr[i] = (xr[i] * f) * scale[i];
      }
    });
  }

private:
  RmsNormPlan p_;
};

}  // namespace

// ---- RotaryEmbedding ----

RotaryPlan parseRotary(const KernelSignature &sig) {
  requireInputCount(sig, 3, 4);
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &cosCache = requireInput(sig, 1, "cos_cache");
  const TensorView &sinCache = requireInput(sig, 2, "sin_cache");
  const TensorView *ids = optionalInput(sig, 3);
  const TensorView &y = requireOutput(sig, 0);
  // ONNX also allows cos/sin caches already indexed by position ([B, S, R/2]) when
  // position_ids is absent; the LLM graphs edgec builds always pass positions.
  if (!ids) kernelFail(sig, "position_ids is required (caches indexed by position, [P, R/2])");
  for (const TensorView *t : {&x, &cosCache, &sinCache, &y}) requireDType(sig, *t, Types<float>{}, "RotaryEmbedding");
  requireDType(sig, *ids, Types<int64_t>{}, "position_ids");
  if (x.rank() != 3) kernelFail(sig, "X must be [B, S, H*D] (the 3-D form), got " + shapeStr(x.shape));
  requireShape(sig, y, x.shape, "output");
  RotaryPlan p;
  p.node = sig.op + " node '" + sig.node + "'";
  p.batch = x.shape[0];
  p.seq = x.shape[1];
  p.heads = sig.attrs.i("num_heads");
  if (p.heads <= 0 || x.shape[2] % p.heads != 0)
    kernelFail(sig, "num_heads " + std::to_string(p.heads) + " must be > 0 and divide X's last dim " +
                        std::to_string(x.shape[2]));
  p.headDim = x.shape[2] / p.heads;
  const int64_t interleaved = sig.attrs.i("interleaved", 0);
  if (interleaved != 0 && interleaved != 1)
    kernelFail(sig, "interleaved must be 0 or 1, got " + std::to_string(interleaved));
  p.interleaved = interleaved == 1;
  p.rotaryDim = sig.attrs.i("rotary_embedding_dim", 0);
  if (p.rotaryDim == 0) p.rotaryDim = p.headDim;
  if (p.rotaryDim < 0 || p.rotaryDim > p.headDim || p.rotaryDim % 2 != 0)
    kernelFail(sig, "rotary_embedding_dim " + std::to_string(p.rotaryDim) +
                        " must be even and at most the head size " + std::to_string(p.headDim));
  requireShape(sig, *ids, {p.batch, p.seq}, "position_ids");
  if (cosCache.rank() != 2 || cosCache.shape[1] != p.rotaryDim / 2)
    kernelFail(sig, "cos_cache must be [P, " + std::to_string(p.rotaryDim / 2) + "], got " + shapeStr(cosCache.shape));
  requireShape(sig, sinCache, cosCache.shape, "sin_cache");
  p.positions = cosCache.shape[0];
  return p;
}

namespace {

class RefRotary final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = parseRotary(sig); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    const float *cosCache = in[1]->as<float>(), *sinCache = in[2]->as<float>();
    const int64_t *ids = in[3]->as<int64_t>();
    float *y = out[0]->as<float>();
    const int64_t rows = p_.batch * p_.seq;
    // Every position first, so a bad one fails before anything is written.
    for (int64_t r = 0; r < rows; ++r)
      if (ids[r] < 0 || ids[r] >= p_.positions)
        throw Error(p_.node + ": position_ids[" + std::to_string(r / p_.seq) + ", " + std::to_string(r % p_.seq) +
                    "] = " + std::to_string(ids[r]) + " is outside the cos/sin caches of " +
                    std::to_string(p_.positions) + " positions");
    const int64_t D = p_.headDim, half = p_.rotaryDim / 2, rowSize = p_.heads * D;
    const int64_t grain = std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(1, rowSize));
    ctx.parallelFor(rows, grain, [&](int64_t r0, int64_t r1, int) {
      for (int64_t r = r0; r < r1; ++r) {
        const float *c = cosCache + ids[r] * half, *s = sinCache + ids[r] * half;
        for (int64_t h = 0; h < p_.heads; ++h) {
          const float *xh = x + r * rowSize + h * D;
          float *yh = y + r * rowSize + h * D;
          // Pair i: (2i, 2i + 1) interleaved (ggml's normal mode), else (i, i + R/2) (NeoX).
          const int64_t step = p_.interleaved ? 2 : 1, other = p_.interleaved ? 1 : half;
          for (int64_t i = 0; i < half; ++i) {
            const float x0 = xh[i * step], x1 = xh[i * step + other];
            yh[i * step] = x0 * c[i] - x1 * s[i];
            yh[i * step + other] = x0 * s[i] + x1 * c[i];
          }
          for (int64_t i = p_.rotaryDim; i < D; ++i) yh[i] = xh[i];
        }
      }
    });
  }

private:
  RotaryPlan p_;
};

}  // namespace

// ---- KVCacheAttention ----

AttentionPlan parseAttention(const KernelSignature &sig) {
  requireInputCount(sig, 4, 6);
  const TensorView &q = requireInput(sig, 0, "Q");
  const TensorView &k = requireInput(sig, 1, "K cache");
  const TensorView &v = requireInput(sig, 2, "V cache");
  const TensorView &pos = requireInput(sig, 3, "pos");
  const TensorView *ks = optionalInput(sig, 4), *vs = optionalInput(sig, 5);
  const TensorView &y = requireOutput(sig, 0);
  requireDType(sig, q, Types<float>{}, "Q");
  requireDType(sig, y, Types<float>{}, "the output");
  requireDType(sig, pos, Types<int64_t>{}, "pos");
  requireDType(sig, k, Types<float, Half, int8_t>{}, "the K cache");
  requireSameDType(sig, k, v, "V cache");
  if (pos.numel() != 1 || pos.rank() > 1) kernelFail(sig, "pos must be one i64 ([1]), got " + shapeStr(pos.shape));
  if (q.rank() != 3) kernelFail(sig, "Q must be [S, Hq, D], got " + shapeStr(q.shape));
  if (k.rank() != 3) kernelFail(sig, "the K cache must be [Hkv, C, D], got " + shapeStr(k.shape));
  requireShape(sig, v, k.shape, "V cache");
  requireShape(sig, y, q.shape, "output");
  AttentionPlan p;
  p.node = sig.op + " node '" + sig.node + "'";
  p.S = q.shape[0];
  p.Hq = q.shape[1];
  p.D = q.shape[2];
  p.Hkv = k.shape[0];
  p.C = k.shape[1];
  if (k.shape[2] != p.D)
    kernelFail(sig, "the K cache's head size " + std::to_string(k.shape[2]) + " differs from Q's " + std::to_string(p.D));
  if (p.Hkv <= 0 || p.Hq % p.Hkv != 0)
    kernelFail(sig, "query heads " + std::to_string(p.Hq) + " are not a multiple of KV heads " + std::to_string(p.Hkv));
  p.cacheType = k.dtype;
  if (p.cacheType == DType::i8) {
    // Symmetric int8 caches: one f32 scale per cached row and head.
    if (!ks || !vs) kernelFail(sig, "i8 caches need K scales and V scales (inputs 4 and 5, f32 [Hkv, C])");
    for (const TensorView *t : {ks, vs}) {
      requireDType(sig, *t, Types<float>{}, "the cache scales");
      requireShape(sig, *t, {p.Hkv, p.C}, "cache scales");
    }
  } else if (ks || vs) {
    kernelFail(sig, std::string("cache scales are only for i8 caches, the caches are ") + dtypeName(k.dtype));
  }
  if (p.cacheType == DType::i8 && p.D > kMaxI8HeadSize)
    kernelFail(sig, "i8 caches take heads of up to " + std::to_string(kMaxI8HeadSize) +
                        " elements (a query's dot with a cached row exact in f32), got " + std::to_string(p.D));
  p.scale = sig.attrs.f("scale");
  if (!std::isfinite(p.scale)) kernelFail(sig, "scale must be finite");
  // Absent (the op's default, which the package writer leaves out): no window.
  p.window = sig.attrs.i("window", 0);
  if (p.window < 0) kernelFail(sig, "window must be 0 (no window) or > 0, got " + std::to_string(p.window));
  p.softcap = sig.attrs.f("softcap", 0.f);
  if (!(std::isfinite(p.softcap) && p.softcap >= 0.f))
    kernelFail(sig, "softcap must be 0 (none) or a finite cap > 0, got " + std::to_string(p.softcap));
  p.ring = sig.attrs.i("ring", 0);
  if (p.ring < 0) kernelFail(sig, "ring must be 0 (none) or > 0, got " + std::to_string(p.ring));
  if (p.ring > 0 && (p.window == 0 || p.C != 2 * p.ring || p.S + p.window - 1 > p.ring))
    kernelFail(sig, "a ring of " + std::to_string(p.ring) + " rows needs a window, caches of " +
                        std::to_string(2 * p.ring) + " rows and S + window - 1 <= ring (S " + std::to_string(p.S) +
                        ", window " + std::to_string(p.window) + ", cache rows " + std::to_string(p.C) + ")");
  return p;
}

float softcapScore(const AttentionPlan &p, float x) {
  return p.softcap > 0.f ? p.softcap * std::tanh(x * (1.0f / p.softcap)) : x;
}

float quantizeQueryRow(const float *q, int64_t D, float *codes) {
  int8_t q8[kMaxI8HeadSize];
  float scale;
  quantizeRowQ8(q, D, D, q8, &scale, nullptr);
  for (int64_t d = 0; d < D; ++d) codes[d] = float(q8[d]);
  return scale;
}

int64_t attentionGrain(const AttentionPlan &p, int64_t pos) {
  const int64_t rows = p.window > 0 ? std::min(pos + p.S / 2 + 1, p.window) : pos + p.S / 2 + 1;
  const int64_t perItem = 2 * rows * std::max<int64_t>(p.D, 1);
  return std::max<int64_t>(1, kMinElementsPerThread / perItem);
}

int64_t attentionPosition(const AttentionPlan &p, const TensorView &posTensor) {
  const int64_t pos = *posTensor.as<int64_t>();
  // A ring holds any position (up to what the kernels' 32-bit row counts take).
  if (p.ring > 0) {
    if (pos < 0 || pos > std::numeric_limits<int32_t>::max() - p.S)
      throw Error(p.node + ": position " + std::to_string(pos) + " is outside 0 .. " +
                  std::to_string(std::numeric_limits<int32_t>::max() - p.S));
    return pos;
  }
  // Written so that no sum can overflow: pos + S - 1 < C.
  if (pos < 0 || pos >= p.C || p.S > p.C - pos)
    throw Error(p.node + ": position " + std::to_string(pos) + " with " + std::to_string(p.S) +
                " query rows needs cache rows up to " + std::to_string(pos) + " + " + std::to_string(p.S - 1) +
                ", but the cache holds " + std::to_string(p.C) + " rows");
  return pos;
}

void attentionItem(const AttentionPlan &p, int64_t i, int64_t *s, int64_t *h) {
  const int64_t t = i / p.Hq;
  *h = i % p.Hq;
  *s = t % 2 == 0 ? t / 2 : p.S - 1 - t / 2;
}

void widenHalfRow(const uint16_t *in, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t h = in[i], sign = (h & 0x8000u) << 16, mag = (h & 0x7fffu) << 13;
    // The half's exponent and mantissa in a float's low bits, scaled by 2^112: normal
    // halves get their exponent rebiased, subnormal ones (a float subnormal times 2^112)
    // become the normal floats they are; both exactly.
    float f;
    std::memcpy(&f, &mag, 4);
    f *= 0x1p112f;
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    // Exponent 31: infinity, or a NaN with its payload and the quiet bit. Selected with
    // masks, not branches, so that the loop vectorizes.
    const uint32_t special = 0x7f800000u | mag | uint32_t((mag & 0x7fe000u) != 0) << 22;
    const uint32_t isSpecial = 0u - uint32_t((h & 0x7c00u) == 0x7c00u);
    bits = (bits & ~isSpecial) | (special & isSpecial) | sign;
    std::memcpy(&out[i], &bits, 4);
  }
}

namespace {

// A cached row of n elements as f32: f16 widened exactly (widenHalfRow), i8 as its codes
// (the row's scale is applied to the dot product, or to the probability, by the caller);
// f32 rows are used in place.
const float *rowAsFloat(const float *p, int64_t, float *) { return p; }
const float *rowAsFloat(const Half *p, int64_t n, float *buf) {
  widenHalfRow(reinterpret_cast<const uint16_t *>(p), buf, n);
  return buf;
}
const float *rowAsFloat(const int8_t *p, int64_t n, float *buf) {
  for (int64_t i = 0; i < n; ++i) buf[i] = static_cast<float>(p[i]);
  return buf;
}

class RefAttention final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = parseAttention(sig); }
  // Per thread: the scores of one query row (at most C), the output accumulator, a cached
  // row widened to f32 and (i8 caches) the query's codes.
  size_t scratchBytes() const override { return size_t(p_.C + 3 * p_.D) * sizeof(float); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int64_t pos = attentionPosition(p_, *in[3]);
    const float *ks = p_.cacheType == DType::i8 ? in[4]->as<float>() : nullptr;
    const float *vs = p_.cacheType == DType::i8 ? in[5]->as<float>() : nullptr;
    const float *q = in[0]->as<float>();
    float *y = out[0]->as<float>();
    auto go = [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *k = in[1]->as<T>(), *v = in[2]->as<T>();
      ctx.parallelFor(p_.S * p_.Hq, attentionGrain(p_, pos), [&](int64_t i0, int64_t i1, int thread) {
        float *scores = static_cast<float *>(ctx.threadScratch(thread));
        for (int64_t i = i0; i < i1; ++i) {
          int64_t s, h;
          attentionItem(p_, i, &s, &h);
          head(q, k, v, ks, vs, y, pos, s, h, scores);
        }
      });
    };
    if (p_.cacheType == DType::f32) go(Tag<float>{});
    else if (p_.cacheType == DType::f16) go(Tag<Half>{});
    else go(Tag<int8_t>{});
  }

private:
  // Query row s, head h: y = softmax(scale * q . K[j0..n)) . V[j0..n), n = pos + s + 1,
  // j0 = firstAttended(pos + s) (0 without a window); rows outside are never read.
  template <typename T>
  void head(const float *q, const T *k, const T *v, const float *ks, const float *vs, float *y, int64_t pos,
            int64_t s, int64_t h, float *scores) const {
    const int64_t D = p_.D, kvh = h / (p_.Hq / p_.Hkv), j0 = p_.firstAttended(pos + s), n = pos + s + 1;
    // Position j's row (firstRow + j), counted from j0 so as never to point before the cache.
    const int64_t r0 = p_.firstRow(kvh, pos) + j0;
    const T *kh = k + r0 * D, *vh = v + r0 * D;
    const float *ksh = ks ? ks + r0 : nullptr, *vsh = vs ? vs + r0 : nullptr;
    float *acc = scores + p_.C, *row = acc + D, *codes = row + D;
    const float *qh = q + (s * p_.Hq + h) * D;
    float qScale = 1.f;
    if (ksh) {  // i8: the query's codes (quantizeQueryRow)
      qScale = quantizeQueryRow(qh, D, codes);
      qh = codes;
    }
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t j = j0; j < n; ++j) {
      const float *kj = rowAsFloat(kh + (j - j0) * D, D, row);
      float dot = 0.f;
      for (int64_t d = 0; d < D; ++d) dot += qh[d] * kj[d];
      if (ksh) dot = dot * qScale * ksh[j - j0];
      scores[j - j0] = softcapScore(p_, dot * p_.scale);
      mx = std::max(mx, scores[j - j0]);
    }
    float sum = 0.f;
    for (int64_t j = j0; j < n; ++j) {
      scores[j - j0] = std::exp(scores[j - j0] - mx);
      sum += scores[j - j0];
    }
    for (int64_t d = 0; d < D; ++d) acc[d] = 0.f;
    for (int64_t j = j0; j < n; ++j) {
      const float *vj = rowAsFloat(vh + (j - j0) * D, D, row);
      const float pj = vsh ? scores[j - j0] * vsh[j - j0] : scores[j - j0];
      for (int64_t d = 0; d < D; ++d) acc[d] += pj * vj[d];
    }
    const float inv = 1.0f / sum;
    float *yh = y + (s * p_.Hq + h) * D;
    for (int64_t d = 0; d < D; ++d) yh[d] = acc[d] * inv;
  }

  AttentionPlan p_;
};

// ---- DynamicQuantizeRows ----
// X f32 [..., D] -> codes i8 [..., D], scales f32 [...]: each row one Q8 block of D
// (ref::quantizeRowQ8's arithmetic, the oracle the activation quantizers share), how an
// int8 KV cache stores a step's keys and values (one scale per position and head).
class RefQuantizeRows final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    const TensorView &scales = requireOutput(sig, 1);
    requireDType(sig, x, Types<float>{}, "X");
    requireDType(sig, y, Types<int8_t>{}, "the codes");
    requireDType(sig, scales, Types<float>{}, "the scales");
    if (x.rank() < 1 || x.shape.back() < 1) kernelFail(sig, "X must have rank >= 1 and rows of at least 1 element");
    requireShape(sig, y, x.shape, "codes");
    requireShape(sig, scales, std::vector<int64_t>(x.shape.begin(), x.shape.end() - 1), "scales");
    D_ = x.shape.back();
    rows_ = x.numel() / D_;
  }
  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    int8_t *codes = out[0]->as<int8_t>();
    float *scales = out[1]->as<float>();
    ctx.parallelFor(rows_, 16, [&](int64_t r0, int64_t r1, int) {
      for (int64_t r = r0; r < r1; ++r) quantizeRowQ8(x + r * D_, D_, D_, codes + r * D_, scales + r, nullptr);
    });
  }

private:
  int64_t D_ = 0, rows_ = 0;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefLlm(KernelRegistry &r) {
  r.add<ref::RefRmsNorm>("RMSNormalization", Isa::Ref);
  r.add<ref::RefRotary>("RotaryEmbedding", Isa::Ref);
  r.add<ref::RefAttention>("KVCacheAttention", Isa::Ref);
  r.add<ref::RefQuantizeRows>("DynamicQuantizeRows", Isa::Ref);
}
}  // namespace edgec::rt
