#include "OnnxModelLoader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <cstdlib>
#include <fstream>

#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "onnx/checker.h"
#include "onnx/defs/parser.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"

namespace edgec::onnx_frontend {

onnx::ModelProto parseModel(const std::string &bytes, bool textual, const std::string &name) {
  onnx::ModelProto model;
  if (textual) {
    auto status = onnx::OnnxParser::Parse(model, bytes.c_str());
    if (!status.IsOK()) throw LoadError(name + ": cannot parse ONNX text: " + status.ErrorMessage());
    return model;
  }
  if (bytes.empty()) throw LoadError(name + ": the file is empty");
  if (!model.ParseFromString(bytes))
    throw LoadError(name + ": not a valid ONNX model (protobuf parse failed: truncated or corrupt file)");
  return model;
}

onnx::ModelProto parseModelFile(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw LoadError(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size == 0) {
    ::close(fd);
    throw LoadError(path + ": the file is empty");
  }
  // Parsed through a small read buffer: the weights are in memory once (in the proto),
  // never also as the file's bytes.
  onnx::ModelProto model;
  bool ok;
  {
    google::protobuf::io::FileInputStream stream(fd);
    ok = model.ParseFromZeroCopyStream(&stream);
  }
  ::close(fd);
  if (!ok) throw LoadError(path + ": not a valid ONNX model (protobuf parse failed: truncated or corrupt file)");
  return model;
}

namespace {
std::string realPath(const std::string &p) {
  char buf[PATH_MAX];
  if (!::realpath(p.c_str(), buf)) return "";
  return buf;
}

bool hasDotDot(const std::string &location) {
  size_t start = 0;
  while (start <= location.size()) {
    size_t end = location.find_first_of("/\\", start);
    if (end == std::string::npos) end = location.size();
    if (location.compare(start, end - start, "..") == 0 && end - start == 2) return true;
    start = end + 1;
  }
  return false;
}

int64_t parseInt(const std::string &text) {
  size_t used = 0;
  int64_t v = std::stoll(text, &used);
  if (used != text.size()) throw std::invalid_argument(text);
  return v;
}

// Bytes the raw data of `t` must have, or -1 when its type has no fixed width.
int64_t expectedBytes(const onnx::TensorProto &t, const std::string &where) {
  int64_t elem;
  switch (t.data_type()) {
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8: elem = 1; break;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16: elem = 2; break;
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32: elem = 4; break;
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::COMPLEX64: elem = 8; break;
  case onnx::TensorProto::COMPLEX128: elem = 16; break;
  default: return -1;
  }
  int64_t bytes = elem;
  for (int64_t d : t.dims())
    if (d < 0 || __builtin_mul_overflow(bytes, d, &bytes)) throw LoadError(where + ": bad tensor shape");
  return bytes;
}
}  // namespace

void loadExternalData(onnx::ModelProto &model, const std::string &baseDir, const std::string &name) {
  std::string root = realPath(baseDir.empty() ? "." : baseDir);
  std::string rootPrefix = root == "/" ? root : root + "/";
  for (onnx::TensorProto &t : *model.mutable_graph()->mutable_initializer()) {
    if (t.data_location() != onnx::TensorProto::EXTERNAL) continue;
    std::string location;
    int64_t offset = 0, length = -1;
    bool toEnd = true;  // no length: the data runs to the end of the file
    for (const auto &kv : t.external_data()) {
      try {
        if (kv.key() == "location") location = kv.value();
        else if (kv.key() == "offset") offset = parseInt(kv.value());
        else if (kv.key() == "length") length = parseInt(kv.value()), toEnd = false;
      } catch (const std::exception &) {
        throw LoadError(name + ": initializer '" + t.name() + "': bad external data " + kv.key() + " '" +
                        kv.value() + "'");
      }
    }
    std::string where = name + ": initializer '" + t.name() + "' external data '" + location + "'";
    if (location.empty()) throw LoadError(where + ": no location");
    if (location[0] == '/' || location[0] == '\\') throw LoadError(where + ": absolute paths are not allowed");
    if (hasDotDot(location)) throw LoadError(where + ": '..' is not allowed (it must stay inside the model's folder)");
    std::string resolved = realPath(root + "/" + location);
    if (resolved.empty()) throw LoadError(where + ": file not found");
    if (resolved.compare(0, rootPrefix.size(), rootPrefix) != 0)
      throw LoadError(where + ": resolves outside the model's folder (symlink?)");
    struct stat st;
    if (::stat(resolved.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) throw LoadError(where + ": not a regular file");
    int64_t fileSize = st.st_size;
    if (offset < 0 || (!toEnd && length < 0))
      throw LoadError(where + ": negative " + (offset < 0 ? "offset " + std::to_string(offset)
                                                          : "length " + std::to_string(length)));
    if (offset > fileSize)
      throw LoadError(where + ": offset " + std::to_string(offset) + " is past the end of the file (" +
                      std::to_string(fileSize) + " bytes)");
    if (toEnd) length = fileSize - offset;
    if (length > fileSize - offset)
      throw LoadError(where + ": offset " + std::to_string(offset) + " + length " + std::to_string(length) +
                      " exceeds the file size " + std::to_string(fileSize));
    int64_t expected = expectedBytes(t, where);
    if (expected >= 0 && length != expected)
      throw LoadError(where + ": " + (toEnd ? "the file holds " : "length ") + std::to_string(length) +
                      " bytes from offset " + std::to_string(offset) + ", the tensor's shape and type need " +
                      std::to_string(expected));
    std::ifstream in(resolved, std::ios::binary);
    std::string data(static_cast<size_t>(length), '\0');
    in.seekg(offset);
    if (!in.read(data.data(), length)) throw LoadError(where + ": read failed");
    t.set_raw_data(std::move(data));
    t.clear_external_data();
    t.set_data_location(onnx::TensorProto::DEFAULT);
  }
}

namespace {
// Before conversion, so that the dims baked into a converted graph are final.
void applyInputShapes(onnx::ModelProto &model, const std::map<std::string, std::vector<int64_t>> &inputShapes,
                      const std::string &name) {
  for (const auto &[input, shape] : inputShapes) {
    bool found = false;
    for (auto &vi : *model.mutable_graph()->mutable_input()) {
      if (vi.name() != input) continue;
      found = true;
      auto *dims = vi.mutable_type()->mutable_tensor_type()->mutable_shape();
      dims->clear_dim();
      for (int64_t d : shape) dims->add_dim()->set_dim_value(d);
    }
    if (!found) throw LoadError(name + ": --input-shape names '" + input + "', which is not a graph input");
  }
}
}  // namespace

namespace {
int32_t onnxTypeOfNumpy(const std::string &dtype) {
  static const std::map<std::string, int32_t> types = {
      {"float32", onnx::TensorProto::FLOAT},   {"float16", onnx::TensorProto::FLOAT16},
      {"float64", onnx::TensorProto::DOUBLE},  {"int8", onnx::TensorProto::INT8},
      {"uint8", onnx::TensorProto::UINT8},     {"int16", onnx::TensorProto::INT16},
      {"uint16", onnx::TensorProto::UINT16},   {"int32", onnx::TensorProto::INT32},
      {"uint32", onnx::TensorProto::UINT32},   {"int64", onnx::TensorProto::INT64},
      {"uint64", onnx::TensorProto::UINT64},   {"bool", onnx::TensorProto::BOOL}};
  auto it = types.find(dtype);
  return it == types.end() ? onnx::TensorProto::UNDEFINED : it->second;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}
}  // namespace

void bindInputs(onnx::ModelProto &model, const std::map<std::string, BoundInput> &bound, const std::string &name) {
  onnx::GraphProto &g = *model.mutable_graph();
  for (const auto &[input, value] : bound) {
    const std::string where = name + ": --bind " + input + "=" + value.source;
    int index = -1;
    std::string inputs;
    for (int i = 0; i < g.input_size(); ++i) {
      if (g.input(i).name() == input) index = i;
      inputs += (i ? ", " : "") + g.input(i).name();
    }
    if (index < 0) throw LoadError(where + ": the model has no graph input '" + input + "' (inputs: " + inputs + ")");
    const auto &declared = g.input(index).type().tensor_type();
    const int32_t type = onnxTypeOfNumpy(value.dtype);
    if (type == onnx::TensorProto::UNDEFINED || type != declared.elem_type())
      throw LoadError(where + ": the value is " + value.dtype + ", the input is " +
                      onnx::TensorProto::DataType_Name(onnx::TensorProto::DataType(declared.elem_type())));
    bool shapeOk = !declared.has_shape() || declared.shape().dim_size() == int(value.shape.size());
    for (int d = 0; shapeOk && declared.has_shape() && d < declared.shape().dim_size(); ++d)
      if (declared.shape().dim(d).has_dim_value() && declared.shape().dim(d).dim_value() != value.shape[size_t(d)])
        shapeOk = false;
    if (!shapeOk) throw LoadError(where + ": the value's shape " + shapeText(value.shape) + " does not fit the input's");
    onnx::TensorProto t;
    t.set_name(input);
    t.set_data_type(type);
    for (int64_t d : value.shape) t.add_dims(d);
    t.set_raw_data(std::string(value.data.begin(), value.data.end()));
    auto *inits = g.mutable_initializer();
    for (int i = inits->size() - 1; i >= 0; --i)  // an input's default value (IR < 4) is replaced
      if (inits->Get(i).name() == input) inits->DeleteSubrange(i, 1);
    *g.add_initializer() = std::move(t);
    g.mutable_input()->DeleteSubrange(index, 1);
  }
}

void prepareModel(onnx::ModelProto &model, int opset,
                  const std::map<std::string, std::vector<int64_t>> &inputShapes,
                  const std::string &name, const std::map<std::string, std::vector<bool>> &dynamic) {
  registerMicrosoftSchemas();
  fixOnnxSchemas();
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    throw LoadError(name + ": the ONNX checker rejects the model: " + e.what());
  }
  int64_t modelOpset = -1;
  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx") modelOpset = imp.version();
  if (modelOpset < 0) {
    // A graph of other domains' ops only (an optimizer step of ai.onnx.preview.training)
    // needs no default-domain opset; it gets the one edgec imports at, so the steps below
    // (checker, conversion, inference) treat it like any model.
    for (const auto &n : model.graph().node())
      if (n.domain().empty() || n.domain() == "ai.onnx")
        throw LoadError(name + ": the model imports no default-domain opset");
    auto *imp = model.add_opset_import();
    imp->set_domain("");
    imp->set_version(opset);
    modelOpset = opset;
  }
  if (modelOpset > opset)
    throw LoadError(name + ": opset " + std::to_string(modelOpset) + " is newer than opset " +
                    std::to_string(opset) + ", the newest this build's ONNX library (1.12) knows; "
                    "re-export the model with opset <= " + std::to_string(opset));
  applyInputShapes(model, inputShapes, name);
  // ONNX 1.12's Scan-8 -> 9 adapter drops the batch axis from the graph's inputs and
  // outputs without reshaping anything: the converted model has another signature.
  if (modelOpset < 9)
    for (const auto &n : model.graph().node())
      if (n.op_type() == "Scan")
        throw LoadError(name + ": node '" + (n.name().empty() ? n.output(0) : n.name()) + "' is a Scan of opset " +
                        std::to_string(modelOpset) +
                        " (with a batch axis), which ONNX 1.12's version converter cannot convert correctly; "
                        "re-export the model with opset >= 9");
  if (modelOpset != opset) {
    // Some adapters (Softmax-12 -> 13 on an intermediate value) need shapes the converter
    // does not infer itself (ShapeFolding.cpp).
    foldShapeComputations(model, modelOpset, dynamic);
    if (modelOpset < 13) coerceLegacyHardmax(model);
    try {
      model = onnx::version_conversion::ConvertVersion(model, opset);
    } catch (const std::exception &e) {
      // Adapters fail on unknown shapes, which usually trace back to a dynamic input dim.
      bool dynamicInput = false;
      for (const auto &vi : model.graph().input())
        for (const auto &d : vi.type().tensor_type().shape().dim()) dynamicInput |= !d.has_dim_value();
      throw LoadError(name + ": cannot convert opset " + std::to_string(modelOpset) + " to " +
                      std::to_string(opset) + ": " + e.what() +
                      (dynamicInput ? "; a graph input has dynamic dims: fix them with --input-shape NAME=D0xD1x..."
                                    : ""));
    }
  }
  inferShapes(model, name);
}

void inferShapes(onnx::ModelProto &model, const std::string &name) {
  try {
    onnx::ShapeInferenceOptions options(/*check_type=*/true, /*error_mode=*/1, /*data_prop=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &e) {
    throw LoadError(name + ": ONNX shape inference failed: " + e.what());
  }
}

}  // namespace edgec::onnx_frontend
