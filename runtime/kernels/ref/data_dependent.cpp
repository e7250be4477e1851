// Reference NonZero, Compress, Unique and NonMaxSuppression: ops whose output sizes depend
// on their input values. The compiler plans each output at its capacity (an upper bound,
// the shape functions of shape_inference.cpp); prepare sees the outputs at that shape and
// remembers it, and run writes the actual results densely (row-major for the actual shape)
// at the start of each output buffer and sets the output's shape to the actual one. A
// result larger than the planned capacity fails the run naming the node; nothing is ever
// written beyond it. All run on one thread: these ops are rare and cheap in inference.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "ref/runtime_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

// Every dtype these kernels compare or test against zero (strings are out of scope).
using ValueTypes = CastTypes;

[[noreturn]] void overCapacity(const std::string &where, const char *what, int64_t actual, int64_t capacity) {
  throw Error(where + ": " + std::to_string(actual) + " " + what + " exceed the capacity of " +
              std::to_string(capacity) + " the output was planned for");
}

// Numbers in the arithmetic type, with a total order: NaN equals NaN and sorts above
// every number (numpy.unique's order; its equal_nan=True merges NaNs).
template <typename A> bool lessValue(A a, A b) {
  if (isNan(a)) return false;
  if (isNan(b)) return true;
  return a < b;
}
template <typename A> bool sameValue(A a, A b) { return isNan(a) ? isNan(b) : a == b; }

// NonZero: X (rank >= 1) -> Y i64 [rank, n], the coordinates of the nonzero elements in
// row-major order (numpy.nonzero stacked); capacity n = numel(X).
class RefNonZero final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, x, ValueTypes{}, "X");
    requireDType(sig, y, Types<int64_t>{}, "Y");
    if (x.rank() == 0) kernelFail(sig, "X is a scalar (rank 0), for which ONNX leaves NonZero's result ill-defined");
    if (y.rank() != 2 || y.shape[0] != x.rank())
      kernelFail(sig, "Y has shape " + shapeStr(y.shape) + ", expected [" + std::to_string(x.rank()) + ", capacity]");
    shape_ = x.shape;
    capacity_ = y.shape[1];
    dtype_ = x.dtype;
    where_ = nodeWhere(sig);
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(ValueTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      const int64_t numel = product(shape_);
      auto nonzero = [](T v) { return Arith<T>::load(v) != typename Arith<T>::type(0); };
      int64_t n = 0;
      for (int64_t f = 0; f < numel; ++f) n += nonzero(x[f]) ? 1 : 0;
      if (n > capacity_) overCapacity(where_, "nonzero elements", n, capacity_);
      int64_t *y = out[0]->as<int64_t>();
      const size_t rank = shape_.size();
      std::vector<int64_t> idx(rank, 0);
      int64_t k = 0;
      for (int64_t f = 0; f < numel; ++f) {
        if (nonzero(x[f])) {
          for (size_t d = 0; d < rank; ++d) y[int64_t(d) * n + k] = idx[d];
          ++k;
        }
        for (size_t d = rank; d-- > 0;) {  // the next row-major multi-index
          if (++idx[d] < shape_[d]) break;
          idx[d] = 0;
        }
      }
      out[0]->shape = {int64_t(rank), n};
    });
  }

private:
  std::vector<int64_t> shape_;
  int64_t capacity_ = 0;
  DType dtype_ = DType::f32;
  std::string where_;
};

// Compress along `axis`: the slices whose condition is true among the first
// min(len(condition), dim) (later slices count as false); a condition longer than the
// axis is refused. Capacity: the input's size along the axis.
class RefCompress final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 2);
    const TensorView &x = requireInput(sig, 0, "input");
    const TensorView &cond = requireInput(sig, 1, "condition");
    const TensorView &y = requireOutput(sig, 0);
    requireUnpacked(sig, x);
    requireSameDType(sig, x, y, "output");
    requireDType(sig, cond, Types<Bool>{}, "condition");
    if (cond.rank() != 1) kernelFail(sig, "condition must be 1-D, got " + shapeStr(cond.shape));
    const int64_t axis = sig.attrs.i("axis");
    if (axis < 0 || axis >= x.rank())
      kernelFail(sig, "axis " + std::to_string(axis) + " is out of range for input " + shapeStr(x.shape));
    n_ = x.shape[size_t(axis)];
    if (cond.shape[0] > n_)
      kernelFail(sig, "condition has length " + std::to_string(cond.shape[0]) + ", longer than the input's " +
                          std::to_string(n_) + " along axis " + std::to_string(axis));
    std::vector<int64_t> expected = x.shape;
    expected[size_t(axis)] = y.rank() == x.rank() ? y.shape[size_t(axis)] : -1;
    requireShape(sig, y, expected, "output (at capacity)");
    outShape_ = y.shape;
    axis_ = size_t(axis);
    capacity_ = y.shape[axis_];
    condLen_ = cond.shape[0];
    outer_ = product(x.shape, 0, axis_);
    sliceBytes_ = size_t(product(x.shape, axis_ + 1)) * dtypeSize(x.dtype);
    where_ = nodeWhere(sig);
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const Bool *cond = in[1]->as<Bool>();
    int64_t k = 0;
    for (int64_t j = 0; j < condLen_; ++j) k += cond[j].v ? 1 : 0;
    if (k > capacity_) overCapacity(where_, "selected slices", k, capacity_);
    const auto *x = static_cast<const uint8_t *>(in[0]->data);
    auto *y = static_cast<uint8_t *>(out[0]->data);
    for (int64_t o = 0; o < outer_; ++o) {
      int64_t p = 0;
      for (int64_t j = 0; j < condLen_; ++j)
        if (cond[j].v)
          std::memcpy(y + size_t(o * k + p++) * sliceBytes_, x + size_t(o * n_ + j) * sliceBytes_, sliceBytes_);
    }
    out[0]->shape = outShape_;
    out[0]->shape[axis_] = k;
  }

private:
  std::vector<int64_t> outShape_;
  size_t axis_ = 0, sliceBytes_ = 0;
  int64_t n_ = 0, capacity_ = 0, condLen_ = 0, outer_ = 0;
  std::string where_;
};

// Unique (numpy.unique with return_index, return_inverse and return_counts; ONNX's order
// of first occurrence when sorted = 0). Without `axis` the elements of the flattened X;
// with it the slices along the axis, compared as wholes, lexicographically in row-major
// order. Outputs Y, indices, inverse_indices, counts; capacity u = numel(X) or the axis'
// size.
class RefUnique final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    requireDType(sig, x, ValueTypes{}, "X");
    if (sig.outputs.size() != 4)
      kernelFail(sig, "expected 4 outputs (Y, indices, inverse_indices, counts), got " +
                          std::to_string(sig.outputs.size()));
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, y, "Y");
    const char *names[] = {"Y", "indices", "inverse_indices", "counts"};
    for (size_t o = 1; o < 4; ++o) requireDType(sig, requireOutput(sig, o), Types<int64_t>{}, names[o]);
    const int64_t sortedAttr = sig.attrs.i("sorted", 1);
    if (sortedAttr != 0 && sortedAttr != 1)
      kernelFail(sig, "sorted must be 0 or 1, got " + std::to_string(sortedAttr));
    sorted_ = sortedAttr == 1;
    hasAxis_ = sig.attrs.has("axis");
    if (hasAxis_) {
      const int64_t axis = sig.attrs.i("axis");
      if (axis < 0 || axis >= x.rank())
        kernelFail(sig, "axis " + std::to_string(axis) + " is out of range for X " + shapeStr(x.shape));
      axis_ = size_t(axis);
      outer_ = product(x.shape, 0, axis_);
      n_ = x.shape[axis_];
      inner_ = product(x.shape, axis_ + 1);
      capacity_ = y.rank() == x.rank() ? y.shape[axis_] : -1;
      std::vector<int64_t> expected = x.shape;
      expected[axis_] = capacity_;
      requireShape(sig, y, expected, "Y (at capacity)");
    } else {
      outer_ = 1;
      n_ = x.numel();
      inner_ = 1;
      capacity_ = y.rank() == 1 ? y.shape[0] : -1;
      requireShape(sig, y, {capacity_}, "Y (at capacity)");
    }
    if (capacity_ < 0) kernelFail(sig, "Y has a negative capacity");
    requireShape(sig, *sig.outputs[1], {capacity_}, "indices (at capacity)");
    requireShape(sig, *sig.outputs[2], {n_}, "inverse_indices");
    requireShape(sig, *sig.outputs[3], {capacity_}, "counts (at capacity)");
    yShape_ = y.shape;
    dtype_ = x.dtype;
    where_ = nodeWhere(sig);
  }

  // order, group of each slice, each group's first slice and count, each group's rank.
  size_t scratchBytes() const override { return 5 * size_t(n_) * sizeof(int64_t); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    int64_t *order = reinterpret_cast<int64_t *>(ctx.scratch);
    int64_t *groupOf = order + n_, *first = groupOf + n_, *count = first + n_, *rankOf = count + n_;
    int64_t groups = 0;
    dispatch(ValueTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      const int64_t n = n_, inner = inner_, outer = outer_;
      auto at = [&](int64_t slice, int64_t o, int64_t i) { return Arith<T>::load(x[(o * n + slice) * inner + i]); };
      // -1, 0, 1: slice a before, equal to, after slice b.
      auto compare = [&](int64_t a, int64_t b) {
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            const auto va = at(a, o, i), vb = at(b, o, i);
            if (lessValue(va, vb)) return -1;
            if (lessValue(vb, va)) return 1;
          }
        return 0;
      };
      std::iota(order, order + n, int64_t(0));
      // Stable: among equal slices the first occurrence comes first (numpy's mergesort).
      std::stable_sort(order, order + n, [&](int64_t a, int64_t b) { return compare(a, b) < 0; });
      for (int64_t k = 0; k < n; ++k) {
        if (k == 0 || compare(order[k - 1], order[k]) != 0) {
          first[groups] = order[k];
          count[groups] = 0;
          ++groups;
        }
        groupOf[order[k]] = groups - 1;
        ++count[groups - 1];
      }
    });
    if (groups > capacity_) overCapacity(where_, "unique values", groups, capacity_);
    // Output position of each group: sorted order, or the order of first occurrence.
    int64_t *byPosition = order;  // reused: the group at each output position
    std::iota(byPosition, byPosition + groups, int64_t(0));
    if (!sorted_) std::sort(byPosition, byPosition + groups, [&](int64_t a, int64_t b) { return first[a] < first[b]; });
    for (int64_t p = 0; p < groups; ++p) rankOf[byPosition[p]] = p;

    int64_t *indices = out[1]->as<int64_t>(), *inverse = out[2]->as<int64_t>(), *counts = out[3]->as<int64_t>();
    for (int64_t p = 0; p < groups; ++p) {
      indices[p] = first[byPosition[p]];
      counts[p] = count[byPosition[p]];
    }
    for (int64_t j = 0; j < n_; ++j) inverse[j] = rankOf[groupOf[j]];
    const size_t es = dtypeSize(dtype_), sliceBytes = size_t(inner_) * es;
    const auto *x = static_cast<const uint8_t *>(in[0]->data);
    auto *y = static_cast<uint8_t *>(out[0]->data);
    for (int64_t o = 0; o < outer_; ++o)
      for (int64_t p = 0; p < groups; ++p)
        std::memcpy(y + size_t(o * groups + p) * sliceBytes, x + size_t(o * n_ + indices[p]) * sliceBytes, sliceBytes);

    out[0]->shape = yShape_;
    out[0]->shape[hasAxis_ ? axis_ : 0] = groups;
    out[1]->shape = {groups};
    out[2]->shape = {n_};
    out[3]->shape = {groups};
  }

private:
  std::vector<int64_t> yShape_;
  bool sorted_ = true, hasAxis_ = false;
  size_t axis_ = 0;
  int64_t outer_ = 1, n_ = 0, inner_ = 1, capacity_ = 0;
  DType dtype_ = DType::f32;
  std::string where_;
};

// NonMaxSuppression as ONNX's reference (and ONNX Runtime's CPU kernel): per batch and
// class, the boxes scoring above score_threshold (all boxes without one), best score
// first (ties: lower box index first; NaN scores last), selected greedily unless their
// IoU with a box already selected exceeds iou_threshold, at most
// max_output_boxes_per_class of them (absent or <= 0: none). IoU in f32 as the reference.
// Output rows (batch, class, box) in that order; capacity B * C * N rows.
class RefNonMaxSuppression final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 5);
    const TensorView &boxes = requireInput(sig, 0, "boxes");
    const TensorView &scores = requireInput(sig, 1, "scores");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, boxes, Types<float>{}, "boxes");
    requireDType(sig, scores, Types<float>{}, "scores");
    requireDType(sig, y, Types<int64_t>{}, "selected_indices");
    if (boxes.rank() != 3 || boxes.shape[2] != 4)
      kernelFail(sig, "boxes must be [num_batches, num_boxes, 4], got " + shapeStr(boxes.shape));
    if (scores.rank() != 3 || scores.shape[0] != boxes.shape[0] || scores.shape[2] != boxes.shape[1])
      kernelFail(sig, "scores must be [num_batches, num_classes, num_boxes] = [" + std::to_string(boxes.shape[0]) +
                          ", C, " + std::to_string(boxes.shape[1]) + "] for boxes " + shapeStr(boxes.shape) +
                          ", got " + shapeStr(scores.shape));
    batches_ = boxes.shape[0];
    boxCount_ = boxes.shape[1];
    classes_ = scores.shape[1];
    // Each optional input holds one value; an empty one counts as absent (the reference).
    auto scalar = [&](size_t i, DType t, const char *what) {
      const TensorView *v = optionalInput(sig, i);
      if (!v) return false;
      if (v->dtype != t)
        kernelFail(sig, std::string(what) + " must be " + dtypeName(t) + ", got " + dtypeName(v->dtype));
      if (v->numel() > 1 || v->rank() > 1)
        kernelFail(sig, std::string(what) + " must hold one value, got shape " + shapeStr(v->shape));
      return v->numel() == 1;
    };
    hasMax_ = scalar(2, DType::i64, "max_output_boxes_per_class");
    hasIou_ = scalar(3, DType::f32, "iou_threshold");
    hasScore_ = scalar(4, DType::f32, "score_threshold");
    const int64_t center = sig.attrs.i("center_point_box", 0);
    if (center != 0 && center != 1) kernelFail(sig, "center_point_box must be 0 or 1, got " + std::to_string(center));
    centerPoint_ = center == 1;
    if (y.rank() != 2 || y.shape[1] != 3)
      kernelFail(sig, "selected_indices has shape " + shapeStr(y.shape) + ", expected [capacity, 3]");
    capacity_ = y.shape[0];
    where_ = nodeWhere(sig);
  }

  // One class's candidates in order, and the ones selected.
  size_t scratchBytes() const override { return 2 * size_t(boxCount_) * sizeof(int64_t); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int64_t maxOut = hasMax_ ? std::max<int64_t>(in[2]->as<int64_t>()[0], 0) : 0;
    const float iouThreshold = hasIou_ ? in[3]->as<float>()[0] : 0.f;
    const float scoreThreshold = hasScore_ ? in[4]->as<float>()[0] : 0.f;
    const float *boxes = in[0]->as<float>(), *scores = in[1]->as<float>();
    int64_t *y = out[0]->as<int64_t>();
    int64_t *candidates = reinterpret_cast<int64_t *>(ctx.scratch), *selected = candidates + boxCount_;
    const int64_t n = boxCount_;
    int64_t rows = 0;
    for (int64_t b = 0; b < batches_ && maxOut > 0; ++b)
      for (int64_t c = 0; c < classes_; ++c) {
        const float *score = scores + (b * classes_ + c) * n;
        const float *batchBoxes = boxes + b * n * 4;
        int64_t count = 0;
        for (int64_t i = 0; i < n; ++i)
          if (!hasScore_ || score[i] > scoreThreshold) candidates[count++] = i;
        std::sort(candidates, candidates + count, [&](int64_t i, int64_t j) {
          const bool nanI = std::isnan(score[i]), nanJ = std::isnan(score[j]);
          if (nanI != nanJ) return nanJ;  // numbers before NaN
          if (!nanI && score[i] != score[j]) return score[i] > score[j];
          return i < j;
        });
        int64_t kept = 0;
        for (int64_t k = 0; k < count && kept < maxOut; ++k) {
          const int64_t box = candidates[k];
          bool keep = true;
          for (int64_t s = 0; s < kept && keep; ++s)
            keep = !suppresses(batchBoxes + box * 4, batchBoxes + selected[s] * 4, iouThreshold);
          if (!keep) continue;
          selected[kept++] = box;
          if (rows >= capacity_) overCapacity(where_, "selected boxes (at least)", rows + 1, capacity_);
          y[rows * 3] = b;
          y[rows * 3 + 1] = c;
          y[rows * 3 + 2] = box;
          ++rows;
        }
      }
    out[0]->shape = {rows, 3};
  }

private:
  // Whether boxes a and b overlap by an IoU above the threshold: the reference's
  // arithmetic, step by step in f32 (corners in either order; the file is built without
  // floating-point contraction so that no step fuses into another).
  bool suppresses(const float *a, const float *b, float threshold) const {
    float ax0, ax1, ay0, ay1, bx0, bx1, by0, by1;
    if (centerPoint_) {  // [x_center, y_center, width, height]
      ax0 = a[0] - a[2] / 2, ax1 = a[0] + a[2] / 2, ay0 = a[1] - a[3] / 2, ay1 = a[1] + a[3] / 2;
      bx0 = b[0] - b[2] / 2, bx1 = b[0] + b[2] / 2, by0 = b[1] - b[3] / 2, by1 = b[1] + b[3] / 2;
    } else {  // [y1, x1, y2, x2], any diagonal pair of corners
      ax0 = std::min(a[1], a[3]), ax1 = std::max(a[1], a[3]), ay0 = std::min(a[0], a[2]), ay1 = std::max(a[0], a[2]);
      bx0 = std::min(b[1], b[3]), bx1 = std::max(b[1], b[3]), by0 = std::min(b[0], b[2]), by1 = std::max(b[0], b[2]);
    }
    const float ix0 = std::max(ax0, bx0), ix1 = std::min(ax1, bx1);
    if (ix1 <= ix0) return false;
    const float iy0 = std::max(ay0, by0), iy1 = std::min(ay1, by1);
    if (iy1 <= iy0) return false;
    const float intersection = (ix1 - ix0) * (iy1 - iy0);
    if (intersection <= 0) return false;
    const float areaA = (ax1 - ax0) * (ay1 - ay0), areaB = (bx1 - bx0) * (by1 - by0);
    const float unionArea = areaA + areaB - intersection;
    if (areaA <= 0 || areaB <= 0 || unionArea <= 0) return false;
    return intersection / unionArea > threshold;
  }

  int64_t batches_ = 0, boxCount_ = 0, classes_ = 0, capacity_ = 0;
  bool hasMax_ = false, hasIou_ = false, hasScore_ = false, centerPoint_ = false;
  std::string where_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefDataDependent(KernelRegistry &r) {
  r.add<ref::RefNonZero>("NonZero", Isa::Ref);
  r.add<ref::RefCompress>("Compress", Isa::Ref);
  r.add<ref::RefUnique>("Unique", Isa::Ref);
  r.add<ref::RefNonMaxSuppression>("NonMaxSuppression", Isa::Ref);
}

}  // namespace edgec::rt
