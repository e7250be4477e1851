// Plans and accepts predicates of the x86 f32 kernels (see x86_f32_plans.h). Baseline
// code: it uses ref's validation and strided-loop helpers, so each x86 kernel refuses and
// validates a call exactly as its ref kernel does.
#include "x86_f32_plans.h"

#include <cstring>

#include "ref/plans.h"
#include "ref/util.h"

namespace edgec::rt::x86 {
namespace {

bool plainF32(const TensorView *v) { return v && v->dtype == DType::f32 && !v->quant; }

bool isBinaryOp(const std::string &op) {
  return op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Max" || op == "Min";
}

}  // namespace

bool planBinaryF32(const KernelSignature &sig, BinaryPlanF32 *plan) {
  if (!isBinaryOp(sig.op) || sig.inputs.size() != 2 || sig.outputs.size() != 1) return false;
  const TensorView *a = sig.inputs[0], *b = sig.inputs[1], *y = sig.outputs[0];
  if (!plainF32(a) || !plainF32(b) || !plainF32(y)) return false;
  std::vector<int64_t> ab;
  if (!ref::broadcastShapes(a->shape, b->shape, &ab) || ab != y->shape) return false;
  const ref::StridedLoop<3> loop(y->shape, {ref::contiguousStrides(y->shape), broadcastStrides(a->shape, y->shape),
                                            broadcastStrides(b->shape, y->shape)});
  const int rank = static_cast<int>(loop.shape.size());
  if (rank > BinaryPlanF32::kMaxRank) return false;
  // The innermost run is contiguous or constant for each input (its kept dim is either
  // its own last dim of size > 1, stride 1, or broadcast, stride 0).
  if (rank > 0 && (loop.strides[1][rank - 1] > 1 || loop.strides[2][rank - 1] > 1)) return false;
  if (plan) {
    *plan = BinaryPlanF32();
    plan->rank = rank;
    plan->numel = y->numel();
    for (int d = 0; d < rank; ++d) {
      plan->shape[d] = loop.shape[d];
      plan->strideA[d] = loop.strides[1][d];
      plan->strideB[d] = loop.strides[2][d];
    }
  }
  return true;
}

bool acceptsBinaryF32(const KernelSignature &sig) { return planBinaryF32(sig, nullptr); }

void planPool2dF32(const KernelSignature &sig, Pool2dPlanF32 *plan) {
  const ref::PoolWindows w = ref::parsePool(sig);  // ref's checks and messages
  const TensorView &x = *sig.inputs[0], &y = *sig.outputs[0];
  if (x.rank() != 4 || x.dtype != DType::f32) kernelFail(sig, "the x86 pool takes 4-D f32 X only");
  const std::vector<int64_t> k = sig.attrs.ints("kernel_shape");
  const std::vector<int64_t> s = sig.attrs.ints("strides", {1, 1});
  const std::vector<int64_t> d = sig.attrs.ints("dilations", {1, 1});
  const std::vector<int64_t> p = sig.attrs.ints("pads", {0, 0, 0, 0});
  Pool2dPlanF32 &P = *plan;
  P = Pool2dPlanF32();
  P.planes = w.planes;
  P.H = x.shape[2], P.W = x.shape[3], P.OH = y.shape[2], P.OW = y.shape[3];
  P.kh = k[0], P.kw = k[1], P.sh = s[0], P.sw = s[1], P.dh = d[0], P.dw = d[1];
  P.padT = p[0], P.padL = p[1], P.padB = p[2], P.padR = p[3];
  if (P.kh > Pool2dPlanF32::kMaxKernelH) kernelFail(sig, "the x86 pool takes kernels of at most 64 rows");
  P.countIncludePad = sig.op == "AveragePool" && sig.attrs.i("count_include_pad", 0) != 0;
}

bool acceptsPool2dF32(const KernelSignature &sig) {
  if (sig.inputs.size() != 1 || sig.outputs.empty() || !plainF32(sig.inputs[0]) || !plainF32(sig.outputs[0]))
    return false;
  if (sig.outputs.size() > 1 && sig.outputs[1]) return false;  // Indices: ref says no
  if (sig.inputs[0]->rank() != 4) return false;
  try {
    Pool2dPlanF32 p;
    planPool2dF32(sig, &p);
  } catch (const Error &) {
    return false;  // ref's prepare then reports it (or runs it)
  }
  return true;
}

void planGlobalPoolF32(const KernelSignature &sig, GlobalPoolPlanF32 *plan) {
  ref::requireInputCount(sig, 1, 1);
  const TensorView &x = ref::requireInput(sig, 0, "X");
  const TensorView &y = ref::requireOutput(sig, 0);
  ref::requireDType(sig, x, ref::Types<float>{}, sig.op.c_str());
  ref::requireSameDType(sig, x, y, "output");
  if (x.rank() < 3) kernelFail(sig, "X must be [N, C, D...], got " + ref::shapeStr(x.shape));
  std::vector<int64_t> expected(x.shape.size(), 1);
  expected[0] = x.shape[0];
  expected[1] = x.shape[1];
  ref::requireShape(sig, y, expected, "output");
  plan->planes = x.shape[0] * x.shape[1];
  plan->size = ref::product(x.shape, 2);
}

bool acceptsGlobalPoolF32(const KernelSignature &sig) {
  if (sig.inputs.size() != 1 || sig.outputs.size() != 1 || !plainF32(sig.inputs[0]) || !plainF32(sig.outputs[0]))
    return false;
  try {
    GlobalPoolPlanF32 p;
    planGlobalPoolF32(sig, &p);
  } catch (const Error &) {
    return false;
  }
  return true;
}

namespace {
int64_t axisOf(const KernelSignature &sig, int rank) {
  const int64_t axis = sig.attrs.i("axis", rank - 1);
  if (axis < 0 || axis >= rank)
    kernelFail(sig, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  return axis;
}
}  // namespace

// The checks of ref's Softmax (ref/normalization.cpp).
void planSoftmaxF32(const KernelSignature &sig, SoftmaxPlanF32 *plan) {
  ref::requireInputCount(sig, 1, 1);
  const TensorView &x = ref::requireInput(sig, 0, "X");
  const TensorView &y = ref::requireOutput(sig, 0);
  ref::requireDType(sig, x, ref::Types<float>{}, sig.op.c_str());
  ref::requireSameDType(sig, x, y, "output");
  ref::requireShape(sig, y, x.shape, "output");
  if (x.rank() == 0) kernelFail(sig, "X must have rank >= 1");
  const int64_t axis = axisOf(sig, x.rank());
  plan->outer = ref::product(x.shape, 0, size_t(axis));
  plan->n = x.shape[size_t(axis)];
  plan->inner = ref::product(x.shape, size_t(axis) + 1);
}

bool acceptsSoftmaxF32(const KernelSignature &sig) {
  if (sig.inputs.size() != 1 || sig.outputs.size() != 1 || !plainF32(sig.inputs[0]) || !plainF32(sig.outputs[0]))
    return false;
  try {
    SoftmaxPlanF32 p;
    planSoftmaxF32(sig, &p);
  } catch (const Error &) {
    return false;
  }
  return true;
}

// The checks of ref's LayerNormalization, and Scale/B of the normalized block's size.
void planLayerNormF32(const KernelSignature &sig, LayerNormPlanF32 *plan) {
  ref::requireInputCount(sig, 2, 3);
  const TensorView &x = ref::requireInput(sig, 0, "X");
  const TensorView &scale = ref::requireInput(sig, 1, "Scale");
  const TensorView *bias = ref::optionalInput(sig, 2);
  const TensorView &y = ref::requireOutput(sig, 0);
  for (const TensorView *t : {&x, &scale, bias, &y, ref::optionalOutput(sig, 1), ref::optionalOutput(sig, 2)})
    if (t) ref::requireDType(sig, *t, ref::Types<float>{}, "LayerNormalization");
  ref::requireShape(sig, y, x.shape, "output");
  if (x.rank() == 0) kernelFail(sig, "X must have rank >= 1");
  const int64_t axis = axisOf(sig, x.rank());
  const std::vector<int64_t> normShape(x.shape.begin() + axis, x.shape.end());
  for (const TensorView *t : {&scale, bias})
    if (t && (!ref::broadcastsTo(t->shape, normShape) || t->numel() != ref::product(normShape)))
      kernelFail(sig, "the x86 LayerNormalization takes Scale and B of the normalized shape " +
                          ref::shapeStr(normShape) + " only");
  std::vector<int64_t> statShape(x.shape.begin(), x.shape.begin() + axis);
  statShape.resize(x.shape.size(), 1);
  for (size_t i = 1; i <= 2; ++i)
    if (const TensorView *t = ref::optionalOutput(sig, i))
      ref::requireShape(sig, *t, statShape, i == 1 ? "Mean" : "InvStdDev");
  plan->outer = ref::product(x.shape, 0, size_t(axis));
  plan->norm = ref::product(normShape);
  plan->epsilon = sig.attrs.f("epsilon", 1e-5f);
  plan->hasBias = bias != nullptr;
}

bool acceptsLayerNormF32(const KernelSignature &sig) {
  for (const TensorView *v : sig.inputs)
    if (v && !plainF32(v)) return false;
  for (const TensorView *v : sig.outputs)
    if (v && !plainF32(v)) return false;
  try {
    LayerNormPlanF32 p;
    planLayerNormF32(sig, &p);
  } catch (const Error &) {
    return false;
  }
  return true;
}

// The checks of ref's Reduce* (ref/reduce.cpp), then the x86 kernels' own condition.
void planReduceF32(const KernelSignature &sig, ReducePlanF32 *plan) {
  ref::requireInputCount(sig, 1, 1);
  const TensorView &x = ref::requireInput(sig, 0, "X");
  const TensorView &y = ref::requireOutput(sig, 0);
  ref::requireDType(sig, x, ref::Types<float>{}, sig.op.c_str());
  ref::requireSameDType(sig, x, y, "output");
  std::vector<int64_t> axes = sig.attrs.ints("axes", {});  // absent or empty: all axes
  if (axes.empty())
    for (int d = 0; d < x.rank(); ++d) axes.push_back(d);
  std::vector<bool> reduced(size_t(x.rank()), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= x.rank() || (i > 0 && axes[i] <= axes[i - 1]))
      kernelFail(sig, "axes " + ref::shapeStr(axes) + " must be sorted, unique and in [0, " +
                          std::to_string(x.rank()) + ")");
    reduced[size_t(axes[i])] = true;
  }
  std::vector<int64_t> kept, dropped;
  for (int d = 0; d < x.rank(); ++d) {
    kept.push_back(reduced[size_t(d)] ? 1 : x.shape[size_t(d)]);
    if (!reduced[size_t(d)]) dropped.push_back(x.shape[size_t(d)]);
  }
  if (y.shape != kept && y.shape != dropped)
    kernelFail(sig, "output " + ref::shapeStr(y.shape) + " is neither " + ref::shapeStr(kept) + " nor " +
                        ref::shapeStr(dropped));
  // Dims of size 1 move nothing: the others must be kept..., reduced..., kept....
  plan->outer = plan->n = plan->inner = 1;
  int stage = 0;  // 0: before the reduced block, 1: in it, 2: after it
  for (int d = 0; d < x.rank(); ++d) {
    const int64_t e = x.shape[size_t(d)];
    if (reduced[size_t(d)]) {
      if (e != 1 && stage == 2) kernelFail(sig, "the x86 reductions take one block of adjacent reduced axes only");
      if (e != 1) stage = 1;
      plan->n *= e;
    } else if (e != 1) {
      if (stage == 1) stage = 2;
      (stage == 0 ? plan->outer : plan->inner) *= e;
    }
  }
}

bool acceptsReduceF32(const KernelSignature &sig) {
  if (sig.inputs.size() != 1 || sig.outputs.size() != 1 || !plainF32(sig.inputs[0]) || !plainF32(sig.outputs[0]))
    return false;
  try {
    ReducePlanF32 p;
    planReduceF32(sig, &p);
  } catch (const Error &) {
    return false;
  }
  return true;
}

void planConvTransposeF32(const KernelSignature &sig, ConvTransposePlanF32 *plan) {
  // ref's checks and messages (ref/conv_transpose.cpp's prepare).
  const auto [x, w, b, y] = ref::requireConvOperands(sig, "ConvTranspose");
  const size_t nd = size_t(x.rank() - 2);
  if (nd < 1 || nd > 2) kernelFail(sig, "the x86 ConvTranspose takes 1-D and 2-D convolutions only");
  ConvTransposePlanF32 &P = *plan;
  P = ConvTransposePlanF32();
  P.batch = x.shape[0];
  P.inChannels = x.shape[1];
  P.group = sig.attrs.i("group", 1);
  if (P.group < 1 || P.inChannels % P.group != 0 || w.shape[0] != P.inChannels)
    kernelFail(sig, "W " + ref::shapeStr(w.shape) + " and group " + std::to_string(P.group) + " do not fit X's " +
                        std::to_string(P.inChannels) + " channels (W is [C, M/group, k...])");
  P.outChannels = w.shape[1] * P.group;
  const std::vector<int64_t> strides = ref::spatialAttr(sig, "strides", nd, 1, 1);
  const std::vector<int64_t> dilations = ref::spatialAttr(sig, "dilations", nd, 1, 1);
  const std::vector<int64_t> pads = ref::spatialAttr(sig, "pads", 2 * nd, 0, 0);
  const std::vector<int64_t> outputPadding = ref::spatialAttr(sig, "output_padding", nd, 0, 0);
  std::vector<int64_t> expected = {P.batch, P.outChannels};
  for (size_t d = 0; d < nd; ++d) {
    const int64_t o = strides[d] * (x.shape[2 + d] - 1) + outputPadding[d] + dilations[d] * (w.shape[2 + d] - 1) + 1 -
                      pads[d] - pads[nd + d];
    if (o < 1) kernelFail(sig, "pads " + ref::shapeStr(pads) + " leave no output");
    expected.push_back(o);
  }
  ref::requireShape(sig, y, expected, "output");
  if (b) ref::requireShape(sig, *b, {P.outChannels}, "bias");
  P.hasBias = b != nullptr;
  const size_t last = nd - 1;  // the width; a 1-D call is one row
  P.W = x.shape[2 + last];
  P.OW = expected[2 + last];
  P.kw = w.shape[2 + last];
  P.sw = strides[last];
  P.dw = dilations[last];
  P.padL = pads[last];
  if (nd == 2) {
    P.H = x.shape[2];
    P.OH = expected[2];
    P.kh = w.shape[2];
    P.sh = strides[0];
    P.dh = dilations[0];
    P.padT = pads[0];
  }
}

bool acceptsConvTransposeF32(const KernelSignature &sig) {
  if (sig.inputs.size() < 2 || sig.inputs.size() > 3 || sig.outputs.size() != 1) return false;
  const TensorView *x = sig.inputs[0], *w = sig.inputs[1], *y = sig.outputs[0];
  const TensorView *b = sig.inputs.size() > 2 ? sig.inputs[2] : nullptr;
  if (!plainF32(x) || !plainF32(w) || !plainF32(y) || (b && !plainF32(b))) return false;
  if (x->rank() != 3 && x->rank() != 4) return false;
  if (x->numel() == 0 || w->numel() == 0 || y->numel() == 0) return false;
  try {
    ConvTransposePlanF32 p;
    planConvTransposeF32(sig, &p);
  } catch (const Error &) {
    return false;
  }
  return true;
}

}  // namespace edgec::rt::x86
