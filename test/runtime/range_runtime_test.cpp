// The ref Range kernel when start, limit or delta is a run-time value (the compiled
// length came from the model's declared shapes): every run checks that the values give
// that length, as ONNX's max(ceil((limit - start) / delta), 0).
#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

// Range prepared once with non-constant inputs and run with several limits.
struct PreparedRange {
  PreparedRange(Tensor &start, Tensor &limit, Tensor &delta, Tensor &y) : in_{&start, &limit, &delta}, y_(y) {
    sig_.op = "Range";
    sig_.node = "window";
    sig_.attrs = none_.attrs();
    for (Tensor *t : in_) sig_.inputs.push_back(&t->view());
    sig_.input_is_constant = {true, false, true};  // the limit is the graph input
    sig_.outputs = {&y.view()};
    kernel_ = KernelRegistry::instance().create(sig_, {Isa::Ref});
    kernel_->prepare(sig_);
  }
  std::string run() {
    try {
      runPrepared(*kernel_, {&in_[0]->view(), &in_[1]->view(), &in_[2]->view()}, {&y_.view()});
    } catch (const Error &e) {
      return e.what();
    }
    return "";
  }
  std::vector<Tensor *> in_;
  Tensor &y_;
  AttrList none_;
  KernelSignature sig_;
  std::unique_ptr<Kernel> kernel_;
};

TEST(RefRange, ChecksARunTimeLength) {
  Tensor start = Tensor::of<float>({}, {0}), limit = Tensor::of<float>({}, {4}), delta = Tensor::of<float>({}, {1.5f});
  Tensor y(DType::f32, {3});
  PreparedRange range(start, limit, delta, y);
  EXPECT_EQ(range.run(), "");  // ceil(4 / 1.5) = 3
  EXPECT_EQ(y.values<float>(), (std::vector<float>{0, 1.5f, 3}));
  limit.view().as<float>()[0] = 4.5f;  // exactly 3 steps
  EXPECT_EQ(range.run(), "");
  limit.view().as<float>()[0] = 5;
  EXPECT_EQ(range.run(),
            "Range node 'window': start 0, limit 5, delta 1.5 give shape [4] but the package was compiled for [3]; "
            "shapes are fixed at compile time (freeze the input with edgec compile --bind NAME=FILE.npy)");
  delta.view().as<float>()[0] = 0;
  EXPECT_EQ(range.run(), "Range node 'window': start 0, limit 5, delta 0: delta must not be 0");
  delta.view().as<float>()[0] = 1;
  limit.view().as<float>()[0] = std::numeric_limits<float>::infinity();
  EXPECT_EQ(range.run(), "Range node 'window': start 0, limit inf, delta 1: the length is not finite");
}

// Integers, and a limit behind the start: an empty range, length 0.
TEST(RefRange, IntegerAndEmptyRunTimeRanges) {
  Tensor start = Tensor::of<int32_t>({}, {10}), limit = Tensor::of<int32_t>({}, {4}), delta = Tensor::of<int32_t>({}, {-3});
  Tensor y(DType::i32, {2});
  PreparedRange range(start, limit, delta, y);
  EXPECT_EQ(range.run(), "");
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{10, 7}));
  Tensor empty(DType::i32, {0});
  limit.view().as<int32_t>()[0] = 11;  // ceil(1 / -3) = 0
  PreparedRange none(start, limit, delta, empty);
  EXPECT_EQ(none.run(), "");
}

}  // namespace
}  // namespace edgec::rt::testing
