// Indicative kernel timings for the x86 f32 kernel tests' DISABLED_Speed cases (run them
// with --gtest_also_run_disabled_tests): the median wall time of `reps` runs of one
// prepared kernel, on the calling thread. Shared VMs make the figures noisy; they are
// what runtime/kernels/README.md quotes as indicative speedups.
#pragma once

#include <algorithm>
#include <chrono>

#include "kernel_test_util.h"

namespace edgec::rt::testing {

inline double medianMicros(const std::string &op, const std::vector<Tensor *> &inputs, Tensor &out, AttrList &attrs,
                           const std::vector<Isa> &isas, int reps = 21) {
  KernelSignature sig;
  sig.op = op;
  sig.node = "timing";
  sig.attrs = attrs.attrs();
  std::vector<const TensorView *> in;
  for (Tensor *t : inputs) {
    sig.inputs.push_back(&t->view());
    sig.input_is_constant.push_back(false);
    in.push_back(&t->view());
  }
  sig.outputs.push_back(&out.view());
  std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, isas);
  k->prepare(sig);
  std::vector<uint8_t> scratch(k->scratchBytes() + 64);
  RunContext ctx;
  ctx.scratch = reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) / 64 * 64);
  ctx.scratchStride = (k->scratchBytes() + 63) / 64 * 64;
  const std::vector<TensorView *> outs = {&out.view()};
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    k->run(ctx, in, outs);
    t.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace edgec::rt::testing
