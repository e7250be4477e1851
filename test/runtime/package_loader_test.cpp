// The package loader never trusts the file: every flipped byte, every truncation and
// every mutation that keeps a valid checksum must give a clean error (or a package that
// still runs), never a crash. Packages are built here with the FlatBuffers API and the
// shared container assembler, without the compiler.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "edgec/package_builder.h"
#include "edgec/runtime.hpp"
#include "edgepkg_generated.h"

namespace {

using namespace edgec;

// y = x + c with x: f32[2,3] (input), c: f32[3] (constant), y: f32[2,3] (output).
std::vector<uint8_t> addPackage(uint64_t arenaSize = 128) {
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
  auto fn = pkg::CreateFunctionDirect(fbb, "main", &fin, &fout, &kernels, arenaSize);
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

}  // namespace
