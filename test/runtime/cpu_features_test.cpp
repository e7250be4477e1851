// CPU features and the ISA list on every processor the runtime builds for: x86-64 here,
// aarch64 in the runtime-aarch64 suite (cross-built, run under qemu-aarch64). Each test
// names what the running processor must answer; nothing is skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "model.h"

namespace edgec::rt {
namespace {

bool has(const std::vector<Isa> &isas, Isa isa) {
  return std::find(isas.begin(), isas.end(), isa) != isas.end();
}

// Sets EDGEC_KERNELS for one scope and restores it afterwards.
class KernelsEnv {
public:
  explicit KernelsEnv(const char *value) {
    const char *saved = std::getenv("EDGEC_KERNELS");
    hadValue_ = saved != nullptr;
    if (saved) saved_ = saved;
    if (value)
      setenv("EDGEC_KERNELS", value, 1);
    else
      unsetenv("EDGEC_KERNELS");
  }
  ~KernelsEnv() {
    if (hadValue_)
      setenv("EDGEC_KERNELS", saved_.c_str(), 1);
    else
      unsetenv("EDGEC_KERNELS");
  }

private:
  bool hadValue_ = false;
  std::string saved_;
};

TEST(CpuFeatures, RefIsAlwaysFirst) {
  KernelsEnv env(nullptr);
  const std::vector<Isa> isas = hostIsas();
  ASSERT_FALSE(isas.empty());
  EXPECT_EQ(isas.front(), Isa::Ref);
  EXPECT_EQ(std::count(isas.begin(), isas.end(), Isa::Ref), 1);
  EXPECT_FALSE(has(isas, Isa::ArmNeon));  // until kernels/arm/ exists
  EXPECT_FALSE(hostHasFeature("no-such-feature"));
}

#if defined(__aarch64__)
TEST(CpuFeatures, Aarch64HasNeonButRunsRefKernels) {
  KernelsEnv env(nullptr);
  // Every aarch64 CPU has Advanced SIMD; cpuinfo reads it from the kernel (also under qemu).
  EXPECT_TRUE(hostHasFeature("neon"));
  EXPECT_FALSE(hostHasFeature("avx2"));
  // No arm-neon kernels yet: the ref kernels alone, whatever EDGEC_KERNELS says.
  EXPECT_EQ(hostIsas(), std::vector<Isa>{Isa::Ref});
  KernelsEnv neon("neon");
  EXPECT_EQ(hostIsas(), std::vector<Isa>{Isa::Ref});
}
#elif defined(__x86_64__)
TEST(CpuFeatures, X86NeverOffersNeon) {
  KernelsEnv env(nullptr);
  EXPECT_FALSE(hostHasFeature("neon"));
  const std::vector<Isa> isas = hostIsas();
  EXPECT_EQ(has(isas, Isa::X86Avx2), hostHasFeature("avx2") && hostHasFeature("fma"));
}
#endif

TEST(CpuFeatures, EdgecKernelsRefLeavesOnlyRef) {
  KernelsEnv env("ref");
  EXPECT_EQ(hostIsas(), std::vector<Isa>{Isa::Ref});
  KernelsEnv bad("avx3");
  EXPECT_THROW(hostIsas(), Error);
}

// The registry offers every op's ref kernel and, off x86-64, nothing else.
TEST(CpuFeatures, RegistryChoosesFromTheHostList) {
  KernelsEnv env(nullptr);
  Isa chosen = Isa::ArmNeon;
  ASSERT_NE(KernelRegistry::instance().create("Conv", hostIsas(), &chosen), nullptr);
#if !defined(__x86_64__)
  EXPECT_EQ(chosen, Isa::Ref);
  const std::vector<Isa> all = {Isa::Ref, Isa::X86Avx2, Isa::X86Avx512, Isa::ArmNeon};
  ASSERT_NE(KernelRegistry::instance().create("Conv", all, &chosen), nullptr);
  EXPECT_EQ(chosen, Isa::Ref);  // no x86 kernel is registered
#else
  EXPECT_TRUE(has(hostIsas(), chosen));
#endif
}

}  // namespace
}  // namespace edgec::rt
