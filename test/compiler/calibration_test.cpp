// The calibration library (compiler/quant): samples from .npy/.npz folders (real files:
// .npy from the runtime's writer, .npz from Debian's numpy, stored and deflated) with every
// error the user can meet, and quantization ranges by each method against the raw data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "edgec/npy.h"
#include "quant/CalibrationSamples.h"
#include "quant/Npz.h"
#include "quant/RangeEstimator.h"

#ifndef EDGEC_NUMPY_PYTHON
#define EDGEC_NUMPY_PYTHON "/usr/bin/python3"
#endif

namespace {

using namespace edgec;
using namespace edgec::quant;
namespace fs = std::filesystem;

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "in: " << (text) << "\nmissing: " << (part)

// ---- helpers --------------------------------------------------------------------

class TempDir {
public:
  TempDir() {
    char tmpl[] = "/tmp/edgec-calib-XXXXXX";
    const char *d = ::mkdtemp(tmpl);
    if (!d) std::abort();
    path_ = d;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string &path() const { return path_; }
  std::string operator/(const std::string &name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

template <typename T> NpyArray makeArray(edgec_dtype dtype, std::vector<int64_t> shape, const std::vector<T> &values) {
  NpyArray a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.data.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}

std::vector<float> iota(size_t n, float start = 0) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + float(i);
  return v;
}

template <typename T> std::vector<T> asVector(const std::vector<uint8_t> &bytes) {
  std::vector<T> v(bytes.size() / sizeof(T));
  if (!bytes.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

// Runs a numpy script (Debian's python3, which has numpy) with `dir` as its working folder.
void python(const std::string &dir, const std::string &script) {
  const std::string file = dir + "/.make.py";
  {
    std::ofstream out(file);
    out << "import numpy as np, zipfile, io\n" << script << "\n";
  }
  const std::string cmd = "cd '" + dir + "' && " EDGEC_NUMPY_PYTHON " .make.py";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << script;
  fs::remove(file);
}

std::string loadError(const std::string &dir, const std::vector<ModelInputSpec> &inputs) {
  try {
    CalibrationSamples::open(dir, inputs);
  } catch (const CalibrationError &e) {
    return e.what();
  }
  return "(no error)";
}

std::vector<uint8_t> readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}
void writeBytes(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
}
size_t findSignature(const std::vector<uint8_t> &b, uint32_t sig, size_t from = 0) {
  for (size_t i = from; i + 4 <= b.size(); ++i)
    if (b[i] == (sig & 0xff) && b[i + 1] == ((sig >> 8) & 0xff) && b[i + 2] == ((sig >> 16) & 0xff) && b[i + 3] == (sig >> 24))
      return i;
  return std::string::npos;
}

const ModelInputSpec kImage{"image", EDGEC_F32, {1, 3}};
const std::vector<ModelInputSpec> kTwoInputs = {{"x", EDGEC_F32, {1, 3}}, {"y", EDGEC_I64, {2}}};

// ---- samples: .npy --------------------------------------------------------------

TEST(CalibrationSamples, NpyOneSamplePerFileInNameOrder) {
  TempDir dir;
  writeNpy(dir / "b.npy", makeArray(EDGEC_F32, {1, 3}, iota(3, 10)));
  writeNpy(dir / "a.npy", makeArray(EDGEC_F32, {1, 3}, iota(3, 0)));
  std::ofstream(dir / "README.txt") << "ignored";
  std::ofstream(dir / "c.NPY") << "ignored: upper case";
  fs::create_directory(dir / "sub.npy");  // a folder is ignored, whatever its name
  CalibrationSamples set = CalibrationSamples::open(dir.path(), {kImage});
  ASSERT_EQ(set.size(), 2u);
  std::vector<CalibrationSample> all = set.loadAll();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].source, dir / "a.npy");
  EXPECT_EQ(all[1].source, dir / "b.npy");
  EXPECT_EQ(asVector<float>(all[0].inputs.at("image")), iota(3, 0));
  EXPECT_EQ(asVector<float>(all[1].inputs.at("image")), iota(3, 10));
}

TEST(CalibrationSamples, NpyBatchAlongAxis0) {
  TempDir dir;
  // Rank equal to the input's, dim 0 a multiple of the input's dim 0.
  writeNpy(dir / "a.npy", makeArray(EDGEC_F32, {4, 3}, iota(12)));
  std::vector<CalibrationSample> s = CalibrationSamples::open(dir.path(), {kImage}).loadAll();
  ASSERT_EQ(s.size(), 4u);
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(asVector<float>(s[k].inputs.at("image")), iota(3, float(3 * k)));
    EXPECT_EQ(s[k].source, dir / "a.npy" + "[" + std::to_string(k) + "]");
  }
  // An input with batch 2: a (6, 3) array is three samples of two rows.
  s = CalibrationSamples::open(dir.path(), {{"image", EDGEC_F32, {2, 3}}}).loadAll();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(asVector<float>(s[1].inputs.at("image")), iota(6, 6));
}

TEST(CalibrationSamples, NpyStackOfSamples) {
  TempDir dir;
  // Rank one more than the input's: a stack of samples.
  writeNpy(dir / "a.npy", makeArray(EDGEC_F32, {5, 1, 3}, iota(15)));
  std::vector<CalibrationSample> s = CalibrationSamples::open(dir.path(), {kImage}).loadAll();
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(asVector<float>(s[4].inputs.at("image")), iota(3, 12));
  // The same file for an input of its own shape: one sample.
  s = CalibrationSamples::open(dir.path(), {{"image", EDGEC_F32, {5, 1, 3}}}).loadAll();
  EXPECT_EQ(s.size(), 1u);
  // A scalar input: a 1-D array is a stack of scalars.
  writeNpy(dir / "a.npy", makeArray(EDGEC_F32, {4}, iota(4)));
  s = CalibrationSamples::open(dir.path(), {{"image", EDGEC_F32, {}}}).loadAll();
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(asVector<float>(s[3].inputs.at("image")), std::vector<float>{3.0f});
}

TEST(CalibrationSamples, MaxSamplesStopsEarly) {
  TempDir dir;
  writeNpy(dir / "a.npy", makeArray(EDGEC_F32, {4, 3}, iota(12)));
  writeNpy(dir / "b.npy", makeArray(EDGEC_F32, {4, 3}, iota(12)));
  std::ofstream(dir / "c.npy") << "damaged, but past the limit: not read";
  CalibrationSamples set = CalibrationSamples::open(dir.path(), {kImage}, 6);
  EXPECT_EQ(set.size(), 6u);
  ASSERT_EQ(set.files().size(), 2u);
  EXPECT_EQ(set.files()[1].second, 2u);
  size_t seen = 0;
  set.forEach([&](size_t i, const CalibrationSample &) { EXPECT_EQ(i, seen++); });
  EXPECT_EQ(seen, 6u);
}

// ---- samples: .npz from numpy ---------------------------------------------------

TEST(CalibrationSamples, NpzStoredAndCompressedFromNumpy) {
  TempDir dir;
  python(dir.path(), R"(
np.savez('a.npz', x=np.arange(3, dtype=np.float32).reshape(1, 3), y=np.array([7, -8], dtype=np.int64))
# a batch of 3 along axis 0 (x: rank equal, y: a stack), deflated; large enough to compress
x = (np.arange(9, dtype=np.float32).reshape(3, 3) + 100)
y = np.arange(6, dtype=np.int64).reshape(3, 2) * 1000
np.savez_compressed('b.npz', x=x, y=y)
np.savez_compressed('c.npz', x=np.zeros((300, 3), np.float32), y=np.ones((300, 2), np.int64))
)");
  std::vector<CalibrationSample> s = CalibrationSamples::open(dir.path(), kTwoInputs).loadAll();
  ASSERT_EQ(s.size(), 1u + 3u + 300u);
  EXPECT_EQ(asVector<float>(s[0].inputs.at("x")), iota(3));
  EXPECT_EQ(asVector<int64_t>(s[0].inputs.at("y")), (std::vector<int64_t>{7, -8}));
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(asVector<float>(s[1 + k].inputs.at("x")), iota(3, 100 + 3.0f * k));
    EXPECT_EQ(asVector<int64_t>(s[1 + k].inputs.at("y")), (std::vector<int64_t>{int64_t(2000 * k), int64_t(2000 * k + 1000)}));
  }
  EXPECT_EQ(asVector<int64_t>(s.back().inputs.at("y")), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(s[2].source, dir / "b.npz[1]");
  // The archives really are stored and deflated.
  EXPECT_EQ(readZip(dir / "a.npz").size(), 2u);
  std::vector<uint8_t> b = readBytes(dir / "b.npz");
  EXPECT_EQ(b[8], 8) << "b.npz's first entry should be deflated";
  std::vector<uint8_t> a = readBytes(dir / "a.npz");
  EXPECT_EQ(a[8], 0) << "a.npz's first entry should be stored";
}

TEST(CalibrationSamples, NpzKeysWithOrWithoutNpySuffix) {
  TempDir dir;
  python(dir.path(), R"(
def npy(a):
    f = io.BytesIO(); np.save(f, a); return f.getvalue()
with zipfile.ZipFile('a.npz', 'w') as z:
    z.writestr('x', npy(np.ones((1, 3), np.float32)))
    z.writestr('y.npy', npy(np.zeros(2, np.int64)))
)");
  std::vector<CalibrationSample> s = CalibrationSamples::open(dir.path(), kTwoInputs).loadAll();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(asVector<float>(s[0].inputs.at("x")), std::vector<float>(3, 1.0f));
}

// ---- samples: errors ------------------------------------------------------------

TEST(CalibrationErrors, FolderProblems) {
  TempDir dir;
  std::string e = loadError(dir / "missing", {kImage});
  EXPECT_CONTAINS(e, dir / "missing");
  EXPECT_CONTAINS(e, "does not exist");

  e = loadError(dir.path(), {kImage});
  EXPECT_CONTAINS(e, dir.path());
  EXPECT_CONTAINS(e, "is empty");

  std::ofstream(dir / "notes.txt") << "x";
  fs::create_directory(dir / "sub");
  e = loadError(dir.path(), {kImage});
  EXPECT_CONTAINS(e, dir.path());
  EXPECT_CONTAINS(e, "no .npy or .npz files");
  EXPECT_CONTAINS(e, "2 other entries ignored");

  e = loadError(dir / "notes.txt", {kImage});
  EXPECT_CONTAINS(e, dir / "notes.txt");
  EXPECT_CONTAINS(e, "is not a folder");

  // Tests run as root too, where permissions do not stop reading: a dangling link is a
  // file that cannot be opened whoever asks.
  fs::create_symlink(dir / "nowhere.npy", dir / "a.npy");
  e = loadError(dir.path(), {kImage});
  EXPECT_CONTAINS(e, dir / "a.npy");
  EXPECT_CONTAINS(e, "cannot open");
}

TEST(CalibrationErrors, UnreadableFolder) {
  TempDir dir;
  std::ofstream(dir / "file") << "x";
  std::string e = loadError(dir / "file/sub", {kImage});  // through a file: ENOTDIR
  EXPECT_CONTAINS(e, dir / "file/sub");
  EXPECT_CONTAINS(e, "cannot read the calibration folder");
  if (::geteuid() != 0) {  // root reads any folder
    fs::create_directory(dir / "locked");
    fs::permissions(dir / "locked", fs::perms::none);
    e = loadError(dir / "locked", {kImage});
    fs::permissions(dir / "locked", fs::perms::owner_all);
    EXPECT_CONTAINS(e, dir / "locked");
    EXPECT_CONTAINS(e, "cannot list");
  }
}

TEST(CalibrationErrors, CorruptNpy) {
  TempDir dir;
  std::ofstream(dir / "a.npy") << "this is not numpy";
  std::string e = loadError(dir.path(), {kImage});
  EXPECT_CONTAINS(e, dir / "a.npy");
  EXPECT_CONTAINS(e, "not a .npy file");

  // A header promising more data than the file has.
  writeNpy(dir / "a.npy", makeArray(EDGEC_F32, {1, 3}, iota(3)));
  std::vector<uint8_t> bytes = readBytes(dir / "a.npy");
  bytes.resize(bytes.size() - 4);
  writeBytes(dir / "a.npy", bytes);
  e = loadError(dir.path(), {kImage});
  EXPECT_CONTAINS(e, dir / "a.npy");
  EXPECT_CONTAINS(e, "truncated data");
}

TEST(CalibrationErrors, NpyNeedsASingleInputModel) {
  TempDir dir;
  writeNpy(dir / "a.npy", makeArray(EDGEC_F32, {1, 3}, iota(3)));
  std::string e = loadError(dir.path(), kTwoInputs);
  EXPECT_CONTAINS(e, dir / "a.npy");
  EXPECT_CONTAINS(e, "2 inputs ('x', 'y')");
  EXPECT_CONTAINS(e, ".npz");
}

TEST(CalibrationErrors, NpzMissingOrUnknownInput) {
  TempDir dir;
  python(dir.path(), "np.savez('a.npz', x=np.zeros((1, 3), np.float32))");
  std::string e = loadError(dir.path(), kTwoInputs);
  EXPECT_CONTAINS(e, dir / "a.npz");
  EXPECT_CONTAINS(e, "no array for model input 'y'");
  EXPECT_CONTAINS(e, "the file has 'x'");

  python(dir.path(), "np.savez('a.npz', x=np.zeros((1, 3), np.float32), y=np.zeros(2, np.int64), z=np.zeros(1))");
  e = loadError(dir.path(), kTwoInputs);
  EXPECT_CONTAINS(e, dir / "a.npz");
  EXPECT_CONTAINS(e, "array 'z' is no model input");
  EXPECT_CONTAINS(e, "'x', 'y'");

  // A typo: both at once.
  python(dir.path(), "np.savez('a.npz', x=np.zeros((1, 3), np.float32), yy=np.zeros(2, np.int64))");
  e = loadError(dir.path(), kTwoInputs);
  EXPECT_CONTAINS(e, "no array for model input 'y'");
  EXPECT_CONTAINS(e, "'yy', which is no model input");
}

TEST(CalibrationErrors, DtypeMismatch) {
  TempDir dir;
  python(dir.path(), "np.savez('a.npz', x=np.zeros((1, 3)), y=np.zeros(2, np.int64))");  // x float64
  std::string e = loadError(dir.path(), kTwoInputs);
  EXPECT_CONTAINS(e, dir / "a.npz");
  EXPECT_CONTAINS(e, "input 'x'");
  EXPECT_CONTAINS(e, "the array is float64 but the model input is float32");
}

TEST(CalibrationErrors, ShapeMismatch) {
  TempDir dir;
  writeNpy(dir / "a.npy", makeArray(EDGEC_F32, {2, 4}, iota(8)));
  std::string e = loadError(dir.path(), {kImage});
  EXPECT_CONTAINS(e, dir / "a.npy");
  EXPECT_CONTAINS(e, "input 'image'");
  EXPECT_CONTAINS(e, "(2, 4)");
  EXPECT_CONTAINS(e, "(1, 3)");

  // Dim 0 not a multiple of the input's.
  writeNpy(dir / "a.npy", makeArray(EDGEC_F32, {3, 3}, iota(9)));
  e = loadError(dir.path(), {{"image", EDGEC_F32, {2, 3}}});
  EXPECT_CONTAINS(e, "the array's shape (3, 3) does not fit the model input's shape (2, 3)");

  // An empty batch.
  writeNpy(dir / "a.npy", makeArray(EDGEC_F32, {0, 3}, std::vector<float>{}));
  e = loadError(dir.path(), {kImage});
  EXPECT_CONTAINS(e, dir / "a.npy");
  EXPECT_CONTAINS(e, "holds no samples");
}

TEST(CalibrationErrors, NpzInputsWithDifferentSampleCounts) {
  TempDir dir;
  python(dir.path(), "np.savez('a.npz', x=np.zeros((4, 3), np.float32), y=np.zeros((2, 2), np.int64))");
  std::string e = loadError(dir.path(), kTwoInputs);
  EXPECT_CONTAINS(e, dir / "a.npz");
  EXPECT_CONTAINS(e, "different numbers of samples (x: 4, y: 2)");
}

TEST(CalibrationErrors, DamagedNpz) {
  TempDir dir;
  const std::vector<ModelInputSpec> one = {{"x", EDGEC_F32, {1, 3}}};
  std::ofstream(dir / "a.npz") << "garbage that is no zip archive at all";
  std::string e = loadError(dir.path(), one);
  EXPECT_CONTAINS(e, dir / "a.npz");
  EXPECT_CONTAINS(e, "not a zip archive");

  python(dir.path(), R"(
np.savez('s.npz', x=np.arange(3, dtype=np.float32).reshape(1, 3))
np.savez_compressed('d.npz', x=np.random.default_rng(0).standard_normal((1000, 3)).astype(np.float32))
)");
  const std::vector<uint8_t> stored = readBytes(dir / "s.npz"), deflated = readBytes(dir / "d.npz");
  fs::remove(dir / "a.npz");
  fs::remove(dir / "d.npz");
  ASSERT_EQ(loadError(dir.path(), one), "(no error)");

  auto expectError = [&](std::vector<uint8_t> bytes, const std::string &what) {
    writeBytes(dir / "s.npz", bytes);
    std::string msg = loadError(dir.path(), one);
    EXPECT_CONTAINS(msg, dir / "s.npz");
    EXPECT_CONTAINS(msg, what);
  };
  // A flipped byte in the array data: the CRC catches it.
  std::vector<uint8_t> b = stored;
  const size_t npy = findSignature(b, 0x4d554e93);  // "\x93NUM"
  ASSERT_NE(npy, std::string::npos);
  b[npy + 10 + (b[npy + 8] | (b[npy + 9] << 8)) + 1] ^= 0x40;  // a byte of the array data
  expectError(b, "CRC-32 mismatch");
  // Truncated: the end of central directory record is gone.
  b.assign(stored.begin(), stored.end() - 10);
  expectError(b, "not a zip archive");
  // Central directory offset out of the file.
  b = stored;
  b[findSignature(b, 0x06054b50) + 16] = 0xf0;
  expectError(b, "central directory outside the file");
  // A zip64 archive (sizes 0xffffffff in the central directory).
  b = stored;
  std::memset(&b[findSignature(b, 0x02014b50) + 20], 0xff, 8);
  expectError(b, "zip64 archives");
  // An unsupported compression method (12: bzip2).
  b = stored;
  b[findSignature(b, 0x02014b50) + 10] = 12;
  b[findSignature(b, 0x04034b50) + 8] = 12;
  expectError(b, "compression method 12 is not supported");
  // Damaged deflate data.
  b = deflated;
  for (size_t i = 200; i < 230; ++i) b[i] ^= 0x5a;
  expectError(b, "entry 'x.npy'");
  // An entry that is no .npy.
  python(dir.path(), "zipfile.ZipFile('s.npz', 'w').writestr('x.npy', b'not numpy')");
  std::string msg = loadError(dir.path(), one);
  EXPECT_CONTAINS(msg, dir / "s.npz");
  EXPECT_CONTAINS(msg, "entry 'x.npy'");
  EXPECT_CONTAINS(msg, "not a .npy file");
  // An entry with bytes after its array, and one whose header promises 10^12 values (an
  // error before any allocation).
  python(dir.path(), R"(
f = io.BytesIO(); np.save(f, np.ones((1, 3), np.float32))
zipfile.ZipFile('s.npz', 'w').writestr('x.npy', f.getvalue() + b'extra')
)");
  msg = loadError(dir.path(), one);
  EXPECT_CONTAINS(msg, "entry 'x.npy'");
  EXPECT_CONTAINS(msg, "5 bytes after the array data");
  python(dir.path(), R"(
h = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }".ljust(117) + "\n"
zipfile.ZipFile('s.npz', 'w').writestr('x.npy', b'\x93NUMPY\x01\x00' + bytes([len(h), 0]) + h.encode() + b'\0' * 12)
)");
  msg = loadError(dir.path(), one);
  EXPECT_CONTAINS(msg, "entry 'x.npy'");
  EXPECT_CONTAINS(msg, "truncated data: expected 4000000000000 bytes");
  // Two arrays with the same key.
  python(dir.path(), R"(
def npy(a):
    f = io.BytesIO(); np.save(f, a); return f.getvalue()
with zipfile.ZipFile('s.npz', 'w') as z:
    z.writestr('x', npy(np.ones((1, 3), np.float32)))
    z.writestr('x.npy', npy(np.ones((1, 3), np.float32)))
)");
  msg = loadError(dir.path(), one);
  EXPECT_CONTAINS(msg, dir / "s.npz");
  EXPECT_CONTAINS(msg, "a second array named 'x'");
}

// ---- ranges ---------------------------------------------------------------------

CalibConfig config(CalibMethod method) {
  CalibConfig c;
  c.method = method;
  return c;
}
const CalibMethod kAllMethods[] = {CalibMethod::MinMax, CalibMethod::Percentile, CalibMethod::Entropy, CalibMethod::Mse};

std::vector<float> gaussian(size_t n, uint32_t seed, float sigma = 1.0f, float mean = 0.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(mean, sigma);
  std::vector<float> v(n);
  for (float &x : v) x = dist(rng);
  return v;
}
std::vector<float> relu(std::vector<float> v) {
  for (float &x : v) x = std::max(x, 0.0f);
  return v;
}

TensorRange rangeOf(const CalibConfig &c, const std::vector<float> &data) {
  RangeEstimator est(c);
  est.observe("t", data.data(), data.size());
  return est.ranges().at("t");
}

double histogramWidth(const CalibConfig &c, const std::vector<float> &data) {
  RangeEstimator est(c);
  est.observe("t", data.data(), data.size());
  return std::ldexp(1.0, est.histogram("t")->widthExp);
}

TEST(CalibMethodSpec, ParsesTheChoicesAndRejectsTheRest) {
  EXPECT_EQ(parseCalibMethod("minmax").method, CalibMethod::MinMax);
  EXPECT_EQ(parseCalibMethod("entropy").method, CalibMethod::Entropy);
  EXPECT_EQ(parseCalibMethod("mse").method, CalibMethod::Mse);
  CalibConfig p = parseCalibMethod("percentile");
  EXPECT_EQ(p.method, CalibMethod::Percentile);
  EXPECT_EQ(p.percentile, 99.99);
  EXPECT_EQ(parseCalibMethod("percentile:99.9").percentile, 99.9);
  EXPECT_EQ(parseCalibMethod("percentile:100").percentile, 100);
  EXPECT_EQ(calibMethodString(parseCalibMethod("percentile:99.9")), "percentile:99.9");
  EXPECT_EQ(calibMethodString(parseCalibMethod("mse")), "mse");
  for (const char *bad : {"max", "", "Entropy", "percentile:", "percentile:0", "percentile:101", "percentile:abc",
                          "percentile:99x", "percentile:nan"}) {
    try {
      parseCalibMethod(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const CalibrationError &e) {
      EXPECT_CONTAINS(e.what(), "'" + std::string(bad) + "'");
      if (std::string(bad).rfind("percentile:", 0) == 0) {
        EXPECT_CONTAINS(e.what(), "(0, 100]");
      } else {
        EXPECT_CONTAINS(e.what(), "minmax, percentile, percentile:P (0 < P <= 100, default 99.99), entropy or mse");
      }
    }
  }
}

TEST(RangeEstimator, RejectsBadConfigurations) {
  CalibConfig c;
  c.bins = 1000;
  EXPECT_THROW(RangeEstimator{c}, CalibrationError);
  c.bins = 128;
  EXPECT_THROW(RangeEstimator{c}, CalibrationError);
  c = CalibConfig();
  c.quantBits = 1;
  EXPECT_THROW(RangeEstimator{c}, CalibrationError);
}

TEST(RangeEstimator, MinMaxIsExact) {
  std::vector<float> v = gaussian(10000, 1);
  TensorRange r = rangeOf(config(CalibMethod::MinMax), v);
  EXPECT_EQ(r.lo, *std::min_element(v.begin(), v.end()));
  EXPECT_EQ(r.hi, *std::max_element(v.begin(), v.end()));
  EXPECT_EQ(r.min, r.lo);
  EXPECT_EQ(r.count, 10000u);
  CalibConfig sym = config(CalibMethod::MinMax);
  sym.symmetric = true;
  r = rangeOf(sym, v);
  EXPECT_EQ(r.hi, std::max(-*std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end())));
  EXPECT_EQ(r.lo, -r.hi);
}

TEST(RangeEstimator, RangeAlwaysContainsZero) {
  // Data far from zero (entropy's search must not saturate it either: see the header).
  for (CalibMethod m : kAllMethods) {
    std::vector<float> positive = gaussian(5000, 2, 0.5f, 10.0f), negative = gaussian(5000, 3, 0.5f, -10.0f);
    TensorRange r = rangeOf(config(m), positive);
    EXPECT_EQ(r.lo, 0.0f);
    EXPECT_GT(r.hi, 11.0f) << calibMethodString(config(m));
    r = rangeOf(config(m), negative);
    EXPECT_EQ(r.hi, 0.0f);
    EXPECT_LT(r.lo, -11.0f) << calibMethodString(config(m));
  }
}

TEST(RangeEstimator, ReluDataStartsAtZero) {
  std::vector<float> v = relu(gaussian(50000, 4));
  for (CalibMethod m : kAllMethods) {
    TensorRange r = rangeOf(config(m), v);
    EXPECT_EQ(r.lo, 0.0f) << calibMethodString(config(m));
    EXPECT_GT(r.hi, 1.0f) << calibMethodString(config(m));
    EXPECT_LE(r.hi, r.max) << calibMethodString(config(m));
  }
}

TEST(RangeEstimator, ConstantZeroAndNonFinite) {
  const float eps = std::ldexp(1.0f, -23);
  for (CalibMethod m : kAllMethods) {
    std::vector<float> zeros(100, 0.0f);
    zeros[3] = -0.0f;
    TensorRange r = rangeOf(config(m), zeros);
    EXPECT_EQ(r.lo, 0.0f);
    EXPECT_FLOAT_EQ(r.hi, 255 * eps);
    CalibConfig sym = config(m);
    sym.symmetric = true;
    r = rangeOf(sym, zeros);
    EXPECT_FLOAT_EQ(r.hi, 127 * eps);
    EXPECT_FLOAT_EQ(r.lo, -127 * eps);

    std::vector<float> v = {1.0f, NAN, -2.0f, INFINITY, -INFINITY, 0.5f};
    r = rangeOf(config(m), v);
    EXPECT_EQ(r.count, 3u);
    EXPECT_EQ(r.nonFinite, 3u);
    EXPECT_EQ(r.min, -2.0f);
    EXPECT_EQ(r.max, 1.0f);
    EXPECT_TRUE(std::isfinite(r.lo) && std::isfinite(r.hi));

    std::vector<float> nan(10, NAN);
    r = rangeOf(config(m), nan);
    EXPECT_EQ(r.count, 0u);
    EXPECT_EQ(r.nonFinite, 10u);
    EXPECT_EQ(r.lo, 0.0f);
    EXPECT_FLOAT_EQ(r.hi, 255 * eps);
  }
}

TEST(RangeEstimator, OnlyObservedTensorsHaveRanges) {
  RangeEstimator est(config(CalibMethod::Entropy));
  EXPECT_TRUE(est.ranges().empty());
  std::vector<float> v = {1, 2, 3};
  est.observe("a", v.data(), v.size());
  std::map<std::string, TensorRange> r = est.ranges();
  EXPECT_EQ(r.size(), 1u);
  EXPECT_EQ(r.count("a"), 1u);
  EXPECT_EQ(est.histogram("b"), nullptr);
}

// numpy.percentile(x, p) (linear interpolation).
double numpyPercentile(std::vector<double> x, double p) {
  std::sort(x.begin(), x.end());
  const double rank = p / 100 * double(x.size() - 1);
  const size_t j = size_t(rank);
  return j + 1 < x.size() ? x[j] + (rank - double(j)) * (x[j + 1] - x[j]) : x[j];
}

TEST(RangeEstimator, PercentileMatchesNumpyWithinABin) {
  for (double p : {99.0, 99.9, 99.99, 50.0}) {
    CalibConfig c = config(CalibMethod::Percentile);
    c.percentile = p;
    // Non-negative data: [0, percentile(x)].
    std::vector<float> v = relu(gaussian(200000, 5));
    std::vector<double> d(v.begin(), v.end());
    TensorRange r = rangeOf(c, v);
    const double width = histogramWidth(c, v);
    EXPECT_EQ(r.lo, 0.0f);
    EXPECT_NEAR(r.hi, numpyPercentile(d, p), width) << "p=" << p;
    // Signed data: T = percentile(|x|), range [max(min, -T), min(max, T)].
    v = gaussian(200000, 6, 2.0f, 0.5f);
    std::vector<double> absd;
    for (float x : v) absd.push_back(std::fabs(double(x)));
    r = rangeOf(c, v);
    const double t = numpyPercentile(absd, p);
    EXPECT_NEAR(r.hi, std::min(double(r.max), t), histogramWidth(c, v)) << "p=" << p;
    EXPECT_NEAR(r.lo, std::max(double(r.min), -t), histogramWidth(c, v)) << "p=" << p;
  }
  CalibConfig all = config(CalibMethod::Percentile);
  all.percentile = 100;
  std::vector<float> v = gaussian(1000, 7);
  TensorRange r = rangeOf(all, v);
  EXPECT_EQ(r.hi, r.max);
  EXPECT_EQ(r.lo, r.min);
}

// The quantizer RangeEstimator.h defines for mse, on raw data.
double rawMse(const std::vector<float> &v, double lo, double hi, int bits = 8) {
  const double levels = std::ldexp(1.0, bits) - 1, scale = (hi - lo) / levels;
  const double zero = std::min(levels, std::max(0.0, std::nearbyint(-lo / scale)));
  double sum = 0;
  for (float xf : v) {
    const double x = xf;
    const double q = scale * (std::min(levels, std::max(0.0, std::nearbyint(x / scale) + zero)) - zero);
    sum += (x - q) * (x - q);
  }
  return sum / double(v.size());
}

TEST(RangeEstimator, MseIsWithinOnePercentOfBruteForce) {
  struct Case {
    const char *name;
    std::vector<float> data;
  };
  std::vector<float> withOutliers = gaussian(100000, 8);
  for (int i = 0; i < 20; ++i) withOutliers[size_t(i) * 997] = (i % 2 ? 1 : -1) * (20.0f + float(i));
  std::vector<float> laplace(100000);
  std::mt19937 rng(15);
  std::exponential_distribution<float> exponential(1.0f);
  for (size_t i = 0; i < laplace.size(); ++i) laplace[i] = (i % 2 ? 1.0f : -1.0f) * exponential(rng);
  const Case cases[] = {{"gaussian", gaussian(100000, 10)},
                        {"relu", relu(gaussian(100000, 11))},
                        {"outliers", withOutliers},
                        {"skewed", gaussian(100000, 9, 1.0f, 1.0f)},  // mostly positive
                        {"laplace", laplace}};
  for (const Case &k : cases) {
    TensorRange r = rangeOf(config(CalibMethod::Mse), k.data);
    const double chosen = rawMse(k.data, r.lo, r.hi);
    const double maxAbs = std::max(-double(r.min), double(r.max));
    // Brute force over T on the raw data: 400 steps over (0, max|x|], then 400 around the best.
    double best = INFINITY, bestT = 0;
    auto tryT = [&](double t) {
      const double lo = std::min(0.0, std::max(double(r.min), -t)), hi = std::max(0.0, std::min(double(r.max), t));
      const double e = rawMse(k.data, lo, hi);
      if (e < best) best = e, bestT = t;
    };
    for (int i = 1; i <= 400; ++i) tryT(maxAbs * i / 400);
    const double center = bestT, step = maxAbs / 400;
    for (int i = -200; i <= 200; ++i) tryT(std::min(maxAbs, std::max(step / 100, center + step * i / 100)));
    EXPECT_LE(chosen, best * 1.01) << k.name << ": range [" << r.lo << ", " << r.hi << "], brute-force T " << bestT;
    // A heavy tail is worth clipping.
    if (std::string(k.name) == "laplace") {
      EXPECT_LT(r.hi, 0.9 * r.max);
      EXPECT_LT(chosen, 0.9 * rawMse(k.data, r.min, r.max));
    }
  }
}

TEST(RangeEstimator, EntropyClipsOutliersButNotTheBulk) {
  std::vector<float> v = gaussian(200000, 12);
  for (int i = 0; i < 5; ++i) v[size_t(i) * 1009] = (i % 2 ? -1 : 1) * 50.0f;
  TensorRange r = rangeOf(config(CalibMethod::Entropy), v);
  EXPECT_EQ(r.max, 50.0f);
  EXPECT_LT(r.hi, 0.5 * r.max) << "outliers not clipped";
  EXPECT_GE(r.hi, 3.0) << "clipped into the bulk";
  EXPECT_NEAR(r.lo, -r.hi, 1e-6);  // T applies to both sides
  // Post-Relu data.
  r = rangeOf(config(CalibMethod::Entropy), relu(v));
  EXPECT_EQ(r.lo, 0.0f);
  EXPECT_LT(r.hi, 25.0f);
  EXPECT_GE(r.hi, 3.0f);
}

TEST(RangeEstimator, EntropyIgnoresTheSpikeOfZeros) {
  // After Relu most values are exactly 0; they must not pull T into the bulk.
  for (double zeros : {0.5, 0.9, 0.99}) {
    std::vector<float> v = gaussian(400000, 16);
    std::mt19937 rng(17);
    std::uniform_real_distribution<double> u(0, 1);
    for (float &x : v) x = u(rng) < zeros ? 0.0f : std::fabs(x);
    TensorRange r = rangeOf(config(CalibMethod::Entropy), v);
    EXPECT_EQ(r.lo, 0.0f);
    EXPECT_GE(r.hi, 3.0f) << zeros << " zeros";
    EXPECT_LE(r.hi, r.max);
  }
}

TEST(RangeEstimator, EntropyKeepsUniformDataWhole) {
  std::mt19937 rng(13);
  std::uniform_real_distribution<float> dist(0.0f, 10.0f);
  std::vector<float> v(200000);
  for (float &x : v) x = dist(rng);
  TensorRange r = rangeOf(config(CalibMethod::Entropy), v);
  EXPECT_EQ(r.lo, 0.0f);
  EXPECT_NEAR(r.hi, r.max, 0.01 * r.max);
  std::uniform_real_distribution<float> sym(-4.0f, 4.0f);
  for (float &x : v) x = sym(rng);
  r = rangeOf(config(CalibMethod::Entropy), v);
  EXPECT_NEAR(r.hi, r.max, 0.01 * r.max);
  EXPECT_NEAR(r.lo, r.min, 0.01 * r.max);
}

TEST(RangeEstimator, SymmetricHistogramMethods) {
  std::vector<float> v = gaussian(50000, 14, 1.0f, 2.0f);
  for (CalibMethod m : kAllMethods) {
    CalibConfig c = config(m);
    c.symmetric = true;
    TensorRange r = rangeOf(c, v);
    EXPECT_EQ(r.lo, -r.hi) << calibMethodString(c);
    EXPECT_GT(r.hi, 2.0f) << calibMethodString(c);
  }
}

TEST(RangeEstimator, DeterministicAndChunkingInvariant) {
  // Magnitudes grow from chunk to chunk, so the histogram grid doubles several times.
  std::vector<float> v;
  for (int k = 0; k < 6; ++k) {
    std::vector<float> g = gaussian(20000, 20 + uint32_t(k), std::ldexp(1.0f, 2 * k));
    v.insert(v.end(), g.begin(), g.end());
  }
  v.push_back(0.0f);
  v.push_back(NAN);
  for (CalibMethod m : kAllMethods) {
    CalibConfig c = config(m);
    RangeEstimator once(c), again(c), chunked(c), zerosFirst(c);
    once.observe("t", v.data(), v.size());
    again.observe("t", v.data(), v.size());
    std::vector<float> zeros(1000, 0.0f);
    zerosFirst.observe("t", zeros.data(), zeros.size());  // before any grid exists
    std::mt19937 rng(99);
    for (size_t at = 0; at < v.size();) {
      const size_t n = std::min(v.size() - at, size_t(1 + rng() % 7000));
      chunked.observe("t", v.data() + at, n);
      zerosFirst.observe("t", v.data() + at, n);
      at += n;
    }
    const TensorRange a = once.ranges().at("t"), b = again.ranges().at("t"), ch = chunked.ranges().at("t");
    const std::string name = calibMethodString(c);
    EXPECT_EQ(a.lo, b.lo) << name;
    EXPECT_EQ(a.hi, b.hi) << name;
    EXPECT_EQ(a.lo, ch.lo) << name;
    EXPECT_EQ(a.hi, ch.hi) << name;
    EXPECT_EQ(a.count, ch.count) << name;
    EXPECT_EQ(a.nonFinite, 1u) << name;
    if (m == CalibMethod::MinMax) continue;
    // The histograms are the same, not just close: the merge is exact.
    EXPECT_EQ(once.histogram("t")->widthExp, chunked.histogram("t")->widthExp);
    EXPECT_EQ(once.histogram("t")->pos, chunked.histogram("t")->pos);
    EXPECT_EQ(once.histogram("t")->neg, chunked.histogram("t")->neg);
    std::vector<uint64_t> pos = once.histogram("t")->pos;
    pos[0] += 1000;
    EXPECT_EQ(zerosFirst.histogram("t")->pos, pos);
    // The data's max |x| lies in the grid's upper half.
    const double width = std::ldexp(1.0, once.histogram("t")->widthExp), maxAbs = std::max(-a.min, a.max);
    EXPECT_LT(maxAbs, 2048 * width);
    EXPECT_GE(maxAbs, 1024 * width);
  }
}

TEST(CalibrationSamples, WarningThreshold) { EXPECT_EQ(kCalibrationSampleWarningThreshold, 32u); }

}  // namespace
