// llama.cpp's tokenizer (through node-llama-cpp, CPU, prebuilt binaries) on GGUF vocabulary
// files: the reference of test/e2e/tokenizer_vs_llamacpp.py.
//
//   node llamacpp_tokenize.mjs --peers DIR --jobs JOBS.json --out OUT.json
//
// --peers is the npm prefix holding node_modules/node-llama-cpp. JOBS.json is a list of
// {"name", "model": FILE.gguf, "texts": [...]}; each model is loaded with vocabOnly (no
// tensors needed; node-llama-cpp first tries a full load to estimate memory, fails on the
// missing tensors and says so, which is harmless). For each text OUT.json gets
//   special: llama_tokenize(text, add_special=false, parse_special=true)
//   plain:   llama_tokenize(text, add_special=false, parse_special=false)
//   special_text: llama_detokenize(special, remove_special=false, unparse_special=true)
//   plain_text:   llama_detokenize(plain, remove_special=false, unparse_special=false)
// Exit status 1 if a model cannot be loaded.
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(name);
  if (i < 0 || i + 1 >= args.length) throw new Error(`missing ${name}`);
  return args[i + 1];
};
const peers = path.resolve(arg('--peers'));
const jobs = JSON.parse(fs.readFileSync(arg('--jobs'), 'utf8'));
const { getLlama, LlamaLogLevel } = await import(path.join(peers, 'node_modules', 'node-llama-cpp', 'dist', 'index.js'));
const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
const out = [];
for (const job of jobs) {
  const model = await llama.loadModel({ modelPath: job.model, vocabOnly: true, gpuLayers: 0 });
  const results = job.texts.map((text) => {
    const special = Array.from(model.tokenize(text, true));
    const plain = Array.from(model.tokenize(text, false));
    return {
      special, plain,
      special_text: model.detokenize(special, true),
      plain_text: model.detokenize(plain, false),
    };
  });
  out.push({ name: job.name, results });
  await model.dispose();
}
fs.writeFileSync(arg('--out'), JSON.stringify(out));
