// ChatTemplate: which chat format a model's Jinja template is, and a conversation written
// in it. Each format's text follows its models' published templates (named in
// chat_template.h); test/e2e/chat_template_vs_jinja.py renders those templates with
// @huggingface/jinja and compares.
#include "edgec/chat_template.h"

#include <cstring>

namespace edgec {

namespace {

bool contains(const std::string &s, const char *part) { return s.find(part) != std::string::npos; }

// Python's str.strip() / Jinja's trim over ASCII whitespace (what the templates call on
// contents; other Unicode spaces are left, a difference only at a content's ends).
std::string strip(const std::string &s) {
  const char *ws = " \t\n\r\v\f";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return std::string();
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
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

bool knownRole(const std::string &role) { return role == "system" || role == "user" || role == "assistant"; }

}  // namespace

const char *ChatTemplate::names() { return "chatml, llama3, llama2, mistral"; }

const char *ChatTemplate::name() const {
  switch (format_) {
  case Format::ChatML: return "chatml";
  case Format::Llama3: return "llama3";
  case Format::Llama2: return "llama2";
  case Format::Mistral: return "mistral";
  }
  return "?";
}

std::unique_ptr<ChatTemplate> ChatTemplate::byName(const std::string &name, std::string &error) {
  for (Format f : {Format::ChatML, Format::Llama3, Format::Llama2, Format::Mistral}) {
    std::unique_ptr<ChatTemplate> t(new ChatTemplate(f));
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
  if (contains(jinja, "<|im_start|>")) {
    t.reset(new ChatTemplate(Format::ChatML));
    t->defaultSystem_ = chatmlDefaultSystem(jinja);
  } else if (contains(jinja, "<|start_header_id|>")) {
    // Llama 3.1 and later write a system turn of their own (knowledge and today's dates,
    // tools) that the Llama 3 format leaves out.
    if (contains(jinja, "Cutting Knowledge Date")) {
      error = "the model's chat template is Llama 3.1's or later (a dated system preamble and tool lines), which "
              "edgec does not write" + hint;
      return nullptr;
    }
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
    // Mistral Instruct v0.1/v0.2 ('[INST] ' + content + ' [/INST]'); v0.3 and later
    // (tools, [/INST] without the space) write another text.
    if (!contains(jinja, " [/INST]") || contains(jinja, "[AVAILABLE_TOOLS]")) {
      error = "the model's chat template is a Mistral format later than v0.2 (tools, or [/INST] spaced "
              "differently)" + hint;
      return nullptr;
    }
    t.reset(new ChatTemplate(Format::Mistral));
  } else {
    error = "the model's chat template is not one edgec knows (it has none of <|im_start|>, "
            "<|start_header_id|>, [INST])" + hint;
    return nullptr;
  }
  return t;
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
  // llama2 and mistral: [system,] user, assistant, user, ... (the templates raise
  // otherwise).
  auto alternating = [&](size_t from) {
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
  case Format::Llama3:
    text = bos;
    for (const ChatMessage &m : messages)
      text += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + strip(m.content) + "<|eot_id|>";
    if (openAssistant) text += "<|start_header_id|>assistant<|end_header_id|>\n\n";
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
  case Format::Mistral: {
    const size_t first = hasSystem ? 1 : 0;
    if (!alternating(first)) return false;
    text = bos;
    for (size_t i = first; i < messages.size(); ++i) {
      std::string content = messages[i].content;
      if (i == first && hasSystem) content = messages[0].content + "\n\n" + content;
      if (messages[i].role == "user") text += "[INST] " + content + " [/INST]";
      else text += content + eos;
    }
    return true;
  }
  }
  return false;
}

}  // namespace edgec
