#!/usr/bin/env bash
# Installs what is missing, builds edgec, runs every test suite and ends with one line:
# "N passed, N failed". Exit status is non-zero if anything failed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
exec /usr/bin/python3 "$root/test/run_tests.py" --build-dir "${EDGEC_BUILD_DIR:-$root/build}" "$@"
