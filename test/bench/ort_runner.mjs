// Times one ONNX model with ONNX Runtime (onnxruntime-node, CPU) for the edgec benchmark
// (test/bench/bench_models.py; run it through scripts/bench.sh). Not a test.
//
//   node ort_runner.mjs --peers DIR --model M.onnx --input-name NAME --input X.bin
//                       --shape 1,3,224,224 [--warmup W] [--repeat R] [--output-dir DIR]
//                       [--threads T] [--save-optimized FILE]
//                       [--graph-optimization-level disabled|basic|extended|all]
//
// --peers is the npm prefix that holds node_modules/onnxruntime-node. The input file is
// raw little-endian float32 in C order. The session runs T intra-op threads (default 1),
// one inter-op thread, sequential execution, with every graph optimization on (or the
// --graph-optimization-level given: 'disabled' runs a QDQ model node by node, i.e. its
// reference float semantics, with nothing fused). W untimed
// runs, then R runs, each timed with process.hrtime.bigint() around `await session.run()`
// (so it includes the JS binding's own per-call cost: one setImmediate hop, feeds
// validation and wrapping the output tensors). Prints one JSON line on stdout:
//   {"ort_version", "times_ms": [R numbers], "median_ms", "min_ms", "max_ms",
//    "js_hop_us", "peak_rss_bytes", "outputs": [{"name", "shape", "dtype", "file"}]}
// peak_rss_bytes is the process's VmHWM (/proc/self/status) after the runs: the peak
// resident set of node with ONNX Runtime and the model.
// js_hop_us is the median cost of an empty `await` through setImmediate, i.e. roughly the
// part of each time that is the binding's scheduling rather than ONNX Runtime itself.
// With --output-dir, each output of the last run is written to DIR/<name>.bin (raw, its
// own dtype). With --save-optimized FILE, ONNX Runtime also writes the graph it runs
// (after its optimizations: which QDQ groups it fused into integer kernels) to FILE.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

// VmHWM ("high water mark" of the resident set) of this process, in bytes.
function peakRssBytes() {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : null;
}

function parseArgs(argv) {
  const args = { warmup: 5, repeat: 20 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    if (!key.startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument '${key}'`);
    args[key.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = argv[++i];
  }
  for (const need of ['peers', 'model', 'inputName', 'input', 'shape'])
    if (args[need] === undefined) throw new Error(`missing --${need.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`);
  args.warmup = Number(args.warmup);
  args.repeat = Number(args.repeat);
  if (!Number.isInteger(args.warmup) || args.warmup < 0) throw new Error('--warmup must be an integer >= 0');
  if (!Number.isInteger(args.repeat) || args.repeat < 1) throw new Error('--repeat must be an integer >= 1');
  args.shape = args.shape.split(',').map(Number);
  return args;
}

function median(sorted) {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const require = createRequire(path.join(path.resolve(args.peers), 'package.json'));
  const ort = require('onnxruntime-node');
  const ortVersion = require('onnxruntime-node/package.json').version;

  const buf = fs.readFileSync(args.input);
  const count = args.shape.reduce((a, b) => a * b, 1);
  if (buf.byteLength !== count * 4)
    throw new Error(`${args.input}: ${buf.byteLength} bytes, shape [${args.shape}] float32 needs ${count * 4}`);
  // Copy into an aligned Float32Array of its own (a Buffer may sit at any offset in a pool).
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(buf);
  const feeds = { [args.inputName]: new ort.Tensor('float32', data, args.shape) };

  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: Number(args.threads || 1),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: args.graphOptimizationLevel || 'all',
    logSeverityLevel: 3,
    ...(args.saveOptimized ? { optimizedModelFilePath: path.resolve(args.saveOptimized) } : {}),
  });

  for (let i = 0; i < args.warmup; i++) await session.run(feeds);
  const times = [];
  let results;
  for (let i = 0; i < args.repeat; i++) {
    const t0 = process.hrtime.bigint();
    results = await session.run(feeds);
    const t1 = process.hrtime.bigint();
    times.push(Number(t1 - t0) / 1e6);
  }

  // The binding's scheduling cost per run (setImmediate + promise), for reference.
  const hops = [];
  for (let i = 0; i < 200; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise((resolve) => setImmediate(resolve));
    hops.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  hops.sort((a, b) => a - b);

  const outputs = [];
  for (const name of session.outputNames) {
    const t = results[name];
    const entry = { name, shape: t.dims, dtype: t.type, file: null };
    if (args.outputDir) {
      fs.mkdirSync(args.outputDir, { recursive: true });
      entry.file = path.join(args.outputDir, name.replace(/\//g, '_') + '.bin');
      const d = t.data;
      fs.writeFileSync(entry.file, Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    }
    outputs.push(entry);
  }

  const sorted = [...times].sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({
    ort_version: ortVersion,
    times_ms: times,
    median_ms: median(sorted),
    min_ms: sorted[0],
    max_ms: sorted[sorted.length - 1],
    js_hop_us: median(hops),
    peak_rss_bytes: peakRssBytes(),
    outputs,
  }) + '\n');
  await session.release();
}

main().catch((e) => {
  process.stderr.write(`ort_runner: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
