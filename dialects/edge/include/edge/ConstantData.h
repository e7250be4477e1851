// Reading and creating constant tensor data, whether it is stored `dense` (small,
// foldable) or as a `dense_resource` blob (weights, never printed as text).
#pragma once

#include <cstdint>
#include <vector>

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::edge {

// Tensors with at most this many elements are kept as `dense` attributes.
inline constexpr int64_t kInlineConstantLimit = 16;

// Row-major, little-endian bytes of the constant; bool is one byte per element; i4/ui4
// pack two values per byte, low nibble first (the package layout, edgec/dtype_table.h).
std::vector<uint8_t> constantBytes(ElementsAttr attr);

// Constant values converted to float / int64 (for folding passes and shape params); a
// quantized constant gives its stored integers.
std::vector<double> constantAsDoubles(ElementsAttr attr);
std::vector<int64_t> constantAsInts(ElementsAttr attr);

// An attribute holding `bytes` (layout as constantBytes) for `type`: `dense` when
// small, else (and always for quantized and i4/ui4 elements, whose blob holds the packed
// bytes) a `dense_resource` blob named after `name` (uniqued by the context).
ElementsAttr makeConstantAttr(RankedTensorType type, ArrayRef<uint8_t> bytes, StringRef name);

}  // namespace mlir::edge
