// Loading a package: map the file, check the container, verify the FlatBuffer, then
// check every tensor and kernel reference against the sections they point into.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "edgec/package_format.h"
#include "file_read.h"
#include "model.h"

namespace edgec::rt {

PackageImage::PackageImage(std::vector<uint8_t> bytes) : owned_(std::move(bytes)) {
  data_ = owned_.data();
  size_ = owned_.size();
}

PackageImage::PackageImage(const uint8_t *data, size_t size) : data_(data), size_(size) {}

namespace {

std::string mebibytes(size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", double(bytes) / (1024.0 * 1024.0));
  return text;
}

// Why mlock failed, and what to do about it: usually the locked-memory limit.
std::string lockFailure(size_t size, int error) {
  std::string why = "cannot lock " + mebibytes(size) + " in memory: " + std::strerror(error);
  rlimit limit{};
  if (::getrlimit(RLIMIT_MEMLOCK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    why += " (the locked-memory limit, ulimit -l, is " + std::to_string(limit.rlim_cur / 1024) +
           " KiB: raise it, or read the file into memory instead of locking it)";
  return why;
}

}  // namespace

PackageImage::PackageImage(const std::string &path, Residency residency) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(path + ": not a regular file");
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0 && residency == Residency::Copied) {
    std::string error;
    data_ = readIntoAnonymousMemory(fd, size_, loadThreads(size_), error);
    ::close(fd);
    if (!data_) throw Error(path + ": " + error);
    mapped_ = true;
    return;
  }
  if (size_ > 0) {
    void *p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      throw Error(path + ": cannot map: " + std::strerror(errno));
    }
    if (residency == Residency::Locked && ::mlock(p, size_) != 0) {
      const int error = errno;
      ::munmap(p, size_);
      ::close(fd);
      throw Error(path + ": " + lockFailure(size_, error));
    }
    data_ = static_cast<const uint8_t *>(p);
    mapped_ = true;
  }
  ::close(fd);
}

PackageImage::~PackageImage() {
  if (mapped_) ::munmap(const_cast<uint8_t *>(data_), size_);
}

void LoadedModel::fail(const std::string &what) const {
  throw Error(path_ + ": not a valid edgec package: " + what);
}

LoadedModel::LoadedModel(const std::string &path, LoadOptions options) : path_(path) {
  file_ = std::make_unique<PackageImage>(path, options.residency);
  validateContainer();
  validatePlan();
  if (options.constantsTrusted) constants_check_->done = true;
  if (options.verifyConstants) verifyConstants();
}

LoadedModel::LoadedModel(std::vector<uint8_t> image, const std::string &name, LoadOptions options) : path_(name) {
  file_ = std::make_unique<PackageImage>(std::move(image));
  validateContainer();
  validatePlan();
  if (options.constantsTrusted) constants_check_->done = true;
  if (options.verifyConstants) verifyConstants();
}

LoadedModel::LoadedModel(const uint8_t *data, size_t size, const std::string &name, LoadOptions options)
    : path_(name) {
  file_ = std::make_unique<PackageImage>(data, size);
  validateContainer();
  validatePlan();
  if (options.constantsTrusted) constants_check_->done = true;
  if (options.verifyConstants) verifyConstants();
}

void LoadedModel::verifyConstants() const {
  std::lock_guard<std::mutex> lock(constants_check_->mutex);
  if (!constants_check_->done) {
    if (pkg::checksum64(constants_, constants_size_) != constants_checksum_)
      constants_check_->error = path_ + ": not a valid edgec package: constants section checksum mismatch (the file is corrupt)";
    constants_check_->done = true;
  }
  if (!constants_check_->error.empty()) throw Error(constants_check_->error);
}

bool LoadedModel::constantsVerified() const {
  std::lock_guard<std::mutex> lock(constants_check_->mutex);
  return constants_check_->done && constants_check_->error.empty();
}

int LoadedModel::findFunction(const std::string &name) const {
  std::string names;
  for (int i = 0; i < numFunctions(); ++i) {
    const std::string n = function(i).name()->str();
    if (n == name) return i;
    names += (i ? ", " : "") + n;
  }
  throw Error(path_ + ": no function '" + name + "' (the package has: " + names + ")");
}

void LoadedModel::validateContainer() {
  const uint8_t *data = file_->data();
  const uint64_t size = file_->size();
  if (size < sizeof(pkg::FileHeader)) fail("file is " + std::to_string(size) + " bytes, smaller than the header");
  pkg::FileHeader h;
  std::memcpy(&h, data, sizeof h);
  if (std::memcmp(h.magic, pkg::kMagic, sizeof h.magic) != 0) fail("bad magic (not an .edgepkg file)");
  if (h.format_version != pkg::kFormatVersion)
    fail("format version " + std::to_string(h.format_version) + " is not supported (this runtime reads version " +
         std::to_string(pkg::kFormatVersion) +
         (h.format_version < pkg::kFormatVersion ? "; compile the model again with this edgec)" : ")"));
  if (h.header_size != sizeof(pkg::FileHeader)) fail("unexpected header size");
  if (h.file_size != size)
    fail("file is " + std::to_string(size) + " bytes but the header says " + std::to_string(h.file_size) +
         " (truncated or appended to)");
  if (h.section_entry_size != sizeof(pkg::SectionEntry) || h.section_count == 0 || h.section_count > 64 ||
      h.section_table_offset < sizeof(pkg::FileHeader) ||
      h.section_table_offset > size ||
      uint64_t(h.section_count) * sizeof(pkg::SectionEntry) > size - h.section_table_offset)
    fail("bad section table");
  const uint8_t *table = data + h.section_table_offset;
  const uint64_t tableEnd = h.section_table_offset + uint64_t(h.section_count) * sizeof(pkg::SectionEntry);
  if (pkg::headerChecksum(data, table, size_t(tableEnd - h.section_table_offset)) != h.checksum)
    fail("header checksum mismatch (the file is corrupt)");
  // Header, table and sections tile the file: in order, no overlap, and only zero
  // alignment padding (< 64 bytes) between them, so that every byte is covered by a
  // checksum or known to be zero.
  auto checkGap = [&](uint64_t from, uint64_t to, const std::string &what) {
    if (to < from) fail(what + " overlaps what comes before it");
    if (to - from >= pkg::kAlignment) fail(what + " does not follow what comes before it");
    for (uint64_t b = from; b < to; ++b)
      if (data[b] != 0) fail("padding byte " + std::to_string(b) + " is not zero (the file is corrupt)");
  };
  checkGap(sizeof(pkg::FileHeader), h.section_table_offset, "the section table");
  uint64_t end = tableEnd;
  constants_checksum_ = pkg::checksum64(nullptr, 0);  // no constants section: nothing to verify
  const uint8_t *planData = nullptr;
  uint64_t planSize = 0, planChecksum = 0;
  for (uint32_t i = 0; i < h.section_count; ++i) {
    pkg::SectionEntry e;
    std::memcpy(&e, table + i * sizeof e, sizeof e);
    if (e.offset > size || e.size > size - e.offset) fail("section " + std::to_string(i) + " lies outside the file");
    if (e.offset % pkg::kAlignment != 0) fail("section " + std::to_string(i) + " is not 64-byte aligned");
    if (e.flags != 0) fail("section " + std::to_string(i) + " has unknown flags");
    checkGap(end, e.offset, "section " + std::to_string(i));
    end = e.offset + e.size;
    switch (static_cast<pkg::SectionKind>(e.kind)) {
    case pkg::SectionKind::Plan:
      if (planData) fail("more than one plan section");
      planData = data + e.offset;
      planSize = e.size;
      planChecksum = e.checksum;
      break;
    case pkg::SectionKind::Constants:
      if (constants_) fail("more than one constants section");
      constants_ = data + e.offset;
      constants_size_ = e.size;
      constants_checksum_ = e.checksum;
      break;
    default:
      fail("unknown section kind " + std::to_string(e.kind));
    }
  }
  checkGap(end, size, "the end of the file");
  if (!planData) fail("no plan section");
  if (pkg::checksum64(planData, planSize) != planChecksum) fail("plan section checksum mismatch (the file is corrupt)");
  plan_checksum_ = planChecksum;
  flatbuffers::Verifier verifier(planData, planSize);
  if (!pkg::VerifyPackageBuffer(verifier)) fail("the plan does not verify (corrupt FlatBuffer)");
  plan_ = pkg::GetPackage(planData);
}

void LoadedModel::validatePlan() {
  const pkg::Package &p = *plan_;
  std::string target = p.target() ? p.target()->str() : "";
  if (target != "host") fail("target '" + target + "' cannot run on this runtime (it runs 'host' packages)");
  if (p.required_features())
    for (const auto *f : *p.required_features())
      if (f->str() != kDynamicShapesFeature && f->str() != kWeightLayoutsFeature &&
          f->str() != kAttentionWindowFeature && f->str() != kAttentionSoftcapFeature &&
          !hostHasFeature(f->str()))
        fail("it needs the CPU feature '" + f->str() + "', which this CPU lacks; recompile with a matching --target");
  isas_ = hostIsas();

  if (!p.tensors() || !p.functions() || p.functions()->size() == 0) fail("no tensors or functions");
  const auto &tensors = *p.tensors();
  shapes_.resize(tensors.size());
  // What the tensors of each region can use at most (no reuse at all): a region declared
  // larger is a damaged plan, and must not turn into a huge allocation.
  uint64_t arenaUse = 0, stateUse = 0;
  auto addUse = [](uint64_t &use, uint64_t bytes) {
    use = std::min<uint64_t>(use + pkg::alignTo(bytes), uint64_t(1) << 62);
  };
  for (uint32_t i = 0; i < tensors.size(); ++i) {
    const pkg::Tensor *t = tensors[i];
    std::string name = t->name() ? t->name()->str() : "#" + std::to_string(i);
    const DTypeInfo *info = edgec::dtypeInfo(static_cast<unsigned>(t->dtype()));
    if (!info) fail("tensor '" + name + "' has a bad type");
    // An absent shape is a scalar's (FlatBuffers writers may omit an empty vector).
    if (t->shape()) shapes_[i].assign(t->shape()->begin(), t->shape()->end());
    uint64_t numel = 1;
    for (int64_t d : shapes_[i]) {
      if (d < 0 || d > (int64_t(1) << 40) || (d && numel > (uint64_t(1) << 40) / uint64_t(d)))
        fail("tensor '" + name + "' has a bad shape");
      numel *= uint64_t(d);
    }
    uint64_t bytes = 0;
    std::string why;
    if (!tensorStorageBytes(*info, shapes_[i].data(), shapes_[i].size(), &bytes, &why))
      fail("tensor '" + name + "' (" + info->name + "): " + why);
    const bool packed = t->layout() && t->layout()->kind() != pkg::LayoutKind::None;
    if (packed) bytes = validateLayout(i, name);
    if (t->size() != bytes)
      fail("tensor '" + name + "' is " + std::to_string(t->size()) + " bytes, but " +
           (packed ? std::string("its layout ") + layouts::kindName(layouts::Kind(t->layout()->kind())) + " takes "
                   : "a " + std::string(info->name) + " tensor of its shape takes ") +
           std::to_string(bytes));
    uint64_t limit = 0;
    switch (t->storage()) {
    case pkg::Storage::Arena:
      limit = p.arena_size();  // and its function's arena, checked in validateFunctions
      addUse(arenaUse, bytes);
      break;
    case pkg::Storage::Constant: limit = constants_size_; break;
    case pkg::Storage::State:
      limit = p.state_size();
      addUse(stateUse, bytes);
      break;
    default: fail("tensor '" + name + "' has an unknown storage class");
    }
    if (t->offset() > limit || t->size() > limit - t->offset())
      fail("tensor '" + name + "' lies outside its memory region");
    // Kernels read tensors as their element type (and SIMD loads like alignment).
    if (t->offset() % pkg::kAlignment != 0) fail("tensor '" + name + "' is not 64-byte aligned");
  }
  if (p.arena_size() > arenaUse) fail("the arena is larger than its tensors can use");
  if (p.state_size() > stateUse) fail("the state block is larger than its tensors can use");
  for (uint32_t i = 0; i < tensors.size(); ++i)
    if (tensors[i]->quant()) validateQuant(i, tensors[i]->name() ? tensors[i]->name()->str() : "#" + std::to_string(i));
  for (uint32_t i = 0; i < tensors.size(); ++i) {
    const pkg::Tensor *t = tensors[i];
    if (t->initializer() == -1) continue;
    const std::string name = t->name() ? t->name()->str() : "#" + std::to_string(i);
    if (t->storage() != pkg::Storage::State) fail("tensor '" + name + "' has an initializer but is not state");
    const int32_t init = t->initializer();
    if (init < 0 || uint32_t(init) >= tensors.size() || tensors[init]->storage() != pkg::Storage::Constant ||
        tensors[init]->dtype() != t->dtype() || tensors[init]->size() != t->size())
      fail("state tensor '" + name + "' has a bad initializer (it must be a constant of the same type and size)");
  }
  validateFunctions();
  validateDynamicShapes();
}

// A weight stored in a packed layout (Tensor.layout): only in a package that requires
// "weight-layouts" (a runtime without layouts rejects it by that feature, never misreads
// the bytes), a Constant, a layout that holds the tensor's dtype and shape, and its
// column sums (I8W4, I8ConvW4) a Constant i32 tensor of one value per matrix and column. Returns
// the packed size, which the tensor's `size` must equal.
uint64_t LoadedModel::validateLayout(uint32_t index, const std::string &name) {
  const pkg::Package &p = *plan_;
  const pkg::Tensor &t = *p.tensors()->Get(index);
  const pkg::WeightLayout &l = *t.layout();
  const std::string where = "tensor '" + name + "' layout: ";
  bool required = false;
  if (p.required_features())
    for (const auto *f : *p.required_features()) required |= f->str() == kWeightLayoutsFeature;
  if (!required) fail(where + "the package does not require '" + std::string(kWeightLayoutsFeature) + "'");
  if (t.storage() != pkg::Storage::Constant) fail(where + "only a Constant tensor has a packed layout");
  const pkg::QuantInfo *q = t.quant();
  const bool blockwise = q && q->scheme() == pkg::QuantScheme::Blockwise;
  layouts::Desc d;
  std::string why;
  if (!layouts::describe(layouts::Kind(l.kind()), unsigned(t.dtype()), shapes_[index], l.k_axis(),
                         blockwise ? q->axis() : -1, blockwise ? q->block_size() : 0, l.tile(), d, why, l.groups()))
    fail(where + why);
  const int32_t sums = l.column_sums();
  if (layouts::columnSumCount(d) > 0 || sums != -1) {
    const auto &tensors = *p.tensors();
    if (layouts::columnSumCount(d) == 0 || sums < 0 || uint32_t(sums) >= tensors.size() ||
        tensors[uint32_t(sums)]->storage() != pkg::Storage::Constant || tensors[uint32_t(sums)]->dtype() != pkg::DType::i32 ||
        tensors[uint32_t(sums)]->size() != uint64_t(layouts::columnSumCount(d)) * 4)
      fail(where + "its column sums must be a Constant i32 tensor of " + std::to_string(layouts::columnSumCount(d)) +
           " values (one per matrix and column)");
  }
  if (layouts_.size() < p.tensors()->size()) layouts_.resize(p.tensors()->size());
  layouts_[index] = d;
  return layouts::packedBytes(d);
}

// Dynamic shapes: each tensor's dim symbols and view rule against its shape, the symbol
// table, and that only a package that requires "dynamic-shapes" uses them (a runtime
// without them rejects such a package by that feature, never misreads it).
void LoadedModel::validateDynamicShapes() {
  const pkg::Package &p = *plan_;
  const auto &tensors = *p.tensors();
  bool required = false;
  if (p.required_features())
    for (const auto *f : *p.required_features()) required |= f->str() == kDynamicShapesFeature;
  const uint32_t symbols = p.dim_symbols() ? p.dim_symbols()->size() : 0;
  for (uint32_t s = 0; s < symbols; ++s) {
    const pkg::DimSymbol *sym = p.dim_symbols()->Get(s);
    if (!sym->name() || sym->name()->size() == 0 || sym->bound() < 1)
      fail("dim symbol #" + std::to_string(s) + " has no name or a bound below 1");
  }
  dim_symbols_.assign(tensors.size(), {});
  for (uint32_t i = 0; i < tensors.size(); ++i) {
    const pkg::Tensor *t = tensors[i];
    const std::string name = t->name() ? t->name()->str() : "#" + std::to_string(i);
    const size_t rank = shapes_[i].size();
    if (t->dim_symbols() && t->dim_symbols()->size() > 0) {
      if (t->dim_symbols()->size() != rank) fail("tensor '" + name + "' has dim symbols of another rank than its shape");
      for (uint32_t d = 0; d < rank; ++d) {
        const int32_t v = t->dim_symbols()->Get(d);
        if (v < -2 || (v >= 0 && uint32_t(v) >= symbols)) fail("tensor '" + name + "' refers to a dim symbol that does not exist");
        if (v >= 0 && p.dim_symbols()->Get(uint32_t(v))->bound() != shapes_[i][d])
          fail("tensor '" + name + "' dim " + std::to_string(d) + " is not its symbol's bound");
        if (v != -1 && t->storage() != pkg::Storage::Arena) fail("tensor '" + name + "' has a dynamic dim but is not in the arena");
      }
      dim_symbols_[i].assign(t->dim_symbols()->begin(), t->dim_symbols()->end());
    }
    if (t->view_of() != -1) {
      const int32_t src = t->view_of();
      if (src < 0 || uint32_t(src) >= tensors.size() || src == int32_t(i) || tensors[src]->storage() != t->storage() ||
          tensors[src]->dtype() != t->dtype())
        fail("tensor '" + name + "' is a view of a tensor that cannot hold it");
      // An absent rule is a scalar's (as an absent shape).
      const std::vector<int64_t> rule = t->view_shape() ? std::vector<int64_t>(t->view_shape()->begin(), t->view_shape()->end())
                                                        : std::vector<int64_t>{};
      if (rule.size() != rank) fail("tensor '" + name + "' has a view rule of another rank");
      int inferred = 0;
      for (int64_t v : rule) {
        if (v == -1) ++inferred;
        if (v <= -2 && uint64_t(-2 - v) >= shapes_[size_t(src)].size())
          fail("tensor '" + name + "' has a view rule that names a dim its source lacks");
      }
      if (inferred > 1) fail("tensor '" + name + "' has a view rule with two inferred dims");
    }
    if (!required && (!dim_symbols_[i].empty() || t->view_of() != -1))
      fail("tensor '" + name + "' has dynamic dims, but the package does not require '" +
           std::string(kDynamicShapesFeature) + "'");
  }
  if (!required && symbols) fail("the package has dim symbols but does not require '" + std::string(kDynamicShapesFeature) + "'");
  dynamic_ = required;
}

// Quantization parameters: the scheme against the tensor's shape, and the scale and
// zero-point tensors (Constant, by index) against the scheme, in count, shape and dtype.
void LoadedModel::validateQuant(uint32_t index, const std::string &name) {
  const auto &tensors = *plan_->tensors();
  const pkg::QuantInfo &q = *tensors[index]->quant();
  const std::vector<int64_t> &shape = shapes_[index];
  const int64_t rank = int64_t(shape.size());
  const std::string where = "tensor '" + name + "' quantization: ";
  const DTypeInfo *info = edgec::dtypeInfo(static_cast<unsigned>(tensors[index]->dtype()));
  if (q.scheme() == pkg::QuantScheme::None) {
    if (q.scales_tensor() != -1 || q.zero_points_tensor() != -1) fail(where + "scheme None with scale tensors");
    return;
  }
  const pkg::DType dt = tensors[index]->dtype();
  if (dt != pkg::DType::i8 && dt != pkg::DType::u8 && dt != pkg::DType::i16 && dt != pkg::DType::i32 &&
      dt != pkg::DType::i4 && dt != pkg::DType::u4)
    fail(where + "a quantized tensor must be i8, u8, i16, i32, i4 or u4, not " + info->name);
  const DTypeInfo *expressed = edgec::dtypeInfo(static_cast<unsigned>(q.expressed_type()));
  if (!expressed || !expressed->isFloat())
    fail(where + "the expressed type must be a float type, not " + (expressed ? expressed->name : "unknown"));
  // The scales' expected shape.
  std::vector<int64_t> expect;
  switch (q.scheme()) {
  case pkg::QuantScheme::PerTensor: break;
  case pkg::QuantScheme::PerAxis:
    if (q.axis() < 0 || q.axis() >= rank)
      fail(where + "axis " + std::to_string(q.axis()) + " is out of range for rank " + std::to_string(rank));
    expect = {shape[size_t(q.axis())]};
    break;
  case pkg::QuantScheme::Blockwise:
    if (q.block_size() <= 0) fail(where + "block size " + std::to_string(q.block_size()) + " must be positive");
    if (q.axis() < 0 || q.axis() >= rank)
      fail(where + "axis " + std::to_string(q.axis()) + " is out of range for rank " + std::to_string(rank));
    expect = shape;
    expect[size_t(q.axis())] = (shape[size_t(q.axis())] + q.block_size() - 1) / q.block_size();
    break;
  default: fail(where + "unknown scheme " + std::to_string(int(q.scheme())));
  }
  auto shapeStr = [](const std::vector<int64_t> &s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
    return out + "]";
  };
  auto param = [&](int32_t ref, const char *what) -> const pkg::Tensor * {
    if (ref < 0 || uint32_t(ref) >= tensors.size())
      fail(where + what + " tensor #" + std::to_string(ref) + " does not exist");
    const pkg::Tensor *t = tensors[uint32_t(ref)];
    if (t->storage() != pkg::Storage::Constant) fail(where + what + " tensor is not a constant");
    const std::vector<int64_t> &s = shapes_[uint32_t(ref)];
    uint64_t numel = 1;
    for (int64_t d : s) numel *= uint64_t(d);
    const bool ok = q.scheme() == pkg::QuantScheme::PerTensor ? numel == 1 && s.size() <= 1 : s == expect;
    if (!ok) {
      std::string want = q.scheme() == pkg::QuantScheme::PerTensor ? "one value" : shapeStr(expect);
      if (q.scheme() == pkg::QuantScheme::PerAxis)
        want = std::to_string(expect[0]) + " values (dim " + std::to_string(q.axis()) + "), shape " + want;
      fail(where + what + " have shape " + shapeStr(s) + " (" + std::to_string(numel) + " values), expected " + want);
    }
    return t;
  };
  const pkg::Tensor *scales = param(q.scales_tensor(), "scales");
  if (scales->dtype() != pkg::DType::f32 && scales->dtype() != pkg::DType::f16)
    fail(where + "scales must be f32 or f16, not " + edgec::dtypeInfo(unsigned(scales->dtype()))->name);
  if (q.zero_points_tensor() != -1) {
    const pkg::Tensor *zp = param(q.zero_points_tensor(), "zero points");
    if (zp->dtype() != dt)
      fail(where + "zero points must have the tensor's dtype " + info->name + ", not " +
           edgec::dtypeInfo(unsigned(zp->dtype()))->name);
  }
}

void LoadedModel::validateFunctions() {
  const pkg::Package &p = *plan_;
  const auto &tensors = *p.tensors();
  auto checkRefs = [&](const flatbuffers::Vector<int32_t> *refs, bool allowAbsent, const std::string &where) {
    if (!refs) return;
    for (int32_t r : *refs)
      if (!(allowAbsent && r == -1) && (r < 0 || uint32_t(r) >= tensors.size()))
        fail(where + " refers to tensor #" + std::to_string(r) + ", which does not exist");
  };
  arena_owner_.assign(tensors.size(), -1);
  bool hasMain = false, windowRequired = false, softcapRequired = false;
  if (p.required_features())
    for (const auto *f : *p.required_features()) {
      windowRequired |= f->str() == kAttentionWindowFeature;
      softcapRequired |= f->str() == kAttentionSoftcapFeature;
    }
  std::vector<std::string> names;
  for (uint32_t fi = 0; fi < p.functions()->size(); ++fi) {
    const pkg::Function *f = p.functions()->Get(fi);
    if (!f->name() || f->name()->size() == 0) fail("function #" + std::to_string(fi) + " has no name");
    std::string fname = f->name()->str();
    if (std::find(names.begin(), names.end(), fname) != names.end()) fail("two functions are named '" + fname + "'");
    names.push_back(fname);
    if (fname == "main") {
      hasMain = true;
      default_function_ = int(fi);
    }
    if (f->arena_size() > p.arena_size()) fail("function '" + fname + "' has an arena larger than the package's");
    if (f->arena_lower_bound() > f->arena_size())
      fail("function '" + fname + "' records an arena lower bound above its arena");
    checkRefs(f->inputs(), false, "function '" + fname + "' inputs");
    checkRefs(f->outputs(), false, "function '" + fname + "' outputs");
    if (f->inputs())
      for (int32_t r : *f->inputs())
        if (tensors[r]->storage() != pkg::Storage::Arena) fail("an input of function '" + fname + "' is not in the arena");
    if (!f->kernels()) fail("function '" + fname + "' has no kernel list");
    // Every arena tensor belongs to exactly one function and lies inside its arena.
    auto claim = [&](const flatbuffers::Vector<int32_t> *refs) {
      if (!refs) return;
      for (int32_t r : *refs) {
        if (r < 0 || tensors[r]->storage() != pkg::Storage::Arena) continue;
        if (arena_owner_[r] >= 0 && arena_owner_[r] != int(fi))
          fail("arena tensor '" + tensors[r]->name()->str() + "' is used by two functions");
        arena_owner_[r] = int(fi);
        if (tensors[r]->offset() > f->arena_size() || tensors[r]->size() > f->arena_size() - tensors[r]->offset())
          fail("tensor '" + tensors[r]->name()->str() + "' lies outside the arena of function '" + fname + "'");
      }
    };
    claim(f->inputs());
    claim(f->outputs());
    for (const pkg::Kernel *k : *f->kernels()) {
      std::string where = "kernel '" + (k->name() ? k->name()->str() : std::string("?")) + "'";
      if (!k->op()) fail(where + " has no op");
      checkRefs(k->inputs(), true, where);
      checkRefs(k->outputs(), false, where);
      claim(k->inputs());
      claim(k->outputs());
      if (k->outputs())
        for (int32_t r : *k->outputs())
          if (tensors[r]->storage() == pkg::Storage::Constant) fail(where + " writes a constant");
      if (!KernelRegistry::instance().has(k->op()->str()))
        fail(where + " uses op '" + k->op()->str() + "', which this runtime does not implement");
      if (k->op()->str() == "KVCacheAttention" && k->attrs()) {
        if (const pkg::Attr *w = k->attrs()->LookupByKey("window"); w && w->i() != 0 && !windowRequired)
          fail(where + " has a sliding window, but the package does not require '" +
               std::string(kAttentionWindowFeature) + "'");
        if (const pkg::Attr *c = k->attrs()->LookupByKey("softcap"); c && c->f() != 0.f && !softcapRequired)
          fail(where + " soft-caps its scores, but the package does not require '" +
               std::string(kAttentionSoftcapFeature) + "'");
      }
    }
  }
  if (!hasMain) default_function_ = 0;
}

}  // namespace edgec::rt
