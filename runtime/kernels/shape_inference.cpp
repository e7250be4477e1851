// Shape functions per op family (see shape_inference.h). Each follows the op's contract
// in runtime/kernels/README.md, with the attributes the compiler wrote.
#include "shape_inference.h"

#include "ref/runtime_params.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace edgec::rt {

namespace {

using ShapeFn = std::vector<Shape> (*)(const KernelSignature &sig);

const Shape &in(const KernelSignature &sig, size_t i) {
  if (i >= sig.inputs.size() || !sig.inputs[i]) kernelFail(sig, "input " + std::to_string(i) + " is missing");
  return sig.inputs[i]->shape;
}

// The values of an int32/int64 input, which the kernel before this call has written.
std::vector<int64_t> intValues(const KernelSignature &sig, size_t i);

// Outputs shaped like input 0 (elementwise unary ops, normalizations, Softmax, ...).
std::vector<Shape> sameAsFirst(const KernelSignature &sig) {
  return std::vector<Shape>(sig.outputs.size(), in(sig, 0));
}

// Numpy broadcasting of `shapes` (the message names the first and the one that does not fit).
Shape broadcastShapes(const KernelSignature &sig, const std::vector<Shape> &shapes) {
  Shape out;
  for (const Shape &s : shapes) {
    if (s.size() > out.size()) out.insert(out.begin(), s.size() - out.size(), 1);
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t &o = out[out.size() - s.size() + i];
      const int64_t d = s[i];
      if (d == o || d == 1) continue;
      if (o != 1) kernelFail(sig, "inputs of shapes that do not broadcast together (" + shapeText(shapes[0]) + " and " +
                                       shapeText(s) + ")");
      o = d;
    }
  }
  return out;
}

// Every present input broadcast together (Add, Where, Max, ...).
std::vector<Shape> broadcastAll(const KernelSignature &sig) {
  std::vector<Shape> shapes;
  for (const TensorView *v : sig.inputs)
    if (v) shapes.push_back(v->shape);
  return {broadcastShapes(sig, shapes)};
}

// PRelu: X's shape (the slope broadcasts to it).
std::vector<Shape> firstInput(const KernelSignature &sig) { return {in(sig, 0)}; }

// LayerNormalization: Y like X; Mean and InvStdDev keep the dims before `axis`, 1 after.
std::vector<Shape> layerNorm(const KernelSignature &sig) {
  const Shape &x = in(sig, 0);
  std::vector<Shape> out{x};
  int64_t axis = sig.attrs.i("axis", -1);
  if (axis < 0) axis += int64_t(x.size());
  Shape stats = x;
  for (size_t d = size_t(std::max<int64_t>(axis, 0)); d < stats.size(); ++d) stats[d] = 1;
  for (size_t i = 1; i < sig.outputs.size(); ++i) out.push_back(stats);
  return out;
}

// One spatial output size of a window op (Conv, pools): floor division as ONNX's
// explicit pads define it (the compiler resolves auto_pad and ceil_mode into pads).
int64_t windowOut(const KernelSignature &sig, int64_t size, int64_t kernel, int64_t stride, int64_t dilation,
                  int64_t padBegin, int64_t padEnd) {
  const int64_t span = (kernel - 1) * dilation + 1, padded = size + padBegin + padEnd;
  if (stride <= 0 || padded < span)
    kernelFail(sig, "an input of size " + std::to_string(size) + " is smaller than the window (" +
                        std::to_string(span) + " with padding " + std::to_string(padBegin) + "+" +
                        std::to_string(padEnd) + ")");
  return (padded - span) / stride + 1;
}

std::vector<Shape> windowed(const KernelSignature &sig, const Shape &x, const std::vector<int64_t> &kernel, int64_t channels) {
  const size_t spatial = x.size() >= 2 ? x.size() - 2 : 0;
  if (kernel.size() != spatial) kernelFail(sig, "the window's rank does not match the input " + shapeText(x));
  const std::vector<int64_t> strides = sig.attrs.ints("strides", std::vector<int64_t>(spatial, 1));
  const std::vector<int64_t> dilations = sig.attrs.ints("dilations", std::vector<int64_t>(spatial, 1));
  const std::vector<int64_t> pads = sig.attrs.ints("pads", std::vector<int64_t>(2 * spatial, 0));
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial)
    kernelFail(sig, "strides, dilations or pads do not match the input " + shapeText(x));
  Shape out{x[0], channels};
  for (size_t i = 0; i < spatial; ++i)
    out.push_back(windowOut(sig, x[2 + i], kernel[i], strides[i], dilations[i], pads[i], pads[spatial + i]));
  return {out};
}

std::vector<Shape> conv(const KernelSignature &sig) {
  const Shape &x = in(sig, 0), &w = in(sig, 1);
  if (x.size() < 3 || w.size() != x.size()) kernelFail(sig, "X " + shapeText(x) + " and W " + shapeText(w) + " do not fit");
  return windowed(sig, x, std::vector<int64_t>(w.begin() + 2, w.end()), w[0]);
}

// PointwiseDepthwiseConv: the depthwise Conv (weights input 3) over X's spatial dims.
std::vector<Shape> pointwiseDepthwise(const KernelSignature &sig) {
  const Shape &x = in(sig, 0), &w = in(sig, 3);
  if (x.size() != 4 || w.size() != 4) kernelFail(sig, "X " + shapeText(x) + " and W " + shapeText(w) + " do not fit");
  return windowed(sig, x, std::vector<int64_t>(w.begin() + 2, w.end()), w[0]);
}

std::vector<Shape> pool(const KernelSignature &sig) {
  const Shape &x = in(sig, 0);
  if (x.size() < 3) kernelFail(sig, "X " + shapeText(x) + " has no spatial dims");
  auto out = windowed(sig, x, sig.attrs.ints("kernel_shape"), x[1]);
  out.resize(sig.outputs.size(), out[0]);
  return out;
}

std::vector<Shape> globalPool(const KernelSignature &sig) {
  Shape out = in(sig, 0);
  for (size_t d = 2; d < out.size(); ++d) out[d] = 1;
  return {out};
}

std::vector<Shape> gemm(const KernelSignature &sig) {
  const Shape &a = in(sig, 0), &b = in(sig, 1);
  if (a.size() != 2 || b.size() != 2) kernelFail(sig, "A and B must be matrices");
  const bool ta = sig.attrs.i("transA", 0) != 0, tb = sig.attrs.i("transB", 0) != 0;
  const int64_t k = ta ? a[0] : a[1], kb = tb ? b[1] : b[0];
  if (k != kb) kernelFail(sig, "A " + shapeText(a) + " and B " + shapeText(b) + " have different K");
  return {{ta ? a[1] : a[0], tb ? b[0] : b[1]}};
}

std::vector<Shape> matmul(const KernelSignature &sig) {
  Shape a = in(sig, 0), b = in(sig, 1);
  const bool vecA = a.size() == 1, vecB = b.size() == 1;
  if (vecA) a.insert(a.begin(), 1);
  if (vecB) b.push_back(1);
  if (a.size() < 2 || b.size() < 2 || a.back() != b[b.size() - 2])
    kernelFail(sig, "A " + shapeText(in(sig, 0)) + " and B " + shapeText(in(sig, 1)) + " do not multiply");
  // Batch dims broadcast like an elementwise op's.
  Shape out = broadcastShapes(sig, {Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2)});
  if (!vecA) out.push_back(a[a.size() - 2]);
  if (!vecB) out.push_back(b.back());
  return {out};
}

// ScaledDotProductAttention: [B..., S, Dv] for Q [B..., S, D] and V [B..., T, Dv] (the
// kernel checks K and the mask against them).
std::vector<Shape> attention(const KernelSignature &sig) {
  Shape out = in(sig, 0);
  const Shape &v = in(sig, 2);
  if (out.size() < 2 || v.size() != out.size())
    kernelFail(sig, "query " + shapeText(out) + " and value " + shapeText(v) + " are not [B..., S, D] and [B..., T, Dv]");
  out.back() = v.back();
  return {out};
}

std::vector<Shape> transpose(const KernelSignature &sig) {
  const Shape &x = in(sig, 0);
  const std::vector<int64_t> perm = sig.attrs.ints("perm");
  if (perm.size() != x.size()) kernelFail(sig, "perm does not match the input " + shapeText(x));
  Shape out;
  for (int64_t p : perm) {
    if (p < 0 || p >= int64_t(x.size())) kernelFail(sig, "perm is out of range");
    out.push_back(x[size_t(p)]);
  }
  return {out};
}

std::vector<Shape> concat(const KernelSignature &sig) {
  Shape out = in(sig, 0);
  const int64_t axis = sig.attrs.i("axis");
  if (axis < 0 || axis >= int64_t(out.size())) kernelFail(sig, "axis is out of range");
  out[size_t(axis)] = 0;
  for (const TensorView *v : sig.inputs) {
    if (!v) continue;
    if (v->shape.size() != out.size()) kernelFail(sig, "inputs of different ranks");
    for (size_t d = 0; d < out.size(); ++d)
      if (int64_t(d) != axis && v->shape[d] != out[d])
        kernelFail(sig, "inputs " + shapeText(in(sig, 0)) + " and " + shapeText(v->shape) + " differ off the axis");
    out[size_t(axis)] += v->shape[size_t(axis)];
  }
  return {out};
}

std::vector<Shape> gather(const KernelSignature &sig) {
  const Shape &data = in(sig, 0), &indices = in(sig, 1);
  const int64_t axis = sig.attrs.i("axis", 0);
  if (axis < 0 || axis >= int64_t(data.size())) kernelFail(sig, "axis is out of range");
  Shape out(data.begin(), data.begin() + axis);
  out.insert(out.end(), indices.begin(), indices.end());
  out.insert(out.end(), data.begin() + axis + 1, data.end());
  return {out};
}

// Tile: each dim times its repeats (the attribute, or run-time values).
std::vector<Shape> tile(const KernelSignature &sig) {
  Shape out = in(sig, 0);
  const std::vector<int64_t> repeats =
      sig.inputs.size() > 1 && sig.inputs[1] ? intValues(sig, 1) : sig.attrs.ints("repeats");
  if (repeats.size() != out.size()) kernelFail(sig, "repeats do not match the input " + shapeText(out));
  for (size_t d = 0; d < out.size(); ++d) {
    if (repeats[d] < 0) kernelFail(sig, "a repeat count is negative");
    out[d] *= repeats[d];
  }
  return {out};
}

// GatherND: the indices' leading dims (the batch dims among them), then what each index
// tuple leaves of data.
std::vector<Shape> gatherND(const KernelSignature &sig) {
  const Shape &data = in(sig, 0), &indices = in(sig, 1);
  const int64_t batch = sig.attrs.i("batch_dims", 0);
  if (indices.empty()) kernelFail(sig, "indices must have rank >= 1");
  const int64_t last = indices.back();
  if (batch < 0 || batch + last > int64_t(data.size()) || batch >= int64_t(indices.size()))
    kernelFail(sig, "indices of shape " + shapeText(indices) + " do not fit data of shape " + shapeText(data));
  Shape out(indices.begin(), indices.end() - 1);
  out.insert(out.end(), data.begin() + batch + last, data.end());
  return {out};
}

// GatherElements: the indices' shape.
std::vector<Shape> secondInput(const KernelSignature &sig) { return {in(sig, 1)}; }

std::vector<Shape> compiledOutputs(const KernelSignature &sig) {
  std::vector<Shape> out;
  for (const TensorView *o : sig.outputs) out.push_back(o->shape);
  return out;
}

// Loop: the carried values keep their shapes; a scan output's capacity is its compiled
// size (the kernel sets the iterations it made).
std::vector<Shape> loop(const KernelSignature &sig) {
  const int64_t carried = sig.attrs.i("num_carried");
  std::vector<Shape> out;
  for (size_t j = 0; j < sig.outputs.size(); ++j)
    out.push_back(int64_t(j) < carried ? in(sig, 2 + j) : sig.outputs[j]->shape);
  return out;
}

// Reductions keep the reduced dims as 1 when the compiled output has the input's rank.
std::vector<Shape> reduce(const KernelSignature &sig) {
  const Shape &x = in(sig, 0);
  std::vector<int64_t> axes = sig.attrs.ints("axes", {});
  if (axes.empty())
    for (size_t d = 0; d < x.size(); ++d) axes.push_back(int64_t(d));
  const bool keep = sig.outputs[0]->shape.size() == x.size();
  Shape out;
  for (size_t d = 0; d < x.size(); ++d) {
    const bool reduced = std::find(axes.begin(), axes.end(), int64_t(d)) != axes.end();
    if (!reduced) out.push_back(x[d]);
    else if (keep) out.push_back(1);
  }
  return {out};
}

std::vector<Shape> argReduce(const KernelSignature &sig) {
  const Shape &x = in(sig, 0);
  const int64_t axis = sig.attrs.i("axis");
  if (axis < 0 || axis >= int64_t(x.size())) kernelFail(sig, "axis is out of range");
  Shape out = x;
  if (sig.outputs[0]->shape.size() == x.size()) out[size_t(axis)] = 1;
  else out.erase(out.begin() + axis);
  return {out};
}

// Pads as the attribute, or as run-time values (begins then ends, one pair per axis of
// `axes_input`, every dim when it is absent).
std::vector<Shape> pad(const KernelSignature &sig) {
  Shape out = in(sig, 0);
  std::vector<int64_t> pads;
  if (sig.inputs.size() > 2 && sig.inputs[2]) {
    const std::vector<int64_t> values = intValues(sig, 2);
    std::vector<int64_t> axes;
    if (sig.inputs.size() > 3 && sig.inputs[3]) axes = intValues(sig, 3);
    else
      for (size_t d = 0; d < out.size(); ++d) axes.push_back(int64_t(d));
    if (values.size() != 2 * axes.size())
      kernelFail(sig, "pads hold " + std::to_string(values.size()) + " values for " + std::to_string(axes.size()) +
                          " axes");
    pads.assign(2 * out.size(), 0);
    for (size_t k = 0; k < axes.size(); ++k) {
      const int64_t axis = axes[k] < 0 ? axes[k] + int64_t(out.size()) : axes[k];
      if (axis < 0 || axis >= int64_t(out.size())) kernelFail(sig, "pad axis " + std::to_string(axes[k]) + " is out of range");
      pads[size_t(axis)] = values[k];
      pads[out.size() + size_t(axis)] = values[axes.size() + k];
    }
  } else {
    pads = sig.attrs.ints("pads");
  }
  if (pads.size() != 2 * out.size()) kernelFail(sig, "pads do not match the input " + shapeText(out));
  for (size_t d = 0; d < out.size(); ++d) {
    out[d] += pads[d] + pads[out.size() + d];
    if (out[d] < 0) kernelFail(sig, "pads crop more than the input " + shapeText(in(sig, 0)) + " has");
  }
  return {out};
}

std::vector<Shape> resize(const KernelSignature &sig) {
  Shape out = in(sig, 0);
  const std::vector<float> scales = sig.attrs.floats("scales");
  if (scales.size() != out.size()) kernelFail(sig, "scales do not match the input " + shapeText(out));
  for (size_t d = 0; d < out.size(); ++d) out[d] = int64_t(double(out[d]) * double(scales[d]));
  return {out};
}

// The values of an int32/int64 input, which the kernel before this call has written.
std::vector<int64_t> intValues(const KernelSignature &sig, size_t i) {
  const TensorView &v = *sig.inputs[i];
  if ((v.dtype != DType::i32 && v.dtype != DType::i64) || !v.data)
    kernelFail(sig, "input " + std::to_string(i) + " must be int32 or int64 values");
  return ref::intValues(v);
}

double scalarValue(const KernelSignature &sig, size_t i) {
  const TensorView &v = *sig.inputs[i];
  if (!v.data || v.numel() != 1) kernelFail(sig, "input " + std::to_string(i) + " must be one value");
  switch (v.dtype) {
  case DType::f32: return v.as<float>()[0];
  case DType::f64: return v.as<double>()[0];
  case DType::i16: return v.as<int16_t>()[0];
  case DType::i32: return v.as<int32_t>()[0];
  case DType::i64: return double(v.as<int64_t>()[0]);
  default: kernelFail(sig, std::string("input ") + std::to_string(i) + " has an unsupported type " + dtypeName(v.dtype));
  }
}

// Range: ceil((limit - start) / delta) elements, at least 0 (ONNX's rule), from the values.
std::vector<Shape> range(const KernelSignature &sig) {
  const double start = scalarValue(sig, 0), limit = scalarValue(sig, 1), delta = scalarValue(sig, 2);
  if (delta == 0) kernelFail(sig, "delta is zero");
  return {{std::max<int64_t>(0, int64_t(std::ceil((limit - start) / delta)))}};
}

// Expand: with a run-time target shape, numpy broadcasting of the input and its values;
// without one (a constant target, in the result type), the dims where the input matched
// the target follow the input, the broadcast ones keep their size.
std::vector<Shape> expand(const KernelSignature &sig) {
  const Shape &x = in(sig, 0);
  if (sig.inputs.size() > 1 && sig.inputs[1]) {
    return {broadcastShapes(sig, {x, intValues(sig, 1)})};
  }
  if (sig.attrs.has("shape")) return {broadcastShapes(sig, {x, sig.attrs.ints("shape")})};
  // A package from before the `shape` attribute: the compiled size where x broadcasts.
  Shape out = sig.outputs[0]->shape;
  const size_t lead = out.size() - x.size();
  for (size_t d = 0; d < x.size(); ++d)
    if (x[d] != 1) out[lead + d] = x[d];
  return {out};
}

// Slice with starts, ends, axes? and steps? as run-time inputs: ONNX's rules on the values
// (negative counts from the end, clamped to the dim).
std::vector<Shape> runtimeSlice(const KernelSignature &sig) {
  Shape out = in(sig, 0);
  const int64_t rank = int64_t(out.size());
  const std::vector<int64_t> starts = intValues(sig, 1), ends = intValues(sig, 2);
  std::vector<int64_t> axes, steps(starts.size(), 1);
  if (sig.inputs.size() > 3 && sig.inputs[3]) axes = intValues(sig, 3);
  else
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
  if (sig.inputs.size() > 4 && sig.inputs[4]) steps = intValues(sig, 4);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    kernelFail(sig, "starts, ends, axes and steps have different lengths");
  for (size_t i = 0; i < starts.size(); ++i) {
    if (axes[i] < -rank || axes[i] >= rank || steps[i] == 0) kernelFail(sig, "an axis is out of range or a step is zero");
    const int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
    out[size_t(a)] = ref::sliceRange(starts[i], ends[i], steps[i], out[size_t(a)]).count;
  }
  return {out};
}

// Slice with the compiler's normalized starts, ends and steps per dim: an end clamps to
// the dim (so an end at the bound means "to the end" at any size), a backwards start to
// dim - 1.
std::vector<Shape> slice(const KernelSignature &sig) {
  const Shape &x = in(sig, 0);
  if (sig.inputs.size() > 1) return runtimeSlice(sig);
  const std::vector<int64_t> starts = sig.attrs.ints("starts"), ends = sig.attrs.ints("ends");
  const std::vector<int64_t> steps = sig.attrs.ints("steps", std::vector<int64_t>(x.size(), 1));
  if (starts.size() != x.size() || ends.size() != x.size() || steps.size() != x.size())
    kernelFail(sig, "starts, ends and steps do not match the input " + shapeText(x));
  Shape out;
  for (size_t d = 0; d < x.size(); ++d) {
    const int64_t step = steps[d];
    if (step == 0) kernelFail(sig, "a step is zero");
    const int64_t s = step > 0 ? std::min(starts[d], x[d]) : std::min(starts[d], x[d] - 1);
    const int64_t e = step > 0 ? std::min(ends[d], x[d]) : std::min(ends[d], x[d] - 1);
    const int64_t span = step > 0 ? e - s : s - e, by = step > 0 ? step : -step;
    out.push_back(span <= 0 ? 0 : (span + by - 1) / by);
  }
  return {out};
}

// Split into fixed sizes along an axis that does not vary (the sizes are the outputs'):
// every other dim follows the input.
std::vector<Shape> split(const KernelSignature &sig) {
  const Shape &x = in(sig, 0);
  const int64_t axis = sig.attrs.i("axis", 0);
  if (axis < 0 || axis >= int64_t(x.size())) kernelFail(sig, "axis is out of range");
  // Run-time sizes from their values; else the outputs' sizes, which stay on a fixed axis
  // and, all equal, divide a dynamic one into as many equal parts (ONNX's split without
  // sizes, which is what compiles at two sizes of the axis).
  const bool runtimeSizes = sig.inputs.size() > 1 && sig.inputs[1];
  std::vector<int64_t> sizes;
  if (runtimeSizes) sizes = intValues(sig, 1);
  else
    for (const TensorView *y : sig.outputs) sizes.push_back(y->shape[size_t(axis)]);
  if (sizes.size() != sig.outputs.size())
    kernelFail(sig, "split has " + std::to_string(sizes.size()) + " sizes for " + std::to_string(sig.outputs.size()) +
                        " outputs");
  const int64_t dim = x[size_t(axis)], parts = int64_t(sizes.size());
  int64_t total = 0;
  for (int64_t s : sizes) total += s;
  if (total != dim) {
    const bool equal = !runtimeSizes && std::all_of(sizes.begin(), sizes.end(), [&](int64_t s) { return s == sizes[0]; });
    if (!equal || dim % parts != 0)
      kernelFail(sig, "the split axis has size " + std::to_string(dim) + ", which the sizes " + shapeText(sizes) +
                          " do not split (a dynamic axis splits into equal parts only)");
    sizes.assign(size_t(parts), dim / parts);
  }
  std::vector<Shape> out;
  for (int64_t s : sizes) {
    Shape o = x;
    o[size_t(axis)] = s;
    out.push_back(o);
  }
  return out;
}

// TopK keeps its k (the outputs' size along the axis); OneHot its depth.
std::vector<Shape> topK(const KernelSignature &sig) {
  Shape out = in(sig, 0);
  const int64_t axis = sig.attrs.i("axis");
  if (axis < 0 || axis >= int64_t(out.size())) kernelFail(sig, "axis is out of range");
  out[size_t(axis)] = sig.outputs[0]->shape[size_t(axis)];
  if (out[size_t(axis)] > in(sig, 0)[size_t(axis)])
    kernelFail(sig, "k " + std::to_string(out[size_t(axis)]) + " is larger than the axis " + shapeText(in(sig, 0)));
  return {out, out};
}

std::vector<Shape> oneHot(const KernelSignature &sig) {
  Shape out = in(sig, 0);
  const int64_t axis = sig.attrs.i("axis");
  if (axis < 0 || axis > int64_t(out.size())) kernelFail(sig, "axis is out of range");
  out.insert(out.begin() + axis, sig.outputs[0]->shape[size_t(axis)]);
  return {out};
}

// RNN, GRU, LSTM: the sequence and batch follow X; Y is [T, D, B, H] (layout 0) or
// [B, T, D, H], the final states [D, B, H] or [B, D, H].
std::vector<Shape> recurrent(const KernelSignature &sig) {
  const Shape &x = in(sig, 0);
  if (x.size() != 3) kernelFail(sig, "X must have rank 3");
  const bool batchFirst = sig.attrs.i("layout", 0) != 0;
  const int64_t seq = x[batchFirst ? 1 : 0], batch = x[batchFirst ? 0 : 1];
  const int64_t dirs = sig.attrs.s("direction", "forward") == "bidirectional" ? 2 : 1, hidden = sig.attrs.i("hidden_size");
  std::vector<Shape> out;
  for (size_t o = 0; o < sig.outputs.size(); ++o) {
    if (o == 0) out.push_back(batchFirst ? Shape{batch, seq, dirs, hidden} : Shape{seq, dirs, batch, hidden});
    else out.push_back(batchFirst ? Shape{batch, dirs, hidden} : Shape{dirs, batch, hidden});
  }
  return out;
}

std::vector<Shape> depthToSpace(const KernelSignature &sig) {
  const Shape &x = in(sig, 0);
  const int64_t b = sig.attrs.i("blocksize");
  if (x.size() != 4 || b <= 0 || x[1] % (b * b)) kernelFail(sig, "X " + shapeText(x) + " does not fit the block size");
  return {{x[0], x[1] / (b * b), x[2] * b, x[3] * b}};
}

std::vector<Shape> spaceToDepth(const KernelSignature &sig) {
  const Shape &x = in(sig, 0);
  const int64_t b = sig.attrs.i("blocksize");
  if (x.size() != 4 || b <= 0 || x[2] % b || x[3] % b) kernelFail(sig, "X " + shapeText(x) + " does not fit the block size");
  return {{x[0], x[1] * b * b, x[2] / b, x[3] / b}};
}

// Ops whose output sizes depend on their input values: the shapes at capacity, the most
// the values can give (the kernel writes the actual shapes when it runs).

// NonZero: [rank(X), numel(X)] (every element nonzero).
std::vector<Shape> nonZero(const KernelSignature &sig) {
  const Shape &x = in(sig, 0);
  if (x.empty()) kernelFail(sig, "X is a scalar (rank 0), for which ONNX leaves NonZero's result ill-defined");
  int64_t numel = 1;
  for (int64_t d : x) numel *= d;
  return {{int64_t(x.size()), numel}};
}

// Compress along `axis`: the input's shape (every slice selected).
std::vector<Shape> compress(const KernelSignature &sig) {
  const Shape &x = in(sig, 0), &condition = in(sig, 1);
  const int64_t axis = sig.attrs.i("axis");
  if (axis < 0 || axis >= int64_t(x.size())) kernelFail(sig, "axis is out of range");
  if (condition.size() != 1 || condition[0] > x[size_t(axis)])
    kernelFail(sig, "condition " + shapeText(condition) + " is not a list no longer than the input " + shapeText(x) +
                        " along axis " + std::to_string(axis));
  return {x};
}

// Unique: Y, indices, inverse_indices, counts with every element (or slice along `axis`)
// unique: [numel] x 4 without an axis; X's shape, then [X.shape[axis]] x 3 with one.
std::vector<Shape> unique(const KernelSignature &sig) {
  const Shape &x = in(sig, 0);
  if (!sig.attrs.has("axis")) {
    int64_t numel = 1;
    for (int64_t d : x) numel *= d;
    return std::vector<Shape>(4, Shape{numel});
  }
  const int64_t axis = sig.attrs.i("axis");
  if (axis < 0 || axis >= int64_t(x.size())) kernelFail(sig, "axis is out of range");
  const Shape slices{x[size_t(axis)]};
  return {x, slices, slices, slices};
}

// NonMaxSuppression: [B * C * N, 3] for boxes [B, N, 4] and scores [B, C, N] (every box
// of every class selected).
std::vector<Shape> nonMaxSuppression(const KernelSignature &sig) {
  const Shape &boxes = in(sig, 0), &scores = in(sig, 1);
  if (boxes.size() != 3 || boxes[2] != 4 || scores.size() != 3 || scores[0] != boxes[0] || scores[2] != boxes[1])
    kernelFail(sig, "boxes " + shapeText(boxes) + " and scores " + shapeText(scores) +
                        " are not [B, N, 4] and [B, C, N]");
  return {{boxes[0] * scores[1] * boxes[1], 3}};
}

const std::map<std::string, ShapeFn> &table() {
  static const std::map<std::string, ShapeFn> t = [] {
    std::map<std::string, ShapeFn> m;
    for (const char *op :
         {"Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Cast", "Ceil", "Copy", "Cos", "Cosh", "Elu", "Erf",
          "Exp", "Floor", "HardSigmoid", "HardSwish", "IsInf", "IsNaN", "LeakyRelu", "Log", "Neg", "Not", "Reciprocal",
          "Relu", "Round", "Selu", "Shrink", "Sigmoid", "Sign", "Sin", "Sinh", "Softplus", "Softsign", "Sqrt", "Tan",
          "Tanh", "ThresholdedRelu", "Clip", "Softmax", "LogSoftmax", "Hardmax", "BatchNormalization",
          "InstanceNormalization", "LRN", "RMSNormalization", "QuantizeLinear", "DequantizeLinear", "CumSum", "Trilu"})
      m[op] = sameAsFirst;
    for (const char *op : {"Add", "Sub", "Mul", "Div", "Pow", "Mod", "BitShift", "Min", "Max", "Sum", "Mean", "Equal",
                           "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Where"})
      m[op] = broadcastAll;
    m["FusedElementwise"] = broadcastAll;  // its inputs broadcast to its result
    m["PRelu"] = firstInput;
    m["LayerNormalization"] = layerNorm;
    m["Conv"] = conv;
    m["MaxPool"] = pool;
    m["AveragePool"] = pool;
    m["GlobalAveragePool"] = globalPool;
    m["GlobalMaxPool"] = globalPool;
    m["Gemm"] = gemm;
    m["MatMul"] = matmul;
    m["ScaledDotProductAttention"] = attention;
    m["SqueezeExcitation"] = firstInput;  // x scaled per channel
    m["PointwiseDepthwiseConv"] = pointwiseDepthwise;
    m["Transpose"] = transpose;
    m["Concat"] = concat;
    m["Gather"] = gather;
    for (const char *op : {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                           "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"})
      m[op] = reduce;
    m["ArgMax"] = argReduce;
    m["ArgMin"] = argReduce;
    m["Pad"] = pad;
    m["Slice"] = slice;
    m["Range"] = range;
    m["Expand"] = expand;
    m["Shape"] = [](const KernelSignature &sig) { return std::vector<Shape>{sig.outputs[0]->shape}; };
    m["Resize"] = resize;
    m["DepthToSpace"] = depthToSpace;
    m["Split"] = split;
    m["TopK"] = topK;
    m["OneHot"] = oneHot;
    for (const char *op : {"RNN", "GRU", "LSTM"}) m[op] = recurrent;
    m["SpaceToDepth"] = spaceToDepth;
    m["NonZero"] = nonZero;
    m["Compress"] = compress;
    m["Unique"] = unique;
    m["NonMaxSuppression"] = nonMaxSuppression;
    m["GatherND"] = gatherND;
    m["Tile"] = tile;
    m["GatherElements"] = secondInput;
    m["Loop"] = loop;
    // If and Scan: the kernel takes its outputs' sizes from the body it called; the
    // compiled ones are the capacity.
    m["If"] = compiledOutputs;
    m["Scan"] = compiledOutputs;
    return m;
  }();
  return t;
}

}  // namespace

std::string shapeText(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

bool hasShapeFunction(const std::string &op) { return table().count(op) != 0; }

bool shapeNeedsValues(const KernelSignature &sig) {
  return sig.op == "Range" ||
         ((sig.op == "Expand" || sig.op == "Slice" || sig.op == "Tile" || sig.op == "Split") && sig.inputs.size() > 1 &&
          sig.inputs[1]) ||
         (sig.op == "Pad" && sig.inputs.size() > 2 && sig.inputs[2]);
}

bool shapeIsDataDependent(const std::string &op) {
  return op == "NonZero" || op == "Compress" || op == "Unique" || op == "NonMaxSuppression" || op == "Loop" ||
         op == "If" || op == "Scan";
}

std::vector<std::string> shapeFunctionOps() {
  std::vector<std::string> ops;
  for (const auto &entry : table()) ops.push_back(entry.first);
  return ops;
}

std::vector<Shape> inferOutputShapes(const KernelSignature &sig) {
  auto it = table().find(sig.op);
  if (it == table().end())
    kernelFail(sig, "its input shapes vary at run time (dynamic dims), and " + sig.op +
                        " cannot compute its output shapes from them yet");
  std::vector<Shape> out = it->second(sig);
  if (out.size() != sig.outputs.size()) kernelFail(sig, "the shape function gave the wrong number of outputs");
  for (size_t i = 0; i < out.size(); ++i)
    if (out[i].size() != sig.outputs[i]->shape.size())
      kernelFail(sig, "output " + std::to_string(i) + " would have shape " + shapeText(out[i]) + ", of another rank than " +
                          shapeText(sig.outputs[i]->shape));
  return out;
}

}  // namespace edgec::rt
