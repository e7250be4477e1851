// The bridge between edge ops and the runtime's kernels, used by the host target (to
// write kernel calls into a plan) and by constant folding (to run the shipped reference
// kernels in-process, so folded values are exactly what the device would compute).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "edgepkg_generated.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

namespace edgec {

// Kernel family of an edge op (the ONNX spelling; "Copy" for reshapes).
std::string kernelName(mlir::Operation *op);

// The op's operands in kernel order, with nullptr for absent optional operands.
std::vector<mlir::Value> kernelInputs(mlir::Operation *op);

std::optional<pkg::DType> packageDType(mlir::Type elementType);

// The op's attributes as plan attributes (sorted by name, as the schema requires).
mlir::LogicalResult encodeKernelAttrs(mlir::Operation *op, flatbuffers::FlatBufferBuilder &fbb,
                                      flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<pkg::Attr>>> &out);

// Runs `op` on its constant operands with the runtime's reference kernel and returns
// one attribute per result; failure if an operand is not constant or the kernel
// rejects the op (nothing is emitted: the op is simply left alone).
mlir::FailureOr<std::vector<mlir::ElementsAttr>> evaluateOnKernels(mlir::Operation *op);

}  // namespace edgec
