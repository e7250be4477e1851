// The C API: exceptions stop here and become edgec_last_error() strings.
#include "edgec/runtime.h"

#include <new>
#include <string>

#include "edgec/dtype_table.h"
#include "model.h"

using edgec::rt::Error;
using edgec::rt::LoadedModel;
using edgec::rt::Session;

// The C enum mirrors the one dtype table (a gtest checks every row).
static_assert(EDGEC_I4 == 13 && EDGEC_U4 == 14 && EDGEC_Q4_0 == 32 && EDGEC_Q6_K == 41 && EDGEC_IQ4_XS == 43, "edgec_dtype values");

struct edgec_model {
  LoadedModel impl;
};
struct edgec_session {
  Session impl;
};

namespace {
thread_local std::string lastError;

template <typename F> edgec_status guard(F &&f) {
  try {
    f();
    return EDGEC_OK;
  } catch (const std::bad_alloc &) {
    lastError = "out of memory";
  } catch (const std::exception &e) {
    lastError = e.what();
  }
  return EDGEC_ERROR;
}

edgec_status tensorInfo(const edgec_model *m, const flatbuffers::Vector<int32_t> *refs, int32_t index,
                        edgec_tensor_info *info, const char *what) {
  return guard([&] {
    if (!m || !info) throw Error("null argument");
    if (!refs || index < 0 || uint32_t(index) >= refs->size())
      throw Error(std::string(what) + " index " + std::to_string(index) + " is out of range");
    int32_t t = refs->Get(index);
    const auto *tensor = m->impl.plan().tensors()->Get(t);
    info->name = tensor->name() ? tensor->name()->c_str() : "";
    info->dtype = static_cast<edgec_dtype>(tensor->dtype());
    info->rank = static_cast<int32_t>(m->impl.shape(t).size());
    info->shape = m->impl.shape(t).data();
    info->size_bytes = tensor->size();
  });
}
}  // namespace

namespace edgec::capi {
// The LLM C API (llm_c_api.cpp) reports its errors through the same thread-local text.
void setLastError(const std::string &message) { lastError = message; }
}  // namespace edgec::capi

extern "C" {

const char *edgec_last_error(void) { return lastError.c_str(); }

const char *edgec_dtype_name(edgec_dtype dtype) {
  const edgec::DTypeInfo *info = edgec::dtypeInfo(static_cast<unsigned>(dtype));
  return info ? info->name : "unknown";
}

edgec_status edgec_model_load(const char *path, edgec_model **out) {
  return guard([&] {
    if (!path || !out) throw Error("null argument");
    *out = nullptr;
    *out = new edgec_model{LoadedModel(path)};
  });
}

edgec_status edgec_model_load_with_options(const char *path, const edgec_load_options *options, edgec_model **out) {
  return guard([&] {
    if (!path || !out) throw Error("null argument");
    *out = nullptr;
    edgec::rt::LoadOptions o;
    if (options) {
      if (options->verify_constants != 0 && options->verify_constants != 1)
        throw Error("verify_constants must be 0 or 1, not " + std::to_string(options->verify_constants));
      o.verifyConstants = options->verify_constants == 1;
      if (options->residency < EDGEC_RESIDENCY_MAPPED || options->residency > EDGEC_RESIDENCY_COPIED)
        throw Error("residency must be EDGEC_RESIDENCY_MAPPED, _LOCKED or _COPIED (0-2), not " +
                    std::to_string(options->residency));
      o.residency = static_cast<edgec::rt::Residency>(options->residency);
    }
    *out = new edgec_model{LoadedModel(path, o)};
  });
}

edgec_status edgec_model_verify_constants(const edgec_model *model) {
  return guard([&] {
    if (!model) throw Error("null argument");
    model->impl.verifyConstants();
  });
}

void edgec_model_free(edgec_model *model) { delete model; }

const char *edgec_model_target(const edgec_model *m) { return m->impl.plan().target()->c_str(); }
const char *edgec_model_producer(const edgec_model *m) {
  return m->impl.plan().producer() ? m->impl.plan().producer()->c_str() : "";
}
size_t edgec_model_arena_bytes(const edgec_model *m) { return m->impl.plan().arena_size(); }
size_t edgec_model_constant_bytes(const edgec_model *m) { return m->impl.constantsSize(); }
int32_t edgec_model_num_required_features(const edgec_model *m) {
  auto *f = m->impl.plan().required_features();
  return f ? int32_t(f->size()) : 0;
}
const char *edgec_model_required_feature(const edgec_model *m, int32_t i) {
  auto *f = m->impl.plan().required_features();
  return (f && i >= 0 && uint32_t(i) < f->size()) ? f->Get(i)->c_str() : nullptr;
}
int32_t edgec_model_num_kernels(const edgec_model *m) { return int32_t(m->impl.main().kernels()->size()); }

int32_t edgec_model_num_functions(const edgec_model *m) { return m ? m->impl.numFunctions() : 0; }
const char *edgec_model_function_name(const edgec_model *m, int32_t f) {
  return (m && f >= 0 && f < m->impl.numFunctions()) ? m->impl.function(f).name()->c_str() : nullptr;
}
edgec_status edgec_model_find_function(const edgec_model *m, const char *name, int32_t *f) {
  return guard([&] {
    if (!m || !name || !f) throw Error("null argument");
    *f = m->impl.findFunction(name);
  });
}
static const edgec::pkg::Function *functionOf(const edgec_model *m, int32_t f) {
  return (m && f >= 0 && f < m->impl.numFunctions()) ? &m->impl.function(f) : nullptr;
}
int32_t edgec_model_function_num_inputs(const edgec_model *m, int32_t f) {
  const auto *fn = functionOf(m, f);
  return fn && fn->inputs() ? int32_t(fn->inputs()->size()) : 0;
}
int32_t edgec_model_function_num_outputs(const edgec_model *m, int32_t f) {
  const auto *fn = functionOf(m, f);
  return fn && fn->outputs() ? int32_t(fn->outputs()->size()) : 0;
}
// Inputs (or outputs) of function `f`: the default-function calls below use it too.
static edgec_status functionTensorInfo(const edgec_model *m, int32_t f, int32_t i, edgec_tensor_info *info,
                                       bool input) {
  if (!m) return tensorInfo(m, nullptr, i, info, input ? "input" : "output");  // "null argument"
  const auto *fn = functionOf(m, f);
  if (!fn) return guard([&] { throw Error("function index " + std::to_string(f) + " is out of range"); });
  return tensorInfo(m, input ? fn->inputs() : fn->outputs(), i, info, input ? "input" : "output");
}
edgec_status edgec_model_function_input_info(const edgec_model *m, int32_t f, int32_t i, edgec_tensor_info *info) {
  return functionTensorInfo(m, f, i, info, true);
}
edgec_status edgec_model_function_output_info(const edgec_model *m, int32_t f, int32_t i, edgec_tensor_info *info) {
  return functionTensorInfo(m, f, i, info, false);
}
const char *edgec_model_function_input_dim_name(const edgec_model *m, int32_t f, int32_t i, int32_t dim) {
  const auto *fn = m ? functionOf(m, f) : nullptr;
  if (!fn || !fn->inputs() || i < 0 || uint32_t(i) >= fn->inputs()->size()) return nullptr;
  const int32_t t = fn->inputs()->Get(uint32_t(i));
  const std::vector<int32_t> &symbols = m->impl.dimSymbols(t);
  if (dim < 0 || size_t(dim) >= symbols.size() || symbols[size_t(dim)] < 0) return nullptr;
  return m->impl.plan().dim_symbols()->Get(uint32_t(symbols[size_t(dim)]))->name()->c_str();
}
int32_t edgec_model_default_function(const edgec_model *m) { return m ? m->impl.defaultFunction() : 0; }
size_t edgec_model_state_bytes(const edgec_model *m) { return m ? m->impl.plan().state_size() : 0; }

int32_t edgec_model_num_inputs(const edgec_model *m) {
  return edgec_model_function_num_inputs(m, edgec_model_default_function(m));
}
int32_t edgec_model_num_outputs(const edgec_model *m) {
  return edgec_model_function_num_outputs(m, edgec_model_default_function(m));
}
edgec_status edgec_model_input_info(const edgec_model *m, int32_t i, edgec_tensor_info *info) {
  return functionTensorInfo(m, edgec_model_default_function(m), i, info, true);
}
edgec_status edgec_model_output_info(const edgec_model *m, int32_t i, edgec_tensor_info *info) {
  return functionTensorInfo(m, edgec_model_default_function(m), i, info, false);
}

edgec_status edgec_session_create(const edgec_model *model, edgec_session **out) {
  return edgec_session_create_with_options(model, nullptr, out);
}

edgec_status edgec_session_create_with_options(const edgec_model *model, const edgec_session_options *options,
                                               edgec_session **out) {
  return guard([&] {
    if (!model || !out) throw Error("null argument");
    *out = nullptr;
    edgec::rt::SessionOptions o;
    if (options) o.threads = options->num_threads;
    *out = new edgec_session{Session(model->impl, o)};
  });
}

int32_t edgec_session_num_threads(const edgec_session *s) { return s ? s->impl.threads() : 0; }

edgec_status edgec_session_select_function(edgec_session *s, int32_t function) {
  return guard([&] {
    if (!s) throw Error("null argument");
    s->impl.selectFunction(function);
  });
}

edgec_status edgec_session_reset_state(edgec_session *s) {
  return guard([&] {
    if (!s) throw Error("null argument");
    s->impl.resetState();
  });
}

void edgec_session_free(edgec_session *s) { delete s; }

edgec_status edgec_session_set_input(edgec_session *s, int32_t index, const void *data, size_t bytes) {
  return guard([&] {
    if (!s || (!data && bytes)) throw Error("null argument");
    s->impl.setInput(index, data, bytes);
  });
}

edgec_status edgec_session_set_input_shape(edgec_session *s, int32_t index, const int64_t *shape, int32_t rank) {
  return guard([&] {
    if (!s || (!shape && rank) || rank < 0) throw Error("null argument");
    s->impl.setInputShape(index, std::vector<int64_t>(shape, shape + rank));
  });
}

edgec_status edgec_session_get_output_shape(edgec_session *s, int32_t index, const int64_t **shape, int32_t *rank) {
  return guard([&] {
    if (!s || !shape || !rank) throw Error("null argument");
    auto &v = s->impl.output(index);
    *shape = v.shape.data();
    *rank = int32_t(v.shape.size());
  });
}

edgec_status edgec_session_run(edgec_session *s) {
  return guard([&] {
    if (!s) throw Error("null argument");
    s->impl.run();
  });
}

edgec_status edgec_session_get_output(edgec_session *s, int32_t index, const void **data, size_t *bytes) {
  return guard([&] {
    if (!s || !data || !bytes) throw Error("null argument");
    auto &v = s->impl.output(index);
    *data = v.data;
    *bytes = v.nbytes();
  });
}

edgec_status edgec_session_set_profiling(edgec_session *s, int enabled) {
  return guard([&] {
    if (!s) throw Error("null argument");
    s->impl.setProfiling(enabled != 0);
  });
}

int32_t edgec_session_num_kernels(const edgec_session *s) { return s ? int32_t(s->impl.calls().size()) : 0; }

edgec_status edgec_session_kernel_profile(const edgec_session *s, int32_t index, edgec_kernel_profile *out) {
  return guard([&] {
    if (!s || !out) throw Error("null argument");
    if (index < 0 || size_t(index) >= s->impl.calls().size())
      throw Error("kernel index " + std::to_string(index) + " is out of range");
    const edgec::rt::Call &c = s->impl.calls()[size_t(index)];
    *out = {c.op.c_str(), c.node.c_str(), edgec::rt::isaName(c.isa), c.totalMs, c.runs};
  });
}

}  // extern "C"
