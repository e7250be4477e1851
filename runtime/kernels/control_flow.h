// Control-flow kernels (If, Scan, Loop) call functions of the package: the branches and loop
// bodies the compiler outlined from ONNX subgraphs. The session gives them a
// FunctionCaller before prepare; a kernel copies values into the callee's input
// tensors, calls it (its kernels run over the callee's own arena) and copies the
// callee's outputs out. Copies keep every function's arena plan independent; they cost
// little next to the work of a branch or a loop step.
#pragma once

#include <string>
#include <vector>

#include "kernel.h"

namespace edgec::rt {

class FunctionCaller {
public:
  virtual ~FunctionCaller();
  // The index of the package function `name`; throws Error if there is none.
  virtual int findFunction(const std::string &name) const = 0;
  // The callee's input and output tensors (its own; shapes and dtypes are final at load).
  virtual std::vector<TensorView *> functionInputs(int function) = 0;
  virtual std::vector<TensorView *> functionOutputs(int function) = 0;
  // Runs every kernel of `function` in order, on the caller's threads and scratch.
  virtual void callFunction(int function, const RunContext &ctx) = 0;
  // Packages with dynamic shapes: a call passes values of other sizes than the callee
  // was compiled for (up to them). Sets the callee's input `index` to `shape` before its
  // data is copied in; throws Error if that does not fit the callee's planned bytes. The
  // callee's shapes then follow when it is called, and the caller takes its outputs'.
  virtual bool dynamicShapes() const = 0;
  virtual void setFunctionInputShape(int function, size_t index, const std::vector<int64_t> &shape) = 0;
};

class ControlFlowKernel : public Kernel {
public:
  ~ControlFlowKernel() override;
  void bind(FunctionCaller *caller) { caller_ = caller; }

protected:
  // The function named by string attribute `attr`, checked against the values the
  // kernel will copy in and out (same dtypes and shapes, in order; with dynamic shapes,
  // same dtypes and ranks: the sizes are set on every call).
  int resolve(const KernelSignature &sig, const char *attr, const std::vector<const TensorView *> &in,
              const std::vector<const TensorView *> &out) const;
  FunctionCaller *caller_ = nullptr;
};

void registerControlFlowKernels(KernelRegistry &r);  // If, Scan, Loop

}  // namespace edgec::rt
