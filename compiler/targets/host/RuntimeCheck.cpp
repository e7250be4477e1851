// The host target never writes a package the runtime refuses: the package is loaded
// and every kernel of every function prepared, in process, before it is written. Loading
// runs the runtime's own validation; preparing picks an implementation by signature from
// the runtime's kernel table (with `ref`, the fallback that implements every signature
// the runtime supports) and checks dtypes, shapes and attributes, so anything a user's
// `edgec run` would reject at load time is a compile error here, naming the node.
#include "edgec/HostTarget.h"

#include "model.h"

namespace edgec {

namespace {
mlir::LogicalResult prepareAll(mlir::ModuleOp module, const rt::LoadedModel &model) {
  try {
    rt::SessionOptions options;
    options.threads = 1;
    options.isas = {rt::Isa::Ref};
    rt::Session session(model, options);
  } catch (const std::exception &e) {
    return module.emitError() << "host target: the runtime cannot run this package: " << e.what();
  }
  return mlir::success();
}
}  // namespace

mlir::LogicalResult checkRuntimeAcceptsFile(mlir::ModuleOp module, const std::string &path) {
  try {
    rt::LoadOptions options;
    options.verifyConstants = false;
    options.constantsTrusted = true;  // just written from the IR; the point is the kernels
    rt::LoadedModel model(path, options);
    return prepareAll(module, model);
  } catch (const std::exception &e) {
    return module.emitError() << "host target: the runtime cannot run this package: " << e.what();
  }
}

mlir::LogicalResult checkRuntimeAccepts(mlir::ModuleOp module, const std::vector<uint8_t> &package) {
  try {
    rt::LoadedModel model(package.data(), package.size(), "the package");
    return prepareAll(module, model);
  } catch (const std::exception &e) {
    return module.emitError() << "host target: the runtime cannot run this package: " << e.what();
  }
}

}  // namespace edgec
