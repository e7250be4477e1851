// The package loader never trusts the file: every flipped byte, every truncation and
// every mutation that keeps a valid checksum must give a clean error (or a package that
// still runs), never a crash. Packages are built here with the FlatBuffers API and the
// shared container assembler, without the compiler.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "edgec/dtype_table.h"
#include "edgec/package_builder.h"
#include "edgec/runtime.hpp"
#include "edgepkg_generated.h"
#include "file_read.h"

namespace {

using namespace edgec;

// y = x + c with x: f32[2,3] (input), c: f32[3] (constant), y: f32[2,3] (output).
std::vector<uint8_t> addPackage(uint64_t arenaSize = 128, uint64_t arenaLowerBound = 0) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int64_t> s23 = {2, 3}, s3 = {3};
  std::vector<flatbuffers::Offset<pkg::Tensor>> tensors = {
      pkg::CreateTensorDirect(fbb, "x", pkg::DType::f32, &s23, pkg::Storage::Arena, 0, 24),
      pkg::CreateTensorDirect(fbb, "c", pkg::DType::f32, &s3, pkg::Storage::Constant, 0, 12),
      pkg::CreateTensorDirect(fbb, "y", pkg::DType::f32, &s23, pkg::Storage::Arena, 64, 24),
  };
  std::vector<int32_t> kin = {0, 1}, kout = {2}, fin = {0}, fout = {2};
  std::vector<flatbuffers::Offset<pkg::Attr>> attrs;
  auto kernel = pkg::CreateKernelDirect(fbb, "Add", "add0", &kin, &kout, &attrs);
  std::vector<flatbuffers::Offset<pkg::Kernel>> kernels = {kernel};
  auto fn = pkg::CreateFunctionDirect(fbb, "main", &fin, &fout, &kernels, arenaSize, arenaLowerBound);
  std::vector<flatbuffers::Offset<pkg::Function>> fns = {fn};
  std::vector<flatbuffers::Offset<flatbuffers::String>> features;
  auto package = pkg::CreatePackageDirect(fbb, "test", "add", "host", &features, &tensors, &fns, arenaSize, 0);
  pkg::FinishPackageBuffer(fbb, package);
  std::vector<uint8_t> plan(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  std::vector<uint8_t> constants(12);
  float c[3] = {10.f, 20.f, 30.f};
  std::memcpy(constants.data(), c, sizeof c);
  return pkg::assemblePackage(plan, constants);
}

class PackageFile {
public:
  PackageFile() : path_(::testing::TempDir() + "edgec_pkg_" + std::to_string(::getpid()) + ".edgepkg") {}
  ~PackageFile() { std::remove(path_.c_str()); }
  const std::string &write(const std::vector<uint8_t> &bytes) {
    std::ofstream(path_, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char *>(bytes.data()),
                                                                   std::streamsize(bytes.size()));
    return path_;
  }

private:
  std::string path_;
};

// Loads and, if that succeeds, runs once. Returns the load error ("" on success).
std::string loadAndRun(const std::string &path) {
  edgec_model *model = nullptr;
  if (edgec_model_load(path.c_str(), &model) != EDGEC_OK) return edgec_last_error();
  edgec_session *session = nullptr;
  if (edgec_session_create(model, &session) == EDGEC_OK) {
    std::vector<uint8_t> input(1 << 16, 0);
    edgec_tensor_info info;
    for (int32_t i = 0; i < edgec_model_num_inputs(model); ++i)
      if (edgec_model_input_info(model, i, &info) == EDGEC_OK && info.size_bytes <= input.size())
        edgec_session_set_input(session, i, input.data(), info.size_bytes);
    edgec_session_run(session);
    edgec_session_free(session);
  }
  edgec_model_free(model);
  return "";
}

TEST(PackageLoader, ValidPackageRuns) {
  PackageFile file;
  Model model(file.write(addPackage()));
  EXPECT_EQ(model.target(), "host");
  ASSERT_EQ(model.inputs().size(), 1u);
  EXPECT_EQ(model.inputs()[0].name, "x");
  EXPECT_EQ(model.outputs()[0].shape, (std::vector<int64_t>{2, 3}));
  Session session(model);
  float x[6] = {1, 2, 3, 4, 5, 6};
  session.setInput(0, x, sizeof x);
  session.run();
  auto [data, bytes] = session.output(0);
  ASSERT_EQ(bytes, sizeof x);
  const float *y = static_cast<const float *>(data);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(y[i], x[i] + 10.f * float(i % 3 + 1));
}

TEST(PackageLoader, EveryFlippedByteIsRejected) {
  PackageFile file;
  std::vector<uint8_t> good = addPackage();
  for (size_t i = 0; i < good.size(); ++i) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= 0x01;
    std::string error = loadAndRun(file.write(bad));
    EXPECT_NE(error, "") << "flipping byte " << i << " was not detected";
  }
}

TEST(PackageLoader, EveryTruncationIsRejected) {
  PackageFile file;
  std::vector<uint8_t> good = addPackage();
  for (size_t len = 0; len < good.size(); ++len) {
    std::vector<uint8_t> bad(good.begin(), good.begin() + long(len));
    std::string error = loadAndRun(file.write(bad));
    EXPECT_NE(error, "") << "truncation to " << len << " bytes was not detected";
    EXPECT_NE(error.find(file.write(bad)), std::string::npos) << "the error should name the file: " << error;
  }
}

// Mutations behind a valid checksum reach the structural checks: offsets, sizes,
// tensor references, shapes. None may crash; most must be rejected.
TEST(PackageLoader, MutationsWithValidChecksumNeverCrash) {
  PackageFile file;
  std::vector<uint8_t> good = addPackage();
  int rejected = 0, total = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    if (i >= pkg::kChecksumOffset && i < pkg::kChecksumOffset + 8) continue;
    for (uint8_t v : {uint8_t(0x00), uint8_t(0xff), uint8_t(good[i] ^ 0x80), uint8_t(good[i] + 1)}) {
      if (v == good[i]) continue;
      std::vector<uint8_t> bad = good;
      bad[i] = v;
      pkg::updateChecksum(bad);
      ++total;
      if (!loadAndRun(file.write(bad)).empty()) ++rejected;
    }
  }
  // Padding bytes and string contents may change harmlessly; structure may not.
  EXPECT_GT(rejected, total / 4) << rejected << " of " << total << " mutations rejected";
}

TEST(PackageLoader, ErrorsNameTheProblem) {
  PackageFile file;
  std::vector<uint8_t> good = addPackage();
  std::vector<uint8_t> bad = good;
  bad[0] = 'X';
  pkg::updateChecksum(bad);
  EXPECT_NE(loadAndRun(file.write(bad)).find("bad magic"), std::string::npos);
  bad = good;
  bad.resize(bad.size() - 1);
  EXPECT_NE(loadAndRun(file.write(bad)).find("truncated"), std::string::npos);
  bad = good;
  bad[bad.size() - 1] ^= 0xff;
  EXPECT_NE(loadAndRun(file.write(bad)).find("checksum"), std::string::npos);
  EXPECT_NE(loadAndRun("/nonexistent/x.edgepkg").find("cannot open"), std::string::npos);
}

// A declared arena larger than all its tensors together is damage, not a request for
// terabytes of memory.
TEST(PackageLoader, OversizedArenaIsRejected) {
  PackageFile file;
  EXPECT_EQ(loadAndRun(file.write(addPackage(128))), "");
  std::string error = loadAndRun(file.write(addPackage(uint64_t(1) << 40)));
  EXPECT_NE(error.find("arena is larger than its tensors can use"), std::string::npos) << error;
}

// The memory plan's recorded lower bound (arena_lower_bound) can be at most the arena:
// 0 (a package from before the field), the true bound (x and y live together: 128 bytes)
// and the arena itself load; one byte more is damage.
TEST(PackageLoader, ArenaLowerBoundAboveTheArenaIsRejected) {
  PackageFile file;
  EXPECT_EQ(loadAndRun(file.write(addPackage(128, 0))), "");
  EXPECT_EQ(loadAndRun(file.write(addPackage(128, 128))), "");
  std::string error = loadAndRun(file.write(addPackage(128, 129)));
  EXPECT_NE(error.find("records an arena lower bound above its arena"), std::string::npos) << error;
}

// Lazy verification of the constants: loading does not read the weights; the first
// session verifies them before any kernel reads one.
TEST(PackageLoader, ConstantsCanBeVerifiedLazily) {
  PackageFile file;
  std::vector<uint8_t> bad = addPackage();
  bad[bad.size() - 1] ^= 0x01;  // the last byte is a constant
  const std::string &path = file.write(bad);

  edgec_model *model = nullptr;
  ASSERT_EQ(edgec_model_load(path.c_str(), &model), EDGEC_ERROR);
  EXPECT_NE(std::string(edgec_last_error()).find("constants section checksum mismatch"), std::string::npos)
      << edgec_last_error();
  edgec_load_options eager{1};
  ASSERT_EQ(edgec_model_load_with_options(path.c_str(), &eager, &model), EDGEC_ERROR);

  edgec_load_options lazy{0};
  ASSERT_EQ(edgec_model_load_with_options(path.c_str(), &lazy, &model), EDGEC_OK) << edgec_last_error();
  EXPECT_EQ(edgec_model_num_inputs(model), 1);
  edgec_session *session = nullptr;
  ASSERT_EQ(edgec_session_create(model, &session), EDGEC_ERROR);
  EXPECT_EQ(session, nullptr);
  std::string error = edgec_last_error();
  EXPECT_NE(error.find(path + ": not a valid edgec package: constants section checksum mismatch"), std::string::npos)
      << error;
  // Every later attempt gives the same answer.
  ASSERT_EQ(edgec_session_create(model, &session), EDGEC_ERROR);
  ASSERT_EQ(edgec_model_verify_constants(model), EDGEC_ERROR);
  EXPECT_NE(std::string(edgec_last_error()).find("constants section checksum mismatch"), std::string::npos);
  edgec_model_free(model);

  // A good package loaded lazily runs, and verifies explicitly.
  Model good(file.write(addPackage()), false);
  good.verifyConstants();
  Session s(good);
  float x[6] = {};
  s.setInput(0, x, sizeof x);
  s.run();

  edgec_load_options wrong{2};
  ASSERT_EQ(edgec_model_load_with_options(path.c_str(), &wrong, &model), EDGEC_ERROR);
  EXPECT_NE(std::string(edgec_last_error()).find("verify_constants must be 0 or 1"), std::string::npos);
}

// This process's locked memory in kB (/proc/self/status VmLck).
long lockedKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmLck:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

float runAddFirst(const Model &model) {
  Session session(model);
  float x[6] = {1, 2, 3, 4, 5, 6};
  session.setInput(0, x, sizeof x);
  session.run();
  return static_cast<const float *>(session.output(0).first)[0];
}

// Every residency gives the same results and the same checks; LOCKED locks the file's
// pages while the model lives; COPIED no longer depends on the file after loading.
TEST(PackageLoader, ResidencyLocksOrCopiesTheFile) {
  PackageFile file;
  const std::string &path = file.write(addPackage());
  for (edgec_residency r : {EDGEC_RESIDENCY_MAPPED, EDGEC_RESIDENCY_LOCKED, EDGEC_RESIDENCY_COPIED}) {
    const long before = lockedKiB();
    {
      Model model(path, true, r);
      EXPECT_EQ(runAddFirst(model), 11.f) << "residency " << r;
      if (r == EDGEC_RESIDENCY_LOCKED) EXPECT_GE(lockedKiB(), before + 4) << "the mapping is not locked";
      else EXPECT_EQ(lockedKiB(), before) << "residency " << r;
    }
    EXPECT_EQ(lockedKiB(), before) << "residency " << r << ": the lock outlived the model";
  }

  // A copy is checked as the file is: a corrupt constant is still rejected.
  std::vector<uint8_t> bad = addPackage();
  bad[bad.size() - 1] ^= 0x01;
  edgec_model *model = nullptr;
  edgec_load_options copied{1, EDGEC_RESIDENCY_COPIED};
  ASSERT_EQ(edgec_model_load_with_options(file.write(bad).c_str(), &copied, &model), EDGEC_ERROR);
  EXPECT_NE(std::string(edgec_last_error()).find("constants section checksum mismatch"), std::string::npos);

  // Rewriting the file under a loaded model: a mapping sees the new bytes (MAP_PRIVATE
  // pages not yet copied follow the file), a copy does not.
  Model mapped(file.write(addPackage()), true, EDGEC_RESIDENCY_MAPPED);
  Model copy(path, true, EDGEC_RESIDENCY_COPIED);
  std::vector<uint8_t> other = addPackage();
  const float c0 = 50.f;  // the first constant, 10 in addPackage
  std::memcpy(other.data() + other.size() - 12, &c0, sizeof c0);
  file.write(other);
  EXPECT_EQ(runAddFirst(copy), 11.f);
  EXPECT_EQ(runAddFirst(mapped), 51.f);

  edgec_load_options wrong{1, 3};
  ASSERT_EQ(edgec_model_load_with_options(path.c_str(), &wrong, &model), EDGEC_ERROR);
  EXPECT_NE(std::string(edgec_last_error()).find("residency must be"), std::string::npos) << edgec_last_error();
}

// Lazy mode still checks the header, the section table and the plan at load: every
// flipped byte outside the constants is rejected by a lazy load.
TEST(PackageLoader, LazyLoadStillVerifiesHeaderTableAndPlan) {
  PackageFile file;
  std::vector<uint8_t> good = addPackage();
  pkg::FileHeader h;
  std::memcpy(&h, good.data(), sizeof h);
  pkg::SectionEntry constants;
  std::memcpy(&constants, good.data() + h.section_table_offset + sizeof(pkg::SectionEntry), sizeof constants);
  ASSERT_EQ(constants.kind, uint32_t(pkg::SectionKind::Constants));
  edgec_load_options lazy{0};
  for (size_t i = 0; i < constants.offset; ++i) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= 0x01;
    edgec_model *model = nullptr;
    EXPECT_EQ(edgec_model_load_with_options(file.write(bad).c_str(), &lazy, &model), EDGEC_ERROR)
        << "flipping byte " << i << " was not detected by a lazy load";
    edgec_model_free(model);
  }
}

TEST(PackageLoader, ChecksumErrorsNameTheSection) {
  PackageFile file;
  std::vector<uint8_t> good = addPackage();
  pkg::FileHeader h;
  std::memcpy(&h, good.data(), sizeof h);
  pkg::SectionEntry plan;
  std::memcpy(&plan, good.data() + h.section_table_offset, sizeof plan);
  std::vector<uint8_t> bad = good;
  bad[pkg::kChecksumOffset + 16] ^= 0x01;  // section table offset
  EXPECT_NE(loadAndRun(file.write(bad)), "");
  bad = good;
  bad[h.section_table_offset + 8] ^= 0x01;  // the plan's offset in the table
  EXPECT_NE(loadAndRun(file.write(bad)).find("header checksum mismatch"), std::string::npos);
  bad = good;
  bad[plan.offset + plan.size / 2] ^= 0x01;
  EXPECT_NE(loadAndRun(file.write(bad)).find("plan section checksum mismatch"), std::string::npos);
  bad = good;
  bad[plan.offset + plan.size] = 1;  // alignment padding after the plan
  ASSERT_LT(plan.offset + plan.size, good.size());
  pkg::updateChecksum(bad);
  EXPECT_NE(loadAndRun(file.write(bad)).find("padding byte"), std::string::npos);
}

TEST(PackageLoader, OldFormatVersionIsRejected) {
  PackageFile file;
  std::vector<uint8_t> bad = addPackage();
  bad[8] = 4;  // format_version: 4 had GgufRows16 q5_k and q6_k blocks as all qh, then all codes
  pkg::updateChecksum(bad);
  EXPECT_NE(loadAndRun(file.write(bad))
                .find("format version 4 is not supported (this runtime reads version 5; compile the model again"),
            std::string::npos);
}

// One KVCacheAttention over f32 caches (Q [1, 1, 4] and pos inputs, K and V constants [1,
// 4, 4]) with `window` (0: the attribute left out, as the compiler writes it), and the
// "attention-window" feature required or not; with softcap > 0 also that attribute and
// (softcapFeature) the "attention-softcap" feature.
std::vector<uint8_t> attentionPackage(int64_t window, bool feature, float softcap = 0.f, bool softcapFeature = false) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int64_t> sq = {1, 1, 4}, sc = {1, 4, 4}, sp = {1};
  std::vector<flatbuffers::Offset<pkg::Tensor>> tensors = {
      pkg::CreateTensorDirect(fbb, "q", pkg::DType::f32, &sq, pkg::Storage::Arena, 0, 16),
      pkg::CreateTensorDirect(fbb, "k", pkg::DType::f32, &sc, pkg::Storage::Constant, 0, 64),
      pkg::CreateTensorDirect(fbb, "v", pkg::DType::f32, &sc, pkg::Storage::Constant, 64, 64),
      pkg::CreateTensorDirect(fbb, "pos", pkg::DType::i64, &sp, pkg::Storage::Arena, 64, 8),
      pkg::CreateTensorDirect(fbb, "y", pkg::DType::f32, &sq, pkg::Storage::Arena, 128, 16),
  };
  std::vector<int32_t> kin = {0, 1, 2, 3}, kout = {4}, fin = {0, 3}, fout = {4};
  std::vector<flatbuffers::Offset<pkg::Attr>> attrs = {pkg::CreateAttrDirect(fbb, "scale", pkg::AttrKind::Float, 0, 0.5f)};
  if (window) attrs.push_back(pkg::CreateAttrDirect(fbb, "window", pkg::AttrKind::Int, window));
  if (softcap > 0.f) attrs.push_back(pkg::CreateAttrDirect(fbb, "softcap", pkg::AttrKind::Float, 0, softcap));
  std::vector<flatbuffers::Offset<pkg::Kernel>> kernels = {
      pkg::CreateKernelDirect(fbb, "KVCacheAttention", "blk.0.attention", &kin, &kout, &attrs)};
  std::vector<flatbuffers::Offset<pkg::Function>> fns = {pkg::CreateFunctionDirect(fbb, "main", &fin, &fout, &kernels, 192)};
  std::vector<flatbuffers::Offset<flatbuffers::String>> features;
  if (feature) features.push_back(fbb.CreateString("attention-window"));
  if (softcapFeature) features.push_back(fbb.CreateString("attention-softcap"));
  pkg::FinishPackageBuffer(fbb, pkg::CreatePackageDirect(fbb, "test", "attn", "host", &features, &tensors, &fns, 192, 0));
  std::vector<uint8_t> plan(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  return pkg::assemblePackage(plan, std::vector<uint8_t>(128, 0));
}

// A windowed attention changes what the op computes, so a package with one must require
// "attention-window" (a runtime from before windows refuses it as a feature it lacks
// instead of running it unwindowed); this runtime knows the feature.
TEST(PackageLoader, AWindowedAttentionRequiresItsFeature) {
  PackageFile file;
  EXPECT_EQ(loadAndRun(file.write(attentionPackage(0, false))), "");
  EXPECT_EQ(loadAndRun(file.write(attentionPackage(2, true))), "");
  EXPECT_EQ(loadAndRun(file.write(attentionPackage(0, true))), "");
  EXPECT_NE(loadAndRun(file.write(attentionPackage(2, false)))
                .find("kernel 'blk.0.attention' has a sliding window, but the package does not require "
                      "'attention-window'"),
            std::string::npos);
}

// Soft-capped scores (Gemma 2) likewise need "attention-softcap".
TEST(PackageLoader, ASoftCappedAttentionRequiresItsFeature) {
  PackageFile file;
  EXPECT_EQ(loadAndRun(file.write(attentionPackage(0, false, 30.f, true))), "");
  EXPECT_EQ(loadAndRun(file.write(attentionPackage(0, false, 0.f, true))), "");
  EXPECT_NE(loadAndRun(file.write(attentionPackage(0, false, 30.f, false)))
                .find("kernel 'blk.0.attention' soft-caps its scores, but the package does not require "
                      "'attention-softcap'"),
            std::string::npos);
}

// The package is assembled the same way, streamed or in one piece.
TEST(PackageLoader, StreamedPackageEqualsAssembled) {
  std::vector<uint8_t> plan(100), constants(1000);
  for (size_t i = 0; i < plan.size(); ++i) plan[i] = uint8_t(i * 7);
  for (size_t i = 0; i < constants.size(); ++i) constants[i] = uint8_t(i * 13);
  std::vector<uint8_t> streamed;
  ASSERT_TRUE(pkg::writePackage(plan.data(), plan.size(), constants.data(), constants.size(),
                                [&](const void *d, size_t n) {
                                  streamed.insert(streamed.end(), static_cast<const uint8_t *>(d),
                                                  static_cast<const uint8_t *>(d) + n);
                                  return true;
                                }));
  EXPECT_EQ(streamed, pkg::assemblePackage(plan, constants));
}

// Quantization parameters by index. The package is addPackage's plus a quantized
// constant `w` and its scale (and zero-point) tensors, which no kernel reads: the loader
// checks them all the same.
struct QuantCase {
  pkg::DType wType = pkg::DType::i8;
  std::vector<int64_t> wShape = {4, 6};
  pkg::QuantScheme scheme = pkg::QuantScheme::PerAxis;
  int32_t axis = 0, blockSize = 0;
  pkg::DType sType = pkg::DType::f32;
  std::vector<int64_t> sShape = {4};
  bool zeroPoints = true;
  pkg::DType zType = pkg::DType::i8;
  std::vector<int64_t> zShape = {4};
  pkg::DType expressed = pkg::DType::f32;
  int32_t scalesRef = 4;  // tensors: 0 x, 1 c, 2 y, 3 w, 4 w_scale, 5 w_zero
  pkg::Storage sStorage = pkg::Storage::Constant;
};

uint64_t bytesOf(pkg::DType t, const std::vector<int64_t> &shape) {
  uint64_t bytes = 0;
  std::string why;
  const DTypeInfo *info = dtypeInfo(unsigned(t));
  if (!tensorStorageBytes(*info, shape.data(), shape.size(), &bytes, &why)) return 0;
  return bytes;
}

std::vector<uint8_t> quantPackage(const QuantCase &q) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int64_t> s23 = {2, 3}, s3 = {3};
  uint64_t wBytes = bytesOf(q.wType, q.wShape), sBytes = bytesOf(q.sType, q.sShape),
           zBytes = bytesOf(q.zType, q.zShape);
  uint64_t wAt = 64, sAt = pkg::alignTo(wAt + wBytes), zAt = pkg::alignTo(sAt + sBytes);
  uint64_t constBytes = zAt + zBytes;
  auto quant = pkg::CreateQuantInfo(fbb, q.scheme, q.axis, q.blockSize, q.expressed, q.scalesRef,
                                    q.zeroPoints ? 5 : -1);
  std::vector<flatbuffers::Offset<pkg::Tensor>> tensors = {
      pkg::CreateTensorDirect(fbb, "x", pkg::DType::f32, &s23, pkg::Storage::Arena, 0, 24),
      pkg::CreateTensorDirect(fbb, "c", pkg::DType::f32, &s3, pkg::Storage::Constant, 0, 12),
      pkg::CreateTensorDirect(fbb, "y", pkg::DType::f32, &s23, pkg::Storage::Arena, 64, 24),
      pkg::CreateTensorDirect(fbb, "w", q.wType, &q.wShape, pkg::Storage::Constant, wAt, wBytes, quant),
      pkg::CreateTensorDirect(fbb, "w_scale", q.sType, &q.sShape, q.sStorage,
                              q.sStorage == pkg::Storage::Constant ? sAt : 0, sBytes),
      pkg::CreateTensorDirect(fbb, "w_zero", q.zType, &q.zShape, pkg::Storage::Constant, zAt, zBytes),
  };
  std::vector<int32_t> kin = {0, 1}, kout = {2}, fin = {0}, fout = {2};
  std::vector<flatbuffers::Offset<pkg::Attr>> attrs;
  std::vector<flatbuffers::Offset<pkg::Kernel>> kernels = {pkg::CreateKernelDirect(fbb, "Add", "add0", &kin, &kout, &attrs)};
  std::vector<flatbuffers::Offset<pkg::Function>> fns = {pkg::CreateFunctionDirect(fbb, "main", &fin, &fout, &kernels, 128)};
  std::vector<flatbuffers::Offset<flatbuffers::String>> features;
  uint64_t stateSize = q.sStorage == pkg::Storage::State ? pkg::alignTo(sBytes) : 0;
  auto package = pkg::CreatePackageDirect(fbb, "test", "quant", "host", &features, &tensors, &fns, 128, stateSize);
  pkg::FinishPackageBuffer(fbb, package);
  std::vector<uint8_t> plan(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  std::vector<uint8_t> constants(constBytes, 0);
  return pkg::assemblePackage(plan, constants);
}

std::string quantError(const QuantCase &q) {
  PackageFile file;
  return loadAndRun(file.write(quantPackage(q)));
}

TEST(PackageQuant, ValidParametersLoad) {
  QuantCase perAxis;
  EXPECT_EQ(quantError(perAxis), "");
  QuantCase perTensor;
  perTensor.scheme = pkg::QuantScheme::PerTensor;
  perTensor.sShape = perTensor.zShape = {};
  perTensor.wType = perTensor.zType = pkg::DType::u8;
  EXPECT_EQ(quantError(perTensor), "");
  perTensor.sShape = perTensor.zShape = {1};
  perTensor.zeroPoints = false;
  perTensor.sType = pkg::DType::f16;
  EXPECT_EQ(quantError(perTensor), "");
  QuantCase block;  // int4 weights, groups of 4 along axis 1 (6 -> 2 groups, the last partial)
  block.scheme = pkg::QuantScheme::Blockwise;
  block.wType = block.zType = pkg::DType::i4;
  block.axis = 1;
  block.blockSize = 4;
  block.sShape = block.zShape = {4, 2};
  block.sType = pkg::DType::f16;
  block.expressed = pkg::DType::bf16;
  EXPECT_EQ(quantError(block), "");
}

// One clear error each, naming the tensor.
TEST(PackageQuant, BadParametersAreRejected) {
  auto expect = [](const QuantCase &q, const std::string &what) {
    std::string error = quantError(q);
    EXPECT_NE(error.find("not a valid edgec package: tensor 'w' quantization: " + what), std::string::npos)
        << "expected '" << what << "', got: " << error;
  };
  QuantCase q;
  q.axis = 2;
  expect(q, "axis 2 is out of range for rank 2");
  q = {};
  q.axis = -1;
  expect(q, "axis -1 is out of range for rank 2");
  q = {};
  q.sShape = {6};
  expect(q, "scales have shape [6] (6 values), expected 4 values (dim 0), shape [4]");
  q = {};
  q.zShape = {3};
  expect(q, "zero points have shape [3] (3 values), expected 4 values (dim 0), shape [4]");
  q = {};
  q.scheme = pkg::QuantScheme::PerTensor;
  expect(q, "scales have shape [4] (4 values), expected one value");
  q = {};
  q.scheme = pkg::QuantScheme::Blockwise;
  q.axis = 1;
  q.blockSize = 0;
  q.sShape = q.zShape = {4, 2};
  expect(q, "block size 0 must be positive");
  q.blockSize = 2;  // 6 / 2 = 3 groups, not 2
  expect(q, "scales have shape [4,2] (8 values), expected [4,3]");
  q.blockSize = 4;
  q.axis = 5;
  expect(q, "axis 5 is out of range for rank 2");
  q = {};
  q.sType = pkg::DType::i32;
  expect(q, "scales must be f32 or f16, not i32");
  q = {};
  q.zType = pkg::DType::u8;
  expect(q, "zero points must have the tensor's dtype i8, not u8");
  q = {};
  q.wType = q.zType = pkg::DType::f32;
  expect(q, "a quantized tensor must be i8, u8, i16, i32, i4 or u4, not f32");
  q = {};
  q.expressed = pkg::DType::i8;
  expect(q, "the expressed type must be a float type, not i8");
  q = {};
  q.scalesRef = 17;
  expect(q, "scales tensor #17 does not exist");
  q = {};
  q.scalesRef = 0;  // the input x
  expect(q, "scales tensor is not a constant");
  q = {};
  q.sStorage = pkg::Storage::State;
  expect(q, "scales tensor is not a constant");
}

// A block-typed (GGUF) tensor whose byte size does not match its shape.
TEST(PackageQuant, BlockTensorOfTheWrongSizeIsRejected) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int64_t> s23 = {2, 3}, s3 = {3}, q = {2, 64};  // q4_0: 2 rows x 2 blocks x 18 bytes
  std::vector<flatbuffers::Offset<pkg::Tensor>> tensors = {
      pkg::CreateTensorDirect(fbb, "x", pkg::DType::f32, &s23, pkg::Storage::Arena, 0, 24),
      pkg::CreateTensorDirect(fbb, "c", pkg::DType::f32, &s3, pkg::Storage::Constant, 0, 12),
      pkg::CreateTensorDirect(fbb, "y", pkg::DType::f32, &s23, pkg::Storage::Arena, 64, 24),
      pkg::CreateTensorDirect(fbb, "wq", pkg::DType::q4_0, &q, pkg::Storage::Constant, 64, 64),
  };
  std::vector<int32_t> kin = {0, 1}, kout = {2}, fin = {0}, fout = {2};
  std::vector<flatbuffers::Offset<pkg::Attr>> attrs;
  std::vector<flatbuffers::Offset<pkg::Kernel>> kernels = {pkg::CreateKernelDirect(fbb, "Add", "add0", &kin, &kout, &attrs)};
  std::vector<flatbuffers::Offset<pkg::Function>> fns = {pkg::CreateFunctionDirect(fbb, "main", &fin, &fout, &kernels, 128)};
  std::vector<flatbuffers::Offset<flatbuffers::String>> features;
  pkg::FinishPackageBuffer(fbb, pkg::CreatePackageDirect(fbb, "test", "q", "host", &features, &tensors, &fns, 128, 0));
  std::vector<uint8_t> plan(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  PackageFile file;
  std::string error = loadAndRun(file.write(pkg::assemblePackage(plan, std::vector<uint8_t>(128))));
  EXPECT_NE(error.find("tensor 'wq' is 64 bytes, but a q4_0 tensor of its shape takes 72"), std::string::npos)
      << error;
}

// The copied residency's reader: every thread count gives the file's bytes, whatever the
// size's remainder against the 2 MiB shares (some shares empty when threads outnumber the
// pages), and a file shorter than asked is an error, not a half-filled copy.
TEST(PackageLoader, ReadsTheFileInWithAnyThreadCount) {
  PackageFile file;
  std::vector<uint8_t> bytes((size_t(5) << 20) + 12345);
  uint32_t state = 12345;
  for (uint8_t &b : bytes) b = uint8_t((state = state * 1664525u + 1013904223u) >> 24);
  const int fd = ::open(file.write(bytes).c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  for (int threads : {1, 2, 3, 5, 8}) {
    std::string error;
    uint8_t *copy = rt::readIntoAnonymousMemory(fd, bytes.size(), threads, error);
    ASSERT_NE(copy, nullptr) << threads << " threads: " << error;
    EXPECT_EQ(std::memcmp(copy, bytes.data(), bytes.size()), 0) << threads << " threads";
    ::munmap(copy, bytes.size());
  }
  std::string error;
  EXPECT_EQ(rt::readIntoAnonymousMemory(fd, bytes.size() + 100, 3, error), nullptr);
  EXPECT_EQ(error, "the file shrank while being read");
  ::close(fd);

  EXPECT_EQ(rt::loadThreads(bytes.size()), 1) << "a small package is read by the caller alone";
  const int many = rt::loadThreads(size_t(1) << 40);
  EXPECT_GE(many, 1);
  EXPECT_LE(many, rt::kMaxLoadThreads);
}

}  // namespace
