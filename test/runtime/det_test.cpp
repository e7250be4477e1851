// Ref Det (ref/linalg.cpp) on hand-computed determinants: 2x2, a 3x3 that needs a row
// swap (zero first pivot), a singular matrix, a batch, and f64.
#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

TEST(RefDet, SmallMatricesAndBatches) {
  // det [[1, 2], [3, 4]] = -2; det [[0, 1, 2], [1, 0, 3], [4, -3, 8]] = -2 (pivot swap).
  Tensor a = Tensor::of<float>({2, 2}, {1, 2, 3, 4});
  Tensor da(DType::f32, {});
  runKernel("Det", {&a}, {&da});
  EXPECT_FLOAT_EQ(da.values<float>()[0], -2.f);

  Tensor b = Tensor::of<float>({3, 3}, {0, 1, 2, 1, 0, 3, 4, -3, 8});
  Tensor db(DType::f32, {});
  runKernel("Det", {&b}, {&db});
  EXPECT_NEAR(db.values<float>()[0], -2.f, 1e-5f);

  // A batch [3, 2, 2]: identity (1), singular rows (0), diag(2, 5) (10).
  Tensor c = Tensor::of<double>({3, 2, 2}, {1, 0, 0, 1, 1, 2, 2, 4, 2, 0, 0, 5});
  Tensor dc(DType::f64, {3});
  runKernel("Det", {&c}, {&dc});
  EXPECT_EQ(dc.values<double>(), (std::vector<double>{1, 0, 10}));
}

TEST(RefDet, NonSquareFailsPrepare) {
  Tensor a = Tensor::of<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor d(DType::f32, {});
  EXPECT_ANY_THROW(runKernel("Det", {&a}, {&d}));
}

}  // namespace
}  // namespace edgec::rt::testing
