// The tokenizer on hand-made vocabularies: each expectation is worked out by hand from
// llama.cpp's algorithms (SPM: highest-score pair first, byte fallback, a space prefix after
// special tokens; BPE: the pre-tokenizer's words, lowest-rank merge first). The real
// vocabularies are compared with llama.cpp itself in test/e2e/tokenizer_vs_llamacpp.py.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "edgec/tokenizer.h"
#include "pretokenize.h"
#include "unicode_text.h"

namespace edgec {
namespace {

using Ids = std::vector<int32_t>;
const std::string kSp = "\xE2\x96\x81";  // U+2581

// "llama" vocabulary: <unk> <s> </s>, the 256 byte tokens, then `pieces` (score -index).
TokenizerVocab spmVocab(const std::vector<std::string> &pieces) {
  TokenizerVocab v;
  v.model = "llama";
  v.setModelDefaults();
  v.tokens = {"<unk>", "<s>", "</s>"};
  v.types = {int32_t(TokenType::Unknown), int32_t(TokenType::Control), int32_t(TokenType::Control)};
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    v.tokens.push_back(buf);
    v.types.push_back(int32_t(TokenType::Byte));
  }
  for (const std::string &p : pieces) {
    v.tokens.push_back(p);
    v.types.push_back(int32_t(TokenType::Normal));
  }
  v.scores.assign(v.tokens.size(), 0.0f);
  for (size_t i = 259; i < v.tokens.size(); ++i) v.scores[i] = -float(i);
  return v;
}

std::unique_ptr<Tokenizer> make(TokenizerVocab v) {
  std::string error;
  auto t = Tokenizer::create(std::move(v), error);
  EXPECT_TRUE(t) << error;
  return t;
}

std::string createError(TokenizerVocab v) {
  std::string error;
  auto t = Tokenizer::create(std::move(v), error);
  EXPECT_FALSE(t);
  return error;
}

TEST(TokenizerSpm, MergesSpacePrefixAndBos) {
  auto t = make(spmVocab({kSp, "h", "e", "l", "o", "w", "r", "d", kSp + "h", "ll", "he", kSp + "he", "llo",
                          kSp + "hello", kSp + "w", "or", kSp + "wor", "ld", kSp + "world"}));
  const int32_t hello = t->find(kSp + "hello"), world = t->find(kSp + "world");
  EXPECT_EQ(t->encode("hello world", true, true), (Ids{1, hello, world}));
  EXPECT_EQ(t->encode("hello world", false, true), (Ids{hello, world}));
  std::string text, error;
  ASSERT_TRUE(t->decode({hello, world}, text, error));
  EXPECT_EQ(text, "hello world");  // the prefix space is stripped from the first piece
  ASSERT_TRUE(t->decode({1, hello, world}, text, error));
  EXPECT_EQ(text, " hello world");  // llama.cpp: BOS uses up the strip, as llama_detokenize
  ASSERT_TRUE(t->decode({1, hello}, text, error, /*special=*/true));
  EXPECT_EQ(text, "<s> hello");
}

TEST(TokenizerSpm, HighestScoreFirst) {
  // "abc": "bc" (score -262) beats "ab" (-263), so "a" stays alone: a + bc, not ab + c.
  auto v = spmVocab({"a", "b", "c", "bc", "ab"});
  v.addSpacePrefix = false;
  auto t = make(v);
  EXPECT_EQ(t->encode("abc", false, false), (Ids{t->find("a"), t->find("bc")}));
  // Equal scores: the leftmost pair wins.
  v = spmVocab({"a", "b", "c", "ab", "bc"});
  v.addSpacePrefix = false;
  v.scores[t->find("bc")] = v.scores[t->find("ab")] = -5.0f;
  t = make(v);
  EXPECT_EQ(t->encode("abc", false, false), (Ids{t->find("ab"), t->find("c")}));
}

TEST(TokenizerSpm, ByteFallbackAndDecodeBytes) {
  auto v = spmVocab({kSp, "a"});
  auto t = make(v);
  // "é" is not a piece: its two UTF-8 bytes become <0xC3> <0xA9> (ids 3 + byte).
  EXPECT_EQ(t->encode("a\xC3\xA9", false, false), (Ids{t->find(kSp), t->find("a"), 3 + 0xC3, 3 + 0xA9}));
  std::string text, error;
  ASSERT_TRUE(t->decode({t->find("a"), 3 + 0xC3, 3 + 0xA9}, text, error));
  EXPECT_EQ(text, "a\xC3\xA9");
  // Streaming: the character appears only when its second byte arrives.
  TokenStreamDecoder stream(*t);
  std::string out;
  ASSERT_TRUE(stream.push(3 + 0xC3, out, error));
  EXPECT_EQ(out, "");
  ASSERT_TRUE(stream.push(3 + 0xA9, out, error));
  EXPECT_EQ(out, "\xC3\xA9");
  ASSERT_TRUE(stream.push(3 + 0xF0, out, error));  // a 4-byte lead left at the end
  EXPECT_EQ(stream.finish(), "\xF0");
}

TEST(TokenizerSpm, SpecialTokens) {
  auto t = make(spmVocab({kSp, "h", "i", kSp + "h", kSp + "hi", "<", "s", ">"}));
  const int32_t hi = t->find(kSp + "hi");
  // Parsed: <s> is BOS, and the text after a special token gets the space prefix again.
  EXPECT_EQ(t->encode("<s>hi</s>hi", false, true), (Ids{1, hi, 2, hi}));
  // Not parsed: the characters of "<s>" ("▁" prefix only at the start).
  EXPECT_EQ(t->encode("<s>hi", false, false),
            (Ids{t->find(kSp), t->find("<"), t->find("s"), t->find(">"), t->find("h"), t->find("i")}));
  EXPECT_TRUE(t->isEog(2));
  EXPECT_FALSE(t->isEog(1));
}

TEST(TokenizerSpm, UserDefinedTokensAlwaysMatch) {
  auto v = spmVocab({kSp, "a", "b"});
  v.tokens.push_back("<tool>");
  v.types.push_back(int32_t(TokenType::UserDefined));
  v.scores.push_back(0.0f);
  auto t = make(v);
  const int32_t tool = t->find("<tool>");
  EXPECT_EQ(t->encode("a<tool>b", false, false), (Ids{t->find(kSp), t->find("a"), tool, t->find(kSp), t->find("b")}));
  std::string piece, error;
  ASSERT_TRUE(t->tokenToPiece(tool, piece, false, error));
  EXPECT_EQ(piece, "<tool>");  // user-defined tokens always print
  ASSERT_TRUE(t->tokenToPiece(2, piece, false, error));
  EXPECT_EQ(piece, "");  // control tokens only with special
}

// Gemma 3's layout: no space prefix, and whitespace runs as user-defined tokens spelled with
// spaces (the converter's "pre-normalized" U+2581), matched in the raw text before SPM sees it.
TEST(TokenizerSpm, NoSpacePrefixAndUserDefinedSpaceRuns) {
  auto v = spmVocab({kSp, "a", "b", kSp + "b"});
  for (std::string s : {"  ", "   ", "\n"}) {
    v.tokens.push_back(s);
    v.types.push_back(int32_t(TokenType::UserDefined));
    v.scores.push_back(-1000.0f);
  }
  v.addSpacePrefix = false;
  auto t = make(v);
  const int32_t sp = t->find(kSp), a = t->find("a"), spB = t->find(kSp + "b"), run3 = t->find("   ");
  // The 4 spaces: the 3-space run (longest first), then " b" as SPM's "▁b"; nothing prepended.
  EXPECT_EQ(t->encode(" a    b\n", false, false), (Ids{sp, a, run3, spB, t->find("\n")}));
  EXPECT_EQ(t->encode("a", true, false), (Ids{1, a}));
  std::string text, error;
  ASSERT_TRUE(t->decode({spB, a, run3}, text, error));
  EXPECT_EQ(text, " ba   ");  // no prefix space to strip from the first piece
}

TEST(TokenizerSpm, LongestSpecialTokenFirst) {
  auto v = spmVocab({kSp});
  for (std::string s : {"<a>", "<a><b>"}) {
    v.tokens.push_back(s);
    v.types.push_back(int32_t(TokenType::Control));
    v.scores.push_back(0.0f);
  }
  auto t = make(v);
  EXPECT_EQ(t->encode("<a><b><a>", false, true), (Ids{t->find("<a><b>"), t->find("<a>")}));
}

// llama.cpp's LSTRIP / RSTRIP attributes (set by model name, e.g. RSTRIP on Phi-3's special
// tokens): a matched token drops the ASCII whitespace after / before it, within the raw piece
// it was found in.
TEST(TokenizerSpm, StripAroundSpecialTokens) {
  auto v = spmVocab({kSp, "a", "b", kSp + "a", kSp + "b"});
  for (auto [text, type] : {std::pair<std::string, TokenType>{"<|user|>", TokenType::Control},
                            {"<|end|>", TokenType::Control}, {"<u>", TokenType::UserDefined}}) {
    v.tokens.push_back(text);
    v.types.push_back(int32_t(type));
    v.scores.push_back(0.0f);
  }
  auto plain = make(v);
  const int32_t sp = plain->find(kSp), a = plain->find("a"), spA = plain->find(kSp + "a"), spB = plain->find(kSp + "b");
  const int32_t user = plain->find("<|user|>"), end = plain->find("<|end|>"), u = plain->find("<u>");
  const int32_t nl = 3 + '\n';  // its byte token

  v.rstrip = {user, end, u};
  v.lstrip = {u};
  auto t = make(v);
  // The Phi-3 chat turn: the newlines after the tokens are dropped, the text before <|end|> kept.
  EXPECT_EQ(plain->encode("<|user|>\na<|end|>\n", false, true), (Ids{user, sp, nl, a, end, sp, nl}));
  EXPECT_EQ(t->encode("<|user|>\na<|end|>\n", false, true), (Ids{user, spA, end}));
  // Every C isspace byte (space, \t \n \v \f \r) goes; a piece of only whitespace disappears.
  EXPECT_EQ(t->encode("<|user|> \t\n\v\f\rb", false, true), (Ids{user, spB}));
  EXPECT_EQ(t->encode("<|end|> \n\t <|user|>b", false, true), (Ids{end, user, spB}));
  // No byte of a multi-byte character counts as whitespace (U+00A0 stays, as its bytes).
  EXPECT_EQ(t->encode("<|user|>\xC2\xA0" "a", false, true), (Ids{user, sp, 3 + 0xC2, 3 + 0xA0, a}));
  // Whitespace inside the text and before a token without lstrip stays.
  EXPECT_EQ(t->encode("a b \n<|end|>", false, true), (Ids{spA, spB, sp, nl, end}));
  // lstrip on <u>: the spaces before it in its piece go...
  EXPECT_EQ(t->encode("a  <u>b", false, true), (Ids{spA, u, spB}));
  // ...but not those before an earlier-split token: <|end|> (longer, matched first) ends the
  // piece, so <u> finds nothing to its left and the space before <|end|> stays.
  v.rstrip = {u};
  auto t2 = make(v);
  EXPECT_EQ(t2->encode("a <|end|>  <u>b", false, true), (Ids{spA, sp, end, u, spB}));
  // Not parsing special tokens: control tokens are text (nothing stripped), the user-defined
  // <u> still matches and strips.
  EXPECT_EQ(t->encode("<u>  b", false, false), (Ids{u, spB}));
  EXPECT_EQ(plain->encode("<u>  b", false, false), (Ids{u, sp, sp, spB}));
  EXPECT_EQ(t->encode("  <|end|>", false, false), plain->encode("  <|end|>", false, false));

  v.rstrip = {user, int32_t(v.tokens.size())};
  EXPECT_EQ(createError(v), "tokenizer: rstrip token id 267 is outside the vocabulary (267 tokens)");
  v.rstrip.clear();
  v.lstrip = {-3};
  EXPECT_EQ(createError(v), "tokenizer: lstrip token id -3 is outside the vocabulary (267 tokens)");
}

TEST(TokenizerErrors, InvalidIdsAndVocabularies) {
  auto t = make(spmVocab({kSp}));
  std::string text, error;
  EXPECT_FALSE(t->decode({1, 999999}, text, error));
  EXPECT_EQ(error, "token id 999999 is outside the vocabulary (0..259)");
  EXPECT_FALSE(t->decode({-1}, text, error));

  auto v = spmVocab({kSp});
  v.scores.pop_back();
  EXPECT_EQ(createError(v), "tokenizer: 259 scores for 260 tokens");
  v = spmVocab({kSp});
  v.types.push_back(1);
  EXPECT_EQ(createError(v), "tokenizer: 261 token types for 260 tokens");
  v = spmVocab({kSp, "x"});
  v.tokens.back() = kSp;
  EXPECT_EQ(createError(v), "tokenizer: token 260 '" + kSp + "' duplicates token 259");
  v = spmVocab({kSp});
  v.tokens[5] = "<0xZZ>";
  EXPECT_EQ(createError(v), "tokenizer: token 5 '<0xZZ>' has type byte but is not spelled <0xXX>");
  v = spmVocab({kSp});
  v.eos = 260;
  EXPECT_EQ(createError(v), "tokenizer: eos token id 260 is outside the vocabulary (260 tokens)");
  v = spmVocab({kSp});
  v.types[7] = 9;
  EXPECT_EQ(createError(v), "tokenizer: token 7 has type 9, not one of 0..6");
  v = spmVocab({kSp});
  v.model = "bert";
  EXPECT_EQ(createError(v), "tokenizer: model 'bert' is not supported (supported: llama, gpt2)");
  v = spmVocab({kSp});
  v.bos = -1;
  EXPECT_EQ(createError(v), "tokenizer: add_bos_token is set but there is no BOS token");
  TokenizerVocab empty;
  empty.model = "llama";
  EXPECT_EQ(createError(empty), "tokenizer: the vocabulary has no tokens");
}

// A byte-level BPE vocabulary: the 256 byte characters (ids 0..255, in byte order), then
// the tokens the merges make.
TokenizerVocab bpeVocab(const std::string &pre, const std::vector<std::string> &merges) {
  TokenizerVocab v;
  v.model = "gpt2";
  v.pre = pre;
  v.setModelDefaults();
  v.addBos = false;  // no BOS token here (llama3's default asks for one)
  uint32_t next = 256;  // GPT-2's bytes_to_unicode, written out again
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
    std::string s;
    unicode::appendUtf8(s, printable ? uint32_t(b) : next++);
    v.tokens.push_back(s);
  }
  for (const std::string &m : merges) {
    v.merges.push_back(m);
    std::string joined = m;
    joined.erase(joined.find(' '), 1);
    v.tokens.push_back(joined);
  }
  return v;
}

const std::string G = "\xC4\xA0";  // U+0120 'Ġ', the mapped space

TEST(TokenizerBpe, MergesByRankWithinWords) {
  auto t = make(bpeVocab("qwen2", {"l l", "h e", "he ll", "hell o", G + " w", "o r", G + "w or", "l d",
                                   G + "wor ld"}));
  EXPECT_EQ(t->encode("hello world", false, false), (Ids{t->find("hello"), t->find(G + "world")}));
  // Two merges compete for the "o" of "hellor": "hell o" (rank 3) before "o r" (rank 5).
  EXPECT_EQ(t->encode("hellor", false, false), (Ids{t->find("hello"), t->find("r")}));
  std::string text, error;
  ASSERT_TRUE(t->decode(t->encode("hello world", false, false), text, error));
  EXPECT_EQ(text, "hello world");
}

TEST(TokenizerBpe, EveryByteRoundTrips) {
  auto t = make(bpeVocab("qwen2", {}));
  const std::string s = "Grüße, 世界! \t\n emoji \xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB \xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7";
  const Ids ids = t->encode(s, false, false);
  EXPECT_EQ(ids.size(), s.size());  // no merges: one token per byte
  for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(ids[i], int32_t(uint8_t(s[i])));
  std::string text, error;
  ASSERT_TRUE(t->decode(ids, text, error));
  EXPECT_EQ(text, s);
}

TEST(TokenizerBpe, DigitsSplitByPreTokenizer) {
  auto qwen = make(bpeVocab("qwen2", {"1 2", "12 3"}));
  EXPECT_EQ(qwen->encode("123", false, false), (Ids{'1', '2', '3'}));  // \p{N}: one digit per word
  auto llama3 = make(bpeVocab("llama-bpe", {"1 2", "12 3"}));
  EXPECT_EQ(llama3->encode("1234", false, false), (Ids{llama3->find("123"), '4'}));  // \p{N}{1,3}
  auto gpt4o = make(bpeVocab("gpt-4o", {"1 2", "12 3"}));
  EXPECT_EQ(gpt4o->encode("1234", false, false), (Ids{gpt4o->find("123"), '4'}));
}

TEST(TokenizerBpe, CleanSpacesOnlyForLlama3) {
  auto llama3 = make(bpeVocab("llama3", {}));
  const std::string s = "a , b ! it 's";
  std::string out, error;
  ASSERT_TRUE(llama3->decode(llama3->encode(s, false, false), out, error));
  EXPECT_EQ(out, "a, b! it's");
  // llama.cpp cleans spaces for a BPE vocabulary unless the pre-tokenizer name turns it off.
  for (const char *pre : {"dbrx", "megrez", "gpt-2", "olmo", "starcoder", "refact"}) {
    auto t = make(bpeVocab(pre, {}));
    ASSERT_TRUE(t->decode(t->encode(s, false, false), out, error));
    EXPECT_EQ(out, "a, b! it's") << pre;
  }
  for (const char *pre : {"qwen2", "gpt-4o", "llama4", "tekken", "smollm", "command-r", "trillion"}) {
    auto t = make(bpeVocab(pre, {}));
    ASSERT_TRUE(t->decode(t->encode(s, false, false), out, error));
    EXPECT_EQ(out, s) << pre;
  }
}

// llama.cpp adds BOS by default for its LLAMA3 and TEKKEN pre-tokenizer names only.
TEST(TokenizerBpe, AddBosDefault) {
  for (auto [pre, addBos] : {std::pair<const char *, bool>{"llama-bpe", true}, {"tekken", true}, {"dbrx", false},
                             {"smollm", false}, {"gpt-2", false}, {"gpt-4o", false}, {"unknown", false}}) {
    TokenizerVocab v;
    v.model = "gpt2";
    v.pre = pre;
    v.setModelDefaults();
    EXPECT_EQ(v.addBos, addBos) << pre;
  }
}

TEST(TokenizerBpe, Errors) {
  auto v = bpeVocab("gpt2", {});
  // llama.cpp knows "gpt-2", not "gpt2". The message lists every name, by family.
  const std::string e = createError(v);
  EXPECT_EQ(e.rfind("tokenizer: pre-tokenizer 'gpt2' is not supported (supported, by family: llama3 (llama3, ", 0),
            0u) << e;
  for (const char *part : {"dbrx (dbrx, smaug-bpe)", "tekken (tekken)", " gpt-2 (gpt-2, ", "smollm", "command-r))"})
    EXPECT_NE(e.find(part), std::string::npos) << part;
  v = bpeVocab("qwen2", {"a b"});
  v.merges.push_back("a zz");
  EXPECT_EQ(createError(v), "tokenizer: merge 1 'a zz' names 'zz', which is not a token");
  v = bpeVocab("qwen2", {});
  v.merges.push_back("ab");
  EXPECT_EQ(createError(v), "tokenizer: merge 0 'ab' is not two tokens separated by a space");
}

TEST(TokenizerBpe, EogByText) {
  auto v = bpeVocab("qwen2", {});
  v.tokens.push_back("<|im_end|>");
  v.tokens.push_back("<|im_start|>");
  v.types.assign(v.tokens.size(), int32_t(TokenType::Normal));
  v.types.back() = int32_t(TokenType::Control);
  auto t = make(v);
  const int32_t imEnd = t->find("<|im_end|>");
  EXPECT_TRUE(t->isEog(imEnd));
  EXPECT_EQ(t->type(imEnd), TokenType::Control);  // made a control token, as llama.cpp does
  EXPECT_EQ(t->vocab().eot, imEnd);
  EXPECT_FALSE(t->isEog(t->find("<|im_start|>")));
  EXPECT_EQ(t->encode("<|im_start|>x<|im_end|>", false, true), (Ids{t->find("<|im_start|>"), 'x', imEnd}));
}

// Any bytes, valid UTF-8 or not: no crash, and decode gives valid text back (for "gpt2"
// any text, each invalid byte read as U+FFFD as llama.cpp reads it).
TEST(Tokenizer, RandomBytesRoundTrip) {
  auto spm = make(spmVocab({kSp, "a", "b", kSp + "a", "ab", "\xE4\xB8\x96"}));
  auto bpe = make(bpeVocab("llama3", {"a b", G + " a", "\xC3\xA4 \xC2\xB8"}));
  uint64_t state = 12345;  // xorshift, so the inputs are the same everywhere
  auto next = [&] {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return state;
  };
  const char *pool[] = {"a", "b", " ", "  ", "\n", "\t", "1", "'s", "\xE4\xB8\x96", "\xF0\x9F\x98\x80", "\xC3",
                        "\x80", "\xFF", "<s>", "</s>", "\xCC\x81", ".", "\xE3\x80\x80"};
  for (int round = 0; round < 300; ++round) {
    std::string s;
    for (uint64_t k = next() % 12; k > 0; --k) s += pool[next() % (sizeof pool / sizeof pool[0])];
    std::string text, error, expect;
    for (uint32_t cp : unicode::decodeUtf8(s)) unicode::appendUtf8(expect, cp);
    const bool valid = expect == s;
    ASSERT_TRUE(spm->decode(spm->encode(s, false, false), text, error)) << error;
    // Invalid UTF-8 can swallow part of a U+2581 into a byte-token run, which then prints as
    // U+2581, not a space: llama.cpp's SPM does the same. Valid text comes back exactly.
    if (valid) EXPECT_EQ(text, s);
    ASSERT_TRUE(bpe->decode(bpe->encode(s, false, false), text, error)) << error;
    // (llama3 decoding also drops the space of " ." and " 's": llama.cpp's clean_spaces)
    if (expect.find(" .") == std::string::npos && expect.find(" '") == std::string::npos) EXPECT_EQ(text, expect);
    ASSERT_TRUE(spm->decode(spm->encode(s, true, true), text, error)) << error;  // special tokens parsed: no crash
  }
}

std::vector<std::string> texts(const std::vector<uint32_t> &cps,
                               const std::vector<std::pair<size_t, size_t>> &ranges) {
  std::vector<std::string> out;
  for (auto [b, e] : ranges) {
    std::string w;
    for (size_t i = b; i < e; ++i) unicode::appendUtf8(w, cps[i]);
    out.push_back(w);
  }
  return out;
}

std::vector<std::string> words(const std::string &s, int maxDigits) {
  const std::vector<uint32_t> cps = unicode::decodeUtf8(s);
  return texts(cps, splitLlama3Words(cps, maxDigits));
}

std::vector<std::string> gpt4oWords(const std::string &s) {
  const std::vector<uint32_t> cps = unicode::decodeUtf8(s);
  return texts(cps, splitGpt4oWords(cps));
}

std::vector<std::string> tekkenWords(const std::string &s) {
  const std::vector<uint32_t> cps = unicode::decodeUtf8(s);
  return texts(cps, splitTekkenWords(cps));
}

std::vector<std::string> gpt2Words(const std::string &s, bool digitsAlone) {
  const std::vector<uint32_t> cps = unicode::decodeUtf8(s);
  return texts(cps, splitGpt2Words(cps, digitsAlone));
}

using Words = std::vector<std::string>;

TEST(PreTokenizer, Llama3Regex) {
  EXPECT_EQ(words("Hello world", 3), (Words{"Hello", " world"}));
  EXPECT_EQ(words("I'm HE'LL they're", 3), (Words{"I", "'m", " HE", "'LL", " they", "'re"}));
  EXPECT_EQ(words("x   y", 3), (Words{"x", "  ", " y"}));  // \s+(?!\S) leaves one space
  EXPECT_EQ(words("x   ", 3), (Words{"x", "   "}));
  EXPECT_EQ(words("a\n\n  b", 3), (Words{"a", "\n\n", " ", " b"}));
  EXPECT_EQ(words("a \n b", 3), (Words{"a", " \n", " b"}));
  EXPECT_EQ(words("1234567", 3), (Words{"123", "456", "7"}));
  EXPECT_EQ(words("1234", 1), (Words{"1", "2", "3", "4"}));
  EXPECT_EQ(words("$100 ...!\n\nx", 3), (Words{"$", "100", " ...!\n\n", "x"}));
  EXPECT_EQ(words("\tif (x) {", 3), (Words{"\tif", " (", "x", ")", " {"}));
  EXPECT_EQ(words("Grüße 世界", 3), (Words{"Grüße", " 世界"}));
  EXPECT_EQ(words("\xD9\xA3\xD9\xA4", 3), (Words{"\xD9\xA3\xD9\xA4"}));  // Arabic-Indic digits are \p{N}
}

// llama.cpp's GPT4O split, as its unicode_regex_split gives it (each expectation is that
// function's output, run on the llama.cpp that node-llama-cpp 3.22.1 bundles; the e2e
// comparison covers the same words through real vocabularies).
TEST(PreTokenizer, Gpt4oRegex) {
  EXPECT_EQ(gpt4oWords("camelCase getHTTPResponse iPhone x_yZ"),
            (Words{"camel", "Case", " get", "HTTPResponse", " i", "Phone", " x", "_y", "Z"}));
  // A non-ASCII letter is upper and lower case: U* gives letters back until one stands
  // before a lower letter, which may be the first letter itself.
  EXPECT_EQ(gpt4oWords("ÉCOLE École éCOLE ÜberStraße ÉÉA"),
            (Words{"É", "COLE", " École", " é", "COLE", " Über", "Straße", " ÉÉ", "A"}));
  EXPECT_EQ(gpt4oWords("ΑΘΗΝΑ ΑθΗΝΑ мОСКВА ÇA'S ЖЖ's"),
            (Words{"ΑΘΗΝΑ", " ΑθΗΝΑ", " мОСКВА", " Ç", "A'S", " ЖЖ's"}));
  // Contractions only after letters, in either case ('[tT]); an apostrophe before letters
  // is their lead character.
  EXPECT_EQ(gpt4oWords("DON'T it's I'LL Don'T 'tis X'"),
            (Words{"DON'T", " it's", " I'LL", " Don'T", " '", "tis", " X", "'"}));
  // A combining mark is not a letter: it leads the letters after it.
  EXPECT_EQ(gpt4oWords("e\u0301COLE"), (Words{"e", "\u0301COLE"}));
  EXPECT_EQ(gpt4oWords("1234567"), (Words{"123", "456", "7"}));
  // Symbols take the newlines and slashes after them, but a newline does not start a word
  // of symbols.
  EXPECT_EQ(gpt4oWords("a//b\n/ c/\n/d"), (Words{"a", "//", "b", "\n", "/", " c", "/\n/", "d"}));
  EXPECT_EQ(gpt4oWords("x   y"), (Words{"x", "  ", " y"}));
  EXPECT_EQ(gpt4oWords("a \n b"), (Words{"a", " \n", " b"}));
  EXPECT_EQ(gpt4oWords("\tif (x) {"), (Words{"\tif", " (", "x", ")", " {"}));
  // Non-ASCII white space is \s, and like a space it may lead letters.
  EXPECT_EQ(gpt4oWords("x\u00a0Y\u3000\u3000word"), (Words{"x", "\u00a0Y", "\u3000", "\u3000word"}));
  EXPECT_EQ(gpt4oWords("\u00a0\n\u3000\n x"), (Words{"\u00a0\n\u3000\n", " x"}));
}

// llama.cpp's TEKKEN split (expectations from its unicode_regex_split, as for GPT4O).
TEST(PreTokenizer, TekkenRegex) {
  // No contractions: the apostrophe leads the letters after it, whatever their case.
  EXPECT_EQ(tekkenWords("DON'T it's I'LL 'tis"), (Words{"DON", "'T", " it", "'s", " I", "'LL", " '", "tis"}));
  // GPT4O's letter cases.
  EXPECT_EQ(tekkenWords("camelCase getHTTPResponse iPhone"),
            (Words{"camel", "Case", " get", "HTTPResponse", " i", "Phone"}));
  EXPECT_EQ(tekkenWords("ÉCOLE École éCOLE"), (Words{"É", "COLE", " École", " é", "COLE"}));
  EXPECT_EQ(tekkenWords("1234567"), (Words{"1", "2", "3", "4", "5", "6", "7"}));
  EXPECT_EQ(tekkenWords("a//b\n/ c/\n/d"), (Words{"a", "//", "b", "\n", "/", " c", "/\n/", "d"}));
  EXPECT_EQ(tekkenWords("x   y"), (Words{"x", "  ", " y"}));
  EXPECT_EQ(tekkenWords("a \n b"), (Words{"a", " \n", " b"}));
}

// llama.cpp's GPT2 split (its custom splitter for the GPT-2 regex) and STARCODER's (\p{N}
// through std::regex first, then the GPT-2 one on the pieces), from unicode_regex_split.
TEST(PreTokenizer, Gpt2Regex) {
  // Contractions are lower case only; an apostrophe without one is a symbol.
  EXPECT_EQ(gpt2Words("DON'T I'm HE'LL they're 'tis", false),
            (Words{"DON", "'", "T", " I", "'m", " HE", "'", "LL", " they", "'re", " '", "tis"}));
  EXPECT_EQ(gpt2Words("x   y", false), (Words{"x", "  ", " y"}));
  EXPECT_EQ(gpt2Words("x   ", false), (Words{"x", "   "}));
  EXPECT_EQ(gpt2Words("  'a", false), (Words{" ", " '", "a"}));
  // Newlines are white space like any other (no [\r\n] alternatives), and only a space, not
  // a tab or U+00A0, joins the word after it.
  EXPECT_EQ(gpt2Words("a\n\n  b", false), (Words{"a", "\n\n ", " b"}));
  EXPECT_EQ(gpt2Words("\tif (x) {", false), (Words{"\t", "if", " (", "x", ")", " {"}));
  EXPECT_EQ(gpt2Words("x\u00a0Y \u3000word  \u0663\u0664", false),
            (Words{"x", "\u00a0", "Y", " ", "\u3000", "word", " ", " \u0663\u0664"}));
  // Digit runs are whole.
  EXPECT_EQ(gpt2Words("12345 abc123 v2.0", false), (Words{"12345", " abc", "123", " v", "2", ".", "0"}));
  EXPECT_EQ(gpt2Words("Grüße 世界!!", false), (Words{"Grüße", " 世界", "!!"}));

  // STARCODER: every number character alone, and a space before one stays on its own.
  EXPECT_EQ(gpt2Words("1234 v2.0 x 12", true), (Words{"1", "2", "3", "4", " v", "2", ".", "0", " x", " ", "1", "2"}));
  EXPECT_EQ(gpt2Words("a 1b", true), (Words{"a", " ", "1", "b"}));
  EXPECT_EQ(gpt2Words("\u0663\u0664 \u00bd1 x2y", true),
            (Words{"\u0663", "\u0664", " ", "\u00bd", "1", " x", "2", "y"}));
  EXPECT_EQ(gpt2Words("It's 2024, DON'T", true),
            (Words{"It", "'s", " ", "2", "0", "2", "4", ",", " DON", "'", "T"}));
}

TEST(Unicode, ClassesAndDecoding) {
  using unicode::Class;
  EXPECT_EQ(unicode::classOf('A'), Class::Letter);
  EXPECT_EQ(unicode::classOf(0xE9), Class::Letter);    // é
  EXPECT_EQ(unicode::classOf(0x4E16), Class::Letter);  // 世
  EXPECT_EQ(unicode::classOf(0x0663), Class::Number);  // ٣
  EXPECT_EQ(unicode::classOf(0x2165), Class::Number);  // Ⅵ (Nl)
  EXPECT_EQ(unicode::classOf(0x2581), Class::Other);
  EXPECT_EQ(unicode::classOf(0x1F600), Class::Other);  // 😀
  EXPECT_EQ(unicode::classOf(0x0301), Class::Other);   // combining acute (M)
  EXPECT_TRUE(unicode::isWhitespace(0x3000));
  EXPECT_TRUE(unicode::isWhitespace(0x85));
  EXPECT_FALSE(unicode::isWhitespace(0x1C));  // str.isspace() says yes; White_Space says no
  EXPECT_FALSE(unicode::isWhitespace(0x200B));
  // Invalid UTF-8: each bad byte is one U+FFFD; a truncated sequence too.
  EXPECT_EQ(unicode::decodeUtf8("a\x80" "b\xE4\xB8"), (std::vector<uint32_t>{'a', 0xFFFD, 'b', 0xFFFD, 0xFFFD}));
  EXPECT_EQ(unicode::completeUtf8Prefix("ab\xE4\xB8"), 2u);
  EXPECT_EQ(unicode::completeUtf8Prefix("ab\xE4\xB8\x96"), 5u);
}

}  // namespace
}  // namespace edgec
