// DynamicQuantizedMatMul's validation and plan (ref/dynamic_quant.cpp), shared by the ref
// kernel and the x86 ones (x86/qgemm_driver.inc), which must accept and refuse alike.
#pragma once
#include <cstdint>
#include <vector>

#include "kernel.h"

namespace edgec::rt::ref {

// input [..., K] f32, weight [K, N] i8 (zero point 0, per-tensor or per-column scales),
// optional bias [N] f32, output rows x N f32.
struct DynamicQuantPlan {
  int64_t K = 0, N = 0, rows = 0;
  bool hasBias = false;
  std::vector<float> scales;  // per column, the per-tensor scale repeated
};

// Validates the call (Error naming the node otherwise) and returns its plan.
DynamicQuantPlan prepareDynamicQuantMatMul(const KernelSignature &sig);

}  // namespace edgec::rt::ref
