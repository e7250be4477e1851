// The ref RNN, GRU and LSTM kernels on small cases computed by hand from ONNX's
// equations (hidden size 1 or 2, so each step is a few scalar formulas): the gate
// orders, both layouts, reverse and bidirectional directions, sequence_lens (zeros past
// a row's length, the final state taken at it), GRU's linear_before_reset, LSTM's
// peepholes and coupled input/forget gates, clip, thread-count independence, and the
// errors a bad sequence_lens gives at run time.
#include <cmath>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// Activations with their alpha/beta, as the compiler writes them.
AttrList recurrentAttrs(const char *direction, int64_t hidden, const char *activations, std::vector<float> alpha,
                        int64_t layout = 0) {
  AttrList a;
  a.s("direction", direction).i("hidden_size", hidden).i("layout", layout).s("activations", activations);
  std::vector<float> beta(alpha.size(), 0.0f);
  a.floats("activation_alpha", alpha).floats("activation_beta", beta);
  return a;
}

void expectNear(const std::vector<float> &got, const std::vector<float> &want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6f) << "element " << i;
}

// h_t = tanh(2·x_t + 0.5·h_(t-1) + 0.25 + 0.125), from h_0 = 0.1.
TEST(RecurrentRNN, TanhWithBiasAndInitialState) {
  Tensor x = Tensor::of<float>({2, 1, 1}, {1, -1});
  Tensor w = Tensor::of<float>({1, 1, 1}, {2}), r = Tensor::of<float>({1, 1, 1}, {0.5f});
  Tensor b = Tensor::of<float>({1, 2}, {0.25f, 0.125f}), h0 = Tensor::of<float>({1, 1, 1}, {0.1f});
  Tensor y(DType::f32, {2, 1, 1, 1}), yh(DType::f32, {1, 1, 1});
  AttrList attrs = recurrentAttrs("forward", 1, "Tanh", {0});
  runKernel("RNN", {&x, &w, &r, &b, nullptr, &h0}, {&y, &yh}, attrs);
  const float h1 = std::tanh(2.0f + 0.05f + 0.375f), h2 = std::tanh(-2.0f + 0.5f * h1 + 0.375f);
  expectNear(y.values<float>(), {h1, h2});
  expectNear(yh.values<float>(), {h2});
}

// Bidirectional, identity activation (Affine 1, 0), batch 2 with lengths 3 and 1: the
// reverse direction starts at each row's last valid step, Y is 0 past a row's length,
// and Y_h of each direction is its state after its last step.
TEST(RecurrentRNN, BidirectionalSequenceLens) {
  // x[t][b]: row 0 = 1, 2, 3; row 1 = 10 (then padding that must not be read).
  Tensor x = Tensor::of<float>({3, 2, 1}, {1, 10, 2, 99, 3, 99});
  Tensor w = Tensor::of<float>({2, 1, 1}, {1, 1}), r = Tensor::of<float>({2, 1, 1}, {0.5f, 0.25f});
  Tensor lens = Tensor::of<int32_t>({2}, {3, 1});
  Tensor y(DType::f32, {3, 2, 2, 1}), yh(DType::f32, {2, 2, 1});
  AttrList attrs = recurrentAttrs("bidirectional", 1, "Affine,Affine", {1, 1});
  runKernel("RNN", {&x, &w, &r, nullptr, &lens, nullptr}, {&y, &yh}, attrs);
  // Forward, row 0: 1, 1·0.5+2 = 2.5, 2.5·0.5+3 = 4.25; row 1: 10.
  // Reverse, row 0: t=2: 3, t=1: 3·0.25+2 = 2.75, t=0: 2.75·0.25+1 = 1.6875; row 1: 10.
  // Y[t][d][b]
  expectNear(y.values<float>(), {1, 10, 1.6875f, 10, 2.5f, 0, 2.75f, 0, 4.25f, 0, 3, 0});
  expectNear(yh.values<float>(), {4.25f, 10, 1.6875f, 10});
}

// Batch-first layout: X [B, S, I], Y [B, S, D, H], Y_h [B, D, H].
TEST(RecurrentRNN, BatchFirstLayoutAndReverse) {
  Tensor x = Tensor::of<float>({2, 2, 1}, {1, 2, 3, 4});  // row 0: 1, 2; row 1: 3, 4
  Tensor w = Tensor::of<float>({1, 1, 1}, {1}), r = Tensor::of<float>({1, 1, 1}, {1});
  Tensor y(DType::f32, {2, 2, 1, 1}), yh(DType::f32, {2, 1, 1});
  AttrList attrs = recurrentAttrs("reverse", 1, "Relu", {0}, /*layout=*/1);
  runKernel("RNN", {&x, &w, &r}, {&y, &yh}, attrs);
  // Reverse: row 0: t=1: 2, t=0: 2+1 = 3; row 1: 4, 7.
  expectNear(y.values<float>(), {3, 2, 7, 4});
  expectNear(yh.values<float>(), {3, 7});
}

// One GRU step, H = 1: z, r, h gates from blocks 0, 1, 2 of W, R and B.
std::vector<float> gruStep(bool linearBeforeReset) {
  Tensor x = Tensor::of<float>({1, 1, 1}, {1});
  Tensor w = Tensor::of<float>({1, 3, 1}, {0.5f, -0.25f, 2});
  Tensor r = Tensor::of<float>({1, 3, 1}, {0.1f, 0.2f, 0.3f});
  Tensor b = Tensor::of<float>({1, 6}, {0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f});
  Tensor h0 = Tensor::of<float>({1, 1, 1}, {0.5f});
  Tensor y(DType::f32, {1, 1, 1, 1}), yh(DType::f32, {1, 1, 1});
  AttrList attrs = recurrentAttrs("forward", 1, "Sigmoid,Tanh", {0, 0});
  attrs.i("linear_before_reset", linearBeforeReset);
  runKernel("GRU", {&x, &w, &r, &b, nullptr, &h0}, {&y, &yh}, attrs);
  return yh.values<float>();
}

TEST(RecurrentGRU, LinearBeforeResetOffAndOn) {
  const float h = 0.5f;
  const float z = sigmoid(0.5f + 0.1f * h + 0.01f + 0.04f), rg = sigmoid(-0.25f + 0.2f * h + 0.02f + 0.05f);
  // Off: the reset gate scales H_(t-1) before the product; Rbh is a plain bias.
  const float candOff = std::tanh(2.0f + 0.3f * (rg * h) + 0.03f + 0.06f);
  // On: it scales the product with its bias.
  const float candOn = std::tanh(2.0f + rg * (0.3f * h + 0.06f) + 0.03f);
  expectNear(gruStep(false), {(1 - z) * candOff + z * h});
  expectNear(gruStep(true), {(1 - z) * candOn + z * h});
}

// One LSTM step, H = 1, gates i, o, f, c in W/R/B and peepholes i, o, f in P.
TEST(RecurrentLSTM, PeepholesAndGateOrder) {
  Tensor x = Tensor::of<float>({1, 1, 1}, {1});
  Tensor w = Tensor::of<float>({1, 4, 1}, {0.1f, 0.2f, 0.3f, 0.4f});
  Tensor r = Tensor::of<float>({1, 4, 1}, {-0.1f, -0.2f, -0.3f, -0.4f});
  Tensor h0 = Tensor::of<float>({1, 1, 1}, {0.5f}), c0 = Tensor::of<float>({1, 1, 1}, {2});
  Tensor p = Tensor::of<float>({1, 3}, {0.01f, 0.02f, 0.03f});
  Tensor y(DType::f32, {1, 1, 1, 1}), yh(DType::f32, {1, 1, 1}), yc(DType::f32, {1, 1, 1});
  for (int coupled = 0; coupled < 2; ++coupled) {
    AttrList attrs = recurrentAttrs("forward", 1, "Sigmoid,Tanh,Tanh", {0, 0, 0});
    attrs.i("input_forget", coupled);
    runKernel("LSTM", {&x, &w, &r, nullptr, nullptr, &h0, &c0, &p}, {&y, &yh, &yc}, attrs);
    const float h = 0.5f, c = 2.0f;
    const float i = sigmoid(0.1f - 0.1f * h + 0.01f * c);
    const float f = coupled ? 1 - i : sigmoid(0.3f - 0.3f * h + 0.03f * c);
    const float cNew = f * c + i * std::tanh(0.4f - 0.4f * h);
    const float o = sigmoid(0.2f - 0.2f * h + 0.02f * cNew);
    expectNear(yc.values<float>(), {cNew});
    expectNear(yh.values<float>(), {o * std::tanh(cNew)});
    expectNear(y.values<float>(), {o * std::tanh(cNew)});
  }
}

// clip bounds every gate's pre-activation: with a huge input the Relu RNN's state is
// the clip value.
TEST(RecurrentRNN, ClipBoundsPreActivations) {
  Tensor x = Tensor::of<float>({1, 1, 1}, {100});
  Tensor w = Tensor::of<float>({1, 1, 1}, {1}), r = Tensor::of<float>({1, 1, 1}, {1});
  Tensor y(DType::f32, {1, 1, 1, 1}), yh(DType::f32, {1, 1, 1});
  AttrList attrs = recurrentAttrs("forward", 1, "Relu", {0});
  attrs.f("clip", 3);
  runKernel("RNN", {&x, &w, &r}, {&y, &yh}, attrs);
  expectNear(yh.values<float>(), {3});
}

// Work is split over (direction, batch row) pairs: 1 and 3 threads give identical bits.
TEST(RecurrentLSTM, ThreadCountDoesNotChangeResults) {
  const int64_t S = 5, B = 4, I = 3, H = 2;
  std::vector<float> xv(S * B * I), wv(2 * 4 * H * I), rv(2 * 4 * H * H);
  for (size_t i = 0; i < xv.size(); ++i) xv[i] = std::sin(float(i));
  for (size_t i = 0; i < wv.size(); ++i) wv[i] = std::cos(float(i)) * 0.5f;
  for (size_t i = 0; i < rv.size(); ++i) rv[i] = std::sin(float(i) * 0.7f) * 0.5f;
  std::vector<std::vector<float>> results;
  for (int threads : {1, 3}) {
    Tensor x = Tensor::of<float>({S, B, I}, xv), w = Tensor::of<float>({2, 4 * H, I}, wv);
    Tensor r = Tensor::of<float>({2, 4 * H, H}, rv);
    Tensor lens = Tensor::of<int32_t>({B}, {5, 3, 1, 4});
    Tensor y(DType::f32, {S, 2, B, H}), yh(DType::f32, {2, B, H}), yc(DType::f32, {2, B, H});
    AttrList attrs = recurrentAttrs("bidirectional", H, "Sigmoid,Tanh,Tanh,Sigmoid,Tanh,Tanh", {0, 0, 0, 0, 0, 0});
    attrs.i("input_forget", 0);
    runKernel("LSTM", {&x, &w, &r, nullptr, &lens}, {&y, &yh, &yc}, attrs, {Isa::Ref}, threads);
    results.push_back(y.values<float>());
  }
  EXPECT_EQ(results[0], results[1]);
}

TEST(RecurrentRNN, SequenceLensOutOfRangeIsAnError) {
  Tensor x = Tensor::of<float>({2, 1, 1}, {1, 2});
  Tensor w = Tensor::of<float>({1, 1, 1}, {1}), r = Tensor::of<float>({1, 1, 1}, {1});
  Tensor lens = Tensor::of<int32_t>({1}, {3});
  Tensor y(DType::f32, {2, 1, 1, 1}), yh(DType::f32, {1, 1, 1});
  AttrList attrs = recurrentAttrs("forward", 1, "Tanh", {0});
  std::string err = errorOf([&] { runKernel("RNN", {&x, &w, &r, nullptr, &lens}, {&y, &yh}, attrs); });
  EXPECT_NE(err.find("RNN node 'test_node': sequence_lens[0] = 3 is outside [0, 2]"), std::string::npos) << err;
}

TEST(RecurrentGRU, PrepareRejectsMismatchedWeights) {
  Tensor x = Tensor::of<float>({2, 1, 1}, {1, 2});
  Tensor w = Tensor::of<float>({1, 1, 1}, {1}), r = Tensor::of<float>({1, 3, 1}, {1, 1, 1});
  Tensor y(DType::f32, {2, 1, 1, 1}), yh(DType::f32, {1, 1, 1});
  AttrList attrs = recurrentAttrs("forward", 1, "Sigmoid,Tanh", {0, 0});
  attrs.i("linear_before_reset", 0);
  std::string err = errorOf([&] { runKernel("GRU", {&x, &w, &r}, {&y, &yh}, attrs); });
  EXPECT_NE(err.find("W has shape [1,1,1], expected [1,3,1]"), std::string::npos) << err;
}

}  // namespace
}  // namespace edgec::rt::testing
