#include "edge/QuantTypes.h"

#include "mlir/Dialect/Quant/QuantTypes.h"

using namespace mlir;
using namespace mlir::quant;

bool mlir::edge::isUniformQuantized(Type elementType) {
  return isa<UniformQuantizedType, UniformQuantizedPerAxisType>(elementType);
}

Type mlir::edge::storageType(Type elementType) {
  auto q = dyn_cast<QuantizedType>(elementType);
  if (!q) return elementType;
  return IntegerType::get(elementType.getContext(), q.getStorageTypeIntegralWidth(),
                          q.isSigned() ? IntegerType::Signless : IntegerType::Unsigned);
}

Type mlir::edge::expressedType(Type elementType) {
  auto q = dyn_cast<QuantizedType>(elementType);
  return q ? q.getExpressedType() : elementType;
}

std::optional<int64_t> mlir::edge::quantizedDimension(Type elementType) {
  if (auto perAxis = dyn_cast<UniformQuantizedPerAxisType>(elementType))
    return perAxis.getQuantizedDimension();
  return std::nullopt;
}

bool mlir::edge::isSameElementKind(Type a, Type b) {
  if (a == b) return true;
  if (!isUniformQuantized(a) || !isUniformQuantized(b)) return false;
  return storageType(a) == storageType(b) &&
         cast<QuantizedType>(a).getExpressedType() == cast<QuantizedType>(b).getExpressedType();
}

std::string mlir::edge::elementKindMismatch(Type a, Type b) {
  if (isSameElementKind(a, b)) return "";
  if (isUniformQuantized(a) != isUniformQuantized(b))
    return "quantized and non-quantized values do not mix";
  if (!isUniformQuantized(a)) return "";
  std::string why;
  llvm::raw_string_ostream os(why);
  if (storageType(a) != storageType(b))
    os << "storage types differ: " << storageType(a) << " vs " << storageType(b);
  else
    os << "expressed types differ: " << cast<QuantizedType>(a).getExpressedType() << " vs "
       << cast<QuantizedType>(b).getExpressedType();
  return why;
}

Type mlir::edge::withQuantizedDimension(Type elementType, int64_t dim) {
  auto t = dyn_cast<UniformQuantizedPerAxisType>(elementType);
  if (!t || t.getQuantizedDimension() == dim) return elementType;
  return UniformQuantizedPerAxisType::get(t.getFlags(), t.getStorageType(), t.getExpressedType(),
                                          t.getScales(), t.getZeroPoints(), dim,
                                          t.getStorageTypeMin(), t.getStorageTypeMax());
}

Type mlir::edge::selectQuantizedChannels(Type elementType, int64_t start, int64_t step,
                                         int64_t count) {
  auto t = dyn_cast<UniformQuantizedPerAxisType>(elementType);
  if (!t) return elementType;
  int64_t n = t.getScales().size();
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  for (int64_t i = 0, c = start; i < count && c >= 0 && c < n; ++i, c += step) {
    scales.push_back(t.getScales()[c]);
    zeroPoints.push_back(t.getZeroPoints()[c]);
  }
  return UniformQuantizedPerAxisType::get(t.getFlags(), t.getStorageType(), t.getExpressedType(),
                                          scales, zeroPoints, t.getQuantizedDimension(),
                                          t.getStorageTypeMin(), t.getStorageTypeMax());
}

int64_t mlir::edge::transposedAxis(ArrayRef<int64_t> perm, int64_t axis) {
  for (auto [i, p] : llvm::enumerate(perm))
    if (p == axis) return i;
  return -1;
}

FailureOr<int64_t> mlir::edge::reshapedAxis(ArrayRef<int64_t> inShape,
                                            ArrayRef<int64_t> outShape, int64_t axis) {
  if (axis < 0 || axis >= int64_t(inShape.size())) return failure();
  int64_t leading = 1;
  for (int64_t d : inShape.take_front(axis)) leading *= d;
  // Same extent and same product before it means the same stride after it, so every
  // index along the axis maps to one result index with the same elements.
  int64_t product = 1;
  for (auto [j, d] : llvm::enumerate(outShape)) {
    if (product == leading && d == inShape[axis]) return int64_t(j);
    product *= d;
  }
  return failure();
}

std::optional<mlir::edge::UniformParams> mlir::edge::uniformParams(Type elementType) {
  UniformParams p;
  if (auto t = dyn_cast<UniformQuantizedType>(elementType)) {
    p.scales.push_back(t.getScale());
    p.zeroPoints.push_back(t.getZeroPoint());
    return p;
  }
  if (auto t = dyn_cast<UniformQuantizedPerAxisType>(elementType)) {
    p.scales.assign(t.getScales().begin(), t.getScales().end());
    p.zeroPoints.assign(t.getZeroPoints().begin(), t.getZeroPoints().end());
    p.axis = t.getQuantizedDimension();
    return p;
  }
  return std::nullopt;
}

Type mlir::edge::makeUniformType(Type storage, Type expressed, const UniformParams &p) {
  auto integer = cast<IntegerType>(storage);
  const unsigned width = integer.getWidth();
  const bool isSigned = !integer.isUnsigned();
  const int64_t min = isSigned ? -(int64_t(1) << (width - 1)) : 0;
  const int64_t max = isSigned ? (int64_t(1) << (width - 1)) - 1 : (int64_t(1) << width) - 1;
  Type signless = IntegerType::get(storage.getContext(), width);
  const unsigned flags = isSigned ? QuantizationFlags::Signed : 0;
  if (!p.axis)
    return UniformQuantizedType::get(flags, signless, expressed, p.scales.front(), p.zeroPoints.front(), min, max);
  return UniformQuantizedPerAxisType::get(flags, signless, expressed, p.scales, p.zeroPoints, int32_t(*p.axis), min,
                                          max);
}
