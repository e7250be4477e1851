#include "edge/ConstantData.h"

#include <cstring>

#include "edge/QuantTypes.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace mlir::edge {

static size_t elementBytes(Type t) {
  if (t.isInteger(1)) return 1;
  return (t.getIntOrFloatBitWidth() + 7) / 8;
}

// i4/ui4: two values per byte, low nibble first (the dtype table's packing).
static bool isNibbleType(Type t) { return t.isInteger(4); }

std::vector<uint8_t> constantBytes(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  Type elem = type.getElementType();
  size_t count = type.getNumElements();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob) return {};
    ArrayRef<char> data = blob->getData();
    return std::vector<uint8_t>(data.begin(), data.end());
  }
  auto dense = cast<DenseElementsAttr>(attr);
  if (isNibbleType(elem)) {  // `dense` holds one byte per element: pack them
    std::vector<uint8_t> out((count + 1) / 2, 0);
    ArrayRef<char> raw = dense.getRawData();
    for (size_t i = 0; i < count; ++i) {
      const uint8_t v = uint8_t(raw[dense.isSplat() ? 0 : i]) & 0xF;
      out[i / 2] |= uint8_t(v << (4 * (i % 2)));
    }
    return out;
  }
  std::vector<uint8_t> out(count * elementBytes(elem));
  if (elem.isInteger(1)) {
    size_t i = 0;
    for (bool b : dense.getValues<bool>()) out[i++] = b;
    return out;
  }
  ArrayRef<char> raw = dense.getRawData();
  if (dense.isSplat()) {
    for (size_t i = 0; i < count; ++i) std::memcpy(out.data() + i * raw.size(), raw.data(), raw.size());
  } else if (!out.empty()) {  // an empty tensor's data() may be null, which memcpy forbids
    std::memcpy(out.data(), raw.data(), out.size());
  }
  return out;
}

template <typename To, typename From> static void convertAll(const std::vector<uint8_t> &bytes, std::vector<To> &out) {
  out.resize(bytes.size() / sizeof(From));
  for (size_t i = 0; i < out.size(); ++i) {
    From v;
    std::memcpy(&v, bytes.data() + i * sizeof(From), sizeof(From));
    out[i] = static_cast<To>(v);
  }
}

template <typename To> static std::vector<To> constantAs(ElementsAttr attr) {
  // A quantized constant reads as its stored integers.
  Type elem = storageType(cast<ShapedType>(attr.getType()).getElementType());
  std::vector<uint8_t> bytes = constantBytes(attr);
  std::vector<To> out;
  if (isNibbleType(elem)) {
    out.resize(size_t(cast<ShapedType>(attr.getType()).getNumElements()));
    for (size_t i = 0; i < out.size() && i / 2 < bytes.size(); ++i) {
      int v = (bytes[i / 2] >> (4 * (i % 2))) & 0xF;
      if (!elem.isUnsignedInteger()) v = (v ^ 8) - 8;
      out[i] = static_cast<To>(v);
    }
    return out;
  }
  if (elem.isF32()) convertAll<To, float>(bytes, out);
  else if (elem.isF64()) convertAll<To, double>(bytes, out);
  else if (elem.isInteger(64)) convertAll<To, int64_t>(bytes, out);
  else if (elem.isInteger(1)) convertAll<To, uint8_t>(bytes, out);
  else if (elem.isUnsignedInteger(32)) convertAll<To, uint32_t>(bytes, out);
  else if (elem.isInteger(32)) convertAll<To, int32_t>(bytes, out);
  else if (elem.isUnsignedInteger(16)) convertAll<To, uint16_t>(bytes, out);
  else if (elem.isInteger(16)) convertAll<To, int16_t>(bytes, out);
  else if (elem.isUnsignedInteger(8)) convertAll<To, uint8_t>(bytes, out);
  else if (elem.isInteger(8)) convertAll<To, int8_t>(bytes, out);
  return out;
}

std::vector<double> constantAsDoubles(ElementsAttr attr) { return constantAs<double>(attr); }
std::vector<int64_t> constantAsInts(ElementsAttr attr) { return constantAs<int64_t>(attr); }

ElementsAttr makeConstantAttr(RankedTensorType type, ArrayRef<uint8_t> bytes, StringRef name) {
  Type elem = type.getElementType();
  // `dense` cannot hold quantized elements, nor packed i4/ui4 bytes: those are always blobs.
  if (!isUniformQuantized(elem) && !isNibbleType(elem) && (type.getNumElements() <= kInlineConstantLimit || elem.isInteger(1))) {
    if (elem.isInteger(1)) {
      SmallVector<bool> values(bytes.begin(), bytes.end());
      return DenseElementsAttr::get(type, values);
    }
    ArrayRef<char> raw(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    return DenseElementsAttr::getFromRawBuffer(type, raw);
  }
  ArrayRef<char> raw(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  return DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(raw, alignof(uint64_t)));
}

}  // namespace mlir::edge
