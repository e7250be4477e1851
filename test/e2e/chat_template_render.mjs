// Chat templates rendered by @huggingface/jinja (the Jinja engine of transformers.js and
// node-llama-cpp, installed as node-llama-cpp's dependency): the reference of
// test/e2e/chat_template_vs_jinja.py.
//
//   node chat_template_render.mjs --peers DIR --jobs JOBS.json --out OUT.json
//
// --peers is the npm prefix holding node_modules/@huggingface/jinja. JOBS.json is a list of
// {"template", "messages": [{"role", "content"}, ...], "bos_token", "eos_token"} and
// optionally "kwargs" (more template variables, as apply_chat_template's keyword
// arguments: {"enable_thinking": false}); each is rendered as transformers'
// apply_chat_template does:
//   new Template(template).render({messages, bos_token, eos_token, add_generation_prompt: true, ...kwargs})
// OUT.json gets {"version": the package's version, "results": [...]}, one result per job in
// order: {"text": the rendering} or {"error": the message} when the template raises
// (raise_exception) or cannot be parsed. Exit status 1 only if the arguments, the jobs file
// or the package are unusable.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(name);
  if (i < 0 || i + 1 >= args.length) throw new Error(`missing ${name}`);
  return args[i + 1];
};
const dir = path.join(path.resolve(arg('--peers')), 'node_modules', '@huggingface', 'jinja');
const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
// The ES module entry: exports["."].import (0.5.x: ./dist/index.js), else "module".
const dot = pkg.exports && pkg.exports['.'];
const entry = (dot && (typeof dot === 'string' ? dot : dot.import || dot.default)) || pkg.module || pkg.main;
const { Template } = await import(pathToFileURL(path.join(dir, entry)).href);
const jobs = JSON.parse(fs.readFileSync(arg('--jobs'), 'utf8'));
const results = jobs.map((job) => {
  try {
    const text = new Template(job.template).render({
      messages: job.messages,
      bos_token: job.bos_token,
      eos_token: job.eos_token,
      add_generation_prompt: true,
      ...(job.kwargs || {}),
    });
    return { text };
  } catch (e) {
    return { error: String(e && e.message !== undefined ? e.message : e) };
  }
});
fs.writeFileSync(arg('--out'), JSON.stringify({ version: pkg.version, results }));
