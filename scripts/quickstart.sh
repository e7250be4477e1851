#!/usr/bin/env bash
# Installs what is missing, builds edgec, then compiles and runs the bundled example
# (test/models/tiny_cnn.onnx: Conv-BN-ReLU-MaxPool-Conv-ReLU6-GAP-Gemm-Softmax).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
edgec="${EDGEC_BUILD_DIR:-$root/build}/bin/edgec"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$edgec" compile "$root/test/models/tiny_cnn.onnx" --target host -o "$out/tiny_cnn.edgepkg"
"$edgec" inspect "$out/tiny_cnn.edgepkg"
"$edgec" run "$out/tiny_cnn.edgepkg" --input image="$root/test/models/tiny_cnn_image.npy" \
  --output-dir "$out/outputs" --warmup 5 --repeat 50
