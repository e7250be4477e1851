// Dynamic shapes in a session: input shapes chosen per run (up to the compiled bounds),
// every tensor's shape computed from them kernel by kernel, and the kernels whose
// shapes changed prepared again. The arena stays as planned for the bounds, so a smaller
// run reuses every tensor's place.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>

#include "edgec/package_format.h"
#include "model.h"
#include "shape_inference.h"

namespace edgec::rt {

namespace {
// Prepared kernels kept per call for shapes other than the current one: a few, so that
// alternating between shapes (two image sizes, a prompt and its tail) costs no prepare.
constexpr size_t kPreparedPerCall = 4;

std::string tensorName(const pkg::Package &p, int32_t t) {
  const pkg::Tensor *tensor = p.tensors()->Get(uint32_t(t));
  return tensor->name() ? tensor->name()->str() : "#" + std::to_string(t);
}
}  // namespace

// Shapes are computed in kernel order; a view (a reshape, no kernel) right before the
// first kernel that reads it, its source's shape being known by then.
void Session::planShapeSteps(Function &function, int index) {
  const auto &tensors = *model_.plan().tensors();
  std::vector<bool> placed(views_.size(), false);
  std::vector<int64_t> &steps = function.shapeSteps;
  std::function<void(int32_t)> need = [&](int32_t t) {
    if (t < 0 || placed[size_t(t)]) return;
    placed[size_t(t)] = true;
    const int32_t source = tensors[uint32_t(t)]->view_of();
    if (source < 0) return;
    need(source);
    steps.push_back(-1 - int64_t(t));
  };
  for (size_t c = 0; c < function.calls.size(); ++c) {
    function.calls[c].dataDependent = shapeIsDataDependent(function.calls[c].op);
    function.calls[c].shapesReadValues =
        shapeNeedsValues(function.calls[c].sig) || function.calls[c].dataDependent;
    function.valueShapes |= function.calls[c].shapesReadValues;
    for (const TensorView *v : function.calls[c].sig.inputs)
      if (v) need(int32_t(v - views_.data()));
    steps.push_back(int64_t(c));
    for (int32_t t : function.calls[c].outputTensors) placed[size_t(t)] = true;
  }
  if (const auto *outputs = model_.function(index).outputs())
    for (int32_t t : *outputs) need(t);
}

void Session::resolveView(int32_t tensor) {
  const pkg::Package &p = model_.plan();
  const pkg::Tensor *t = p.tensors()->Get(uint32_t(tensor));
  const TensorView &source = views_[size_t(t->view_of())];
  std::vector<int64_t> shape;
  int64_t known = 1, inferred = -1;
  const std::vector<int64_t> rules = t->view_shape() ? std::vector<int64_t>(t->view_shape()->begin(), t->view_shape()->end())
                                                     : std::vector<int64_t>{};  // a scalar's
  for (int64_t rule : rules) {
    const int64_t dim = rule >= 0 ? rule : rule == -1 ? 0 : source.shape[size_t(-2 - rule)];
    if (rule == -1) inferred = int64_t(shape.size());
    else known *= dim;
    shape.push_back(dim);
  }
  const int64_t total = source.numel();
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      throw Error("tensor '" + tensorName(p, tensor) + "' (a reshape of '" + tensorName(p, t->view_of()) + "', shape " +
                  shapeText(source.shape) + "): its other dims do not divide the source's elements");
    shape[size_t(inferred)] = total / known;
  }
  TensorView &view = views_[size_t(tensor)];
  TensorView probe = view;
  probe.shape = shape;
  if (probe.numel() != total)
    throw Error("tensor '" + tensorName(p, tensor) + "' (a reshape of '" + tensorName(p, t->view_of()) + "'): shape " +
                shapeText(shape) + " does not hold the source's " + shapeText(source.shape) +
                ": its shape was fixed when it was compiled");
  view.shape = std::move(shape);
}

void Session::setInputShape(int32_t index, const std::vector<int64_t> &shape) {
  const pkg::Function &f = model_.function(selected_);
  const auto *inputs = f.inputs();
  if (!inputs || index < 0 || uint32_t(index) >= inputs->size())
    throw Error("input index " + std::to_string(index) + " is out of range for function '" + f.name()->str() + "'");
  const int32_t t = inputs->Get(uint32_t(index));
  const std::string name = tensorName(model_.plan(), t);
  const std::vector<int64_t> &bound = model_.shape(t);
  const std::vector<int32_t> &symbols = model_.dimSymbols(t);
  if (shape.size() != bound.size())
    throw Error("input '" + name + "' has rank " + std::to_string(bound.size()) + ", not " + std::to_string(shape.size()));
  for (size_t d = 0; d < shape.size(); ++d) {
    const bool dynamic = !symbols.empty() && symbols[d] != -1;
    if (!dynamic && shape[d] != bound[d])
      throw Error("input '" + name + "' expects shape " + shapeText(bound) + (symbols.empty() ? "" : " in its fixed dims") +
                  ", not " + shapeText(shape));
    if (dynamic && (shape[d] < 1 || shape[d] > bound[d])) {
      const auto *sym = symbols[d] >= 0 ? model_.plan().dim_symbols()->Get(uint32_t(symbols[d])) : nullptr;
      throw Error("input '" + name + "' dim " + std::to_string(d) + (sym ? " ('" + sym->name()->str() + "')" : "") +
                  " is " + std::to_string(shape[d]) + ", outside 1.." + std::to_string(bound[d]) +
                  ", the range the package was compiled for (edgec compile --dim-bound)");
    }
  }
  TensorView &v = views_[size_t(t)];
  if (v.shape == shape) return;
  v.shape = shape;
  functions_[size_t(selected_)].shapesStale = true;
}

// The dims of each symbol agree across the selected function's inputs.
void Session::checkSymbols() {
  const pkg::Package &p = model_.plan();
  std::map<int32_t, std::pair<int64_t, int32_t>> symbolValue;  // symbol -> (value, input tensor)
  if (const auto *inputs = model_.function(selected_).inputs())
    for (int32_t t : *inputs) {
      const std::vector<int32_t> &symbols = model_.dimSymbols(t);
      for (size_t d = 0; d < symbols.size(); ++d) {
        if (symbols[d] < 0) continue;
        const int64_t value = views_[size_t(t)].shape[d];
        auto [it, fresh] = symbolValue.emplace(symbols[d], std::make_pair(value, t));
        if (!fresh && it->second.first != value)
          throw Error("dim '" + p.dim_symbols()->Get(uint32_t(symbols[d]))->name()->str() + "' is " +
                      std::to_string(it->second.first) + " in input '" + tensorName(p, it->second.second) + "' but " +
                      std::to_string(value) + " in input '" + tensorName(p, t) + "'");
      }
    }
}

// One kernel call's output shapes for its inputs' current shapes (and values, for the
// calls that read them), and the kernel prepared for them: kept from an earlier run with
// the same shapes (keyed by input and output shapes), or prepared now.
void Session::resolveCall(Call &call) {
  // Back to the capacity for the current inputs (its last run set the sizes it found), so
  // that the kernel prepared for that capacity is kept. Its shape function sees the
  // compiled shapes, as every shape function does (a Loop's capacity is its compiled one).
  if (call.dataDependent) {
    for (int32_t t : call.outputTensors) views_[size_t(t)].shape = model_.shape(t);
    const std::vector<Shape> capacity = inferOutputShapes(call.sig);
    for (size_t o = 0; o < capacity.size(); ++o) views_[size_t(call.outputTensors[o])].shape = capacity[o];
  }
  // Checked on every run of a function whose shapes depend on values: without allocating.
  bool same = !call.shapesReadValues && call.preparedShapes.size() == call.sig.inputs.size();
  for (size_t i = 0; same && i < call.sig.inputs.size(); ++i)
    same = call.sig.inputs[i] ? call.sig.inputs[i]->shape == call.preparedShapes[i] : call.preparedShapes[i].empty();
  if (same) return;  // its outputs keep the shapes computed for these
  const pkg::Package &p = model_.plan();
  std::vector<std::vector<int64_t>> inputs;
  for (const TensorView *v : call.sig.inputs) inputs.push_back(v ? v->shape : std::vector<int64_t>{});
  const std::vector<Shape> outputs = inferOutputShapes(call.sig);
  std::vector<std::vector<int64_t>> previous = call.preparedShapes;  // the current kernel's key
  for (size_t o = 0; o < outputs.size(); ++o) {
    const int32_t t = call.outputTensors[o];
    TensorView next = views_[size_t(t)];
    next.shape = outputs[o];
    if (next.nbytes() > p.tensors()->Get(uint32_t(t))->size())
      throw Error(call.op + " node '" + call.node + "': output '" + tensorName(p, t) + "' takes shape " +
                  shapeText(outputs[o]) + ", larger than the " + shapeText(model_.shape(t)) +
                  " the package was compiled for");
    previous.push_back(views_[size_t(t)].shape);
  }
  std::vector<std::vector<int64_t>> key = inputs;
  key.insert(key.end(), outputs.begin(), outputs.end());
  if (key == previous) return;  // values that give the same shapes
  for (size_t o = 0; o < outputs.size(); ++o) views_[size_t(call.outputTensors[o])].shape = outputs[o];
  auto cached = std::find_if(call.prepared.begin(), call.prepared.end(),
                             [&](const auto &entry) { return entry.first == key; });
  std::unique_ptr<Kernel> current = std::move(call.kernel);
  if (cached != call.prepared.end()) {
    call.kernel = std::move(cached->second);
    call.prepared.erase(cached);
    bindLayoutInputs(call, *call.kernel);
    call.preparedShapes = inputs;
  } else {
    try {
      prepareCall(call);  // sets preparedShapes to the inputs' shapes
    } catch (...) {  // keep a working kernel (for the old shapes); the next run resolves again
      call.kernel = std::move(current);
      for (size_t o = 0; o < outputs.size(); ++o)
        views_[size_t(call.outputTensors[o])].shape = previous[inputs.size() + o];
      previous.resize(inputs.size());
      call.preparedShapes = previous;
      throw;
    }
  }
  call.prepared.emplace_back(std::move(previous), std::move(current));
  if (call.prepared.size() > kPreparedPerCall) call.prepared.erase(call.prepared.begin());
  growScratch(call.kernel->scratchBytes());
}

void Session::growScratch(size_t bytes) {
  if (bytes <= scratchStride_) return;
  const size_t stride = pkg::alignTo(bytes);
  const size_t total = stride * size_t(scratchRegions());
  void *memory = std::aligned_alloc(pkg::kAlignment, total);
  if (!memory) throw Error("out of memory allocating " + std::to_string(total) + " bytes of scratch");
  scratch_.reset(static_cast<uint8_t *>(memory));
  scratchStride_ = stride;
}

void Session::resolveShapes() {
  Function &function = functions_[size_t(selected_)];
  function.shapesStale = true;  // until every shape is resolved
  checkSymbols();
  for (int64_t step : function.shapeSteps) {
    if (step < 0) resolveView(int32_t(-1 - step));
    else if (!function.valueShapes) resolveCall(function.calls[size_t(step)]);
    else break;  // shapes past a call that reads values are known only when running
  }
  function.shapesStale = function.valueShapes;
}

// A function whose shapes depend on values: each call's shapes right before it runs.
void Session::runResolvingShapes(const RunContext &context) {
  checkSymbols();
  runFunctionResolving(functions_[size_t(selected_)], context, true);
}

void Session::runFunctionResolving(Function &function, const RunContext &context, bool observe) {
  for (int64_t step : function.shapeSteps) {
    if (step < 0) {
      resolveView(int32_t(-1 - step));
      continue;
    }
    Call &c = function.calls[size_t(step)];
    resolveCall(c);
    RunContext ctx = context;
    ctx.scratch = scratch_.get();
    ctx.scratchStride = scratchStride_;
    ctx.sharedScratch = sharedScratch();
    const auto start = std::chrono::steady_clock::now();
    c.kernel->run(ctx, c.inputs, c.outputs);
    if (profiling_ && observe) {
      c.totalMs += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      ++c.runs;
    }
    if (observer_ && observe) observer_(c, size_t(step));
  }
}

// A control-flow call passes a value of the run's size (dynamic shapes): the callee's
// input takes it, within the bytes planned for the callee's bound.
void Session::setFunctionInputShape(int function, size_t index, const std::vector<int64_t> &shape) {
  const pkg::Function &f = model_.function(function);
  if (!f.inputs() || index >= f.inputs()->size())
    throw Error("function '" + f.name()->str() + "' has no input " + std::to_string(index));
  const int32_t t = f.inputs()->Get(uint32_t(index));
  TensorView probe = views_[size_t(t)];
  probe.shape = shape;
  if (probe.nbytes() > model_.plan().tensors()->Get(uint32_t(t))->size())
    throw Error("function '" + f.name()->str() + "': input '" + tensorName(model_.plan(), t) + "' takes shape " +
                shapeText(shape) + ", larger than the " + shapeText(model_.shape(t)) + " it was compiled for");
  views_[size_t(t)].shape = shape;
}

}  // namespace edgec::rt
