// Reference RNN, GRU and LSTM (ONNX opset 14 semantics; see EdgeRecurrentOps.td for
// the shapes and gate orders). f32.
//
// Each (direction, batch row) pair is an independent recurrence, so the work is split
// over those pairs; within one, the steps run in order and every dot product sums in
// index order, so results do not depend on the thread count. The input projection
// X_t·Wᵀ is computed per step next to the recurrent one rather than for all steps up
// front: that would need S·G·H floats of scratch, and this kernel is the oracle, not
// the fast path.
#include "ref/util.h"
#include "register_kernels.h"
#include "x86_recurrent.h"  // checkRecurrentCall (the x86 kernel validates with it)

namespace edgec::rt::ref {
namespace {

enum class Cell { Rnn, Gru, Lstm };

// One activation function of `activations`, with its alpha and beta resolved by the
// compiler (ONNX's defaults filled in).
struct Activation {
  enum Kind { Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus };
  Kind kind = Tanh;
  float alpha = 0, beta = 0;

  float operator()(float x) const {
    switch (kind) {
    case Relu: return x > 0 ? x : 0.0f;
    case Tanh: return std::tanh(x);
    case Sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case Affine: return alpha * x + beta;
    case LeakyRelu: return x >= 0 ? x : alpha * x;
    case ThresholdedRelu: return x > alpha ? x : 0.0f;
    case ScaledTanh: return alpha * std::tanh(beta * x);
    case HardSigmoid: return std::max(0.0f, std::min(1.0f, alpha * x + beta));
    case Elu: return x >= 0 ? x : alpha * (std::exp(x) - 1.0f);
    case Softsign: return x / (1.0f + std::fabs(x));
    case Softplus: return std::log1p(std::exp(x));
    }
    return x;
  }
};

Activation::Kind activationKind(const KernelSignature &sig, const std::string &name) {
  static const std::pair<const char *, Activation::Kind> kNames[] = {
      {"Relu", Activation::Relu},
      {"Tanh", Activation::Tanh},
      {"Sigmoid", Activation::Sigmoid},
      {"Affine", Activation::Affine},
      {"LeakyRelu", Activation::LeakyRelu},
      {"ThresholdedRelu", Activation::ThresholdedRelu},
      {"ScaledTanh", Activation::ScaledTanh},
      {"HardSigmoid", Activation::HardSigmoid},
      {"Elu", Activation::Elu},
      {"Softsign", Activation::Softsign},
      {"Softplus", Activation::Softplus},
  };
  for (const auto &[n, k] : kNames)
    if (name == n) return k;
  kernelFail(sig, "unknown activation '" + name + "'");
}

// The compiler writes a list of names as one string joined by ',' (KernelBridge).
std::vector<std::string> splitNames(const std::string &joined) {
  std::vector<std::string> names;
  size_t begin = 0;
  while (begin <= joined.size()) {
    size_t end = joined.find(',', begin);
    if (end == std::string::npos) end = joined.size();
    names.push_back(joined.substr(begin, end - begin));
    begin = end + 1;
  }
  return names;
}

const float *dataOrNull(const TensorView *t) { return t && t->data ? t->as<float>() : nullptr; }

class RefRecurrent : public Kernel {
public:
  explicit RefRecurrent(Cell cell) : cell_(cell) {}

  void prepare(const KernelSignature &sig) override {
    where_ = sig.op + " node '" + sig.node + "'";
    gates_ = cell_ == Cell::Lstm ? 4 : cell_ == Cell::Gru ? 3 : 1;
    const int slots = cell_ == Cell::Lstm ? 3 : cell_ == Cell::Gru ? 2 : 1;
    requireInputCount(sig, 3, cell_ == Cell::Lstm ? 8 : 6);
    const TensorView &x = requireInput(sig, 0, "X");
    if (x.rank() != 3) kernelFail(sig, "X must have rank 3, got " + shapeStr(x.shape));
    for (size_t i = 0; i < sig.inputs.size(); ++i)
      if (i != 4 && sig.inputs[i] && sig.inputs[i]->dtype != DType::f32)
        kernelFail(sig, std::string("unsupported dtype ") + dtypeName(sig.inputs[i]->dtype) + " (f32 only)");
    if (const TensorView *lens = optionalInput(sig, 4)) requireDType(sig, *lens, Types<int32_t>{}, "sequence_lens");

    const std::string direction = sig.attrs.s("direction");
    dirs_ = direction == "bidirectional" ? 2 : 1;
    reverse_ = direction == "reverse";
    if (direction != "forward" && !reverse_ && dirs_ != 2) kernelFail(sig, "unknown direction '" + direction + "'");
    layout_ = sig.attrs.i("layout");
    hidden_ = sig.attrs.i("hidden_size");
    seq_ = x.shape[layout_ ? 1 : 0];
    batch_ = x.shape[layout_ ? 0 : 1];
    inputSize_ = x.shape[2];
    const int64_t gh = gates_ * hidden_;
    requireShape(sig, requireInput(sig, 1, "W"), {dirs_, gh, inputSize_}, "W");
    requireShape(sig, requireInput(sig, 2, "R"), {dirs_, gh, hidden_}, "R");
    if (const TensorView *b = optionalInput(sig, 3)) requireShape(sig, *b, {dirs_, 2 * gh}, "B");
    if (const TensorView *lens = optionalInput(sig, 4)) requireShape(sig, *lens, {batch_}, "sequence_lens");
    const std::vector<int64_t> state = layout_ ? std::vector<int64_t>{batch_, dirs_, hidden_}
                                               : std::vector<int64_t>{dirs_, batch_, hidden_};
    if (const TensorView *h0 = optionalInput(sig, 5)) requireShape(sig, *h0, state, "initial_h");
    if (cell_ == Cell::Lstm) {
      if (const TensorView *c0 = optionalInput(sig, 6)) requireShape(sig, *c0, state, "initial_c");
      if (const TensorView *p = optionalInput(sig, 7)) requireShape(sig, *p, {dirs_, 3 * hidden_}, "P");
    }
    requireShape(sig, requireOutput(sig, 0),
                 layout_ ? std::vector<int64_t>{batch_, seq_, dirs_, hidden_}
                         : std::vector<int64_t>{seq_, dirs_, batch_, hidden_},
                 "Y");
    for (size_t i = 1; i < sig.outputs.size(); ++i) requireShape(sig, requireOutput(sig, i), state, "final state");
    for (const TensorView *t : sig.outputs)
      if (t->dtype != DType::f32) kernelFail(sig, std::string("unsupported output dtype ") + dtypeName(t->dtype));

    const std::vector<std::string> names = splitNames(sig.attrs.s("activations"));
    const std::vector<float> alpha = sig.attrs.floats("activation_alpha"), beta = sig.attrs.floats("activation_beta");
    if (names.size() != size_t(dirs_ * slots) || alpha.size() != names.size() || beta.size() != names.size())
      kernelFail(sig, "expected " + std::to_string(dirs_ * slots) + " activations with one alpha and beta each");
    acts_.clear();
    for (size_t i = 0; i < names.size(); ++i) acts_.push_back({activationKind(sig, names[i]), alpha[i], beta[i]});
    clip_ = sig.attrs.has("clip") ? sig.attrs.f("clip") : -1.0f;
    if (sig.attrs.has("clip") && !(clip_ >= 0)) kernelFail(sig, "clip must be non-negative");
    linearBeforeReset_ = cell_ == Cell::Gru && sig.attrs.i("linear_before_reset") != 0;
    inputForget_ = cell_ == Cell::Lstm && sig.attrs.i("input_forget") != 0;
  }

  // Per thread: the gate pre-activations, h, c, the GRU's r ⊙ h, a recurrent product, and
  // the direction's W and R transposed (matVec).
  size_t scratchBytes() const override {
    const int64_t gh = gates_ * hidden_;
    return size_t(2 * gh + 3 * hidden_ + gh * (inputSize_ + hidden_)) * sizeof(float);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int32_t *lens = in.size() > 4 && in[4] && in[4]->data ? in[4]->as<int32_t>() : nullptr;
    if (lens)
      for (int64_t b = 0; b < batch_; ++b)
        if (lens[b] < 0 || lens[b] > seq_)
          throw Error(where_ + ": sequence_lens[" + std::to_string(b) + "] = " + std::to_string(lens[b]) +
                      " is outside [0, " + std::to_string(seq_) + "]");
    auto input = [&](size_t i) { return i < in.size() ? dataOrNull(in[i]) : nullptr; };
    Operands o{input(0), input(1), input(2), input(3), input(5), input(6), input(7), out[0]->as<float>(),
               out.size() > 1 ? out[1]->as<float>() : nullptr, out.size() > 2 ? out[2]->as<float>() : nullptr};
    ctx.parallelFor(dirs_ * batch_, 1, [&](int64_t begin, int64_t end, int thread) {
      auto *scratch = static_cast<float *>(ctx.threadScratch(thread));
      for (int64_t item = begin; item < end; ++item) {
        const int64_t d = item / batch_, b = item % batch_;
        sequence(o, d, b, lens ? lens[b] : seq_, scratch);
      }
    });
  }

private:
  struct Operands {
    const float *x, *w, *r, *bias, *h0, *c0, *peep;
    float *y, *yh, *yc;
  };

  // Offsets of element 0 of a [.., H] row, for either layout.
  int64_t stateOffset(int64_t d, int64_t b) const {
    return (layout_ ? b * dirs_ + d : d * batch_ + b) * hidden_;
  }
  int64_t yOffset(int64_t t, int64_t d, int64_t b) const {
    return (layout_ ? (b * seq_ + t) * dirs_ + d : (t * dirs_ + d) * batch_ + b) * hidden_;
  }
  const float *xRow(const float *x, int64_t t, int64_t b) const {
    return x + (layout_ ? b * seq_ + t : t * batch_ + b) * inputSize_;
  }
  float clip(float v) const { return clip_ >= 0 ? std::max(-clip_, std::min(clip_, v)) : v; }

  // out[g] = sum over k of m[g][k] v[k] for g < n, from mT = m transposed (row k holds
  // column k of m, `ld` apart): each sum starts at 0 and adds its products in k order, as
  // a dot product of m's row with v does (the same bits), but the loop over g is
  // independent per g, so the compiler vectorizes it.
  static void matVec(const float *mT, int64_t ld, int64_t n, int64_t K, const float *v, float *out) {
    for (int64_t g = 0; g < n; ++g) out[g] = 0;
    for (int64_t k = 0; k < K; ++k) {
      const float vk = v[k];
      const float *row = mT + k * ld;
      for (int64_t g = 0; g < n; ++g) out[g] += row[g] * vk;
    }
  }
  static void transpose(const float *m, int64_t rows, int64_t cols, float *mT) {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) mT[c * rows + r] = m[r * cols + c];
  }

  // Runs direction d over batch row b for its `len` valid steps.
  void sequence(const Operands &o, int64_t d, int64_t b, int64_t len, float *scratch) const {
    const int64_t H = hidden_, gh = gates_ * H;
    float *pre = scratch, *h = pre + gh, *c = h + H, *rh = c + H, *prod = rh + H;
    float *wT = prod + gh, *rT = wT + gh * inputSize_;
    transpose(o.w + d * gh * inputSize_, gh, inputSize_, wT);
    transpose(o.r + d * gh * H, gh, H, rT);
    const float *wb = o.bias ? o.bias + d * 2 * gh : nullptr, *rb = wb ? wb + gh : nullptr;
    const float *peep = o.peep ? o.peep + d * 3 * H : nullptr;
    const Activation *act = &acts_[size_t(d) * (cell_ == Cell::Lstm ? 3 : cell_ == Cell::Gru ? 2 : 1)];
    for (int64_t j = 0; j < H; ++j) {
      h[j] = o.h0 ? o.h0[stateOffset(d, b) + j] : 0.0f;
      c[j] = o.c0 ? o.c0[stateOffset(d, b) + j] : 0.0f;
    }
    const bool backwards = reverse_ || d == 1;
    for (int64_t step = 0; step < len; ++step) {
      const int64_t t = backwards ? len - 1 - step : step;
      const float *x = xRow(o.x, t, b);
      // Input projection and biases of every gate; the recurrent product is added per
      // cell below because the GRU's candidate gate needs r_t first.
      matVec(wT, gh, gh, inputSize_, x, pre);
      for (int64_t g = 0; g < gh; ++g) {
        pre[g] = pre[g] + (wb ? wb[g] : 0.0f);
        const bool rbInside = cell_ == Cell::Gru && linearBeforeReset_ && g >= 2 * H;
        if (rb && !rbInside) pre[g] += rb[g];
      }
      switch (cell_) {
      case Cell::Rnn:
        matVec(rT, gh, H, H, h, prod);  // all of H_(t-1) first
        for (int64_t j = 0; j < H; ++j) pre[j] += prod[j];
        for (int64_t j = 0; j < H; ++j) h[j] = act[0](clip(pre[j]));
        break;
      case Cell::Gru: gruStep(pre, h, rh, prod, rT, rb, act); break;
      case Cell::Lstm: lstmStep(pre, h, c, prod, rT, peep, act); break;
      }
      std::copy(h, h + H, o.y + yOffset(t, d, b));
    }
    for (int64_t t = len; t < seq_; ++t) std::fill_n(o.y + yOffset(t, d, b), H, 0.0f);
    if (o.yh) std::copy(h, h + H, o.yh + stateOffset(d, b));
    if (o.yc) std::copy(c, c + H, o.yc + stateOffset(d, b));
  }

  // Gates z, r, h (blocks 0, 1, 2 of pre, which hold X_t·Wᵀ + biases); rT is R transposed
  // (row k: column k of the 3H rows), prod scratch for the recurrent products.
  void gruStep(float *pre, float *h, float *rh, float *prod, const float *rT, const float *rb,
               const Activation *act) const {
    const int64_t H = hidden_, gh = 3 * H;
    float *z = pre, *reset = pre + H, *cand = pre + 2 * H;
    matVec(rT, gh, 2 * H, H, h, prod);
    for (int64_t j = 0; j < 2 * H; ++j) pre[j] = act[0](clip(pre[j] + prod[j]));
    const float *rCandT = rT + 2 * H;  // the candidate gate's columns of each row of rT
    if (linearBeforeReset_) {
      matVec(rCandT, gh, H, H, h, prod);
      for (int64_t j = 0; j < H; ++j)
        cand[j] = act[1](clip(cand[j] + reset[j] * (prod[j] + (rb ? rb[2 * H + j] : 0.0f))));
    } else {
      for (int64_t j = 0; j < H; ++j) rh[j] = reset[j] * h[j];
      matVec(rCandT, gh, H, H, rh, prod);
      for (int64_t j = 0; j < H; ++j) cand[j] = act[1](clip(cand[j] + prod[j]));
    }
    for (int64_t j = 0; j < H; ++j) h[j] = (1.0f - z[j]) * cand[j] + z[j] * h[j];
  }

  // Gates i, o, f, c (blocks 0-3 of pre); peepholes i, o, f.
  void lstmStep(float *pre, float *h, float *c, float *prod, const float *rT, const float *peep,
                const Activation *act) const {
    const int64_t H = hidden_;
    matVec(rT, 4 * H, 4 * H, H, h, prod);
    for (int64_t g = 0; g < 4 * H; ++g) pre[g] += prod[g];
    float *in = pre, *outGate = pre + H, *forget = pre + 2 * H, *cell = pre + 3 * H;
    for (int64_t j = 0; j < H; ++j) {
      const float ig = act[0](clip(in[j] + (peep ? peep[j] * c[j] : 0.0f)));
      const float fg = inputForget_ ? 1.0f - ig : act[0](clip(forget[j] + (peep ? peep[2 * H + j] * c[j] : 0.0f)));
      c[j] = fg * c[j] + ig * act[1](clip(cell[j]));
      const float og = act[0](clip(outGate[j] + (peep ? peep[H + j] * c[j] : 0.0f)));
      h[j] = og * act[2](c[j]);
    }
  }

  Cell cell_;
  std::string where_;
  int gates_ = 1;
  int64_t dirs_ = 1, layout_ = 0, hidden_ = 0, seq_ = 0, batch_ = 0, inputSize_ = 0;
  bool reverse_ = false, linearBeforeReset_ = false, inputForget_ = false;
  float clip_ = -1.0f;  // negative: no clipping
  std::vector<Activation> acts_;
};

}  // namespace

void checkRecurrentCall(const KernelSignature &sig) {
  RefRecurrent(sig.op == "LSTM" ? Cell::Lstm : sig.op == "GRU" ? Cell::Gru : Cell::Rnn).prepare(sig);
}

}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefRecurrent(KernelRegistry &r) {
  r.add("RNN", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::RefRecurrent(ref::Cell::Rnn)); });
  r.add("GRU", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::RefRecurrent(ref::Cell::Gru)); });
  r.add("LSTM", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::RefRecurrent(ref::Cell::Lstm)); });
}
}  // namespace edgec::rt
