// Verifier of the signal-processing ops (EdgeSignalOps.td): DFT. It checks the shapes and
// attributes the ref kernel (runtime/kernels/ref/dft.cpp) relies on.
#include "edge/EdgeDialect.h"

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

LogicalResult DFTOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), y = shapeOf(getOutput());
  if (x.size() < 3 || y.size() != x.size())
    return emitOpError("input and result must have the same rank >= 3 (batch, signal..., 1 or 2)");
  if (x.back() != 1 && x.back() != 2)
    return emitOpError() << "the input's last dim must be 1 (real) or 2 (complex), got " << x.back();
  if (elementOf(getInput()) != elementOf(getOutput())) return emitOpError("result element type must match the input's");
  // I64Attr getters return uint64_t: read the signed values.
  const int64_t axis = getAxisAttr().getInt(), rank = x.size(), length = getDftLengthAttr().getInt();
  if (axis < 1 || axis > rank - 2)
    return emitOpError() << "axis " << axis << " must be a signal dim, in [1, " << rank - 2 << "]";
  if (getInverse() != 0 && getInverse() != 1) return emitOpError("inverse must be 0 or 1");
  if (getOnesided() != 0 && getOnesided() != 1) return emitOpError("onesided must be 0 or 1");
  if (getOnesided() && getInverse()) return emitOpError("onesided is for the forward transform only");
  if (length < 1) return emitOpError() << "dft_length must be >= 1, got " << length;
  SmallVector<int64_t> expect(x);
  expect[axis] = getOnesided() ? length / 2 + 1 : length;
  expect.back() = 2;
  if (y != ArrayRef<int64_t>(expect))
    return emitOpError() << "result shape " << shapeStr(y) << " should be " << shapeStr(expect);
  return success();
}
