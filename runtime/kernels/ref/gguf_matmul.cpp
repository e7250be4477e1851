// GgufMatMul (ref, the oracle). Per output y[r, n], weight row n against activation row r
// (quantized by the functions of ref/gguf_matmul.h), block by block in K order:
//
//   acc = 0.0f
//   q4_0 q5_0 q8_0 iq4_nl:  acc = fma(float(isum), dw * dx, acc)
//   q4_1 q5_1:       acc = fma(float(isum), dw * dx, acc); acc = fma(mw, sx, acc)
//   q2_k q4_k q5_k:  acc = fma(float(isum), dw * dx, acc); acc = fma(float(-msum), dminw * dx, acc)
//   q3_k:            acc = fma(float(isum), dw * dx, acc)
//   q6_k iq4_xs:     acc = fma(float(isum), dw * dx, acc)
//   y = bias ? acc + bias[n] : acc
//
// isum is the exact int32 dot of the block's weight codes (signed: q4_0 code - 8, q5_0
// code - 16, q8_0 as is, q6_k code - 32, iq4_nl/iq4_xs kIq4Values[code]; unsigned for the
// formats with a min) with the activation codes (q3_k: code -4..3), the K formats weighting
// each sub-block's dot by its integer scale (q3_k's and iq4_xs's scale - 32); msum =
// sum_j min_j * (bsum[2j] + bsum[2j + 1]) (q4_k/q5_k's mins of 32 elements against Q8_K's sums of 16), sum_j min_j * bsum[j]
// (q2_k's mins of 16). dw, mw, dminw are the weight's f16 fields, dx and sx the activation's; each scale
// product is one f32 multiply. These are ggml's vec_dot integer sums (its
// ggml_vec_dot_*_q8_* in ggml-cpu/quants.c), accumulated in our order: one fma per term,
// per output, so an ISA that holds outputs in vector lanes gets the same bits. f32/f16/bf16
// weights: reduceLanes32's order. Integer bounds: |isum| <= 256 * 63 * 127 * 128 < 2^31.
#include "ref/gguf_matmul.h"

#include <cmath>
#include <cstring>

#include "ref/gguf_blocks.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

// The f16 value nearest to v (ties to even), widened: ggml's FP32_TO_FP16 then back.
float roundToF16(float v) { return halfToFloat(halfFromDouble(v)); }

// max |x| over [x, x + n), NaNs ignored (std::max keeps its first operand for a NaN).
float maxAbs(const float *x, int64_t n) {
  float m = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    m = std::max(m, std::fabs(x[i]));
  return m;
}

// A code from a float already scaled: fmin/fmax give 127 for a NaN, as the x86 min/max.
int8_t clampCode(float v, float lo) { return int8_t(std::fmax(lo, std::fmin(127.0f, v))); }

// Q8_0's codes and scales for one block of 32; returns d32 and the code sum.
float q8Block(const float *x, int8_t *qs, float *d, int32_t *sum) {
  const float amax = maxAbs(x, 32), d32 = amax / 127.0f;
  const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
  int32_t s = 0;
  for (int j = 0; j < 32; ++j) {
    qs[j] = clampCode(std::nearbyint(x[j] * id), -127.0f);  // nearest even, as vroundps
    s += qs[j];
  }
  *d = roundToF16(d32);
  *sum = s;
  return d32;
}

// ---- Integer block dots (the weight layouts of ref/gguf_blocks.h) ----

// 32-element formats: code j < 16 in the low nibble of qs[j], j + 16 in its high nibble,
// the fifth bit of element i (q5) is bit i of qh.
int32_t dotQ4(const uint8_t *qs, const int8_t *q, int offset) {
  int32_t s = 0;
  for (int j = 0; j < 16; ++j)
    s += ((qs[j] & 0xF) - offset) * q[j] + ((qs[j] >> 4) - offset) * q[j + 16];
  return s;
}

int32_t dotQ5(const uint8_t *qhBytes, const uint8_t *qs, const int8_t *q, int offset) {
  const uint32_t qh = u32At(qhBytes);
  int32_t s = 0;
  for (int j = 0; j < 16; ++j) {
    const int lo = int((qs[j] & 0xF) | ((qh >> j) & 1) << 4);
    const int hi = int((qs[j] >> 4) | ((qh >> (j + 16)) & 1) << 4);
    s += (lo - offset) * q[j] + (hi - offset) * q[j + 16];
  }
  return s;
}

// Q4_K/Q5_K's 6-bit scale and min of sub-block j (gguf_blocks.cpp's scaleMinK4).
void scaleMinK4(int j, const uint8_t *s, int *scale, int *min) {
  if (j < 4) {
    *scale = s[j] & 63;
    *min = s[j + 4] & 63;
  } else {
    *scale = (s[j + 4] & 0xF) | (s[j - 4] >> 6) << 4;
    *min = (s[j + 4] >> 4) | (s[j] >> 6) << 4;
  }
}

// Q4_K [d, dmin, scales[12], qs[128]] / Q5_K [.., qh[32], qs[128]]: chunk c (64 elements)
// takes sub-block 2c from the low nibbles of qs[32c ..], 2c + 1 from the high ones; the
// fifth bit of element l of sub-block j is bit j of qh[l].
void dotQ45K(const uint8_t *b, const uint8_t *qh, const uint8_t *qs, const int8_t *q, const int16_t *bsums,
             int32_t *isum, int32_t *msum) {
  int32_t is = 0, ms = 0;
  for (int j = 0; j < 8; ++j) {
    int sc, mn;
    scaleMinK4(j, b + 4, &sc, &mn);
    const uint8_t *bytes = qs + 32 * (j / 2);
    const int shift = 4 * (j % 2);
    int32_t dot = 0;
    for (int l = 0; l < 32; ++l) {
      const int code = ((bytes[l] >> shift) & 0xF) | (qh ? ((qh[l] >> j) & 1) << 4 : 0);
      dot += code * q[32 * j + l];
    }
    is += sc * dot;
    ms += mn * (bsums[2 * j] + bsums[2 * j + 1]);
  }
  *isum = is;
  *msum = ms;
}

// Q6_K [ql[128], qh[64], scales[16] int8, d]: element 128h + 32p + l (l < 32) has low bits
// from ql[64h + l] (p = 0, 2) or ql[64h + 32 + l] (p = 1, 3), low nibble for p < 2, top
// two bits from bits 2p, 2p + 1 of qh[32h + l]; sub-block (16 elements) i has scales[i].
int32_t dotQ6K(const uint8_t *b, const int8_t *q) {
  const uint8_t *ql = b, *qh = b + 128;
  const auto *sc = reinterpret_cast<const int8_t *>(b + 192);
  int32_t isum = 0;
  for (int h = 0; h < 2; ++h)
    for (int p = 0; p < 4; ++p)
      for (int half = 0; half < 2; ++half) {  // the two sub-blocks of 16 in this run of 32
        int32_t dot = 0;
        for (int l = 16 * half; l < 16 * half + 16; ++l) {
          const uint8_t low = ql[64 * h + 32 * (p & 1) + l];
          const int code = ((p < 2 ? low : low >> 4) & 0xF) | ((qh[32 * h + l] >> (2 * p)) & 3) << 4;
          dot += (code - 32) * q[128 * h + 32 * p + l];
        }
        isum += int32_t(sc[8 * h + 2 * p + half]) * dot;
      }
  return isum;
}

// Q2_K [scales[16], qs[64], d, dmin] / Q3_K [hmask[32], qs[64], scales[12], d]
// (gguf_blocks.cpp's q2_k, q3_k): element 128h + 32j + l has the bits 2j, 2j + 1 of
// qs[32h + l] (q3_k: less 4 unless bit 4h + j of hmask[l] is set) and sub-block
// 8h + 2j + l / 16.
void dotQ2K(const uint8_t *b, const int8_t *q, const int16_t *bsums, int32_t *isum, int32_t *msum) {
  int32_t is = 0, ms = 0;
  for (int i = 0; i < 16; ++i) {
    const int h = i / 8, j = (i % 8) / 2, l0 = 16 * (i % 2);
    int32_t dot = 0;
    for (int l = l0; l < l0 + 16; ++l)
      dot += ((b[16 + 32 * h + l] >> (2 * j)) & 3) * q[128 * h + 32 * j + l];
    is += (b[i] & 0xF) * dot;
    ms += (b[i] >> 4) * bsums[i];
  }
  *isum = is;
  *msum = ms;
}

int32_t dotQ3K(const uint8_t *b, const int8_t *q) {
  int32_t isum = 0;
  for (int i = 0; i < 16; ++i) {
    const int h = i / 8, j = (i % 8) / 2, l0 = 16 * (i % 2);
    int32_t dot = 0;
    for (int l = l0; l < l0 + 16; ++l) {
      const int low = (b[32 + 32 * h + l] >> (2 * j)) & 3;
      dot += ((b[l] >> (4 * h + j)) & 1 ? low : low - 4) * q[128 * h + 32 * j + l];
    }
    isum += (q3kScale(i, b + 96) - 32) * dot;
  }
  return isum;
}

// IQ4_NL's block of 32 (qs: its 16 code bytes) and IQ4_XS's 8 sub-blocks of 32 at qs
// b + 8 + 16 ib, each weighted by its scale - 32 (iq4xsScale).
int32_t dotIq4(const uint8_t *qs, const int8_t *q) {
  int32_t s = 0;
  for (int j = 0; j < 16; ++j)
    s += kIq4Values[qs[j] & 0xF] * q[j] + kIq4Values[qs[j] >> 4] * q[j + 16];
  return s;
}

int32_t dotIq4Xs(const uint8_t *b, const int8_t *q) {
  int32_t isum = 0;
  for (int ib = 0; ib < 8; ++ib)
    isum += (iq4xsScale(ib, b + 2) - 32) * dotIq4(b + 8 + 16 * ib, q + 32 * ib);
  return isum;
}

float dotFloatRow(const GgufMatMulPlan &p, const uint8_t *w, const float *a) {
  float lanes[32] = {};
  for (int64_t k = 0; k < p.K; ++k) {
    const float wv = p.wtype == DType::f32   ? reinterpret_cast<const float *>(w)[k]
                     : p.wtype == DType::f16 ? f16At(w + 2 * k)
                                             : bf16At(w + 2 * k);
    lanes[k % 32] = std::fma(a[k], wv, lanes[k % 32]);
  }
  return reduceLanes32(lanes);
}

size_t alignUp(size_t n) { return (n + 63) / 64 * 64; }

} // namespace

void quantizeRowQ8_0(const float *x, int64_t K, int8_t *qs, float *d, int32_t *sums) {
  for (int64_t b = 0; b < K / 32; ++b) {
    int32_t s;
    q8Block(x + 32 * b, qs + 32 * b, d + b, &s);
    if (sums) sums[b] = s;
  }
}

void quantizeRowQ8_1(const float *x, int64_t K, int8_t *qs, float *d, float *s, int32_t *sums) {
  for (int64_t b = 0; b < K / 32; ++b) {
    int32_t sum;
    const float d32 = q8Block(x + 32 * b, qs + 32 * b, d + b, &sum);
    s[b] = roundToF16(float(sum) * d32);
    if (sums) sums[b] = sum;
  }
}

void quantizeRowQ8_K(const float *x, int64_t K, int8_t *qs, float *d, int16_t *bsums) {
  for (int64_t b = 0; b < K / 256; ++b, x += 256, qs += 256, bsums += 16) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < 256; ++j)
      if (std::fabs(x[j]) > amax) {  // the first of largest magnitude; NaN never compares
        amax = std::fabs(x[j]);
        max = x[j];
      }
    if (amax == 0.0f) {
      d[b] = 0.0f;
      std::memset(qs, 0, 256);
      std::memset(bsums, 0, 16 * sizeof(int16_t));
      continue;
    }
    const float iscale = -127.0f / max;
    for (int j = 0; j < 256; ++j)
      qs[j] = clampCode(std::nearbyint(iscale * x[j]), -128.0f);  // nearest even, as ggml's nearest_int
    for (int g = 0; g < 16; ++g) {
      int s = 0;
      for (int j = 0; j < 16; ++j)
        s += qs[16 * g + j];
      bsums[g] = int16_t(s);
    }
    d[b] = 1.0f / iscale;
  }
}

void roundRowF16(const float *x, int64_t K, float *out) {
  for (int64_t k = 0; k < K; ++k)
    out[k] = roundToF16(x[k]);
}

void roundRowBf16(const float *x, int64_t K, float *out) {
  for (int64_t k = 0; k < K; ++k) {
    uint32_t u;
    std::memcpy(&u, &x[k], sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u)
      u = (u | 0x00400000u) & 0xffff0000u;  // NaN: quiet, same sign and top payload
    else
      u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;  // nearest even (overflow gives inf)
    std::memcpy(&out[k], &u, sizeof u);
  }
}

float reduceLanes32(float *lanes) {
  for (int w = 16; w >= 1; w /= 2)
    for (int l = 0; l < w; ++l)
      lanes[l] = lanes[l] + lanes[l + w];
  return lanes[0];
}

bool isGgufMatMulWeight(DType t) {
  switch (t) {
  case DType::f32: case DType::f16: case DType::bf16: case DType::q4_0: case DType::q4_1: case DType::q5_0:
  case DType::q5_1: case DType::q8_0: case DType::q2_k: case DType::q3_k: case DType::q4_k: case DType::q5_k:
  case DType::q6_k: case DType::iq4_nl: case DType::iq4_xs:
    return true;
  default:
    return false;
  }
}

GgufMatMulPlan prepareGgufMatMul(const KernelSignature &sig) {
  requireInputCount(sig, 2, 3);
  const TensorView &a = requireInput(sig, 0, "A");
  const TensorView &b = requireInput(sig, 1, "B");
  const TensorView &y = requireOutput(sig, 0);
  if (a.dtype != DType::f32 || y.dtype != DType::f32) kernelFail(sig, "A and the output must be f32");
  if (!isGgufMatMulWeight(b.dtype))
    kernelFail(sig, "weight B has dtype " + std::string(dtypeName(b.dtype)) +
                        ", which GgufMatMul does not take (f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, "
                        "q3_k, q4_k, q5_k, q6_k, iq4_nl, iq4_xs)");
  if (b.rank() != 2) kernelFail(sig, "weight B must be [N, K], got " + shapeStr(b.shape));
  GgufMatMulPlan p;
  p.wtype = b.dtype;
  p.N = b.shape[0];
  p.K = b.shape[1];
  const DTypeInfo &info = dtypeInfo(b.dtype);
  p.blockSize = info.blockSize;
  if (p.K % p.blockSize != 0)
    kernelFail(sig, std::string(info.name) + " stores whole blocks of " + std::to_string(p.blockSize) +
                        " elements, but K is " + std::to_string(p.K));
  p.blocks = p.K / p.blockSize;
  p.rowBytes = info.isBlock() ? p.blocks * info.blockBytes : p.K * int64_t(info.bits / 8);
  if (a.rank() < 1 || a.shape.back() != p.K)
    kernelFail(sig, "A's last dim must be the weight's K (" + std::to_string(p.K) + "), got A " + shapeStr(a.shape));
  p.rows = product(a.shape, 0, a.shape.size() - 1);
  std::vector<int64_t> expected(a.shape.begin(), a.shape.end() - 1);
  expected.push_back(p.N);
  requireShape(sig, y, expected, "output");
  p.hasBias = sig.inputs.size() > 2 && sig.inputs[2];
  if (p.hasBias && (sig.inputs[2]->dtype != DType::f32 || sig.inputs[2]->rank() != 1 || sig.inputs[2]->shape[0] != p.N))
    kernelFail(sig, "the bias C must be f32 [" + std::to_string(p.N) + "]");
  switch (p.wtype) {
  case DType::f32: p.act = GgufAct::F32; break;
  case DType::f16: p.act = GgufAct::F16; break;
  case DType::bf16: p.act = GgufAct::BF16; break;
  case DType::q4_1: case DType::q5_1: p.act = GgufAct::Q8_1; break;
  case DType::q2_k: case DType::q3_k: case DType::q4_k: case DType::q5_k: case DType::q6_k: case DType::iq4_xs:
    p.act = GgufAct::Q8_K;
    break;
  default: p.act = GgufAct::Q8_0; break;
  }
  // The activation row's arrays, each 64-byte aligned.
  const size_t K = size_t(p.K);
  size_t at = 0;
  auto take = [&](size_t bytes) {
    const size_t off = at;
    at += alignUp(bytes);
    return off;
  };
  switch (p.act) {
  case GgufAct::F32: case GgufAct::F16: case GgufAct::BF16:
    p.fOff = take(K * sizeof(float));
    break;
  case GgufAct::Q8_0: case GgufAct::Q8_1:
    p.qsOff = take(K);
    p.dOff = take(K / 32 * sizeof(float));
    p.sOff = take(K / 32 * sizeof(float));
    p.sumsOff = take(K / 32 * sizeof(int32_t));
    break;
  case GgufAct::Q8_K:
    p.qsOff = take(K);
    p.dOff = take(K / 256 * sizeof(float));
    p.bsumsOff = take(K / 16 * sizeof(int16_t));
    break;
  }
  p.actBytes = std::max<size_t>(at, 64);
  return p;
}

GgufActRow ggufActRow(const GgufMatMulPlan &p, uint8_t *base) {
  GgufActRow r{};
  r.qs = reinterpret_cast<int8_t *>(base + p.qsOff);
  r.d = reinterpret_cast<float *>(base + p.dOff);
  r.s = reinterpret_cast<float *>(base + p.sOff);
  r.sums = reinterpret_cast<int32_t *>(base + p.sumsOff);
  r.bsums = reinterpret_cast<int16_t *>(base + p.bsumsOff);
  r.f = reinterpret_cast<float *>(base + p.fOff);
  return r;
}

void quantizeGgufActivation(const GgufMatMulPlan &p, const float *x, uint8_t *base) {
  const GgufActRow r = ggufActRow(p, base);
  switch (p.act) {
  case GgufAct::F32: std::memcpy(r.f, x, size_t(p.K) * sizeof(float)); break;
  case GgufAct::F16: roundRowF16(x, p.K, r.f); break;
  case GgufAct::BF16: roundRowBf16(x, p.K, r.f); break;
  case GgufAct::Q8_0: quantizeRowQ8_0(x, p.K, r.qs, r.d, r.sums); break;
  case GgufAct::Q8_1: quantizeRowQ8_1(x, p.K, r.qs, r.d, r.s, r.sums); break;
  case GgufAct::Q8_K: quantizeRowQ8_K(x, p.K, r.qs, r.d, r.bsums); break;
  }
}

float ggufDotRow(const GgufMatMulPlan &p, const uint8_t *w, const GgufActRow &a) {
  if (p.act == GgufAct::F32 || p.act == GgufAct::F16 || p.act == GgufAct::BF16) return dotFloatRow(p, w, a.f);
  const int64_t bytes = dtypeInfo(p.wtype).blockBytes;
  float acc = 0.0f;
  for (int64_t b = 0; b < p.blocks; ++b, w += bytes) {
    const int8_t *q = a.qs + b * p.blockSize;
    switch (p.wtype) {
    case DType::q4_0: acc = std::fma(float(dotQ4(w + 2, q, 8)), f16At(w) * a.d[b], acc); break;
    case DType::q5_0: acc = std::fma(float(dotQ5(w + 2, w + 6, q, 16)), f16At(w) * a.d[b], acc); break;
    case DType::q8_0: {
      int32_t s = 0;
      for (int j = 0; j < 32; ++j)
        s += int8_t(w[2 + j]) * q[j];
      acc = std::fma(float(s), f16At(w) * a.d[b], acc);
      break;
    }
    case DType::q4_1:
      acc = std::fma(float(dotQ4(w + 4, q, 0)), f16At(w) * a.d[b], acc);
      acc = std::fma(f16At(w + 2), a.s[b], acc);
      break;
    case DType::q5_1:
      acc = std::fma(float(dotQ5(w + 4, w + 8, q, 0)), f16At(w) * a.d[b], acc);
      acc = std::fma(f16At(w + 2), a.s[b], acc);
      break;
    case DType::q4_k: case DType::q5_k: {
      int32_t isum, msum;
      const bool q5 = p.wtype == DType::q5_k;
      dotQ45K(w, q5 ? w + 16 : nullptr, w + (q5 ? 48 : 16), q, a.bsums + 16 * b, &isum, &msum);
      acc = std::fma(float(isum), f16At(w) * a.d[b], acc);
      acc = std::fma(float(-msum), f16At(w + 2) * a.d[b], acc);
      break;
    }
    case DType::q2_k: {
      int32_t isum, msum;
      dotQ2K(w, q, a.bsums + 16 * b, &isum, &msum);
      acc = std::fma(float(isum), f16At(w + 80) * a.d[b], acc);
      acc = std::fma(float(-msum), f16At(w + 82) * a.d[b], acc);
      break;
    }
    case DType::q3_k: acc = std::fma(float(dotQ3K(w, q)), f16At(w + 108) * a.d[b], acc); break;
    case DType::q6_k: acc = std::fma(float(dotQ6K(w, q)), f16At(w + 208) * a.d[b], acc); break;
    case DType::iq4_nl: acc = std::fma(float(dotIq4(w + 2, q)), f16At(w) * a.d[b], acc); break;
    case DType::iq4_xs: acc = std::fma(float(dotIq4Xs(w, q)), f16At(w) * a.d[b], acc); break;
    default: break;  // prepare took no other dtype
    }
  }
  return acc;
}

namespace {

class GgufMatMul : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = prepareGgufMatMul(sig); }

  // Thread 0's region holds every row's activations, which all threads read.
  size_t scratchBytes() const override { return size_t(std::max<int64_t>(p_.rows, 1)) * p_.actBytes; }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    const auto *w = static_cast<const uint8_t *>(in[1]->data);
    const float *bias = p_.hasBias ? in[2]->as<float>() : nullptr;
    float *y = out[0]->as<float>();
    auto *act = static_cast<uint8_t *>(ctx.threadScratch(0));
    for (int64_t r = 0; r < p_.rows; ++r)
      quantizeGgufActivation(p_, x + r * p_.K, act + size_t(r) * p_.actBytes);
    const int64_t grain = std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(1, p_.K * p_.rows));
    ctx.parallelFor(p_.N, grain, [&](int64_t begin, int64_t end, int) {
      for (int64_t r = 0; r < p_.rows; ++r) {
        const GgufActRow a = ggufActRow(p_, act + size_t(r) * p_.actBytes);
        for (int64_t n = begin; n < end; ++n) {
          const float v = ggufDotRow(p_, w + n * p_.rowBytes, a);
          y[r * p_.N + n] = bias ? v + bias[n] : v;
        }
      }
    });
  }

private:
  GgufMatMulPlan p_;
};

} // namespace
} // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefGgufMatMul(KernelRegistry &r) {
  r.add("GgufMatMul", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::GgufMatMul()); }, nullptr);
  registerGgufMatMulId(r, Isa::Ref, nullptr);  // ref's GgufMatMul per expert
}
} // namespace edgec::rt
