// ChatTemplate: which format a model's Jinja template is, the errors for what it cannot
// write, and the property `edgec generate -i` relies on: a reply appended to the text of
// a conversation is the start of the next turn's text, so the KV cache is only extended.
// Whether each format's text equals its real templates rendered by a Jinja engine is
// test/e2e/chat_template_vs_jinja.py's check (@huggingface/jinja).
#include <gtest/gtest.h>

#include <ctime>
#include <string>
#include <vector>

#include "edgec/chat_template.h"

namespace edgec {
namespace {

// The marks of the real templates, enough for detection (the full texts are in the e2e test).
const char *kQwen25 =
    "{%- if tools %}{{- '<|im_start|>system\\n' }}{%- if messages[0]['role'] == 'system' %}"
    "{{- messages[0]['content'] }}{%- else %}{{- 'You are Qwen, created by Alibaba Cloud. You are a helpful "
    "assistant.' }}{%- endif %}{%- else %}{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + "
    "messages[0]['content'] + '<|im_end|>\\n' }}{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by "
    "Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}{%- endif %}{%- endif %}";
const char *kOpenHermes =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + "
    "'\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const char *kQwen3 =
    "{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}{%- if '</think>' in "
    "message.content %}{%- set content = message.content.split('</think>')[-1].lstrip('\\n') %}{%- endif %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- if enable_thinking is defined and "
    "enable_thinking is false %}{{- '<think>\\n\\n</think>\\n\\n' }}{%- endif %}{%- endif %}";
// Qwen3-*-Thinking-2507: every reply opens a <think> block, no switch.
const char *kQwen3Thinking =
    "{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}{%- if '</think>' in "
    "message.content %}{%- endif %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n<think>\\n' }}"
    "{%- endif %}";
const char *kLlama3 = "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ "
                      "message['content'] | trim + '<|eot_id|>' %}";
const char *kLlama31 = "{%- if not date_string is defined %}{%- set date_string = \"26 Jul 2024\" %}{%- endif %}"
                       "{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}{{- \"Cutting Knowledge Date: "
                       "December 2023\\n\" }}{{- \"Today Date: \" + date_string + \"\\n\\n\" }}";
const char *kLlama32 = "{%- if not date_string is defined %}{%- if strftime_now is defined %}{%- set date_string = "
                       "strftime_now(\"%d %b %Y\") %}{%- else %}{%- set date_string = \"26 Jul 2024\" %}{%- endif %}"
                       "{%- endif %}{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}{{- \"Cutting "
                       "Knowledge Date: December 2023\\n\" }}{{- \"Today Date: \" + date_string + \"\\n\\n\" }}";
const char *kTinyLlama = "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + "
                         "message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ "
                         "'<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}{% endfor %}";
const char *kLlama2 = "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
                      "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}";
const char *kMistral = "{{ bos_token }}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + "
                       "' [/INST]' }}{% endif %}";
// Gemma 2's (google/gemma-2-2b-it; Gemma 3's differs in taking a system message).
const char *kGemma = "{{ bos_token }}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% endif %}"
                     "{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}";

// microsoft/Phi-3-mini-4k-instruct's (its current one), Phi-3.5-mini-instruct's (an empty
// system message skipped) and Phi-3-mini's first (BOS, no system turn).
const char *kPhi3 = "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + "
                    "message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\n' + "
                    "message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + "
                    "message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}"
                    "{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}";
const char *kPhi35 = "{% for message in messages %}{% if message['role'] == 'system' and message['content'] %}"
                     "{{'<|system|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}"
                     "{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}"
                     "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}";
const char *kPhi3First = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') %}"
                         "{{'<|user|>' + '\n' + message['content'] + '<|end|>' + '\n' + '<|assistant|>' + '\n'}}"
                         "{% elif (message['role'] == 'assistant') %}{{message['content'] + '<|end|>' + '\n'}}"
                         "{% endif %}{% endfor %}";
// microsoft/Phi-4-mini-instruct's (without tools) and microsoft/phi-4's.
const char *kPhi4Mini = "{% for message in messages %}{% if message['role'] == 'system' and 'tools' in message and "
                        "message['tools'] is not none %}{{ '<|' + message['role'] + '|>' + message['content'] + "
                        "'<|tool|>' + message['tools'] + '<|/tool|>' + '<|end|>' }}{% else %}{{ '<|' + "
                        "message['role'] + '|>' + message['content'] + '<|end|>' }}{% endif %}{% endfor %}"
                        "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% else %}{{ eos_token }}{% endif %}";
const char *kPhi4 = "{% for message in messages %}{% if (message['role'] == 'system') %}{{'<|im_start|>system<|im_sep|>' "
                    "+ message['content'] + '<|im_end|>'}}{% elif (message['role'] == 'user') %}{{'<|im_start|>user"
                    "<|im_sep|>' + message['content'] + '<|im_end|>'}}{% elif (message['role'] == 'assistant') %}"
                    "{{'<|im_start|>assistant<|im_sep|>' + message['content'] + '<|im_end|>'}}{% endif %}{% endfor %}"
                    "{% if add_generation_prompt %}{{ '<|im_start|>assistant<|im_sep|>' }}{% endif %}";

const char *const kNames[] = {"chatml", "qwen3", "llama3", "llama3.1", "llama2", "mistral", "mistral-v1", "zephyr",
                              "gemma", "phi3", "phi4-mini", "phi4"};

std::unique_ptr<ChatTemplate> detect(const char *jinja) {
  std::string error;
  auto t = ChatTemplate::fromJinja(jinja, error);
  EXPECT_TRUE(t) << error;
  return t;
}

std::string render(const ChatTemplate &t, const std::vector<ChatMessage> &m, bool open = true) {
  std::string text, error;
  EXPECT_TRUE(t.apply(m, open, "<s>", "</s>", text, error)) << error;
  return text;
}

TEST(ChatTemplate, DetectsEachFormatFromItsTemplate) {
  EXPECT_EQ(detect(kQwen25)->format(), ChatTemplate::Format::ChatML);
  EXPECT_EQ(detect(kOpenHermes)->format(), ChatTemplate::Format::ChatML);
  EXPECT_EQ(detect(kQwen3)->format(), ChatTemplate::Format::Qwen3);
  EXPECT_EQ(detect(kQwen3Thinking)->format(), ChatTemplate::Format::Qwen3);
  EXPECT_EQ(detect(kLlama3)->format(), ChatTemplate::Format::Llama3);
  EXPECT_EQ(detect(kLlama2)->format(), ChatTemplate::Format::Llama2);
  EXPECT_EQ(detect(kMistral)->format(), ChatTemplate::Format::Mistral);
  EXPECT_EQ(detect(kLlama31)->format(), ChatTemplate::Format::Llama31);
  EXPECT_EQ(detect(kTinyLlama)->format(), ChatTemplate::Format::Zephyr);
  EXPECT_EQ(detect(kGemma)->format(), ChatTemplate::Format::Gemma);
  for (const char *phi : {kPhi3, kPhi35, kPhi3First}) EXPECT_EQ(detect(phi)->format(), ChatTemplate::Format::Phi3);
}

// Llama 3.1 and 3.3 write the date their template fixes; 3.2's reads the clock, as
// transformers' and llama.cpp's strftime_now does: today's, "%d %b %Y".
TEST(ChatTemplate, DatesALlama31SystemTurnAsItsTemplateDoes) {
  EXPECT_EQ(detect(kLlama31)->date(), "26 Jul 2024");
  const std::string today = detect(kLlama32)->date();
  ASSERT_EQ(today.size(), 11u) << today;
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  EXPECT_EQ(std::stoi(today.substr(0, 2)), local.tm_mday) << today;
  EXPECT_EQ(std::stoi(today.substr(7)), local.tm_year + 1900) << today;
  const std::string text = render(*detect(kLlama31), {{"user", "hi"}});
  EXPECT_EQ(text.rfind("<s><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n"
                       "Today Date: 26 Jul 2024\n\n<|eot_id|>", 0), 0u) << text;
}

TEST(ChatTemplate, KeepsTheDefaultSystemMessageOfAChatMLTemplate) {
  EXPECT_EQ(detect(kQwen25)->defaultSystem(), "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
  EXPECT_EQ(detect(kOpenHermes)->defaultSystem(), "");
  // Written only when the conversation has no system message of its own.
  const auto qwen = detect(kQwen25);
  EXPECT_NE(render(*qwen, {{"user", "hi"}}).find("You are Qwen"), std::string::npos);
  EXPECT_EQ(render(*qwen, {{"system", "Be brief."}, {"user", "hi"}}).find("You are Qwen"), std::string::npos);
}

TEST(ChatTemplate, RefusesWhatItCannotWriteAndSaysWhatToDo) {
  std::string error;
  EXPECT_FALSE(ChatTemplate::fromJinja("", error));
  EXPECT_NE(error.find("no chat template"), std::string::npos) << error;
  // Llama 3.1's marks without its preamble's lines: another text, refused.
  EXPECT_FALSE(ChatTemplate::fromJinja("{{- '<|start_header_id|>system<|end_header_id|>' }}{{- 'Cutting Knowledge "
                                       "Date: January 2025' }}", error));
  EXPECT_NE(error.find("Llama 3.1"), std::string::npos) << error;
  EXPECT_NE(error.find("--chat-template"), std::string::npos) << error;
  // Vicuna's USER: / ASSISTANT: lines.
  EXPECT_FALSE(ChatTemplate::fromJinja("{{ 'USER: ' + message['content'] + '\n' }}{{ 'ASSISTANT:' }}", error));
  EXPECT_NE(error.find("not one edgec knows"), std::string::npos) << error;
  EXPECT_FALSE(ChatTemplate::byName("vicuna", error));
  EXPECT_NE(error.find(ChatTemplate::names()), std::string::npos) << error;
  EXPECT_STREQ(ChatTemplate::names(),
               "chatml, qwen3, llama3, llama3.1, llama2, mistral, mistral-v1, zephyr, gemma, phi3, phi4-mini, phi4");
  for (const char *name : kNames) {
    auto t = ChatTemplate::byName(name, error);
    ASSERT_TRUE(t) << name;
    EXPECT_STREQ(t->name(), name);
  }
}

TEST(ChatTemplate, RejectsMessagesTheFormatCannotHold) {
  std::string text, error;
  const auto chatml = detect(kOpenHermes);
  EXPECT_FALSE(chatml->apply({{"user", "a"}, {"tool", "b"}}, true, "", "", text, error));
  EXPECT_NE(error.find("message 2"), std::string::npos) << error;
  EXPECT_NE(error.find("'tool'"), std::string::npos) << error;
  for (const char *t : {kLlama2, kMistral, kGemma}) {
    const auto f = detect(t);
    EXPECT_FALSE(f->apply({{"user", "a"}, {"user", "b"}}, true, "<s>", "</s>", text, error)) << t;
    EXPECT_NE(error.find("in turn"), std::string::npos) << error;
    EXPECT_FALSE(f->apply({{"assistant", "a"}}, true, "<s>", "</s>", text, error)) << t;
    EXPECT_FALSE(f->apply({{"user", "a"}, {"system", "s"}, {"user", "b"}}, true, "<s>", "</s>", text, error)) << t;
    EXPECT_NE(error.find("system message only first (message 2"), std::string::npos) << error;
  }
}

// Qwen3's template writes a reply before the last question without its reasoning (what
// follows the last </think>, newlines stripped), one after it with its <think> block; the
// opened turn as the template's variant and enable_thinking have it.
TEST(ChatTemplate, Qwen3DropsEarlierReasoningAndSwitchesThinking) {
  const auto qwen3 = detect(kQwen3);
  const std::vector<ChatMessage> m = {{"user", "2+2?"}, {"assistant", "<think>\nAdd.\n</think>\n\n4"}, {"user", "3+3?"}};
  EXPECT_EQ(render(*qwen3, m), "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n"
                               "<|im_start|>user\n3+3?<|im_end|>\n<|im_start|>assistant\n");
  // Text before <think>, two </think>: the content is what follows the last, the reasoning
  // what lies between the last <think> before the first </think> and it.
  EXPECT_EQ(render(*qwen3, {{"user", "q"}, {"assistant", "a <think>\n\nr\n</think>b</think>\n\nc\n"}}, false),
            "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\nr\n</think>\n\nc\n<|im_end|>\n");
  // The last message a reply without reasoning: an empty block all the same.
  EXPECT_EQ(render(*qwen3, {{"user", "q"}, {"assistant", "\nc"}}, false),
            "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nc<|im_end|>\n");
  auto off = detect(kQwen3);
  ASSERT_TRUE(off->canSwitchThinkingOff());
  ASSERT_TRUE(off->setThinking(false));
  EXPECT_EQ(render(*off, {{"user", "q"}}), "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
  const auto thinking = detect(kQwen3Thinking);
  EXPECT_EQ(render(*thinking, {{"user", "q"}}), "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\n");
  EXPECT_FALSE(detect(kQwen3Thinking)->setThinking(false));
  EXPECT_FALSE(detect(kOpenHermes)->setThinking(false));
}

// Gemma 3's template: BOS, each message trimmed in a turn, the assistant's role "model"; a
// system message, untrimmed, and a blank line at the start of the first user message.
TEST(ChatTemplate, GemmaWritesTheSystemMessageIntoTheFirstTurn) {
  const auto gemma = detect(kGemma);
  EXPECT_EQ(render(*gemma, {{"user", " hi\n"}, {"assistant", " Hello. "}, {"user", "\tbye"}}),
            "<s><start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\nHello.<end_of_turn>\n"
            "<start_of_turn>user\nbye<end_of_turn>\n<start_of_turn>model\n");
  EXPECT_EQ(render(*gemma, {{"system", " Be brief. "}, {"user", " hi"}}, false),
            "<s><start_of_turn>user\n Be brief. \n\nhi<end_of_turn>\n");
}

// Phi-3's turns: <|ROLE|>, a newline, the content as written, <|end|> and a newline; the
// variants' BOS and empty system message as their templates write them.
TEST(ChatTemplate, Phi3EndsEachTurnWithEnd) {
  const std::vector<ChatMessage> m = {
      {"system", " Be brief. "}, {"user", "hi\n"}, {"assistant", "Hello."}, {"user", "bye"}};
  EXPECT_EQ(render(*detect(kPhi3), m),
            "<|system|>\n Be brief. <|end|>\n<|user|>\nhi\n<|end|>\n<|assistant|>\nHello.<|end|>\n"
            "<|user|>\nbye<|end|>\n<|assistant|>\n");
  EXPECT_EQ(render(*detect(kPhi3), {{"system", ""}, {"user", "hi"}}),
            "<|system|>\n<|end|>\n<|user|>\nhi<|end|>\n<|assistant|>\n");
  EXPECT_EQ(render(*detect(kPhi35), {{"system", ""}, {"user", "hi"}}), "<|user|>\nhi<|end|>\n<|assistant|>\n");
  EXPECT_EQ(render(*detect(kPhi3First), {{"user", "hi"}}), "<s><|user|>\nhi<|end|>\n<|assistant|>\n");
}

// Phi-4-mini's turns are Phi-3's without the newlines; Phi-4's are ChatML's with <|im_sep|>
// after the role (not the newline the chatml format writes).
TEST(ChatTemplate, Phi4FormatsFromTheirTemplates) {
  const std::vector<ChatMessage> m = {{"system", "Be brief."}, {"user", "hi\n"}, {"assistant", "Hello."}, {"user", "bye"}};
  auto mini = detect(kPhi4Mini);
  EXPECT_EQ(mini->format(), ChatTemplate::Format::Phi4Mini);
  EXPECT_EQ(render(*mini, m), "<|system|>Be brief.<|end|><|user|>hi\n<|end|><|assistant|>Hello.<|end|><|user|>bye<|end|>"
                              "<|assistant|>");
  auto phi4 = detect(kPhi4);
  EXPECT_EQ(phi4->format(), ChatTemplate::Format::Phi4);
  EXPECT_EQ(render(*phi4, m),
            "<|im_start|>system<|im_sep|>Be brief.<|im_end|><|im_start|>user<|im_sep|>hi\n<|im_end|>"
            "<|im_start|>assistant<|im_sep|>Hello.<|im_end|><|im_start|>user<|im_sep|>bye<|im_end|>"
            "<|im_start|>assistant<|im_sep|>");
}

// Contents are trimmed as the templates' strip() / trim do, Unicode spaces included.
TEST(ChatTemplate, TrimsUnicodeSpacesAsTheTemplatesDo) {
  std::string error;
  const auto llama3 = ChatTemplate::byName("llama3", error);
  const std::string text = render(*llama3, {{"user", "\xC2\xA0 \xE3\x80\x80h\xC3\xA9\xE2\x80\x83llo\t\xE2\x80\xAF\n"}});
  EXPECT_NE(text.find("\n\nh\xC3\xA9\xE2\x80\x83llo<|eot_id|>"), std::string::npos) << text;  // inner spaces kept
  EXPECT_NE(render(*llama3, {{"user", "\xE3\x80\x80"}}).find("\n\n<|eot_id|>"), std::string::npos);
}

// What -i relies on: the text of [history, user] with the assistant's turn opened, then
// the reply as generated, is where the text of [history, user, reply, next user] starts.
TEST(ChatTemplate, AConversationsTextGrowsAtItsEnd) {
  std::string error;
  for (const char *name : kNames) {
    const auto t = ChatTemplate::byName(name, error);
    for (bool withSystem : {false, true}) {
      std::vector<ChatMessage> m;
      if (withSystem) m.push_back({"system", "You answer in one word."});
      m.push_back({"user", "What is the capital of France?"});
      const std::string before = render(*t, m);
      // llama2 and mistral-v1 write a space before a reply, so the model's reply (its
      // first SentencePiece token) begins with one, which the conversation's message does
      // not keep (as a SentencePiece decode drops it; edgec generate -i does the same).
      const bool spaced = t->format() == ChatTemplate::Format::Llama2 || t->format() == ChatTemplate::Format::MistralV1;
      const std::string reply = std::string(spaced ? " " : "") + "Paris.";
      m.push_back({"assistant", "Paris."});
      m.push_back({"user", "And of Italy?"});
      const std::string after = render(*t, m);
      EXPECT_EQ(after.compare(0, before.size() + reply.size(), before + reply), 0)
          << name << (withSystem ? " with a system message" : "") << ":\n" << before << "|" << reply << "\n" << after;
      EXPECT_GT(after.size(), before.size() + reply.size() + 10) << name;
    }
  }
}

}  // namespace
}  // namespace edgec
