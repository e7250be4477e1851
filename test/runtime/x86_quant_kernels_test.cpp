// The x86 int8 Conv, MatMul and Gemm kernels (x86/qgemm_*.cpp) against the ref quantized
// kernels, bit for bit: every path (1x1, im2col, grouped, depthwise, MatMul batch
// broadcast, Gemm transposes), u8 and i8 activations, i8 and u8 weights with and without
// zero points, per-tensor and per-channel scales, bias, Relu/Clip, sizes that leave a tail
// in every loop, constant (packed at prepare) and run-time weights, 1, 2 and 3 threads, on
// each ISA level the CPU has; and the vectorized requantization on edge accumulators.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "amx_test_util.h"
#include "naive_ops.h"
#include "quant_math.h"
#include "quant_test_util.h"

namespace edgec::rt::testing {
namespace {

// The x86 levels this CPU runs the int8 kernels at (AVX-512 needs VNNI as well).
std::vector<IsaLevel> levels() { return x86Levels(/*needVnni=*/true); }


// Runs the call on ref, then on every level at 1, 2 and 3 threads (constant weights, and
// run-time ones at 2 threads), and expects the same codes.
void expectSameAsRef(const std::string &op, const std::vector<TensorView *> &inputs, QTensor &y, AttrList &attrs,
                     const std::string &what, bool refOnly = false) {
  std::fill(y.t.view().as<uint8_t>(), y.t.view().as<uint8_t>() + y.t.view().numel(), 0xA5);
  ASSERT_EQ(runKernelOnViews(op, inputs, y.t.view(), {Isa::Ref}, 1, &attrs, true), Isa::Ref) << what;
  const std::vector<int32_t> expect = y.codes();
  for (const IsaLevel &level : levels()) {
    for (bool amx : amxModes(level)) {
      allowAmx(amx);
      for (int threads = 1; threads <= 3; ++threads) {
        for (bool constants : {true, false}) {
          if (!constants && threads != 2) continue;
          std::fill(y.t.view().as<uint8_t>(), y.t.view().as<uint8_t>() + y.t.view().numel(), 0x5A);
          const Isa chosen = runKernelOnViews(op, inputs, y.t.view(), level.isas, threads, &attrs, constants);
          ASSERT_EQ(chosen, refOnly ? Isa::Ref : level.expect) << what << " on " << level.name;
          const std::vector<int32_t> got = y.codes();
          for (size_t i = 0; i < got.size(); ++i)
            ASSERT_EQ(got[i], expect[i]) << what << " on " << level.name << (amx ? " (AMX allowed)" : "") << ", "
                                         << threads << " threads, " << (constants ? "constant" : "run-time")
                                         << " weights, at " << i;
        }
      }
    }
    allowAmx(true);
  }
}

std::string shapeStr(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}
const char *dt(DType t) { return t == DType::u8 ? "u8" : "i8"; }

// Operand types and quantization of one variant.
struct Variant {
  DType xt, wt, yt;
  bool perAxis, weightZeroPoints, bias;
  std::string act;  // "", "Relu", "Clip"
  float yScaleFactor = 1.f;  // < 1: multipliers above 1 (a left shift) and many clamped codes
};

// Cycles through the combinations, a different one per (case, index).
Variant variant(int i) {
  const DType T[2] = {DType::u8, DType::i8};
  Variant v;
  v.xt = T[i % 2];
  v.wt = (i / 2) % 3 == 2 ? DType::u8 : DType::i8;
  v.yt = T[(i / 3) % 2];
  v.perAxis = (i / 2) % 2 == 0;
  v.weightZeroPoints = i % 3 == 1 || v.wt == DType::u8;
  v.bias = i % 4 != 3;
  v.act = i % 5 == 1 ? "Relu" : i % 5 == 3 ? "Clip" : "";
  v.yScaleFactor = i % 7 == 5 ? 1e-4f : 1.f;
  return v;
}
std::string variantStr(const Variant &v) {
  return std::string(dt(v.xt)) + "x" + dt(v.wt) + "->" + dt(v.yt) + (v.perAxis ? " per-axis" : " per-tensor") +
         (v.weightZeroPoints ? " wzp" : "") + (v.bias ? " bias" : "") + (v.act.empty() ? "" : " " + v.act) +
         (v.yScaleFactor < 1 ? " left-shift" : "");
}

// Activation zero point: anywhere in range, extremes included now and then.
int32_t activationZp(DType t, std::mt19937 &rng) {
  const int r = int(rng() % 8);
  if (r == 0) return qmin(t);
  if (r == 1) return qmax(t);
  return qmin(t) + int32_t(rng() % 256);
}

// Weight zero points: 0 for i8 (128 for u8) unless asked, else spread over the range.
std::vector<int32_t> weightZps(int64_t n, DType t, bool nonzero, std::mt19937 &rng) {
  std::vector<int32_t> z(size_t(n), t == DType::u8 ? 128 : 0);
  if (nonzero)
    for (int32_t &v : z) v = qmin(t) + int32_t(rng() % 256);
  return z;
}

// An output scale that spreads sum_K (x - zx)(w - zw) of uniform codes over most codes.
float outputScale(float sx, float sw, int64_t K, float factor) {
  return float(sx * sw * 74.0 * 74.0 * std::sqrt(double(std::max<int64_t>(K, 1))) * 3.0 / 128.0) * factor;
}

// ---- Conv ----

// A Conv's operands for one variant: X, W and B codes with their parameters, and Y's.
// lowZx: the activation zero point is the dtype's lowest code (zxu = 0, as after a Relu),
// which the depthwise flat mode reads with zero-masked loads.
struct ConvOperands {
  QPtr x, w, b;
  QP yp;
  std::string what;
};
ConvOperands convOperands(const ConvCase &c, const Variant &v, std::mt19937 &rng, bool lowZx) {
  ConvOperands o;
  o.what = "conv x" + shapeStr(c.x) + " w" + shapeStr(c.w()) + " g" + std::to_string(c.group) + " s" +
           shapeStr(c.strides) + " p" + shapeStr(c.pads) + " d" + shapeStr(c.dilations) + " " + variantStr(v) +
           (lowZx ? " lowest zx" : "");
  QP xp = {randomScale(rng), activationZp(v.xt, rng)};
  if (lowZx) xp.zp = qmin(v.xt);
  o.x = makeQ(v.xt, c.x, randomCodes(numelOf(c.x), v.xt, rng), xp);
  const int64_t M = c.outChannels;
  std::vector<float> ws(static_cast<size_t>(M));
  for (float &s : ws) s = randomScale(rng, 0.001f, 0.02f);
  std::vector<int32_t> zw = weightZps(M, v.wt, v.weightZeroPoints, rng);
  if (v.perAxis) {
    o.w = makeQAxis(v.wt, c.w(), randomCodes(numelOf(c.w()), v.wt, rng), ws, zw, 0);
  } else {
    ws.assign(size_t(M), ws[0]);
    o.w = makeQ(v.wt, c.w(), randomCodes(numelOf(c.w()), v.wt, rng), {ws[0], zw[0]});
  }
  std::vector<float> bs(static_cast<size_t>(M));
  for (int64_t m = 0; m < M; ++m) bs[size_t(m)] = xp.scale * ws[size_t(m)];
  std::vector<int32_t> bv(static_cast<size_t>(M));
  for (int32_t &b : bv) b = int32_t(rng() % 200001) - 100000;
  o.b = v.perAxis ? makeQAxis(DType::i32, {M}, bv, bs, {}, 0)
                  : std::make_unique<QTensor>(DType::i32, std::vector<int64_t>{M}, bv, std::vector<float>{bs[0]},
                                              std::vector<int32_t>{}, -1);
  const int64_t K = c.x[1] / c.group * numelOf(c.kernel);
  o.yp = {outputScale(xp.scale, ws[0], K, v.yScaleFactor), qmin(v.yt) + int32_t(rng() % 256)};
  return o;
}

void checkConv(const ConvCase &c, const Variant &v, std::mt19937 &rng, bool lowZx = false) {
  ConvOperands o = convOperands(c, v, rng, lowZx);
  auto y = makeOut(v.yt, c.y(), o.yp);
  ConvCase cc = c;
  cc.activation = v.act;
  cc.actMin = -0.5f * o.yp.scale * 100;
  cc.actMax = 0.7f * o.yp.scale * 100;
  AttrList attrs;
  cc.fill(attrs);
  expectSameAsRef("Conv", {&o.x->t.view(), &o.w->t.view(), v.bias ? &o.b->t.view() : nullptr}, *y, attrs, o.what);
}

struct ConvShape {
  ConvCase c;
  int variants;
  bool lowZx = false;  // every variant with the lowest activation zero point
};

std::vector<ConvShape> convShapes() {
  auto conv = [](std::vector<int64_t> x, int64_t m, int64_t g, std::vector<int64_t> k, std::vector<int64_t> s,
                 std::vector<int64_t> d, std::vector<int64_t> p) {
    ConvCase c;
    c.x = x, c.outChannels = m, c.group = g, c.kernel = k, c.strides = s, c.dilations = d, c.pads = p;
    return c;
  };
  auto byChannels = [](ConvCase c) {
    c.threadSplit = "channels";
    return c;
  };
  return {
      // Pointwise: whole and partial tiles of channels and positions.
      {conv({1, 32, 12, 8}, 48, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}), 12},
      {conv({2, 7, 5, 9}, 19, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}), 8},
      {conv({1, 130, 7, 7}, 37, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}), 6},
      {conv({1, 5, 50, 50}, 3, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}), 4},  // several panels
      // im2col: 3x3 stride 1 and 2 with pads, 1x1 stride 2, dilation, asymmetric pads.
      {conv({1, 16, 17, 19}, 24, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 8},
      {conv({1, 8, 23, 21}, 33, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 0, 1}), 8},
      {conv({2, 3, 32, 32}, 16, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}), 4},  // a first layer
      {conv({1, 9, 11, 10}, 10, 1, {1, 1}, {2, 2}, {1, 1}, {0, 0, 0, 0}), 4},
      {conv({1, 6, 12, 13}, 9, 1, {3, 2}, {1, 2}, {2, 1}, {2, 0, 1, 1}), 4},
      {conv({1, 64, 20, 20}, 20, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 3},  // several panels
      // Grouped.
      {conv({1, 12, 9, 10}, 18, 3, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 6},
      {conv({2, 8, 6, 6}, 8, 2, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}), 4},
      // Depthwise: stride 1 and 2, a channel multiplier, dilation, 5x5, odd widths.
      {conv({1, 24, 14, 15}, 24, 24, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 10},
      {conv({2, 16, 21, 19}, 16, 16, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}), 8},
      {conv({1, 6, 9, 23}, 12, 6, {3, 3}, {1, 2}, {1, 1}, {0, 1, 1, 0}), 6},
      {conv({1, 5, 16, 17}, 5, 5, {3, 3}, {1, 1}, {2, 2}, {2, 2, 2, 2}), 4},
      {conv({1, 4, 12, 40}, 4, 4, {5, 5}, {2, 3}, {1, 1}, {2, 2, 2, 2}), 4},
      // Depthwise rows of several vectors: a whole block of four and a partial one, stride
      // 1 and 2, 3x3 and 5x5 (the unrolled AVX-512 paths), pads wider on one side.
      {conv({1, 8, 9, 70}, 8, 8, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 4},
      {conv({1, 3, 10, 150}, 3, 3, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}), 4},
      {conv({1, 6, 11, 37}, 6, 6, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}), 4},
      {conv({1, 5, 13, 45}, 5, 5, {5, 5}, {2, 2}, {1, 1}, {2, 0, 1, 3}), 4},
      {conv({1, 4, 7, 33}, 4, 4, {3, 3}, {1, 1}, {1, 1}, {0, 0, 2, 2}), 4},
      {conv({1, 4, 6, 56}, 4, 4, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 4},  // 49-63 columns left: a
      {conv({1, 3, 7, 120}, 3, 3, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}), 4},  // partial block of four
      {conv({1, 2, 5, 200}, 2, 2, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}), 2},  // 3 blocks + 8
      // Depthwise quad mode (AVX-512 VNNI, constant weights whose w - zw fit int8; the
      // variants with weight zero points take the pair mode): vertical dilation and a
      // vertical stride unlike the horizontal one, 7x7, 3x5 and 1x3 kernels (kernel rows
      // and quads known at run time), a channel multiplier, batch 2.
      {conv({2, 4, 13, 29}, 4, 4, {3, 3}, {2, 1}, {2, 1}, {2, 1, 2, 1}), 4},
      {conv({1, 3, 15, 33}, 6, 3, {7, 7}, {1, 2}, {1, 1}, {3, 3, 3, 3}), 4},
      {conv({1, 5, 9, 70}, 5, 5, {3, 5}, {1, 1}, {1, 1}, {1, 2, 1, 2}), 4},
      {conv({1, 4, 6, 130}, 4, 4, {1, 3}, {1, 2}, {1, 1}, {0, 1, 0, 0}), 4},
      // Implicit GEMM (AVX-512 VNNI, constant weights without zero points): input
      // channels not a multiple of 4, output-channel tails, 7x7 stride 2 (a first layer,
      // batch 2), stride 3 (the scalar quad rows), small maps whose tiles span many output
      // rows, tiny planes, grouped with strides and dilations unlike per axis, several
      // panels, 1x1 stride 2, weights of more than 1 MiB.
      {conv({1, 13, 15, 17}, 40, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 6},
      {conv({2, 6, 30, 31}, 20, 1, {7, 7}, {2, 2}, {1, 1}, {3, 3, 3, 3}), 4},
      {conv({1, 10, 19, 22}, 12, 1, {3, 3}, {3, 3}, {1, 1}, {1, 0, 2, 1}), 4},
      {conv({1, 24, 7, 7}, 70, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 4},
      {conv({1, 20, 5, 3}, 8, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 3},
      // The row mode's even tiles (rowTileRows): 12 outputs as 6 + 6, 10 as 5 + 5 (7x7: 7 x 7).
      {conv({1, 8, 4, 3}, 20, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 3},
      {conv({1, 8, 5, 2}, 36, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 3},
      {conv({1, 10, 9, 12}, 16, 2, {3, 3}, {2, 1}, {1, 2}, {1, 2, 1, 2}), 4},
      {conv({1, 96, 40, 40}, 24, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 2},
      {conv({1, 64, 14, 15}, 32, 1, {1, 1}, {2, 2}, {1, 1}, {0, 0, 0, 0}), 2},
      // Quad rows of several 32-column (stride 1) and 16-column (stride 2) steps with a
      // tail, and last channel quads of 1, 2 and 3 channels.
      {conv({1, 5, 9, 75}, 8, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 3},
      {conv({1, 6, 11, 71}, 9, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}), 3},
      {conv({2, 7, 8, 66}, 5, 1, {5, 5}, {2, 2}, {1, 1}, {2, 1, 2, 2}), 3},
      // 196 positions whose widest panel (192 implicit, 144 pointwise) would leave a
      // sliver to the second thread: narrower panels (panelWidth; pointwiseWidth: 112).
      {conv({1, 128, 28, 28}, 20, 1, {1, 1}, {2, 2}, {1, 1}, {0, 0, 0, 0}), 2},
      {conv({1, 576, 14, 14}, 24, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}), 2},
      // Pointwise maps that panelWidth would leave as one panel whose channels the threads
      // split (each packing it whole): a panel or two per thread instead (pointwiseWidth;
      // at 7x7, panels of 32 and 17 positions at two threads).
      {conv({1, 96, 14, 14}, 64, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}), 2},
      {conv({1, 64, 7, 7}, 160, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}), 2},
      // thread_split "channels" (expansions that depthwise convs read): each thread a run of
      // 16-channel lines over every panel. 9 lines (4 + 5 at two threads, 3 each at three),
      // on one panel and on one panel of 1280 positions taken as two halves, a line of a
      // half an item (ByChannelItems); 11 lines over two panels (four of even width, 450
      // positions) with a channel tail;
      // 2 lines at three threads and a batch of two, where the kernel keeps its own split.
      {byChannels(conv({1, 16, 10, 12}, 144, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0})), 4},
      {byChannels(conv({1, 16, 32, 40}, 144, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0})), 3},
      {byChannels(conv({1, 64, 40, 45}, 168, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0})), 3},
      {byChannels(conv({1, 6, 5, 7}, 20, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0})), 2},
      {byChannels(conv({2, 8, 9, 9}, 40, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0})), 2},
      // Packed weights over 1 MiB (one panel, threads split the channels; a channel tail).
      {conv({1, 256, 4, 5}, 520, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 2},
      // 1-D and 3-D (im2col).
      {conv({2, 6, 31}, 10, 1, {3}, {2}, {1}, {1, 1}), 4},
      {conv({1, 4, 5, 6, 7}, 6, 2, {2, 3, 2}, {1, 2, 1}, {1, 1, 2}, {1, 0, 1, 0, 1, 1}), 4},
      // Depthwise flat mode (AVX-512 VNNI; quad mode's weights, stride 1, output rows as
      // wide as the input's, W < 64): 7x7 maps (one block of 64, no flipped copy), 14x14
      // (an i8 plane flipped into scratch when zxu = 0, pipelined over the channels), 5x5 on
      // two images, 7x7 kernels (kernel rows and quads at run time; flat only with zxu = 0),
      // vertical dilation and uneven vertical pads (OH != H), a 1x3 kernel, a channel
      // multiplier, one column, many blocks with a tail; rows with pads that narrow them
      // (OW != W) stay in quad mode.
      {conv({1, 6, 7, 7}, 6, 6, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 4},
      {conv({1, 6, 7, 7}, 6, 6, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 4, true},
      {conv({1, 5, 14, 14}, 5, 5, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 4, true},
      {conv({2, 6, 13, 11}, 6, 6, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}), 4, true},
      {conv({2, 6, 13, 11}, 6, 6, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}), 4},
      {conv({1, 4, 9, 20}, 4, 4, {7, 7}, {1, 1}, {1, 1}, {3, 3, 3, 3}), 4, true},
      {conv({1, 3, 12, 10}, 3, 3, {3, 3}, {1, 1}, {2, 1}, {0, 1, 3, 1}), 4},
      {conv({1, 3, 12, 10}, 3, 3, {3, 3}, {1, 1}, {2, 1}, {0, 1, 3, 1}), 2, true},
      {conv({1, 4, 5, 30}, 4, 4, {1, 3}, {1, 1}, {1, 1}, {0, 1, 0, 1}), 4},
      {conv({1, 3, 6, 5}, 6, 3, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 4, true},
      {conv({1, 3, 9, 1}, 3, 3, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 4},
      {conv({1, 2, 33, 31}, 2, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 4, true},
      {conv({1, 4, 10, 20}, 4, 4, {3, 3}, {1, 1}, {1, 1}, {1, 0, 1, 0}), 4, true},
      // Flat mode's 3x3 channel pairs (depthwiseFlatPair): an odd channel count whose items
      // the threads split at odd offsets (a pair's planes flipped two items ahead, the last
      // channel alone), and three channels per group (a pair and one alone in each group,
      // flipped planes and not).
      {conv({1, 7, 14, 14}, 7, 7, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 4, true},
      {conv({1, 2, 14, 14}, 6, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 4, true},
      {conv({1, 2, 7, 7}, 6, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 4},
      // Implicit GEMM's quad planes by whole vectors (both strides 1: quadPlaneFlat):
      // asymmetric and zero pads, vertical dilation, a 5x5 kernel, last channel quads of
      // 3, 2 and 3 channels, two images, planes whose dwords are not a multiple of 16, and
      // one image of several panels whose planes the threads copy in row bands (at 2 and
      // 3 threads: bands that start and end inside a vector).
      {conv({1, 7, 21, 19}, 24, 1, {3, 3}, {1, 1}, {2, 1}, {0, 2, 1, 0}), 4},
      {conv({2, 6, 11, 13}, 20, 1, {5, 5}, {1, 1}, {1, 1}, {2, 1, 2, 3}), 4},
      {conv({1, 11, 9, 9}, 40, 1, {3, 3}, {1, 1}, {1, 1}, {0, 0, 0, 0}), 4},
      {conv({1, 35, 45, 43}, 24, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 3},
      // ... and without a top pad, so that a band's last vector past its plane's end would
      // land on codes of the next plane's first rows, which the other thread writes.
      {conv({1, 9, 44, 41}, 24, 1, {3, 3}, {1, 1}, {1, 1}, {0, 1, 2, 1}), 3},
      // 1x1 convs whose positions end a few columns past their whole vectors, which run as
      // MatMul tiles (convTail in qgemm_avx512.cpp): a 7x7 map's last position, a 6x6
      // map's last four on two images over a channel tail; seven variants each (weight zero
      // points, u8 weights, a left shift among them).
      {conv({1, 24, 7, 7}, 40, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}), 7},
      {conv({2, 16, 6, 6}, 36, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}), 7},
      // The implicit GEMM on AMX tiles (64 input channels a group or a multiple of 64):
      // 3x3 stride 1 with 40 output channels (32 + 8) on a map of 100 virtual positions;
      // stride 2 with 128 channels (two blocks of channel quads) and dilation 2; a 1x1
      // stride-2 downsample; two groups of 64 channels on two images; a 2x3 kernel with
      // asymmetric pads and 17 output channels (16 + 1).
      {conv({1, 64, 9, 11}, 40, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 3},
      {conv({1, 128, 13, 10}, 24, 1, {3, 3}, {2, 2}, {2, 1}, {2, 1, 1, 1}), 3},
      {conv({1, 64, 14, 14}, 48, 1, {1, 1}, {2, 2}, {1, 1}, {0, 0, 0, 0}), 3},
      {conv({2, 128, 6, 7}, 36, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), 3},
      {conv({1, 64, 8, 21}, 17, 1, {2, 3}, {1, 1}, {1, 1}, {0, 2, 1, 0}), 3},
      // One channel quad on AMX tiles (runs of 4 or more taps of one kernel row and column
      // phase): ResNet's 7x7 stride-2 stem (runs of 4 and 3 taps) with 40 channels (32 +
      // 8); 5x5 stride 1 (one run of 5 a row) on two images; a 3x5 kernel with vertical
      // dilation 2 and 17 channels; a 1x9 kernel at stride 2 (runs of 5 and 4). MobileNetV2's
      // 3x3 stride-2 first layer (runs of 2) stays on the VNNI tiles.
      {conv({1, 3, 23, 25}, 40, 1, {7, 7}, {2, 2}, {1, 1}, {3, 3, 3, 3}), 3},
      {conv({1, 3, 17, 16}, 32, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}), 3},
      {conv({2, 4, 12, 13}, 20, 1, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}), 3},
      {conv({1, 2, 15, 14}, 17, 1, {3, 5}, {1, 1}, {2, 1}, {2, 1, 2, 1}), 3},
      {conv({1, 3, 6, 40}, 24, 1, {1, 9}, {1, 2}, {1, 1}, {0, 4, 0, 4}), 3},
  };
}

// The shapes here are small enough that the x86 Conv would run most of them on one thread
// whatever the thread count (smallWork_ in qgemm_driver.inc); EDGEC_SPLIT_SMALL_CONVS keeps
// them split at 2 and 3 threads, then the same shapes run once more without it.
TEST(X86QuantKernels, ConvMatchesRefBitExactly) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  for (bool split : {true, false}) {
    if (split)
      setenv("EDGEC_SPLIT_SMALL_CONVS", "1", 1);
    else
      unsetenv("EDGEC_SPLIT_SMALL_CONVS");
    std::mt19937 rng(7);
    int i = 0;
    for (const ConvShape &s : convShapes())
      for (int k = 0; k < s.variants; ++k) checkConv(s.c, variant(i++), rng, s.lowZx);
  }
}

// ---- Convs with a fused epilogue (residual Add, table) ----

// A Conv case without dilation (the fused-epilogue tests' shapes).
ConvCase undilatedConv(std::vector<int64_t> x, int64_t m, int64_t g, std::vector<int64_t> k, std::vector<int64_t> s,
                       std::vector<int64_t> p) {
  ConvCase c;
  c.x = x, c.outChannels = m, c.group = g, c.kernel = k, c.strides = s, c.pads = p;
  c.dilations.assign(k.size(), 1);
  return c;
}

// Runs `body` with the small convs split between threads (EDGEC_SPLIT_SMALL_CONVS), then as
// the kernel chooses (see ConvMatchesRefBitExactly).
void forSplitAndUnsplitSmallConvs(const std::function<void()> &body) {
  setenv("EDGEC_SPLIT_SMALL_CONVS", "1", 1);
  body();
  unsetenv("EDGEC_SPLIT_SMALL_CONVS");
  body();
}

// ---- Conv with a fused residual Add (edge-fuse-conv-residual) ----

// The fused epilogues' references start from the ref Conv's own codes (o.yp) of the
// operands: into `codes` (the caller returns on a fatal failure).
void refConvCodes(const ConvCase &c, const Variant &v, ConvOperands &o, QPtr &codes) {
  AttrList attrs;
  c.fill(attrs);
  codes = makeOut(v.yt, c.y(), o.yp);
  TensorView *b = v.bias ? &o.b->t.view() : nullptr;
  ASSERT_EQ(runKernelOnViews("Conv", {&o.x->t.view(), &o.w->t.view(), b}, codes->t.view(), {Isa::Ref}, 1, &attrs,
                             true),
            Isa::Ref);
}

// Every code of y equal to the unfused kernels' (expect), stopping at the first that is not.
void expectSameCodes(const QTensor &y, const QTensor &expect, const std::string &what) {
  const std::vector<int32_t> got = y.codes(), want = expect.codes();
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], want[i]) << what << ", at " << i;
}

// The Conv's own codes (conv_scale, conv_zero_point: Y's dtype) combined with a
// residual's (of `rt`) by the quantized Add into Y: the ref Conv with the residual
// against the ref Conv followed by the ref Add (the two kernels the fusion replaces),
// then every level at 1-3 threads, constant and run-time weights, against ref.
void checkConvResidual(const ConvCase &c, Variant v, std::mt19937 &rng, DType rt) {
  v.act = "";  // the Add's Relu is its output parameters; the Conv takes no activation
  ConvOperands o = convOperands(c, v, rng, false);
  const std::string what = o.what + " residual " + dt(rt);
  // The residual's scale about the Conv's (either may be the larger: the larger one's
  // rescale is an exact halving), the sum's scale such that some sums clamp.
  std::uniform_real_distribution<float> factor(0.3f, 3.f);
  const QP rp = {o.yp.scale * factor(rng), activationZp(rt, rng)};
  auto r = makeQ(rt, c.y(), randomCodes(numelOf(c.y()), rt, rng), rp);
  const QP sp = {std::max(o.yp.scale, rp.scale) * factor(rng), activationZp(v.yt, rng)};
  TensorView *b = v.bias ? &o.b->t.view() : nullptr;

  QPtr codes;
  refConvCodes(c, v, o, codes);
  if (::testing::Test::HasFatalFailure()) return;
  auto sum = makeOut(v.yt, c.y(), sp);
  ASSERT_EQ(runKernelOnViews("Add", {&codes->t.view(), &r->t.view()}, sum->t.view(), {Isa::Ref}, 1), Isa::Ref);

  AttrList attrs;
  c.fill(attrs);
  attrs.f("conv_scale", o.yp.scale).i("conv_zero_point", o.yp.zp);
  auto y = makeOut(v.yt, c.y(), sp);
  expectSameAsRef("Conv", {&o.x->t.view(), &o.w->t.view(), b, &r->t.view()}, *y, attrs, what);
  // y holds the last run's codes, each equal to ref's (or ref's own, without x86 levels).
  expectSameCodes(*y, *sum, what + ": Conv then Add");
}

// Every int8 conv path, for the fused epilogues (a residual Add, a table, both run on each
// block of codes just stored): pointwise (one and several panels, 112-column panels),
// im2col (strided, 1x1 stride 2, 1-D), shifted / implicit GEMM (3x3, several panels, the
// 7x7 row mode and its split by outputs, a 7x7 stride-2 first layer, batch 2), grouped,
// depthwise (quad, flat and pair modes: variants with weight zero points).
std::vector<ConvCase> fusedEpilogueCases() {
  return {
      undilatedConv({1, 32, 12, 8}, 48, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}),
      undilatedConv({2, 7, 5, 9}, 19, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}),
      undilatedConv({1, 5, 50, 50}, 3, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}),
      undilatedConv({1, 576, 14, 14}, 24, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}),
      undilatedConv({1, 8, 23, 21}, 33, 1, {3, 3}, {2, 2}, {1, 1, 0, 1}),
      undilatedConv({1, 64, 14, 15}, 32, 1, {1, 1}, {2, 2}, {0, 0, 0, 0}),
      undilatedConv({2, 6, 31}, 10, 1, {3}, {2}, {1, 1}),
      undilatedConv({1, 16, 17, 19}, 24, 1, {3, 3}, {1, 1}, {1, 1, 1, 1}),
      undilatedConv({1, 64, 20, 20}, 20, 1, {3, 3}, {1, 1}, {1, 1, 1, 1}),
      undilatedConv({1, 24, 7, 7}, 70, 1, {3, 3}, {1, 1}, {1, 1, 1, 1}),
      // The row mode on maps up to 28x28 with 32 k-quads or more (implicitRowEpilogue: full
      // and partial row tiles, channel tails): 3x3 stride 1 and 2, 1x1 stride 2 ...
      undilatedConv({1, 40, 13, 11}, 70, 1, {3, 3}, {1, 1}, {1, 1, 1, 1}),
      undilatedConv({1, 36, 15, 17}, 33, 1, {3, 3}, {2, 2}, {1, 0, 1, 1}),
      undilatedConv({1, 128, 9, 9}, 20, 1, {1, 1}, {2, 2}, {0, 0, 0, 0}),
      // ... and its split by outputs between threads (quad planes larger than the weights).
      undilatedConv({1, 64, 30, 30}, 16, 1, {3, 3}, {2, 2}, {1, 1, 1, 1}),
      undilatedConv({2, 6, 30, 31}, 20, 1, {7, 7}, {2, 2}, {3, 3, 3, 3}),
      undilatedConv({1, 12, 9, 10}, 18, 3, {3, 3}, {1, 1}, {1, 1, 1, 1}),
      undilatedConv({1, 24, 14, 15}, 24, 24, {3, 3}, {1, 1}, {1, 1, 1, 1}),
      undilatedConv({2, 16, 21, 19}, 16, 16, {3, 3}, {2, 2}, {1, 1, 1, 1}),
      undilatedConv({1, 6, 7, 7}, 6, 6, {3, 3}, {1, 1}, {1, 1, 1, 1}),
      undilatedConv({1, 8, 9, 70}, 8, 8, {3, 3}, {1, 1}, {1, 1, 1, 1}),
      // A 5x5 depthwise conv over wide rows (the AVX-512 unrolled blocks).
      undilatedConv({1, 8, 9, 70}, 8, 8, {5, 5}, {1, 1}, {2, 2, 2, 2}),
  };
}

// i8 and u8 residuals.
TEST(X86QuantKernels, ConvWithResidualMatchesConvThenAdd) {
  const std::vector<ConvCase> cases = fusedEpilogueCases();
  forSplitAndUnsplitSmallConvs([&] {
    std::mt19937 rng(11);
    int i = 0;
    for (const ConvCase &c : cases)
      for (int k = 0; k < 3; ++k, ++i) checkConvResidual(c, variant(i), rng, i % 3 == 2 ? DType::u8 : DType::i8);
  });
}

// ---- Conv with a fused table (edge-fuse-conv-table) ----

// The Conv's own codes (conv_scale, conv_zero_point: Y's dtype) mapped through the table of
// a one-register program (SiLU, as static INT8 leaves it after a Conv, or HardSwish) into
// Y: the ref Conv with the table against the ref Conv followed by the ref quantized
// FusedElementwise (the two kernels the fusion replaces), then every level at 1-3 threads,
// constant and run-time weights, against ref.
void checkConvTable(const ConvCase &c, Variant v, std::mt19937 &rng, bool hardSwish) {
  v.act = "";  // the table is the activation; the Conv takes no other
  ConvOperands o = convOperands(c, v, rng, false);
  const std::string ops = hardSwish ? "HardSwish" : "Sigmoid,Mul";
  const std::vector<int64_t> args = hardSwish ? std::vector<int64_t>{0, -1} : std::vector<int64_t>{0, -1, 0, 1};
  const std::vector<float> params(args.size(), 0.f);
  const std::string what = o.what + " table " + ops;
  std::uniform_real_distribution<float> factor(0.3f, 1.5f);
  const QP tp = {o.yp.scale * factor(rng), activationZp(v.yt, rng)};
  TensorView *b = v.bias ? &o.b->t.view() : nullptr;

  QPtr codes;
  refConvCodes(c, v, o, codes);
  if (::testing::Test::HasFatalFailure()) return;
  AttrList tableAttrs;
  tableAttrs.s("ops", ops.c_str()).ints("args", args).floats("params", params);
  auto mapped = makeOut(v.yt, c.y(), tp);
  ASSERT_EQ(runKernelOnViews("FusedElementwise", {&codes->t.view()}, mapped->t.view(), {Isa::Ref}, 1, &tableAttrs),
            Isa::Ref);

  AttrList attrs;
  c.fill(attrs);
  attrs.f("conv_scale", o.yp.scale).i("conv_zero_point", o.yp.zp);
  attrs.s("table_ops", ops.c_str()).ints("table_args", args).floats("table_params", params);
  auto y = makeOut(v.yt, c.y(), tp);
  expectSameAsRef("Conv", {&o.x->t.view(), &o.w->t.view(), b}, *y, attrs, what);
  // y holds the last run's codes, each equal to ref's (or ref's own, without x86 levels).
  expectSameCodes(*y, *mapped, what + ": Conv then table");
}

// SiLU and HardSwish tables, i8 and u8 codes.
TEST(X86QuantKernels, ConvWithTableMatchesConvThenTable) {
  const std::vector<ConvCase> cases = fusedEpilogueCases();
  forSplitAndUnsplitSmallConvs([&] {
    std::mt19937 rng(13);
    int i = 0;
    for (const ConvCase &c : cases)
      for (int k = 0; k < 3; ++k, ++i) checkConvTable(c, variant(i), rng, i % 3 == 1);
  });
}

// ---- MatMul ----

// A's matrices contiguous against one B ([2, 3, 4, 9] x [9, 5], [128, 1, 64] x [64, 192])
// run as one GEMM of all their rows; the other batch layouts matrix by matrix.
TEST(X86QuantKernels, MatMulMatchesRefBitExactly) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(8);
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes = {
      {{5, 7}, {7, 6}},          {{2, 3, 4, 9}, {9, 5}},   // batch broadcast of A
      {{3, 1, 4, 6}, {2, 6, 3}}, {{8}, {8, 4}},            // both broadcast; 1-D A
      {{3, 8}, {8}},             {{33, 67}, {67, 50}},     // 1-D B; tails everywhere
      {{64, 200}, {200, 100}},   {{1, 1000}, {1000, 257}},  // split (1.3M multiply-adds); one thread
      {{17, 4}, {4, 49}},        {{2, 9, 3}, {2, 3, 97}},   // tiny K; batched B
      {{128, 1, 64}, {64, 192}},                            // a transformer's x @ W: one stacked GEMM
      // Split over threads: more than 2^22 multiply-adds (rows), weights over 256 KiB (a
      // GEMV over columns); 3.1M multiply-adds stay on one thread.
      {{300, 160}, {160, 120}},  {{1, 1100}, {1100, 300}}, {{161, 160}, {160, 120}},
      // AMX blocks (16 rows or more): whole 64-k steps and one column line; one block of
      // 16 rows and 33 columns; a last step of 10 k-quads, 70 rows (32 + 32 + 6).
      {{48, 256}, {256, 16}},    {{16, 128}, {128, 33}},   {{70, 1000}, {1000, 70}},
  };
  int i = 0;
  for (const auto &[as, bsh] : shapes) {
    for (int k = 0; k < 4; ++k) {
      const Variant v = variant(i++);
      const std::string what = "matmul " + shapeStr(as) + " x " + shapeStr(bsh) + " " + variantStr(v);
      const QP ap = {randomScale(rng), activationZp(v.xt, rng)};
      auto a = makeQ(v.xt, as, randomCodes(numelOf(as), v.xt, rng), ap);
      const int64_t N = bsh.size() == 1 ? 1 : bsh.back(), K = as.back();
      std::vector<float> bs(static_cast<size_t>(N));
      for (float &s : bs) s = randomScale(rng, 0.001f, 0.03f);
      const std::vector<int32_t> bz = weightZps(N, v.wt, v.weightZeroPoints, rng);
      const bool perAxis = v.perAxis && bsh.size() >= 2;
      auto b = perAxis ? makeQAxis(v.wt, bsh, randomCodes(numelOf(bsh), v.wt, rng), bs, bz, int(bsh.size()) - 1)
                       : makeQ(v.wt, bsh, randomCodes(numelOf(bsh), v.wt, rng), {bs[0], bz[0]});
      std::vector<int64_t> ys;
      naiveMatMul(as, std::vector<float>(size_t(numelOf(as))), bsh, std::vector<float>(size_t(numelOf(bsh))), &ys);
      auto y = makeOut(v.yt, ys, {outputScale(ap.scale, bs[0], K, v.yScaleFactor), qmin(v.yt) + int32_t(rng() % 256)});
      AttrList attrs;
      if (!v.act.empty()) attrs.s("activation", v.act.c_str());
      if (v.act == "Clip") attrs.f("act_min", -30 * y->scale()).f("act_max", 50 * y->scale());
      expectSameAsRef("MatMul", {&a->t.view(), &b->t.view()}, *y, attrs, what);
    }
  }
}

// ---- Gemm ----

TEST(X86QuantKernels, GemmMatchesRefBitExactly) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(9);
  int i = 0;
  // The last splits over threads (more than 2^22 multiply-adds); the others run on one.
  for (const auto &[M, N, K] :
       std::vector<std::array<int64_t, 3>>{{13, 37, 29}, {1, 70, 130}, {9, 16, 4}, {40, 5, 3}, {300, 120, 160}}) {
    for (int transA = 0; transA < 2; ++transA) {
      for (int transB = 0; transB < 2; ++transB) {
        for (const std::vector<int64_t> &cs : std::vector<std::vector<int64_t>>{{}, {N}, {1}, {1, N}, {M, N}}) {
          const Variant v = variant(i++);
          const std::string what = "gemm " + std::to_string(M) + "x" + std::to_string(N) + "x" + std::to_string(K) +
                                   " tA " + std::to_string(transA) + " tB " + std::to_string(transB) + " C " +
                                   shapeStr(cs) + " " + variantStr(v);
          const QP ap = {randomScale(rng), activationZp(v.xt, rng)};
          auto a = makeQ(v.xt, transA ? std::vector<int64_t>{K, M} : std::vector<int64_t>{M, K},
                         randomCodes(M * K, v.xt, rng), ap);
          const std::vector<int64_t> bsh = transB ? std::vector<int64_t>{N, K} : std::vector<int64_t>{K, N};
          std::vector<float> bs(static_cast<size_t>(N));
          for (float &s : bs) s = randomScale(rng, 0.001f, 0.03f);
          const bool perAxis = v.perAxis && !(cs.size() == 1 && cs[0] == 1);  // a scalar C needs one B scale
          if (!perAxis) bs.assign(size_t(N), bs[0]);
          const std::vector<int32_t> bz = weightZps(N, v.wt, v.weightZeroPoints, rng);
          auto b = perAxis ? makeQAxis(v.wt, bsh, randomCodes(N * K, v.wt, rng), bs, bz, transB ? 0 : 1)
                           : makeQ(v.wt, bsh, randomCodes(N * K, v.wt, rng), {bs[0], bz[0]});
          std::vector<int32_t> cv(size_t(numelOf(cs)));
          for (int32_t &c : cv) c = int32_t(rng() % 400001) - 200000;
          std::vector<float> cScales;
          for (int64_t j = 0; j < (cs.empty() ? 1 : cs.back()); ++j) cScales.push_back(ap.scale * bs[size_t(j)]);
          auto c = !cs.empty() && cs.back() == N ? makeQAxis(DType::i32, cs, cv, cScales, {}, int(cs.size()) - 1)
                                                 : std::make_unique<QTensor>(DType::i32, cs, cv, std::vector<float>{cScales[0]},
                                                                             std::vector<int32_t>{}, -1);
          auto y = makeOut(v.yt, {M, N}, {outputScale(ap.scale, bs[0], K, v.yScaleFactor), qmin(v.yt) + int32_t(rng() % 256)});
          AttrList attrs;
          attrs.i("transA", transA).i("transB", transB).f("alpha", 1.f).f("beta", 1.f);
          if (!v.act.empty()) attrs.s("activation", v.act.c_str());
          if (v.act == "Clip") attrs.f("act_min", -30 * y->scale()).f("act_max", 50 * y->scale());
          // A C that varies along rows goes to ref.
          const bool rowC = cs.size() == 2 && cs[0] == M && M > 1;
          expectSameAsRef("Gemm", {&a->t.view(), &b->t.view(), cs.empty() ? nullptr : &c->t.view()}, *y, attrs, what,
                          rowC);
        }
      }
    }
  }
}

// ---- Requantization on chosen accumulators ----

// The accumulators a requantization test feeds: INT32_MIN and MAX, ties of every right
// shift and the values next to them, then 200 random ones from `rng`.
std::vector<int32_t> requantEdgeValues(std::mt19937 &rng) {
  std::vector<int32_t> values = {INT32_MIN, INT32_MIN + 1, INT32_MAX, INT32_MAX - 1, 0, 1, -1, 2, -2, 3, -3};
  for (int s = 1; s <= 31; ++s)
    for (int64_t k : {1, 3, -1, -3, 5, -7})
      for (int64_t d : {-1, 0, 1}) {
        const int64_t v = k * (int64_t(1) << (s - 1)) + d;
        if (v >= INT32_MIN && v <= INT32_MAX) values.push_back(int32_t(v));
      }
  for (int i = 0; i < 200; ++i) values.push_back(int32_t(rng()));
  return values;
}

// Gemm with K = 1 and A at its zero point: every accumulator is C[j] exactly, so C chooses
// the values the vectorized requantization sees (INT32_MIN and MAX, ties of every right
// shift, values next to them) and B's per-column scales the multipliers (left shifts up to
// 30, right shifts down to 31, the smallest and largest multipliers). Then the same with
// right shifts only (1 to 31, and multipliers that round to 0: the AVX-512 MatMul/Gemm
// epilogue's one-rounding path, Epi::allRight), over 11 rows (tiles of 8, 2 and 1 rows) and
// 53, 40 and 13 columns (tiles of two, three and one vectors).
TEST(X86QuantKernels, RequantizationMatchesScalarOnEdgeValues) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(11);
  const std::vector<int32_t> values = requantEdgeValues(rng);
  // Real multipliers sa sb / sy with sa = 1, sy = 1: sb is the multiplier.
  std::vector<float> reals = {1.0f, 0.5f, 0.75f, 0.999999f, 1.5f, 3.0f, 1e3f, 5e8f, 1e9f, std::ldexp(1.f, -32),
                              std::ldexp(1.f, -31), 1e-9f, 1e-5f, 0.3f, 0.1234567f};
  for (int i = 0; i < 20; ++i) reals.push_back(std::exp(std::uniform_real_distribution<float>(-20.f, 20.f)(rng)));
  std::vector<float> rightOnly = {0.499999f, 0.25f, 0.3f, 0.1234567f, 1e-3f, 1e-5f, 1e-9f, std::ldexp(1.f, -31),
                                  std::ldexp(1.f, -32), std::ldexp(1.f, -33), 1e-12f};
  for (int i = 0; i < 20; ++i) rightOnly.push_back(std::exp(std::uniform_real_distribution<float>(-25.f, -0.7f)(rng)));
  struct Pass {
    const std::vector<float> *reals;
    int64_t M, N;
  };
  const std::vector<Pass> passes = {{&reals, 2, 53}, {&rightOnly, 11, 53}, {&rightOnly, 11, 40}, {&rightOnly, 11, 13}};
  int run = 0;
  for (const Pass &pass : passes) {
    const int64_t M = pass.M, N = pass.N;
    const std::vector<float> &rs = *pass.reals;
    for (size_t r0 = 0; r0 < rs.size(); ++r0) {
      for (size_t v0 = 0; v0 < values.size(); v0 += size_t(N)) {
        std::vector<float> bs(static_cast<size_t>(N));
        std::vector<int32_t> cv(static_cast<size_t>(N));
        for (int64_t j = 0; j < N; ++j) {
          bs[size_t(j)] = rs[(r0 + size_t(j)) % rs.size()];
          cv[size_t(j)] = values[(v0 + size_t(j)) % values.size()];
        }
        for (DType yt : {DType::i8, DType::u8}) {
          const int32_t zy = yt == DType::i8 ? int32_t(run % 3) - 1 : 128 + int32_t(run % 5);
          auto a = makeQ(DType::u8, {M, 1}, std::vector<int32_t>(size_t(M), 200), {1.f, 200});
          auto b = makeQAxis(DType::i8, {1, N}, randomCodes(N, DType::i8, rng), bs, {}, 1);
          auto c = makeQAxis(DType::i32, {N}, cv, bs, {}, 0);
          auto y = makeOut(yt, {M, N}, {1.f, zy});
          AttrList attrs;
          attrs.i("transA", 0).i("transB", 0).f("alpha", 1.f).f("beta", 1.f);
          expectSameAsRef("Gemm", {&a->t.view(), &b->t.view(), &c->t.view()}, *y, attrs,
                          "requantization run " + std::to_string(run) + " (" + std::to_string(M) + "x" +
                              std::to_string(N) + ")");
          // And the scalar definition itself, on every row.
          const std::vector<int32_t> got = y->codes();
          for (int64_t j = 0; j < N; ++j) {
            const quant::QuantizedMultiplier m = quant::quantizeMultiplier(double(bs[size_t(j)]));
            const int32_t expect = quant::requantize(cv[size_t(j)], m, zy, qmin(yt), qmax(yt));
            for (int64_t i = 0; i < M; ++i)
              ASSERT_EQ(got[size_t(i * N + j)], expect)
                  << "value " << cv[size_t(j)] << " multiplier " << bs[size_t(j)] << " row " << i;
          }
          ++run;
        }
      }
    }
  }
}

// Conv epilogues on chosen accumulators: with the input at its zero point every
// accumulator is its channel's bias exactly (padded taps too), so the biases choose the
// values the requantization sees (those of the Gemm test above) and the per-channel weight
// scales the multipliers: right shifts only (1 to 31, and multipliers that round to 0: the
// AVX-512 epilogue's one-rounding path) or mixed with shift 0 and left shifts (its general
// path). Pointwise maps of 16, 20 and 35 positions (tiles of one, two and three vectors,
// rows of 8, 4 and 1 channels) and 3x3 depthwise rows of 10 and 70 columns (a block of
// one vector; one of four, then one of one); u8 and i8 outputs, zero points of both signs
// (an i8 Relu with zy >= 0 narrows through unsigned packs), Relu and Clip now and then.
TEST(X86QuantKernels, ConvRequantizationMatchesScalarOnEdgeValues) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(12);
  const std::vector<int32_t> values = requantEdgeValues(rng);
  std::vector<float> rightOnly = {0.499999f, 0.25f, 0.3f, 0.1234567f, 1e-3f, 1e-5f, 1e-9f, std::ldexp(1.f, -31),
                                  std::ldexp(1.f, -32), std::ldexp(1.f, -33), 1e-12f};
  for (int i = 0; i < 20; ++i) rightOnly.push_back(std::exp(std::uniform_real_distribution<float>(-25.f, -0.7f)(rng)));
  std::vector<float> mixed = rightOnly;
  for (float r : {0.5f, 0.75f, 0.999999f, 1.0f, 1.5f, 3.0f, 1e3f, 5e8f}) mixed.insert(mixed.begin() + 3, r);
  struct Shape {
    std::vector<int64_t> x;
    bool depthwise;
  };
  const int64_t N = 53;
  const std::vector<Shape> shapes = {{{1, 1, 4, 4}, false}, {{1, 1, 4, 5}, false}, {{1, 1, 5, 7}, false},
                                     {{1, N, 3, 10}, true}, {{1, N, 2, 70}, true}};
  int run = 0;
  for (const Shape &sh : shapes) {
    for (const std::vector<float> *reals : {&rightOnly, &mixed}) {
      for (size_t v0 = 0; v0 < values.size(); v0 += N, ++run) {
        const size_t r0 = size_t(run) * 7;
        std::vector<float> ws(static_cast<size_t>(N));
        std::vector<int32_t> bias(static_cast<size_t>(N));
        for (int64_t c = 0; c < N; ++c) {
          ws[size_t(c)] = (*reals)[(r0 + size_t(c)) % reals->size()];
          bias[size_t(c)] = values[(v0 + size_t(c)) % values.size()];
        }
        ConvCase cc;
        cc.x = sh.x, cc.outChannels = N, cc.group = sh.depthwise ? N : 1;
        cc.kernel = sh.depthwise ? std::vector<int64_t>{3, 3} : std::vector<int64_t>{1, 1};
        cc.strides = {1, 1}, cc.dilations = {1, 1};
        cc.pads = sh.depthwise ? std::vector<int64_t>{1, 1, 1, 1} : std::vector<int64_t>{0, 0, 0, 0};
        const DType yt = run % 2 ? DType::i8 : DType::u8;
        const int32_t zy = yt == DType::i8 ? int32_t(run % 7) * 9 - 27 : 100 + int32_t(run % 5);
        cc.activation = run % 5 == 2 ? "Relu" : run % 5 == 4 ? "Clip" : "";
        cc.actMin = -20.f, cc.actMax = 90.f;
        const int32_t zx = 3 + run % 250;
        auto x = makeQ(DType::u8, cc.x, std::vector<int32_t>(size_t(numelOf(cc.x)), zx), {1.f, zx});
        auto w = makeQAxis(DType::i8, cc.w(), randomCodes(numelOf(cc.w()), DType::i8, rng), ws,
                           std::vector<int32_t>(size_t(N), 0), 0);
        auto b = makeQAxis(DType::i32, {N}, bias, ws, {}, 0);
        auto y = makeOut(yt, cc.y(), {1.f, zy});
        AttrList attrs;
        cc.fill(attrs);
        const std::string what = std::string(sh.depthwise ? "depthwise" : "pointwise") + " " + shapeStr(cc.x) +
                                 " requantization run " + std::to_string(run) + " " + dt(yt) + " " + cc.activation;
        expectSameAsRef("Conv", {&x->t.view(), &w->t.view(), &b->t.view()}, *y, attrs, what);
        if (!cc.activation.empty()) continue;
        // And the scalar definition itself.
        const std::vector<int32_t> got = y->codes();
        const int64_t positions = numelOf(cc.y()) / N;
        for (int64_t c = 0; c < N; ++c) {
          const quant::QuantizedMultiplier m = quant::quantizeMultiplier(double(ws[size_t(c)]));
          const int32_t expect = quant::requantize(bias[size_t(c)], m, zy, qmin(yt), qmax(yt));
          for (int64_t p = 0; p < positions; ++p)
            ASSERT_EQ(got[size_t(c * positions + p)], expect)
                << what << ": value " << bias[size_t(c)] << " multiplier " << ws[size_t(c)] << " at " << p;
        }
      }
    }
  }
}

// The AVX-512 Conv epilogues' f32 requantization (RightF32 in qgemm_avx512.cpp: floor of an
// f32 estimate where it is at least 2^-12 from an integer, the exact integer path otherwise)
// on accumulators chosen around its edges: for each right-shift multiplier m 2^-(31+r)
// (r >= 1), the accumulators whose exact result T = x M + 1/2 +- 2^-(1+r) lies nearest the
// integers n (ties, and the values on either side of them, where the estimate may fall on
// either side), for n over the codes that the clamp keeps (-300..300), around the +-511 past
// which the estimate may be off by one, around +-256, and far out; the biases place them as
// in the test above. Pointwise (tiles of one, two and three vectors, rows of 4 and 1
// channels), dense 3x3s (the implicit GEMM, both modes) and a 3x3 depthwise (flat mode), u8
// and i8 outputs, Relu6-like clamps (lower bound at the zero point or one code below it) and
// none; against ref and the scalar definition.
TEST(X86QuantKernels, ConvF32RequantizationMatchesScalarNearIntegers) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(13);
  std::vector<float> reals = {0.499999f, 0.25f, 0.3f, 0.1234567f, 1e-3f, 2.3e-3f, 1e-5f, 0.0117f, 0.4f};
  for (int i = 0; i < 12; ++i) reals.push_back(std::exp(std::uniform_real_distribution<float>(-14.f, -0.7f)(rng)));
  // Per multiplier: the accumulators nearest each chosen integer n of T, and one each side.
  std::vector<std::pair<float, int32_t>> cases;
  for (float real : reals) {
    const quant::QuantizedMultiplier q = quant::quantizeMultiplier(double(real));
    const int r = std::max(-q.shift, 1);
    const double M = std::ldexp(double(q.multiplier), -(31 + r)), d = std::ldexp(1.0, -(1 + r));
    std::vector<int64_t> ns;
    for (int i = 0; i < 14; ++i) ns.push_back(int64_t(rng() % 601) - 300);
    for (int64_t n : {0, 1, -1, 127, 128, -128, 255, 256, 257, -255, -256, -257, 509, 510, 511, 512, 513, -509, -510,
                      -511, -512, -513, 5000, -5000})
      ns.push_back(n);
    for (int64_t n : ns)
      for (double s : {1.0, -1.0}) {
        const double x = (double(n) - 0.5 - s * d) / M;
        if (std::abs(x) > 2e9) continue;
        for (int64_t k = -1; k <= 1; ++k) cases.push_back({real, int32_t(std::llround(x) + k)});
      }
  }
  const int64_t N = 53;
  struct Shape {
    std::vector<int64_t> x;
    bool depthwise;
    int64_t k;  // square kernel, pads k / 2
  };
  // 1x1 on 16, 32 and 48 positions (AVX-512 epilogue rows of one, two and three vectors,
  // whose near-integer lanes are tested once per row), 3x3s of one input channel (the
  // depthwise path) and of four (the implicit GEMM's epilogue; on 7x7 its row mode's,
  // channels as lanes), and a depthwise 3x3.
  const std::vector<Shape> shapes = {{{1, 1, 4, 4}, false, 1},  {{1, 1, 4, 8}, false, 1}, {{1, 1, 4, 12}, false, 1},
                                     {{1, 1, 8, 30}, false, 3}, {{1, 4, 8, 30}, false, 3},
                                     {{1, 4, 7, 7}, false, 3},  {{1, N, 4, 12}, true, 3}};
  int run = 0;
  for (const Shape &sh : shapes) {
    for (size_t v0 = 0; v0 < cases.size(); v0 += N, ++run) {
      std::vector<float> ws(static_cast<size_t>(N));
      std::vector<int32_t> bias(static_cast<size_t>(N));
      for (int64_t c = 0; c < N; ++c) {
        ws[size_t(c)] = cases[(v0 + size_t(c)) % cases.size()].first;
        bias[size_t(c)] = cases[(v0 + size_t(c)) % cases.size()].second;
      }
      ConvCase cc;
      cc.x = sh.x, cc.outChannels = N, cc.group = sh.depthwise ? N : 1;
      cc.kernel = {sh.k, sh.k};
      cc.strides = {1, 1}, cc.dilations = {1, 1};
      cc.pads = std::vector<int64_t>(4, sh.k / 2);
      const DType yt = run % 2 ? DType::i8 : DType::u8;
      int32_t zy = yt == DType::i8 ? (run % 3 == 0 ? -128 : int32_t(run % 7) * 9 - 27) : int32_t(run % 3) * 60;
      cc.activation = run % 3 == 0 ? "Clip" : "";
      cc.actMin = 0.f, cc.actMax = 200.f;
      // Half the clamps with a zero point inside the range: a lower bound at it (lo = zy,
      // where the f32 requantization rounds one-sidedly: oneSidedRounding) or one code below
      // it (lo = zy - 1, where it must not: a result of -1 is then kept).
      if (run % 6 == 3) {
        zy = yt == DType::i8 ? -20 : 40;
        cc.actMin = run % 12 == 3 ? -1.f : 0.f;
      }
      const int32_t zx = run % 2 ? 0 : 17;
      auto x = makeQ(DType::u8, cc.x, std::vector<int32_t>(size_t(numelOf(cc.x)), zx), {1.f, zx});
      auto w = makeQAxis(DType::i8, cc.w(), randomCodes(numelOf(cc.w()), DType::i8, rng), ws,
                         std::vector<int32_t>(size_t(N), 0), 0);
      auto b = makeQAxis(DType::i32, {N}, bias, ws, {}, 0);
      auto y = makeOut(yt, cc.y(), {1.f, zy});
      AttrList attrs;
      cc.fill(attrs);
      const std::string what = std::string(sh.depthwise ? "depthwise" : sh.k == 1 ? "pointwise" : "dense 3x3") +
                               " near-integer run " +
                               std::to_string(run) + " " + dt(yt) + " " + cc.activation;
      expectSameAsRef("Conv", {&x->t.view(), &w->t.view(), &b->t.view()}, *y, attrs, what);
      if (!cc.activation.empty()) continue;
      const std::vector<int32_t> got = y->codes();
      const int64_t positions = numelOf(cc.y()) / N;
      for (int64_t c = 0; c < N; ++c) {
        const quant::QuantizedMultiplier m = quant::quantizeMultiplier(double(ws[size_t(c)]));
        const int32_t expect = quant::requantize(bias[size_t(c)], m, zy, qmin(yt), qmax(yt));
        for (int64_t p = 0; p < positions; ++p)
          ASSERT_EQ(got[size_t(c * positions + p)], expect)
              << what << ": value " << bias[size_t(c)] << " multiplier " << ws[size_t(c)] << " at " << p;
      }
    }
  }
}

// Accumulators that wrap: K large, every product at its extreme (255 * -128), as the ref's
// int32 accumulator wraps.
TEST(X86QuantKernels, WrappingAccumulatorsMatchRef) {
  if (levels().empty()) GTEST_SKIP() << "no AVX2";
  const int64_t M = 3, N = 21, K = 70001;
  auto a = makeQ(DType::u8, {M, K}, std::vector<int32_t>(size_t(M * K), 255), {0.5f, 0});
  auto b = makeQ(DType::i8, {K, N}, std::vector<int32_t>(size_t(K * N), -128), {0.25f, 0});
  auto y = makeOut(DType::i8, {M, N}, {1e4f, 3});
  AttrList none;
  expectSameAsRef("MatMul", {&a->t.view(), &b->t.view()}, *y, none, "wrapping matmul");
}

}  // namespace
}  // namespace edgec::rt::testing
