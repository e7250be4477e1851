#!/usr/bin/python3
"""Small GGUF tokenizer files for the `edgec tokenize` lit test (tokenize.test).

  tokenizer_gguf.py CASE OUT.gguf

spm: a "llama" vocabulary (<unk> <s> </s>, the 256 byte tokens, then the pieces of
"hello world" with scores that prefer the longer pieces); bpe: a "gpt2" one (pre-tokenizer
qwen2: the 256 byte characters, merges making "hello" and " world", <|im_start|> and
<|im_end|>); phi3: spm named like a Phi-3 model, with <|user|>, <|end|> and <|endoftext|>
(llama.cpp's rules strip the whitespace after the special tokens of such a model); the other
cases are one of them with one thing wrong.
"""
import sys

from gguf_writer import GGUFWriter

SP = "\u2581"
PIECES = [SP, "h", "e", "l", "o", "w", "r", "d", SP + "h", "ll", "he", SP + "he", "llo", SP + "hello",
          SP + "w", "or", SP + "wor", "ld", SP + "world"]


def spm(case):
    tokens = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)] + PIECES
    types = [2, 3, 3] + [6] * 256 + [1] * len(PIECES)
    scores = [0.0] * 259 + [-float(i) for i in range(len(PIECES))]
    if case.startswith("phi3"):
        added = ["<|user|>", "<|end|>"] + ([] if case == "phi3-no-endoftext" else ["<|endoftext|>"])
        tokens, types, scores = tokens + added, types + [3] * len(added), scores + [0.0] * len(added)
    w = GGUFWriter()
    w.add("general.architecture", "str", "llama")
    if case.startswith("phi3"):
        w.add("general.name", "str", "Phi-3 test")
    if case != "no-model":
        w.add("tokenizer.ggml.model", "str", "bert" if case == "unknown-model" else "llama")
    w.add("tokenizer.ggml.tokens", "array", ("str", tokens))
    w.add("tokenizer.ggml.scores", "array", ("f32", scores[:-1] if case == "short-scores" else scores))
    w.add("tokenizer.ggml.token_type", "array", ("i32", types))
    w.add("tokenizer.ggml.bos_token_id", "u32", 1)
    w.add("tokenizer.ggml.eos_token_id", "u32", 300 if case == "bad-eos" else 2)
    return w


def byte_chars():
    """GPT-2's bytes_to_unicode: the character standing for each byte."""
    out, n = [], 256
    for b in range(256):
        if 0x21 <= b <= 0x7E or 0xA1 <= b <= 0xAC or b >= 0xAE:
            out.append(chr(b))
        else:
            out.append(chr(n))
            n += 1
    return out


def bpe(case):
    G = "\u0120"  # the character for the space byte
    merges = ["l l", "h e", "he ll", "hell o", G + " w", "o r", G + "w or", "l d", G + "wor ld"]
    tokens = byte_chars() + [m.replace(" ", "") for m in merges] + ["<|im_start|>", "<|im_end|>"]
    types = [1] * (len(tokens) - 2) + [3, 3]
    w = GGUFWriter()
    w.add("general.architecture", "str", "qwen2")
    w.add("tokenizer.ggml.model", "str", "gpt2")
    if case != "bpe-no-pre":
        w.add("tokenizer.ggml.pre", "str", "qwen2")
    w.add("tokenizer.ggml.tokens", "array", ("str", tokens))
    w.add("tokenizer.ggml.token_type", "array", ("i32", types))
    if case != "bpe-no-merges":
        w.add("tokenizer.ggml.merges", "array", ("str", merges + (["x yz"] if case == "bpe-bad-merge" else [])))
    w.add("tokenizer.ggml.eos_token_id", "u32", len(tokens) - 1)
    return w


if __name__ == "__main__":
    (bpe if sys.argv[1].startswith("bpe") else spm)(sys.argv[1]).write(sys.argv[2])
