#!/usr/bin/env bash
# Installs what edgec needs to build and test, with apt (and npm for ONNX Runtime).
# Idempotent: quiet when everything is already present.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ninja-build ccache git pkg-config
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  libonnx-dev libprotobuf-dev protobuf-compiler
  libeigen3-dev libcli11-dev libgtest-dev
  libflatbuffers-dev flatbuffers-compiler libcpuinfo-dev
  zlib1g-dev libzstd-dev libcurl4-openssl-dev libedit-dev libxml2-dev
  python3 python3-onnx python3-numpy python3-torch python3-torchvision
  nodejs
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} missing packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
