// Output shapes from input shapes, for packages with dynamic dims.
//
// A dynamic package is planned for each dim's upper bound; on a run with smaller inputs
// the session asks these functions, kernel by kernel, for the shapes the outputs take,
// then re-prepares the kernels whose shapes changed. One function per op family (not
// per ISA: every implementation of an op computes the same shapes). Only ops whose
// attributes do not depend on the input's size have one; the compiler refuses a dynamic
// dim that reaches any other op (it checks these functions against its own shapes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernel.h"

namespace edgec::rt {

using Shape = std::vector<int64_t>;

// The shapes of `sig`'s outputs for the shapes its inputs have now (`sig.outputs` hold
// the compiled shapes, which give ranks and fixed dims). Throws Error naming the node if
// the op has no shape function or the inputs do not fit together.
std::vector<Shape> inferOutputShapes(const KernelSignature &sig);

// Whether `op` has a shape function.
bool hasShapeFunction(const std::string &op);

// Whether the call's output shapes depend on its inputs' values (Range's limit, a run-time
// Expand target, Slice's run-time starts, Tile's run-time repeats, Pad's run-time pads):
// its shapes are then computed on every run, right before it runs, when the kernels
// before it have written those values.
bool shapeNeedsValues(const KernelSignature &sig);

// Ops whose output sizes depend on their input values (NonZero, Compress, Unique,
// NonMaxSuppression, a Loop's scan outputs): their shape function gives the capacity; the
// kernel sets the actual shapes when it runs.
bool shapeIsDataDependent(const std::string &op);

// Ops whose shapes a dynamic package can vary ("Add", "Conv", ...), sorted.
std::vector<std::string> shapeFunctionOps();

std::string shapeText(const Shape &shape);  // "[1,3,224,224]"

}  // namespace edgec::rt
