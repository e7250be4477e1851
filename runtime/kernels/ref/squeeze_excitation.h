// SqueezeExcitation (the op edge-fuse-squeeze-excitation creates): the plan that the ref
// kernel (ref/squeeze_excitation.cpp) and the x86 one (x86/squeeze_excitation_avx2.cpp)
// share. Plain data and out-of-line functions, so the ISA file includes nothing inline
// from ref/. The pooling is GlobalAveragePool's `planeMean` (ref/plans.h).
#pragma once

#include <cstdint>

#include "kernel.h"
#include "ref/plans.h"

namespace edgec::rt::ref {

struct SqueezeExcitationPlan {
  int64_t N = 0, C = 0, C1 = 0;  // batch, channels, reduced channels
  int64_t plane = 0;             // elements per [n, c] plane (the product of D...)
  Activation act;                // the reduce Conv's epilogue
  bool hardSigmoidGate = false;  // else Sigmoid
  float gateAlpha = 0.2f, gateBeta = 0.5f;
};

// Validates a SqueezeExcitation call (inputs X [N, C, D...], W1 [C1, C, 1...], B1 [C1],
// W2 [C, C1, 1...], B2 [C]; f32; output X's shape) and plans it.
void parseSqueezeExcitation(const KernelSignature &sig, SqueezeExcitationPlan *p);

}  // namespace edgec::rt::ref
