// GGUF block dequantization (ref). Each decoder follows the format definition of ggml's
// dequantize_row_* (ggml-quants.c): the same codes, and the same f32 products in the same
// order, so a model decoded here matches one decoded by ggml. Multi-byte fields are read
// byte by byte, little endian, so the code is portable to any host. See ref/gguf_blocks.h.
#include "ref/gguf_blocks.h"

#include <cstring>

#include "ref/util.h"

namespace edgec::rt::ref {
namespace {

// ---- 32-element formats: element j < 16 in the low nibble of qs[j], j + 16 in its
// high nibble; Q5's fifth bit of element i is bit i of qh. ----

void q4_0(const uint8_t *b, float *y) {  // [d, qs[16]]
  const float d = f16At(b);
  const uint8_t *qs = b + 2;
  for (int j = 0; j < 16; ++j) {
    y[j] = float((qs[j] & 0xF) - 8) * d;
    y[j + 16] = float((qs[j] >> 4) - 8) * d;
  }
}

void q4_1(const uint8_t *b, float *y) {  // [d, m, qs[16]]
  const float d = f16At(b), m = f16At(b + 2);
  const uint8_t *qs = b + 4;
  for (int j = 0; j < 16; ++j) {
    y[j] = float(qs[j] & 0xF) * d + m;
    y[j + 16] = float(qs[j] >> 4) * d + m;
  }
}

void q5_0(const uint8_t *b, float *y) {  // [d, qh[4], qs[16]]
  const float d = f16At(b);
  const uint32_t qh = u32At(b + 2);
  const uint8_t *qs = b + 6;
  for (int j = 0; j < 16; ++j) {
    const int lo = int((qs[j] & 0xF) | ((qh >> j) & 1) << 4);
    const int hi = int((qs[j] >> 4) | ((qh >> (j + 16)) & 1) << 4);
    y[j] = float(lo - 16) * d;
    y[j + 16] = float(hi - 16) * d;
  }
}

void q5_1(const uint8_t *b, float *y) {  // [d, m, qh[4], qs[16]]
  const float d = f16At(b), m = f16At(b + 2);
  const uint32_t qh = u32At(b + 4);
  const uint8_t *qs = b + 8;
  for (int j = 0; j < 16; ++j) {
    const int lo = int((qs[j] & 0xF) | ((qh >> j) & 1) << 4);
    const int hi = int((qs[j] >> 4) | ((qh >> (j + 16)) & 1) << 4);
    y[j] = float(lo) * d + m;
    y[j + 16] = float(hi) * d + m;
  }
}

void q8_0(const uint8_t *b, float *y) {  // [d, qs[32] int8]
  const float d = f16At(b);
  for (int j = 0; j < 32; ++j)
    y[j] = float(int8_t(b[2 + j])) * d;
}

// ---- 256-element K formats ----

// Q4_K/Q5_K: 8 sub-blocks of 32, each with a 6-bit scale and a 6-bit min packed in 12
// bytes. Sub-blocks 0-3 keep theirs in the low 6 bits of bytes j (scale) and j + 4 (min);
// sub-blocks 4-7 keep the low 4 bits in the nibbles of byte j + 4 (scale low, min high)
// and the top 2 bits in the spare top bits of bytes j - 4 (scale) and j (min).
void scaleMinK4(int j, const uint8_t *s, int *scale, int *min) {
  if (j < 4) {
    *scale = s[j] & 63;
    *min = s[j + 4] & 63;
  } else {
    *scale = (s[j + 4] & 0xF) | (s[j - 4] >> 6) << 4;
    *min = (s[j + 4] >> 4) | (s[j] >> 6) << 4;
  }
}

// Q4_K [d, dmin, scales[12], qs[128]] and Q5_K [d, dmin, scales[12], qh[32], qs[128]]:
// each 64-element chunk c uses 32 bytes of qs, the low nibbles for sub-block 2c and the
// high nibbles for sub-block 2c + 1; Q5_K (qh not null) adds a fifth bit: element l of
// sub-block s takes bit s of qh[l].
void q45_k(const uint8_t *b, const uint8_t *qh, const uint8_t *qs, float *y) {
  const float d = f16At(b), dmin = f16At(b + 2);
  const uint8_t *scales = b + 4;
  for (int c = 0; c < 4; ++c, qs += 32, y += 64) {
    int sc0, m0, sc1, m1;
    scaleMinK4(2 * c, scales, &sc0, &m0);
    scaleMinK4(2 * c + 1, scales, &sc1, &m1);
    const float d0 = d * float(sc0), min0 = dmin * float(m0);
    const float d1 = d * float(sc1), min1 = dmin * float(m1);
    for (int l = 0; l < 32; ++l) {
      const int lo = (qs[l] & 0xF) | (qh ? ((qh[l] >> (2 * c)) & 1) << 4 : 0);
      const int hi = (qs[l] >> 4) | (qh ? ((qh[l] >> (2 * c + 1)) & 1) << 4 : 0);
      y[l] = d0 * float(lo) - min0;
      y[l + 32] = d1 * float(hi) - min1;
    }
  }
}

void q4_k(const uint8_t *b, float *y) { q45_k(b, nullptr, b + 16, y); }
void q5_k(const uint8_t *b, float *y) { q45_k(b, b + 16, b + 48, y); }

// Q6_K [ql[128], qh[64], scales[16] int8, d]: 16 sub-blocks of 16 with signed 8-bit
// scales. Each half (128 elements) uses 64 bytes of ql and 32 of qh; for l < 32, element
// l + 32q (q = 0..3) takes its low 4 bits from ql[l] (q = 0, 2) or ql[l + 32] (q = 1, 3),
// low nibble for q < 2, high for q >= 2, and its top 2 bits from bits 2q, 2q + 1 of qh[l].
void q6_k(const uint8_t *b, float *y) {
  const uint8_t *ql = b, *qh = b + 128;
  const int8_t *sc = reinterpret_cast<const int8_t *>(b + 192);
  const float d = f16At(b + 208);
  for (int half = 0; half < 2; ++half, ql += 64, qh += 32, sc += 8, y += 128) {
    for (int l = 0; l < 32; ++l) {
      const int is = l / 16;
      const int q0 = ((ql[l] & 0xF) | ((qh[l] >> 0) & 3) << 4) - 32;
      const int q1 = ((ql[l + 32] & 0xF) | ((qh[l] >> 2) & 3) << 4) - 32;
      const int q2 = ((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32;
      const int q3 = ((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32;
      y[l] = d * float(sc[is + 0]) * float(q0);
      y[l + 32] = d * float(sc[is + 2]) * float(q1);
      y[l + 64] = d * float(sc[is + 4]) * float(q2);
      y[l + 96] = d * float(sc[is + 6]) * float(q3);
    }
  }
}

// Q2_K [scales[16], qs[64], d, dmin] and Q3_K [hmask[32], qs[64], scales[12], d]: 16
// sub-blocks of 16. Each half h (128 elements) uses 32 bytes of qs: element 128h + 32j + l
// (j < 4, l < 32) takes its 2 low bits from bits 2j, 2j + 1 of qs[32h + l] and belongs to
// sub-block 8h + 2j + l / 16. Q2_K: scales[i] holds sub-block i's 4-bit scale (low nibble)
// and 4-bit min (high); x = d * sc * code - dmin * mn, code 0..3. Q3_K: a third bit, bit
// 4h + j of hmask[l], and the code is low - 4 when that bit is clear, -4..3; x = d * (sc -
// 32) * code with 6-bit scales (q3kScale).
void q2_k(const uint8_t *b, float *y) {
  const uint8_t *scales = b, *qs = b + 16;
  const float d = f16At(b + 80), dmin = f16At(b + 82);
  for (int h = 0; h < 2; ++h, qs += 32)
    for (int j = 0; j < 4; ++j)
      for (int half = 0; half < 2; ++half, y += 16) {
        const uint8_t sc = *scales++;
        const float dl = d * float(sc & 0xF), ml = dmin * float(sc >> 4);
        for (int l = 0; l < 16; ++l)
          y[l] = dl * float((qs[16 * half + l] >> (2 * j)) & 3) - ml;
      }
}

void q3_k(const uint8_t *b, float *y) {
  const uint8_t *hmask = b, *qs = b + 32, *scales = b + 96;
  const float d = f16At(b + 108);
  for (int h = 0; h < 2; ++h, qs += 32)
    for (int j = 0; j < 4; ++j)
      for (int half = 0; half < 2; ++half, y += 16) {
        const float dl = d * float(q3kScale(8 * h + 2 * j + half, scales) - 32);
        for (int l = 16 * half; l < 16 * half + 16; ++l) {
          const int low = (qs[l] >> (2 * j)) & 3;
          const int code = (hmask[l] >> (4 * h + j)) & 1 ? low : low - 4;
          y[l - 16 * half] = dl * float(code);
        }
      }
}

// IQ4_NL [d, qs[16]] and IQ4_XS [d, scales_h, scales_l[4], qs[128]]: q4_0's nibble order
// (per 32 elements), each code standing for kIq4Values[code]; IQ4_XS weights each of its 8
// sub-blocks of 32 by d * (scale - 32), a float product taken first as in ggml.
void iq4_nl(const uint8_t *b, float *y) {
  const float d = f16At(b);
  const uint8_t *qs = b + 2;
  for (int j = 0; j < 16; ++j) {
    y[j] = d * float(kIq4Values[qs[j] & 0xF]);
    y[j + 16] = d * float(kIq4Values[qs[j] >> 4]);
  }
}

void iq4_xs(const uint8_t *b, float *y) {
  const float d = f16At(b);
  const uint8_t *qs = b + 8;
  for (int ib = 0; ib < 8; ++ib, qs += 16, y += 32) {
    const float dl = d * float(iq4xsScale(ib, b + 2) - 32);
    for (int j = 0; j < 16; ++j) {
      y[j] = dl * float(kIq4Values[qs[j] & 0xF]);
      y[j + 16] = dl * float(kIq4Values[qs[j] >> 4]);
    }
  }
}

using BlockDecoder = void (*)(const uint8_t *, float *);

BlockDecoder decoderOf(DType type) {
  switch (type) {
  case DType::q4_0: return q4_0;
  case DType::q4_1: return q4_1;
  case DType::q5_0: return q5_0;
  case DType::q5_1: return q5_1;
  case DType::q8_0: return q8_0;
  case DType::q2_k: return q2_k;
  case DType::q3_k: return q3_k;
  case DType::q4_k: return q4_k;
  case DType::q5_k: return q5_k;
  case DType::q6_k: return q6_k;
  case DType::iq4_nl: return iq4_nl;
  case DType::iq4_xs: return iq4_xs;
  default: return nullptr;
  }
}

} // namespace

int q3kScale(int i, const uint8_t *s) {
  const int low = i < 8 ? s[i] & 0xF : s[i - 8] >> 4;
  return low | ((s[8 + i % 4] >> (2 * (i / 4))) & 3) << 4;
}

const int8_t kIq4Values[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

int iq4xsScale(int i, const uint8_t *s) {
  const int high = (s[0] | s[1] << 8) >> (2 * i) & 3;
  return (s[2 + i / 2] >> (4 * (i % 2)) & 0xF) | high << 4;
}

bool canDequantizeRow(DType type) {
  return type == DType::f16 || type == DType::bf16 || decoderOf(type) != nullptr;
}

bool dequantizeRow(DType type, const uint8_t *blocks, float *out, int64_t n) {
  if (n < 0) return false;
  if (type == DType::f16 || type == DType::bf16) {
    float (*load)(const uint8_t *) = type == DType::f16 ? f16At : bf16At;
    for (int64_t i = 0; i < n; ++i)
      out[i] = load(blocks + 2 * i);
    return true;
  }
  const BlockDecoder decode = decoderOf(type);
  if (!decode) return false;
  // The table's row, so block sizes live in one place (edgec/dtype_table.h).
  const DTypeInfo &info = dtypeInfo(type);
  if (n % info.blockSize != 0) return false;
  for (int64_t b = 0; b < n / info.blockSize; ++b)
    decode(blocks + b * info.blockBytes, out + b * info.blockSize);
  return true;
}

} // namespace edgec::rt::ref
