// Reference N-d ConvTranspose (fp32; groups, strides, dilations, begin/end pads,
// output_padding, optional bias), as a GEMM followed by col2im.
//
// Input position x of channel c adds x·W[c, m, t] to output position x·S + t·D - pad of
// channel m. Gathering per output (as ref Conv does) would need, for every output, the
// inputs whose taps land on it: a division and a remainder per tap. Instead each output
// channel m is computed on its own: first its "columns" col[t][x] = Σ_c W[c, m, t]·X[c, x]
// (contiguous axpys over the input, which vectorize), then each column row is added at
// its tap's shifted, strided positions (col2im). Output channels are independent, so the
// work splits over them with no output touched by two threads, and every output is summed
// in the same order whatever the thread count. The columns of one channel take
// kernel-size x input-size floats of per-thread scratch.
#include <algorithm>
#include <cstring>

#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

class RefConvTranspose final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    const auto [x, w, b, y] = requireConvOperands(sig, "ConvTranspose");
    nd_ = size_t(x.rank() - 2);
    batch_ = x.shape[0];
    inChannels_ = x.shape[1];
    group_ = sig.attrs.i("group", 1);
    if (group_ < 1 || inChannels_ % group_ != 0 || w.shape[0] != inChannels_)
      kernelFail(sig, "W " + shapeStr(w.shape) + " and group " + std::to_string(group_) + " do not fit X's " +
                          std::to_string(inChannels_) + " channels (W is [C, M/group, k...])");
    outPerGroup_ = w.shape[1];
    outChannels_ = outPerGroup_ * group_;
    inSpatial_.assign(x.shape.begin() + 2, x.shape.end());
    kernel_.assign(w.shape.begin() + 2, w.shape.end());
    strides_ = spatialAttr(sig, "strides", nd_, 1, 1);
    dilations_ = spatialAttr(sig, "dilations", nd_, 1, 1);
    const std::vector<int64_t> pads = spatialAttr(sig, "pads", 2 * nd_, 0, 0);
    const std::vector<int64_t> outputPadding = spatialAttr(sig, "output_padding", nd_, 0, 0);
    padsBegin_.assign(pads.begin(), pads.begin() + int64_t(nd_));
    std::vector<int64_t> expected = {batch_, outChannels_};
    for (size_t d = 0; d < nd_; ++d) {
      const int64_t o = strides_[d] * (inSpatial_[d] - 1) + outputPadding[d] + dilations_[d] * (kernel_[d] - 1) + 1 -
                        pads[d] - pads[nd_ + d];
      if (o < 1) kernelFail(sig, "pads " + shapeStr(pads) + " leave no output");
      expected.push_back(o);
    }
    requireShape(sig, y, expected, "output");
    if (b) requireShape(sig, *b, {outChannels_}, "bias");
    hasBias_ = b != nullptr;
    outSpatial_.assign(expected.begin() + 2, expected.end());
    inSize_ = product(inSpatial_);
    outSize_ = product(outSpatial_);
    kernelSize_ = product(kernel_);
    outStrides_ = contiguousStrides(outSpatial_);
    // Per dim, tap k and input index i: the output index i·S + k·D - pad, or -1 outside.
    target_.assign(nd_, {});
    for (size_t d = 0; d < nd_; ++d)
      for (int64_t k = 0; k < kernel_[d]; ++k)
        for (int64_t i = 0; i < inSpatial_[d]; ++i) {
          const int64_t o = i * strides_[d] + k * dilations_[d] - padsBegin_[d];
          target_[d].push_back(o >= 0 && o < outSpatial_[d] ? o : -1);
        }
  }

  size_t scratchBytes() const override { return size_t(kernelSize_ * inSize_) * sizeof(float); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    const float *w = in[1]->as<float>();
    const float *bias = hasBias_ && in.size() > 2 && in[2] && in[2]->data ? in[2]->as<float>() : nullptr;
    float *y = out[0]->as<float>();
    const int64_t cg = inChannels_ / group_;
    // About 64K multiply-adds per thread at least: waking a thread costs more.
    const int64_t perChannel = std::max<int64_t>(1, cg * kernelSize_ * inSize_);
    const int64_t grain = std::max<int64_t>(1, 65536 / perChannel);
    for (int64_t n = 0; n < batch_; ++n) {
      const float *xn = x + n * inChannels_ * inSize_;
      float *yn = y + n * outChannels_ * outSize_;
      ctx.parallelFor(outChannels_, grain, [&](int64_t begin, int64_t end, int thread) {
        float *cols = static_cast<float *>(ctx.threadScratch(thread));
        for (int64_t j = begin; j < end; ++j) outputChannel(j, xn, w, bias, cols, yn + j * outSize_);
      });
    }
  }

private:
  // Output channel j (group g, channel m within it) of one batch item.
  void outputChannel(int64_t j, const float *xn, const float *w, const float *bias, float *cols, float *yj) const {
    const int64_t cg = inChannels_ / group_, g = j / outPerGroup_, m = j % outPerGroup_;
    std::fill(cols, cols + kernelSize_ * inSize_, 0.f);
    for (int64_t c = 0; c < cg; ++c) {
      const float *xc = xn + (g * cg + c) * inSize_;
      const float *wc = w + ((g * cg + c) * outPerGroup_ + m) * kernelSize_;
      for (int64_t t = 0; t < kernelSize_; ++t) {
        const float wt = wc[t];
        float *col = cols + t * inSize_;
        for (int64_t i = 0; i < inSize_; ++i) col[i] += wt * xc[i];
      }
    }
    std::fill(yj, yj + outSize_, bias ? bias[j] : 0.f);
    col2im(cols, yj);
  }

  // Adds each tap's column row at its output positions: the outer spatial dims by index
  // tables, the last dim as a strided run over its in-range inputs.
  void col2im(const float *cols, float *yj) const {
    const size_t last = nd_ - 1;
    const int64_t inLast = inSpatial_[last], rows = inSize_ / inLast;
    std::vector<int64_t> k(nd_, 0), i(nd_, 0);
    for (int64_t t = 0; t < kernelSize_; ++t) {
      const float *col = cols + t * inSize_;
      const int64_t *lastTarget = target_[last].data() + k[last] * inLast;
      // In-range inputs of the last dim form one run (the target is affine in i).
      int64_t lo = 0, hi = inLast;
      while (lo < hi && lastTarget[lo] < 0) ++lo;
      while (hi > lo && lastTarget[hi - 1] < 0) --hi;
      std::fill(i.begin(), i.end(), 0);
      for (int64_t r = 0; r < rows; ++r) {
        int64_t off = 0;
        bool inside = true;
        for (size_t d = 0; d < last && inside; ++d) {
          const int64_t o = target_[d][size_t(k[d] * inSpatial_[d] + i[d])];
          inside = o >= 0;
          off += o * outStrides_[d];
        }
        if (inside && lo < hi) {
          const float *src = col + r * inLast;
          float *dst = yj + off + lastTarget[lo];
          const int64_t step = strides_[last];
          for (int64_t q = lo; q < hi; ++q) dst[(q - lo) * step] += src[q];
        }
        for (size_t d = last; d-- > 0;) {  // next input row (odometer over the outer dims)
          if (++i[d] < inSpatial_[d]) break;
          i[d] = 0;
        }
      }
      for (size_t d = nd_; d-- > 0;) {  // next tap
        if (++k[d] < kernel_[d]) break;
        k[d] = 0;
      }
    }
  }

  size_t nd_ = 0;
  int64_t batch_ = 0, inChannels_ = 0, outChannels_ = 0, outPerGroup_ = 0, group_ = 1;
  int64_t inSize_ = 0, outSize_ = 0, kernelSize_ = 0;
  bool hasBias_ = false;
  std::vector<int64_t> inSpatial_, outSpatial_, kernel_, strides_, dilations_, padsBegin_, outStrides_;
  std::vector<std::vector<int64_t>> target_;  // [dim][tap index · input size + input index]
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefConvTranspose(KernelRegistry &r) { r.add<ref::RefConvTranspose>("ConvTranspose", Isa::Ref); }
}  // namespace edgec::rt
