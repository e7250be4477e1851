// llama.cpp's prefill and decode speed on a GGUF file, measured as llama-bench measures
// pp/tg: the LLM benchmark's llama.cpp side (scripts/bench.sh llm, test/bench/bench_llm.py).
// llama.cpp is npm node-llama-cpp 3.22.1 with its prebuilt CPU binary
// (@node-llama-cpp/linux-x64), loaded as test/e2e/llama_cpp_run.mjs does.
//
//   node llama_cpp_bench.mjs --peers DIR --model M.gguf [--prompt 512] [--gen 128]
//                            [--threads 1] [--reps 1] [--ctx 1024] [--token 1000] [--mlock 0|1]
//                            [--mmap 0|1]
//
// --mlock 1 locks the mapped weights in memory (llama.cpp's --mlock): read once at load and
// never dropped, so no run waits for pages read back from disk. --mmap 0 reads the weights
// into llama.cpp's own buffers instead of mapping the file (llama.cpp's --no-mmap).
// The model is loaded once; each repetition makes a fresh context (--ctx positions, F16 KV
// cache, flash attention off, llama.cpp's defaults; one batch of --prompt tokens), then
//   prefill: --prompt token ids (--token, --token + 1, ...; no tokenizer involved) evaluated
//            in one batch, logits of the last one only (as llama-bench's pp test);
//   decode:  --gen tokens generated one at a time from the prompt's end, greedily (the
//            sampler runs in llama.cpp, not in JavaScript), each fed back, an EOS too (as
//            tg, which never stops early).
// Prints one JSON line: {"prefill_tps": [per repetition], "decode_tps": [...],
// "decode_token_ms": [each decoded token's time, all repetitions], "threads",
// "load_s", "major_faults": pages this process read from disk while timing}; exit status
// 2 with a message when anything fails.
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

function parseArgs(argv) {
  const args = { prompt: '512', gen: '128', threads: '1', reps: '1', ctx: '1024', token: '1000', mlock: '0', mmap: '1' };
  for (let i = 2; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  if (!args.peers || !args.model) throw new Error('usage: node llama_cpp_bench.mjs --peers DIR --model M.gguf [...]');
  for (const k of ['prompt', 'gen', 'threads', 'reps', 'ctx', 'token', 'mlock', 'mmap']) args[k] = Number(args[k]);
  return args;
}

async function main() {
  const args = parseArgs(process.argv);
  const require = createRequire(path.join(path.resolve(args.peers), 'package.json'));
  const { getLlama, LlamaLogLevel } = await import(pathToFileURL(require.resolve('node-llama-cpp')).href);
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false,
                                 maxThreads: args.threads });
  const t0 = performance.now();
  const model = await llama.loadModel({ modelPath: args.model, gpuLayers: 0, useMlock: args.mlock === 1,
                                         useMmap: args.mmap === 1 });
  const loadS = (performance.now() - t0) / 1000;
  const prompt = Array.from({ length: args.prompt }, (_, i) => args.token + i);
  const prefill = [], decode = [], tokenMs = [];
  let majorFaults = 0;  // summed over the timed parts only
  const faults = () => process.resourceUsage().majorPageFault;
  for (let r = 0; r < args.reps; r++) {
    const context = await model.createContext({
      contextSize: args.ctx, batchSize: args.prompt, sequences: 1,
      threads: { ideal: args.threads, min: args.threads }, flashAttention: false,
    });
    try {
      const seq = context.getSequence();
      let f = faults();
      let t = performance.now();
      await seq.evaluateWithoutGeneratingNewTokens(prompt);
      prefill.push(args.prompt / ((performance.now() - t) / 1000));
      majorFaults += faults() - f;
      // The first generated token comes from the prompt's logits (already computed), so
      // feeding the prompt's last token again would count one extra step: start decoding
      // from a new token at the next position instead, and time --gen evaluations.
      let n = 0;
      f = faults();
      t = performance.now();
      let tokenStart = t;
      // yieldEogToken: an end-of-generation token is yielded and fed back like any other
      // (otherwise the loop ends there and a model that drew EOS would time fewer steps).
      for await (const token of seq.evaluate([args.token], { temperature: 0, yieldEogToken: true })) {
        void token;
        const now = performance.now();
        tokenMs.push(now - tokenStart);
        tokenStart = now;
        if (++n >= args.gen) break;
      }
      if (n !== args.gen) throw new Error(`decode stopped after ${n} of ${args.gen} tokens`);
      decode.push(args.gen / ((performance.now() - t) / 1000));
      majorFaults += faults() - f;
    } finally {
      await context.dispose();
    }
  }
  await model.dispose();
  await llama.dispose();
  process.stdout.write(JSON.stringify({ prefill_tps: prefill, decode_tps: decode, decode_token_ms: tokenMs,
                                        threads: args.threads,
                                        load_s: loadS, major_faults: majorFaults }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`llama_cpp_bench.mjs: ${e && e.stack || e}\n`);
  process.exit(2);
});
