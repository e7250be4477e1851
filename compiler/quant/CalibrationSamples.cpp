#include "quant/CalibrationSamples.h"

#include "quant/Npz.h"

#include "edgec/npy.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace edgec::quant {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string &path, const std::string &what) {
  throw CalibrationError(path + ": " + what);
}

bool endsWith(const std::string &s, const char *suffix) {
  const size_t n = std::char_traits<char>::length(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// numpy's spelling: (1, 3, 224, 224), (5,), ().
std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

std::string nameList(const std::vector<ModelInputSpec> &inputs) {
  std::string s;
  for (const ModelInputSpec &in : inputs) s += (s.empty() ? "'" : ", '") + in.name + "'";
  return s;
}

template <typename Keys> std::string keyList(const Keys &keys) {
  std::string s;
  for (const std::string &k : keys) s += (s.empty() ? "'" : ", '") + k + "'";
  return s;
}

// How many samples `a` holds for `input`, or an error naming the file, input and shapes.
size_t sampleCount(const std::string &path, const ModelInputSpec &input, const NpyArray &a) {
  const std::string what = "input '" + input.name + "': ";
  if (a.dtype != input.dtype)
    fail(path, what + "the array is " + dtypeName(a.dtype) + " but the model input is " +
                   dtypeName(input.dtype));
  const std::vector<int64_t> &s = input.shape;
  const size_t r = s.size();
  size_t count = 0;
  bool fits = false;
  if (a.shape == s) {
    count = 1;
    fits = true;
  } else if (r >= 1 && a.shape.size() == r && s[0] > 0 &&
             std::equal(s.begin() + 1, s.end(), a.shape.begin() + 1) && a.shape[0] % s[0] == 0) {
    count = size_t(a.shape[0] / s[0]);
    fits = true;
  } else if (a.shape.size() == r + 1 && std::equal(s.begin(), s.end(), a.shape.begin() + 1)) {
    count = size_t(a.shape[0]);
    fits = true;
  }
  if (!fits) {
    std::string batch, stack;
    std::vector<int64_t> t = s;
    t.insert(t.begin(), 0);
    stack = shapeString(t);
    stack.replace(1, 1, "N");
    std::string expected = shapeString(s);
    if (r >= 1) {
      batch = shapeString(s);
      batch.replace(1, std::to_string(s[0]).size(), "k*" + std::to_string(s[0]));
      expected += ", a batch " + batch;
    }
    fail(path, what + "the array's shape " + shapeString(a.shape) + " does not fit the model input's shape " +
                   shapeString(s) + " (expected " + expected + " or a stack " + stack + ")");
  }
  if (count == 0) fail(path, what + "the array's shape " + shapeString(a.shape) + " holds no samples");
  return count;
}

}  // namespace

std::vector<CalibrationSample> readCalibrationFile(const std::string &path,
                                                   const std::vector<ModelInputSpec> &inputs) {
  std::map<std::string, NpyArray> arrays;
  try {
    if (endsWith(path, ".npy")) {
      if (inputs.size() != 1)
        fail(path, "an .npy file holds one array, but the model has " + std::to_string(inputs.size()) +
                       " inputs (" + nameList(inputs) +
                       "); save each sample as an .npz keyed by input name (np.savez(file, name=array, ...))");
      arrays.emplace(inputs[0].name, readNpy(path));
    } else {
      arrays = readNpz(path);
      std::vector<std::string> missing, extra, keys;
      for (const ModelInputSpec &in : inputs)
        if (!arrays.count(in.name)) missing.push_back(in.name);
      for (const auto &kv : arrays) {
        keys.push_back(kv.first);
        if (std::none_of(inputs.begin(), inputs.end(), [&](const ModelInputSpec &in) { return in.name == kv.first; }))
          extra.push_back(kv.first);
      }
      if (!missing.empty()) {
        std::string msg = "no array for model input" + std::string(missing.size() > 1 ? "s " : " ") + keyList(missing);
        if (extra.empty()) msg += " (the file has " + (keys.empty() ? std::string("no arrays") : keyList(keys)) + ")";
        else msg += "; the file has " + keyList(extra) + ", which is no model input (a misspelt name?)";
        fail(path, msg);
      }
      if (!extra.empty())
        fail(path, "array" + std::string(extra.size() > 1 ? "s " : " ") + keyList(extra) +
                       (extra.size() > 1 ? " are" : " is") + " no model input (the inputs are " + nameList(inputs) +
                       "; a misspelt name?)");
    }
  } catch (const CalibrationError &) {
    throw;
  } catch (const std::runtime_error &e) {
    // readNpy and readNpz errors already start with the path.
    throw CalibrationError(e.what());
  }

  size_t count = 0;
  std::string counts;
  bool differ = false;
  for (const ModelInputSpec &in : inputs) {
    size_t n = sampleCount(path, in, arrays.at(in.name));
    if (count && n != count) differ = true;
    count = count ? count : n;
    counts += (counts.empty() ? "" : ", ") + in.name + ": " + std::to_string(n);
  }
  if (differ) fail(path, "the inputs hold different numbers of samples (" + counts + ")");

  std::vector<CalibrationSample> samples(count);
  for (size_t k = 0; k < count; ++k)
    samples[k].source = count == 1 ? path : path + "[" + std::to_string(k) + "]";
  for (const ModelInputSpec &in : inputs) {
    const std::vector<uint8_t> &data = arrays.at(in.name).data;
    const size_t bytes = data.size() / count;  // shape checks above make this exact
    for (size_t k = 0; k < count; ++k)
      samples[k].inputs.emplace(in.name, std::vector<uint8_t>(data.begin() + k * bytes, data.begin() + (k + 1) * bytes));
  }
  return samples;
}

CalibrationSamples CalibrationSamples::open(const std::string &dir, const std::vector<ModelInputSpec> &inputs,
                                            size_t maxSamples) {
  if (inputs.empty()) fail(dir, "the model has no inputs to calibrate with");
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (ec || !fs::exists(st)) {
    if (ec && ec != std::errc::no_such_file_or_directory) fail(dir, "cannot read the calibration folder (" + ec.message() + ")");
    fail(dir, "calibration folder does not exist");
  }
  if (!fs::is_directory(st)) fail(dir, "is not a folder (--calib takes a folder of .npy/.npz files)");

  std::vector<std::string> names;
  size_t others = 0;
  fs::directory_iterator it(dir, ec), end;
  if (ec) fail(dir, "cannot list the calibration folder (" + ec.message() + ")");
  for (; it != end; it.increment(ec)) {
    if (ec) fail(dir, "cannot list the calibration folder (" + ec.message() + ")");
    const std::string name = it->path().filename().string();
    std::error_code dirEc;
    const bool isDir = it->is_directory(dirEc);
    if (!isDir && (endsWith(name, ".npy") || endsWith(name, ".npz"))) names.push_back(name);
    else ++others;
  }
  if (ec) fail(dir, "cannot list the calibration folder (" + ec.message() + ")");
  if (names.empty()) {
    if (others == 0) fail(dir, "calibration folder is empty (expected .npy or .npz files)");
    fail(dir, "no .npy or .npz files in the calibration folder (" + std::to_string(others) +
                  " other entr" + (others == 1 ? "y" : "ies") + " ignored)");
  }
  std::sort(names.begin(), names.end());

  CalibrationSamples set;
  set.inputs_ = inputs;
  for (const std::string &name : names) {
    if (maxSamples && set.count_ >= maxSamples) break;
    const std::string path = (fs::path(dir) / name).string();
    size_t n = readCalibrationFile(path, inputs).size();
    if (maxSamples) n = std::min(n, maxSamples - set.count_);
    set.files_.emplace_back(path, n);
    set.count_ += n;
  }
  return set;
}

void CalibrationSamples::forEach(const std::function<void(size_t, const CalibrationSample &)> &fn) const {
  size_t index = 0;
  for (const auto &[path, n] : files_) {
    std::vector<CalibrationSample> samples = readCalibrationFile(path, inputs_);
    if (samples.size() < n) fail(path, "changed during calibration (fewer samples than when first read)");
    for (size_t k = 0; k < n; ++k) fn(index++, samples[k]);
  }
}

std::vector<CalibrationSample> CalibrationSamples::loadAll() const {
  std::vector<CalibrationSample> all;
  all.reserve(count_);
  forEach([&](size_t, const CalibrationSample &s) { all.push_back(s); });
  return all;
}

}  // namespace edgec::quant
