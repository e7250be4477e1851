// Thin C++ wrapper over the C API: RAII handles, errors as exceptions.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgec/runtime.h"

namespace edgec {

struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void check(edgec_status status) {
  if (status != EDGEC_OK) throw RuntimeError(edgec_last_error());
}

struct TensorInfo {
  std::string name;
  edgec_dtype dtype;
  std::vector<int64_t> shape;  // a dynamic dim's upper bound
  size_t size_bytes;
  std::vector<std::string> dim_names;  // inputs: per dim, a dynamic dim's name or ""
  bool dynamic() const {
    for (const std::string &n : dim_names)
      if (!n.empty()) return true;
    return false;
  }
};

class Model {
public:
  explicit Model(const std::string &path) {
    edgec_model *m = nullptr;
    check(edgec_model_load(path.c_str(), &m));
    model_.reset(m);
  }
  // verifyConstants false: the constants are checksummed by the first session instead.
  // residency: where the file's bytes live (edgec_residency: mapped, locked or copied).
  Model(const std::string &path, bool verifyConstants, edgec_residency residency = EDGEC_RESIDENCY_MAPPED) {
    edgec_load_options options{verifyConstants ? 1 : 0, residency};
    edgec_model *m = nullptr;
    check(edgec_model_load_with_options(path.c_str(), &options, &m));
    model_.reset(m);
  }
  void verifyConstants() const { check(edgec_model_verify_constants(get())); }
  const edgec_model *get() const { return model_.get(); }
  std::string target() const { return edgec_model_target(get()); }
  // Functions: the default one is "main" if present, else the first.
  std::vector<std::string> functions() const {
    std::vector<std::string> out;
    for (int32_t f = 0; f < edgec_model_num_functions(get()); ++f) out.push_back(edgec_model_function_name(get(), f));
    return out;
  }
  int32_t findFunction(const std::string &name) const {
    int32_t f = -1;
    check(edgec_model_find_function(get(), name.c_str(), &f));
    return f;
  }
  int32_t defaultFunction() const { return edgec_model_default_function(get()); }
  std::vector<TensorInfo> inputs() const { return infos(defaultFunction(), true); }
  std::vector<TensorInfo> outputs() const { return infos(defaultFunction(), false); }
  std::vector<TensorInfo> inputs(int32_t function) const { return infos(function, true); }
  std::vector<TensorInfo> outputs(int32_t function) const { return infos(function, false); }

private:
  std::vector<TensorInfo> infos(int32_t function, bool inputs) const {
    std::vector<TensorInfo> out;
    int32_t n = inputs ? edgec_model_function_num_inputs(get(), function)
                       : edgec_model_function_num_outputs(get(), function);
    for (int32_t i = 0; i < n; ++i) {
      edgec_tensor_info info;
      check(inputs ? edgec_model_function_input_info(get(), function, i, &info)
                   : edgec_model_function_output_info(get(), function, i, &info));
      out.push_back({info.name, info.dtype,
                     std::vector<int64_t>(info.shape, info.shape + info.rank),
                     info.size_bytes, {}});
      if (inputs)
        for (int32_t d = 0; d < info.rank; ++d) {
          const char *name = edgec_model_function_input_dim_name(get(), function, i, d);
          out.back().dim_names.push_back(name ? name : "");
        }
    }
    return out;
  }
  struct Free {
    void operator()(edgec_model *m) const { edgec_model_free(m); }
  };
  std::unique_ptr<edgec_model, Free> model_;
};

class Session {
public:
  // threads: 0 for one per core.
  explicit Session(const Model &model, int32_t threads = 0) {
    edgec_session *s = nullptr;
    edgec_session_options options{threads};
    check(edgec_session_create_with_options(model.get(), &options, &s));
    session_.reset(s);
  }
  int32_t threads() const { return edgec_session_num_threads(session_.get()); }
  void selectFunction(int32_t function) { check(edgec_session_select_function(session_.get(), function)); }
  void resetState() { check(edgec_session_reset_state(session_.get())); }
  void setInput(int32_t index, const void *data, size_t bytes) {
    check(edgec_session_set_input(session_.get(), index, data, bytes));
  }
  void setInputShape(int32_t index, const std::vector<int64_t> &shape) {
    check(edgec_session_set_input_shape(session_.get(), index, shape.data(), int32_t(shape.size())));
  }
  void run() { check(edgec_session_run(session_.get())); }
  std::vector<int64_t> outputShape(int32_t index) {
    const int64_t *shape = nullptr;
    int32_t rank = 0;
    check(edgec_session_get_output_shape(session_.get(), index, &shape, &rank));
    return std::vector<int64_t>(shape, shape + rank);
  }
  void setProfiling(bool enabled) { check(edgec_session_set_profiling(session_.get(), enabled)); }
  std::vector<edgec_kernel_profile> profile() const {
    std::vector<edgec_kernel_profile> out(size_t(edgec_session_num_kernels(session_.get())));
    for (size_t i = 0; i < out.size(); ++i) check(edgec_session_kernel_profile(session_.get(), int32_t(i), &out[i]));
    return out;
  }
  std::pair<const void *, size_t> output(int32_t index) {
    const void *data = nullptr;
    size_t bytes = 0;
    check(edgec_session_get_output(session_.get(), index, &data, &bytes));
    return {data, bytes};
  }

private:
  struct Free {
    void operator()(edgec_session *s) const { edgec_session_free(s); }
  };
  std::unique_ptr<edgec_session, Free> session_;
};

}  // namespace edgec
