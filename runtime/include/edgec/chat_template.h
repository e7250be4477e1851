// A conversation as an LLM's prompt text: the chat formats of the instruction-tuned models
// edgec runs (llama, qwen2, qwen3, gemma2, gemma3 and phi3 architectures), chosen from the model's Jinja
// chat template (the GGUF key tokenizer.chat_template) by the marks each format's templates carry, as
// llama.cpp's llama_chat_apply_template does. Each format is written out by hand to give
// the same text as its models' templates rendered by a Jinja engine (test/e2e checks this
// against @huggingface/jinja on the real templates); a template of another format is an
// error naming what was found, and a caller can then name a format itself.
//
// Formats (named as --chat-template takes them):
//   chatml   Qwen2/2.5, OpenHermes, ...: <|im_start|>ROLE\nCONTENT<|im_end|>\n per message;
//            the default system message the template writes when the conversation has
//            none (Qwen2.5's "You are Qwen, created by Alibaba Cloud. ...") is kept.
//   qwen3    Qwen3 (and its thinking variants): ChatML whose assistant messages before the
//            last user message lose their reasoning (up to the last </think> and the
//            newlines after it), as the template strips it; an assistant message after the
//            last user message is written with its <think> block. The opened assistant turn
//            is "<|im_start|>assistant\n", plus "<think>\n" where the template always opens
//            one (Qwen3-*-Thinking-2507), or an empty "<think>\n\n</think>\n\n" with
//            thinking off (setThinking(false): the template's enable_thinking=false).
//   llama3   Llama 3 Instruct: BOS, then <|start_header_id|>ROLE<|end_header_id|>\n\n
//            CONTENT (trimmed)<|eot_id|> per message.
//   llama3.1 Llama 3.1, 3.2, 3.3 Instruct: as llama3, after a system turn the templates
//            always write: "Cutting Knowledge Date: December 2023", "Today Date: D" (the
//            template's fixed date, 26 Jul 2024; Llama 3.2's reads the clock, today's
//            date), then the system message (trimmed) if any. No tools.
//   llama2   Llama 2 Chat: BOS [INST] <<SYS>>\nSYSTEM\n<</SYS>>\n\nUSER [/INST] ASSISTANT EOS
//            (contents stripped; user and assistant alternate).
//   mistral  Mistral / Mixtral Instruct v0.1-v0.2: BOS [INST] USER [/INST]ASSISTANT EOS ...;
//            the templates take no system message, so one is put before the first user
//            message with a blank line between them, as llama.cpp does.
//   mistral-v1  the same models' later template: BOS [INST] SYSTEM\n\nUSER [/INST] ASSISTANT
//            EOS [INST] ... (a space before each [INST] and each reply; the system message
//            is the template's own).
//   zephyr   TinyLlama Chat, Zephyr: <|ROLE|>\nCONTENT EOS\n per message, <|assistant|>\n.
//   gemma    Gemma 2 and 3 (instruction-tuned): BOS, then <start_of_turn>ROLE\nCONTENT (trimmed)
//            <end_of_turn>\n per message, the assistant's role written "model"; no system
//            turn: a system message goes at the start of the first user message, as written,
//            with a blank line after it (Gemma 3's template; Gemma 2's raises on one); user and
//            model alternate. The opened turn is "<start_of_turn>model\n".
//   phi3     Phi-3 and Phi-3.5 Instruct: <|ROLE|>\nCONTENT<|end|>\n per message, contents as
//            written, the opened turn "<|assistant|>\n". Phi-3.5's template skips an empty
//            system message; templates that write no system turn (Phi-3-medium's, the first
//            Phi-3-mini's) drop a system message, where edgec writes it as llama.cpp's phi3
//            format does; those whose first line is the bos_token get BOS first.
//   phi4-mini  Phi-4-mini Instruct: <|ROLE|>CONTENT<|end|> per message (no newlines), the
//            opened turn "<|assistant|>". llama.cpp's built-in formats write it as phi3 (its
//            test sees <|assistant|> and <|end|>); edgec follows the template.
//   phi4     Phi-4 (14B): <|im_start|>ROLE<|im_sep|>CONTENT<|im_end|> per message, the opened
//            turn "<|im_start|>assistant<|im_sep|>" (llama.cpp's phi4).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edgec/tokenizer.h"

namespace edgec {

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

class ChatTemplate {
public:
  enum class Format { ChatML, Qwen3, Llama3, Llama31, Llama2, Mistral, MistralV1, Zephyr, Gemma, Phi3, Phi4Mini, Phi4 };

  // The format of a model's Jinja template. Null with one line in `error` when the
  // template is empty or of no format above (it names the formats, and --chat-template).
  static std::unique_ptr<ChatTemplate> fromJinja(const std::string &jinja, std::string &error);
  // A format by name (names()); null with `error` otherwise. llama3.1 by name writes the
  // fixed date of Llama 3.1's template.
  static std::unique_ptr<ChatTemplate> byName(const std::string &name, std::string &error);
  // "chatml, qwen3, llama3, llama3.1, llama2, mistral, mistral-v1, zephyr, gemma, phi3".
  static const char *names();

  Format format() const { return format_; }
  const char *name() const;
  // The system message the template writes when the conversation has none ("" if none).
  const std::string &defaultSystem() const { return defaultSystem_; }
  // llama3.1: the "Today Date" it writes.
  const std::string &date() const { return date_; }
  static constexpr const char *kLlama31Date = "26 Jul 2024";
  // qwen3: whether thinking can be switched off (the template reads enable_thinking; qwen3
  // by name: yes), and switching it off: the opened assistant turn then holds an empty
  // <think> block, as the template writes it with enable_thinking=false. False when the
  // format has no such switch.
  bool canSwitchThinkingOff() const { return format_ == Format::Qwen3 && thinkingSwitch_; }
  bool setThinking(bool on) {
    if (!on && !canSwitchThinkingOff()) return false;
    thinking_ = on;
    return true;
  }

  // The conversation as prompt text, the assistant's turn opened at the end when
  // `openAssistant` (every format here opens it after a user message). `bos` and `eos`
  // are the vocabulary's token texts. False with `error` when the messages do not fit
  // the format: a role other than system, user and assistant; llama2, both mistral
  // formats and gemma: a system message that is not the first, or user and assistant not
  // alternating from a user message.
  bool apply(const std::vector<ChatMessage> &messages, bool openAssistant, const std::string &bos,
             const std::string &eos, std::string &text, std::string &error) const;

  // The vocabulary's BOS and EOS token texts, as apply() takes them ("" for none).
  static std::string bosText(const Tokenizer &tokenizer);
  static std::string eosText(const Tokenizer &tokenizer);
  // Prompt text written by apply() as token ids, as llama.cpp tokenizes a chat: special
  // tokens parsed, and BOS added as the vocabulary asks unless the text begins with it
  // (the formats that write the bos_token themselves).
  static std::vector<int32_t> encode(const Tokenizer &tokenizer, std::string_view text);

private:
  explicit ChatTemplate(Format format) : format_(format) {}
  Format format_;
  std::string defaultSystem_;
  std::string date_;
  bool opensThink_ = false;     // qwen3: the opened assistant turn always starts a <think> block
  bool thinkingSwitch_ = true;  // qwen3: the template reads enable_thinking
  bool thinking_ = true;
  bool skipsEmptySystem_ = false;  // phi3: Phi-3.5's template writes no empty system turn
  bool writesBos_ = false;         // phi3: the template starts with the bos_token
};

}  // namespace edgec
