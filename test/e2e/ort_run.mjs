// Runs ONNX models with ONNX Runtime (onnxruntime-node, CPU) on .npy inputs and writes each
// output as .npy: the outside reference of test/e2e/qdq_vs_ort.py. Any number of inputs, any
// dtype numpy and ONNX Runtime share (float32/64, float16, int8/16/32/64, uint8/16/32/64, bool).
//
//   node ort_run.mjs --peers DIR --model M.onnx --input NAME=FILE.npy [--input ...]
//                    --output-dir DIR [--opt-level all|extended|basic|disabled] [--threads N]
//   node ort_run.mjs --peers DIR --jobs JOBS.json [--opt-level ...] [--threads N]
//
// --peers is the npm prefix holding node_modules/onnxruntime-node (build/peers, where
// scripts/bench.sh and qdq_vs_ort.py install it). JOBS.json is a list of
// {"model": PATH, "inputs": {NAME: FILE.npy, ...}, "output_dir": DIR}, run one after another
// in this one process (one session each), so many small models cost one Node start.
// Each output is written to OUTPUT_DIR/<name>.npy ('/' in a name becomes '_'). The session
// is single-threaded by default with graph optimizations 'all' (so QDQ node groups fuse
// into ONNX Runtime's integer kernels, as a user of ONNX Runtime gets). Prints one JSON
// line per job: {"model", "ok", "error", "outputs": [{"name", "dtype", "shape", "file"}]};
// a job that fails (a model ONNX Runtime rejects) reports its error and the others still
// run. Exit status 0 unless the arguments, the jobs file or onnxruntime-node are unusable.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

// numpy descr <-> ONNX Runtime tensor type and the typed array holding it.
const DTYPES = [
  { descr: ['<f4', '|f4'], ort: 'float32', array: Float32Array },
  { descr: ['<f8', '|f8'], ort: 'float64', array: Float64Array },
  { descr: ['<f2', '|f2'], ort: 'float16', array: Uint16Array },
  { descr: ['|i1', '<i1'], ort: 'int8', array: Int8Array },
  { descr: ['|u1', '<u1'], ort: 'uint8', array: Uint8Array },
  { descr: ['<i2'], ort: 'int16', array: Int16Array },
  { descr: ['<u2'], ort: 'uint16', array: Uint16Array },
  { descr: ['<i4'], ort: 'int32', array: Int32Array },
  { descr: ['<u4'], ort: 'uint32', array: Uint32Array },
  { descr: ['<i8'], ort: 'int64', array: BigInt64Array },
  { descr: ['<u8'], ort: 'uint64', array: BigUint64Array },
  { descr: ['|b1', '<b1'], ort: 'bool', array: Uint8Array },
];

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY')
    throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) throw new Error(`${file}: unreadable .npy header ${header.trim()}`);
  if (fortran[1] === 'True') throw new Error(`${file}: Fortran-order arrays are not supported`);
  const dtype = DTYPES.find((d) => d.descr.includes(descr[1]));
  if (!dtype) throw new Error(`${file}: dtype ${descr[1]} is not supported`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const bytes = count * dtype.array.BYTES_PER_ELEMENT;
  if (buf.length - start !== bytes)
    throw new Error(`${file}: ${buf.length - start} data bytes, ${descr[1]} [${dims}] needs ${bytes}`);
  const data = new dtype.array(count); // aligned copy (a Buffer may sit at any offset in a pool)
  new Uint8Array(data.buffer).set(buf.subarray(start));
  return { type: dtype.ort, data: dtype.ort === 'bool' ? new Uint8Array(data.buffer) : data, dims };
}

function writeNpy(file, type, data, dims) {
  const dtype = DTYPES.find((d) => d.ort === type);
  if (!dtype) throw new Error(`output type ${type} cannot be written as .npy`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${dtype.descr[0]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  let bytes;
  if (typeof data[0] === 'boolean') bytes = Buffer.from(Uint8Array.from(data, (v) => (v ? 1 : 0)));
  else bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), bytes]));
}

function parseArgs(argv) {
  const args = { inputs: {}, optLevel: 'all', threads: 1 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    if (!key.startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument '${key}'`);
    const value = argv[++i];
    if (key === '--input') {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new Error(`--input needs NAME=FILE.npy, got '${value}'`);
      args.inputs[value.slice(0, eq)] = value.slice(eq + 1);
    } else {
      args[key.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = value;
    }
  }
  if (!args.peers) throw new Error('missing --peers');
  if (!args.jobs && (!args.model || !args.outputDir)) throw new Error('need --jobs, or --model and --output-dir');
  if (!['all', 'extended', 'basic', 'disabled'].includes(args.optLevel))
    throw new Error(`--opt-level must be all, extended, basic or disabled, got '${args.optLevel}'`);
  args.threads = Number(args.threads);
  return args;
}

async function runJob(ort, job, options) {
  const result = { model: job.model, ok: false, error: null, outputs: [] };
  let session;
  try {
    const feeds = {};
    for (const [name, file] of Object.entries(job.inputs)) {
      const t = readNpy(file);
      feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    }
    session = await ort.InferenceSession.create(job.model, options);
    const results = await session.run(feeds);
    fs.mkdirSync(job.output_dir, { recursive: true });
    for (const name of session.outputNames) {
      const t = results[name];
      const file = path.join(job.output_dir, name.replace(/\//g, '_') + '.npy');
      writeNpy(file, t.type, t.data, t.dims);
      result.outputs.push({ name, dtype: t.type, shape: t.dims, file });
    }
    result.ok = true;
  } catch (e) {
    result.error = String(e && e.message ? e.message : e);
  } finally {
    if (session) await session.release();
  }
  return result;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const require = createRequire(path.join(path.resolve(args.peers), 'package.json'));
  const ort = require('onnxruntime-node');
  const jobs = args.jobs
    ? JSON.parse(fs.readFileSync(args.jobs, 'utf8'))
    : [{ model: args.model, inputs: args.inputs, output_dir: args.outputDir }];
  const options = {
    executionProviders: ['cpu'],
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: args.optLevel,
    logSeverityLevel: 3,
  };
  for (const job of jobs) process.stdout.write(JSON.stringify(await runJob(ort, job, options)) + '\n');
}

main().catch((e) => {
  process.stderr.write(`ort_run: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
