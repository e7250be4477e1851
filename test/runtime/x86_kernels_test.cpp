// The x86 Gemm, MatMul and Conv against the ref kernels and the naive definitions, on
// shapes covering every path: Conv's pointwise and im2col GEMMs (tile and block tails,
// weights packed at prepare or at run time) and its depthwise kernels (strides,
// dilations, pads, row tails, bands, channel multipliers). The Conv tests run once per
// x86 level (AVX2, AVX-512), each skipped where the CPU lacks it; the level is picked
// through the registry, as a session picks it, from the ISA list capped at that level.
#include <cstdlib>
#include <limits>

#include "model.h"
#include "naive_ops.h"

namespace edgec::rt {
// How gtest shows a test parameter (found by ADL; file-local).
static void PrintTo(Isa isa, std::ostream *os) { *os << isaName(isa); }
}  // namespace edgec::rt

namespace edgec::rt::testing {
namespace {

constexpr float kRtol = 1e-4f;

class X86Kernels : public ::testing::Test {
protected:
  void SetUp() override {
    if (!cpuHasAvx2()) GTEST_SKIP() << "CPU lacks AVX2/FMA";
  }
  const std::vector<Isa> x86_ = {Isa::Ref, Isa::X86Avx2};
};

// The ISAs a CPU of the given x86 level runs: the registry's best among them is that
// level's kernel.
std::vector<Isa> isasUpTo(Isa level) {
  std::vector<Isa> isas = {Isa::Ref, Isa::X86Avx2};
  if (level == Isa::X86Avx512) isas.push_back(Isa::X86Avx512);
  return isas;
}

bool cpuHasLevel(Isa level) {
  if (level == Isa::X86Avx512)
    return cpuHasAvx2() && hostHasFeature("avx512f") && hostHasFeature("avx512dq") &&
           hostHasFeature("avx512bw") && hostHasFeature("avx512vl");
  return cpuHasAvx2();
}

// Conv on one x86 level (the test parameter).
class X86Conv : public ::testing::TestWithParam<Isa> {
protected:
  void SetUp() override {
    if (!cpuHasLevel(GetParam())) GTEST_SKIP() << "CPU lacks " << isaName(GetParam());
  }
};

std::vector<ConvCase> x86ConvCases() {
  std::vector<ConvCase> cases = {
      // MobileNetV2-like layers
      {{1, 3, 32, 32}, 16, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 16, 16, 16}, 16, 16, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 24, 15, 15}, 24, 24, {3, 3}, {2, 2}, {1, 1}, {0, 0, 1, 1}, true, "Relu"},
      {{2, 32, 8, 8}, 24, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true},
      {{1, 24, 8, 8}, 96, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, false, "Relu"},
      // a late 1x1 layer: few columns, so threads split its output channels (with a tail panel)
      {{1, 16, 7, 7}, 44, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Clip", 0.f, 6.f},
      // depthwise with a channel multiplier, dilation and asymmetric pads
      {{1, 4, 9, 11}, 8, 4, {3, 3}, {1, 2}, {2, 1}, {2, 0, 1, 3}, true},
      {{1, 4, 7, 7}, 4, 4, {5, 5}, {3, 1}, {1, 2}, {0, 4, 2, 0}, false},
      // 1x1 that cannot be a plain GEMM (stride / pads)
      {{1, 8, 9, 9}, 4, 1, {1, 1}, {2, 2}, {1, 1}, {0, 0, 0, 0}},
      {{1, 8, 5, 5}, 4, 1, {1, 1}, {1, 1}, {1, 1}, {1, 0, 0, 1}},
      // grouped im2col, dilated, padded beyond the kernel
      {{2, 6, 10, 9}, 9, 3, {3, 2}, {2, 1}, {2, 3}, {3, 1, 0, 2}, true, "Clip", -0.3f, 0.4f},
      {{1, 3, 4, 4}, 5, 1, {3, 3}, {1, 1}, {1, 1}, {4, 4, 4, 4}},
      // other ranks
      {{2, 5, 17}, 6, 1, {3}, {2}, {1}, {1, 1}, true, "Relu"},
      {{1, 4, 12}, 4, 4, {5}, {1}, {2}, {4, 4}},
      {{1, 4, 5, 6, 7}, 6, 2, {3, 2, 3}, {1, 2, 2}, {1, 2, 1}, {1, 0, 1, 1, 1, 0}},
      // pointwise GEMM tails: rows (M % 6), columns (N % 16 below and above 8), a K large
      // enough for several packed blocks of columns, groups
      {{1, 7, 1, 1}, 1, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Relu"},
      {{1, 5, 3, 3}, 13, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, false, "Clip", -0.2f, 0.3f},
      {{2, 16, 7, 7}, 20, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true},
      {{1, 9, 4, 6}, 7, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, false},
      {{1, 300, 20, 25}, 14, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Clip", 0.f, 6.f},
      {{1, 12, 5, 7}, 16, 4, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Relu"},
      // im2col GEMM: the first conv of MobileNet (3 channels, stride 2) with column tails;
      // column matrices big enough to be taken in blocks of output rows (2-D and 3-D)
      {{1, 3, 29, 27}, 32, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 64, 9, 70}, 8, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu"},
      {{1, 16, 6, 5, 41}, 4, 1, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 0, 1, 1, 0, 1}, false},
      // ... K of 270-360 (the AVX-512 tiles prefetch A's panel 1024 floats ahead, past its
      // end here), the last columns of a block 33 (a masked vector), one (7x7: it rides
      // with the last tile) and 4 (14x14: gemmColumns), rows past the last whole panel
      {{1, 40, 9, 9}, 20, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu"},
      {{1, 32, 7, 7}, 12, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 30, 14, 14}, 9, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false},
      // depthwise 3x3, "same" pads, short rows (the flat kernel): vectors across rows of
      // 1, 5, 7, 8 or 13, a channel multiplier, batches
      {{1, 3, 7, 7}, 3, 3, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 2, 14, 13}, 2, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false, "Relu"},
      {{2, 2, 9, 5}, 4, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu"},
      {{1, 2, 6, 1}, 2, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false},
      // depthwise 3x3 on bands of rows: strides 1 (rows of whole vectors) and 2, even and
      // odd output heights, rows not a multiple of 8 wide (17, 30), no bias
      {{1, 3, 11, 40}, 3, 3, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 2, 9, 17}, 2, 2, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true},
      {{1, 2, 14, 30}, 2, 2, {3, 3}, {2, 2}, {1, 1}, {0, 0, 1, 1}, false, "Clip", -0.1f, 0.1f},
      {{1, 2, 8, 8}, 2, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true},
      {{1, 2, 11, 32}, 2, 2, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Relu"},
      // ... with a channel multiplier, pads of 0 and 2, horizontal dilation, and in planes
      // tall enough to be split into several bands (padding rows that held data before)
      {{1, 2, 10, 12}, 6, 2, {3, 3}, {1, 1}, {1, 1}, {0, 2, 2, 0}, true, "Relu"},
      {{1, 3, 9, 19}, 3, 3, {3, 3}, {1, 2}, {1, 2}, {2, 2, 2, 2}, true},
      {{1, 2, 150, 120}, 2, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{2, 2, 161, 117}, 4, 2, {3, 3}, {2, 2}, {1, 1}, {1, 2, 1, 0}, false, "Relu"},
      // depthwise, the generic path: vertical dilation, stride 3, other kernels, pads wider
      // than the kernel, a single input channel with many outputs
      {{1, 2, 12, 11}, 2, 2, {3, 3}, {1, 1}, {2, 1}, {2, 1, 2, 1}, true},
      {{1, 2, 13, 23}, 2, 2, {3, 3}, {3, 3}, {1, 1}, {1, 1, 1, 1}, true, "Relu"},
      {{1, 2, 9, 9}, 4, 2, {2, 4}, {1, 2}, {1, 1}, {0, 3, 1, 2}, false},
      {{1, 1, 5, 6}, 2, 1, {3, 3}, {1, 1}, {1, 1}, {4, 5, 3, 4}, true},
      {{1, 1, 200, 90}, 8, 1, {5, 5}, {3, 2}, {1, 1}, {2, 2, 2, 2}, true, "Clip", -0.5f, 0.5f},
      // the AVX-512 kernel's tails: 8-row panels (M = 11, 9, 20, 17), 48-column tiles
      // followed by whole 16-column vectors and a rest of 2 or 4 columns (N = 66, 84) or a
      // masked vector (N = 53, 95); 16-wide depthwise rows in the flat kernel (W = 16, 32,
      // 40, 48) and in bands (W = 64, 80, and stride 2 over 65 and 100 columns); a
      // stride-2 im2col whose rows are gathered 16 at a time and then through masks
      {{1, 9, 7, 12}, 11, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Relu"},
      {{1, 5, 5, 19}, 9, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, false},
      {{1, 7, 6, 11}, 20, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Clip", 0.f, 6.f},
      {{1, 33, 1, 53}, 17, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true},
      {{1, 3, 5, 16}, 3, 3, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 2, 4, 32}, 2, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false, "Relu"},
      {{1, 2, 5, 40}, 2, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true},
      {{2, 2, 3, 48}, 4, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu"},
      {{1, 2, 9, 64}, 2, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 2, 70, 80}, 2, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false},
      {{1, 2, 9, 65}, 2, 2, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Relu"},
      {{1, 3, 40, 100}, 3, 3, {3, 3}, {2, 2}, {1, 1}, {0, 0, 1, 1}, true},
      {{1, 3, 20, 75}, 8, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 2, 9, 67}, 3, 1, {1, 3}, {1, 2}, {1, 1}, {0, 0, 0, 0}, false},
      // im2col with fewer blocks than threads, so threads split the output channels over
      // one shared column matrix: ResNet's 7x7 layer 4 (one block, a tail panel), and two
      // blocks taken one after the other (rows of 70 outputs over 576 taps: 3 per block)
      {{1, 40, 7, 7}, 36, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 64, 6, 70}, 20, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu"},
      // so many taps (K = 2700) that a block of B holds one tile's 48 columns: the 49th
      // joins that block and rides along with its last tile (AVX-512's gemm)
      {{1, 300, 7, 7}, 12, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu"},
      // function epilogues (edge-fuse-epilogue) on every path: pointwise (also split by
      // output channels), im2col (one and several blocks), depthwise (bands and the flat
      // 3x3 kernel), with tails of 1 to 7 outputs
      {{1, 24, 9, 9}, 40, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Silu"},
      {{1, 16, 7, 7}, 44, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, false, "HardSwish"},
      // squeeze-excitation's 1x1 maps: one output per channel, the whole output one run
      {{1, 48, 1, 1}, 1152, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Sigmoid"},
      {{2, 37, 1, 1}, 21, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Silu"},
      {{1, 3, 29, 27}, 32, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Silu"},
      {{1, 64, 6, 70}, 20, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Sigmoid"},
      {{1, 40, 7, 7}, 36, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "HardSwish"},
      {{1, 3, 11, 40}, 3, 3, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Silu"},
      {{2, 2, 9, 5}, 4, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Sigmoid"},
      {{1, 2, 9, 17}, 2, 2, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, false, "HardSwish"},
      // depthwise 5x5 (EfficientNet), "same" pads of 2 on short rows (depthwise5x5Same):
      // rows of 1, 2, 3, 7, 14, 28 (every mask offset past both row ends, vectors across
      // several rows), a channel multiplier, batches, each epilogue, no bias
      {{1, 5, 7, 7}, 5, 5, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true, "Silu"},
      {{1, 3, 14, 14}, 3, 3, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true, "Silu"},
      {{1, 2, 28, 28}, 2, 2, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, false, "Relu"},
      {{2, 3, 9, 13}, 6, 3, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true, "Clip", 0.f, 6.f},
      {{1, 2, 6, 1}, 2, 2, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true},
      {{1, 2, 5, 2}, 2, 2, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, false, "Sigmoid"},
      {{1, 3, 4, 3}, 3, 3, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true, "HardSwish"},
      // ... on bands (depthwiseKxK<5, SH, SW>): rows of whole vectors (40, 64, 80), strides
      // 2 and mixed 1/2 as in EfficientNet's 56x56 and 14x14 reductions, odd sizes and
      // heights, asymmetric pads, a channel multiplier, planes split into several bands
      {{1, 3, 11, 40}, 3, 3, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true, "Silu"},
      {{1, 2, 9, 64}, 2, 2, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, false, "Clip", 0.f, 6.f},
      {{1, 2, 6, 80}, 2, 2, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true},
      {{1, 3, 56, 56}, 3, 3, {5, 5}, {2, 2}, {1, 1}, {1, 1, 2, 2}, true, "Silu"},
      {{1, 5, 14, 14}, 5, 5, {5, 5}, {2, 2}, {1, 1}, {1, 1, 2, 2}, true, "Silu"},
      {{1, 3, 15, 15}, 3, 3, {5, 5}, {2, 2}, {1, 1}, {2, 2, 2, 2}, false, "Relu"},
      {{1, 2, 17, 29}, 4, 2, {5, 5}, {2, 1}, {1, 1}, {0, 2, 1, 2}, true, "Silu"},
      {{1, 2, 12, 33}, 2, 2, {5, 5}, {1, 2}, {1, 1}, {2, 3, 2, 1}, true, "HardSwish"},
      {{1, 2, 10, 9}, 2, 2, {5, 5}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Silu"},
      {{1, 2, 150, 40}, 2, 2, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true, "Clip", 0.f, 6.f},
      {{2, 2, 161, 117}, 2, 2, {5, 5}, {2, 2}, {1, 1}, {2, 1, 2, 0}, false, "Silu"},
      // channel-blocked depthwise (constant weights, one output per channel, rows of at
      // most 8, of at most 16 at stride 2; on AVX-512 also any rows of at most 16 and 5x5
      // stride-1 rows up to 32; on AVX2 5x5 on rows up to 32): blocks of 16 (8) channels
      // with a partial last one, a batch, strides 1-3, a vertical dilation (the generic
      // taps), each epilogue
      {{1, 20, 14, 14}, 20, 20, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 18, 28, 28}, 18, 18, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true, "Silu"},
      {{1, 24, 28, 28}, 24, 24, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, false, "Relu"},
      {{2, 40, 14, 14}, 40, 40, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 17, 7, 7}, 17, 17, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true, "Sigmoid"},
      {{1, 20, 9, 9}, 20, 20, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true, "Silu"},
      {{1, 24, 11, 8}, 24, 24, {3, 3}, {1, 1}, {2, 1}, {2, 1, 2, 1}, false, "HardSwish"},
      {{1, 33, 16, 16}, 33, 33, {3, 3}, {3, 3}, {1, 1}, {1, 1, 1, 1}, true},
      {{1, 48, 15, 15}, 48, 48, {5, 5}, {2, 2}, {1, 1}, {2, 2, 2, 2}, false, "Relu"},
      // Winograd F(4x4, 3x3) (3x3, stride 1, constant weights, >= 32 tiles and 16
      // channels): whole tiles; partial last tiles with asymmetric and wide pads, a batch,
      // odd channel counts (GEMM tails), each epilogue
      {{1, 16, 24, 24}, 16, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu"},
      {{2, 20, 22, 30}, 24, 1, {3, 3}, {1, 1}, {1, 1}, {1, 2, 0, 1}, true},
      {{1, 17, 21, 27}, 19, 1, {3, 3}, {1, 1}, {1, 1}, {3, 0, 2, 4}, false, "Clip", -0.3f, 0.4f},
      {{1, 32, 28, 28}, 40, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Silu"},
      {{1, 16, 30, 23}, 16, 1, {3, 3}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "HardSwish"},
      // ... in bands of whole tile rows, each on one thread (at least two bands of 96
      // tiles: ResNet's 56x56, two bands of 7 rows of 14 tiles; and 16 rows of 9 tiles as
      // bands of 11 and 5 rows, asymmetric pads, a batch)
      {{1, 16, 56, 56}, 16, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu"},
      {{2, 17, 61, 37}, 20, 1, {3, 3}, {1, 1}, {1, 1}, {1, 0, 2, 1}, false, "Silu"},
  };
  // Random 2-D shapes on top.
  std::mt19937 rng(42);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int i = 0; i < 20; ++i) {
    const int64_t group = pick(1, 3), cg = pick(1, 4), mg = pick(1, 4);
    const std::vector<int64_t> k = {pick(1, 4), pick(1, 4)};
    const std::vector<int64_t> dil = {pick(1, 2), pick(1, 2)};
    std::vector<int64_t> pads = {pick(0, 2), pick(0, 2), pick(0, 2), pick(0, 2)};
    std::vector<int64_t> x = {pick(1, 2), group * cg, pick(1, 12), pick(1, 12)};
    for (int d = 0; d < 2; ++d)  // make sure at least one output position exists
      x[2 + d] = std::max(x[2 + d], dil[d] * (k[d] - 1) + 1);
    const char *acts[] = {"", "Relu", "Clip"};
    ConvCase c{x, group * mg, group, k, {pick(1, 3), pick(1, 3)}, dil, pads};
    c.bias = pick(0, 1) == 1;
    c.activation = acts[pick(0, 2)];
    c.actMin = -0.5f;
    c.actMax = 0.5f;
    cases.push_back(c);
  }
  // After the random shapes, so that the cases above keep their seeds (a Winograd case's
  // error sits near the tolerance for some inputs).
  // im2col with fewer blocks than threads, whose column matrix the threads fill by input
  // channels: through the generic im2col (1-D, 3-D, a stride of 3) as well as the 2-D
  // one; weights that outweigh the column matrix (one block on AVX2 too)
  cases.push_back(ConvCase{{1, 10, 30}, 20, 1, {5}, {3}, {1}, {2, 2}, true, "Relu"});
  cases.push_back(ConvCase{{1, 6, 4, 5, 6}, 12, 1, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1, 1, 1, 1}, true});
  cases.push_back(ConvCase{{1, 5, 13, 31}, 10, 1, {3, 3}, {3, 3}, {1, 1}, {1, 1, 1, 1}, false, "Clip", 0.f, 6.f});
  cases.push_back(ConvCase{{1, 64, 5, 5}, 96, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true});
  // ... with over 2048 taps in one block (as ResNet's layer-4 3x3 convs): a last panel of
  // 4 rows, a Clip; a batch of two, no bias
  cases.push_back(ConvCase{{1, 256, 5, 5}, 52, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Clip", -0.5f, 0.5f});
  cases.push_back(ConvCase{{2, 232, 4, 6}, 56, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false, "Relu"});
  // im2col blocks made an even count: 7 rows of 70 outputs over 576 taps, 3 rows a
  // block (3 + 3 + 1), become 2 + 2 + 2 + 1 (dilated: not Winograd's)
  cases.push_back(ConvCase{{1, 64, 7, 70}, 20, 1, {3, 3}, {1, 1}, {1, 2}, {1, 2, 1, 2}, true, "Relu"});
  // Winograd in bands (13 rows of 13 tiles, the last column partial: bands of 8 and 5
  // rows) with more output channels than one and a half times the input's: the output
  // transform's step across in a region of its own, not in V's place
  cases.push_back(ConvCase{{1, 16, 52, 51}, 40, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false});
  // The im2col path without the column matrix (AVX-512, constant weights, output rows of
  // whole vectors, output channels in whole panels): ResNet's 7x7 stride-2 stem (one
  // block, so 2 and 3 threads take the im2col GEMM split by output channels and must give
  // the same bits); 3x3 stride 2 in 6 blocks of 13 and 10 rows with asymmetric pads; a
  // 3x5 kernel at stride 1 with tiles of 3 vectors and one of 1; stride 2 across only,
  // with an input column no output reads; a batch of two groups
  cases.push_back(ConvCase{{1, 3, 37, 64}, 16, 1, {7, 7}, {2, 2}, {1, 1}, {3, 3, 3, 3}, true, "Relu"});
  cases.push_back(ConvCase{{1, 16, 150, 96}, 24, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 0, 1}, true, "Clip", 0.f, 6.f});
  cases.push_back(ConvCase{{1, 5, 7, 16}, 16, 1, {3, 5}, {1, 1}, {1, 1}, {1, 2, 1, 2}, false});
  cases.push_back(ConvCase{{1, 3, 20, 66}, 8, 1, {3, 3}, {1, 2}, {1, 1}, {0, 0, 0, 0}, true, "Silu"});
  cases.push_back(ConvCase{{2, 4, 10, 32}, 16, 2, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true});
  // The direct path vectorized over output channels (AVX-512, constant weights, 3x3 stride
  // 2 onto rows that are not whole vectors, output channels in whole vectors): ResNet's
  // stride-2 convs in small (one block; 80 channels: a panel of 4 vectors and one of 1,
  // position tiles of 6 and a last of 4); 1152 taps (two chunks of k) in 4 blocks of 5
  // rows with asymmetric pads, 3 vectors of channels, a last tile of 3 positions, SiLU
  // after the store; rows of 7 and a batch of two
  cases.push_back(ConvCase{{1, 16, 28, 28}, 80, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Relu"});
  cases.push_back(ConvCase{{1, 128, 40, 30}, 48, 1, {3, 3}, {2, 2}, {1, 1}, {1, 0, 0, 1}, true, "Silu"});
  cases.push_back(ConvCase{{2, 8, 13, 13}, 64, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, false, "Clip", 0.f, 6.f});
  // ... split over K (runSplitK: at least 1024 taps and two panels; ResNet's layer3.0 and
  // layer4.0 conv1): 128 channels onto 7x7; a batch of two, asymmetric pads, a last panel of
  // 2 vectors, no bias, SiLU after the halves' sum
  cases.push_back(ConvCase{{1, 128, 14, 14}, 128, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Relu"});
  cases.push_back(ConvCase{{2, 130, 9, 11}, 96, 1, {3, 3}, {2, 2}, {1, 1}, {1, 0, 0, 1}, false, "Silu"});
  // Winograd F(2x2, 3x3) (3x3 stride 1 on maps of fewer than 16 F(4x4) tiles, with at
  // least 16 of its own and 64 channels each way: ResNet's layer 4): 7x7 (the last tiles'
  // second row and column dropped; 68 output channels: panels of 8 and a last of 4, split
  // unevenly at 3 threads), Relu; asymmetric pads onto 10x10 with a batch of two, no
  // bias, SiLU; no pads, 10x8 outputs in 20 tiles, an odd channel count, Clip
  cases.push_back(ConvCase{{1, 64, 7, 7}, 68, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu"});
  cases.push_back(ConvCase{{2, 72, 9, 11}, 64, 1, {3, 3}, {1, 1}, {1, 1}, {2, 0, 1, 1}, false, "Silu"});
  cases.push_back(ConvCase{{1, 65, 12, 10}, 80, 1, {3, 3}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Clip", -0.5f, 0.5f});
  return cases;
}

// Prepares the Conv of x86 level `level` as a session does, with W and B constants of the
// package (packed at prepare) or not, then runs it twice on scratch filled with NaNs, so
// that it can rely neither on zeroed scratch nor on what a previous run left there.
std::vector<float> runX86Conv(Isa level, const ConvCase &c, Tensor &x, Tensor &w, Tensor *b,
                              bool constantWeights, int threads = 1) {
  Isa chosen = Isa::Ref;
  AttrList attrs;
  c.fill(attrs);
  Tensor y(DType::f32, c.y());
  static const TensorView absent;
  KernelSignature sig;
  sig.op = "Conv";
  sig.node = "test_node";
  sig.attrs = attrs.attrs();
  sig.inputs = {&x.view(), &w.view(), b ? &b->view() : nullptr};
  sig.input_is_constant = {false, constantWeights, b && constantWeights};
  sig.outputs = {&y.view()};
  std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, isasUpTo(level), &chosen);
  EXPECT_EQ(chosen, level);
  k->prepare(sig);
  for (int i = 0; i < 2; ++i) runPrepared(*k, {&x.view(), &w.view(), b ? &b->view() : &absent}, {&y.view()}, threads);
  return y.values<float>();
}

// A Conv case's tensors: x as given, the weights and bias drawn from `seed` on (which
// advances), and ref's output for them.
struct ConvOperands {
  std::vector<float> w, b;
  Tensor tx, tw, tb, yRef;
  bool hasBias;
  Isa refIsa = Isa::Ref;  // the level that computed yRef
  Tensor *bias() { return hasBias ? &tb : nullptr; }
};

ConvOperands convOperands(const ConvCase &c, const std::vector<float> &x, uint32_t &seed) {
  std::vector<float> w = randomFloats(numelOf(c.w()), seed++), b = randomFloats(c.outChannels, seed++);
  ConvOperands o{w, b, Tensor::of<float>(c.x, x), Tensor::of<float>(c.w(), w),
                 Tensor::of<float>({c.outChannels}, b), Tensor(DType::f32, c.y()), c.bias};
  AttrList attrs;
  c.fill(attrs);
  o.refIsa = runKernel("Conv", {&o.tx, &o.tw, o.bias()}, {&o.yRef}, attrs);
  return o;
}

TEST_P(X86Conv, MatchesRefAndNaive) {
  uint32_t seed = 1000;
  for (const ConvCase &c : x86ConvCases()) {
    const std::vector<float> x = randomFloats(numelOf(c.x), seed++);
    ConvOperands o = convOperands(c, x, seed);
    EXPECT_EQ(o.refIsa, Isa::Ref);
    Tensor &tx = o.tx, &tw = o.tw, *bias = o.bias();
    const std::vector<float> naive = naiveConv(c, x, o.w, o.b);
    for (bool constantWeights : {false, true}) {
      const std::vector<float> yX86 = runX86Conv(GetParam(), c, tx, tw, bias, constantWeights);
      const std::string what = "conv case seed " + std::to_string(seed) +
                               (constantWeights ? " (constant weights)" : "");
      // Winograd (constant 3x3 weights) rounds to ~1e-5 of the output's scale (measured
      // up to 5e-6 here): its transforms scale values by up to ~100 and cancel. Every other
      // path has the same code with run-time weights, checked value by value.
      float scale = 1.f;
      if (constantWeights)
        for (float v : naive) scale = std::max(scale, std::fabs(v));
      expectNear(yX86, o.yRef.values<float>(), kRtol, what, scale);
      expectNear(yX86, naive, kRtol, what, scale);
      // Threads split outputs only: every thread count gives the same bits.
      for (int threads : {2, 3})
        EXPECT_EQ(runX86Conv(GetParam(), c, tx, tw, bias, constantWeights, threads), yX86)
            << what << " with " << threads << " threads";
    }
  }
}

// A NaN input reaches the outputs that read it through every path, also past a fused
// Relu/Clip (the clamp keeps NaN, as the ref's does).
TEST_P(X86Conv, PropagatesNaN) {
  const std::vector<ConvCase> cases = {
      {{1, 4, 6, 10}, 8, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Relu"},
      {{1, 4, 6, 10}, 4, 4, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 4, 6, 10}, 4, 4, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, false, "Relu"},
      {{1, 4, 6, 10}, 5, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 4, 6, 10}, 4, 4, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true, "Relu"},
      {{1, 4, 6, 10}, 4, 4, {5, 5}, {2, 2}, {1, 1}, {2, 2, 2, 2}, true, "Clip", 0.f, 6.f},
      {{1, 4, 6, 10}, 16, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Relu"},  // direct path
  };
  uint32_t seed = 1500;
  for (const ConvCase &c : cases) {
    std::vector<float> x = randomFloats(numelOf(c.x), seed++);
    x[2 * c.x[3] + 5] = std::numeric_limits<float>::quiet_NaN();  // channel 0, row 2
    ConvOperands o = convOperands(c, x, seed);
    Tensor &tx = o.tx, &tw = o.tw, *bias = o.bias();
    const std::vector<float> ref = o.yRef.values<float>();
    ASSERT_TRUE(std::any_of(ref.begin(), ref.end(), [](float v) { return std::isnan(v); }));
    expectNear(runX86Conv(GetParam(), c, tx, tw, bias, true), ref, kRtol,
               "NaN case " + std::to_string(seed));
  }
}

// The case at one thread, checked within the tolerance of ref, after checking that 2 and
// 3 threads give its bits.
std::vector<float> oneThreadBitsAtEveryCount(Isa level, const ConvCase &c, ConvOperands &o, bool constantWeights,
                                             const std::string &what) {
  const std::vector<float> one = runX86Conv(level, c, o.tx, o.tw, o.bias(), constantWeights);
  expectNear(one, o.yRef.values<float>(), kRtol, what);
  for (int threads : {2, 3})
    EXPECT_EQ(runX86Conv(level, c, o.tx, o.tw, o.bias(), constantWeights, threads), one)
        << what << " with " << threads << " threads";
  return one;
}

// 3x3 depthwise convs at stride 1 or 2 with a left pad of 1 (outside the "same" kernels'
// shapes) read their input in place on AVX-512 (depthwise3x3Direct) instead of through a
// prepared band: the same nine fmas per output in the same order, so the band's bits
// (EDGEC_NO_DIRECT_DW takes the band), at 1-3 threads, and within the tolerance of ref.
// Odd and even output heights; rows of whole vectors and not (stride 2: W 64, 65, 100,
// 17, 2; stride 1: 64, 80 and 33 with a right pad of 0, 2 or 1); vertical pads of 0, 1
// and 2 (rows of zeros above, below or none); a channel multiplier, a batch, each epilogue.
TEST_P(X86Conv, DirectDepthwise3x3MatchesBand) {
  const std::vector<ConvCase> cases = {
      {{1, 3, 11, 64}, 3, 3, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{1, 2, 14, 65}, 2, 2, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, false, "Relu"},
      {{2, 2, 9, 100}, 4, 2, {3, 3}, {2, 2}, {1, 1}, {0, 1, 2, 1}, true, "Silu"},
      {{1, 4, 7, 17}, 4, 4, {3, 3}, {2, 2}, {1, 1}, {2, 1, 0, 0}, true},
      {{1, 2, 5, 2}, 2, 2, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "HardSwish"},
      {{1, 3, 9, 64}, 3, 3, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Clip", 0.f, 6.f},
      {{2, 2, 6, 80}, 4, 2, {3, 3}, {1, 1}, {1, 1}, {0, 1, 2, 0}, false, "Relu"},
      {{1, 2, 7, 33}, 2, 2, {3, 3}, {1, 1}, {1, 1}, {2, 1, 0, 2}, true, "Silu"},
  };
  uint32_t seed = 1700;
  for (const ConvCase &c : cases) {
    ConvOperands o = convOperands(c, randomFloats(numelOf(c.x), seed++), seed);
    const std::string what = "direct depthwise case seed " + std::to_string(seed);
    for (bool constantWeights : {false, true}) {
      const std::vector<float> direct = oneThreadBitsAtEveryCount(GetParam(), c, o, constantWeights, what);
      setenv("EDGEC_NO_DIRECT_DW", "1", 1);
      const std::vector<float> band = runX86Conv(GetParam(), c, o.tx, o.tw, o.bias(), constantWeights);
      unsetenv("EDGEC_NO_DIRECT_DW");
      EXPECT_EQ(direct, band) << what;
    }
  }
}

// A pointwise conv with the compiler's thread_split "channels" (an expansion that
// depthwise convs read) splits its output channels by panels at two and three threads:
// the bits of one thread, and within the tolerance of ref. Several column runs and panels,
// a last panel of fewer rows, a batch of two (the kernel's own split), a fused epilogue.
TEST_P(X86Conv, PointwiseSplitByChannelsKeepsTheBits) {
  const std::vector<ConvCase> cases = {
      {{1, 24, 28, 28}, 144, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Clip", 0.f, 6.f, "channels"},
      {{1, 8, 9, 30}, 20, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, false, "Silu", 0.f, 0.f, "channels"},
      {{2, 16, 12, 12}, 96, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, "Relu", 0.f, 0.f, "channels"},
  };
  uint32_t seed = 1800;
  for (const ConvCase &c : cases) {
    ConvOperands o = convOperands(c, randomFloats(numelOf(c.x), seed++), seed);
    const std::string what = "pointwise split by channels, seed " + std::to_string(seed);
    for (bool constantWeights : {false, true}) oneThreadBitsAtEveryCount(GetParam(), c, o, constantWeights, what);
  }
}

TEST_P(X86Conv, RejectsWhatRefRejects) {
  Tensor x(DType::f32, {1, 4, 5, 5}), w(DType::f32, {6, 3, 3, 3}), y(DType::f32, {1, 6, 3, 3});
  AttrList attrs;
  EXPECT_THROW(runKernel("Conv", {&x, &w, nullptr}, {&y}, attrs, isasUpTo(GetParam())), Error);
}

INSTANTIATE_TEST_SUITE_P(Levels, X86Conv, ::testing::Values(Isa::X86Avx2, Isa::X86Avx512),
                         [](const ::testing::TestParamInfo<Isa> &info) {
                           return info.param == Isa::X86Avx512 ? "avx512" : "avx2";
                         });

// EDGEC_KERNELS caps the level a session picks: "avx2" leaves ref and AVX2 on an AVX-512
// CPU, "ref" the oracle alone, "best" (or unset) everything the CPU has.
TEST_F(X86Kernels, EdgecKernelsCapsTheLevel) {
  const char *saved = std::getenv("EDGEC_KERNELS");
  const std::string savedValue = saved ? saved : "";
  auto isasWith = [](const char *value) {
    if (value)
      setenv("EDGEC_KERNELS", value, 1);
    else
      unsetenv("EDGEC_KERNELS");
    return hostIsas();
  };
  const bool avx512 = cpuHasLevel(Isa::X86Avx512);
  const std::vector<Isa> all = avx512 ? isasUpTo(Isa::X86Avx512) : isasUpTo(Isa::X86Avx2);
  EXPECT_EQ(isasWith(nullptr), all);
  EXPECT_EQ(isasWith("best"), all);
  EXPECT_EQ(isasWith("avx512"), all);
  EXPECT_EQ(isasWith("x86-avx512"), all);
  EXPECT_EQ(isasWith("avx2"), isasUpTo(Isa::X86Avx2));
  EXPECT_EQ(isasWith("ref"), std::vector<Isa>{Isa::Ref});
  EXPECT_EQ(isasWith("neon"), std::vector<Isa>{Isa::Ref});  // another family: none of it here
  EXPECT_THROW(isasWith("avx3"), Error);
  isasWith(saved ? savedValue.c_str() : nullptr);
}

TEST_F(X86Kernels, MatMulMatchesRef) {
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes = {
      {{64, 96}, {96, 48}},      {{2, 3, 17, 9}, {9, 5}},  // folded into one GEMM
      {{2, 1, 7, 9}, {3, 9, 4}}, {{9}, {4, 9, 6}},           {{5, 9}, {9}}, {{13}, {13}},
      {{1, 1, 8}, {3, 8, 1}},    {{4, 33, 65}, {4, 65, 31}},
  };
  uint32_t seed = 2000;
  for (const auto &[as, bs] : shapes) {
    const std::vector<float> a = randomFloats(numelOf(as), seed++),
                             b = randomFloats(numelOf(bs), seed++);
    std::vector<int64_t> ys;
    const std::vector<float> naive = naiveMatMul(as, a, bs, b, &ys);
    Tensor ta = Tensor::of<float>(as, a), tb = Tensor::of<float>(bs, b);
    Tensor yRef(DType::f32, ys), yX86(DType::f32, ys);
    AttrList none;
    runKernel("MatMul", {&ta, &tb}, {&yRef});
    EXPECT_EQ(runKernel("MatMul", {&ta, &tb}, {&yX86}, none, x86_), Isa::X86Avx2);
    expectNear(yX86.values<float>(), yRef.values<float>(), kRtol,
               "matmul seed " + std::to_string(seed));
    expectNear(yX86.values<float>(), naive, kRtol, "matmul seed " + std::to_string(seed));
  }
}

TEST_F(X86Kernels, GemmMatchesRef) {
  struct Case {
    int64_t M, N, K;
    bool transA, transB;
    float alpha, beta;
    std::vector<int64_t> c;  // {-1}: no C
    const char *act;
  };
  const Case cases[] = {
      {1, 1000, 1280, false, true, 1.f, 1.f, {1000}, ""},  // MobileNetV2 classifier
      {1, 37, 19, true, false, 0.5f, 1.f, {1, 37}, "Relu"},  // one row: matrix-vector
      {1, 9, 4, false, false, 1.f, 2.f, {1}, "Clip"},
      {17, 23, 31, true, false, 0.7f, 1.3f, {17, 1}, "Relu"},
      {8, 5, 12, true, true, 1.f, -2.f, {}, ""},
      {33, 65, 20, false, false, 1.f, 0.f, {33, 65}, "Clip"},
      {6, 6, 6, false, true, 2.f, 1.f, {-1}, ""},
  };
  uint32_t seed = 3000;
  for (const Case &g : cases) {
    const bool hasC = g.c != std::vector<int64_t>{-1};
    const std::vector<float> a = randomFloats(g.M * g.K, seed++),
                             b = randomFloats(g.K * g.N, seed++);
    const std::vector<float> c =
        hasC ? randomFloats(numelOf(g.c), seed++) : std::vector<float>{0.f};
    Tensor ta = Tensor::of<float>(
        g.transA ? std::vector<int64_t>{g.K, g.M} : std::vector<int64_t>{g.M, g.K}, a);
    Tensor tb = Tensor::of<float>(
        g.transB ? std::vector<int64_t>{g.N, g.K} : std::vector<int64_t>{g.K, g.N}, b);
    Tensor tc = Tensor::of<float>(hasC ? g.c : std::vector<int64_t>{}, c);
    Tensor yRef(DType::f32, {g.M, g.N}), yX86(DType::f32, {g.M, g.N});
    AttrList refAttrs, x86Attrs;
    for (AttrList *l : {&refAttrs, &x86Attrs}) {
      l->i("transA", g.transA).i("transB", g.transB).f("alpha", g.alpha).f("beta", g.beta);
      if (*g.act) l->s("activation", g.act);
      if (std::string(g.act) == "Clip") l->f("act_min", -1.f).f("act_max", 1.5f);
    }
    runKernel("Gemm", {&ta, &tb, hasC ? &tc : nullptr}, {&yRef}, refAttrs);
    EXPECT_EQ(runKernel("Gemm", {&ta, &tb, hasC ? &tc : nullptr}, {&yX86}, x86Attrs, x86_),
              Isa::X86Avx2);
    expectNear(yX86.values<float>(), yRef.values<float>(), kRtol,
               "gemm seed " + std::to_string(seed));
  }
}

}  // namespace
}  // namespace edgec::rt::testing
