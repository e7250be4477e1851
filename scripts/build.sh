#!/usr/bin/env bash
# Configures (once) and builds edgec into build/ with Ninja, -j2 and ccache.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${EDGEC_BUILD_DIR:-$root/build}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/edgec-ccache}"
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-19/build/utils/lit/lit.py \
    -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
fi
echo "building edgec in $build ..."
ninja -C "$build" -j"${EDGEC_JOBS:-2}" "$@" >"$build/build.log" 2>&1 || {
  grep -E "error|FAILED" -A5 "$build/build.log" | head -60
  echo "build failed; full log: $build/build.log" >&2
  exit 1
}
