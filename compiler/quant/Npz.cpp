#include "quant/Npz.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include <zlib.h>

namespace edgec::quant {

namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndOfCentralDirSize = 22;
constexpr const char *kZip64Advice =
    "zip64 archives (an entry or the archive over 4 GiB, or over 65535 entries) are not "
    "supported; save the samples in smaller files";

[[noreturn]] void fail(const std::string &path, const std::string &what) {
  throw NpzError(path + ": " + what);
}

uint16_t u16(const uint8_t *p) { return uint16_t(p[0] | (p[1] << 8)); }
uint32_t u32(const uint8_t *p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

std::vector<uint8_t> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail(path, std::string("cannot open (") + std::strerror(errno) + ")");
  const std::streamoff size = in.tellg();
  in.seekg(0);
  if (size < 0 || !in) fail(path, "cannot read");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0 && !in.read(reinterpret_cast<char *>(bytes.data()), size)) fail(path, "cannot read");
  return bytes;
}

std::vector<uint8_t> inflateRaw(const std::string &where, const uint8_t *in, uint32_t inSize,
                                uint32_t outSize) {
  std::vector<uint8_t> out(outSize);
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) fail(where, "cannot initialise zlib");
  z.next_in = const_cast<Bytef *>(in);
  z.avail_in = inSize;
  // One spare byte: a stream that inflates past the recorded size is caught, not truncated.
  uint8_t spare = 0;
  z.next_out = out.empty() ? &spare : out.data();
  z.avail_out = outSize ? outSize : 1;
  int rc = inflate(&z, Z_FINISH);
  if (rc == Z_BUF_ERROR && z.avail_out == 0 && outSize) {
    z.next_out = &spare;
    z.avail_out = 1;
    rc = inflate(&z, Z_FINISH);
  }
  const uLong produced = z.total_out;
  const uInt leftIn = z.avail_in;
  const std::string msg = z.msg ? z.msg : "";
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    if (produced > outSize) fail(where, "inflates to more than the recorded " + std::to_string(outSize) + " bytes");
    fail(where, "corrupt deflate data" + (msg.empty() ? std::string() : " (" + msg + ")"));
  }
  if (produced != outSize)
    fail(where, "inflates to " + std::to_string(produced) + " bytes, the archive records " +
                    std::to_string(outSize));
  if (leftIn != 0) fail(where, std::to_string(leftIn) + " bytes after the end of the deflate data");
  return out;
}

}  // namespace

std::vector<ZipEntry> readZip(const std::string &path) {
  const std::vector<uint8_t> file = readFile(path);
  const uint8_t *b = file.data();
  const size_t size = file.size();
  if (size < kEndOfCentralDirSize) fail(path, "not a zip archive (too short for an .npz)");

  // The end-of-central-directory record: the last 22 bytes plus a comment of up to 64 KiB.
  size_t eocd = size;
  const size_t lowest = size > kEndOfCentralDirSize + 0xffff ? size - kEndOfCentralDirSize - 0xffff : 0;
  for (size_t p = size - kEndOfCentralDirSize + 1; p-- > lowest;) {
    if (u32(b + p) == kEndOfCentralDirSig && p + kEndOfCentralDirSize + u16(b + p + 20) == size) {
      eocd = p;
      break;
    }
  }
  if (eocd == size) fail(path, "not a zip archive (no end of central directory record)");
  if (eocd >= 20 && u32(b + eocd - 20) == kZip64LocatorSig) fail(path, kZip64Advice);
  const uint8_t *e = b + eocd;
  const uint16_t disk = u16(e + 4), cdDisk = u16(e + 6), entriesHere = u16(e + 8), entries = u16(e + 10);
  const uint32_t cdSize = u32(e + 12), cdOffset = u32(e + 16);
  if (entries == 0xffff || cdSize == 0xffffffffu || cdOffset == 0xffffffffu) fail(path, kZip64Advice);
  if (disk != 0 || cdDisk != 0 || entriesHere != entries) fail(path, "multi-disk zip archives are not supported");
  if (uint64_t(cdOffset) + cdSize > eocd) fail(path, "corrupt zip archive (central directory outside the file)");

  std::vector<ZipEntry> result;
  std::set<std::string> names;
  size_t p = cdOffset;
  const size_t cdEnd = size_t(cdOffset) + cdSize;
  for (unsigned i = 0; i < entries; ++i) {
    if (p + kCentralHeaderSize > cdEnd || u32(b + p) != kCentralHeaderSig)
      fail(path, "corrupt zip archive (central directory entry " + std::to_string(i) + ")");
    const uint8_t *c = b + p;
    const uint16_t flags = u16(c + 8), method = u16(c + 10);
    const uint32_t crc = u32(c + 16), compSize = u32(c + 20), rawSize = u32(c + 24);
    const uint16_t nameLen = u16(c + 28), extraLen = u16(c + 30), commentLen = u16(c + 32);
    const uint32_t localOffset = u32(c + 42);
    const size_t next = p + kCentralHeaderSize + nameLen + extraLen + commentLen;
    if (next > cdEnd) fail(path, "corrupt zip archive (central directory entry " + std::to_string(i) + ")");
    ZipEntry entry;
    entry.name.assign(reinterpret_cast<const char *>(c + kCentralHeaderSize), nameLen);
    const std::string where = path + ": entry '" + entry.name + "'";
    if (compSize == 0xffffffffu || rawSize == 0xffffffffu || localOffset == 0xffffffffu)
      fail(path, std::string(kZip64Advice) + " (entry '" + entry.name + "')");
    if (flags & 1) throw NpzError(where + ": encrypted entries are not supported");
    if (method != 0 && method != 8)
      throw NpzError(where + ": compression method " + std::to_string(method) +
                     " is not supported (only stored and deflate, as numpy writes)");
    if (method == 0 && compSize != rawSize)
      throw NpzError(where + ": corrupt (stored entry with different sizes)");
    if (!names.insert(entry.name).second) throw NpzError(where + ": appears twice in the archive");

    // The local header: only its name and extra lengths matter (numpy's zip64 extra field
    // and a data descriptor's zeroed sizes live there); sizes come from the central entry.
    const uint64_t l = localOffset;
    if (l + kLocalHeaderSize > cdOffset || u32(b + l) != kLocalHeaderSig)
      throw NpzError(where + ": corrupt (no local header at offset " + std::to_string(l) + ")");
    const uint16_t localNameLen = u16(b + l + 26), localExtraLen = u16(b + l + 28);
    const uint64_t dataStart = l + kLocalHeaderSize + localNameLen + localExtraLen;
    if (u16(b + l + 8) != method || localNameLen != nameLen ||
        std::memcmp(b + l + kLocalHeaderSize, entry.name.data(), nameLen) != 0)
      throw NpzError(where + ": corrupt (local header disagrees with the central directory)");
    if (dataStart + compSize > cdOffset)
      throw NpzError(where + ": corrupt (data runs past the central directory)");

    if (method == 0) entry.data.assign(b + dataStart, b + dataStart + compSize);
    else entry.data = inflateRaw(where, b + dataStart, compSize, rawSize);
    const uint32_t actual = uint32_t(crc32(0L, entry.data.data(), uInt(entry.data.size())));
    if (actual != crc) throw NpzError(where + ": CRC-32 mismatch (the file is damaged)");
    result.push_back(std::move(entry));
    p = next;
  }
  if (p != cdEnd) fail(path, "corrupt zip archive (central directory size)");
  return result;
}

std::map<std::string, NpyArray> readNpz(const std::string &path) {
  std::map<std::string, NpyArray> arrays;
  for (const ZipEntry &entry : readZip(path)) {
    std::string key = entry.name;
    if (key.size() > 4 && key.compare(key.size() - 4, 4, ".npy") == 0) key.resize(key.size() - 4);
    const std::string where = path + ": entry '" + entry.name + "'";
    if (arrays.count(key)) throw NpzError(where + ": a second array named '" + key + "'");
    try {
      arrays.emplace(key, parseNpy(entry.data.data(), entry.data.size(), where));
    } catch (const NpzError &) {
      throw;
    } catch (const std::runtime_error &e) {
      throw NpzError(e.what());
    }
  }
  return arrays;
}

}  // namespace edgec::quant
