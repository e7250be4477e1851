// BlockQuantizedMatMul (ref, the oracle): f32 rows quantized to Q8 blocks at run time,
// times an i4/u4 weight [N, K] blocked along K, in this exact order per output:
//   acc = 0.0f
//   for g in 0 .. blocks-1:  acc = fmaf(float(isum[g]), sx[r, g] * sw[n, g], acc)
//   y[r, n] = bias ? acc + bias[n] : acc
// isum[g] is the exact int32 dot of the block (dotInt4Q8Block), the scale product is one
// f32 multiply, and each step one fused multiply-add, so an ISA that vectorizes across
// outputs (x86: 8 columns per register) gets the same bits. See ref/block_q8.h.
#include "ref/block_q8.h"

#include <cmath>

#include "ref/blockwise.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {

void quantizeRowQ8(const float *x, int64_t K, int64_t block, int8_t *codes, float *scales, int32_t *sums) {
  const int64_t blocks = (K + block - 1) / block;
  for (int64_t g = 0; g < blocks; ++g) {
    const int64_t k0 = g * block, k1 = std::min(K, k0 + block);
    float maxAbs = 0;
    for (int64_t k = k0; k < k1; ++k)
      maxAbs = std::max(maxAbs, std::fabs(x[k]));
    const float s = maxAbs / 127.0f;
    int32_t sum = 0;
    for (int64_t k = k0; k < k1; ++k) {
      const int8_t q = s > 0 ? int8_t(std::fmax(-127.0f, std::fmin(127.0f, std::nearbyint(x[k] / s)))) : int8_t(0);
      codes[k] = q;
      sum += q;
    }
    for (int64_t k = k1; k < k0 + block; ++k)
      codes[k] = 0;
    scales[g] = s;
    if (sums)
      sums[g] = sum;
  }
}

BlockQ8Plan prepareBlockQ8MatMul(const KernelSignature &sig) {
  requireInputCount(sig, 2, 3);
  const TensorView &x = requireInput(sig, 0, "input");
  const TensorView &w = requireInput(sig, 1, "weight");
  const TensorView &y = requireOutput(sig, 0);
  if (x.dtype != DType::f32 || y.dtype != DType::f32)
    kernelFail(sig, "input and output must be f32");
  if ((w.dtype != DType::i4 && w.dtype != DType::u4) || w.rank() != 2)
    kernelFail(sig, "the weight must be i4 or u4 codes [N, K], got " + std::string(dtypeName(w.dtype)) + " " +
                        shapeStr(w.shape));
  BlockwiseParams wp = readBlockwise(sig, w, "weight", 1);
  BlockQ8Plan p;
  p.N = w.shape[0];
  p.K = w.shape[1];
  p.block = wp.blockSize;
  p.blocks = wp.blocks;
  p.dtype = w.dtype;
  const int64_t attr = sig.attrs.i("block_size");
  if (attr != p.block)
    kernelFail(sig, "block_size " + std::to_string(attr) + " differs from the weight's block size " +
                        std::to_string(p.block));
  if (x.rank() < 1 || x.shape.back() != p.K)
    kernelFail(sig, "the input's last dim must be the weight's K (" + std::to_string(p.K) + "), got input " +
                        shapeStr(x.shape));
  p.rows = p.K ? x.numel() / p.K : product(x.shape, 0, x.shape.size() - 1);
  std::vector<int64_t> expected(x.shape.begin(), x.shape.end() - 1);
  expected.push_back(p.N);
  requireShape(sig, y, expected, "output");
  p.hasBias = sig.inputs.size() > 2 && sig.inputs[2];
  if (p.hasBias && (sig.inputs[2]->dtype != DType::f32 || sig.inputs[2]->numel() != p.N))
    kernelFail(sig, "the bias must be f32 [" + std::to_string(p.N) + "]");
  p.scales = std::move(wp.scales);
  p.zeroPoints = std::move(wp.zeroPoints);
  return p;
}

int32_t dotInt4Q8Block(const BlockQ8Plan &p, const uint8_t *codes, int64_t n, int64_t g, const int8_t *q) {
  const int64_t k0 = g * p.block, k1 = std::min(p.K, k0 + p.block);
  const int32_t z = p.zeroPoints[size_t(n * p.blocks + g)];
  int32_t sum = 0;
  for (int64_t k = k0; k < k1; ++k)
    sum += (blockwiseCode(p.dtype, codes, n * p.K + k) - z) * int32_t(q[k - k0]);
  return sum;
}

void blockQ8ColumnTables(const BlockQ8Plan &p, int64_t nPad, int32_t offset, std::vector<float> &scales,
                         std::vector<int32_t> &zeroPoints) {
  scales.assign(size_t(p.blocks * nPad), 0.f);
  zeroPoints.assign(size_t(p.blocks * nPad), 0);
  for (int64_t n = 0; n < p.N; ++n)
    for (int64_t g = 0; g < p.blocks; ++g) {
      scales[size_t(g * nPad + n)] = p.scales[size_t(n * p.blocks + g)];
      zeroPoints[size_t(g * nPad + n)] = p.zeroPoints[size_t(n * p.blocks + g)] + offset;
    }
}

bool isInt4Q8Call(const KernelSignature &sig) {
  if (sig.inputs.size() < 2 || sig.inputs.size() > 3 || sig.outputs.size() != 1 || !sig.inputs[0] || !sig.inputs[1])
    return false;
  const TensorView &w = *sig.inputs[1];
  if ((w.dtype != DType::i4 && w.dtype != DType::u4) || w.rank() != 2 || !isBlockwise(w))
    return false;
  // Whole 32-code runs per block (the kernels' unit), whole bytes per row.
  const int64_t block = w.quant->block_size();
  return w.quant->axis() == 1 && block > 0 && block % 32 == 0 && w.shape[1] % 2 == 0;
}

namespace {

class BlockQuantizedMatMul : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = prepareBlockQ8MatMul(sig); }

  // Per thread: one row's codes (whole blocks) and scales.
  size_t scratchBytes() const override { return size_t(p_.blocks * p_.block) + size_t(p_.blocks) * sizeof(float); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    const auto *w = static_cast<const uint8_t *>(in[1]->data);
    const float *bias = p_.hasBias ? in[2]->as<float>() : nullptr;
    float *y = out[0]->as<float>();
    const int64_t grain = std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(1, p_.K * p_.N));
    ctx.parallelFor(p_.rows, grain, [&](int64_t begin, int64_t end, int thread) {
      auto *scratch = static_cast<uint8_t *>(ctx.threadScratch(thread));
      auto *sx = reinterpret_cast<float *>(scratch);
      auto *q = reinterpret_cast<int8_t *>(scratch + size_t(p_.blocks) * sizeof(float));
      for (int64_t r = begin; r < end; ++r) {
        quantizeRowQ8(x + r * p_.K, p_.K, p_.block, q, sx, nullptr);
        for (int64_t n = 0; n < p_.N; ++n) {
          float acc = 0.0f;
          for (int64_t g = 0; g < p_.blocks; ++g) {
            const int32_t isum = dotInt4Q8Block(p_, w, n, g, q + g * p_.block);
            acc = std::fma(float(isum), sx[g] * p_.scales[size_t(n * p_.blocks + g)], acc);
          }
          y[r * p_.N + n] = bias ? acc + bias[n] : acc;
        }
      }
    });
  }

private:
  BlockQ8Plan p_;
};

} // namespace
} // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefBlockQ8(KernelRegistry &r) {
  r.add(
      "BlockQuantizedMatMul", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::BlockQuantizedMatMul()); },
      nullptr);
}
} // namespace edgec::rt
