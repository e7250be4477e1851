// GgufMatMulId (ggml's mul_mat_id): a mixture-of-experts layer's matmul. Each token's S
// slots name an expert; row (t, s) of the result is GgufMatMul of the token's row (or the
// slot's own) and that expert's [N, K] weight, a slab of the [E, N, K] tensor.
//
// One implementation for every ISA: the rows are grouped by expert and each group is one
// GgufMatMul call, run by the best GgufMatMul kernel of the ISAs this one was registered
// with (registerGgufMatMulId). A GgufMatMul kernel computes each output row the same
// whatever the other rows of its call (every path bit-exact with ref), so grouping changes
// no bit: GgufMatMulId's result is ref GgufMatMul's, row by row. A decode step (T = 1)
// runs S one-row GEMVs on the token's row in place; a prefill chunk gathers each expert's
// rows, so that an expert chosen by many tokens takes the GEMM path.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edgec/package_format.h"
#include "ref/gguf_matmul.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt {
namespace {

using ref::requireInput;
using ref::requireInputCount;
using ref::requireOutput;
using ref::requireShape;
using ref::shapeStr;

class GgufMatMulId final : public Kernel {
public:
  explicit GgufMatMulId(std::vector<Isa> isas) : isas_(std::move(isas)) {}

  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 3, 3);
    kernels_.clear();
    const TensorView &x = requireInput(sig, 0, "input");
    const TensorView &w = requireInput(sig, 1, "weight");
    const TensorView &ids = requireInput(sig, 2, "ids");
    const TensorView &y = requireOutput(sig, 0);
    if (w.rank() != 3) kernelFail(sig, "weight must be [E, N, K], got " + shapeStr(w.shape));
    if (ids.rank() != 2 || (ids.dtype != DType::i32 && ids.dtype != DType::i64))
      kernelFail(sig, "ids must be int32 or int64 [T, S], got " + std::string(dtypeName(ids.dtype)) + " " +
                          shapeStr(ids.shape));
    E_ = w.shape[0];
    N_ = w.shape[1];
    K_ = w.shape[2];
    T_ = ids.shape[0];
    S_ = ids.shape[1];
    perSlot_ = x.rank() == 3;
    const std::vector<int64_t> xShape = perSlot_ ? std::vector<int64_t>{T_, S_, K_} : std::vector<int64_t>{T_, K_};
    requireShape(sig, x, xShape, "input");
    if (x.dtype != DType::f32 || y.dtype != DType::f32) kernelFail(sig, "the input and the output must be f32");
    requireShape(sig, y, {T_, S_, N_}, "output");
    wLayout_ = {};
    if (w.layout.kind != layouts::Kind::None) {
      if (!takesLayout(sig, 1))
        kernelFail(sig, std::string("GgufMatMul does not read the experts' layout ") + layouts::kindName(w.layout.kind));
      wLayout_ = slabLayout(w);
    }
    ids64_ = ids.dtype == DType::i64;
    wtype_ = w.dtype;
    const DTypeInfo &info = dtypeInfo(w.dtype);
    if (info.blockSize <= 0 || K_ % info.blockSize != 0)
      kernelFail(sig, std::string(info.name) + " stores whole blocks of " + std::to_string(info.blockSize) +
                          " elements, but K is " + std::to_string(K_));
    slabBytes_ = int64_t(w.nbytes()) / std::max<int64_t>(E_, 1);
    op_ = sig.op;
    node_ = sig.node;
    // The most rows one call takes: T (with distinct ids per token, the most one expert can
    // get; an expert chosen more often runs several calls). Its kernel's scratch is the most
    // any call needs (scratch grows with the rows); preparing it also checks the weight
    // type and K as GgufMatMul does. A gathered call's rows and results go first in thread
    // 0's scratch region, the GgufMatMul kernel's scratch after them (run's `sub`).
    maxRows_ = std::max<int64_t>(T_, 1);
    // Each part starts on a cache line, as the F16Adapter's.
    gatheredBytes_ = maxRows_ > 1 ? pkg::alignTo(size_t(maxRows_ * K_) * sizeof(float)) : 0;
    ownBytes_ = maxRows_ > 1 ? gatheredBytes_ + pkg::alignTo(size_t(maxRows_ * N_) * sizeof(float)) : 0;
    scratch_ = ownBytes_ + expertKernel(maxRows_).scratchBytes();
    rowsOf_.assign(size_t(E_), {});
  }

  size_t scratchBytes() const override { return scratch_; }

  // A GgufRows16 weight whose experts are whole groups (the layout's [E, N, K]): each slab
  // is the layout of its [N, K], read in place where the GgufMatMul kernel reads that.
  bool takesLayout(const KernelSignature &sig, size_t index) const override {
    const TensorView *w = index == 1 && sig.inputs.size() > 1 ? sig.inputs[1] : nullptr;
    if (!w || w->layout.kind != layouts::Kind::GgufRows16 || w->rank() != 3) return false;
    TensorView a, slab = *w, y;
    slab.shape = {w->shape[1], w->shape[2]};
    slab.layout = slabLayout(*w);
    if (slab.layout.kind == layouts::Kind::None) return false;
    a.shape = {1, slab.shape[1]};
    y.shape = {1, slab.shape[0]};
    const KernelSignature one = expertSignature(sig.node, a, slab, y);
    return KernelRegistry::instance().create(one, isas_)->takesLayout(one, 1);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    const auto *w = static_cast<const uint8_t *>(in[1]->data);
    float *y = out[0]->as<float>();
    // Each expert's rows (t * S + s), in token then slot order.
    for (std::vector<int64_t> &rows : rowsOf_) rows.clear();
    for (int64_t r = 0; r < T_ * S_; ++r) {
      const int64_t e = ids64_ ? in[2]->as<int64_t>()[r] : int64_t(in[2]->as<int32_t>()[r]);
      if (e < 0 || e >= E_)
        throw Error(op_ + " node '" + node_ + "': ids[" + std::to_string(r / S_) + ", " + std::to_string(r % S_) +
                    "] = " + std::to_string(e) + " is not an expert (the weight has " + std::to_string(E_) + ")");
      rowsOf_[size_t(e)].push_back(r);
    }
    auto inputRow = [&](int64_t r) { return x + (perSlot_ ? r : r / S_) * K_; };
    RunContext sub = ctx;
    sub.scratch = ctx.scratch ? ctx.scratch + ownBytes_ : nullptr;
    sub.sharedScratch = ctx.sharedScratch ? ctx.sharedScratch + ownBytes_ : nullptr;
    auto *gathered = static_cast<float *>(ctx.threadScratch(0));
    float *results = gathered + gatheredBytes_ / sizeof(float);
    for (int64_t e = 0; e < E_; ++e) {
      const std::vector<int64_t> &rows = rowsOf_[size_t(e)];
      const uint8_t *slab = w + e * slabBytes_;
      for (size_t at = 0; at < rows.size(); at += size_t(maxRows_)) {
        const int64_t n = std::min<int64_t>(maxRows_, int64_t(rows.size() - at));
        const int64_t *r = rows.data() + at;
        if (n == 1) {  // a decode step's slot: the row and its result in place
          call(sub, 1, inputRow(r[0]), slab, y + r[0] * N_);
          continue;
        }
        for (int64_t i = 0; i < n; ++i) std::copy_n(inputRow(r[i]), K_, gathered + i * K_);
        call(sub, n, gathered, slab, results);
        for (int64_t i = 0; i < n; ++i) std::copy_n(results + i * N_, N_, y + r[i] * N_);
      }
    }
  }

private:
  // One expert's slab [N, K] of a GgufRows16 [E, N, K]: the layout of [N, K] (None if the
  // layout cannot hold it).
  static layouts::Desc slabLayout(const TensorView &w) {
    layouts::Desc d;
    std::string why;
    if (!layouts::describe(layouts::Kind::GgufRows16, unsigned(w.dtype), {w.shape[1], w.shape[2]}, -1, -1, 0, 0, d, why))
      return {};
    return d;
  }

  static KernelSignature expertSignature(const std::string &node, const TensorView &a, const TensorView &w,
                                         const TensorView &y) {
    KernelSignature sig;
    sig.op = "GgufMatMul";
    sig.node = node;
    sig.inputs = {&a, &w};
    sig.input_is_constant = {false, true};
    sig.outputs = {&y};
    return sig;
  }

  // The GgufMatMul kernel of `rows` activation rows, prepared on first use.
  Kernel &expertKernel(int64_t rows) {
    std::unique_ptr<Kernel> &k = kernels_[rows];
    if (!k) {
      TensorView a, w, y;
      a.shape = {rows, K_};
      w.dtype = wtype_;
      w.shape = {N_, K_};
      w.layout = wLayout_;
      y.shape = {rows, N_};
      const KernelSignature sig = expertSignature(node_, a, w, y);
      k = KernelRegistry::instance().create(sig, isas_);
      k->prepare(sig);
    }
    return *k;
  }

  void call(const RunContext &ctx, int64_t rows, const float *a, const uint8_t *w, float *y) {
    TensorView av, wv, yv;
    av.data = const_cast<float *>(a);
    av.shape = {rows, K_};
    wv.data = const_cast<uint8_t *>(w);
    wv.dtype = wtype_;
    wv.shape = {N_, K_};
    wv.layout = wLayout_;
    yv.data = y;
    yv.shape = {rows, N_};
    expertKernel(rows).run(ctx, {&av, &wv}, {&yv});
  }

  std::vector<Isa> isas_;
  int64_t E_ = 0, N_ = 0, K_ = 0, T_ = 0, S_ = 0, maxRows_ = 1, slabBytes_ = 0;
  bool perSlot_ = false, ids64_ = false;
  DType wtype_ = DType::f32;
  layouts::Desc wLayout_;  // each slab's layout (GgufRows16), or None
  size_t scratch_ = 0, ownBytes_ = 0, gatheredBytes_ = 0;
  std::string op_, node_;
  std::map<int64_t, std::unique_ptr<Kernel>> kernels_;
  std::vector<std::vector<int64_t>> rowsOf_;
};

}  // namespace

void registerGgufMatMulId(KernelRegistry &r, Isa isa, KernelAccepts accepts) {
  std::vector<Isa> isas;
  for (Isa i : {Isa::Ref, Isa::X86Avx2, Isa::X86Avx512, Isa::ArmNeon})
    if (int(i) <= int(isa)) isas.push_back(i);
  r.add("GgufMatMulId", isa, [isas] { return std::unique_ptr<Kernel>(new GgufMatMulId(isas)); }, accepts);
}

}  // namespace edgec::rt
