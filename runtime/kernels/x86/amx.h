// Intel AMX (Advanced Matrix Extensions) for the x86 kernels: whether this process may
// run tile instructions, and the tile configuration they load. Baseline code: callable
// from any x86 kernel; only files built with -mamx-tile -mamx-int8 issue tile instructions.
#pragma once

#include <cstdint>

namespace edgec::rt::x86 {

// True when the CPU has AMX-TILE and AMX-INT8, the OS enables their state (XCR0 bits 17
// and 18) and Linux granted this process the tile data (arch_prctl ARCH_REQ_XCOMP_PERM,
// asked once, for the whole process: every thread may then use the tiles). False with
// EDGEC_X86_NO_AMX set (any value; read at each call, so that tests run both paths).
bool amxUsable();

// The 64-byte operand of LDTILECFG (palette 1): tile t has rows[t] rows of colsb[t] bytes.
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t startRow = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};
static_assert(sizeof(TileConfig) == 64, "LDTILECFG reads 64 bytes");

}  // namespace edgec::rt::x86
