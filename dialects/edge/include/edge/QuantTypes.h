// Facts about quantized element types that the edge verifiers (and later passes:
// lowering, the package writer) need, in one place: what an element is stored as,
// which dimension a per-axis type is quantized along, and where that dimension goes
// when a data-movement op rearranges the tensor.
#pragma once

#include <optional>
#include "llvm/ADT/SmallVector.h"
#include <string>

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Support/LogicalResult.h"

namespace mlir::edge {

// A `!quant.uniform` element type, per-tensor or per-axis.
bool isUniformQuantized(Type elementType);

// What one element is stored as. Upstream keeps a quantized type's signedness in a flag
// and returns a signless storage type; edge spells integers as ONNX does (i8 = int8,
// ui8 = uint8), so `!quant.uniform<u8:f32, ...>` is stored as ui8 and
// `!quant.uniform<i8:f32, ...>` as i8. Any other element type is its own storage.
Type storageType(Type elementType);

// The float type a quantized element stands for; any other type as is.
Type expressedType(Type elementType);

// The dimension a per-axis `!quant.uniform` is quantized along; nullopt otherwise.
std::optional<int64_t> quantizedDimension(Type elementType);

// Whether two element types can meet in an op whose kernel requantizes: identical
// types, or two `!quant.uniform` types over the same storage and expressed types
// (their scales, zero points and per-axis dimensions may differ).
bool isSameElementKind(Type a, Type b);

// Why two element types are not the same kind, for a verifier message ("quantized and
// non-quantized values do not mix", "storage types differ: i8 vs ui8"); empty when they
// are, or when they are two different non-quantized types (the caller says that).
std::string elementKindMismatch(Type a, Type b);

// The per-axis type with its quantized dimension moved to `dim`; any other type as is.
Type withQuantizedDimension(Type elementType, int64_t dim);

// The per-axis type keeping the scales (and zero points) of indices start + i * step,
// i < count, of its quantized dimension: what slicing that dimension leaves. Any other
// type as is.
Type selectQuantizedChannels(Type elementType, int64_t start, int64_t step, int64_t count);

// Where input dimension `axis` goes. Transpose (result dim i is input dim perm[i]):
// the i with perm[i] == axis, or -1 if perm has no such entry.
int64_t transposedAxis(ArrayRef<int64_t> perm, int64_t axis);

// Reshape: the result dim with the same extent and the same product of leading dims,
// i.e. the elements along `axis` stay together in order; failure when the reshape
// splits or merges the dimension. With several candidates (size-1 dims), the first.
FailureOr<int64_t> reshapedAxis(ArrayRef<int64_t> inShape, ArrayRef<int64_t> outShape,
                                int64_t axis);

// The parameters of a `!quant.uniform` type, flattened: one scale and zero point for a
// per-tensor type (axis empty), one per index of `axis` for a per-axis one.
struct UniformParams {
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  std::optional<int64_t> axis;
};
// Null-free only for isUniformQuantized types.
std::optional<UniformParams> uniformParams(Type elementType);

// A `!quant.uniform` element type over `storage` (i8, ui8 or i32, the edge spelling)
// expressing `expressed`: per-tensor when `p.axis` is empty (one scale), else per-axis.
// The storage range is the full range of the storage type.
Type makeUniformType(Type storage, Type expressed, const UniformParams &p);

}  // namespace mlir::edge
