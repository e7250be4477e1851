#!/usr/bin/env bash
# Installs what edgec needs to build and test, with apt (and npm for ONNX Runtime).
# Idempotent: quiet when everything is already present.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ninja-build ccache git pkg-config
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  libonnx-dev libprotobuf-dev protobuf-compiler
  libcli11-dev libgtest-dev
  libflatbuffers-dev flatbuffers-compiler libcpuinfo-dev libxxhash-dev
  zlib1g-dev libzstd-dev libcurl4-openssl-dev libedit-dev libxml2-dev
  python3 python3-onnx python3-numpy python3-torch python3-torchvision python3-xxhash
  nodejs
  # the aarch64 cross build of the runtime (test suite runtime-aarch64)
  g++-aarch64-linux-gnu qemu-user file
)
# Target (arm64) libraries of that cross build, from Debian's multiarch archive. Not
# libcpuinfo-dev:arm64: it cannot be co-installed with libcpuinfo-dev (amd64; both ship
# /usr/lib/cmake/cpuinfo), so the cross build links libcpuinfo.so.0 from libcpuinfo0:arm64
# with the architecture-independent header of the native libcpuinfo-dev.
CROSS_ARCH=arm64
# libc6 and libstdc++6 of arm64 are what the emulated tests run with (qemu-aarch64 without -L).
CROSS_PACKAGES=(libflatbuffers-dev libxxhash-dev libgtest-dev libcpuinfo0 libc6 libstdc++6)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

added_arch=0
if [ "$(dpkg --print-architecture)" != "$CROSS_ARCH" ] &&
   ! dpkg --print-foreign-architectures | grep -qx "$CROSS_ARCH"; then
  echo "setup: adding the $CROSS_ARCH architecture (dpkg --add-architecture)"
  $SUDO dpkg --add-architecture "$CROSS_ARCH"
  added_arch=1
fi

missing=()
for p in "${APT_PACKAGES[@]}" "${CROSS_PACKAGES[@]/%/:$CROSS_ARCH}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((added_arch)) || ((${#missing[@]})); then
  $SUDO apt-get update -qq
fi
if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} missing packages: ${missing[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
