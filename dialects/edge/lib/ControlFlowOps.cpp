// Verifiers of the control-flow ops (EdgeControlFlowOps.td): If, Scan and Loop, whose bodies
// are functions of the module. verify() checks the op alone; verifySymbolUses checks the
// called functions' signatures against the operands and results, which is what the
// runtime relies on when it copies values in and out of a body.
#include "edge/EdgeDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

namespace {
// The function `ref` names, or an error.
FailureOr<FunctionType> calleeType(Operation *op, FlatSymbolRefAttr ref, SymbolTableCollection &symbols) {
  auto module = op->getParentOfType<ModuleOp>();
  auto callee = module ? symbols.lookupSymbolIn<FunctionOpInterface>(module, ref) : FunctionOpInterface();
  if (!callee) return op->emitOpError() << "refers to " << ref << ", which is not a function of the module";
  if (callee.isExternal()) return op->emitOpError() << "refers to " << ref << ", which has no body";
  return cast<FunctionType>(callee.getFunctionType());
}

std::string typesStr(TypeRange types) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "(";
  llvm::interleaveComma(types, os);
  os << ")";
  return s;
}

LogicalResult expectTypes(Operation *op, FlatSymbolRefAttr ref, StringRef what, TypeRange got, TypeRange want) {
  if (TypeRange(got) == want) return success();
  return op->emitOpError() << ref << " " << what << " " << typesStr(got) << ", expected " << typesStr(want);
}

// `type` without dim `axis`: one slice of a scan input or output.
RankedTensorType sliceType(Type type, int64_t axis) {
  auto t = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape(t.getShape());
  shape.erase(shape.begin() + axis);
  return t.clone(shape);
}
}  // namespace

LogicalResult IfOp::verify() {
  if (cast<RankedTensorType>(getCond().getType()).getNumElements() != 1)
    return emitOpError() << "cond must have one element, got shape " << shapeStr(shapeOf(getCond()));
  return success();
}

LogicalResult IfOp::verifySymbolUses(SymbolTableCollection &symbols) {
  for (FlatSymbolRefAttr ref : {getThenBranchAttr(), getElseBranchAttr()}) {
    FailureOr<FunctionType> type = calleeType(*this, ref, symbols);
    if (failed(type) || failed(expectTypes(*this, ref, "takes", type->getInputs(), getInputs().getTypes())) ||
        failed(expectTypes(*this, ref, "returns", type->getResults(), getResultTypes())))
      return failure();
  }
  return success();
}

LogicalResult ScanOp::verify() {
  const int64_t n = getNumStates(), m = getNumScanInputs(), k = int64_t(getNumResults()) - n;
  if (n < 0 || m < 1 || n + m > int64_t(getInputs().size()) || k < 0)
    return emitOpError() << "num_states " << n << " and num_scan_inputs " << m << " do not fit " << getInputs().size()
                         << " operands and " << getNumResults() << " results";
  if (int64_t(getScanInputAxes().size()) != m || int64_t(getScanInputDirections().size()) != m)
    return emitOpError() << "scan_input_axes and scan_input_directions must have " << m << " values";
  if (int64_t(getScanOutputAxes().size()) != k || int64_t(getScanOutputDirections().size()) != k)
    return emitOpError() << "scan_output_axes and scan_output_directions must have " << k << " values";
  for (int64_t d : getScanInputDirections())
    if (d != 0 && d != 1) return emitOpError() << "scan directions must be 0 or 1";
  for (int64_t d : getScanOutputDirections())
    if (d != 0 && d != 1) return emitOpError() << "scan directions must be 0 or 1";
  int64_t length = -1;
  for (int64_t i = 0; i < m; ++i) {
    Value x = getInputs()[n + i];
    const int64_t axis = getScanInputAxes()[i];
    if (failed(verifyAxis(*this, axis, shapeOf(x).size(), "scan input axis"))) return failure();
    if (length >= 0 && shapeOf(x)[axis] != length)
      return emitOpError() << "scan inputs must have one length along their axes, got " << length << " and "
                           << shapeOf(x)[axis];
    length = shapeOf(x)[axis];
  }
  for (int64_t i = 0; i < n; ++i)
    if (getResult(i).getType() != getInputs()[i].getType())
      return emitOpError() << "final state " << i << " must have its initial value's type " << getInputs()[i].getType();
  for (int64_t j = 0; j < k; ++j) {
    Value y = getResult(n + j);
    const int64_t axis = getScanOutputAxes()[j];
    if (failed(verifyAxis(*this, axis, shapeOf(y).size(), "scan output axis"))) return failure();
    if (shapeOf(y)[axis] != length)
      return emitOpError() << "scan output " << j << " must have the scan length " << length << " along axis " << axis
                           << ", got shape " << shapeStr(shapeOf(y));
  }
  return success();
}

LogicalResult ScanOp::verifySymbolUses(SymbolTableCollection &symbols) {
  FailureOr<FunctionType> type = calleeType(*this, getBodyAttr(), symbols);
  if (failed(type)) return failure();
  const int64_t n = getNumStates(), m = getNumScanInputs();
  // Body arguments: the states, one slice per scan input, then the captured values.
  SmallVector<Type> args, results;
  for (auto [i, v] : llvm::enumerate(getInputs()))
    args.push_back(int64_t(i) >= n && int64_t(i) < n + m ? sliceType(v.getType(), getScanInputAxes()[i - n])
                                                         : v.getType());
  for (auto [j, r] : llvm::enumerate(getResults()))
    results.push_back(int64_t(j) < n ? r.getType() : sliceType(r.getType(), getScanOutputAxes()[j - n]));
  if (failed(expectTypes(*this, getBodyAttr(), "takes", type->getInputs(), args)) ||
      failed(expectTypes(*this, getBodyAttr(), "returns", type->getResults(), results)))
    return failure();
  return success();
}

LogicalResult LoopOp::verify() {
  const int64_t n = getNumCarried(), k = int64_t(getNumResults()) - n;
  if (n < 0 || n > int64_t(getInputs().size()) || k < 0)
    return emitOpError() << "num_carried " << n << " does not fit " << getInputs().size() << " operands and "
                         << getNumResults() << " results";
  if (Value m = getMaxTripCount(); m && tensorType(m).getNumElements() != 1)
    return emitOpError() << "max_trip_count must have one element, got shape " << shapeStr(shapeOf(m));
  if (Value c = getCond(); c && tensorType(c).getNumElements() != 1)
    return emitOpError() << "cond must have one element, got shape " << shapeStr(shapeOf(c));
  for (int64_t i = 0; i < n; ++i)
    if (getResult(i).getType() != getInputs()[i].getType())
      return emitOpError() << "final value " << i << " must have its initial value's type " << getInputs()[i].getType();
  for (int64_t j = 0; j < k; ++j)
    if (shapeOf(getResult(n + j)).empty())
      return emitOpError() << "scan output " << j << " must have rank >= 1 (its slices stacked along axis 0)";
  return success();
}

LogicalResult LoopOp::verifySymbolUses(SymbolTableCollection &symbols) {
  FailureOr<FunctionType> type = calleeType(*this, getBodyAttr(), symbols);
  if (failed(type)) return failure();
  const int64_t n = getNumCarried();
  // Body arguments: the iteration number, the condition, the carried values, the
  // captured values; results: the next condition (one bool, of any shape: exporters
  // write [] or [1]), the carried values, one slice of each scan output.
  Builder b(getContext());
  SmallVector<Type> args{RankedTensorType::get({}, b.getI64Type()), RankedTensorType::get({}, b.getI1Type())};
  SmallVector<Type> results;
  for (Value v : getInputs()) args.push_back(v.getType());
  for (auto [j, r] : llvm::enumerate(getResults()))
    results.push_back(int64_t(j) < n ? r.getType() : sliceType(r.getType(), 0));
  if (failed(expectTypes(*this, getBodyAttr(), "takes", type->getInputs(), args))) return failure();
  auto cond = type->getResults().empty() ? RankedTensorType() : dyn_cast<RankedTensorType>(type->getResults()[0]);
  if (!cond || !cond.getElementType().isInteger(1) || cond.getNumElements() != 1)
    return emitOpError() << getBodyAttr() << " must return the next condition (one bool) first";
  return expectTypes(*this, getBodyAttr(), "returns", type->getResults().drop_front(), results);
}
