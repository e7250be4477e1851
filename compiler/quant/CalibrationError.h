// The one error type of the calibration library (compiler/quant): bad samples, a bad
// --calib-method, a bad configuration. The message is meant for the user as it is.
#pragma once

#include <stdexcept>

namespace edgec::quant {

struct CalibrationError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace edgec::quant
