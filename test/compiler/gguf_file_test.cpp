// The GGUF reader's API (compiler/include/edgec/GgufFile.h) on a file written by
// test/lit/CLI/Inputs/gguf_writer.py: typed look-ups and their errors, tensor infos, and
// that each tensor's data pointer lands on the bytes the writer put there. The bad-input
// checks are in test/lit/CLI/gguf-bad.test.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include "edgec/GgufFile.h"

#ifndef EDGEC_NUMPY_PYTHON
#define EDGEC_NUMPY_PYTHON "/usr/bin/python3"
#endif
#ifndef EDGEC_SOURCE_DIR
#error "EDGEC_SOURCE_DIR must name the source tree (for the writer script)"
#endif

namespace {

using edgec::gguf::GgufFile;
namespace fs = std::filesystem;

std::string writeGood(const std::string &args) {
  const fs::path dir = fs::temp_directory_path() / ("edgec_gguf_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "good.gguf").string();
  const std::string cmd = std::string(EDGEC_NUMPY_PYTHON) + " '" EDGEC_SOURCE_DIR
                          "/test/lit/CLI/Inputs/gguf_writer.py' good '" + path + "' " + args;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return path;
}

float f16ToFloat(uint16_t h) {  // normal numbers only: enough for the writer's values
  const uint32_t sign = uint32_t(h >> 15) << 31, exp = (h >> 10) & 31, mant = h & 1023;
  const uint32_t bits = exp ? sign | ((exp + 112) << 23) | (mant << 13) : sign;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

TEST(GgufFile, MetadataAndTensors) {
  std::string error;
  auto f = GgufFile::open(writeGood("--version 2 --alignment 64"), error);
  ASSERT_TRUE(f) << error;
  EXPECT_EQ(f->version(), 2u);
  EXPECT_EQ(f->alignment(), 64u);
  EXPECT_EQ(f->dataOffset() % 64, 0u);
  EXPECT_EQ(f->arch(), "llama");

  uint32_t u32 = 0;
  ASSERT_TRUE(f->getU32("llama.block_count", u32, error)) << error;
  EXPECT_EQ(u32, 1u);
  float f32 = 0;
  ASSERT_TRUE(f->getF32("llama.rope.freq_base", f32, error)) << error;
  EXPECT_EQ(f32, 10000.0f);
  llvm::StringRef s;
  ASSERT_TRUE(f->getString("general.name", s, error)) << error;
  EXPECT_EQ(s, "tiny test llama");
  bool b = false;
  ASSERT_TRUE(f->getBool("tokenizer.ggml.add_bos_token", b, error)) << error;
  EXPECT_TRUE(b);
  const edgec::gguf::ArrayValue *tokens = nullptr;
  ASSERT_TRUE(f->getArray("tokenizer.ggml.tokens", tokens, error)) << error;
  ASSERT_EQ(tokens->size(), 8u);
  EXPECT_EQ(tokens->strings[1], "<s>");
  EXPECT_EQ(*tokens->at(2).asString(), "</s>");
  const edgec::gguf::ArrayValue *scores = nullptr;
  ASSERT_TRUE(f->getArray("tokenizer.ggml.scores", scores, error)) << error;
  double score = 0;
  ASSERT_TRUE(scores->at(7).asF64(score));
  EXPECT_EQ(score, -5.0);
  const edgec::gguf::ArrayValue *nested = f->find("test.array.nested")->asArray();
  ASSERT_TRUE(nested && nested->size() == 2 && nested->at(0).asArray());
  int64_t item = 0;
  ASSERT_TRUE(nested->at(0).asArray()->at(1).asI64(item));
  EXPECT_EQ(item, -2);
  int64_t i64 = 0;
  ASSERT_TRUE(f->find("test.value.i64")->asI64(i64));
  EXPECT_EQ(i64, -(int64_t(1) << 62));
  uint64_t u64 = 0;
  ASSERT_TRUE(f->find("test.value.u64")->asU64(u64));
  EXPECT_EQ(u64, (uint64_t(1) << 63) + 5);

  // Look-up errors name the file and the key.
  EXPECT_FALSE(f->getU32("llama.nope", u32, error));
  EXPECT_NE(error.find("missing metadata key 'llama.nope'"), std::string::npos) << error;
  EXPECT_FALSE(f->getU32("general.name", u32, error));
  EXPECT_NE(error.find("'general.name' is a str, expected a non-negative integer"), std::string::npos) << error;
  EXPECT_FALSE(f->getU32("test.value.u64", u32, error));
  EXPECT_NE(error.find("does not fit in 32 bits"), std::string::npos) << error;
  EXPECT_FALSE(f->getU32("test.value.i8", u32, error));  // negative

  // Tensors: shapes both ways, sizes from the dtype table, data where the writer put it.
  ASSERT_EQ(f->tensors().size(), 5u);
  const auto *emb = f->findTensor("token_embd.weight");
  ASSERT_TRUE(emb);
  EXPECT_EQ(emb->nDims, 2u);
  EXPECT_EQ(emb->ne[0], 64u);
  EXPECT_EQ(emb->ne[1], 8u);
  EXPECT_EQ(emb->shapeOuterFirst(), (std::vector<int64_t>{8, 64}));
  EXPECT_STREQ(emb->dtype->name, "f32");
  EXPECT_EQ(emb->bytes, 64u * 8 * 4);
  const auto *norm = f->findTensor("output_norm.weight");
  ASSERT_TRUE(norm);
  for (uint64_t i = 0; i < 64; ++i) {
    float v;
    std::memcpy(&v, norm->data + 4 * i, 4);
    ASSERT_EQ(v, 1.0f) << i;
  }
  const auto *attnNorm = f->findTensor("blk.0.attn_norm.weight");
  ASSERT_TRUE(attnNorm);
  EXPECT_STREQ(attnNorm->dtype->name, "f16");
  for (uint64_t i = 0; i < 64; ++i) {
    uint16_t h;
    std::memcpy(&h, attnNorm->data + 2 * i, 2);
    ASSERT_EQ(f16ToFloat(h), 1.0f) << i;
  }
  // Q8_0: each 34-byte block is an f16 scale and 32 codes; the writer's quantizer maps
  // each block's largest magnitude to +-127 with a positive scale.
  const auto *q = f->findTensor("blk.0.attn_q.weight");
  ASSERT_TRUE(q);
  EXPECT_STREQ(q->dtype->name, "q8_0");
  ASSERT_EQ(q->bytes, 64u * 64 / 32 * 34);
  for (uint64_t block = 0; block < q->bytes / 34; ++block) {
    const uint8_t *p = q->data + 34 * block;
    uint16_t d;
    std::memcpy(&d, p, 2);
    int maxAbs = 0;
    for (int i = 0; i < 32; ++i) maxAbs = std::max(maxAbs, std::abs(int(int8_t(p[2 + i]))));
    ASSERT_GT(f16ToFloat(d), 0.0f) << block;
    ASSERT_EQ(maxAbs, 127) << block;
  }
  EXPECT_EQ(f->findTensor("nope"), nullptr);
  fs::remove_all(fs::path(f->path()).parent_path());
}

TEST(GgufFile, OpenErrorNamesTheFile) {
  std::string error;
  EXPECT_FALSE(GgufFile::open("/nonexistent/x.gguf", error));
  EXPECT_NE(error.find("/nonexistent/x.gguf: cannot open"), std::string::npos) << error;
}

}  // namespace
