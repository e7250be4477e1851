#include "pretokenize.h"

#include "unicode_text.h"

namespace edgec {

std::vector<std::pair<size_t, size_t>> splitLlama3Words(const std::vector<uint32_t> &cps, int maxDigits) {
  using unicode::Class;
  const size_t n = cps.size();
  auto isLetter = [&](size_t p) { return p < n && unicode::classOf(cps[p]) == Class::Letter; };
  auto isNumber = [&](size_t p) { return p < n && unicode::classOf(cps[p]) == Class::Number; };
  auto isSpace = [&](size_t p) { return p < n && unicode::isWhitespace(cps[p]); };
  auto isNewline = [&](size_t p) { return p < n && (cps[p] == '\r' || cps[p] == '\n'); };
  // Only ASCII letters can lower-case to the letters of the contractions that matter here.
  auto lower = [&](size_t p) { return cps[p] >= 'A' && cps[p] <= 'Z' ? cps[p] + 32 : cps[p]; };

  std::vector<std::pair<size_t, size_t>> words;
  size_t pos = 0;
  auto emit = [&](size_t end) {
    if (end > pos) words.emplace_back(pos, end);
    pos = end;
  };
  while (pos < n) {
    const uint32_t cp = cps[pos];
    // (?i:'s|'t|'re|'ve|'m|'ll|'d)
    if (cp == '\'' && pos + 1 < n) {
      const uint32_t c1 = lower(pos + 1);
      if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') {
        emit(pos + 2);
        continue;
      }
      if (pos + 2 < n) {
        const uint32_t c2 = lower(pos + 2);
        if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) {
          emit(pos + 3);
          continue;
        }
      }
    }
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (!isNewline(pos) && !isNumber(pos) && (isLetter(pos) || isLetter(pos + 1))) {
      size_t p = pos + 1;
      while (isLetter(p)) ++p;
      emit(p);
      continue;
    }
    // \p{N}{1,K}: a run of digits in groups of K
    if (isNumber(pos)) {
      size_t p = pos;
      while (isNumber(p) && p - pos < size_t(maxDigits)) ++p;
      emit(p);
      continue;
    }
    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'. A lone space at the end matches too (the class part
    // may be empty in llama.cpp's reading), which gives the same word as \s+ would.
    {
      const size_t start = pos + (cp == ' ' ? 1 : 0);
      if (start >= n || (!isSpace(start) && !isLetter(start) && !isNumber(start))) {
        size_t p = start;
        while (p < n && !isSpace(p) && !isLetter(p) && !isNumber(p)) ++p;
        while (isNewline(p)) ++p;
        emit(p);
        continue;
      }
    }
    // \s*[\r\n]+ | \s+(?!\S) | \s+
    size_t run = 0, lastNewlineEnd = 0;
    while (isSpace(pos + run)) {
      if (isNewline(pos + run)) lastNewlineEnd = pos + run + 1;
      ++run;
    }
    if (lastNewlineEnd > 0) {
      emit(lastNewlineEnd);
    } else if (run > 1 && pos + run < n) {
      emit(pos + run - 1);  // leave the last space to the word that follows
    } else if (run > 0) {
      emit(pos + run);
    } else {
      emit(pos + 1);  // nothing matches: the character alone
    }
  }
  return words;
}

}  // namespace edgec
