#include "unicode_text.h"

#include <algorithm>

namespace edgec::unicode {

namespace {
struct UnicodeRange {
  uint32_t first;
  uint8_t cls;
};
#include "unicode_tables.inc"
}  // namespace

Class classOf(uint32_t cp) {
  if (cp < 0x80) {  // the common case, without the search
    if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') return Class::Letter;
    return cp >= '0' && cp <= '9' ? Class::Number : Class::Other;
  }
  if (cp > 0x10FFFF) return Class::Other;
  const UnicodeRange *end = kUnicodeRanges + sizeof kUnicodeRanges / sizeof kUnicodeRanges[0];
  const UnicodeRange *it =
      std::upper_bound(kUnicodeRanges, end, cp, [](uint32_t c, const UnicodeRange &r) { return c < r.first; });
  return Class((it - 1)->cls);  // kUnicodeRanges[0].first == 0, so it > kUnicodeRanges
}

bool isWhitespace(uint32_t cp) {
  for (uint32_t w : kWhiteSpace)
    if (w == cp) return true;
  return false;
}

const char *tableVersion() { return EDGEC_UNICODE_VERSION; }

std::vector<uint32_t> decodeUtf8(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  auto cont = [&](size_t i) { return i < s.size() && (uint8_t(s[i]) & 0xC0) == 0x80; };
  for (size_t i = 0; i < s.size();) {
    const uint8_t b = uint8_t(s[i]);
    if (b < 0x80) {
      out.push_back(b);
      i += 1;
    } else if ((b & 0xE0) == 0xC0 && cont(i + 1)) {
      out.push_back(uint32_t(b & 0x1F) << 6 | (uint8_t(s[i + 1]) & 0x3F));
      i += 2;
    } else if ((b & 0xF0) == 0xE0 && cont(i + 1) && cont(i + 2)) {
      out.push_back(uint32_t(b & 0x0F) << 12 | uint32_t(uint8_t(s[i + 1]) & 0x3F) << 6 | (uint8_t(s[i + 2]) & 0x3F));
      i += 3;
    } else if ((b & 0xF8) == 0xF0 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
      out.push_back(uint32_t(b & 0x07) << 18 | uint32_t(uint8_t(s[i + 1]) & 0x3F) << 12 |
                    uint32_t(uint8_t(s[i + 2]) & 0x3F) << 6 | (uint8_t(s[i + 3]) & 0x3F));
      i += 4;
    } else {
      out.push_back(0xFFFD);
      i += 1;
    }
  }
  return out;
}

void appendUtf8(std::string &out, uint32_t cp) {
  if (cp > 0x10FFFF) cp = 0xFFFD;
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | cp >> 6);
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | cp >> 12);
    out += char(0x80 | (cp >> 6 & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | cp >> 18);
    out += char(0x80 | (cp >> 12 & 0x3F));
    out += char(0x80 | (cp >> 6 & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

size_t completeUtf8Prefix(std::string_view s) {
  // Look back at most 3 bytes for the lead byte of the last character.
  const size_t n = s.size();
  for (size_t back = 1; back <= std::min<size_t>(n, 4); ++back) {
    const uint8_t b = uint8_t(s[n - back]);
    if ((b & 0xC0) == 0x80) continue;  // a continuation byte: keep looking
    const size_t need = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
    return need > back ? n - back : n;
  }
  return n;  // only continuation bytes (invalid): pass them on
}

}  // namespace edgec::unicode
