#!/usr/bin/python3
"""Small GGUF tokenizer files for the `edgec tokenize` lit test (tokenize.test).

  tokenizer_gguf.py CASE OUT.gguf

spm: a "llama" vocabulary (<unk> <s> </s>, the 256 byte tokens, then the pieces of
"hello world" with scores that prefer the longer pieces); the other cases are that file
with one thing wrong.
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
    w = GGUFWriter()
    w.add("general.architecture", "str", "llama")
    if case != "no-model":
        w.add("tokenizer.ggml.model", "str", "bert" if case == "unknown-model" else "llama")
    w.add("tokenizer.ggml.tokens", "array", ("str", tokens))
    w.add("tokenizer.ggml.scores", "array", ("f32", scores[:-1] if case == "short-scores" else scores))
    w.add("tokenizer.ggml.token_type", "array", ("i32", types))
    w.add("tokenizer.ggml.bos_token_id", "u32", 1)
    w.add("tokenizer.ggml.eos_token_id", "u32", 300 if case == "bad-eos" else 2)
    return w


if __name__ == "__main__":
    spm(sys.argv[1]).write(sys.argv[2])
