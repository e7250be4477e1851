#include "edgec/npy.h"

#include "edgec/dtype_table.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

namespace edgec {

namespace {
[[noreturn]] void fail(const std::string &path, const std::string &what) {
  throw std::runtime_error(path + ": " + what);
}

// Value of `'key': <value>` in the header dict, as raw text up to the next top-level comma.
std::string field(const std::string &header, const std::string &key, const std::string &path) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) fail(path, "npy header has no '" + key + "'");
  size_t colon = header.find(':', k);
  if (colon == std::string::npos) fail(path, "malformed npy header");
  size_t start = header.find_first_not_of(' ', colon + 1);
  size_t end = start;
  if (start != std::string::npos && header[start] == '(') end = header.find(')', start) + 1;
  else end = header.find_first_of(",}", start);
  if (start == std::string::npos || end == std::string::npos || end <= start) fail(path, "malformed npy header");
  return header.substr(start, end - start);
}
}  // namespace

// Everything about dtypes comes from the one table (edgec/dtype_table.h).
const char *npyDescr(edgec_dtype dtype) {
  const DTypeInfo *info = edgec::dtypeInfo(static_cast<unsigned>(dtype));
  return info ? info->npyDescr : nullptr;
}
size_t dtypeBytes(edgec_dtype dtype) {
  const DTypeInfo *info = edgec::dtypeInfo(static_cast<unsigned>(dtype));
  return info ? info->elementBytes() : 0;
}
const char *dtypeName(edgec_dtype dtype) {
  const DTypeInfo *info = edgec::dtypeInfo(static_cast<unsigned>(dtype));
  return !info ? "unknown" : info->npyName ? info->npyName : info->name;
}

namespace {
// Parses an .npy held by `in`, of which `size` bytes are available; `path` names it in
// errors (a file, or an entry of an .npz). Returns the offset just past the data.
uint64_t parseNpyStream(std::istream &in, uint64_t size, const std::string &path, NpyArray &a) {
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) fail(path, "not a .npy file (bad magic)");
  uint32_t headerLen = 0;
  if (magic[6] == 1) {
    uint8_t b[2];
    if (!in.read(reinterpret_cast<char *>(b), 2)) fail(path, "truncated npy header");
    headerLen = b[0] | (b[1] << 8);
  } else if (magic[6] == 2 || magic[6] == 3) {
    uint8_t b[4];
    if (!in.read(reinterpret_cast<char *>(b), 4)) fail(path, "truncated npy header");
    headerLen = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  } else {
    fail(path, "unsupported npy version " + std::to_string(int(magic[6])));
  }
  if (headerLen > (1u << 20)) fail(path, "npy header too large");
  std::string header(headerLen, '\0');
  if (!in.read(header.data(), headerLen)) fail(path, "truncated npy header");

  std::string descr = field(header, "descr", path);
  bool found = false;
  for (const DTypeInfo &r : kDTypeTable) {
    if (!r.npyDescr) continue;
    std::string d = r.npyDescr;
    // numpy writes '|' for 1-byte types; accept '<' there too.
    if (descr == "'" + d + "'" || (d[0] == '|' && descr == "'<" + d.substr(1) + "'")) {
      a.dtype = static_cast<edgec_dtype>(r.code);
      found = true;
      break;
    }
  }
  if (!found) fail(path, "unsupported npy dtype " + descr);
  if (field(header, "fortran_order", path) != "False") fail(path, "Fortran-order arrays are not supported");
  std::string shape = field(header, "shape", path);
  std::stringstream ss(shape.substr(1, shape.size() - 2));
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t s = item.find_first_not_of(' ');
    if (s == std::string::npos) continue;
    try {
      a.shape.push_back(std::stoll(item.substr(s)));
    } catch (const std::exception &) {
      fail(path, "bad shape " + shape);
    }
    if (a.shape.back() < 0) fail(path, "bad shape " + shape);
  }
  uint64_t bytes = 0;
  std::string why;
  if (!tensorStorageBytes(*dtypeInfo(a.dtype), a.shape.data(), a.shape.size(), &bytes, &why))
    fail(path, "bad shape " + shape + ": " + why);
  const uint64_t dataStart = (magic[6] == 1 ? 10 : 12) + uint64_t(headerLen);
  // Checked before allocating, so that a damaged header cannot ask for a huge buffer.
  if (bytes > size - std::min(size, dataStart))
    fail(path, "truncated data: expected " + std::to_string(bytes) + " bytes, the file has " +
                   std::to_string(size - std::min(size, dataStart)));
  a.data.resize(bytes);
  if (bytes && !in.read(reinterpret_cast<char *>(a.data.data()), std::streamsize(bytes)))
    fail(path, "truncated data: expected " + std::to_string(bytes) + " bytes");
  return dataStart + bytes;
}

// Reads from a caller's buffer without copying it.
struct MemoryBuffer : std::streambuf {
  MemoryBuffer(const uint8_t *data, size_t size) {
    char *p = const_cast<char *>(reinterpret_cast<const char *>(data));
    setg(p, p, p + size);
  }
};
}  // namespace

NpyArray readNpy(const std::string &path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail(path, "cannot open");
  const std::streamoff size = in.tellg();
  in.seekg(0);
  if (size < 0 || !in) fail(path, "cannot read");
  NpyArray a;
  parseNpyStream(in, uint64_t(size), path, a);
  return a;
}

NpyArray parseNpy(const uint8_t *data, size_t size, const std::string &name) {
  MemoryBuffer buffer(data, size);
  std::istream in(&buffer);
  NpyArray a;
  uint64_t end = parseNpyStream(in, size, name, a);
  if (end != size) fail(name, std::to_string(size - end) + " bytes after the array data");
  return a;
}

void writeNpy(const std::string &path, const NpyArray &a) {
  const char *descr = npyDescr(a.dtype);
  if (!descr) throw std::runtime_error(path + ": dtype " + dtypeName(a.dtype) + " cannot be written as .npy");
  std::string shape = "(";
  for (size_t i = 0; i < a.shape.size(); ++i) shape += std::to_string(a.shape[i]) + (a.shape.size() == 1 ? "," : i + 1 < a.shape.size() ? ", " : "");
  shape += ")";
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path + ": cannot write (" + std::strerror(errno) + ")");
    out.write("\x93NUMPY\x01\x00", 8);
    uint16_t len = uint16_t(header.size());
    char lb[2] = {char(len & 0xff), char(len >> 8)};
    out.write(lb, 2);
    out.write(header.data(), header.size());
    out.write(reinterpret_cast<const char *>(a.data.data()), a.data.size());
    if (!out.flush()) {
      std::remove(tmp.c_str());
      throw std::runtime_error(path + ": write failed");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot rename into place (" + std::strerror(errno) + ")");
  }
}

}  // namespace edgec
