// The ref Expand kernel with a target shape given at run time (ONNX Expand's shape or
// ConstantOfShape's input, when the compiled result type is static anyway): the values
// are read and checked on every run against the compiled output shape.
#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

// One Expand prepared once and run several times, as a session runs a package.
struct PreparedExpand {
  PreparedExpand(Tensor &x, Tensor &shape, Tensor &y) : x_(x), shape_(shape), y_(y) {
    sig_.op = "Expand";
    sig_.node = "grow";
    sig_.attrs = none_.attrs();
    sig_.inputs = {&x.view(), &shape.view()};
    sig_.input_is_constant = {false, false};
    sig_.outputs = {&y.view()};
    kernel_ = KernelRegistry::instance().create(sig_, {Isa::Ref});
    kernel_->prepare(sig_);
  }
  // The message of the error the run throws ("" when it does not).
  std::string run() {
    try {
      runPrepared(*kernel_, {&x_.view(), &shape_.view()}, {&y_.view()});
    } catch (const Error &e) {
      return e.what();
    }
    return "";
  }
  Tensor &x_, &shape_, &y_;
  AttrList none_;
  KernelSignature sig_;
  std::unique_ptr<Kernel> kernel_;
};

// [2, 1] expanded by the run's shape: [2, 3] and [1, 3] (broadcast both ways) both give
// the compiled [2, 3]; [4] would give [2, 4], [2, 2, 3] another rank.
TEST(RefExpand, ReadsTheShapeAtRunTime) {
  Tensor x = Tensor::of<float>({2, 1}, {1, 2});
  Tensor shape = Tensor::of<int64_t>({2}, {2, 3});
  Tensor y(DType::f32, {2, 3});
  PreparedExpand expand(x, shape, y);
  EXPECT_EQ(expand.run(), "");
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 1, 1, 2, 2, 2}));
  shape.view().as<int64_t>()[0] = 1;
  EXPECT_EQ(expand.run(), "");
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 1, 1, 2, 2, 2}));
  shape.view().as<int64_t>()[1] = 4;
  EXPECT_EQ(expand.run(),
            "Expand node 'grow': shape [1, 4] give shape [2,4] but the package was compiled for [2,3]; shapes are "
            "fixed at compile time (freeze the input with edgec compile --bind NAME=FILE.npy)");
  shape.view().as<int64_t>()[1] = -3;
  EXPECT_EQ(expand.run(), "Expand node 'grow': shape [1, -3]: dims must be >= 0");
  shape.view().as<int64_t>()[0] = 3;
  shape.view().as<int64_t>()[1] = 3;
  EXPECT_EQ(expand.run(), "Expand node 'grow': shape [3, 3] does not broadcast with X [2,1]");
}

// ConstantOfShape: a scalar value expanded to the run's shape, here the empty [0, 2].
TEST(RefExpand, ScalarToARunTimeShape) {
  Tensor v = Tensor::of<int32_t>({}, {7});
  Tensor shape = Tensor::of<int64_t>({3}, {2, 1, 3});
  Tensor y(DType::i32, {2, 1, 3});
  PreparedExpand expand(v, shape, y);
  EXPECT_EQ(expand.run(), "");
  EXPECT_EQ(y.values<int32_t>(), std::vector<int32_t>(6, 7));
  Tensor empty(DType::i32, {0, 2});
  Tensor zero = Tensor::of<int64_t>({2}, {0, 2});
  PreparedExpand none(v, zero, empty);
  EXPECT_EQ(none.run(), "");
}

// What prepare refuses: a shape that is not an int64 list of at most the output's rank.
TEST(RefExpand, RejectsBadShapeInputs) {
  Tensor x = Tensor::of<float>({1}, {1});
  Tensor y(DType::f32, {2, 3});
  Tensor three = Tensor::of<int64_t>({3}, {1, 2, 3}), i32 = Tensor::of<int32_t>({2}, {2, 3});
  Tensor matrix = Tensor::of<int64_t>({1, 2}, {2, 3});
  EXPECT_THROW(runKernel("Expand", {&x, &three}, {&y}), Error);
  EXPECT_THROW(runKernel("Expand", {&x, &i32}, {&y}), Error);
  EXPECT_THROW(runKernel("Expand", {&x, &matrix}, {&y}), Error);
}

}  // namespace
}  // namespace edgec::rt::testing
