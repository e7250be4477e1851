// F16C conversions between f16 and f32 (x86/f16_convert_avx2.cpp, f16_convert_avx512.cpp),
// bit-exact with the scalar ones (f16_adapter.h, ref/util.h): vcvtph2ps is exact; vcvtps2ph
// rounds to nearest even (immediate rounding, not MXCSR), overflows to infinity and keeps a
// NaN's sign and top payload bits with the quiet bit set, which is what the scalar ones do.
//
// Defined in files built with -mf16c and the level's flags: take their addresses from
// baseline code (f16ConvertFor in f16_adapter.cpp) and call them only on a CPU that has
// the level and F16C.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgec::rt {

void x86Avx2HalfToFloat(const uint16_t *in, float *out, size_t n);
void x86Avx2FloatToHalf(const float *in, uint16_t *out, size_t n);
void x86Avx512HalfToFloat(const uint16_t *in, float *out, size_t n);
void x86Avx512FloatToHalf(const float *in, uint16_t *out, size_t n);

}  // namespace edgec::rt
