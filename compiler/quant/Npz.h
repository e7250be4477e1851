// Reading NumPy .npz archives: a zip of .npy files, one per array, as written by
// np.savez (entries stored) and np.savez_compressed (entries deflated).
//
// A small, strict zip reader rather than a library: an .npz needs only the central
// directory, local headers, stored and deflated entries and the CRC-32, and zlib (already a
// dependency of the build) provides inflate and crc32. libzip and minizip would add a
// package for less control over the checks below. The reader refuses:
//  * zip64 archives (an entry or the archive over 4 GiB, or over 65535 entries): save the
//    calibration batch in smaller files. numpy's zip64 *extra fields* in local headers
//    (it asks for them on every entry) are fine: sizes come from the central directory;
//  * encrypted entries, compression methods other than stored (0) and deflate (8),
//    multi-disk archives;
//  * any offset or size that points outside the file, a local header that disagrees with
//    the central directory (name), duplicate names, a CRC-32 or size mismatch.
// Every error is an NpzError whose message starts with the archive's path (and names the
// entry where there is one).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgec/npy.h"

namespace edgec::quant {

struct NpzError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ZipEntry {
  std::string name;           // as stored in the archive ("x.npy")
  std::vector<uint8_t> data;  // uncompressed, CRC-checked
};

// Every entry of the zip archive at `path`, in central-directory order.
std::vector<ZipEntry> readZip(const std::string &path);

// The arrays of an .npz keyed by name: an entry "x.npy" gives key "x" (as np.load does);
// an entry without the suffix keeps its name. Two entries with the same key, or an entry
// that is not a valid .npy, are errors naming the archive and the entry.
std::map<std::string, NpyArray> readNpz(const std::string &path);

}  // namespace edgec::quant
