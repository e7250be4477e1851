// The GGUF reader: a bounds-checked cursor over the mapped file, then the checks that
// need the whole header (alignment, data section, tensor extents). See GgufFile.h and
// docs/gguf.md for the accepted format and the list of checks.
#include "edgec/GgufFile.h"

#include <algorithm>
#include <cinttypes>
#include <cstring>
#include <limits>

namespace edgec::gguf {

namespace {

// Arrays of arrays beyond this depth are refused: nothing in the GGUF conventions nests
// deeper than 2, and the limit bounds the parser's recursion.
constexpr int kMaxArrayDepth = 4;
// From the specification: keys are at most 65535 bytes, tensor names at most 64.
constexpr uint64_t kMaxKeyBytes = 65535;
constexpr uint64_t kMaxTensorNameBytes = 64;
constexpr uint32_t kMaxDims = 4;

// The fewest bytes one value of `type` takes in the file, to check a count against the
// bytes left before anything is allocated for it.
uint64_t minValueBytes(ValueType type) {
  switch (type) {
  case ValueType::U8: case ValueType::I8: case ValueType::Bool: return 1;
  case ValueType::U16: case ValueType::I16: return 2;
  case ValueType::U32: case ValueType::I32: case ValueType::F32: return 4;
  case ValueType::U64: case ValueType::I64: case ValueType::F64: return 8;
  case ValueType::String: return 8;   // the length
  case ValueType::Array: return 12;   // element type and count
  }
  return 1;
}

bool isKnownType(uint32_t t) { return t <= uint32_t(ValueType::F64); }

std::string supportedTensorTypes() {
  std::string s;
  for (const DTypeInfo &d : kDTypeTable)
    if (d.ggmlType >= 0) s += (s.empty() ? "" : " ") + std::string(d.name) + "=" + std::to_string(d.ggmlType);
  return s;
}

// A key or tensor name for a message: control bytes escaped (a damaged name must not
// split the one-line error), at most 80 bytes.
std::string printable(llvm::StringRef s) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < 80; ++i) {
    const unsigned char c = s[i];
    if (c < 0x20 || c == 0x7f || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  if (s.size() > 80) out += "...";
  return out;
}

std::string neString(const TensorInfo &t) {
  std::string s = "[";
  for (uint32_t i = 0; i < t.nDims; ++i) s += (i ? ", " : "") + std::to_string(t.ne[i]);
  return s + "]";
}

}  // namespace

const char *valueTypeName(ValueType type) {
  switch (type) {
  case ValueType::U8: return "u8";
  case ValueType::I8: return "i8";
  case ValueType::U16: return "u16";
  case ValueType::I16: return "i16";
  case ValueType::U32: return "u32";
  case ValueType::I32: return "i32";
  case ValueType::F32: return "f32";
  case ValueType::Bool: return "bool";
  case ValueType::String: return "str";
  case ValueType::Array: return "array";
  case ValueType::U64: return "u64";
  case ValueType::I64: return "i64";
  case ValueType::F64: return "f64";
  }
  return "?";
}

bool Value::isInteger() const {
  return std::holds_alternative<uint64_t>(data) || std::holds_alternative<int64_t>(data);
}

bool Value::asU64(uint64_t &out) const {
  if (const uint64_t *u = std::get_if<uint64_t>(&data)) return out = *u, true;
  if (const int64_t *i = std::get_if<int64_t>(&data); i && *i >= 0) return out = uint64_t(*i), true;
  return false;
}

bool Value::asI64(int64_t &out) const {
  if (const int64_t *i = std::get_if<int64_t>(&data)) return out = *i, true;
  if (const uint64_t *u = std::get_if<uint64_t>(&data); u && *u <= uint64_t(INT64_MAX))
    return out = int64_t(*u), true;
  return false;
}

bool Value::asF64(double &out) const {
  if (const double *d = std::get_if<double>(&data)) return out = *d, true;
  if (const uint64_t *u = std::get_if<uint64_t>(&data)) return out = double(*u), true;
  if (const int64_t *i = std::get_if<int64_t>(&data)) return out = double(*i), true;
  return false;
}

Value ArrayValue::at(size_t i) const {
  Value v;
  v.type = elementType;
  if (elementType == ValueType::String) {
    v.data = strings[i];
    return v;
  }
  if (elementType == ValueType::Array) return items[i];
  const uint8_t *p = raw + i * minValueBytes(elementType);
  auto load = [p](auto value) {
    std::memcpy(&value, p, sizeof value);
    return value;
  };
  switch (elementType) {
  case ValueType::U8: v.data = uint64_t(load(uint8_t())); break;
  case ValueType::I8: v.data = int64_t(load(int8_t())); break;
  case ValueType::U16: v.data = uint64_t(load(uint16_t())); break;
  case ValueType::I16: v.data = int64_t(load(int16_t())); break;
  case ValueType::U32: v.data = uint64_t(load(uint32_t())); break;
  case ValueType::I32: v.data = int64_t(load(int32_t())); break;
  case ValueType::U64: v.data = load(uint64_t()); break;
  case ValueType::I64: v.data = load(int64_t()); break;
  case ValueType::F32: v.data = double(load(float())); break;
  case ValueType::F64: v.data = load(double()); break;
  case ValueType::Bool: v.data = load(uint8_t()) != 0; break;
  default: break;
  }
  return v;
}

std::vector<int64_t> TensorInfo::shapeOuterFirst() const {
  std::vector<int64_t> shape;
  for (uint32_t i = nDims; i > 0; --i) shape.push_back(int64_t(ne[i - 1]));
  return shape;
}

// Reads the header, the key-values and the tensor infos in order; each read checks the
// bytes left first. Failures set `error` (prefixed with the path) and return false.
class Parser {
public:
  Parser(GgufFile &file, std::string &error)
      : f_(file), error_(error), base_(reinterpret_cast<const uint8_t *>(file.buffer_->getBufferStart())),
        size_(file.buffer_->getBufferSize()) {}

  bool parse() {
    return parseHeader() && parseMetadata() && checkGeneralKeys() && parseTensorInfos() && placeTensors();
  }

private:
  GgufFile &f_;
  std::string &error_;
  const uint8_t *base_;
  uint64_t size_, pos_ = 0;
  uint64_t tensorCount_ = 0, kvCount_ = 0;

  bool fail(const std::string &message) {
    error_ = f_.path_ + ": " + message;
    return false;
  }
  uint64_t left() const { return size_ - pos_; }
  std::string at(uint64_t offset) const { return " at byte " + std::to_string(offset); }

  // `n` bytes for `what`, or an error that the file ends first.
  bool need(uint64_t n, const std::string &what) {
    if (n <= left()) return true;
    return fail("truncated: " + what + at(pos_) + " needs " + std::to_string(n) + " bytes, the file has " +
                std::to_string(left()) + " left");
  }
  template <typename T> bool read(T &out, const std::string &what) {
    if (!need(sizeof(T), what)) return false;
    std::memcpy(&out, base_ + pos_, sizeof(T));  // the file is little-endian, as is every host we build for
    pos_ += sizeof(T);
    return true;
  }
  bool readString(llvm::StringRef &out, const std::string &what, uint64_t maxBytes) {
    const uint64_t start = pos_;
    uint64_t n;
    if (!read(n, "the length of " + what)) return false;
    if (n > left())
      return fail(what + at(start) + " has length " + std::to_string(n) + ", past the end of the file (" +
                  std::to_string(left()) + " bytes left)");
    if (n > maxBytes)
      return fail(what + at(start) + " has length " + std::to_string(n) + " (at most " + std::to_string(maxBytes) +
                  ")");
    out = llvm::StringRef(reinterpret_cast<const char *>(base_ + pos_), size_t(n));
    pos_ += n;
    return true;
  }
  // A count of items of at least `minBytes` each: refused if they cannot fit in the bytes
  // left, so that nothing is ever reserved for items the file cannot hold.
  bool checkCount(uint64_t count, uint64_t minBytes, uint64_t countOffset, const std::string &what) {
    if (count <= left() / minBytes) return true;
    return fail(what + at(countOffset) + ": " + std::to_string(count) + " of them need " +
                (count > std::numeric_limits<uint64_t>::max() / minBytes
                     ? std::string("more than 2^64")
                     : "at least " + std::to_string(count * minBytes)) +
                " bytes, the file has " + std::to_string(left()) + " left");
  }

  bool parseHeader() {
    if (size_ < 4 || std::memcmp(base_, "GGUF", 4) != 0) {
      if (size_ < 4) return fail("not a GGUF file (" + std::to_string(size_) + " bytes, no room for the magic)");
      char hex[32];
      std::snprintf(hex, sizeof hex, "%02x %02x %02x %02x", base_[0], base_[1], base_[2], base_[3]);
      return fail(std::string("not a GGUF file (bad magic ") + hex + ", expected \"GGUF\")");
    }
    pos_ = 4;
    uint32_t version;
    if (!read(version, "the version")) return false;
    if (version == 1) return fail("GGUF version 1 is not supported (edgec reads versions 2 and 3)");
    if ((version & 0xFFFF) == 0 && (version >> 24) >= 1 && (version >> 24) <= 3)
      return fail("big-endian GGUF files are not supported (version field " + std::to_string(version) + ")");
    if (version != 2 && version != 3)
      return fail("unsupported GGUF version " + std::to_string(version) + " (edgec reads versions 2 and 3)");
    f_.version_ = version;
    if (!read(tensorCount_, "the tensor count") || !read(kvCount_, "the metadata count")) return false;
    // Each key-value takes at least 13 bytes (key length, type, one byte of value), each
    // tensor info at least 32 (name length, n_dims, one dim, type, offset).
    return checkCount(kvCount_, 13, 16, "metadata count") && checkCount(tensorCount_, 32, 8, "tensor count");
  }

  bool readValue(ValueType type, Value &out, int depth, const std::string &where) {
    out.type = type;
    const uint64_t start = pos_;
    switch (type) {
    case ValueType::U8: { uint8_t v; if (!read(v, where)) return false; out.data = uint64_t(v); return true; }
    case ValueType::I8: { int8_t v; if (!read(v, where)) return false; out.data = int64_t(v); return true; }
    case ValueType::U16: { uint16_t v; if (!read(v, where)) return false; out.data = uint64_t(v); return true; }
    case ValueType::I16: { int16_t v; if (!read(v, where)) return false; out.data = int64_t(v); return true; }
    case ValueType::U32: { uint32_t v; if (!read(v, where)) return false; out.data = uint64_t(v); return true; }
    case ValueType::I32: { int32_t v; if (!read(v, where)) return false; out.data = int64_t(v); return true; }
    case ValueType::U64: { uint64_t v; if (!read(v, where)) return false; out.data = v; return true; }
    case ValueType::I64: { int64_t v; if (!read(v, where)) return false; out.data = v; return true; }
    case ValueType::F32: { float v; if (!read(v, where)) return false; out.data = double(v); return true; }
    case ValueType::F64: { double v; if (!read(v, where)) return false; out.data = v; return true; }
    case ValueType::Bool: {
      uint8_t v;
      if (!read(v, where)) return false;
      if (v > 1) return fail(where + ": bool value " + std::to_string(v) + at(start) + " (must be 0 or 1)");
      out.data = v == 1;
      return true;
    }
    case ValueType::String: {
      llvm::StringRef s;
      if (!readString(s, "the string of " + where, std::numeric_limits<uint64_t>::max())) return false;
      out.data = s;
      return true;
    }
    case ValueType::Array: {
      if (depth >= kMaxArrayDepth)
        return fail(where + ": arrays nested deeper than " + std::to_string(kMaxArrayDepth) + at(start));
      uint32_t elementType;
      uint64_t count;
      if (!read(elementType, "the element type of " + where)) return false;
      if (!isKnownType(elementType))
        return fail(where + ": unknown array element type " + std::to_string(elementType) + at(start));
      const uint64_t countOffset = pos_;
      if (!read(count, "the length of " + where)) return false;
      if (!checkCount(count, minValueBytes(ValueType(elementType)), countOffset,
                      where + ": array of " + valueTypeName(ValueType(elementType)) + " length"))
        return false;
      ArrayValue array;
      array.elementType = ValueType(elementType);
      array.count = count;
      if (array.elementType == ValueType::String) {
        array.strings.resize(size_t(count));
        for (llvm::StringRef &item : array.strings)
          if (!readString(item, "a string of " + where, std::numeric_limits<uint64_t>::max())) return false;
      } else if (array.elementType == ValueType::Array) {
        array.items.resize(size_t(count));
        for (Value &item : array.items)
          if (!readValue(array.elementType, item, depth + 1, where)) return false;
      } else {
        // Fixed-size elements: checkCount has made sure that all of them are in the file.
        array.raw = base_ + pos_;
        pos_ += count * minValueBytes(array.elementType);
        if (array.elementType == ValueType::Bool)
          for (uint64_t i = 0; i < count; ++i)
            if (array.raw[i] > 1)
              return fail(where + ": bool value " + std::to_string(array.raw[i]) + at(pos_ - count + i) +
                          " (must be 0 or 1)");
      }
      out.data = std::move(array);
      return true;
    }
    }
    return fail(where + ": unknown metadata value type " + std::to_string(uint32_t(type)) + at(start));
  }

  bool parseMetadata() {
    f_.metadata_.reserve(size_t(kvCount_));
    for (uint64_t i = 0; i < kvCount_; ++i) {
      KeyValue kv;
      kv.fileOffset = pos_;
      const std::string entry = "metadata entry " + std::to_string(i);
      if (!readString(kv.key, "the key of " + entry, kMaxKeyBytes)) return false;
      if (kv.key.empty()) return fail(entry + at(kv.fileOffset) + " has an empty key");
      const std::string where = "key '" + printable(kv.key) + "'";
      uint32_t type;
      const uint64_t typeOffset = pos_;
      if (!read(type, "the value type of " + where)) return false;
      if (!isKnownType(type))
        return fail(where + ": unknown metadata value type " + std::to_string(type) + at(typeOffset));
      if (!readValue(ValueType(type), kv.value, 0, where)) return false;
      if (!f_.keyIndex_.try_emplace(kv.key, f_.metadata_.size()).second)
        return fail("duplicate metadata " + where + at(kv.fileOffset));
      f_.metadata_.push_back(std::move(kv));
    }
    return true;
  }

  bool checkGeneralKeys() {
    if (const Value *a = f_.find("general.alignment")) {
      uint64_t alignment;
      if (!a->asU64(alignment) || alignment > UINT32_MAX)
        return fail(std::string("general.alignment is a ") + valueTypeName(a->type) +
                    (a->isInteger() ? " out of the u32 range" : "") + ", expected a u32");
      if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        return fail("general.alignment " + std::to_string(alignment) + " is not a power of two");
      f_.alignment_ = alignment;
    }
    const Value *arch = f_.find("general.architecture");
    if (!arch) return fail("missing metadata key 'general.architecture'");
    if (!arch->asString() || arch->asString()->empty())
      return fail(std::string("general.architecture is ") +
                  (arch->asString() ? "empty" : std::string("a ") + valueTypeName(arch->type)) +
                  ", expected the architecture's name");
    f_.arch_ = *arch->asString();
    return true;
  }

  bool parseTensorInfos() {
    f_.tensors_.reserve(size_t(tensorCount_));
    for (uint64_t i = 0; i < tensorCount_; ++i) {
      TensorInfo t;
      const uint64_t start = pos_;
      const std::string entry = "tensor info " + std::to_string(i);
      if (!readString(t.name, "the name of " + entry, kMaxTensorNameBytes)) return false;
      if (t.name.empty()) return fail(entry + at(start) + " has an empty name");
      const std::string where = "tensor '" + printable(t.name) + "'";
      const uint64_t dimsOffset = pos_;
      if (!read(t.nDims, "the dimension count of " + where)) return false;
      if (t.nDims == 0 || t.nDims > kMaxDims)
        return fail(where + " has " + std::to_string(t.nDims) + " dimensions" + at(dimsOffset) + " (1 to " +
                    std::to_string(kMaxDims) + ")");
      for (uint32_t d = 0; d < t.nDims; ++d) {
        const uint64_t dimOffset = pos_;
        if (!read(t.ne[d], "dimension " + std::to_string(d) + " of " + where)) return false;
        if (t.ne[d] > uint64_t(INT64_MAX))
          return fail(where + ": dimension ne" + std::to_string(d) + " = " + std::to_string(t.ne[d]) +
                      at(dimOffset) + " is past 2^63");
      }
      const uint64_t typeOffset = pos_;
      if (!read(t.ggmlType, "the type of " + where)) return false;
      t.dtype = t.ggmlType <= 127 ? dtypeInfoByGgmlType(int(t.ggmlType)) : nullptr;
      if (!t.dtype)
        return fail(where + ": unknown or unsupported ggml tensor type id " + std::to_string(t.ggmlType) +
                    at(typeOffset) + " (edgec reads " + supportedTensorTypes() + ")");
      if (!read(t.offset, "the data offset of " + where)) return false;
      // Element count and bytes: the table checks the product against overflow and that a
      // block type's innermost dimension (ne0) is a whole number of blocks.
      const std::vector<int64_t> shape = t.shapeOuterFirst();
      std::string why;
      if (!tensorStorageBytes(*t.dtype, shape.data(), shape.size(), &t.bytes, &why))
        return fail(where + " (" + t.dtype->name + " " + neString(t) + ", ne0 first): " + why);
      t.numel = 1;
      for (int64_t d : shape) t.numel *= uint64_t(d);
      if (!f_.tensorIndex_.try_emplace(t.name, f_.tensors_.size()).second)
        return fail("duplicate " + where + at(start));
      f_.tensors_.push_back(t);
    }
    return true;
  }

  // The data section starts at the aligned end of the tensor infos; each tensor's bytes
  // must start on the alignment, lie inside the file and not overlap another's.
  bool placeTensors() {
    const uint64_t a = f_.alignment_;
    f_.dataOffset_ = (pos_ + a - 1) / a * a;  // pos_ < 2^64 - 2^32: no overflow
    if (f_.tensors_.empty()) return true;
    if (f_.dataOffset_ > size_)
      return fail("the data section would start at byte " + std::to_string(f_.dataOffset_) + " (the header ends at " +
                  std::to_string(pos_) + ", aligned to " + std::to_string(a) + "), past the end of the file (" +
                  std::to_string(size_) + " bytes)");
    const uint64_t dataSize = size_ - f_.dataOffset_;
    for (TensorInfo &t : f_.tensors_) {
      const std::string where = "tensor '" + printable(t.name) + "'";
      if (t.offset % a != 0)
        return fail(where + ": data offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
                    std::to_string(a));
      if (t.offset > dataSize || t.bytes > dataSize - t.offset)
        return fail(where + ": " + std::to_string(t.bytes) + " bytes at data offset " + std::to_string(t.offset) +
                    (t.offset <= UINT64_MAX - f_.dataOffset_
                         ? " (file byte " + std::to_string(f_.dataOffset_ + t.offset) + ")"
                         : std::string()) +
                    " run past the end of the file (the data section has " + std::to_string(dataSize) + " bytes)");
      t.data = base_ + f_.dataOffset_ + t.offset;
    }
    std::vector<const TensorInfo *> byOffset;
    for (const TensorInfo &t : f_.tensors_)
      if (t.bytes) byOffset.push_back(&t);
    std::sort(byOffset.begin(), byOffset.end(),
              [](const TensorInfo *x, const TensorInfo *y) { return x->offset < y->offset; });
    for (size_t i = 1; i < byOffset.size(); ++i) {
      const TensorInfo &p = *byOffset[i - 1], &t = *byOffset[i];
      if (p.offset + p.bytes > t.offset)
        return fail("tensors '" + printable(p.name) + "' (data bytes " + std::to_string(p.offset) + ".." +
                    std::to_string(p.offset + p.bytes) + ") and '" + printable(t.name) + "' (from " +
                    std::to_string(t.offset) + ") overlap");
    }
    return true;
  }
};

std::unique_ptr<GgufFile> GgufFile::open(llvm::StringRef path, std::string &error) {
  // Not null-terminated and not volatile, so that LLVM maps a large file rather than
  // reading it: the tensor data is paged in only when used.
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = path.str() + ": cannot open: " + buffer.getError().message();
    return nullptr;
  }
  std::unique_ptr<GgufFile> file(new GgufFile());
  file->path_ = path.str();
  file->buffer_ = std::move(*buffer);
  if (!Parser(*file, error).parse()) return nullptr;
  return file;
}

const Value *GgufFile::find(llvm::StringRef key) const {
  auto it = keyIndex_.find(key);
  return it == keyIndex_.end() ? nullptr : &metadata_[it->second].value;
}

const TensorInfo *GgufFile::findTensor(llvm::StringRef name) const {
  auto it = tensorIndex_.find(name);
  return it == tensorIndex_.end() ? nullptr : &tensors_[it->second];
}

namespace {
const Value *lookUp(const GgufFile &f, llvm::StringRef key, std::string &error) {
  const Value *v = f.find(key);
  if (!v) error = f.path() + ": missing metadata key '" + key.str() + "'";
  return v;
}
bool wrongType(const GgufFile &f, llvm::StringRef key, const Value &v, const char *expected, std::string &error) {
  error = f.path() + ": metadata key '" + key.str() + "' is a " + valueTypeName(v.type) + ", expected " + expected;
  return false;
}
}  // namespace

bool GgufFile::getU64(llvm::StringRef key, uint64_t &out, std::string &error) const {
  const Value *v = lookUp(*this, key, error);
  if (!v) return false;
  if (!v->asU64(out)) return wrongType(*this, key, *v, "a non-negative integer", error);
  return true;
}

bool GgufFile::getU32(llvm::StringRef key, uint32_t &out, std::string &error) const {
  uint64_t u = 0;
  if (!getU64(key, u, error)) return false;
  if (u > UINT32_MAX) {
    error = path_ + ": metadata key '" + key.str() + "' = " + std::to_string(u) + " does not fit in 32 bits";
    return false;
  }
  out = uint32_t(u);
  return true;
}

bool GgufFile::getF32(llvm::StringRef key, float &out, std::string &error) const {
  const Value *v = lookUp(*this, key, error);
  if (!v) return false;
  double d;
  if (!v->asF64(d)) return wrongType(*this, key, *v, "a number", error);
  out = float(d);
  return true;
}

bool GgufFile::getBool(llvm::StringRef key, bool &out, std::string &error) const {
  const Value *v = lookUp(*this, key, error);
  if (!v) return false;
  const bool *b = std::get_if<bool>(&v->data);
  if (!b) return wrongType(*this, key, *v, "a bool", error);
  out = *b;
  return true;
}

bool GgufFile::getString(llvm::StringRef key, llvm::StringRef &out, std::string &error) const {
  const Value *v = lookUp(*this, key, error);
  if (!v) return false;
  if (!v->asString()) return wrongType(*this, key, *v, "a str", error);
  out = *v->asString();
  return true;
}

bool GgufFile::getArray(llvm::StringRef key, const ArrayValue *&out, std::string &error) const {
  const Value *v = lookUp(*this, key, error);
  if (!v) return false;
  if (!v->asArray()) return wrongType(*this, key, *v, "an array", error);
  out = v->asArray();
  return true;
}

}  // namespace edgec::gguf
