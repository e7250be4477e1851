// Reference MatMul and Gemm (fp32), plus the plan parsing shared with the x86 versions;
// and Det.
#include <cmath>
#include <limits>

#include "ref/plans.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {

Activation parseActivation(const KernelSignature &sig, bool functions) {
  const std::string kind = sig.attrs.s("activation", "");
  Activation act;
  if (kind.empty()) return act;
  act.enabled = true;
  if (functions && (kind == "Sigmoid" || kind == "Silu" || kind == "HardSwish")) {
    act.kind = kind == "Sigmoid" ? ActKind::Sigmoid : kind == "Silu" ? ActKind::Silu : ActKind::HardSwish;
  } else if (kind == "Relu") {
    act.lo = 0.f;
    act.hi = std::numeric_limits<float>::infinity();
  } else if (kind == "Clip") {
    act.lo = sig.attrs.f("act_min", -std::numeric_limits<float>::infinity());
    act.hi = sig.attrs.f("act_max", std::numeric_limits<float>::infinity());
  } else {
    kernelFail(sig, "unsupported fused activation '" + kind + "'");
  }
  return act;
}

GemmPlan parseGemm(const KernelSignature &sig, bool floatB) {
  requireInputCount(sig, 2, 3);
  const TensorView &a = requireInput(sig, 0, "A");
  const TensorView &b = requireInput(sig, 1, "B");
  const TensorView *c = optionalInput(sig, 2);
  const TensorView &y = requireOutput(sig, 0);
  for (const TensorView *t : {&a, floatB ? &b : nullptr, c, &y})
    if (t) requireDType(sig, *t, Types<float>{}, "Gemm");
  if (a.rank() != 2 || b.rank() != 2)
    kernelFail(sig, "A and B must be 2-D, got " + shapeStr(a.shape) + " and " + shapeStr(b.shape));
  GemmPlan p;
  p.transA = sig.attrs.i("transA", 0) != 0;
  p.transB = sig.attrs.i("transB", 0) != 0;
  p.alpha = sig.attrs.f("alpha", 1.f);
  p.beta = sig.attrs.f("beta", 1.f);
  p.M = p.transA ? a.shape[1] : a.shape[0];
  p.K = p.transA ? a.shape[0] : a.shape[1];
  const int64_t kb = p.transB ? b.shape[1] : b.shape[0];
  p.N = p.transB ? b.shape[0] : b.shape[1];
  if (kb != p.K)
    kernelFail(sig, "inner dimensions differ: A " + shapeStr(a.shape) + ", B " + shapeStr(b.shape));
  requireShape(sig, y, {p.M, p.N}, "output");
  // With beta == 0 ONNX runtimes skip C entirely (so an inf in C does not become NaN).
  p.hasC = c != nullptr && p.beta != 0.f;
  if (c) {
    if (!broadcastsTo(c->shape, {p.M, p.N}))
      kernelFail(sig, "C " + shapeStr(c->shape) + " does not broadcast to " + shapeStr({p.M, p.N}));
    const std::vector<int64_t> s = broadcastStrides(c->shape, {p.M, p.N});
    p.cRowStride = s[0];
    p.cColStride = s[1];
  }
  p.act = parseActivation(sig);
  return p;
}

MatMulPlan parseMatMul(const KernelSignature &sig) {
  requireInputCount(sig, 2, 2);
  const TensorView &a = requireInput(sig, 0, "A");
  const TensorView &b = requireInput(sig, 1, "B");
  const TensorView &y = requireOutput(sig, 0);
  for (const TensorView *t : {&a, &b, &y}) requireDType(sig, *t, Types<float>{}, "MatMul");
  if (a.rank() < 1 || b.rank() < 1) kernelFail(sig, "operands must have rank >= 1");

  // numpy matmul: a 1-D A is a row vector, a 1-D B a column vector; the added dim is
  // dropped from the result again.
  std::vector<int64_t> as = a.shape, bs = b.shape;
  if (a.rank() == 1) as.insert(as.begin(), 1);
  if (b.rank() == 1) bs.push_back(1);
  MatMulPlan p;
  p.M = as[as.size() - 2];
  p.K = as.back();
  p.N = bs.back();
  if (bs[bs.size() - 2] != p.K)
    kernelFail(sig, "inner dimensions differ: A " + shapeStr(a.shape) + ", B " + shapeStr(b.shape));
  const std::vector<int64_t> aBatch(as.begin(), as.end() - 2), bBatch(bs.begin(), bs.end() - 2);
  std::vector<int64_t> batch;
  if (!broadcastShapes(aBatch, bBatch, &batch))
    kernelFail(sig, "batch dimensions do not broadcast: A " + shapeStr(a.shape) + ", B " +
                        shapeStr(b.shape));
  std::vector<int64_t> expected = batch;
  if (a.rank() > 1) expected.push_back(p.M);
  if (b.rank() > 1) expected.push_back(p.N);
  requireShape(sig, y, expected, "output");

  // Offsets of each operand's matrix for every output matrix, in row-major batch order.
  StridedLoop<2> loop(batch, {broadcastStrides(aBatch, batch), broadcastStrides(bBatch, batch)});
  loop.forEachRun(
      [&](const std::array<int64_t, 2> &off, int64_t n, const std::array<int64_t, 2> &step) {
        for (int64_t i = 0; i < n; ++i) {
          p.aOffsets.push_back((off[0] + i * step[0]) * p.M * p.K);
          p.bOffsets.push_back((off[1] + i * step[1]) * p.K * p.N);
        }
      });
  p.act = parseActivation(sig);
  return p;
}

namespace {

// y[M, N] = sum_p a(i, p) * b(p, j), operands addressed through (row, column) strides.
void gemmRef(int64_t M, int64_t N, int64_t K, const float *a, int64_t aRow, int64_t aCol,
             const float *b, int64_t bRow, int64_t bCol, float *y) {
  for (int64_t i = 0; i < M; ++i) {
    float *yr = y + i * N;
    std::fill(yr, yr + N, 0.f);
    // i-p-j order: the innermost loop streams a row of B (contiguous unless transposed).
    for (int64_t p = 0; p < K; ++p) {
      const float av = a[i * aRow + p * aCol];
      const float *br = b + p * bRow;
      for (int64_t j = 0; j < N; ++j) yr[j] += av * br[j * bCol];
    }
  }
}

class RefGemm final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = parseGemm(sig); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *a = in[0]->as<float>();
    const float *b = in[1]->as<float>();
    float *y = out[0]->as<float>();
    // A is [M, K] or [K, M]; B is [K, N] or [N, K].
    gemmRef(p_.M, p_.N, p_.K, a, p_.transA ? 1 : p_.K, p_.transA ? p_.M : 1, b,
            p_.transB ? 1 : p_.N, p_.transB ? p_.K : 1, y);
    const float *c = p_.hasC ? in[2]->as<float>() : nullptr;
    for (int64_t i = 0; i < p_.M; ++i) {
      for (int64_t j = 0; j < p_.N; ++j) {
        float v = p_.alpha * y[i * p_.N + j];
        if (c) v += p_.beta * c[i * p_.cRowStride + j * p_.cColStride];
        y[i * p_.N + j] = v;
      }
    }
    applyActivation(y, p_.M * p_.N, p_.act);
  }

private:
  GemmPlan p_;
};

class RefMatMul final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = parseMatMul(sig); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *a = in[0]->as<float>();
    const float *b = in[1]->as<float>();
    float *y = out[0]->as<float>();
    for (size_t i = 0; i < p_.aOffsets.size(); ++i)
      gemmRef(p_.M, p_.N, p_.K, a + p_.aOffsets[i], p_.K, 1, b + p_.bOffsets[i], p_.N, 1,
              y + static_cast<int64_t>(i) * p_.M * p_.N);
    applyActivation(y, static_cast<int64_t>(p_.aOffsets.size()) * p_.M * p_.N, p_.act);
  }

private:
  MatMulPlan p_;
};

// Determinants of [*, M, M] matrices: LU factorization with partial pivoting (the largest
// remaining |value| in the column), in double, each matrix copied to scratch.
class RefDet final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, x, Types<float, double>{}, "Det");
    requireSameDType(sig, x, y, "output");
    if (x.rank() < 2 || x.shape[x.rank() - 1] != x.shape[x.rank() - 2])
      kernelFail(sig, "input must be square matrices [*, M, M], got " + shapeStr(x.shape));
    requireShape(sig, y, std::vector<int64_t>(x.shape.begin(), x.shape.end() - 2), "output");
    m_ = x.shape.back();
    count_ = y.numel();
    dtype_ = x.dtype;
  }

  size_t scratchBytes() const override { return size_t(m_ * m_) * sizeof(double); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(Types<float, double>{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      T *y = out[0]->as<T>();
      double *a = reinterpret_cast<double *>(ctx.scratch);
      const int64_t m = m_;
      for (int64_t b = 0; b < count_; ++b) {
        for (int64_t i = 0; i < m * m; ++i) a[i] = double(x[b * m * m + i]);
        double det = 1;
        for (int64_t c = 0; c < m && det != 0; ++c) {
          int64_t pivot = c;
          for (int64_t r = c + 1; r < m; ++r)
            if (std::fabs(a[r * m + c]) > std::fabs(a[pivot * m + c])) pivot = r;
          if (a[pivot * m + c] == 0) {
            det = 0;  // singular
            break;
          }
          if (pivot != c) {
            for (int64_t k = 0; k < m; ++k) std::swap(a[c * m + k], a[pivot * m + k]);
            det = -det;  // a row swap flips the sign
          }
          det *= a[c * m + c];
          for (int64_t r = c + 1; r < m; ++r) {
            const double f = a[r * m + c] / a[c * m + c];
            for (int64_t k = c; k < m; ++k) a[r * m + k] -= f * a[c * m + k];
          }
        }
        y[b] = T(det);
      }
    });
  }

private:
  int64_t m_ = 0, count_ = 0;
  DType dtype_ = DType::f32;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefLinalg(KernelRegistry &r) {
  r.add<ref::RefGemm>("Gemm", Isa::Ref);
  r.add<ref::RefMatMul>("MatMul", Isa::Ref);
  r.add<ref::RefDet>("Det", Isa::Ref);
}

}  // namespace edgec::rt
