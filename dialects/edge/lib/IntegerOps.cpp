// Verifiers of ONNX's integer-output quantization ops (EdgeIntegerOps.td): MatMulInteger,
// ConvInteger, DynamicQuantizeLinear. They check what the ref kernels rely on.
#include "edge/EdgeDialect.h"

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

namespace {
int64_t numElements(Value v) { return tensorType(v).getNumElements(); }

// A zero point: its operand's element type, and one value or a 1-D `[count]` (count < 0:
// one value only).
LogicalResult verifyZeroPoint(Operation *op, Value zp, Value operand, int64_t count, StringRef name,
                              StringRef perWhat) {
  if (elementOf(zp) != elementOf(operand))
    return op->emitOpError() << name << " must have its operand's element type " << elementOf(operand)
                             << ", got " << elementOf(zp);
  if (numElements(zp) == 1) return success();
  if (count >= 0 && shapeOf(zp) == ArrayRef<int64_t>{count}) return success();
  if (count < 0) return op->emitOpError() << name << " must have one value, got shape " << shapeStr(shapeOf(zp));
  return op->emitOpError() << name << " must have one value or " << count << " (one per " << perWhat
                           << "), got shape " << shapeStr(shapeOf(zp));
}
}  // namespace

LogicalResult MatMulIntegerOp::verify() {
  ArrayRef<int64_t> a = shapeOf(getA()), b = shapeOf(getB());
  if (a.empty() || b.empty()) return emitOpError() << "operands must have rank >= 1";
  // numpy matmul: a 1-D a is a row, a 1-D b a column; those added dims leave the result.
  SmallVector<int64_t> as(a), bs(b);
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
  if (bs[bs.size() - 2] != K)
    return emitOpError() << "inner dimensions differ: a " << shapeStr(a) << ", b " << shapeStr(b);
  auto batch = broadcastShapes(ArrayRef<int64_t>(as).drop_back(2), ArrayRef<int64_t>(bs).drop_back(2));
  if (failed(batch))
    return emitOpError() << "batch dimensions do not broadcast: a " << shapeStr(a) << ", b " << shapeStr(b);
  SmallVector<int64_t> expect(*batch);
  if (a.size() > 1) expect.push_back(M);
  if (b.size() > 1) expect.push_back(N);
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(expect))
    return emitOpError() << "result shape " << shapeStr(shapeOf(getOutput())) << " should be " << shapeStr(expect);
  if (failed(verifyZeroPoint(*this, getAZeroPoint(), getA(), a.size() > 1 ? M : -1, "a_zero_point", "row of a")))
    return failure();
  return verifyZeroPoint(*this, getBZeroPoint(), getB(), b.size() > 1 ? N : -1, "b_zero_point", "column of b");
}

LogicalResult ConvIntegerOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getWeight()), y = shapeOf(getOutput());
  if (x.size() < 3 || w.size() != x.size() || y.size() != x.size())
    return emitOpError("input, weight and result must have the same rank >= 3 (N, C, spatial...)");
  const int64_t spatial = x.size() - 2, group = getGroup();
  ArrayRef<int64_t> strides = getStrides(), pads = getPads(), dilations = getDilations();
  if (int64_t(strides.size()) != spatial || int64_t(dilations.size()) != spatial ||
      int64_t(pads.size()) != 2 * spatial)
    return emitOpError() << "expects " << spatial << " strides and dilations and " << 2 * spatial << " pads";
  if (llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }) ||
      llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return emitOpError("strides and dilations must be >= 1 and pads >= 0");
  if (group < 1 || x[1] % group != 0 || w[0] % group != 0)
    return emitOpError() << "group " << group << " must divide input channels " << x[1] << " and output channels "
                         << w[0];
  if (w[1] * group != x[1])
    return emitOpError() << "weight has " << w[1] << " input channels per group, expected " << x[1] / group;
  if (y[0] != x[0] || y[1] != w[0]) return emitOpError("result must have shape [N, M, ...]");
  for (int64_t i = 0; i < spatial; ++i) {
    if (w[2 + i] < 1) return emitOpError() << "kernel size " << w[2 + i] << " in spatial dim " << i << " must be >= 1";
    int64_t expect =
        slidingWindowOutput(x[2 + i], w[2 + i], strides[i], pads[i], pads[spatial + i], dilations[i], false);
    if (expect < 1) return emitOpError() << "window does not fit spatial dim " << i << " of size " << x[2 + i];
    if (y[2 + i] != expect)
      return emitOpError() << "result spatial dim " << i << " is " << y[2 + i] << ", expected " << expect;
  }
  if (failed(verifyZeroPoint(*this, getInputZeroPoint(), getInput(), -1, "input_zero_point", "")))
    return failure();
  return verifyZeroPoint(*this, getWeightZeroPoint(), getWeight(), w[0], "weight_zero_point", "output channel");
}

LogicalResult DynamicQuantizeLinearOp::verify() {
  if (shapeOf(getOutput()) != shapeOf(getInput()))
    return emitOpError() << "result shape " << shapeStr(shapeOf(getOutput())) << " must be the input's "
                         << shapeStr(shapeOf(getInput()));
  if (!shapeOf(getScale()).empty() || !shapeOf(getZeroPoint()).empty())
    return emitOpError() << "scale and zero point must be rank-0 tensors";
  return success();
}
