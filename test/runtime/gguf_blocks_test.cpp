// GGUF block dequantization (ref/gguf_blocks.h): every decoded type checked element by
// element against values written from the format definition (ggml's block_q* layouts),
// with hand-computed spot values for the bit packing that is easiest to get wrong (the
// K-quants' 6-bit scales and mins, Q5's fifth bits, Q6_K's split codes), and a round trip
// through ggml's reference Q8_0 and Q4_0 quantizers computed here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ref/gguf_blocks.h"
#include "ref/util.h"

namespace edgec::rt::testing {
namespace {

using Bytes = std::vector<uint8_t>;

void putF16(Bytes &b, size_t at, float v) {
  const uint16_t h = ref::halfFromDouble(v);
  b[at] = uint8_t(h & 0xff);
  b[at + 1] = uint8_t(h >> 8);
}

std::vector<float> decode(DType t, const Bytes &bytes, int64_t n) {
  std::vector<float> out(size_t(n), NAN);
  EXPECT_TRUE(ref::dequantizeRow(t, bytes.data(), out.data(), n));
  return out;
}

// The fifth bit of element i of a Q5_0/Q5_1 block: bit i of the 4 bytes of qh, byte i / 8.
int q5HighBit(const uint8_t *qh, int i) { return (qh[i / 8] >> (i % 8)) & 1; }
// The low 4 bits of element i of a 32-element block (low nibbles first, then high).
int lowNibble(const uint8_t *qs, int i) { return i < 16 ? qs[i] & 0xF : qs[i - 16] >> 4; }

TEST(GgufBlocks, F16AndBf16) {
  // f16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), +inf.
  const Bytes f16{0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00, 0x00, 0x7C};
  EXPECT_EQ(decode(DType::f16, f16, 5),
            (std::vector<float>{1.f, -2.f, 65504.f, std::ldexp(1.f, -24), INFINITY}));
  // bf16: the top half of an f32: 1, -3, 3.140625, 2^-133 (f32 subnormal), -inf.
  const Bytes bf16{0x80, 0x3F, 0x40, 0xC0, 0x49, 0x40, 0x01, 0x00, 0x80, 0xFF};
  EXPECT_EQ(decode(DType::bf16, bf16, 5),
            (std::vector<float>{1.f, -3.f, 3.140625f, std::ldexp(1.f, -133), -INFINITY}));
}

TEST(GgufBlocks, Q4_0) {
  // Two blocks: d = 0.5 with qs[j] = j | (15 - j) << 4; d = -2 with every qs 0x80.
  Bytes b(2 * 18, 0);
  putF16(b, 0, 0.5f);
  for (int j = 0; j < 16; ++j)
    b[2 + j] = uint8_t(j | (15 - j) << 4);
  putF16(b, 18, -2.f);
  for (int j = 0; j < 16; ++j)
    b[20 + j] = 0x80;
  const std::vector<float> y = decode(DType::q4_0, b, 64);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(y[j], 0.5f * float(j - 8)) << j;
    EXPECT_EQ(y[16 + j], 0.5f * float(7 - j)) << j;
    EXPECT_EQ(y[32 + j], 16.f) << j;  // code 0 - 8 = -8, times -2
    EXPECT_EQ(y[48 + j], 0.f) << j;   // code 8 - 8
  }
  EXPECT_EQ(y[0], -4.f);
  EXPECT_EQ(y[16], 3.5f);
}

TEST(GgufBlocks, Q4_1) {
  // d = 0.25, m = -1; qs[j] = j | ((j + 1) & 15) << 4: x = code * d + m.
  Bytes b(20, 0);
  putF16(b, 0, 0.25f);
  putF16(b, 2, -1.f);
  for (int j = 0; j < 16; ++j)
    b[4 + j] = uint8_t(j | ((j + 1) & 15) << 4);
  const std::vector<float> y = decode(DType::q4_1, b, 32);
  for (int i = 0; i < 32; ++i)
    EXPECT_EQ(y[i], float(lowNibble(&b[4], i)) * 0.25f - 1.f) << i;
  EXPECT_EQ(y[15], 2.75f);  // 15 * 0.25 - 1
  EXPECT_EQ(y[31], -1.f);   // (16 & 15) = 0
}

// qh bytes 01 80 00 FF: fifth bits on for elements 0, 15 and 24..31.
const uint8_t kQh[4] = {0x01, 0x80, 0x00, 0xFF};

TEST(GgufBlocks, Q5_0) {
  Bytes b(22, 0);
  putF16(b, 0, 1.f);
  std::copy(kQh, kQh + 4, b.begin() + 2);
  for (int j = 0; j < 16; ++j)
    b[6 + j] = uint8_t((j * 3) & 15 | ((j * 5 + 1) & 15) << 4);
  const std::vector<float> y = decode(DType::q5_0, b, 32);
  for (int i = 0; i < 32; ++i)
    EXPECT_EQ(y[i], float((lowNibble(&b[6], i) | q5HighBit(kQh, i) << 4) - 16)) << i;
  EXPECT_EQ(y[0], 0.f);     // 0 | 16, minus 16
  EXPECT_EQ(y[1], -13.f);   // 3, no fifth bit
  EXPECT_EQ(y[15], 13.f);   // (45 & 15) = 13 | 16
  EXPECT_EQ(y[16], -15.f);  // high nibble of qs[0]: 1
  EXPECT_EQ(y[24], 9.f);    // high nibble of qs[8]: 41 & 15 = 9, | 16 = 25
}

TEST(GgufBlocks, Q5_1) {
  Bytes b(24, 0);
  putF16(b, 0, 0.5f);
  putF16(b, 2, 2.f);
  std::copy(kQh, kQh + 4, b.begin() + 4);
  for (int j = 0; j < 16; ++j)
    b[8 + j] = uint8_t((15 - j) | (j << 4));
  const std::vector<float> y = decode(DType::q5_1, b, 32);
  for (int i = 0; i < 32; ++i)
    EXPECT_EQ(y[i], float(lowNibble(&b[8], i) | q5HighBit(kQh, i) << 4) * 0.5f + 2.f) << i;
  EXPECT_EQ(y[0], 17.5f);   // (15 | 16) * 0.5 + 2
  EXPECT_EQ(y[31], 17.5f);  // (15 | 16) * 0.5 + 2
  EXPECT_EQ(y[16], 2.f);    // 0
}

TEST(GgufBlocks, Q8_0) {
  Bytes b(34, 0);
  putF16(b, 0, 0.125f);
  for (int j = 0; j < 32; ++j)
    b[2 + j] = uint8_t(int8_t(j * 8 - 128));
  const std::vector<float> y = decode(DType::q8_0, b, 32);
  for (int j = 0; j < 32; ++j)
    EXPECT_EQ(y[j], float(j * 8 - 128) * 0.125f) << j;
  EXPECT_EQ(y[0], -16.f);
  EXPECT_EQ(y[31], 15.f);
}

// Sub-block scales and mins of the Q4_K/Q5_K tests (6 bits each) and their 12 packed
// bytes, worked out by hand from the layout: for j < 4, byte j = sc[j] | (sc[j+4] >> 4)
// << 6, byte j+4 = mn[j] | (mn[j+4] >> 4) << 6, byte j+8 = (sc[j+4] & 15) | (mn[j+4] & 15) << 4.
const int kSc[8] = {1, 2, 3, 4, 33, 47, 60, 63};
const int kMn[8] = {0, 5, 10, 63, 17, 32, 48, 1};
const uint8_t kKScales[12] = {0x81, 0x82, 0xC3, 0xC4, 0x40, 0x85, 0xCA, 0x3F, 0x11, 0x0F, 0x0C, 0x1F};

TEST(GgufBlocks, Q4_K) {
  // d = 1, dmin = 0.5; code of element l of sub-block s = (l + 3s) & 15, in the low
  // nibbles of qs[32c..32c+31] for s = 2c and the high nibbles for s = 2c + 1.
  Bytes b(144, 0);
  putF16(b, 0, 1.f);
  putF16(b, 2, 0.5f);
  std::copy(kKScales, kKScales + 12, b.begin() + 4);
  auto code = [](int s, int l) { return (l + 3 * s) & 15; };
  for (int s = 0; s < 8; ++s)
    for (int l = 0; l < 32; ++l)
      b[16 + 32 * (s / 2) + l] |= uint8_t(code(s, l) << (s % 2 ? 4 : 0));
  const std::vector<float> y = decode(DType::q4_k, b, 256);
  for (int s = 0; s < 8; ++s)
    for (int l = 0; l < 32; ++l)
      EXPECT_EQ(y[32 * s + l], float(kSc[s] * code(s, l)) - 0.5f * float(kMn[s])) << s << " " << l;
  EXPECT_EQ(y[0], 0.f);
  EXPECT_EQ(y[96], 4.5f);      // 4 * 9 - 0.5 * 63
  EXPECT_EQ(y[129], 420.5f);   // 33 * 13 - 0.5 * 17
  EXPECT_EQ(y[255], 251.5f);   // 63 * ((31 + 21) & 15 = 4) - 0.5 * 1
}

TEST(GgufBlocks, Q5_K) {
  // Q4_K's scales with d = 0.5, dmin = 0.25 and 5-bit codes (7l + 5s) & 31: the low 4 bits
  // packed as in Q4_K, the fifth bit of element l of sub-block s as bit s of qh[l].
  Bytes b(176, 0);
  putF16(b, 0, 0.5f);
  putF16(b, 2, 0.25f);
  std::copy(kKScales, kKScales + 12, b.begin() + 4);
  auto code = [](int s, int l) { return (7 * l + 5 * s) & 31; };
  for (int s = 0; s < 8; ++s)
    for (int l = 0; l < 32; ++l) {
      b[48 + 32 * (s / 2) + l] |= uint8_t((code(s, l) & 15) << (s % 2 ? 4 : 0));
      b[16 + l] |= uint8_t((code(s, l) >> 4) << s);
    }
  const std::vector<float> y = decode(DType::q5_k, b, 256);
  for (int s = 0; s < 8; ++s)
    for (int l = 0; l < 32; ++l)
      EXPECT_EQ(y[32 * s + l], 0.5f * float(kSc[s] * code(s, l)) - 0.25f * float(kMn[s])) << s << " " << l;
  EXPECT_EQ(y[3], 10.5f);      // s 0: 0.5 * 1 * 21
  EXPECT_EQ(y[69], 17.f);      // s 2, l 5: code 45 & 31 = 13 (fifth bit 0); 0.5*3*13 - 0.25*10
  EXPECT_EQ(y[226], 535.25f);  // s 7, l 2: code 49 & 31 = 17 (fifth bit 1); 0.5*63*17 - 0.25*1
}

TEST(GgufBlocks, Q6_K) {
  // d = 0.25, signed sub-block scales (one -128), 6-bit codes (5i + 3) & 63 for element i;
  // element i = 128h + 32q + l: low 4 bits in ql[64h + l + 32 (q & 1)], the low nibble for
  // q < 2 and the high one for q >= 2; top 2 bits in bits 2q, 2q+1 of qh[32h + l].
  Bytes b(210, 0);
  int8_t sc[16];
  for (int i = 0; i < 16; ++i)
    sc[i] = int8_t(i % 2 ? -(8 * i + 1) : 8 * i + 1);
  sc[15] = -128;
  auto code = [](int i) { return (5 * i + 3) & 63; };
  for (int i = 0; i < 256; ++i) {
    const int h = i / 128, q = i % 128 / 32, l = i % 32;
    b[64 * h + l + 32 * (q & 1)] |= uint8_t((code(i) & 15) << (q >= 2 ? 4 : 0));
    b[128 + 32 * h + l] |= uint8_t((code(i) >> 4) << (2 * q));
  }
  for (int i = 0; i < 16; ++i)
    b[192 + i] = uint8_t(sc[i]);
  putF16(b, 208, 0.25f);
  const std::vector<float> y = decode(DType::q6_k, b, 256);
  for (int i = 0; i < 256; ++i)
    EXPECT_EQ(y[i], 0.25f * float(sc[i / 16] * (code(i) - 32))) << i;
}

TEST(GgufBlocks, Q6_KByHand) {
  // One block of zeros but ql[0] = 0x21, ql[32] = 0x43, qh[0] = 0b11'10'01'00 and scales
  // 2, 0, -3, 0, 5, 0, 7 (sub-blocks 0..6), d = 1. Element 0: (1 | 0 << 4) - 32 = -31;
  // 32: (3 | 1 << 4) - 32 = -13; 64: (2 | 2 << 4) - 32 = 2; 96: (4 | 3 << 4) - 32 = 20.
  Bytes b(210, 0);
  b[0] = 0x21;
  b[32] = 0x43;
  b[128] = 0xE4;
  b[192] = 2;
  b[194] = uint8_t(int8_t(-3));
  b[196] = 5;
  b[198] = 7;
  putF16(b, 208, 1.f);
  const std::vector<float> y = decode(DType::q6_k, b, 256);
  EXPECT_EQ(y[0], -62.f);
  EXPECT_EQ(y[32], 39.f);
  EXPECT_EQ(y[64], 10.f);
  EXPECT_EQ(y[96], 140.f);
  EXPECT_EQ(y[1], -64.f);   // code 0: 2 * -32
  EXPECT_EQ(y[16], 0.f);    // sub-block 1 has scale 0
  EXPECT_EQ(y[128], 0.f);   // second half: scales 8..15 are 0
}

TEST(GgufBlocks, Q2_K) {
  // d = 0.5, dmin = 0.25; sub-block i (16 elements) has scale (3i + 1) & 15 and min
  // (5i + 2) & 15 in scales[i] (low, high nibble); 2-bit codes (i + i / 64) & 3 for element
  // i = 128h + 32j + l, at bits 2j, 2j + 1 of qs[32h + l] (from byte 16).
  Bytes b(84, 0);
  auto sc = [](int s) { return (3 * s + 1) & 15; };
  auto mn = [](int s) { return (5 * s + 2) & 15; };
  auto code = [](int i) { return (i + i / 64) & 3; };
  for (int s = 0; s < 16; ++s) b[s] = uint8_t(sc(s) | mn(s) << 4);
  for (int i = 0; i < 256; ++i) {
    const int h = i / 128, j = i % 128 / 32, l = i % 32;
    b[16 + 32 * h + l] |= uint8_t(code(i) << (2 * j));
  }
  putF16(b, 80, 0.5f);
  putF16(b, 82, 0.25f);
  const std::vector<float> y = decode(DType::q2_k, b, 256);
  for (int i = 0; i < 256; ++i)
    EXPECT_EQ(y[i], 0.5f * float(sc(i / 16)) * float(code(i)) - 0.25f * float(mn(i / 16))) << i;
  EXPECT_EQ(y[0], -0.5f);    // sub-block 0: scale 1, min 2, code 0
  EXPECT_EQ(y[255], 10.75f);  // sub-block 15: scale 14, min 13, code (255 + 3) & 3 = 2: 14 - 3.25
}

TEST(GgufBlocks, Q3_K) {
  // d = 0.125; sub-block i's 6-bit scale s_i = (11i + 7) & 63 (value s_i - 32): its low 4
  // bits in the low (i < 8) or high nibble of scales[i % 8], its top 2 bits at bits
  // 2 * (i / 4) of scales[8 + i % 4]; element i = 128h + 32j + l has code c_i in -4..3, 2
  // low bits (c_i + 4) & 3 at bits 2j, 2j + 1 of qs[32h + l], and bit 4h + j of hmask[l]
  // set when c_i >= 0.
  Bytes b(110, 0);
  auto scale = [](int s) { return (11 * s + 7) & 63; };
  auto code = [](int i) { return (7 * i + i / 32) % 8 - 4; };
  for (int s = 0; s < 16; ++s) {
    b[96 + s % 8] |= uint8_t((scale(s) & 15) << (s < 8 ? 0 : 4));
    b[96 + 8 + s % 4] |= uint8_t((scale(s) >> 4) << (2 * (s / 4)));
  }
  for (int i = 0; i < 256; ++i) {
    const int h = i / 128, j = i % 128 / 32, l = i % 32;
    b[32 + 32 * h + l] |= uint8_t(((code(i) + 4) & 3) << (2 * j));
    if (code(i) >= 0) b[l] |= uint8_t(1 << (4 * h + j));
  }
  putF16(b, 108, 0.125f);
  const std::vector<float> y = decode(DType::q3_k, b, 256);
  for (int i = 0; i < 256; ++i)
    EXPECT_EQ(y[i], 0.125f * float(scale(i / 16) - 32) * float(code(i))) << i;
  EXPECT_EQ(y[0], 12.5f);   // scale 7 - 32 = -25, code -4
  EXPECT_EQ(y[1], -9.375f);  // code 7 % 8 - 4 = 3
}

// ggml's kvalues_iq4nl, written out here rather than read from the code under test.
const int kIq4[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

TEST(GgufBlocks, IQ4_NL) {
  // d = 0.25; element i's code (5i + 3) & 15 in q4_0's nibble order.
  Bytes b(18, 0);
  auto code = [](int i) { return (5 * i + 3) & 15; };
  for (int i = 0; i < 32; ++i) b[2 + i % 16] |= uint8_t(code(i) << (i < 16 ? 0 : 4));
  putF16(b, 0, 0.25f);
  const std::vector<float> y = decode(DType::iq4_nl, b, 32);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(y[i], 0.25f * float(kIq4[code(i)])) << i;
  EXPECT_EQ(y[0], -16.25f);  // code 3: -65
  EXPECT_EQ(y[1], 0.25f);    // code 8: 1
}

TEST(GgufBlocks, IQ4_XS) {
  // d = 0.5; sub-block s (32 elements) has the 6-bit scale (13s + 5) & 63 (value - 32):
  // low 4 bits in nibble s % 2 of scales_l[s / 2] (bytes 4-7), top 2 bits at bits 2s of
  // scales_h (bytes 2-3, little endian); element l of sub-block s has code (3i + s) & 15
  // (i = 32s + l) in q4_0's nibble order within the sub-block's 16 bytes from 8 + 16s.
  Bytes b(136, 0);
  auto scale = [](int s) { return (13 * s + 5) & 63; };
  auto code = [](int i) { return (3 * i + i / 32) & 15; };
  uint16_t h = 0;
  for (int s = 0; s < 8; ++s) {
    b[4 + s / 2] |= uint8_t((scale(s) & 15) << (4 * (s % 2)));
    h |= uint16_t((scale(s) >> 4) << (2 * s));
  }
  b[2] = uint8_t(h & 0xff);
  b[3] = uint8_t(h >> 8);
  for (int i = 0; i < 256; ++i) {
    const int s = i / 32, l = i % 32;
    b[8 + 16 * s + l % 16] |= uint8_t(code(i) << (l < 16 ? 0 : 4));
  }
  putF16(b, 0, 0.5f);
  const std::vector<float> y = decode(DType::iq4_xs, b, 256);
  for (int i = 0; i < 256; ++i)
    EXPECT_EQ(y[i], 0.5f * float(scale(i / 32) - 32) * float(kIq4[code(i)])) << i;
  EXPECT_EQ(y[0], 1714.5f);    // scale 5 - 32 = -27, code 0: -127
  EXPECT_EQ(y[32], 728.0f);    // scale 18 - 32 = -14 (top bits 01), code 1: -104
}

TEST(GgufBlocks, RejectsOtherTypesAndPartialBlocks) {
  Bytes b(256, 0);
  std::vector<float> y(256, 7.f);
  for (DType t : {DType::f32, DType::f64, DType::i8, DType::i4}) {
    EXPECT_FALSE(ref::dequantizeRow(t, b.data(), y.data(), 32)) << dtypeInfo(t).name;
    EXPECT_FALSE(ref::canDequantizeRow(t));
  }
  EXPECT_FALSE(ref::dequantizeRow(DType::q4_0, b.data(), y.data(), 31));
  EXPECT_FALSE(ref::dequantizeRow(DType::q4_k, b.data(), y.data(), 32));
  EXPECT_FALSE(ref::dequantizeRow(DType::f16, b.data(), y.data(), -1));
  EXPECT_EQ(y, std::vector<float>(256, 7.f));  // nothing written
  EXPECT_TRUE(ref::dequantizeRow(DType::q6_k, b.data(), y.data(), 0));
  for (DType t : {DType::f16, DType::bf16, DType::q4_0, DType::q4_1, DType::q5_0, DType::q5_1, DType::q8_0,
                  DType::q2_k, DType::q3_k, DType::q4_k, DType::q5_k, DType::q6_k, DType::iq4_nl, DType::iq4_xs})
    EXPECT_TRUE(ref::canDequantizeRow(t));
}

// Deterministic test data with a spread of magnitudes and signs, and one all-zero block.
std::vector<float> roundTripInput() {
  std::vector<float> x(128);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(std::sin(0.37 * double(i)) * (1.0 + double(i % 7)));
  for (size_t i = 64; i < 96; ++i)
    x[i] = 0.f;
  return x;
}

TEST(GgufBlocks, Q8_0RoundTrip) {
  // ggml's reference Q8_0: d = max|x| / 127, q = roundf(x / d) (as x * (1 / d)), d stored f16.
  const std::vector<float> x = roundTripInput();
  Bytes b(4 * 34);
  std::vector<float> expected(x.size());
  for (int g = 0; g < 4; ++g) {
    float amax = 0;
    for (int j = 0; j < 32; ++j)
      amax = std::max(amax, std::fabs(x[32 * g + j]));
    const float d = amax / 127.f, id = d ? 1.f / d : 0.f;
    putF16(b, 34 * g, d);
    const float dh = ref::halfToFloat(uint16_t(b[34 * g] | b[34 * g + 1] << 8));
    for (int j = 0; j < 32; ++j) {
      const int q = int(std::round(x[32 * g + j] * id));
      b[34 * g + 2 + j] = uint8_t(int8_t(q));
      expected[32 * g + j] = float(q) * dh;
      // Half a step of rounding, plus what storing d as f16 moved it by.
      EXPECT_NEAR(expected[32 * g + j], x[32 * g + j], 0.5f * d + 127.f * std::fabs(d - dh) + 1e-6f);
    }
  }
  EXPECT_EQ(decode(DType::q8_0, b, 128), expected);
}

TEST(GgufBlocks, Q4_0RoundTrip) {
  // ggml's reference Q4_0: m = the value of largest magnitude, d = m / -8, q = min(15,
  // int(x / d + 8.5)) (as x * (1 / d)), d stored f16.
  const std::vector<float> x = roundTripInput();
  Bytes b(4 * 18);
  std::vector<float> expected(x.size());
  for (int g = 0; g < 4; ++g) {
    float amax = 0, m = 0;
    for (int j = 0; j < 32; ++j)
      if (std::fabs(x[32 * g + j]) > amax) {
        amax = std::fabs(x[32 * g + j]);
        m = x[32 * g + j];
      }
    const float d = m / -8.f, id = d ? 1.f / d : 0.f;
    putF16(b, 18 * g, d);
    const float dh = ref::halfToFloat(uint16_t(b[18 * g] | b[18 * g + 1] << 8));
    for (int j = 0; j < 32; ++j) {
      const int q = std::min(15, int(int8_t(x[32 * g + j] * id + 8.5f)));
      b[18 * g + 2 + j % 16] |= uint8_t(q << (j < 16 ? 0 : 4));
      expected[32 * g + j] = float(q - 8) * dh;
      // At most one step off (the clipped end at +7), plus what storing d as f16 moved it by.
      EXPECT_NEAR(expected[32 * g + j], x[32 * g + j], std::fabs(d) + 8.f * std::fabs(d - dh) + 1e-6f);
    }
  }
  EXPECT_EQ(decode(DType::q4_0, b, 128), expected);
}

} // namespace
} // namespace edgec::rt::testing
