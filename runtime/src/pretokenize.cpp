#include "pretokenize.h"

#include "unicode_text.h"

namespace edgec {

namespace {

// The character classes the regexes test, of the code points cps[0, end): a position at or
// past `end` is in none of them, which is how a look-ahead sees the end of the text.
struct Classes {
  const std::vector<uint32_t> &cps;
  size_t end;
  bool letter(size_t p) const { return p < end && unicode::classOf(cps[p]) == unicode::Class::Letter; }
  bool number(size_t p) const { return p < end && unicode::classOf(cps[p]) == unicode::Class::Number; }
  bool space(size_t p) const { return p < end && unicode::isWhitespace(cps[p]); }
  bool newline(size_t p) const { return p < end && (cps[p] == '\r' || cps[p] == '\n'); }
};

// The end of the run of positions from p that `in` accepts.
template <typename Pred> size_t runEnd(size_t p, Pred &&in) {
  while (in(p)) ++p;
  return p;
}

}  // namespace

std::vector<std::pair<size_t, size_t>> splitLlama3Words(const std::vector<uint32_t> &cps, int maxDigits) {
  const size_t n = cps.size();
  const Classes is{cps, n};
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
    if (!is.newline(pos) && !is.number(pos) && (is.letter(pos) || is.letter(pos + 1))) {
      size_t p = pos + 1;
      while (is.letter(p)) ++p;
      emit(p);
      continue;
    }
    // \p{N}{1,K}: a run of digits in groups of K
    if (is.number(pos)) {
      size_t p = pos;
      while (is.number(p) && p - pos < size_t(maxDigits)) ++p;
      emit(p);
      continue;
    }
    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'. A lone space at the end matches too (the class part
    // may be empty in llama.cpp's reading), which gives the same word as \s+ would.
    {
      const size_t start = pos + (cp == ' ' ? 1 : 0);
      if (start >= n || (!is.space(start) && !is.letter(start) && !is.number(start))) {
        size_t p = start;
        while (p < n && !is.space(p) && !is.letter(p) && !is.number(p)) ++p;
        while (is.newline(p)) ++p;
        emit(p);
        continue;
      }
    }
    // \s*[\r\n]+ | \s+(?!\S) | \s+
    size_t run = 0, lastNewlineEnd = 0;
    while (is.space(pos + run)) {
      if (is.newline(pos + run)) lastNewlineEnd = pos + run + 1;
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

namespace {

// GPT4O's and TEKKEN's regexes: the same letter, symbol and white-space alternatives; GPT4O
// lets a contraction follow the letters and takes digits in threes, TEKKEN neither.
std::vector<std::pair<size_t, size_t>> splitCasedWords(const std::vector<uint32_t> &cps, bool contractions,
                                                       size_t maxDigits) {
  const size_t n = cps.size();
  // The classes std::regex sees in llama.cpp's collapsed text: a code point below 128 is
  // itself, a non-ASCII one the byte of its class (white space, letter, number, other), so
  // \s is ASCII white space plus the non-ASCII White_Space code points, as isWhitespace.
  const Classes is{cps, n};
  // (?=[\p{L}])([^a-z]) and (?=[\p{L}])([^A-Z]): all non-ASCII letters are one byte, which is
  // neither a-z nor A-Z, so they count as upper and as lower case.
  auto isUpper = [&](size_t p) { return is.letter(p) && !(cps[p] >= 'a' && cps[p] <= 'z'); };
  auto isLower = [&](size_t p) { return is.letter(p) && !(cps[p] >= 'A' && cps[p] <= 'Z'); };
  // [^\r\n\p{L}\p{N}]: white space (other than \r, \n) included.
  auto isLead = [&](size_t p) { return p < n && !is.newline(p) && !is.letter(p) && !is.number(p); };
  // [^\s\p{L}\p{N}]
  auto isSymbol = [&](size_t p) { return p < n && !is.space(p) && !is.letter(p) && !is.number(p); };
  auto isNewlineOrSlash = [&](size_t p) { return is.newline(p) || (p < n && cps[p] == '/'); };
  auto asciiLower = [&](size_t p) -> uint32_t {
    if (p >= n) return 0;
    return cps[p] >= 'A' && cps[p] <= 'Z' ? cps[p] + 32 : cps[p];
  };
  // (?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])? at p: where it ends (p if
  // none). The options differ in their first letter, so their order does not matter.
  auto contractionEnd = [&](size_t p) {
    if (!contractions || p >= n || cps[p] != '\'') return p;
    const uint32_t c1 = asciiLower(p + 1), c2 = asciiLower(p + 2);
    if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return p + 2;
    if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) return p + 3;
    return p;
  };
  // The two letter alternatives from s, the first letter (past the optional lead
  // character); 0 if neither matches. Nothing after the letters can fail (the contraction
  // is optional), so the first way the letter runs fit is the match:
  //  1. U* L+: U* takes the whole run of upper letters, then gives them back one by one
  //     until a lower letter stands next; L+ then takes the whole run of lower letters from
  //     there. "HTTPServer" is one word; "ÉCOLE" is all upper, and going back the first
  //     lower letter is "É" itself, where L+ stops at "C": the word is "É".
  //  2. U+ L*: reached only when 1 fails, i.e. the upper run is all A-Z and no letter
  //     follows it ("DON'T", "COLE").
  auto lettersEnd = [&](size_t s) -> size_t {
    const size_t upperEnd = runEnd(s, isUpper);
    for (size_t k = upperEnd + 1; k-- > s;)
      if (isLower(k)) return contractionEnd(runEnd(k, isLower));
    if (upperEnd > s) return contractionEnd(runEnd(upperEnd, isLower));
    return 0;
  };

  std::vector<std::pair<size_t, size_t>> words;
  size_t pos = 0;
  auto emit = [&](size_t end) {
    words.emplace_back(pos, end);
    pos = end;
  };
  while (pos < n) {
    // Alternatives 1 and 2: the lead character is tried first; without it the word would
    // start at a non-letter, so it cannot match either.
    if (const size_t end = lettersEnd(isLead(pos) ? pos + 1 : pos); end > 0) {
      emit(end);
      continue;
    }
    // \p{N}{1,3} (GPT4O) or \p{N} (TEKKEN)
    if (is.number(pos)) {
      size_t p = pos;
      while (is.number(p) && p - pos < maxDigits) ++p;
      emit(p);
      continue;
    }
    // ' ?[^\s\p{L}\p{N}]+[\r\n/]*': the symbols, then any run of \r, \n and '/' ("//\n/" is
    // one word). Without the space the match would start at white space: no match.
    if (const size_t start = pos + (cps[pos] == ' ' ? 1 : 0); isSymbol(start)) {
      emit(runEnd(runEnd(start, isSymbol), isNewlineOrSlash));
      continue;
    }
    // \s*[\r\n]+ | \s+(?!\S) | \s+ over the run of white space here (every other character
    // matched above): up to its last newline; else all of it but the last character when a
    // non-space follows and that leaves some; else all of it.
    size_t end = runEnd(pos, [&](size_t p) { return is.space(p); }), lastNewlineEnd = 0;
    for (size_t p = pos; p < end; ++p)
      if (is.newline(p)) lastNewlineEnd = p + 1;
    if (end == pos) end = pos + 1;  // unreachable: each character is a letter, number, symbol or space
    if (lastNewlineEnd > 0) {
      emit(lastNewlineEnd);
    } else if (end - pos > 1 && end < n) {
      emit(end - 1);
    } else {
      emit(end);
    }
  }
  return words;
}

// The classic GPT-2 regex over cps[begin, end), appending to words, as llama.cpp's custom
// splitter for it (unicode_regex_split_custom_gpt2) reads it:
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
// then \s+, then any other character alone. Contractions are lower case only; the range
// ends count as "nothing" (neither letter, number, symbol nor space).
void splitGpt2Range(const std::vector<uint32_t> &cps, size_t begin, size_t end,
                    std::vector<std::pair<size_t, size_t>> &words) {
  const Classes is{cps, end};
  auto isSymbol = [&](size_t p) { return p < end && !is.space(p) && !is.letter(p) && !is.number(p); };
  auto at = [&](size_t p) -> uint32_t { return p < end ? cps[p] : 0; };
  size_t pos = begin;
  auto emit = [&](size_t to) {
    words.emplace_back(pos, to);
    pos = to;
  };
  while (pos < end) {
    if (cps[pos] == '\'') {
      const uint32_t c1 = at(pos + 1), c2 = at(pos + 2);
      if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') {
        emit(pos + 2);
        continue;
      }
      if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) {
        emit(pos + 3);
        continue;
      }
    }
    // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+': the class of the character after an
    // optional space decides, and the run of that class is the word.
    const size_t s = pos + (cps[pos] == ' ' ? 1 : 0);
    if (is.letter(s) || is.number(s) || isSymbol(s)) {
      if (is.letter(s)) emit(runEnd(s, [&](size_t p) { return is.letter(p); }));
      else if (is.number(s)) emit(runEnd(s, [&](size_t p) { return is.number(p); }));
      else emit(runEnd(s, isSymbol));
      continue;
    }
    // '\s+(?!\S)' leaves the last white space of a run that something follows to the next
    // word; '\s+' takes a run that ends the range, or a single white space.
    const size_t spaceEnd = runEnd(pos, [&](size_t p) { return is.space(p); });
    if (spaceEnd - pos > 1 && spaceEnd < end) emit(spaceEnd - 1);
    else emit(spaceEnd > pos ? spaceEnd : pos + 1);
  }
}

}  // namespace

std::vector<std::pair<size_t, size_t>> splitGpt4oWords(const std::vector<uint32_t> &cps) {
  return splitCasedWords(cps, /*contractions=*/true, /*maxDigits=*/3);
}

std::vector<std::pair<size_t, size_t>> splitTekkenWords(const std::vector<uint32_t> &cps) {
  return splitCasedWords(cps, /*contractions=*/false, /*maxDigits=*/1);
}

std::vector<std::pair<size_t, size_t>> splitGpt2Words(const std::vector<uint32_t> &cps, bool digitsAlone) {
  std::vector<std::pair<size_t, size_t>> words;
  if (!digitsAlone) {
    splitGpt2Range(cps, 0, cps.size(), words);
    return words;
  }
  // STARCODER's first regex, \p{N}: each number character is a fragment of its own, and
  // the GPT-2 regex splits the text between them (so " 1" is " ", "1").
  size_t start = 0;
  for (size_t p = 0; p < cps.size(); ++p) {
    if (unicode::classOf(cps[p]) != unicode::Class::Number) continue;
    splitGpt2Range(cps, start, p, words);
    words.emplace_back(p, p + 1);
    start = p + 1;
  }
  splitGpt2Range(cps, start, cps.size(), words);
  return words;
}

}  // namespace edgec
