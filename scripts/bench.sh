#!/usr/bin/env bash
# Latency benchmark of edgec against ONNX Runtime (CPU, onnxruntime-node 1.30 from npm) on
# the e2e models (MLP, MobileNetV2, ResNet-18, the transformer encoder) and EfficientNet-B0
# (SiLU + squeeze-excitation), fp32 and static INT8, at 1 and 2 threads, in one run: per
# model and thread count four sides (edgec fp32, ORT fp32 on the same ONNX file, edgec
# int8 = `edgec compile --precision int8 --calib` on 32 fixed-seed samples, ORT int8 = the
# same model quantized the same way as a QDQ ONNX model: edgec's own scales and zero points,
# read from `edgec inspect --tensors`, see test/bench/qdq_model.py), each a fresh process
# pinned with taskset to the same cores, alternating the order over rounds. Prints median
# latencies, the median per-round ratios (edgec/ORT fp32, edgec int8/fp32, edgec/ORT int8),
# output agreement (QDQ model vs fp32, edgec int8 vs ORT int8), package sizes and what ORT
# fused; writes build/bench/results.json. Not part of the test suite.
# Installs the peer (into build/peers) if missing, builds edgec, then runs
# test/bench/bench_models.py; extra arguments go to it (see its --help):
#   --precision fp32|int8|fp32,int8 (default both)   --threads 1|2|1,2 (default 1,2)
#   --rounds N (5) --repeat N (20) --warmup N (5) --core N (0) --only MODEL (repeatable)
#   --calib-method M (minmax) --calib-samples N (32) --ort-act-type uint8|int8 (uint8)
# `scripts/bench.sh --precision fp32 --threads 1` is the fp32-only, one-thread benchmark.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${EDGEC_BUILD_DIR:-$root/build}"
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac
peers="$build/peers"
ort_version=1.30.0

for tool in taskset node npm; do
  if ! command -v "$tool" >/dev/null; then
    case "$tool" in
      taskset) echo "error: taskset not found (install util-linux)" >&2 ;;
      *) echo "error: $tool not found (install Node.js >= 18 with npm)" >&2 ;;
    esac
    exit 1
  fi
done

installed="$(PEERS="$peers" node -e \
  "try{console.log(require(process.env.PEERS+'/node_modules/onnxruntime-node/package.json').version)}catch(e){}" \
  2>/dev/null || true)"
if [ "$installed" != "$ort_version" ]; then
  echo "installing onnxruntime-node@$ort_version into $peers ..."
  mkdir -p "$peers"
  # --ignore-scripts: the package already carries the CPU libonnxruntime.so; its install
  # script would only download GPU parts.
  npm install --prefix "$peers" --ignore-scripts --no-audit --no-fund --save-exact --loglevel=error \
    "onnxruntime-node@$ort_version" >"$peers/npm.log" 2>&1 || {
    cat "$peers/npm.log" >&2
    echo "error: npm install failed (log: $peers/npm.log)" >&2
    exit 1
  }
fi

"$root/scripts/build.sh" edgec
exec /usr/bin/python3 "$root/test/bench/bench_models.py" --build-dir "$build" --peers "$peers" "$@"
