// x86 AVX-512 (F/DQ/BW/VL) quantized elementwise kernels: qelementwise_avx2.cpp's
// arithmetic on 16 int32 lanes (64 elements per step), with mask registers for the
// comparisons and vpmovdb to narrow the codes (already clamped to Y's range, so the
// truncation is exact for i8 and u8). Bit-exact twins of the ref kernels; see
// qelementwise_avx2.cpp for the formulas and qelementwise_driver.inc for the kernels. Mul
// ends with masked loads and stores (vmovdqu8), so no element is left to scalar code. The
// table lookup uses AVX512_VBMI: two vpermt2b pick from table bytes 0-127 and 128-255 with
// the low 7 bits of each code, and the code's top bit selects; lutVec alone is compiled for
// VBMI (a target attribute), and the table kernel is registered only on a CPU with VBMI.
//
// Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma; everything in an
// anonymous namespace, the factories are the only external symbols.
#include <immintrin.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <type_traits>

#include "qadd_runs.h"
#include "quant_math.h"
#include "ref/quant_elementwise.h"
#include "register_kernels.h"
#include "x86/prefetch_lines.h"

namespace edgec::rt {
namespace {

#include "requant_avx512.inc"

struct Mbqm {
  __m512i mult, rmask, threshold0;
  __m128i left, right;
  bool anyLeft = false;
  // A right shift of at least 1 (or a multiplier of 0): mbqmRight's constants.
  bool oneRounding = false;
  __m512i round, shift;
};
Mbqm makeMbqm(quant::QuantizedMultiplier m) {
  Mbqm r;
  const int left = m.shift > 0 ? m.shift : 0, right = m.shift > 0 ? 0 : -m.shift;
  const int32_t mask = static_cast<int32_t>((int64_t(1) << right) - 1);
  r.mult = _mm512_set1_epi32(m.multiplier);
  r.rmask = _mm512_set1_epi32(mask);
  r.threshold0 = _mm512_set1_epi32(mask >> 1);
  r.left = _mm_cvtsi32_si128(left);
  r.right = _mm_cvtsi32_si128(right);
  r.anyLeft = left > 0;
  r.oneRounding = right >= 1 || m.multiplier == 0;
  const int64_t r1 = right >= 1 ? right : 1;
  r.round = _mm512_set1_epi64((int64_t(1) << 30) + (int64_t(1) << (30 + r1)));
  r.shift = _mm512_set1_epi32(static_cast<int32_t>(r1 - 1));
  return r;
}

// quant::multiplyByQuantizedMultiplier with one multiplier for all lanes.
inline __m512i mbqm(__m512i x, const Mbqm &m) {
  if (m.anyLeft) {
    const __m512i shifted = _mm512_sll_epi32(x, m.left);
    const __mmask16 fits = _mm512_cmpeq_epi32_mask(_mm512_sra_epi32(shifted, m.left), x);
    const __m512i sat = _mm512_xor_si512(_mm512_srai_epi32(x, 31), _mm512_set1_epi32(INT32_MAX));
    x = _mm512_mask_blend_epi32(fits, sat, shifted);
  }
  const __m512i nudge = _mm512_set1_epi64(int64_t(1) << 30);
  const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, m.mult), nudge);
  const __m512i odd = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), m.mult), nudge);
  const __m512i high = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31), _mm512_slli_epi64(odd, 1));
  const __m512i rem = _mm512_and_si512(high, m.rmask);
  // threshold = (mask >> 1) + (high < 0)
  const __m512i threshold = _mm512_sub_epi32(m.threshold0, _mm512_srai_epi32(high, 31));
  const __m512i q = _mm512_sra_epi32(high, m.right);
  return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(rem, threshold), q, _mm512_set1_epi32(1));
}

inline __m512i load16(const int8_t *p) {
  return _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
}
inline __m512i load16(const uint8_t *p) {
  return _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
}
// 16 codes already in Y's range: their low bytes.
template <typename Y> inline void store16(Y *dst, __m512i v) {
  _mm_storeu_si128(reinterpret_cast<__m128i *>(dst), _mm512_cvtepi32_epi8(v));
}

// An input's rescale MBQM((x - z) 2^20, m) when m is exactly 1/2 (multiplier 2^30, shift
// 0: the input with the larger scale) is floor(((x - z) 2^50 + 2^30) / 2^31) = (x - z) 2^19.
bool isHalf(const quant::QuantizedMultiplier &m) { return m.multiplier == (int32_t(1) << 30) && m.shift == 0; }

// Whether a CPU with AVX512_VBMI looks the Add's tables up by byte permutes (addRightLoopVbmi).
constexpr bool kAddByPermutes = true;

struct AddConsts {
  Mbqm ma, mb, out;
  bool aHalf = false, bHalf = false;  // the input's multiplier is exactly 1/2 (isHalf)
  int32_t za = 0, zb = 0, zy = 0, lo = 0, hi = 0;
  // The output's MBQM through f32 (out.oneRounding only; see RightF32).
  RightF32 outF32;
  // Each input's rescale MBQM((x - z) 2^20, m) of every code x, indexed by its byte (i8
  // codes as their two's-complement byte): the Add's gathered operands.
  alignas(64) int32_t ta[256], tb[256];
  // The same tables as four byte planes (plane k: byte k of each entry), looked up 64 codes
  // at a time by vpermt2b on a CPU with AVX512_VBMI (vbmi; see addRightLoopVbmi).
  alignas(64) uint8_t pa[4][256], pb[4][256];
  bool vbmi = false;
};
AddConsts makeAddConsts(const ref::QuantBinaryParams &p) {
  AddConsts c;
  c.ma = makeMbqm(p.ma);
  c.mb = makeMbqm(p.mb);
  c.out = makeMbqm(p.out);
  if (c.out.oneRounding)
    c.outF32 = RightF32(p.out.multiplier, p.out.shift <= -1 ? -int64_t(p.out.shift) : 1);
  constexpr int32_t kScale = int32_t(1) << ref::QuantBinaryParams::kLeftShift;
  for (int32_t byte = 0; byte < 256; ++byte) {
    const int32_t xa = p.at == DType::i8 ? int32_t(int8_t(uint8_t(byte))) : byte;
    const int32_t xb = p.bt == DType::i8 ? int32_t(int8_t(uint8_t(byte))) : byte;
    c.ta[byte] = quant::multiplyByQuantizedMultiplier((xa - p.za) * kScale, p.ma);
    c.tb[byte] = quant::multiplyByQuantizedMultiplier((xb - p.zb) * kScale, p.mb);
  }
  for (int k = 0; k < 4; ++k)
    for (int byte = 0; byte < 256; ++byte) {
      c.pa[k][byte] = static_cast<uint8_t>(static_cast<uint32_t>(c.ta[byte]) >> (8 * k));
      c.pb[k][byte] = static_cast<uint8_t>(static_cast<uint32_t>(c.tb[byte]) >> (8 * k));
    }
  // EDGEC_ADD_GATHER keeps the gathers on a VBMI CPU (the gtests, to keep that loop under test).
  c.vbmi = kAddByPermutes && __builtin_cpu_supports("avx512vbmi") && !std::getenv("EDGEC_ADD_GATHER");
  c.aHalf = isHalf(p.ma);
  c.bHalf = isHalf(p.mb);
  c.za = p.za;
  c.zb = p.zb;
  c.zy = p.zy;
  c.lo = p.lo;
  c.hi = p.hi;
  return c;
}

// 16 codes as int32 indexes of their bytes (0..255), for the tables of AddConsts.
inline __m512i loadBytes16(const void *p) {
  return _mm512_cvtepu8_epi32(_mm_loadu_si128(static_cast<const __m128i *>(p)));
}

// The Add/Sub of addVec when the output's rescale is a right shift (out.oneRounding; the
// usual case), specialized on which inputs are halves and on Sub so that everything is
// inlined with its constants in registers (`flatten`). An input whose multiplier is a half
// is the shift (x - z) 2^19 (isHalf); any other is looked up in its table (ta / tb: the
// scalar MBQM of each code, so exact for any multiplier) by a gather, which runs on the
// load ports instead of the eleven ALU operations of an mbqmRight on the two vector ports.
// The output's MBQM goes through f32 (RightF32: exact here, since Narrow clamps every value
// into bytes), a vector with a lane near an integer through mbqmRight. About 1 cycle per
// element before, when mbqmRight rescaled the inputs and the output.
template <bool kAHalf, bool kBHalf, bool kSub, typename A, typename B, typename Y>
__attribute__((flatten)) int64_t addRightLoop(const AddConsts &c, const A *a, const B *b, Y *y, int64_t n) {
  constexpr int kShift = ref::QuantBinaryParams::kLeftShift;
  const __m512i za = _mm512_set1_epi32(c.za), zb = _mm512_set1_epi32(c.zb);
  const __m512i om = c.out.mult, orr = c.out.round, os = c.out.shift;
  const RightF32 f32 = c.outF32;
  const Narrow narrow(c.zy, c.lo, c.hi);
  auto one = [&](int64_t at) {
    const __m512i u = kAHalf ? _mm512_slli_epi32(_mm512_sub_epi32(load16(a + at), za), kShift - 1)
                             : _mm512_i32gather_epi32(loadBytes16(a + at), c.ta, 4);
    const __m512i v = kBHalf ? _mm512_slli_epi32(_mm512_sub_epi32(load16(b + at), zb), kShift - 1)
                             : _mm512_i32gather_epi32(loadBytes16(b + at), c.tb, 4);
    const __m512i sum = kSub ? _mm512_sub_epi32(u, v) : _mm512_add_epi32(u, v);
    bool sure;
    const __m512i q = f32.apply(sum, sure);
    return sure ? q : mbqmRight(sum, om, orr, os);
  };
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) _mm512_storeu_si512(y + i, narrow(one(i), one(i + 16), one(i + 32), one(i + 48)));
  return i;
}

// addRightLoop's arithmetic with the table lookups by byte permutes (AVX512_VBMI), 64 codes
// at a time: gathers of 16 dwords issue about one per 20 cycles on Zen 5 (6.3 ns measured,
// ResNet-18's 56x56 residual Adds at 0.5 ns a code), while a table's four byte planes (4 x
// 256 bytes) take two vpermt2b and a blend per plane for 64 codes (the code's low 7 bits pick
// from bytes 0-127 and 128-255, its top bit between the two). The planes' bytes are put back
// together by unpacks, which leave the dwords in the order the narrowing's packs undo: in each
// 128-bit lane L, vector j holds codes 16 L + 4 j .. + 3 (unpacklo/hi_epi8 of planes 0-1 and
// 2-3 make the words of codes 16 L + 0-7 / 8-15, unpacklo/hi_epi16 of those the dwords), and
// Narrow::bytes of the four vectors is then codes 0-63 in order, with no permute. A half
// input is widened into the same order by the same unpacks against zero (u8 codes; i8 ones
// are flipped to u8 first and their zero point moved by 128). Same sums as addRightLoop lane
// by lane, the same requantization, so the same bits (kAddByPermutes, above AddConsts).

// The four dword vectors (in the unpack order above) of the table whose byte planes are
// `planes`, for the 64 codes `idx`.
__attribute__((target("avx512vbmi"))) inline void lookupDwords(const uint8_t (*planes)[256], __m512i idx,
                                                                __m512i out[4]) {
  const __mmask64 high = _mm512_movepi8_mask(idx);
  __m512i p[4];
  for (int k = 0; k < 4; ++k) {
    const uint8_t *t = planes[k];
    const __m512i low = _mm512_permutex2var_epi8(_mm512_load_si512(t), idx, _mm512_load_si512(t + 64));
    const __m512i hi = _mm512_permutex2var_epi8(_mm512_load_si512(t + 128), idx, _mm512_load_si512(t + 192));
    p[k] = _mm512_mask_blend_epi8(high, low, hi);
  }
  const __m512i w01l = _mm512_unpacklo_epi8(p[0], p[1]), w01h = _mm512_unpackhi_epi8(p[0], p[1]);
  const __m512i w23l = _mm512_unpacklo_epi8(p[2], p[3]), w23h = _mm512_unpackhi_epi8(p[2], p[3]);
  out[0] = _mm512_unpacklo_epi16(w01l, w23l);
  out[1] = _mm512_unpackhi_epi16(w01l, w23l);
  out[2] = _mm512_unpacklo_epi16(w01h, w23h);
  out[3] = _mm512_unpackhi_epi16(w01h, w23h);
}

// (x - z) 2^19 of 64 codes (xu: u8 codes, zu: the zero point of those) in the unpack order.
inline void halfDwords(__m512i xu, __m512i zu, __m512i out[4]) {
  const __m512i zero = _mm512_setzero_si512();
  constexpr int kShift = ref::QuantBinaryParams::kLeftShift;
  const __m512i wl = _mm512_unpacklo_epi8(xu, zero), wh = _mm512_unpackhi_epi8(xu, zero);
  out[0] = _mm512_unpacklo_epi16(wl, zero);
  out[1] = _mm512_unpackhi_epi16(wl, zero);
  out[2] = _mm512_unpacklo_epi16(wh, zero);
  out[3] = _mm512_unpackhi_epi16(wh, zero);
  for (int j = 0; j < 4; ++j) out[j] = _mm512_slli_epi32(_mm512_sub_epi32(out[j], zu), kShift - 1);
}

template <bool kAHalf, bool kBHalf, bool kSub, typename A, typename B, typename Y>
__attribute__((target("avx512vbmi"), flatten)) int64_t addRightLoopVbmi(const AddConsts &c, const A *a, const B *b,
                                                                         Y *y, int64_t n) {
  const __m512i flipA = _mm512_set1_epi8(std::is_signed<A>::value ? char(0x80) : 0);
  const __m512i flipB = _mm512_set1_epi8(std::is_signed<B>::value ? char(0x80) : 0);
  const __m512i zau = _mm512_set1_epi32(c.za + (std::is_signed<A>::value ? 128 : 0));
  const __m512i zbu = _mm512_set1_epi32(c.zb + (std::is_signed<B>::value ? 128 : 0));
  const __m512i om = c.out.mult, orr = c.out.round, os = c.out.shift;
  const RightF32 f32 = c.outF32;
  const Narrow narrow(c.zy, c.lo, c.hi);
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512i xa = _mm512_loadu_si512(a + i), xb = _mm512_loadu_si512(b + i);
    __m512i u[4], v[4];
    if (kAHalf)
      halfDwords(_mm512_xor_si512(xa, flipA), zau, u);
    else
      lookupDwords(c.pa, xa, u);
    if (kBHalf)
      halfDwords(_mm512_xor_si512(xb, flipB), zbu, v);
    else
      lookupDwords(c.pb, xb, v);
    __m512i q[4];
    for (int j = 0; j < 4; ++j) {
      const __m512i sum = kSub ? _mm512_sub_epi32(u[j], v[j]) : _mm512_add_epi32(u[j], v[j]);
      bool sure;
      q[j] = f32.apply(sum, sure);
      if (!sure) q[j] = mbqmRight(sum, om, orr, os);
    }
    _mm512_storeu_si512(y + i, narrow.bytes(q[0], q[1], q[2], q[3]));
  }
  return i;
}

template <bool kSub, typename A, typename B, typename Y>
int64_t addRight(const AddConsts &c, const A *a, const B *b, Y *y, int64_t n) {
  if (c.vbmi) {
    if (c.aHalf) {
      if (c.bHalf) return addRightLoopVbmi<true, true, kSub>(c, a, b, y, n);
      return addRightLoopVbmi<true, false, kSub>(c, a, b, y, n);
    }
    if (c.bHalf) return addRightLoopVbmi<false, true, kSub>(c, a, b, y, n);
    return addRightLoopVbmi<false, false, kSub>(c, a, b, y, n);
  }
  if (c.aHalf) {
    if (c.bHalf) return addRightLoop<true, true, kSub>(c, a, b, y, n);
    return addRightLoop<true, false, kSub>(c, a, b, y, n);
  }
  if (c.bHalf) return addRightLoop<false, true, kSub>(c, a, b, y, n);
  return addRightLoop<false, false, kSub>(c, a, b, y, n);
}

// Add/Sub, 64 at a time. When the output's rescale is a right shift (the usual case), by
// addRightLoop; otherwise mbqm three times per vector.
template <typename A, typename B, typename Y>
int64_t addVec(const AddConsts &c, const A *a, const B *b, Y *y, int64_t n, bool sub) {
  const __m512i za = _mm512_set1_epi32(c.za), zb = _mm512_set1_epi32(c.zb), zy = _mm512_set1_epi32(c.zy);
  const __m512i lo = _mm512_set1_epi32(c.lo - c.zy), hi = _mm512_set1_epi32(c.hi - c.zy);
  constexpr int kShift = ref::QuantBinaryParams::kLeftShift;
  int64_t i = 0;
  if (c.out.oneRounding) return sub ? addRight<true>(c, a, b, y, n) : addRight<false>(c, a, b, y, n);
  for (; i + 64 <= n; i += 64) {
    for (int g = 0; g < 64; g += 16) {
      const __m512i u = mbqm(_mm512_slli_epi32(_mm512_sub_epi32(load16(a + i + g), za), kShift), c.ma);
      const __m512i v = mbqm(_mm512_slli_epi32(_mm512_sub_epi32(load16(b + i + g), zb), kShift), c.mb);
      __m512i r = mbqm(sub ? _mm512_sub_epi32(u, v) : _mm512_add_epi32(u, v), c.out);
      r = _mm512_min_epi32(_mm512_max_epi32(r, lo), hi);
      store16(y + i + g, _mm512_add_epi32(r, zy));
    }
  }
  return i;
}

inline __m512i load16(const int8_t *p, __mmask16 m) { return _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, p)); }
inline __m512i load16(const uint8_t *p, __mmask16 m) { return _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, p)); }
template <typename Y> inline void store16(Y *dst, __m512i v, __mmask16 m) {
  _mm_mask_storeu_epi8(dst, m, _mm512_cvtepi32_epi8(v));
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

// y = clamp(zy + MBQM((x - zx) * second(i, mask), out)) for all n elements. With a right
// shift (the usual case) 64 at a time through mbqmRight and Narrow (requant_avx512.inc).
template <typename X, typename Y, typename Second>
int64_t mulLoop(const MulConsts &c, const X *x, int32_t zx, Y *y, int64_t n, Second second) {
  const __m512i vzx = _mm512_set1_epi32(zx), zy = _mm512_set1_epi32(c.zy);
  const __m512i lo = _mm512_set1_epi32(c.lo - c.zy), hi = _mm512_set1_epi32(c.hi - c.zy);
  auto product = [&](int64_t i, __mmask16 m) {
    return _mm512_mullo_epi32(_mm512_sub_epi32(load16(x + i, m), vzx), second(i, m));
  };
  auto one = [&](int64_t i, __mmask16 m) {
    __m512i r = mbqm(product(i, m), c.out);
    r = _mm512_min_epi32(_mm512_max_epi32(r, lo), hi);
    return _mm512_add_epi32(r, zy);
  };
  int64_t i = 0;
  if (c.out.oneRounding) {
    const Narrow narrow(c.zy, c.lo, c.hi);
    auto rq = [&](int64_t at) { return mbqmRight(product(at, 0xFFFF), c.out.mult, c.out.round, c.out.shift); };
    for (; i + 64 <= n; i += 64)
      _mm512_storeu_si512(y + i, narrow(rq(i), rq(i + 16), rq(i + 32), rq(i + 48)));
  }
  for (; i + 64 <= n; i += 64)
    for (int g = 0; g < 64; g += 16) store16(y + i + g, one(i + g, 0xFFFF));
  for (; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - i)) - 1);
    store16(y + i, one(i, m), m);
  }
  return n;
}

template <typename A, typename B, typename Y>
int64_t mulVec(const MulConsts &c, const A *a, const B *b, Y *y, int64_t n) {
  const __m512i zb = _mm512_set1_epi32(c.zb);
  return mulLoop(c, a, c.za, y, n, [&](int64_t i, __mmask16 m) { return _mm512_sub_epi32(load16(b + i, m), zb); });
}

template <typename X, typename Y>
int64_t mulRowVec(const MulConsts &c, const X *x, int32_t zx, int32_t factor, Y *y, int64_t n) {
  const __m512i f = _mm512_set1_epi32(factor);
  return mulLoop(c, x, zx, y, n, [&](int64_t, __mmask16) { return f; });
}

// 64 table lookups: bytes 0-127 of the table in (t0, t1), 128-255 in (t2, t3).
__attribute__((target("avx512vbmi"))) inline __m512i lookup64(__m512i idx, __m512i t0, __m512i t1, __m512i t2,
                                                              __m512i t3) {
  const __m512i low = _mm512_permutex2var_epi8(t0, idx, t1), high = _mm512_permutex2var_epi8(t2, idx, t3);
  return _mm512_mask_blend_epi8(_mm512_movepi8_mask(idx), low, high);
}

constexpr bool kMulRowTables = true;  // when the CPU has VBMI: lutVec is compiled for it

// An Add/Sub element takes about 0.2 ns here (addRightLoop), a table lookup 0.03 ns: a chunk
// of 32768 or 262144 is 5-8 us. Smaller calls run on one thread: the seq-128 transformers'
// [128, 64] residual Adds (8192 elements) took 2 us on one thread and 5-7 us split over two
// (the pool's hand-off, then the next kernel reading half its input from the other core),
// their [128, 256] GELU tables 1 us and 7 us.
constexpr int64_t kAddGrain = 32768;
constexpr int64_t kLutGrain = 262144;

__attribute__((target("avx512vbmi"))) int64_t lutVec(const uint8_t *table, const uint8_t *x, uint8_t *y, int64_t n) {
  const __m512i t0 = _mm512_loadu_si512(table), t1 = _mm512_loadu_si512(table + 64);
  const __m512i t2 = _mm512_loadu_si512(table + 128), t3 = _mm512_loadu_si512(table + 192);
  int64_t i = 0;
  for (; i + 128 <= n; i += 128) {
    const __m512i u = _mm512_loadu_si512(x + i), v = _mm512_loadu_si512(x + i + 64);
    _mm512_storeu_si512(y + i, lookup64(u, t0, t1, t2, t3));
    _mm512_storeu_si512(y + i + 64, lookup64(v, t0, t1, t2, t3));
  }
  for (; i < n; i += 64) {
    const __mmask64 m = n - i >= 64 ? ~__mmask64(0) : (__mmask64(1) << (n - i)) - 1;
    _mm512_mask_storeu_epi8(y + i, m, lookup64(_mm512_maskz_loadu_epi8(m, x + i), t0, t1, t2, t3));
  }
  return n;
}

// QuantizeLinear's x / scale by a multiplication with r = fl(1 / scale) where that cannot
// change the code: q = fl(x r) lies within |x / scale| 1.5 2^-23 of the ref's fl(x / scale),
// under 2^-12 where |x / scale| < 1024, so both round (half to even) to the same integer
// unless q is within 2^-12 of a half-integer: a vector with such a lane (about one lane in
// 2000, exact ties included) divides instead. Past 1024 either quotient clamps to the same
// code (the codes lie within 383 of the zero point). vdivps issues one vector per several
// cycles: the network input's QuantizeLinear (150528 values) ran at 0.2 ns a value. Needs
// a normal reciprocal (a subnormal one carries fewer bits than the bound assumes).
constexpr bool kQuantizeByReciprocal = true;

template <typename Y> int64_t quantizeVec(const ref::QuantTensorParams &p, const float *x, Y *y, int64_t n) {
  const __m512 scale = _mm512_set1_ps(p.scale);
  const float rcp = 1.0f / p.scale;
  const bool byRcp = kQuantizeByReciprocal && std::isnormal(rcp);
  const __m512 recip = _mm512_set1_ps(rcp), band = _mm512_set1_ps(0.5f - 0x1p-12f);
  const __m512 lo = _mm512_set1_ps(float(p.qmin - p.zeroPoint)), hi = _mm512_set1_ps(float(p.qmax - p.zeroPoint));
  const __m512i zp = _mm512_set1_epi32(p.zeroPoint);
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    for (int g = 0; g < 64; g += 16) {
      const __m512 xv = _mm512_loadu_ps(x + i + g);
      __m512 q, r;
      if (byRcp) {
        q = _mm512_mul_ps(xv, recip);
        r = _mm512_roundscale_ps(q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        // |q - r| >= 1/2 - 2^-12 (a NaN compares false and stays NaN either way)
        if (__builtin_expect(_mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_sub_ps(q, r)), band, _CMP_GE_OQ) != 0, 0)) {
          q = _mm512_div_ps(xv, scale);
          r = _mm512_roundscale_ps(q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        }
      } else {
        q = _mm512_div_ps(xv, scale);
        r = _mm512_roundscale_ps(q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      }
      r = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r, r, _CMP_ORD_Q), r);  // NaN -> +0: the zero point
      r = _mm512_min_ps(_mm512_max_ps(r, lo), hi);
      store16(y + i + g, _mm512_add_epi32(_mm512_cvtps_epi32(r), zp));
    }
  }
  return i;
}

template <typename X> int64_t dequantizeVec(const ref::QuantTensorParams &p, const X *x, float *y, int64_t n) {
  const __m512 scale = _mm512_set1_ps(p.scale);
  const __m512i zp = _mm512_set1_epi32(p.zeroPoint);
  int64_t i = 0;
  for (; i + 64 <= n; i += 64)
    for (int g = 0; g < 64; g += 16)
      _mm512_storeu_ps(y + i + g, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(load16(x + i + g), zp)), scale));
  return i;
}

// y[i] = taps[i sw] for i < n (bytes; MaxPool's strided outputs): stride 2 keeps the low
// byte of each 16-bit lane (vpmovwb), masked at the tail.
void pickEvery(const uint8_t *taps, int64_t sw, int64_t n, uint8_t *y) {
  int64_t i = 0;
  if (sw == 1) {
    std::memcpy(y, taps, static_cast<size_t>(n));
    return;
  }
  if (sw == 2) {
    for (; i + 32 <= n; i += 32)
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(y + i), _mm512_cvtepi16_epi8(_mm512_loadu_si512(taps + 2 * i)));
    if (i < n) {
      const int64_t r = n - i;  // 1..31 outputs read 2r - 1 bytes
      const __m512i v = _mm512_maskz_loadu_epi8((__mmask64(1) << (2 * r - 1)) - 1, taps + 2 * i);
      _mm256_mask_storeu_epi8(y + i, static_cast<__mmask32>((uint64_t(1) << r) - 1), _mm512_cvtepi16_epi8(v));
    }
    return;
  }
  for (; i < n; ++i) y[i] = taps[i * sw];
}

constexpr int64_t kMaxPoolAhead = 4;  // rows (see maxPoolRowVec)

// One output row of MaxPool (X86QuantMaxPool) for horizontal stride 1 or 2: the window
// rows' maximum into `row` 64 columns at a time (masked loads; `row` is padded with the
// dtype's lowest code, which the maximum ignores), then per block of outputs the maximum
// of the KW taps' 64-byte vectors of `row`, every sw-th byte kept. The vectors read up to
// 63 bytes past the last column a window reads (scratch: see scratchBytes); those lanes
// feed no output. false: another stride (the caller's portable loops).
template <typename T>
bool maxPoolRowVec(const T *plane, int64_t H, int64_t W, int64_t ih0, int64_t KH, int64_t dh, int64_t pw, int64_t len,
                   int64_t KW, int64_t dw, int64_t sw, int64_t OW, T *row, T *y) {
  if (sw != 1 && sw != 2) return false;
  constexpr bool kSigned = std::is_signed<T>::value;
  const T lowest = std::numeric_limits<T>::lowest();
  auto vmax = [](__m512i a, __m512i b) { return kSigned ? _mm512_max_epi8(a, b) : _mm512_max_epu8(a, b); };
  std::memset(row, static_cast<uint8_t>(lowest), static_cast<size_t>(pw));
  std::memset(row + pw + W, static_cast<uint8_t>(lowest), static_cast<size_t>(len - pw - W > 0 ? len - pw - W : 0));
  const __m512i low = _mm512_set1_epi8(static_cast<char>(lowest));
  // The two input rows kMaxPoolAhead below the window's last one into L1 (the rows a later
  // output row reads first, at stride 1 or 2): ResNet-18's MaxPool reads conv1's 802 KB
  // output, part of it from L3, and stalled at those loads (one thread: 0.19-0.22 -> 0.13-0.15
  // ms over four alternations with another session's load on the host).
  const int64_t ahead = ih0 + (KH - 1) * dh + kMaxPoolAhead, aheadEnd = (ahead + 2 < H ? ahead + 2 : H) * W;
  for (int64_t at = (ahead > 0 ? ahead : 0) * W; at < aheadEnd; at += 64)
    _mm_prefetch(reinterpret_cast<const char *>(plane + at), _MM_HINT_T0);
  for (int64_t c = 0; c < W; c += 64) {
    const __mmask64 m = firstBytes(W - c);
    __m512i v = low;
    for (int64_t kh = 0; kh < KH; ++kh) {
      const int64_t ih = ih0 + kh * dh;
      if (ih >= 0 && ih < H) v = vmax(v, _mm512_maskz_loadu_epi8(m, plane + ih * W + c));
    }
    _mm512_mask_storeu_epi8(row + pw + c, m, v);
  }
  const int64_t step = sw == 1 ? 64 : 32;
  for (int64_t o = 0; o < OW; o += step) {
    const T *base = row + sw * o;
    __m512i v = _mm512_loadu_si512(base);
    for (int64_t kw = 1; kw < KW; ++kw) v = vmax(v, _mm512_loadu_si512(base + kw * dw));
    const int64_t n = OW - o < step ? OW - o : step;
    if (sw == 1)
      _mm512_mask_storeu_epi8(y + o, firstBytes(n), v);
    else
      _mm256_mask_storeu_epi8(y + o, static_cast<__mmask32>(firstBytes(n)), _mm512_cvtepi16_epi8(v));
  }
  return true;
}

// The sum of n codes (GlobalAveragePool's planes): 64 at a time under a byte mask, i8 codes
// flipped to u8 (the masked-off lanes stay 0), vpsadbw against zero into four 64-bit sums
// per 128-bit lane, then the flips' 128 n taken back off. MobileNetV2's 1280 planes of 49
// codes took about 50 cycles each through the compiler's vectorized byte loop.
template <typename T> int32_t sumCodesVec(const T *x, int64_t n) {
  constexpr bool kSigned = std::is_signed<T>::value;
  __m512i acc = _mm512_setzero_si512();
  for (int64_t i = 0; i < n; i += 64) {
    const __mmask64 m = firstBytes(n - i);
    __m512i v = _mm512_maskz_loadu_epi8(m, x + i);
    if (kSigned) v = _mm512_xor_si512(v, _mm512_maskz_set1_epi8(m, static_cast<char>(0x80)));
    acc = _mm512_add_epi64(acc, _mm512_sad_epu8(v, _mm512_setzero_si512()));
  }
  const int64_t s = _mm512_reduce_add_epi64(acc) - (kSigned ? 128 * n : 0);
  return static_cast<int32_t>(s);
}

#include "qelementwise_driver.inc"

}  // namespace

// Called only once the registry has chosen one of these, i.e. on a CPU with AVX-512.
Kernel *newX86Avx512QuantAddSub() { return new X86QuantAddSub(); }
Kernel *newX86Avx512QuantizeLinear() { return new X86QuantizeLinear(); }
Kernel *newX86Avx512DequantizeLinear() { return new X86DequantizeLinear(); }
Kernel *newX86Avx512QuantMul() { return new X86QuantMul(); }
Kernel *newX86Avx512QuantLut() { return new X86QuantLut(); }
Kernel *newX86Avx512QuantConcat() { return new X86QuantConcat(); }
Kernel *newX86Avx512QuantMaxPool() { return new X86QuantMaxPool(); }  // needs AVX512_VBMI
Kernel *newX86Avx512QuantGlobalAveragePool() { return new X86QuantGlobalAveragePool(); }
x86::QuantAddRuns *x86::newQuantAddRunsAvx512(const ref::QuantBinaryParams &p) { return new X86QuantAddRuns(p); }
void x86::lookupCodesAvx512(const uint8_t *table, uint8_t *y, int64_t n) {
  static const bool vbmi = __builtin_cpu_supports("avx512vbmi");
  const int64_t done = vbmi ? lutVec(table, y, y, n) : 0;
  for (int64_t i = done; i < n; ++i) y[i] = table[y[i]];
}

}  // namespace edgec::rt
