// Greedy generation with llama.cpp (npm node-llama-cpp 3.22.1 and its prebuilt CPU binary,
// @node-llama-cpp/linux-x64) on GGUF files, from token ids: the llama.cpp reference of
// test/e2e/llm_references_agree.py (and, through llm_reference.llama_cpp(), of edgec's own
// comparisons). No tokenizer: the caller gives the ids, BOS included.
//
//   node llama_cpp_run.mjs --peers DIR --jobs JOBS.json
//
// --peers is the npm prefix holding node_modules/node-llama-cpp (BUILD/peers, where
// llm_reference.ensure_llama_cpp installs it). JOBS.json is a list of
//   {"model": PATH, "prompt": [ids], "n": N, "threads": 1, "kv_type": "F16",
//    "prompt_logits": false, "batch_size": len(prompt)}
// run one after another in this one process. Per job: the model is loaded on the CPU
// (getLlama({gpu: false, build: "never"})), a context of the model's training context is
// made (KV cache of kv_type: llama.cpp's default F16, or F32; flash attention off), the
// prompt is evaluated in one batch (or in batches of batch_size tokens) and N tokens are chosen greedily, each fed back as the
// next input (a decode step of one token). The logits come from
// LlamaContextSequence.controlledEvaluate with generateNext.logits: llama.cpp's raw logits
// of the whole vocabulary (no sampler option is set, so nothing alters them). The next
// token is the argmax of those logits, chosen here (lowest id on a tie).
// Prints one JSON line per job: {"model", "ok", "error", "tokens": [N ids],
// "logits": [N rows of n_vocab floats: row 0 the prompt's last position, row k the step
// that consumed generated token k - 1], "prompt_logits": [one row per prompt position, when
// asked]}. Exit status 0 unless the arguments, the jobs file or node-llama-cpp are unusable.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

function parseArgs(argv) {
  const args = {};
  for (let i = 2; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  if (!args.peers || !args.jobs) throw new Error('usage: node llama_cpp_run.mjs --peers DIR --jobs JOBS.json');
  return args;
}

// The logits Map (token -> logit, sorted by value) as an array indexed by token id.
function logitRow(map, nVocab) {
  const row = new Array(nVocab).fill(null);
  for (const [token, logit] of map) row[token] = logit;
  if (row.some((v) => v === null)) throw new Error(`llama.cpp returned ${map.size} logits, the vocabulary has ${nVocab}`);
  return row;
}

function argmax(row) {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

async function runJob(llama, job) {
  const model = await llama.loadModel({ modelPath: job.model, gpuLayers: 0 });
  try {
    const nVocab = Number(model.fileInfo.metadata[model.fileInfo.metadata.general.architecture].vocab_size ??
                          model.fileInfo.metadata.tokenizer.ggml.tokens.length);
    const threads = job.threads ?? 1;
    const context = await model.createContext({
      contextSize: model.trainContextSize, batchSize: job.batch_size ?? Math.max(job.prompt.length, 1), sequences: 1,
      threads: { ideal: threads, min: threads }, flashAttention: false,
      experimentalKvCacheKeyType: job.kv_type ?? 'F16', experimentalKvCacheValueType: job.kv_type ?? 'F16',
    });
    try {
      const seq = context.getSequence();
      const want = { generateNext: { logits: true } };
      const promptItems = job.prompt.map((t, i) =>
        (job.prompt_logits || i === job.prompt.length - 1) ? [t, want] : t);
      const out = await seq.controlledEvaluate(promptItems);
      const promptLogits = job.prompt_logits ? job.prompt.map((_, i) => logitRow(out[i].next.logits, nVocab)) : null;
      let last = logitRow(out[job.prompt.length - 1].next.logits, nVocab);
      const tokens = [], logits = [last];
      for (let k = 0; k < job.n; k++) {
        const token = argmax(last);
        tokens.push(token);
        if (k === job.n - 1) break;
        const step = await seq.controlledEvaluate([[token, want]]);
        last = logitRow(step[0].next.logits, nVocab);
        logits.push(last);
      }
      return { tokens, logits, prompt_logits: promptLogits };
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}

async function main() {
  const args = parseArgs(process.argv);
  const jobs = JSON.parse(fs.readFileSync(args.jobs, 'utf8'));
  const require = createRequire(path.join(path.resolve(args.peers), 'package.json'));
  const entry = require.resolve('node-llama-cpp');
  const { getLlama, LlamaLogLevel } = await import(pathToFileURL(entry).href);
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false });
  for (const job of jobs) {
    let result;
    try {
      result = { model: job.model, ok: true, error: null, ...(await runJob(llama, job)) };
    } catch (e) {
      result = { model: job.model, ok: false, error: String(e && e.stack || e) };
    }
    process.stdout.write(JSON.stringify(result) + '\n');
  }
  await llama.dispose();
}

main().catch((e) => {
  process.stderr.write(`llama_cpp_run.mjs: ${e && e.stack || e}\n`);
  process.exit(2);
});
