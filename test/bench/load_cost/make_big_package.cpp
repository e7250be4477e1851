// Writes a package with 1 GiB of constants to argv[1] (16 x 64 MiB f32 tensors no kernel reads,
// plus y = x + c). LEGACY: format 1 via the old assemblePackage (whole image in memory);
// otherwise format 2 streamed with writePackage.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include "edgec/package_builder.h"
#include "edgepkg_generated.h"
using namespace edgec;
int main(int argc, char **argv) {
  const uint64_t kTensor = 64ull << 20, kCount = 16;
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int64_t> s23 = {2, 3}, s3 = {3}, big = {int64_t(kTensor / 4)};
  std::vector<flatbuffers::Offset<pkg::Tensor>> tensors = {
      pkg::CreateTensorDirect(fbb, "x", pkg::DType::f32, &s23, pkg::Storage::Arena, 0, 24),
      pkg::CreateTensorDirect(fbb, "c", pkg::DType::f32, &s3, pkg::Storage::Constant, 0, 12),
      pkg::CreateTensorDirect(fbb, "y", pkg::DType::f32, &s23, pkg::Storage::Arena, 64, 24)};
  for (uint64_t i = 0; i < kCount; ++i)
    tensors.push_back(pkg::CreateTensorDirect(fbb, ("w" + std::to_string(i)).c_str(), pkg::DType::f32, &big,
                                              pkg::Storage::Constant, 64 + i * kTensor, kTensor));
  std::vector<int32_t> kin = {0, 1}, kout = {2}, fin = {0}, fout = {2};
  std::vector<flatbuffers::Offset<pkg::Attr>> attrs;
  std::vector<flatbuffers::Offset<pkg::Kernel>> kernels = {pkg::CreateKernelDirect(fbb, "Add", "add0", &kin, &kout, &attrs)};
  std::vector<flatbuffers::Offset<pkg::Function>> fns = {pkg::CreateFunctionDirect(fbb, "main", &fin, &fout, &kernels, 128)};
  std::vector<flatbuffers::Offset<flatbuffers::String>> features;
  pkg::FinishPackageBuffer(fbb, pkg::CreatePackageDirect(fbb, "gen1g", "big", "host", &features, &tensors, &fns, 128, 0));
  std::vector<uint8_t> plan(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  std::vector<uint8_t> constants(64 + kCount * kTensor);
  uint32_t state = 12345;
  for (size_t i = 0; i < constants.size(); i += 4) {
    state = state * 1664525u + 1013904223u;
    std::memcpy(&constants[i], &state, 4);
  }
  FILE *f = std::fopen(argv[1], "wb");
#ifdef LEGACY
  std::vector<uint8_t> image = pkg::assemblePackage(plan, constants);
  std::fwrite(image.data(), 1, image.size(), f);
#else
  pkg::writePackage(plan.data(), plan.size(), constants.data(), constants.size(),
                    [&](const void *d, size_t n) { return std::fwrite(d, 1, n, f) == n; });
#endif
  return std::fclose(f);
}
