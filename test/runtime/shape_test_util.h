// Calls a shape function the way the session does (shape_inference.h), for tests.
#pragma once

#include <string>
#include <vector>

#include "kernel_test_util.h"
#include "shape_inference.h"

namespace edgec::rt::testing {

// The output shapes `op` gives for inputs of these shapes; `compiled` are the outputs'
// shapes as compiled (ranks, fixed dims, capacities).
inline std::vector<Shape> inferShapesFor(const std::string &op, std::vector<Shape> inputs,
                                         std::vector<Shape> compiled, AttrList *attrs = nullptr) {
  std::vector<TensorView> in(inputs.size()), out(compiled.size());
  KernelSignature sig;
  sig.op = op;
  sig.node = "n";
  if (attrs) sig.attrs = attrs->attrs();
  for (size_t i = 0; i < inputs.size(); ++i) {
    in[i].shape = inputs[i];
    sig.inputs.push_back(&in[i]);
  }
  for (size_t i = 0; i < compiled.size(); ++i) {
    out[i].shape = compiled[i];
    sig.outputs.push_back(&out[i]);
  }
  return inferOutputShapes(sig);
}

}  // namespace edgec::rt::testing
