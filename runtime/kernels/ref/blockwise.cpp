// Weight-only blockwise kernels (ref): MatMul, Gemm and Conv with an i4/u4 (or i8/u8)
// group-wise weight and f32 activations, and the standalone DequantizeLinear of such a
// weight. See ref/blockwise.h and runtime/kernels/README.md.
#include "ref/blockwise.h"

#include <cmath>
#include <cstring>

#include "ref/quant_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {

bool isBlockwise(const TensorView &t) { return t.quant && t.quant->scheme() == pkg::QuantScheme::Blockwise; }

namespace {
bool isCodeType(DType t) { return t == DType::i4 || t == DType::u4 || t == DType::i8 || t == DType::u8; }
}  // namespace

bool isBlockwiseWeightCall(const KernelSignature &sig) {
  if (sig.inputs.size() < 2 || !sig.inputs[1] || !isBlockwise(*sig.inputs[1]) || !isCodeType(sig.inputs[1]->dtype))
    return false;
  for (size_t i = 0; i < sig.inputs.size(); ++i)
    if (i != 1 && sig.inputs[i] && (sig.inputs[i]->dtype != DType::f32 || sig.inputs[i]->quant)) return false;
  for (const TensorView *v : sig.outputs)
    if (!v || v->dtype != DType::f32) return false;
  return true;
}

bool isBlockwiseInputCall(const KernelSignature &sig) {
  return sig.inputs.size() == 1 && sig.inputs[0] && isBlockwise(*sig.inputs[0]);
}

int32_t blockwiseCode(DType dtype, const void *data, int64_t i) {
  const uint8_t *bytes = static_cast<const uint8_t *>(data);
  switch (dtype) {
  case DType::i4: {
    const int v = (bytes[i >> 1] >> ((i & 1) * 4)) & 0xF;
    return (v ^ 8) - 8;
  }
  case DType::u4: return (bytes[i >> 1] >> ((i & 1) * 4)) & 0xF;
  case DType::i8: return static_cast<const int8_t *>(data)[i];
  default: return bytes[i];
  }
}

BlockwiseParams readBlockwise(const KernelSignature &sig, const TensorView &t, const char *what, int axis) {
  const std::string name = std::string(what) + " (" + dtypeName(t.dtype) + " " + shapeStr(t.shape) + ")";
  if (!isBlockwise(t)) kernelFail(sig, name + " must be quantized blockwise");
  if (!isCodeType(t.dtype)) kernelFail(sig, name + ": blockwise codes must be i4, u4, i8 or u8");
  const pkg::QuantInfo &q = *t.quant;
  BlockwiseParams p;
  p.dtype = t.dtype;
  p.axis = q.axis();
  p.blockSize = q.block_size();
  if (p.axis < 0 || p.axis >= t.rank()) kernelFail(sig, name + ": axis " + std::to_string(p.axis) + " is out of range");
  if (axis >= 0 && p.axis != axis)
    kernelFail(sig, name + " must be quantized in blocks along axis " + std::to_string(axis) + " (its reduction dim), not " +
                        std::to_string(p.axis));
  if (p.blockSize <= 0) kernelFail(sig, name + ": block size " + std::to_string(p.blockSize) + " must be positive");
  p.outer = product(t.shape, 0, size_t(p.axis));
  p.dim = t.shape[size_t(p.axis)];
  p.inner = product(t.shape, size_t(p.axis) + 1);
  p.blocks = (p.dim + p.blockSize - 1) / p.blockSize;
  const int64_t count = p.outer * p.blocks * p.inner;
  p.scales = readScales(sig, t, count, name);
  p.zeroPoints.assign(size_t(count), 0);
  if (const TensorView *z = t.zero_points) {
    if (!z->data) kernelFail(sig, name + ": the zero points are missing (they must be a constant)");
    if (z->dtype != t.dtype || z->numel() != count)
      kernelFail(sig, name + ": zero points must be " + std::to_string(count) + " values of " + dtypeName(t.dtype));
    for (int64_t i = 0; i < count; ++i) p.zeroPoints[size_t(i)] = blockwiseCode(z->dtype, z->data, i);
  }
  return p;
}

void dequantizeBlockwise(const BlockwiseParams &p, const void *data, float *out) {
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t d = 0; d < p.dim; ++d)
      for (int64_t in = 0; in < p.inner; ++in) {
        const int64_t i = (o * p.dim + d) * p.inner + in;
        const size_t b = size_t((o * p.blocks + d / p.blockSize) * p.inner + in);
        out[i] = static_cast<float>(blockwiseCode(p.dtype, data, i) - p.zeroPoints[b]) * p.scales[b];
      }
}

namespace {

void finishPlan(const KernelSignature &sig, BlockwiseGemmPlan &p) {
  bool zeros = false;
  for (int32_t z : p.w.zeroPoints) zeros = zeros || z != 0;
  if (zeros) {
    p.scaleZero.resize(p.w.scales.size());
    for (size_t i = 0; i < p.scaleZero.size(); ++i) p.scaleZero[i] = p.w.scales[i] * float(p.w.zeroPoints[i]);
  }
  p.act = parseActivation(sig);
}

}  // namespace

BlockwiseGemmPlan parseBlockwiseMatMul(const KernelSignature &sig) {
  requireInputCount(sig, 2, 2);
  const TensorView &a = requireInput(sig, 0, "A");
  const TensorView &b = requireInput(sig, 1, "B");
  const TensorView &y = requireOutput(sig, 0);
  requireDType(sig, a, Types<float>{}, "MatMul's A");
  requireDType(sig, y, Types<float>{}, "MatMul's output");
  if (b.rank() != 2 || a.rank() < 1)
    kernelFail(sig, "a blockwise B must be 2-D [K, N] and A of rank >= 1, got A " + shapeStr(a.shape) + ", B " +
                        shapeStr(b.shape));
  BlockwiseGemmPlan p;
  p.K = b.shape[0];
  p.N = b.shape[1];
  if (a.shape.back() != p.K)
    kernelFail(sig, "inner dimensions differ: A " + shapeStr(a.shape) + ", B " + shapeStr(b.shape));
  p.M = a.numel() / std::max<int64_t>(p.K, 1);
  if (p.K == 0) p.M = product(a.shape, 0, a.shape.size() - 1);
  std::vector<int64_t> expected(a.shape.begin(), a.shape.end() - 1);
  expected.push_back(p.N);
  requireShape(sig, y, expected, "output");
  p.w = readBlockwise(sig, b, "B", 0);
  finishPlan(sig, p);
  return p;
}

BlockwiseGemmPlan parseBlockwiseGemm(const KernelSignature &sig) {
  // The float Gemm's checks and shapes; B holds the packed codes.
  const GemmPlan g = parseGemm(sig, /*floatB=*/false);
  const TensorView &b = *sig.inputs[1];
  BlockwiseGemmPlan p;
  p.M = g.M;
  p.K = g.K;
  p.N = g.N;
  p.transA = g.transA;
  p.nMajor = g.transB;
  p.alpha = g.alpha;
  p.beta = g.beta;
  p.hasC = g.hasC;
  p.cRowStride = g.cRowStride;
  p.cColStride = g.cColStride;
  p.act = g.act;
  p.w = readBlockwise(sig, b, "B", p.nMajor ? 1 : 0);
  finishPlan(sig, p);
  return p;
}

void blockwiseEpilogue(const BlockwiseGemmPlan &p, const float *c, float *y, int64_t rowBegin, int64_t rowEnd) {
  for (int64_t i = rowBegin; i < rowEnd; ++i) {
    float *yr = y + i * p.N;
    if (p.alpha != 1.f || p.hasC)
      for (int64_t j = 0; j < p.N; ++j) {
        float v = p.alpha * yr[j];
        if (p.hasC) v += p.beta * c[i * p.cRowStride + j * p.cColStride];
        yr[j] = v;
      }
    applyActivation(yr, p.N, p.act);
  }
}

namespace {

// The oracle: for each k, row k of W dequantized as DequantizeLinear does, then the float
// ref Gemm's order (y[i][j] += a(i, k) * w(k, j), k ascending), so a blockwise MatMul gives
// exactly the float MatMul of the dequantized weight.
class BlockwiseMatMulRef final : public Kernel {
public:
  explicit BlockwiseMatMulRef(bool gemm) : gemm_(gemm) {}
  void prepare(const KernelSignature &sig) override {
    p_ = gemm_ ? parseBlockwiseGemm(sig) : parseBlockwiseMatMul(sig);
  }
  size_t scratchBytes() const override { return size_t(p_.N) * sizeof(float); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *a = in[0]->as<float>();
    const void *codes = in[1]->data;
    float *y = out[0]->as<float>();
    float *row = static_cast<float *>(ctx.threadScratch(0));
    const BlockwiseParams &w = p_.w;
    const int64_t aRow = p_.transA ? 1 : p_.K, aCol = p_.transA ? p_.M : 1;
    std::fill(y, y + p_.M * p_.N, 0.f);
    for (int64_t k = 0; k < p_.K; ++k) {
      for (int64_t j = 0; j < p_.N; ++j) {
        int64_t i;
        size_t s;
        if (p_.nMajor) {  // [N, K], groups along axis 1: scales [N, groups]
          i = j * p_.K + k;
          s = size_t(j * w.blocks + k / w.blockSize);
        } else {  // [K, N], groups along axis 0: scales [groups, N]
          i = k * p_.N + j;
          s = size_t((k / w.blockSize) * p_.N + j);
        }
        row[j] = static_cast<float>(blockwiseCode(w.dtype, codes, i) - w.zeroPoints[s]) * w.scales[s];
      }
      for (int64_t m = 0; m < p_.M; ++m) {
        const float av = a[m * aRow + k * aCol];
        float *yr = y + m * p_.N;
        for (int64_t j = 0; j < p_.N; ++j) yr[j] += av * row[j];
      }
    }
    blockwiseEpilogue(p_, p_.hasC ? in[2]->as<float>() : nullptr, y, 0, p_.M);
  }

private:
  bool gemm_;
  BlockwiseGemmPlan p_;
};

// Conv with a blockwise weight: the weight is dequantized once at prepare into an f32
// buffer and the float Conv of the same ISA level runs on it. Weight-only int4 for CNNs
// saves package size and load bandwidth, not arithmetic.
class BlockwiseConv final : public Kernel {
public:
  explicit BlockwiseConv(Isa level) : level_(level) {}
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 4);  // X, W, B?, a fused residual? (the float Conv checks them)
    const TensorView &w = requireInput(sig, 1, "W");
    if (!w.data) kernelFail(sig, "a blockwise Conv weight must be a constant");
    BlockwiseParams p = readBlockwise(sig, w, "W", 1);
    weights_.resize(size_t(w.numel()));
    dequantizeBlockwise(p, w.data, weights_.data());
    view_.data = weights_.data();
    view_.dtype = DType::f32;
    view_.shape = w.shape;
    KernelSignature inner = sig;
    inner.inputs[1] = &view_;
    std::vector<Isa> isas{Isa::Ref};
    if (level_ >= Isa::X86Avx2 && level_ <= Isa::X86Avx512) isas.push_back(Isa::X86Avx2);
    if (level_ == Isa::X86Avx512) isas.push_back(Isa::X86Avx512);
    inner_ = KernelRegistry::instance().create(inner, isas);
    inner_->prepare(inner);
  }
  size_t scratchBytes() const override { return inner_->scratchBytes(); }
  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    std::vector<const TensorView *> inputs = in;
    inputs[1] = &view_;
    inner_->run(ctx, inputs, out);
  }

private:
  Isa level_;
  std::vector<float> weights_;
  TensorView view_;
  std::unique_ptr<Kernel> inner_;
};

// ONNX DequantizeLinear-21 with block_size: a blockwise tensor to f32.
class BlockwiseDequantize final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, y, Types<float>{}, "DequantizeLinear's output");
    requireShape(sig, y, x.shape, "output");
    p_ = readBlockwise(sig, x, "X");
  }
  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dequantizeBlockwise(p_, in[0]->data, out[0]->as<float>());
  }

private:
  BlockwiseParams p_;
};

}  // namespace

Kernel *newBlockwiseConv(Isa level) { return new BlockwiseConv(level); }

}  // namespace edgec::rt::ref

namespace edgec::rt {

// The AVX2 int4 MatMul/Gemm read i4/u4 codes with A not transposed; a [K, N] weight needs
// whole bytes per row (N even), a [N, K] one K and the block size in multiples of 16.
bool acceptsX86Int4(const KernelSignature &sig) {
  if (!ref::isBlockwiseWeightCall(sig)) return false;
  const TensorView &b = *sig.inputs[1];
  if ((b.dtype != DType::i4 && b.dtype != DType::u4) || b.rank() != 2) return false;
  const bool gemm = sig.op == "Gemm";
  if (gemm && sig.attrs.i("transA", 0) != 0) return false;
  const bool nMajor = gemm && sig.attrs.i("transB", 0) != 0;
  if (!nMajor) return b.shape[1] % 2 == 0;
  return b.shape[1] % 16 == 0 && b.quant->block_size() % 16 == 0;
}

Kernel *newBlockwiseConvAvx2() { return ref::newBlockwiseConv(Isa::X86Avx2); }
Kernel *newBlockwiseConvAvx512() { return ref::newBlockwiseConv(Isa::X86Avx512); }

void registerRefBlockwise(KernelRegistry &r) {
  r.add("MatMul", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::BlockwiseMatMulRef(false)); },
        ref::isBlockwiseWeightCall);
  r.add("Gemm", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::BlockwiseMatMulRef(true)); },
        ref::isBlockwiseWeightCall);
  r.add("Conv", Isa::Ref, [] { return std::unique_ptr<Kernel>(ref::newBlockwiseConv(Isa::Ref)); },
        ref::isBlockwiseWeightCall);
  r.add("DequantizeLinear", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::BlockwiseDequantize()); },
        ref::isBlockwiseInputCall);
}

}  // namespace edgec::rt
