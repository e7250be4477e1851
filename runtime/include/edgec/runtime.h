/* edgec runtime C API: load a compiled .edgepkg, query its signature, run it.
 *
 * The runtime never trusts the file: edgec_model_load checks the header, the checksums,
 * every section and every offset/size in the plan before anything is used. Every call
 * that can fail returns EDGEC_OK or EDGEC_ERROR; edgec_last_error() then tells why
 * (thread-local, valid until the next failing call on the same thread). */
#ifndef EDGEC_RUNTIME_H
#define EDGEC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum edgec_status { EDGEC_OK = 0, EDGEC_ERROR = 1 } edgec_status;

/* Element types; the values match DType in runtime/schema/edgepkg.fbs. */
typedef enum edgec_dtype {
  EDGEC_F32 = 0, EDGEC_F16 = 1, EDGEC_BF16 = 2, EDGEC_F64 = 3,
  EDGEC_I8 = 4, EDGEC_U8 = 5, EDGEC_I16 = 6, EDGEC_U16 = 7,
  EDGEC_I32 = 8, EDGEC_U32 = 9, EDGEC_I64 = 10, EDGEC_U64 = 11,
  EDGEC_BOOL = 12, EDGEC_I4 = 13, EDGEC_U4 = 14,
  /* GGUF block types: whole blocks along the innermost dimension. */
  EDGEC_Q4_0 = 32, EDGEC_Q4_1 = 33, EDGEC_Q5_0 = 34, EDGEC_Q5_1 = 35, EDGEC_Q8_0 = 36,
  EDGEC_Q2_K = 37, EDGEC_Q3_K = 38, EDGEC_Q4_K = 39, EDGEC_Q5_K = 40, EDGEC_Q6_K = 41,
  EDGEC_IQ4_NL = 42, EDGEC_IQ4_XS = 43
} edgec_dtype;

/* "f32", "i4", "q4_k", ...; "unknown" for a value no dtype has. */
const char *edgec_dtype_name(edgec_dtype dtype);

typedef struct edgec_model edgec_model;     /* a loaded, validated package (read-only) */
typedef struct edgec_session edgec_session; /* arena + prepared kernels; one run at a time */

typedef struct edgec_tensor_info {
  const char *name;
  edgec_dtype dtype;
  int32_t rank;
  const int64_t *shape; /* rank entries, owned by the model */
  size_t size_bytes;
} edgec_tensor_info;

const char *edgec_last_error(void);

edgec_status edgec_model_load(const char *path, edgec_model **out);

/* Where a loaded package's bytes live.
 * MAPPED: the file is mapped read-only and used in place; pages are read on first use and
 *   the kernel may drop them again (memory pressure, or a proactive reclaimer such as
 *   DAMON's pageout), to be read back from disk in the middle of a run.
 * LOCKED: mapped and mlock()ed at load: every page read once and kept in memory (needs
 *   the locked-memory limit, `ulimit -l`, to cover the file; loading fails otherwise).
 * COPIED: read into anonymous memory at load (transparent huge pages where the kernel
 *   allows); the memory is the process's own, not the page cache's. */
typedef enum edgec_residency {
  EDGEC_RESIDENCY_MAPPED = 0,
  EDGEC_RESIDENCY_LOCKED = 1,
  EDGEC_RESIDENCY_COPIED = 2
} edgec_residency;

/* Loading options. The header, the section table and the plan are always checksummed
 * and validated; the constants (weights, most of a large package) can be verified
 * later, so that loading a multi-GiB package does not read every weight page. */
typedef struct edgec_load_options {
  /* 1 (default): verify the constants section checksum at load;
   * 0: not at load: the first session created on the model verifies it before any
   *    kernel reads a constant (edgec_session_create fails if it is corrupt), or call
   *    edgec_model_verify_constants. */
  int32_t verify_constants;
  /* Where the package's bytes (the weights, most of a large package) live; an
   * edgec_residency value, 0 (mapped) by default. */
  int32_t residency;
} edgec_load_options;
/* options may be null (the defaults). */
edgec_status edgec_model_load_with_options(const char *path, const edgec_load_options *options,
                                           edgec_model **out);
/* Verifies the constants section checksum (once; later calls return the same result). */
edgec_status edgec_model_verify_constants(const edgec_model *model);
void edgec_model_free(edgec_model *model);

/* Package metadata. Strings are owned by the model. */
const char *edgec_model_target(const edgec_model *model);
const char *edgec_model_producer(const edgec_model *model);
size_t edgec_model_arena_bytes(const edgec_model *model);
size_t edgec_model_constant_bytes(const edgec_model *model);
int32_t edgec_model_num_required_features(const edgec_model *model);
const char *edgec_model_required_feature(const edgec_model *model, int32_t index);
int32_t edgec_model_num_kernels(const edgec_model *model);

/* Functions (entry points). A package has one or more, sharing weights and state; the
 * default one is "main" if the package has it, else the first. The calls without a
 * function argument below describe the default function. */
int32_t edgec_model_num_functions(const edgec_model *model);
const char *edgec_model_function_name(const edgec_model *model, int32_t function);
/* The index of the function `name`; fails naming the functions the package has. */
edgec_status edgec_model_find_function(const edgec_model *model, const char *name, int32_t *function);
/* The default function's index: "main" if the package has it, else 0. */
int32_t edgec_model_default_function(const edgec_model *model);
int32_t edgec_model_function_num_inputs(const edgec_model *model, int32_t function);
int32_t edgec_model_function_num_outputs(const edgec_model *model, int32_t function);
edgec_status edgec_model_function_input_info(const edgec_model *model, int32_t function,
                                             int32_t index, edgec_tensor_info *info);
edgec_status edgec_model_function_output_info(const edgec_model *model, int32_t function,
                                              int32_t index, edgec_tensor_info *info);
/* Dynamic shapes. A package compiled with dynamic dims (edgec compile --dim-bound)
 * reports each dim's upper bound in edgec_tensor_info.shape; this gives the name of an
 * input's dim the caller chooses ("batch", "seq"), or NULL for a fixed dim. */
const char *edgec_model_function_input_dim_name(const edgec_model *model, int32_t function,
                                                int32_t index, int32_t dim);
/* Bytes of persistent state (e.g. a KV cache) a session holds. */
size_t edgec_model_state_bytes(const edgec_model *model);

int32_t edgec_model_num_inputs(const edgec_model *model);
int32_t edgec_model_num_outputs(const edgec_model *model);
edgec_status edgec_model_input_info(const edgec_model *model, int32_t index,
                                    edgec_tensor_info *info);
edgec_status edgec_model_output_info(const edgec_model *model, int32_t index,
                                     edgec_tensor_info *info);

typedef struct edgec_session_options {
  int32_t num_threads; /* 0: one per core; otherwise 1 to 256 */
} edgec_session_options;

/* A session with default options. */
edgec_status edgec_session_create(const edgec_model *model, edgec_session **out);
edgec_status edgec_session_create_with_options(const edgec_model *model,
                                               const edgec_session_options *options,
                                               edgec_session **out);
int32_t edgec_session_num_threads(const edgec_session *session);
/* Inputs, run, outputs and profiles apply to the selected function (initially the
 * default one). Selecting another function keeps each function's inputs and the state. */
edgec_status edgec_session_select_function(edgec_session *session, int32_t function);
/* Every state tensor back to its initial value (as when the session was created). */
edgec_status edgec_session_reset_state(edgec_session *session);
void edgec_session_free(edgec_session *session);
/* Copies `size_bytes` (must equal the input's size) into the session. */
edgec_status edgec_session_set_input(edgec_session *session, int32_t index,
                                     const void *data, size_t size_bytes);
/* Dynamic shapes: the shape of input `index` for the following runs, each dynamic dim
 * from 1 to its bound (its fixed dims as compiled); set it before the input's data, whose
 * size then follows it. Outputs take the shapes that follow from the inputs'. */
edgec_status edgec_session_set_input_shape(edgec_session *session, int32_t index,
                                           const int64_t *shape, int32_t rank);
edgec_status edgec_session_run(edgec_session *session);
/* The shape of output `index` after the last run (the compiled one for a fixed-shape
 * package); points into the session, valid until the next run or free. */
edgec_status edgec_session_get_output_shape(edgec_session *session, int32_t index,
                                            const int64_t **shape, int32_t *rank);
/* Points at the output inside the session; valid until the next run or free. */
edgec_status edgec_session_get_output(edgec_session *session, int32_t index,
                                      const void **data, size_t *size_bytes);

/* Per-kernel profiling: when enabled, every run accumulates each kernel call's time. */
typedef struct edgec_kernel_profile {
  const char *op;   /* kernel family, e.g. "Conv" */
  const char *node; /* source node name */
  const char *isa;  /* implementation chosen for this CPU: "ref", "x86-avx2", ... */
  double total_ms;  /* summed over the runs since profiling was enabled */
  int64_t runs;
} edgec_kernel_profile;

edgec_status edgec_session_set_profiling(edgec_session *session, int enabled);
int32_t edgec_session_num_kernels(const edgec_session *session);
edgec_status edgec_session_kernel_profile(const edgec_session *session, int32_t index,
                                          edgec_kernel_profile *profile);

#ifdef __cplusplus
}
#endif

#endif /* EDGEC_RUNTIME_H */
