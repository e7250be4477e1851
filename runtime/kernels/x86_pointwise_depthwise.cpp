// x86 f32 PointwiseDepthwiseConv: the x86 Conv kernel's pointwise GEMM and depthwise paths
// (x86_conv_parts.h) run on a block of expanded channels at a time. Each thread expands
// its block into a buffer of its own scratch, sized to stay in its core's L2, and runs the
// depthwise conv over it right away, so E, the expanded tensor, never goes to memory: the
// unfused kernels write all of it and read it back (4.8 MB at MobileNetV2's and
// EfficientNet-B0's 112x112 expansion, more than L2 holds). Every output is computed by
// the same instructions as in the two unfused x86 Conv kernels, so the bits are theirs,
// for any thread count. Baseline code: the ISA lives in the Conv kernels it prepares.
#include <memory>
#include <numeric>

#include "ref/pointwise_depthwise.h"
#include "ref/util.h"
#include "register_kernels.h"
#include "x86_conv_parts.h"

namespace edgec::rt {

x86::ConvParts::~ConvParts() = default;

namespace {

// The buffer a block of E may take: with the block's input (C planes, read again for each
// block) it should stay in a 2 MiB L2. MobileNetV2's 112x112 expansion takes blocks of 8
// channels (392 KiB), its 56x56 ones 16 (196 KiB).
constexpr int64_t kBlockBytes = 384 * 1024;

size_t align64(size_t n) { return (n + 63) & ~size_t(63); }
int64_t roundUp(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

class X86PointwiseDepthwise final : public Kernel {
public:
  explicit X86PointwiseDepthwise(x86::ConvParts *(*newParts)()) : newParts_(newParts) {}

  void prepare(const KernelSignature &sig) override {
    parts_ = std::make_unique<ref::PointwiseDepthwiseParts>(sig);
    pointwise_.reset(newParts_());
    pointwise_->prepare(parts_->pointwise());
    depthwise_.reset(newParts_());
    depthwise_->prepare(parts_->depthwise());
    if (!pointwise_->pointwiseRowsApply() || !depthwise_->depthwiseChannelsApply())
      kernelFail(sig, "the x86 kernel needs constant pointwise weights and a depthwise kernel larger than 1x1");
    granule_ = std::lcm(pointwise_->rowGranule(), depthwise_->channelGranule());
    const int64_t planeBytes = parts_->plane() * static_cast<int64_t>(sizeof(float));
    block_ = std::max<int64_t>(granule_, kBlockBytes / planeBytes / granule_ * granule_);
    block_ = std::min(block_, roundUp(parts_->channels(), granule_));
    blockBytes_ = align64(static_cast<size_t>(block_ * planeBytes));
  }

  size_t scratchBytes() const override {
    return blockBytes_ + std::max(pointwise_->scratchBytes(), depthwise_->scratchBytes());
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>(), *b1 = in[2]->as<float>();
    const float *w2 = in[3]->as<float>(), *b2 = in[4]->as<float>();
    float *y = out[0]->as<float>();
    // At least a block per thread where the channels allow: any block boundaries give the
    // same bits (each channel is computed on its own).
    const int64_t M = parts_->channels();
    const int64_t block = std::min(block_, roundUp((M + ctx.threads - 1) / ctx.threads, granule_));
    const int64_t blocks = (M + block - 1) / block;
    const int64_t inItem = parts_->inChannels() * parts_->plane();
    ctx.parallelFor(parts_->batch() * blocks, 1, [&](int64_t begin, int64_t end, int thread) {
      auto *scratch = static_cast<char *>(ctx.threadScratch(thread));
      auto *e = reinterpret_cast<float *>(scratch);
      void *partScratch = scratch + blockBytes_;
      for (int64_t i = begin; i < end; ++i) {
        const int64_t n = i / blocks, m0 = (i % blocks) * block, m1 = std::min(M, m0 + block);
        pointwise_->pointwiseRows(x + n * inItem, b1, m0, m1, e, partScratch);
        depthwise_->depthwiseChannels(e, w2, b2, n, m0, m1, y, partScratch);
      }
    });
  }

private:
  x86::ConvParts *(*newParts_)();
  std::unique_ptr<ref::PointwiseDepthwiseParts> parts_;
  std::unique_ptr<x86::ConvParts> pointwise_, depthwise_;
  int64_t granule_ = 1;  // what blocks of channels must be multiples of
  int64_t block_ = 0;    // channels of E per block, at most
  size_t blockBytes_ = 0;
};

}  // namespace

Kernel *newX86Avx2PointwiseDepthwise() { return new X86PointwiseDepthwise(newX86Avx2ConvParts); }
Kernel *newX86Avx512PointwiseDepthwise() { return new X86PointwiseDepthwise(newX86Avx512ConvParts); }

}  // namespace edgec::rt
