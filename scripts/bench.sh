#!/usr/bin/env bash
# Latency benchmark of edgec against ONNX Runtime (CPU) on the e2e models (MLP, MobileNetV2):
# same ONNX file, same input, both single-threaded and pinned to one core, alternating
# rounds. Installs the peer (onnxruntime-node from npm, into build/peers) if missing,
# builds edgec, then runs test/bench/bench_models.py; extra arguments go to it
# (--rounds N, --repeat N, --warmup N, --core N, --only MODEL; see its --help).
# Prints a table; writes build/bench/results.json. Not part of the test suite.
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
