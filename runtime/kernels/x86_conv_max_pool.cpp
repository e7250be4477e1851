// x86 f32 ConvMaxPool: the x86 Conv kernel's rows (x86_conv_parts.h) a block at a time
// into a buffer of the thread's own scratch, and the x86 MaxPool's rows over them right
// away (x86::maxPoolRowsF32), so C', the Conv's output, never goes to memory whole: the
// unfused kernels write all of it (3.2 MB at ResNet-18's stem) and read it back, at two
// threads half of it from the other core (the Conv splits by rows, MaxPool by planes).
// Threads split the pooled output rows; each computes the Conv rows its windows read, so
// the one or two rows that two threads' windows share are computed by both (one stem
// row of 112 at two threads) and no row crosses the cores. Every output is computed by
// the same instructions as in the two unfused x86 kernels, so the bits are theirs, for
// any thread count. Convs the rows do not take (not on the im2col path, an activation
// past Relu/Clip, ...) and pools off the columns-first path run as the two unfused
// kernels with C' in scratch. Baseline code: the ISA lives in the kernels it prepares.
#include <algorithm>
#include <memory>

#include "ref/conv_max_pool.h"
#include "register_kernels.h"
#include "x86_conv_parts.h"
#include "x86_f32_plans.h"

namespace edgec::rt {
namespace {

size_t align64(size_t n) { return (n + 63) & ~size_t(63); }

class X86ConvMaxPool final : public Kernel {
public:
  X86ConvMaxPool(x86::ConvParts *(*newParts)(), std::vector<Isa> isas) : newParts_(newParts), isas_(std::move(isas)) {}

  void prepare(const KernelSignature &sig) override {
    parts_ = std::make_unique<ref::ConvMaxPoolParts>(sig);
    conv_.reset(newParts_());
    conv_->prepare(parts_->conv());
    fused_ = conv_->convRowsApply() && x86::acceptsPool2dF32(parts_->pool());
    if (fused_) {
      x86::planPool2dF32(parts_->pool(), &plan_);
      block_ = conv_->convRowBlock();
      // Each pooled row's window rows must lie in the last two blocks of Conv rows.
      fused_ = x86::maxPoolRowsApply(plan_) && (plan_.kh - 1) * plan_.dh <= block_;
    }
    if (fused_) {
      const TensorView &c = parts_->convOutput();
      bufBytes_ = align64(static_cast<size_t>(c.shape[1] * block_ * c.shape[3]) * sizeof(float));
      poolBytes_ = align64(static_cast<size_t>(x86::maxPoolRowsScratchFloats(plan_)) * sizeof(float));
      return;
    }
    conv_.reset();
    for (auto [part, kernel] : {std::pair{&parts_->conv(), &convK_}, {&parts_->pool(), &poolK_}}) {
      *kernel = KernelRegistry::instance().create(*part, isas_);
      (*kernel)->prepare(*part);
    }
    interBytes_ = align64(static_cast<size_t>(parts_->convOutputFloats()) * sizeof(float));
  }

  size_t scratchBytes() const override {
    if (fused_) return 2 * bufBytes_ + poolBytes_ + conv_->scratchBytes();
    return interBytes_ + std::max(convK_->scratchBytes(), poolK_->scratchBytes());
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    if (!fused_) {
      // C' at the start of the shared region (every thread writes it), the parts'
      // scratch after it in every region.
      TensorView c = parts_->convOutput();
      c.data = ctx.sharedRegion();
      RunContext sub = ctx;
      sub.scratch = ctx.scratch ? ctx.scratch + interBytes_ : nullptr;
      sub.sharedScratch = ctx.sharedScratch ? ctx.sharedScratch + interBytes_ : nullptr;
      convK_->run(sub, {in[0], in[1], in[2]}, {&c});
      poolK_->run(sub, {&c}, {out[0]});
      return;
    }
    const TensorView &c = parts_->convOutput();
    const int64_t M = c.shape[1], CH = c.shape[2], CW = c.shape[3];
    const int64_t inItem = in[0]->shape[1] * in[0]->shape[2] * in[0]->shape[3];
    const int64_t outPlane = plan_.OH * plan_.OW, ldc = block_ * CW;
    const bool anyBlock = conv_->convRowsAnyBlock();
    const float *bias = in[2]->as<float>();
    // The Conv rows pooled row q reads: [lo(q), hi(q)] (empty when all in the padding).
    auto lo = [&](int64_t q) { return std::max<int64_t>(0, q * plan_.sh - plan_.padT); };
    auto hi = [&](int64_t q) { return std::min<int64_t>(CH - 1, q * plan_.sh - plan_.padT + (plan_.kh - 1) * plan_.dh); };
    // Where a block of Conv rows may start at or before row r.
    auto blockStart = [&](int64_t r) { return anyBlock ? r : r / block_ * block_; };
    for (int64_t n = 0; n < c.shape[0]; ++n) {
      const float *x = in[0]->as<float>() + n * inItem;
      float *y = out[0]->as<float>() + n * M * outPlane;
      ctx.parallelFor(plan_.OH, 4, [&](int64_t q0, int64_t q1, int thread) {
        auto *s = static_cast<char *>(ctx.threadScratch(thread));
        float *bufs[2] = {reinterpret_cast<float *>(s), reinterpret_cast<float *>(s + bufBytes_)};
        auto *poolBuf = reinterpret_cast<float *>(s + 2 * bufBytes_);
        void *convScratch = s + 2 * bufBytes_ + poolBytes_;
        // The last two blocks of Conv rows: src.hi from row hiRow, src.lo the one before.
        x86::PoolRowsSource src{nullptr, 0, nullptr, 0, ldc};
        int cur = 0;
        int64_t q = q0, row = blockStart(lo(q0));
        while (q < q1) {
          int64_t r1 = row;
          if (row < CH) {
            r1 = std::min(CH, blockStart(row) + block_);
            conv_->convRows(x, bias, row, r1, bufs[cur], ldc, convScratch);
            src.lo = src.hi;
            src.loRow = src.hiRow;
            src.hi = bufs[cur];
            src.hiRow = row;
            cur ^= 1;
          }
          int64_t qe = q;
          while (qe < q1 && (hi(qe) < r1 || r1 >= CH)) ++qe;
          if (qe > q) x86::maxPoolRowsF32(plan_, src, y, outPlane, M, q, qe, poolBuf);
          q = qe;
          row = r1;
          if (q < q1 && lo(q) > row) {  // rows no window reads (strides past the kernel)
            row = blockStart(lo(q));
            src.hi = nullptr;
          }
        }
      });
    }
  }

private:
  x86::ConvParts *(*newParts_)();
  std::vector<Isa> isas_;
  std::unique_ptr<ref::ConvMaxPoolParts> parts_;
  std::unique_ptr<x86::ConvParts> conv_;
  std::unique_ptr<Kernel> convK_, poolK_;  // the unfused kernels, where rows do not apply
  bool fused_ = false;
  x86::Pool2dPlanF32 plan_;
  int64_t block_ = 0;
  size_t bufBytes_ = 0, poolBytes_ = 0, interBytes_ = 0;
};

}  // namespace

Kernel *newX86Avx2ConvMaxPool() { return new X86ConvMaxPool(newX86Avx2ConvParts, {Isa::Ref, Isa::X86Avx2}); }
Kernel *newX86Avx512ConvMaxPool() {
  return new X86ConvMaxPool(newX86Avx512ConvParts, {Isa::Ref, Isa::X86Avx2, Isa::X86Avx512});
}

}  // namespace edgec::rt
