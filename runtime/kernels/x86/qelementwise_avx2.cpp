// x86 AVX2 quantized elementwise kernels, bit-exact twins of the ref ones: Add/Sub with
// TFLite's int8 algorithm on same-shape operands (8 int32 lanes, 32 elements per step),
// Mul on same-shape operands or with one operand constant along rows (the squeeze-excitation
// [N, C, 1, 1] x [N, C, H, W]), the 256-entry table ops (Relu, Sigmoid, ...: a scalar
// lookup, unrolled; AVX2 has no 256-byte shuffle), and per-tensor QuantizeLinear (f32 ->
// i8/u8) and DequantizeLinear (i8/u8 -> f32). The kernel classes and scalar tails are
// qelementwise_driver.inc.
//
// Add/Sub per element: a' = MBQM((a - za) << 20, ma), b' likewise, y = clamp(zy + MBQM(a'
// +- b', out)). MBQM is quant_math.h's lane by lane (as qgemm_avx2.cpp's mbqm, with one
// multiplier and shift for all lanes): the doubling high multiply on even and odd lanes
// with vpmuldq, (a*b + 2^30) >> 31 in 64 bits, then the rounding right shift (ties away
// from zero); a positive output shift (multiplier > 1) shifts left first, saturating.
// Mul: (a - za) * (b - zb) with vpmulld (|product| <= 255^2), MBQM with the output
// multiplier, clamp, + zy; 32 elements per step, then 8.
// QuantizeLinear: x / scale (vdivps: the f32 division of ref), vroundps to nearest even,
// NaN -> 0 before the clamp to [qmin - zp, qmax - zp] in f32 (exact integers; +-inf clamp),
// then + zp. DequantizeLinear: float(x - zp) * scale, one vmulps.
//
// Compiled with -mavx2 -mfma; everything in an anonymous namespace, the factories are the
// only external symbols (see docs/architecture.md, "A file built with higher ISA flags").
#include <immintrin.h>

#include <cstring>
#include <limits>

#include "qadd_runs.h"
#include "quant_math.h"
#include "ref/quant_elementwise.h"
#include "register_kernels.h"
#include "x86/prefetch_lines.h"

namespace edgec::rt {
namespace {

// quant::multiplyByQuantizedMultiplier with one multiplier for all lanes.
struct Mbqm {
  __m256i mult, rmask;
  __m128i left, right;  // shift counts
  bool anyLeft = false;
};
Mbqm makeMbqm(quant::QuantizedMultiplier m) {
  Mbqm r;
  const int left = m.shift > 0 ? m.shift : 0, right = m.shift > 0 ? 0 : -m.shift;
  r.mult = _mm256_set1_epi32(m.multiplier);
  r.rmask = _mm256_set1_epi32(static_cast<int32_t>((int64_t(1) << right) - 1));
  r.left = _mm_cvtsi32_si128(left);
  r.right = _mm_cvtsi32_si128(right);
  r.anyLeft = left > 0;
  return r;
}

inline __m256i mbqm(__m256i x, const Mbqm &m) {
  if (m.anyLeft) {
    const __m256i shifted = _mm256_sll_epi32(x, m.left);
    const __m256i fits = _mm256_cmpeq_epi32(_mm256_sra_epi32(shifted, m.left), x);
    const __m256i sat = _mm256_xor_si256(_mm256_srai_epi32(x, 31), _mm256_set1_epi32(INT32_MAX));
    x = _mm256_blendv_epi8(sat, shifted, fits);
  }
  const __m256i nudge = _mm256_set1_epi64x(int64_t(1) << 30);
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, m.mult), nudge);
  const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), m.mult), nudge);
  const __m256i high = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  const __m256i rem = _mm256_and_si256(high, m.rmask);
  const __m256i threshold = _mm256_sub_epi32(_mm256_srli_epi32(m.rmask, 1), _mm256_srai_epi32(high, 31));
  const __m256i q = _mm256_sra_epi32(high, m.right);
  return _mm256_sub_epi32(q, _mm256_cmpgt_epi32(rem, threshold));  // true is -1
}

// 8 codes widened to int32.
inline __m256i load8(const int8_t *p) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(p)));
}
inline __m256i load8(const uint8_t *p) {
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(p)));
}

// Stores 32 int32 codes already in Y's range (elements 8g..8g+7 in v[g]) as bytes.
template <typename Y> inline void store32(Y *dst, __m256i v0, __m256i v1, __m256i v2, __m256i v3) {
  const __m256i p01 = _mm256_packs_epi32(v0, v1);  // exact: |code| <= 255
  const __m256i p23 = _mm256_packs_epi32(v2, v3);
  const __m256i bytes = sizeof(Y) == 1 && Y(-1) < 0 ? _mm256_packs_epi16(p01, p23) : _mm256_packus_epi16(p01, p23);
  // The packs interleave 128-bit halves: dwords hold elements 0-3, 8-11, 16-19, 24-27 |
  // 4-7, 12-15, 20-23, 28-31.
  const __m256i order = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  _mm256_storeu_si256(reinterpret_cast<__m256i *>(dst), order);
}

struct AddConsts {
  Mbqm ma, mb, out;
  int32_t za = 0, zb = 0, zy = 0, lo = 0, hi = 0;
};
AddConsts makeAddConsts(const ref::QuantBinaryParams &p) {
  AddConsts c;
  c.ma = makeMbqm(p.ma);
  c.mb = makeMbqm(p.mb);
  c.out = makeMbqm(p.out);
  c.za = p.za;
  c.zb = p.zb;
  c.zy = p.zy;
  c.lo = p.lo;
  c.hi = p.hi;
  return c;
}

template <typename A, typename B, typename Y>
int64_t addVec(const AddConsts &c, const A *a, const B *b, Y *y, int64_t n, bool sub) {
  const __m256i za = _mm256_set1_epi32(c.za), zb = _mm256_set1_epi32(c.zb), zy = _mm256_set1_epi32(c.zy);
  const __m256i lo = _mm256_set1_epi32(c.lo - c.zy), hi = _mm256_set1_epi32(c.hi - c.zy);
  constexpr int kShift = ref::QuantBinaryParams::kLeftShift;
  auto one = [&](int64_t i) {
    const __m256i u = mbqm(_mm256_slli_epi32(_mm256_sub_epi32(load8(a + i), za), kShift), c.ma);
    const __m256i v = mbqm(_mm256_slli_epi32(_mm256_sub_epi32(load8(b + i), zb), kShift), c.mb);
    __m256i r = mbqm(sub ? _mm256_sub_epi32(u, v) : _mm256_add_epi32(u, v), c.out);
    r = _mm256_min_epi32(_mm256_max_epi32(r, lo), hi);
    return _mm256_add_epi32(r, zy);
  };
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) store32(y + i, one(i), one(i + 8), one(i + 16), one(i + 24));
  return i;
}

// 8 int32 codes already in Y's range as bytes.
template <typename Y> inline void store8(Y *dst, __m256i v) {
  const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i bytes = sizeof(Y) == 1 && Y(-1) < 0 ? _mm_packs_epi16(w, w) : _mm_packus_epi16(w, w);
  _mm_storel_epi64(reinterpret_cast<__m128i *>(dst), bytes);
}

struct MulConsts {
  Mbqm out;
  int32_t za = 0, zb = 0, zy = 0, lo = 0, hi = 0;
};
MulConsts makeMulConsts(const ref::QuantBinaryParams &p) {
  MulConsts c;
  c.out = makeMbqm(p.out);
  c.za = p.za;
  c.zb = p.zb;
  c.zy = p.zy;
  c.lo = p.lo;
  c.hi = p.hi;
  return c;
}

// y = clamp(zy + MBQM((x - zx) * second(i), out)) for i in [0, n - n % 8).
template <typename X, typename Y, typename Second>
int64_t mulLoop(const MulConsts &c, const X *x, int32_t zx, Y *y, int64_t n, Second second) {
  const __m256i vzx = _mm256_set1_epi32(zx), zy = _mm256_set1_epi32(c.zy);
  const __m256i lo = _mm256_set1_epi32(c.lo - c.zy), hi = _mm256_set1_epi32(c.hi - c.zy);
  auto one = [&](int64_t i) {
    __m256i r = mbqm(_mm256_mullo_epi32(_mm256_sub_epi32(load8(x + i), vzx), second(i)), c.out);
    r = _mm256_min_epi32(_mm256_max_epi32(r, lo), hi);
    return _mm256_add_epi32(r, zy);
  };
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) store32(y + i, one(i), one(i + 8), one(i + 16), one(i + 24));
  for (; i + 8 <= n; i += 8) store8(y + i, one(i));
  return i;
}

template <typename A, typename B, typename Y>
int64_t mulVec(const MulConsts &c, const A *a, const B *b, Y *y, int64_t n) {
  const __m256i zb = _mm256_set1_epi32(c.zb);
  return mulLoop(c, a, c.za, y, n, [&](int64_t i) { return _mm256_sub_epi32(load8(b + i), zb); });
}

template <typename X, typename Y>
int64_t mulRowVec(const MulConsts &c, const X *x, int32_t zx, int32_t factor, Y *y, int64_t n) {
  const __m256i f = _mm256_set1_epi32(factor);
  return mulLoop(c, x, zx, y, n, [&](int64_t) { return f; });
}

// The driver's scalar loop does the lookup (so Mul computes its rows instead).
int64_t lutVec(const uint8_t *, const uint8_t *, uint8_t *, int64_t) { return 0; }
constexpr bool kMulRowTables = false;

// Three requantizations per Add/Sub element make a chunk of 4096 about a microsecond of
// work (MobileNetV2's residual Adds of 12.5K-25K elements then split); the scalar lookup
// takes chunks of 16384.
constexpr int64_t kAddGrain = 4096;
constexpr int64_t kLutGrain = 16384;

template <typename Y> int64_t quantizeVec(const ref::QuantTensorParams &p, const float *x, Y *y, int64_t n) {
  const __m256 scale = _mm256_set1_ps(p.scale);
  const __m256 lo = _mm256_set1_ps(float(p.qmin - p.zeroPoint)), hi = _mm256_set1_ps(float(p.qmax - p.zeroPoint));
  const __m256i zp = _mm256_set1_epi32(p.zeroPoint);
  auto one = [&](int64_t i) {
    const __m256 q = _mm256_div_ps(_mm256_loadu_ps(x + i), scale);
    __m256 r = _mm256_round_ps(q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r = _mm256_and_ps(r, _mm256_cmp_ps(r, r, _CMP_ORD_Q));  // NaN -> +0: the zero point
    r = _mm256_min_ps(_mm256_max_ps(r, lo), hi);
    return _mm256_add_epi32(_mm256_cvtps_epi32(r), zp);
  };
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) store32(y + i, one(i), one(i + 8), one(i + 16), one(i + 24));
  return i;
}

template <typename X> int64_t dequantizeVec(const ref::QuantTensorParams &p, const X *x, float *y, int64_t n) {
  const __m256 scale = _mm256_set1_ps(p.scale);
  const __m256i zp = _mm256_set1_epi32(p.zeroPoint);
  int64_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int g = 0; g < 32; g += 8)
      _mm256_storeu_ps(y + i + g, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(load8(x + i + g), zp)), scale));
  return i;
}

// y[i] = taps[i sw] for i < n (bytes; MaxPool's strided outputs): stride 2 keeps the low
// byte of each 16-bit lane (a mask, vpackuswb, a qword permute), 16 outputs at a time.
// Reads up to taps[2n - 1], one byte past the last tap (scratch).
void pickEvery(const uint8_t *taps, int64_t sw, int64_t n, uint8_t *y) {
  int64_t i = 0;
  if (sw == 1) {
    std::memcpy(y, taps, static_cast<size_t>(n));
    return;
  }
  if (sw == 2) {
    const __m256i low = _mm256_set1_epi16(0x00FF);
    for (; i + 16 <= n; i += 16) {
      const __m256i v = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(taps + 2 * i)), low);
      const __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi16(v, v), 0xD8);
      _mm_storeu_si128(reinterpret_cast<__m128i *>(y + i), _mm256_castsi256_si128(p));
    }
  }
  for (; i < n; ++i) y[i] = taps[i * sw];
}

// AVX-512's vector MaxPool row (qelementwise_avx512.cpp); here the driver's portable loops.
template <typename T>
bool maxPoolRowVec(const T *, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                   int64_t, T *, T *) {
  return false;
}

// The sum of n codes (GlobalAveragePool's planes): a plain loop, which the compiler
// vectorizes with this file's ISA.
template <typename T> int32_t sumCodesVec(const T *__restrict x, int64_t n) {
  int32_t s = 0;
  for (int64_t i = 0; i < n; ++i) s += x[i];
  return s;
}

#include "qelementwise_driver.inc"

}  // namespace

// Called only once the registry has chosen one of these, i.e. on a CPU with AVX2.
Kernel *newX86Avx2QuantAddSub() { return new X86QuantAddSub(); }
Kernel *newX86Avx2QuantizeLinear() { return new X86QuantizeLinear(); }
Kernel *newX86Avx2DequantizeLinear() { return new X86DequantizeLinear(); }
Kernel *newX86Avx2QuantMul() { return new X86QuantMul(); }
Kernel *newX86Avx2QuantLut() { return new X86QuantLut(); }
Kernel *newX86Avx2QuantConcat() { return new X86QuantConcat(); }
Kernel *newX86Avx2QuantMaxPool() { return new X86QuantMaxPool(); }
Kernel *newX86Avx2QuantGlobalAveragePool() { return new X86QuantGlobalAveragePool(); }
x86::QuantAddRuns *x86::newQuantAddRunsAvx2(const ref::QuantBinaryParams &p) { return new X86QuantAddRuns(p); }
void x86::lookupCodesAvx2(const uint8_t *table, uint8_t *y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = table[y[i]];
}

}  // namespace edgec::rt
