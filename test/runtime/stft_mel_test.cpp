// Ref STFT and MelWeightMatrix (ref/dft.cpp) on cases small enough to write down, or
// whose values ONNX's reference implementation (numpy) gave; the ONNX node suite
// (conformance) is the outside reference for the rest.
#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

// Frames [a, b] of a 2-point transform are [a + b, a - b]: [1..6] in steps of 2 gives
// (3, -1), (7, -1), (11, -1), imaginary parts 0. onesided keeps 2 / 2 + 1 = 2 bins.
TEST(RefSTFT, TwoPointFrames) {
  Tensor x = Tensor::of<float>({1, 6, 1}, {1, 2, 3, 4, 5, 6});
  Tensor y(DType::f32, {1, 3, 2, 2});
  AttrList a;
  a.i("frame_step", 2).i("frame_length", 2).i("onesided", 1);
  runKernel("STFT", {&x}, {&y}, a);
  expectNear(y.values<float>(), {3, 0, -1, 0, 7, 0, -1, 0, 11, 0, -1, 0}, 1e-6f);
}

// A complex signal, a 3-sample window zero-padded to a 4-point transform, two-sided, and
// frame_step and frame_length as run-time inputs (int64 and int32). Expected: ONNX's
// reference (op_stft.py: frames of the window's length, times the window, np.fft.fft
// with n = frame_length).
TEST(RefSTFT, ComplexWindowedRuntimeParameters) {
  Tensor x = Tensor::of<float>({1, 7, 2}, {1, 0.5f, 2, -1, 0, 3, -1, 1, 4, 0, 2, 2, -3, 1});
  Tensor step = Tensor::of<int64_t>({}, {2});
  Tensor window = Tensor::of<float>({3}, {0.5f, 1.f, 0.25f});
  Tensor length = Tensor::of<int32_t>({}, {4});
  Tensor y(DType::f32, {1, 2, 4, 2});
  AttrList a;
  a.i("onesided", 0);
  runKernel("STFT", {&x, &step, &window, &length}, {&y}, a);
  expectNear(y.values<float>(), {2.5f, 0, -0.5f, -2.5f, -1.5f, 2, 1.5f, 1.5f, 0, 2.5f, 0, 2.5f, 2, 0.5f, -2, 0.5f},
             1e-5f);
}

// A 5-sample window over a 4-point transform: the frame is cut to 4 samples (the
// reference's DFT with n = 4). Expected from the reference as above.
TEST(RefSTFT, WindowLongerThanFrameIsCut) {
  Tensor x = Tensor::of<float>({1, 9, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor window = Tensor::of<float>({5}, {1, 2, 1, 0.5f, 3});
  Tensor y(DType::f32, {1, 2, 3, 2});
  AttrList a;
  a.i("frame_step", 3).i("frame_length", 4).i("onesided", 1);
  runKernel("STFT", {&x, nullptr, &window}, {&y}, a);
  expectNear(y.values<float>(), {10, 0, -2, -2, -2, 0, 23.5f, 0, -2, -6.5f, -3.5f, 0}, 1e-5f);
}

// Run-time values that give another shape than the compiled one fail, naming the node.
TEST(RefSTFT, RuntimeValuesMustGiveTheCompiledShape) {
  Tensor x = Tensor::of<float>({1, 6, 1}, {1, 2, 3, 4, 5, 6});
  Tensor step = Tensor::of<int64_t>({}, {1});  // 5 frames, compiled for 3
  Tensor y(DType::f32, {1, 3, 2, 2});
  AttrList a;
  a.i("frame_length", 2).i("onesided", 1);
  try {
    runKernel("STFT", {&x, &step}, {&y}, a);
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("STFT node 'test_node'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[1,5,2,2]"), std::string::npos) << e.what();
  }
  Tensor zero = Tensor::of<int64_t>({}, {0});
  AttrList b;
  b.i("frame_length", 2).i("onesided", 1);
  EXPECT_THROW(runKernel("STFT", {&x, &zero}, {&y}, b), Error);
}

TEST(RefSTFT, RejectsBothAttributeAndInput) {
  Tensor x = Tensor::of<float>({1, 6, 1}, {1, 2, 3, 4, 5, 6});
  Tensor step = Tensor::of<int64_t>({}, {2});
  Tensor y(DType::f32, {1, 3, 2, 2});
  AttrList a;
  a.i("frame_step", 2).i("frame_length", 2).i("onesided", 1);
  EXPECT_THROW(runKernel("STFT", {&x, &step}, {&y}, a), Error);
}

Isa runMel(std::vector<Tensor *> in, Tensor &y) { return runKernel("MelWeightMatrix", in, {&y}); }

// ONNX's documented example (MelWeightMatrix, test_melweightmatrix): the edges fall on
// bins 0 0 0 1 1 2 3 4 5 6, so every triangle is a single 1.
TEST(RefMelWeightMatrix, OnnxExample) {
  Tensor mels = Tensor::of<int32_t>({}, {8}), dft = Tensor::of<int32_t>({}, {16}), rate = Tensor::of<int32_t>({}, {8192});
  Tensor lo = Tensor::of<float>({}, {0.f}), hi = Tensor::of<float>({}, {4096.f});
  Tensor y(DType::f32, {9, 8});
  runMel({&mels, &dft, &rate, &lo, &hi}, y);
  std::vector<float> expect(72, 0.f);
  for (auto [row, col] : std::vector<std::pair<int, int>>{{0, 0}, {0, 1}, {1, 2}, {1, 3}, {2, 4}, {3, 5}, {4, 6}, {5, 7}})
    expect[size_t(row * 8 + col)] = 1.f;
  expectNear(y.values<float>(), expect, 0.f);
}

// Fractional triangles, f64 output, int64 scalars: ONNX's reference code (numpy) puts the
// 6 edges of 4 mel bins over 100..8000 Hz (dft_length 64, 16 kHz) on bins 0 1 4 7 13 20;
// column i rises from edge i to edge i + 1 and falls to edge i + 2.
TEST(RefMelWeightMatrix, FractionalTriangles) {
  Tensor mels = Tensor::of<int64_t>({}, {4}), dft = Tensor::of<int64_t>({}, {64}), rate = Tensor::of<int64_t>({}, {16000});
  Tensor lo = Tensor::of<float>({}, {100.f}), hi = Tensor::of<float>({}, {8000.f});
  Tensor y(DType::f64, {33, 4});
  runMel({&mels, &dft, &rate, &lo, &hi}, y);
  const int edges[] = {0, 1, 4, 7, 13, 20};
  std::vector<double> expect(33 * 4, 0.0);
  for (int i = 0; i < 4; ++i) {
    const int l = edges[i], c = edges[i + 1], h = edges[i + 2];
    for (int j = l; j <= c; ++j) expect[size_t(j * 4 + i)] = double(j - l) / double(c - l);
    for (int j = c; j < h; ++j) expect[size_t(j * 4 + i)] = double(h - j) / double(h - c);
  }
  const std::vector<double> got = y.values<double>();
  ASSERT_EQ(got.size(), expect.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_DOUBLE_EQ(got[i], expect[i]) << "at " << i;
}

// num_mel_bins and dft_length are read on every run and must give the compiled shape.
TEST(RefMelWeightMatrix, ValuesMustGiveTheCompiledShape) {
  Tensor mels = Tensor::of<int32_t>({}, {8}), dft = Tensor::of<int32_t>({}, {32}), rate = Tensor::of<int32_t>({}, {8192});
  Tensor lo = Tensor::of<float>({}, {0.f}), hi = Tensor::of<float>({}, {4096.f});
  Tensor y(DType::f32, {9, 8});
  try {
    runMel({&mels, &dft, &rate, &lo, &hi}, y);
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("MelWeightMatrix node 'test_node'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[17,8]"), std::string::npos) << e.what();
  }
  // An upper edge past the Nyquist frequency puts an edge outside the spectrogram.
  Tensor dft16 = Tensor::of<int32_t>({}, {16}), far = Tensor::of<float>({}, {20000.f});
  EXPECT_THROW(runMel({&mels, &dft16, &rate, &lo, &far}, y), Error);
}

}  // namespace
}  // namespace edgec::rt::testing
