// ChatTemplate: which chat format a model's Jinja template is, and a conversation written
// in it. Each format's text follows its models' published templates (named in
// chat_template.h); test/e2e/chat_template_vs_jinja.py renders those templates with
// @huggingface/jinja and compares.
#include "edgec/chat_template.h"

#include <cstring>
#include <ctime>

namespace edgec {

namespace {

bool contains(const std::string &s, const char *part) { return s.find(part) != std::string::npos; }

// The templates' strip() and trim (Python's str.strip, JavaScript's String.trim in
// @huggingface/jinja) on a content: the whitespace both strip, ASCII and Unicode's spaces
// (U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), as UTF-8.
size_t spaceAt(const std::string &s, size_t i) {  // the bytes of a whitespace character at i, or 0
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  auto is = [&](const char *utf8) { return s.compare(i, std::strlen(utf8), utf8) == 0; };
  if (is("\xC2\xA0")) return 2;
  for (const char *u : {"\xE1\x9A\x80", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F",
                        "\xE3\x80\x80"})
    if (is(u)) return 3;
  if (i + 2 < s.size() && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
      static_cast<unsigned char>(s[i + 2]) >= 0x80 && static_cast<unsigned char>(s[i + 2]) <= 0x8A)
    return 3;  // U+2000-U+200A
  return 0;
}

std::string strip(const std::string &s) {
  size_t b = 0, e = s.size();
  while (b < e && spaceAt(s, b)) b += spaceAt(s, b);
  // From the end: the last character's start is the last byte that is not a continuation.
  while (e > b) {
    size_t start = e - 1;
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    const size_t n = spaceAt(s, start);
    if (n == 0 || start + n != e) break;
    e = start;
  }
  return s.substr(b, e - b);
}

// The text of a Jinja string literal's body (backslash escapes undone).
std::string unescape(const std::string &body) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 == body.size()) {
      out += body[i];
      continue;
    }
    const char c = body[++i];
    out += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
  }
  return out;
}

// A ChatML template's default system message: the first string literal that writes a
// whole system turn, '<|im_start|>system\n<text><|im_end|>', with no quote or expression
// inside (the turn the template writes when the conversation has none).
std::string chatmlDefaultSystem(const std::string &jinja) {
  const std::string open = "<|im_start|>system";
  for (size_t at = jinja.find(open); at != std::string::npos; at = jinja.find(open, at + 1)) {
    size_t p = at + open.size();
    if (jinja.compare(p, 2, "\\n") == 0) p += 2;
    else if (p < jinja.size() && jinja[p] == '\n') p += 1;
    else continue;
    const size_t end = jinja.find("<|im_end|>", p);
    if (end == std::string::npos) break;
    const std::string body = jinja.substr(p, end - p);
    if (body.find_first_of("'\"{}") == std::string::npos) return unescape(body);
  }
  return std::string();
}

// A Llama 3.1+ template's date when it does not read the clock: the literal of
// `set date_string = "..."` ("26 Jul 2024"), or "" when there is none.
std::string llama31FixedDate(const std::string &jinja) {
  const std::string set = "set date_string = ";
  const size_t at = jinja.find(set);
  if (at == std::string::npos || at + set.size() >= jinja.size()) return std::string();
  const char quote = jinja[at + set.size()];
  if (quote != '"' && quote != '\'') return std::string();
  const size_t begin = at + set.size() + 1, end = jinja.find(quote, begin);
  return end == std::string::npos ? std::string() : jinja.substr(begin, end - begin);
}

// Today as Llama 3.2's template writes it with strftime_now("%d %b %Y"), the local date
// (what transformers and llama.cpp give it).
std::string today() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buf[32];
  return std::strftime(buf, sizeof buf, "%d %b %Y", &local) ? std::string(buf) : std::string();
}

bool knownRole(const std::string &role) { return role == "system" || role == "user" || role == "assistant"; }

// Python's s.lstrip('\n'), s.rstrip('\n'), s.strip('\n') (the Qwen3 template's).
std::string lstripNewlines(const std::string &s) {
  const size_t b = s.find_first_not_of('\n');
  return b == std::string::npos ? std::string() : s.substr(b);
}
std::string rstripNewlines(const std::string &s) {
  const size_t e = s.find_last_not_of('\n');
  return e == std::string::npos ? std::string() : s.substr(0, e + 1);
}
std::string stripNewlines(const std::string &s) { return rstripNewlines(lstripNewlines(s)); }

// The Qwen3 template's reply written back into the conversation: the message's content
// without its reasoning, and the reasoning, as it splits them at '</think>'.
void splitReasoning(const std::string &message, std::string &content, std::string &reasoning) {
  content = message;
  reasoning.clear();
  const size_t first = message.find("</think>");
  if (first == std::string::npos) return;
  content = lstripNewlines(message.substr(message.rfind("</think>") + 8));  // split('</think>')[-1]
  const std::string before = rstripNewlines(message.substr(0, first));        // split('</think>')[0]
  const size_t open = before.rfind("<think>");
  reasoning = lstripNewlines(open == std::string::npos ? before : before.substr(open + 7));
}

}  // namespace

const char *ChatTemplate::names() {
  return "chatml, qwen3, llama3, llama3.1, llama2, mistral, mistral-v1, zephyr, gemma, phi3, phi4-mini, phi4";
}

const char *ChatTemplate::name() const {
  switch (format_) {
  case Format::ChatML: return "chatml";
  case Format::Qwen3: return "qwen3";
  case Format::Llama3: return "llama3";
  case Format::Llama2: return "llama2";
  case Format::Mistral: return "mistral";
  case Format::MistralV1: return "mistral-v1";
  case Format::Llama31: return "llama3.1";
  case Format::Zephyr: return "zephyr";
  case Format::Gemma: return "gemma";
  case Format::Phi3: return "phi3";
  case Format::Phi4Mini: return "phi4-mini";
  case Format::Phi4: return "phi4";
  }
  return "?";
}

std::unique_ptr<ChatTemplate> ChatTemplate::byName(const std::string &name, std::string &error) {
  for (Format f : {Format::ChatML, Format::Qwen3, Format::Llama3, Format::Llama31, Format::Llama2, Format::Mistral,
                   Format::MistralV1, Format::Zephyr, Format::Gemma, Format::Phi3, Format::Phi4Mini, Format::Phi4}) {
    std::unique_ptr<ChatTemplate> t(new ChatTemplate(f));
    if (f == Format::Llama31) t->date_ = kLlama31Date;
    if (name == t->name()) return t;
  }
  error = "unknown chat template '" + name + "' (known: " + names() + ")";
  return nullptr;
}

std::unique_ptr<ChatTemplate> ChatTemplate::fromJinja(const std::string &jinja, std::string &error) {
  const std::string hint = std::string("; --chat-template names a format (") + names() + ")";
  if (jinja.empty()) {
    error = "the model has no chat template (tokenizer.chat_template)" + hint;
    return nullptr;
  }
  std::unique_ptr<ChatTemplate> t;
  if (contains(jinja, "<|im_start|>") && contains(jinja, "</think>") && contains(jinja, "last_query_index")) {
    // Qwen3's: reasoning stripped from the replies before the last question; the
    // Thinking-2507 variants open every reply with <think>.
    t.reset(new ChatTemplate(Format::Qwen3));
    t->opensThink_ = contains(jinja, "'<|im_start|>assistant\\n<think>\\n'");
    t->thinkingSwitch_ = !t->opensThink_ && contains(jinja, "enable_thinking");
  } else if (contains(jinja, "<|im_start|>") && contains(jinja, "<|im_sep|>")) {
    // Phi-4's ChatML: the role and the content apart by <|im_sep|> (llama.cpp's test too).
    t.reset(new ChatTemplate(Format::Phi4));
  } else if (contains(jinja, "<|im_start|>")) {
    t.reset(new ChatTemplate(Format::ChatML));
    t->defaultSystem_ = chatmlDefaultSystem(jinja);
  } else if (contains(jinja, "<|start_header_id|>") && contains(jinja, "Cutting Knowledge Date")) {
    // Llama 3.1 and later: a system turn of their own, dated. 3.1 and 3.3 write a fixed
    // date, 3.2 today's (strftime_now, as transformers and llama.cpp define it).
    if (!contains(jinja, "Cutting Knowledge Date: December 2023\\n") || !contains(jinja, "Today Date: ")) {
      error = "the model's chat template writes a Llama 3.1-style system preamble other than Llama 3.1-3.3's" + hint;
      return nullptr;
    }
    t.reset(new ChatTemplate(Format::Llama31));
    t->date_ = contains(jinja, "strftime_now") ? today() : llama31FixedDate(jinja);
    if (t->date_.empty()) t->date_ = kLlama31Date;
  } else if (contains(jinja, "<|start_header_id|>")) {
    t.reset(new ChatTemplate(Format::Llama3));
  } else if (contains(jinja, "[INST]") && contains(jinja, "<<SYS>>")) {
    // Meta's Llama 2 Chat template: BOS before every [INST]. Variants that write BOS once
    // or a default system message of their own are another text.
    if (!contains(jinja, "bos_token + '[INST] '") || contains(jinja, "set system_message = '")) {
      error = "the model's chat template is a Llama 2 variant other than Meta's (BOS or the system message "
              "placed differently)" + hint;
      return nullptr;
    }
    t.reset(new ChatTemplate(Format::Llama2));
  } else if (contains(jinja, "[INST]")) {
    // Mistral Instruct v0.1/v0.2: the first templates ('[INST] ' + content + ' [/INST]',
    // no system message) or Mistral's later "v1" one for the same models (' [INST] ',
    // with a system message); v0.3 and later (tools, [/INST] unspaced) write other text.
    if (!contains(jinja, " [/INST]") || contains(jinja, "[AVAILABLE_TOOLS]")) {
      error = "the model's chat template is a Mistral format later than v0.2 (tools, or [/INST] spaced "
              "differently)" + hint;
      return nullptr;
    }
    t.reset(new ChatTemplate(contains(jinja, "' [INST] '") ? Format::MistralV1 : Format::Mistral));
  } else if (contains(jinja, "<|user|>") && contains(jinja, "<|assistant|>") && contains(jinja, "eos_token") &&
             !contains(jinja, "<|end|>")) {
    // Zephyr (TinyLlama Chat): <|user|>\n CONTENT EOS, a line each. Phi-3's <|user|>
    // turns end with <|end|> instead.
    t.reset(new ChatTemplate(Format::Zephyr));
  } else if (contains(jinja, "<|assistant|>") && contains(jinja, "<|end|>") &&
             contains(jinja, "'<|' + message['role'] + '|>' + message['content']")) {
    // Phi-4-mini's: Phi-3's turns without the newline after the role.
    t.reset(new ChatTemplate(Format::Phi4Mini));
  } else if (contains(jinja, "<|user|>") && contains(jinja, "<|assistant|>") && contains(jinja, "<|end|>")) {
    // Phi-3 and Phi-3.5 (llama.cpp's test: <|assistant|> and <|end|>).
    t.reset(new ChatTemplate(Format::Phi3));
    t->skipsEmptySystem_ = contains(jinja, "'system' and message['content']");
    t->writesBos_ = jinja.compare(0, 15, "{{ bos_token }}") == 0 || jinja.compare(0, 13, "{{bos_token}}") == 0;
  } else if (contains(jinja, "<start_of_turn>")) {
    // Gemma 2 and 3 (Gemma 1's the same turns), written as Gemma 3's template, the one that
    // also takes a system message.
    t.reset(new ChatTemplate(Format::Gemma));
  } else {
    error = "the model's chat template is not one edgec knows (none of <|im_start|>, <|start_header_id|>, "
            "[INST], <start_of_turn>, Zephyr's <|user|> turns ending with EOS, or Phi-3's or Phi-4-mini's ending with "
            "<|end|>)" + hint;
    return nullptr;
  }
  return t;
}

namespace {
std::string tokenText(const Tokenizer &tokenizer, int32_t id) {
  return id >= 0 && size_t(id) < tokenizer.size() ? tokenizer.vocab().tokens[size_t(id)] : std::string();
}
}  // namespace

std::string ChatTemplate::bosText(const Tokenizer &tokenizer) { return tokenText(tokenizer, tokenizer.vocab().bos); }
std::string ChatTemplate::eosText(const Tokenizer &tokenizer) { return tokenText(tokenizer, tokenizer.vocab().eos); }

std::vector<int32_t> ChatTemplate::encode(const Tokenizer &tokenizer, std::string_view text) {
  const std::string bos = bosText(tokenizer);
  const bool writesBos = !bos.empty() && text.substr(0, bos.size()) == bos;
  return tokenizer.encode(text, !writesBos, /*parseSpecial=*/true);
}

bool ChatTemplate::apply(const std::vector<ChatMessage> &messages, bool openAssistant, const std::string &bos,
                         const std::string &eos, std::string &text, std::string &error) const {
  text.clear();
  for (size_t i = 0; i < messages.size(); ++i)
    if (!knownRole(messages[i].role)) {
      error = "message " + std::to_string(i + 1) + " has the role '" + messages[i].role +
              "' (system, user or assistant)";
      return false;
    }
  // llama2, mistral and gemma: [system,] user, assistant, user, ... (the templates raise
  // otherwise, or drop a later system message; Gemma 3's writes one after a user message
  // as a system turn, a role Gemma does not have).
  auto alternating = [&](size_t from) {
    for (size_t i = 1; i < messages.size(); ++i)
      if (messages[i].role == "system") {
        error = std::string("the ") + name() + " chat format takes a system message only first (message " +
                std::to_string(i + 1) + " is system)";
        return false;
      }
    for (size_t i = from; i < messages.size(); ++i)
      if ((messages[i].role == "user") != ((i - from) % 2 == 0)) {
        error = std::string("the ") + name() + " chat format needs user and assistant messages in turn, from a user " +
                "message (message " + std::to_string(i + 1) + " is " + messages[i].role + ")";
        return false;
      }
    return true;
  };
  const bool hasSystem = !messages.empty() && messages[0].role == "system";
  switch (format_) {
  case Format::ChatML:
    if (!hasSystem && !defaultSystem_.empty()) text += "<|im_start|>system\n" + defaultSystem_ + "<|im_end|>\n";
    for (const ChatMessage &m : messages) text += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
    if (openAssistant) text += "<|im_start|>assistant\n";
    return true;
  case Format::Qwen3: {
    // The last question: the last user message that is not a tool response (the
    // template's ns.last_query_index; the last message if there is none).
    size_t lastQuery = messages.empty() ? 0 : messages.size() - 1;
    for (size_t i = messages.size(); i-- > 0;) {
      const std::string &c = messages[i].content;
      const bool toolResponse = c.rfind("<tool_response>", 0) == 0 && c.size() >= 16 &&
                                c.compare(c.size() - 16, 16, "</tool_response>") == 0;
      if (messages[i].role == "user" && !toolResponse) {
        lastQuery = i;
        break;
      }
    }
    for (size_t i = 0; i < messages.size(); ++i) {
      const ChatMessage &m = messages[i];
      if (m.role != "assistant") {
        text += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
        continue;
      }
      std::string content, reasoning;
      splitReasoning(m.content, content, reasoning);
      if (i > lastQuery && (i + 1 == messages.size() || !reasoning.empty()))
        text += "<|im_start|>assistant\n<think>\n" + stripNewlines(reasoning) + "\n</think>\n\n" +
                lstripNewlines(content);
      else
        text += "<|im_start|>assistant\n" + content;
      text += "<|im_end|>\n";
    }
    if (openAssistant) {
      text += "<|im_start|>assistant\n";
      if (opensThink_) text += "<think>\n";
      else if (!thinking_) text += "<think>\n\n</think>\n\n";
    }
    return true;
  }
  case Format::Llama3:
    text = bos;
    for (const ChatMessage &m : messages)
      text += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + strip(m.content) + "<|eot_id|>";
    if (openAssistant) text += "<|start_header_id|>assistant<|end_header_id|>\n\n";
    return true;
  case Format::Llama31: {
    // The system turn always, with the dates and the system message (trimmed) if any.
    text = bos + "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: " +
           date_ + "\n\n" + (hasSystem ? strip(messages[0].content) : std::string()) + "<|eot_id|>";
    for (size_t i = hasSystem ? 1 : 0; i < messages.size(); ++i)
      text += "<|start_header_id|>" + messages[i].role + "<|end_header_id|>\n\n" + strip(messages[i].content) +
              "<|eot_id|>";
    if (openAssistant) text += "<|start_header_id|>assistant<|end_header_id|>\n\n";
    return true;
  }
  case Format::Zephyr:
    for (const ChatMessage &m : messages) text += "<|" + m.role + "|>\n" + m.content + eos + "\n";
    if (openAssistant) text += "<|assistant|>\n";
    return true;
  case Format::Llama2: {
    const size_t first = hasSystem ? 1 : 0;
    if (!alternating(first)) return false;
    for (size_t i = first; i < messages.size(); ++i) {
      std::string content = messages[i].content;
      if (i == first && hasSystem) content = "<<SYS>>\n" + messages[0].content + "\n<</SYS>>\n\n" + content;
      if (messages[i].role == "user") text += bos + "[INST] " + strip(content) + " [/INST]";
      else text += " " + strip(content) + " " + eos;
    }
    return true;
  }
  case Format::Mistral:
  case Format::MistralV1: {
    const size_t first = hasSystem ? 1 : 0;
    if (!alternating(first)) return false;
    const bool v1 = format_ == Format::MistralV1;
    text = bos;
    for (size_t i = first; i < messages.size(); ++i) {
      std::string content = messages[i].content;
      if (i == first && hasSystem) content = messages[0].content + "\n\n" + content;
      if (messages[i].role == "user") text += (v1 ? " [INST] " : "[INST] ") + content + " [/INST]";
      else text += (v1 ? " " : "") + content + eos;
    }
    return true;
  }
  case Format::Phi3:
    text = writesBos_ ? bos : std::string();
    for (const ChatMessage &m : messages)
      if (!(skipsEmptySystem_ && m.role == "system" && m.content.empty()))
        text += "<|" + m.role + "|>\n" + m.content + "<|end|>\n";
    if (openAssistant) text += "<|assistant|>\n";
    return true;
  case Format::Phi4Mini:
    for (const ChatMessage &m : messages) text += "<|" + m.role + "|>" + m.content + "<|end|>";
    if (openAssistant) text += "<|assistant|>";
    return true;
  case Format::Phi4:
    for (const ChatMessage &m : messages) text += "<|im_start|>" + m.role + "<|im_sep|>" + m.content + "<|im_end|>";
    if (openAssistant) text += "<|im_start|>assistant<|im_sep|>";
    return true;
  case Format::Gemma: {
    // Gemma 3's template: the system message (untrimmed) and a blank line start the first
    // turn's content, then the message trimmed; Gemma 2's template raises on a system message.
    const size_t first = hasSystem ? 1 : 0;
    if (!alternating(first)) return false;
    text = bos;
    for (size_t i = first; i < messages.size(); ++i)
      text += std::string("<start_of_turn>") + (messages[i].role == "user" ? "user\n" : "model\n") +
              (i == first && hasSystem ? messages[0].content + "\n\n" : std::string()) + strip(messages[i].content) +
              "<end_of_turn>\n";
    if (openAssistant) text += "<start_of_turn>model\n";
    return true;
  }
  }
  return false;
}

}  // namespace edgec
