// If, Scan and Loop: the kernels that call package functions (control_flow.h).
#include "control_flow.h"

#include <cstring>
#include <limits>

namespace edgec::rt {

FunctionCaller::~FunctionCaller() = default;
ControlFlowKernel::~ControlFlowKernel() = default;

namespace {
std::string describe(const TensorView &t) {
  std::string s = std::string(dtypeName(t.dtype)) + "[";
  for (size_t i = 0; i < t.shape.size(); ++i) s += (i ? "," : "") + std::to_string(t.shape[i]);
  return s + "]";
}

void copyTensor(TensorView &dst, const TensorView &src) {
  if (size_t n = src.nbytes()) std::memcpy(dst.data, src.data, n);
}

// Slice `index` of `whole` along `axis`, copied to (or, with `into`, from) the
// contiguous `slice`: outer rows of `inner` bytes, one per index of the dims before axis.
void copySlice(const TensorView &whole, int64_t axis, int64_t index, uint8_t *slice, bool into) {
  int64_t outer = 1, inner = int64_t(dtypeSize(whole.dtype));
  for (int64_t d = 0; d < axis; ++d) outer *= whole.shape[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < whole.shape.size(); ++d) inner *= whole.shape[d];
  const int64_t len = whole.shape[size_t(axis)];
  auto *base = static_cast<uint8_t *>(whole.data);
  for (int64_t o = 0; o < outer; ++o) {
    uint8_t *row = base + (o * len + index) * inner;
    if (into)
      std::memcpy(row, slice + o * inner, size_t(inner));
    else
      std::memcpy(slice + o * inner, row, size_t(inner));
  }
}

// A view with `t`'s dtype and its shape without `axis` (no data): a slice's type.
TensorView sliceOf(const TensorView &t, int64_t axis) {
  TensorView s;
  s.dtype = t.dtype;
  s.shape = t.shape;
  s.shape.erase(s.shape.begin() + axis);
  return s;
}

class IfKernel : public ControlFlowKernel {
public:
  void prepare(const KernelSignature &sig) override {
    if (sig.inputs.empty() || !sig.inputs[0] || sig.inputs[0]->dtype != DType::bool_ || sig.inputs[0]->numel() != 1)
      kernelFail(sig, "cond must be one bool element");
    std::vector<const TensorView *> in(sig.inputs.begin() + 1, sig.inputs.end());
    std::vector<const TensorView *> out(sig.outputs.begin(), sig.outputs.end());
    then_ = resolve(sig, "then_branch", in, out);
    else_ = resolve(sig, "else_branch", in, out);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &inputs,
           const std::vector<TensorView *> &outputs) override {
    const int f = *inputs[0]->as<uint8_t>() ? then_ : else_;
    std::vector<TensorView *> fin = caller_->functionInputs(f), fout = caller_->functionOutputs(f);
    const bool dynamic = caller_->dynamicShapes();
    for (size_t i = 0; i < fin.size(); ++i) {
      if (dynamic) caller_->setFunctionInputShape(f, i, inputs[i + 1]->shape);
      copyTensor(*fin[i], *inputs[i + 1]);
    }
    caller_->callFunction(f, ctx);
    for (size_t j = 0; j < fout.size(); ++j) {
      if (dynamic) outputs[j]->shape = fout[j]->shape;
      copyTensor(*outputs[j], *fout[j]);
    }
  }

private:
  int then_ = -1, else_ = -1;
};

class ScanKernel : public ControlFlowKernel {
public:
  void prepare(const KernelSignature &sig) override {
    node_ = sig.op + " node '" + sig.node + "'";
    states_ = sig.attrs.i("num_states");
    scans_ = sig.attrs.i("num_scan_inputs");
    inAxes_ = sig.attrs.ints("scan_input_axes");
    inDirs_ = sig.attrs.ints("scan_input_directions");
    outAxes_ = sig.attrs.ints("scan_output_axes");
    outDirs_ = sig.attrs.ints("scan_output_directions");
    const int64_t outs = int64_t(sig.outputs.size()) - states_;
    if (states_ < 0 || scans_ < 1 || states_ + scans_ > int64_t(sig.inputs.size()) || outs < 0 ||
        int64_t(inAxes_.size()) != scans_ || int64_t(inDirs_.size()) != scans_ || int64_t(outAxes_.size()) != outs ||
        int64_t(outDirs_.size()) != outs)
      kernelFail(sig, "inconsistent state, scan input and scan output counts");
    // The body's arguments and results as this call will copy them.
    std::vector<TensorView> slices;
    slices.reserve(sig.inputs.size() + sig.outputs.size());
    std::vector<const TensorView *> in, out;
    length_ = -1;
    for (size_t i = 0; i < sig.inputs.size(); ++i) {
      const TensorView *t = sig.inputs[i];
      if (!t) kernelFail(sig, "input " + std::to_string(i) + " is missing");
      if (dtypeSize(t->dtype) == 0) kernelFail(sig, std::string(dtypeName(t->dtype)) + " tensors are not supported");
      const int64_t s = int64_t(i) - states_;
      if (s < 0 || s >= scans_) {
        in.push_back(t);
        continue;
      }
      const int64_t axis = inAxes_[size_t(s)];
      if (axis < 0 || axis >= t->rank()) kernelFail(sig, "scan input axis " + std::to_string(axis) + " is out of range");
      if (length_ >= 0 && t->shape[size_t(axis)] != length_) kernelFail(sig, "scan inputs differ in length");
      length_ = t->shape[size_t(axis)];
      slices.push_back(sliceOf(*t, axis));
      in.push_back(&slices.back());
    }
    for (size_t j = 0; j < sig.outputs.size(); ++j) {
      const TensorView *t = sig.outputs[j];
      const int64_t k = int64_t(j) - states_;
      if (k < 0) {
        out.push_back(t);
        continue;
      }
      const int64_t axis = outAxes_[size_t(k)];
      // With dynamic shapes the length is the run's (the output is at its capacity here).
      if (axis < 0 || axis >= t->rank() || (!(caller_ && caller_->dynamicShapes()) && t->shape[size_t(axis)] != length_))
        kernelFail(sig, "scan output " + std::to_string(k) + " " + describe(*t) + " does not stack " +
                            std::to_string(length_) + " slices along axis " + std::to_string(axis));
      slices.push_back(sliceOf(*t, axis));
      out.push_back(&slices.back());
    }
    body_ = resolve(sig, "body", in, out);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &inputs,
           const std::vector<TensorView *> &outputs) override {
    std::vector<TensorView *> fin = caller_->functionInputs(body_), fout = caller_->functionOutputs(body_);
    const size_t n = size_t(states_), m = size_t(scans_);
    // With dynamic shapes the run's inputs give the length and the body's sizes.
    const bool dynamic = caller_->dynamicShapes();
    int64_t length = length_;
    if (dynamic) {
      length = inputs[n]->shape[size_t(inAxes_[0])];
      for (size_t s = 1; s < m; ++s)
        if (inputs[n + s]->shape[size_t(inAxes_[s])] != length)
          throw Error(node_ + ": scan inputs differ in length (" + std::to_string(length) + " and " +
                      std::to_string(inputs[n + s]->shape[size_t(inAxes_[s])]) + ")");
      for (size_t i = 0; i < fin.size(); ++i)
        caller_->setFunctionInputShape(body_, i, i >= n && i < n + m ? sliceOf(*inputs[i], inAxes_[i - n]).shape
                                                                      : inputs[i]->shape);
    }
    // The states live in the body's own input tensors from step to step; the captured
    // values are copied once.
    for (size_t i = 0; i < fin.size(); ++i)
      if (i < n || i >= n + m) copyTensor(*fin[i], *inputs[i]);
    for (int64_t t = 0; t < length; ++t) {
      for (size_t s = 0; s < m; ++s) {
        const int64_t index = inDirs_[s] ? length - 1 - t : t;
        copySlice(*inputs[n + s], inAxes_[s], index, static_cast<uint8_t *>(fin[n + s]->data), false);
      }
      caller_->callFunction(body_, ctx);
      if (dynamic && t == 0) stackShapes(fout, outputs, length);
      for (size_t i = 0; i < n; ++i) copyTensor(*fin[i], *fout[i]);
      for (size_t k = 0; k + n < outputs.size(); ++k) {
        const int64_t index = outDirs_[k] ? length - 1 - t : t;
        copySlice(*outputs[n + k], outAxes_[k], index, static_cast<uint8_t *>(fout[n + k]->data), true);
      }
    }
    if (dynamic && length == 0) stackShapes(fout, outputs, 0);
    for (size_t i = 0; i < n; ++i) {
      if (dynamic) outputs[i]->shape = fin[i]->shape;
      copyTensor(*outputs[i], *fin[i]);
    }
  }

private:
  // The scan outputs' shapes: the body's slices stacked `length` deep along their axes.
  void stackShapes(const std::vector<TensorView *> &fout, const std::vector<TensorView *> &outputs, int64_t length) {
    for (size_t k = 0; k + size_t(states_) < outputs.size(); ++k) {
      std::vector<int64_t> shape = fout[size_t(states_) + k]->shape;
      shape.insert(shape.begin() + outAxes_[k], length);
      outputs[size_t(states_) + k]->shape = shape;
    }
  }
  std::string node_;
  int64_t states_ = 0, scans_ = 0, length_ = 0;
  std::vector<int64_t> inAxes_, inDirs_, outAxes_, outDirs_;
  int body_ = -1;
};
// Loop: the body runs while the trip count and its condition allow. Scan outputs are
// planned at their capacity; the run sets their leading dim to the iterations it made
// (the data-dependent kernel contract, kernel.h).
class LoopKernel : public ControlFlowKernel {
public:
  void prepare(const KernelSignature &sig) override {
    node_ = sig.op + " node '" + sig.node + "'";
    carried_ = sig.attrs.i("num_carried");
    if (sig.inputs.size() < 2 || carried_ < 0 || 2 + carried_ > int64_t(sig.inputs.size()) ||
        carried_ > int64_t(sig.outputs.size()))
      kernelFail(sig, "inconsistent loop-carried value counts");
    if (const TensorView *m = sig.inputs[0]; m && (m->dtype != DType::i64 || m->numel() != 1))
      kernelFail(sig, "M (the trip count) must be one int64");
    if (const TensorView *c = sig.inputs[1]; c && (c->dtype != DType::bool_ || c->numel() != 1))
      kernelFail(sig, "cond must be one bool");
    if (!caller_) kernelFail(sig, "needs a session to call package functions");
    const int body = caller_->findFunction(sig.attrs.s("body"));
    const std::vector<TensorView *> results = caller_->functionOutputs(body);
    if (results.empty() || results[0]->dtype != DType::bool_ || results[0]->numel() != 1)
      kernelFail(sig, "the body must return the next condition (one bool) first");
    // The body's arguments and results as the kernel copies them.
    std::vector<TensorView> fixed(2 + sig.outputs.size());
    fixed[0].dtype = DType::i64;
    fixed[1].dtype = DType::bool_;
    std::vector<const TensorView *> in{&fixed[0], &fixed[1]}, out{results[0]};
    for (size_t i = 2; i < sig.inputs.size(); ++i) {
      if (!sig.inputs[i]) kernelFail(sig, "input " + std::to_string(i) + " is missing");
      in.push_back(sig.inputs[i]);
    }
    sliceBytes_.clear();
    capacity_ = -1;
    for (size_t j = 0; j < sig.outputs.size(); ++j) {
      const TensorView *t = sig.outputs[j];
      if (dtypeSize(t->dtype) == 0) kernelFail(sig, std::string(dtypeName(t->dtype)) + " tensors are not supported");
      if (int64_t(j) < carried_) {
        out.push_back(t);
        continue;
      }
      if (t->rank() < 1) kernelFail(sig, "scan output " + describe(*t) + " has no axis to stack slices along");
      if (capacity_ >= 0 && t->shape[0] != capacity_) kernelFail(sig, "scan outputs differ in capacity");
      capacity_ = t->shape[0];
      fixed[2 + j] = sliceOf(*t, 0);
      out.push_back(&fixed[2 + j]);
      sliceBytes_.push_back(fixed[2 + j].nbytes());
    }
    body_ = resolve(sig, "body", in, out);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &inputs,
           const std::vector<TensorView *> &outputs) override {
    std::vector<TensorView *> fin = caller_->functionInputs(body_), fout = caller_->functionOutputs(body_);
    const size_t n = size_t(carried_);
    const bool dynamic = caller_->dynamicShapes();
    // The carried values live in the body's own input tensors from step to step; the
    // captured values are copied once.
    for (size_t i = 2; i < fin.size(); ++i) {
      if (dynamic) caller_->setFunctionInputShape(body_, i, inputs[i]->shape);
      copyTensor(*fin[i], *inputs[i]);
    }
    const int64_t trips = inputs[0] ? *inputs[0]->as<int64_t>() : std::numeric_limits<int64_t>::max();
    bool go = inputs[1] ? *inputs[1]->as<uint8_t>() != 0 : true;
    int64_t i = 0;
    for (; i < trips && go; ++i) {
      if (!sliceBytes_.empty() && i >= capacity_)
        throw Error(node_ + ": iteration " + std::to_string(i + 1) + " would stack more scan-output slices than the " +
                    std::to_string(capacity_) + " the package was compiled for (the constant trip count, or the "
                    "size the model declares for the scan outputs)");
      *fin[0]->as<int64_t>() = i;
      *fin[1]->as<uint8_t>() = go ? 1 : 0;
      caller_->callFunction(body_, ctx);
      go = *fout[0]->as<uint8_t>() != 0;
      for (size_t c = 0; c < n; ++c) copyTensor(*fin[2 + c], *fout[1 + c]);
      for (size_t k = 0; k < sliceBytes_.size(); ++k) {
        TensorView &slice = *fout[1 + n + k];
        if (dynamic && i == 0) {  // the slices' shape of this run
          std::vector<int64_t> shape{capacity_};
          shape.insert(shape.end(), slice.shape.begin(), slice.shape.end());
          outputs[n + k]->shape = shape;
          sliceBytes_[k] = slice.nbytes();
        }
        if (sliceBytes_[k])
          std::memcpy(static_cast<uint8_t *>(outputs[n + k]->data) + size_t(i) * sliceBytes_[k], slice.data,
                      sliceBytes_[k]);
      }
    }
    for (size_t c = 0; c < n; ++c) {
      if (dynamic) outputs[c]->shape = fin[2 + c]->shape;
      copyTensor(*outputs[c], *fin[2 + c]);
    }
    for (size_t k = n; k < outputs.size(); ++k) outputs[k]->shape[0] = i;
  }

private:
  std::string node_;
  int64_t carried_ = 0, capacity_ = 0;
  std::vector<size_t> sliceBytes_;
  int body_ = -1;
};
}  // namespace

int ControlFlowKernel::resolve(const KernelSignature &sig, const char *attr, const std::vector<const TensorView *> &in,
                               const std::vector<const TensorView *> &out) const {
  if (!caller_) kernelFail(sig, "needs a session to call package functions");
  const std::string name = sig.attrs.s(attr);
  const int f = caller_->findFunction(name);
  std::vector<TensorView *> fin = caller_->functionInputs(f), fout = caller_->functionOutputs(f);
  if (fin.size() != in.size() || fout.size() != out.size())
    kernelFail(sig, "function '" + name + "' takes " + std::to_string(fin.size()) + " inputs and returns " +
                        std::to_string(fout.size()) + ", the call passes " + std::to_string(in.size()) + " and expects " +
                        std::to_string(out.size()));
  const bool dynamic = caller_->dynamicShapes();
  auto check = [&](const TensorView &callee, const TensorView &here, const std::string &what) {
    if (callee.dtype != here.dtype || (dynamic ? callee.rank() != here.rank() : callee.shape != here.shape))
      kernelFail(sig, what + " of function '" + name + "' is " + describe(callee) + ", the call has " + describe(here));
  };
  for (size_t i = 0; i < in.size(); ++i) check(*fin[i], *in[i], "input " + std::to_string(i));
  for (size_t j = 0; j < out.size(); ++j) check(*fout[j], *out[j], "output " + std::to_string(j));
  return f;
}

void registerControlFlowKernels(KernelRegistry &r) {
  r.add<IfKernel>("If", Isa::Ref);
  r.add<ScanKernel>("Scan", Isa::Ref);
  r.add<LoopKernel>("Loop", Isa::Ref);
}

}  // namespace edgec::rt
