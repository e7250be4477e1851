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
#   --core-choice quieter|fixed (quieter: one-thread rounds on core N or N+1, whichever's
#   L2 is less contended by another guest's hyperthread just before the round)
#   --calib-method M (minmax) --calib-samples N (32) --ort-act-type uint8|int8 (uint8)
#   --realtime (both engines under chrt -f 10: steadier ratios on a shared machine)
# `scripts/bench.sh --precision fp32 --threads 1` is the fp32-only, one-thread benchmark.
#
# `scripts/bench.sh llm [OPTIONS]`: the LLM benchmark against llama.cpp (issue 12): a model
# with Qwen2.5-1.5B's shapes (or TinyLlama-1.1B's, Llama-3.2-1B's) and random weights in Q4_0,
# Q4_K and Q8_0 (or any weight type, or llama.cpp's Q4_K_M / Q5_K_M mixes; written once into
# build/bench-llm), edgec (`edgec compile --ctx 1024`, `edgec bench`) and llama.cpp (npm
# node-llama-cpp 3.22.1, installed into build/peers) on the same file and threads,
# alternated over rounds: prefill of 512 tokens and decode of 128 at 1 and 2
# threads (taskset -c 0 / 0,1). Prints tokens/s of both and their ratio, decode weight
# bandwidth against the machine's read bandwidth (test/bench/read_bandwidth.cpp; also like
# for like: each run's median and fastest token against the median and best pass of a
# short read just before it) and prefill GOP/s against the int8 peak
# (edgec_int8_gemm_bench); writes
# build/bench-llm/results.json. Runs test/bench/bench_llm.py; options (its --help):
#   --model qwen2.5-1.5b|qwen2.5-0.5b|qwen3-1.7b|gemma3-1b|gemma2-2b|phi3-mini|phi4-mini|tinyllama-1.1b|llama3.2-1b|llama3.1-8b --types q4_0,q4_k,q8_0 (or q4_1,q5_0,q5_1,q2_k,q3_k,q5_k,
#   q6_k,iq4_nl,iq4_xs,f16,bf16,f32,q4_k_m,q5_k_m,q3_k_m,q2_k_m,iq4_xs_mix,iq4_nl_mix) --threads 1,2 --rounds N (3) --prompt N (512) --gen N (128)
#   --ctx N (1024) --chunk N (edgec's default) --kv-cache f16|int8|f32 (edgec's; llama.cpp f16) --weights copied|locked|mapped (copied: both engines read
#   the weights into their own memory, edgec's with huge pages; locked: both mlock the file
#   mapping; either way no run reads pages the kernel dropped back from disk; each run's
#   major page faults are printed)
# EDGEC=/path/to/edgec uses that binary (and the edgec_int8_gemm_bench beside it) instead
# of building edgec and edgec_int8_gemm_bench.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${EDGEC_BUILD_DIR:-$root/build}"
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac
peers="$build/peers"

case "${1:-}" in
  -h|--help)
    # This file's header is the usage; each mode's driver has its own --help.
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
    exit 0 ;;
  llm)
    shift
    case " $* " in
      *" -h "*|*" --help "*)
        exec /usr/bin/python3 "$root/test/bench/bench_llm.py" --build-dir "$build" --peers "$peers" --edgec - --help ;;
    esac
    for tool in taskset node npm g++; do
      command -v "$tool" >/dev/null || { echo "error: $tool not found (scripts/bench.sh llm needs taskset, Node.js >= 18 with npm, g++)" >&2; exit 1; }
    done
    edgec="${EDGEC:-}"
    if [ -z "$edgec" ]; then
      targets=edgec
      [ "$(uname -m)" = x86_64 ] && targets="edgec edgec_int8_gemm_bench"  # the peak bench is x86 only
      "$root/scripts/build.sh" $targets
      edgec="$build/bin/edgec"
    fi
    exec /usr/bin/python3 "$root/test/bench/bench_llm.py" --build-dir "$build" --peers "$peers" --edgec "$edgec" "$@" ;;
esac
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
  npm install --prefix "$peers" --ignore-scripts --omit=optional --no-audit --no-fund --save-exact --loglevel=error \
    "onnxruntime-node@$ort_version" >"$peers/npm.log" 2>&1 || {
    cat "$peers/npm.log" >&2
    echo "error: npm install failed (log: $peers/npm.log)" >&2
    exit 1
  }
fi

"$root/scripts/build.sh" edgec edgec-run
exec /usr/bin/python3 "$root/test/bench/bench_models.py" --build-dir "$build" --peers "$peers" "$@"
