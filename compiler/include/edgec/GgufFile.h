// A GGUF file (ggml's model format), read and validated: the metadata key-values, the
// tensor infos and, mmapped, the tensor data. Written from the published specification
// (ggml's docs/gguf.md); versions 2 and 3, little-endian. Every count, length, offset and
// size in the file is checked against the bytes that are there before it is used, so a
// damaged or hostile file gives one error line (naming the file, the key or tensor and the
// byte offset) and never a crash or a huge allocation. See docs/gguf.md.
//
// No exceptions (LLVM is built without them): open() returns null and sets `error`.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "edgec/dtype_table.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

namespace edgec::gguf {

// gguf_metadata_value_type, as stored in the file.
enum class ValueType : uint32_t {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7,
  String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
};
// "u8", "i32", "f32", "bool", "str", "array", ...; "?" for a value outside the enum.
const char *valueTypeName(ValueType type);

struct Value;
// An array value: its element type (arrays of arrays are allowed, to a depth limit) and
// its elements. Numbers and bools stay in the mapped file (`raw`), strings are views into
// it, only nested arrays are decoded: a large array costs no more memory than its bytes.
struct ArrayValue {
  ValueType elementType = ValueType::U8;
  uint64_t count = 0;
  const uint8_t *raw = nullptr;          // number and bool elements, as stored (little-endian)
  std::vector<llvm::StringRef> strings;  // string elements
  std::vector<Value> items;              // array elements
  size_t size() const { return size_t(count); }
  // Element `i` (< size()) as a Value of type `elementType`.
  Value at(size_t i) const;
};

// One metadata value. The integer types keep their stored type in `type` but share the
// 64-bit alternatives; strings point into the file (valid while the GgufFile lives).
struct Value {
  ValueType type = ValueType::U8;
  std::variant<uint64_t, int64_t, double, bool, llvm::StringRef, ArrayValue> data;

  bool isInteger() const;
  bool isFloat() const { return type == ValueType::F32 || type == ValueType::F64; }
  // The value as an integer, for every integer type; false for other types or (asU64) a
  // negative value.
  bool asU64(uint64_t &out) const;
  bool asI64(int64_t &out) const;
  // The value as a double: floats and integers.
  bool asF64(double &out) const;
  const llvm::StringRef *asString() const { return std::get_if<llvm::StringRef>(&data); }
  const ArrayValue *asArray() const { return std::get_if<ArrayValue>(&data); }
};

struct KeyValue {
  llvm::StringRef key;
  Value value;
  uint64_t fileOffset;  // where the key-value starts, for messages
};

struct TensorInfo {
  llvm::StringRef name;
  uint32_t nDims = 0;
  // ggml order: ne[0] is the innermost, contiguous dimension (the reverse of the
  // outermost-first shapes the rest of edgec uses; see shapeOuterFirst). Unused dims are 1.
  std::array<uint64_t, 4> ne = {1, 1, 1, 1};
  uint32_t ggmlType = 0;
  const DTypeInfo *dtype = nullptr;  // the row of dtype_table.h with this ggml type id
  uint64_t offset = 0;               // from the start of the data section
  uint64_t numel = 0;
  uint64_t bytes = 0;
  const uint8_t *data = nullptr;  // into the mapped file

  // The shape outermost first ([ne[nDims-1], ..., ne[0]]), as the edge dialect and the
  // packages spell shapes.
  std::vector<int64_t> shapeOuterFirst() const;
};

class GgufFile {
public:
  // Reads and validates `path`. Null with a one-line message in `error` on any problem.
  static std::unique_ptr<GgufFile> open(llvm::StringRef path, std::string &error);

  const std::string &path() const { return path_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t dataOffset() const { return dataOffset_; }  // file offset of the data section
  uint64_t fileSize() const { return buffer_->getBufferSize(); }
  llvm::StringRef arch() const { return arch_; }  // general.architecture

  // Metadata in file order, and by key.
  const std::vector<KeyValue> &metadata() const { return metadata_; }
  const Value *find(llvm::StringRef key) const;
  // Typed look-ups: false with `error` set ("FILE: key K is a str, expected an integer")
  // when the key is missing or its value has another type or does not fit.
  bool getU32(llvm::StringRef key, uint32_t &out, std::string &error) const;
  bool getU64(llvm::StringRef key, uint64_t &out, std::string &error) const;
  bool getF32(llvm::StringRef key, float &out, std::string &error) const;
  bool getBool(llvm::StringRef key, bool &out, std::string &error) const;
  bool getString(llvm::StringRef key, llvm::StringRef &out, std::string &error) const;
  bool getArray(llvm::StringRef key, const ArrayValue *&out, std::string &error) const;

  // Tensor infos in file order, and by name.
  const std::vector<TensorInfo> &tensors() const { return tensors_; }
  const TensorInfo *findTensor(llvm::StringRef name) const;

private:
  GgufFile() = default;
  friend class Parser;
  std::string path_;
  std::unique_ptr<llvm::MemoryBuffer> buffer_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t dataOffset_ = 0;
  llvm::StringRef arch_;
  std::vector<KeyValue> metadata_;
  llvm::StringMap<size_t> keyIndex_;
  std::vector<TensorInfo> tensors_;
  llvm::StringMap<size_t> tensorIndex_;
};

}  // namespace edgec::gguf
