// `edgec generate` (text from a prompt, streamed) and `edgec bench` (prefill and decode
// tokens/s, like llama-bench) on an LLM package, through the runtime's LlmSession; the
// helpers LlmCommands.h declares for them and `edgec perplexity`.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

#include "Commands.h"
#include "LlmCommands.h"
#include "edgec/AtomicFile.h"
#include "edgec/chat_template.h"
#include "edgec/llm_session.h"
#include "edgec/npy.h"
#include "edgec/sampler.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

namespace edgec::cli {

namespace {

// Bytes the kernel says a new allocation can take without swapping (MemAvailable); 0 when
// /proc/meminfo does not say.
uint64_t availableMemory() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  unsigned long long kib = 0;
  while (std::getline(in, line))
    if (std::sscanf(line.c_str(), "MemAvailable: %llu kB", &kib) == 1) return kib * 1024;
  return 0;
}

}  // namespace

double peakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

// Page faults this process served from disk so far: with the weights mapped from the
// file, pages the kernel dropped and read back mid-run.
long majorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_majflt;
}

// Said after the statistics when pages came from disk while timing.
void warnFaults(long faults, edgec_residency residency) {
  if (faults > 0 && residency == EDGEC_RESIDENCY_MAPPED)
    std::fprintf(stderr,
                 "note: %ld pages were read from disk while running (the kernel had dropped mapped weight pages): "
                 "--mlock or --no-mmap keep the weights in memory\n",
                 faults);
}

// The LLM commands copy the weights into the process unless told otherwise (see
// ResidencyFlags). A copy of a package larger than the memory available would only push
// other pages (or its own) out, or be killed mid-load, so then the default maps the file
// instead and says why; an explicit --no-mmap is obeyed as asked.
edgec_residency chooseResidency(const std::string &path, const ResidencyFlags &flags) {
  const edgec_residency chosen = flags.residency();
  if (flags.chosen() || chosen != EDGEC_RESIDENCY_COPIED) return chosen;
  struct stat st{};
  const uint64_t available = availableMemory();
  if (::stat(path.c_str(), &st) != 0 || available == 0 || uint64_t(st.st_size) < available / 10 * 9) return chosen;
  std::fprintf(stderr,
               "note: %s (%s) does not fit in the %s of memory available: mapping it instead of reading it in "
               "(--no-mmap insists)\n",
               path.c_str(), mebibytes(uint64_t(st.st_size)).c_str(), mebibytes(available).c_str());
  return EDGEC_RESIDENCY_MAPPED;
}

// Where the weights were kept, as the statistics name it.
const char *residencyName(edgec_residency residency) {
  return residency == EDGEC_RESIDENCY_COPIED ? "read into memory"
         : residency == EDGEC_RESIDENCY_LOCKED ? "mapped, locked"
                                               : "mapped";
}

std::unique_ptr<LlmSession> openSession(const std::string &path, int threads, edgec_residency residency) {
  std::string error;
  std::unique_ptr<LlmSession> session = LlmSession::open(path, threads, error, residency);
  if (!session) throw CommandError(error);
  return session;
}

// "1,2,3" -> ids; a CommandError naming --tokens and the item otherwise.
std::vector<int32_t> parseIds(const std::string &text) {
  std::vector<int32_t> ids;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    char *end = nullptr;
    long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end || v < 0 || v > INT32_MAX) throw CommandError("--tokens: '" + item + "' is not a token id");
    ids.push_back(int32_t(v));
  }
  return ids;
}

std::string readTextFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CommandError(path + ": cannot read the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void feedOrThrow(LlmSession &session, const std::vector<int32_t> &tokens, const float *&logits) {
  std::string error;
  if (!session.feed(tokens, logits, error)) throw CommandError(error);
}

// How the KV cache holds the context: "f16, 4096 positions", and for sliding-window
// layers in rings ", local layers' rings of 1023".
static std::string cacheForm(const LlmInfo &info) {
  std::string form = info.kvCache + ", " + std::to_string(info.contextLength) + " positions";
  if (info.kvRing > 0) form += ", local layers' rings of " + std::to_string(info.kvRing);
  return form;
}

void printMemory(LlmSession &session, edgec_residency residency) {
  const LlmInfo &info = session.info();
  std::fprintf(stderr, "memory: weights %s (%s) + KV cache %s (%s) + activations %s; peak RSS %.1f MiB\n",
               mebibytes(info.weightBytes).c_str(), residencyName(residency), mebibytes(info.stateBytes).c_str(),
               cacheForm(info).c_str(), mebibytes(info.arenaBytes).c_str(), peakRssMiB());
}

namespace {


// The chat format of a generate run: the one named by --chat-template, else the
// package's (its model's tokenizer.chat_template).
std::unique_ptr<ChatTemplate> chatTemplateFor(const std::string &name, const LlmInfo &info, const std::string &package) {
  std::string error;
  std::unique_ptr<ChatTemplate> chat =
      name.empty() ? ChatTemplate::fromJinja(info.chatTemplate, error) : ChatTemplate::byName(name, error);
  if (!chat) throw CommandError(name.empty() ? package + ": " + error : "--chat-template: " + error);
  return chat;
}

// --messages FILE: a JSON array of {"role": ..., "content": ...} objects, as chat APIs
// take a conversation. One line naming the file and the message on a problem.
std::vector<ChatMessage> readMessages(const std::string &path) {
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(readTextFile(path));
  if (!json) throw CommandError(path + ": not JSON: " + llvm::toString(json.takeError()));
  const llvm::json::Array *items = json->getAsArray();
  if (!items) throw CommandError(path + ": expected a JSON array of messages ({\"role\": ..., \"content\": ...})");
  std::vector<ChatMessage> messages;
  for (size_t i = 0; i < items->size(); ++i) {
    const llvm::json::Object *m = (*items)[i].getAsObject();
    const auto role = m ? m->getString("role") : std::nullopt;
    const auto content = m ? m->getString("content") : std::nullopt;
    if (!role || !content)
      throw CommandError(path + ": message " + std::to_string(i + 1) + " is not an object with string \"role\" and "
                         "\"content\"");
    if (*role != "system" && *role != "user" && *role != "assistant")
      throw CommandError(path + ": message " + std::to_string(i + 1) + " has the role '" + role->str() +
                         "' (system, user or assistant)");
    messages.push_back({role->str(), content->str()});
  }
  return messages;
}

void writeText(const std::string &path, const std::string &text) {
  std::string error;
  if (!writeFileAtomically(path, std::vector<uint8_t>(text.begin(), text.end()), error)) throw CommandError(error);
}

// --stop: strings that end a reply where they appear in its text, neither they nor what
// follows printed (as llama.cpp's server and OpenAI's API stop). Streamed text is held
// back while its end could begin a stop string, so no part of one is ever printed.
class StopStrings {
public:
  explicit StopStrings(const std::vector<std::string> &stops) : stops_(stops) {}

  // Takes newly decoded text; returns what can be printed now. When a stop string has
  // appeared: the text before it, and `stopped` set.
  std::string push(const std::string &text, bool &stopped) {
    pending_ += text;
    size_t cut = std::string::npos;
    for (const std::string &stop : stops_) cut = std::min(cut, pending_.find(stop));
    if (cut != std::string::npos) {
      stopped = true;
      std::string out = pending_.substr(0, cut);
      pending_.clear();
      return out;
    }
    // Hold back the longest end of the text that begins a stop string. Decoded text ends on
    // a whole UTF-8 character and a stop string starts with one, so the cut splits none.
    size_t keep = 0;
    for (const std::string &stop : stops_)
      for (size_t k = std::min(stop.size() - 1, pending_.size()); k > keep; --k)
        if (pending_.compare(pending_.size() - k, k, stop, 0, k) == 0) {
          keep = k;
          break;
        }
    std::string out = pending_.substr(0, pending_.size() - keep);
    pending_.erase(0, pending_.size() - keep);
    return out;
  }

  // The text held back, at the end of the reply.
  std::string finish() { return std::exchange(pending_, std::string()); }

private:
  const std::vector<std::string> &stops_;
  std::string pending_;
};

// One reply: `input` fed, then up to `n` tokens sampled, each streamed to stdout as text
// (or ids) as it comes, until an end-of-generation token unless `ignoreEos`, or a --stop
// string. The last token sampled is not fed (nothing reads its logits) unless `feedLast`
// and it is not an end of generation or a stop: a conversation's cache then holds the whole reply.
struct Reply {
  std::vector<int32_t> ids;  // sampled, the end-of-generation token included
  std::string text;          // the reply's text, without the end-of-generation token or the stop string
  bool ended = false;        // stopped at an end-of-generation token
  bool stopped = false;      // stopped at a --stop string (the cache holds tokens past the text)
  double prefilled = 0, firstToken = 0, end = 0;  // nowSeconds() after the input, the first token, the last
};

struct ReplyOptions {
  int n = 0;
  bool ids = false, ignoreEos = false, feedLast = false;
  std::vector<std::string> stops;           // --stop
  size_t cached = 0;                        // the input's first tokens the cache holds already (--prompt-cache)
  std::vector<float> *logitRows = nullptr;  // --dump-logits
};

Reply respond(LlmSession &session, Sampler &sampler, const std::vector<int32_t> &input, const ReplyOptions &o) {
  const Tokenizer &tokenizer = session.tokenizer();
  const int64_t vocab = session.info().vocabSize;
  Reply r;
  for (int32_t t : input) sampler.accept(t);
  const float *logits = nullptr;
  feedOrThrow(session, std::vector<int32_t>(input.begin() + long(o.cached), input.end()), logits);
  r.prefilled = r.firstToken = nowSeconds();
  TokenStreamDecoder stream(tokenizer);
  StopStrings stops(o.stops);
  std::string text, error;
  bool warned = false;
  for (int i = 0; i < o.n; ++i) {
    if (o.logitRows) o.logitRows->insert(o.logitRows->end(), logits, logits + vocab);
    // A weight or an activation that is not finite (a damaged file, an overflow) gives
    // NaN logits. The sampler never picks them; with none left, stop rather than print
    // the token it falls back on.
    if (const size_t broken = Sampler::brokenLogits(logits, size_t(vocab))) {
      const std::string which = "the logits for generated token " + std::to_string(i + 1);
      if (broken == size_t(vocab))
        throw CommandError(which + " are all NaN or +inf: the model's weights or activations are not finite");
      if (!warned)
        std::fprintf(stderr, "warning: %s: %zu of %lld are NaN or +inf (never sampled): the model's weights or "
                     "activations are not finite\n", which.c_str(), broken, (long long)vocab);
      warned = true;
    }
    const int32_t next = sampler.sample(logits, size_t(vocab));
    if (i == 0) r.firstToken = nowSeconds();
    sampler.accept(next);
    r.ids.push_back(next);
    r.ended = !o.ignoreEos && tokenizer.isEog(next);
    if (o.ids) {
      std::printf("%s%d", i ? "," : "", next);  // the end-of-generation token too
    } else if (r.ended) {
      // not printed: it ends the text
    } else if (stream.push(next, text, error)) {
      text = stops.push(text, r.stopped);
      std::fputs(text.c_str(), stdout);
      r.text += text;
    } else {
      throw CommandError(error);
    }
    std::fflush(stdout);
    if (r.ended || r.stopped) break;
    if (i + 1 < o.n || o.feedLast) feedOrThrow(session, {next}, logits);
  }
  if (!o.ids && !r.stopped) {
    text = stops.push(stream.finish(), r.stopped);
    if (!r.stopped) text += stops.finish();
    std::fputs(text.c_str(), stdout);
    r.text += text;
  }
  r.end = nowSeconds();
  return r;
}

// --prompt-cache FILE, before the prompt: the saved state's tokens that begin the prompt
// are not fed again (at least the prompt's last one is, for its logits). A file that
// cannot be used (another package's, damaged) is said and left for savePromptCache to
// replace. Returns the tokens reused.
size_t reusePromptCache(LlmSession &session, const std::string &path, const std::vector<int32_t> &input, bool quiet) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return 0;  // none yet: made after this run
  std::vector<int32_t> saved;
  std::string error;
  if (!session.loadState(path, saved, error)) {
    std::fprintf(stderr, "note: --prompt-cache: %s; not used, replaced after this run\n", error.c_str());
    session.reset();
    return 0;
  }
  size_t common = 0;
  while (common < saved.size() && common < input.size() && saved[common] == input[common]) ++common;
  common = std::min(common, input.size() - 1);
  common = size_t(session.truncate(int64_t(common)));  // 0 where the rings no longer reach back
  if (!quiet)
    std::fprintf(stderr, "prompt cache %s: %zu of the prompt's %zu tokens reused\n", path.c_str(), common,
                 input.size());
  return common;
}

// --prompt-cache FILE, at the end: the session's state with the tokens the cache holds
// (`held`, position() of them), for the next run's prompt to start from.
void savePromptCache(LlmSession &session, const std::string &path, const std::vector<int32_t> &held, bool quiet) {
  std::string error;
  if (!session.saveState(path, held, error)) throw CommandError(error);
  if (!quiet) std::fprintf(stderr, "prompt cache %s: saved %zu tokens\n", path.c_str(), held.size());
}

// The tokens the cache holds after a reply to `input`: `before` (what it held before the
// input), the input and the reply's tokens, as many as were fed.
std::vector<int32_t> heldAfter(const LlmSession &session, std::vector<int32_t> before, const std::vector<int32_t> &input,
                               const std::vector<int32_t> &reply) {
  before.insert(before.end(), input.begin(), input.end());
  before.insert(before.end(), reply.begin(), reply.end());
  before.resize(size_t(session.position()));  // not the last token, or an end of generation, unless fed
  return before;
}

// One user message from standard input: a line, or lines joined while one ends in a
// backslash. False at the end of the input with nothing read.
bool readMessage(bool terminal, std::string &out) {
  out.clear();
  if (terminal) std::fputs("> ", stderr), std::fflush(stderr);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\\') {
      out += line.substr(0, line.size() - 1) + "\n";
      continue;
    }
    out += line;
    return true;
  }
  return !out.empty();
}

// Removes the conversation's oldest exchange: its first message that is not a system
// message and the replies after it, up to the next user message, so that the rest still
// starts with a user turn (as the llama2 and mistral formats require). Returns the
// number of messages removed; 0 when no user message would be left after them (the one
// to answer is never dropped). System messages stay wherever they are.
size_t dropOldestExchange(std::vector<ChatMessage> &history) {
  size_t first = 0;
  while (first < history.size() && history[first].role == "system") ++first;
  size_t next = first + 1;
  while (next < history.size() && history[next].role != "user") ++next;
  if (next >= history.size()) return 0;
  size_t removed = 0;
  for (size_t i = next; i-- > first;)
    if (history[i].role != "system") history.erase(history.begin() + i), ++removed;
  return removed;
}

// -i: a conversation, a reply to each user message read from standard input. The KV
// cache keeps the conversation: each turn feeds only what the chat format adds to the
// text the cache holds (the end of the last reply's turn, the new message, the opened
// assistant turn), as llama.cpp's interactive chat does; when the format rewrites
// earlier text (llama3 trims a reply's trailing spaces, qwen3 drops a reply's reasoning)
// the conversation is tokenized whole and the cache keeps only the tokens it shares with
// that, the rest fed again, so the model always reads the conversation as its template
// writes it.
// When a turn and a whole reply (-n) no longer fit the context, the oldest exchanges are
// dropped, system messages kept, and the cache refilled with the rest (as chat front ends
// trim their history; llama.cpp's llama-cli instead shifts the cache by half once full,
// keeping a fixed count of tokens, which can cut a message in two).
// With --prompt-cache, the first turn starts from the file's tokens that begin it (the
// system message and the format's opening, when the last chat had the same), and the
// conversation's cache is saved at the end.
void chatOnTerminal(LlmSession &session, Sampler &sampler, const ChatTemplate &chat, std::vector<ChatMessage> history,
                    std::string message, const ReplyOptions &base, bool quiet, const std::string &dumpPrompt,
                    const std::string &promptCache, double loadSeconds, edgec_residency residency) {
  const Tokenizer &tokenizer = session.tokenizer();
  const int64_t context = session.info().contextLength;
  const std::string bos = ChatTemplate::bosText(tokenizer), eos = ChatTemplate::eosText(tokenizer);
  const bool terminal = isatty(STDIN_FILENO);
  std::string cached;          // the text the cache holds, in the chat format
  std::vector<int32_t> held;   // its tokens (what a refill keeps a prefix of; --prompt-cache)
  size_t turns = 0, promptTokens = 0, generated = 0, decoded = 0;
  double prefillSeconds = 0, decodeSeconds = 0;
  // A --prompt, or --messages ending with a user message, is answered first.
  if (!message.empty()) history.push_back({"user", message});
  for (bool pending = !history.empty() && history.back().role == "user";; pending = false) {
    if (!pending) {
      if (!readMessage(terminal, message)) break;
      if (message.find_first_not_of(" \t\r\n") == std::string::npos) continue;  // nothing to answer
      history.push_back({"user", message});
    }
    std::string full, error;
    std::vector<int32_t> input;
    bool refill = false;
    size_t dropped = 0, kept = 0;  // refill: the cache's first tokens that the conversation still begins with
    for (;;) {
      if (!chat.apply(history, true, bos, eos, full, error)) throw CommandError(error);
      refill = session.position() == 0 || full.compare(0, cached.size(), cached) != 0;
      if (refill) {
        input = ChatTemplate::encode(tokenizer, full);
        kept = 0;
        while (kept < held.size() && kept + 1 < input.size() && held[kept] == input[kept]) ++kept;
        input.erase(input.begin(), input.begin() + std::ptrdiff_t(kept));
      } else {
        input = tokenizer.encode(std::string_view(full).substr(cached.size()), false, true);
      }
      const int64_t start = refill ? int64_t(kept) : session.position();
      if (start + int64_t(input.size()) + base.n <= context) break;
      const size_t removed = dropOldestExchange(history);
      if (removed == 0) break;
      dropped += removed;
    }
    if (refill) {
      // Where the sliding-window rings no longer reach back that far the cache starts
      // empty: the held tokens it dropped are fed again before the new ones.
      const size_t now = size_t(session.truncate(int64_t(kept)));
      input.insert(input.begin(), held.begin() + std::ptrdiff_t(now), held.begin() + std::ptrdiff_t(kept));
      kept = now;
      held.resize(kept);
    }
    if (dropped > 0)
      std::fprintf(stderr,
                   "note: the conversation outgrew the context of %lld positions: dropped its %zu oldest message%s "
                   "(system messages kept) and read the rest again (%zu tokens)\n",
                   (long long)context, dropped, dropped == 1 ? "" : "s", input.size());
    const int64_t room = context - session.position() - int64_t(input.size());
    if (room < 1)
      // Only the message to answer and the system messages are left by now.
      throw CommandError("the message to answer, with the system messages in the chat format, is " +
                         std::to_string(session.position() + int64_t(input.size())) +
                         " tokens: it does not fit the context of " + std::to_string(context) +
                         " positions (compile with a larger --ctx)");
    ReplyOptions ro = base;
    ro.n = int(std::min<int64_t>(base.n, room));
    ro.feedLast = true;  // the next turn continues after the whole reply
    const double start = nowSeconds();
    if (!promptCache.empty() && turns == 0) ro.cached = reusePromptCache(session, promptCache, input, quiet);
    const Reply reply = respond(session, sampler, input, ro);
    held = heldAfter(session, held, input, reply.ids);
    std::printf("\n");
    std::fflush(stdout);
    if (!reply.ended && ro.n < base.n)
      std::fprintf(stderr, "note: the reply stopped at the end of the context (%lld positions)\n", (long long)context);
    // The reply as the conversation records it: a SentencePiece vocabulary's first token
    // carries the space that separates it from what precedes, which decoding the reply
    // drops (as transformers and llama.cpp's detokenizer do); the cache holds it as it came.
    std::string content = reply.text;
    if (tokenizer.vocab().model == "llama" && !content.empty() && content[0] == ' ') content.erase(0, 1);
    history.push_back({"assistant", content});
    cached = full + reply.text;
    // The cache holds the stop string's tokens, which the conversation leaves out: the
    // next turn reads the conversation again from the start.
    if (reply.stopped) session.reset(), held.clear();
    ++turns;
    promptTokens += input.size() - ro.cached;
    generated += reply.ids.size();
    prefillSeconds += reply.prefilled - start;
    if (reply.ids.size() > 1) decoded += reply.ids.size() - 1, decodeSeconds += reply.end - reply.firstToken;
  }
  if (!dumpPrompt.empty()) writeText(dumpPrompt, cached);
  if (!promptCache.empty() && session.position() > 0) savePromptCache(session, promptCache, held, quiet);
  if (quiet) return;
  std::fprintf(stderr,
               "load %.3f s; %zu turn%s: %zu prompt tokens fed (prefill %.1f tok/s), %zu tokens generated (decode %.1f "
               "tok/s); %d thread%s\n",
               loadSeconds, turns, turns == 1 ? "" : "s", promptTokens,
               prefillSeconds > 0 ? double(promptTokens) / prefillSeconds : 0.0, generated,
               decodeSeconds > 0 ? double(decoded) / decodeSeconds : 0.0, session.threads(),
               session.threads() == 1 ? "" : "s");
  printMemory(session, residency);
}

}  // namespace

void addGenerateCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand("generate", "Generate text with an LLM package (edgec compile model.gguf)");
  struct Options {
    std::string package, prompt, promptFile, tokens, dumpLogits, dumpPrompt, system, chatTemplate, messages;
    bool noThink = false;
    std::vector<std::string> stops;
    std::string promptCache;
    int n = 64, threads = 0;
    bool ids = false, noSpecial = false, quiet = false, ignoreEos = false, chat = false, interactive = false;
    SamplerParams sampler;
    ResidencyFlags residency{EDGEC_RESIDENCY_COPIED};
  };
  auto opts = std::make_shared<Options>();
  opts->sampler.temperature = 0;  // greedy unless asked
  cmd->add_option("package", opts->package, "The .edgepkg compiled from a .gguf model")->required();
  auto *prompt = cmd->add_option("-p,--prompt", opts->prompt,
                                 "Prompt text (tokenized with the model's tokenizer); with --chat, the user's message");
  auto *file = cmd->add_option("-f,--file", opts->promptFile,
                               "Prompt text read from this file, the whole file (newlines kept), as --prompt gives it")
                   ->type_name("FILE");
  auto *tokens = cmd->add_option("--tokens", opts->tokens, "The prompt as token ids, comma separated (no BOS added)");
  prompt->excludes(tokens)->excludes(file);
  file->excludes(tokens);
  cmd->add_option("-n,--n-predict", opts->n, "Tokens to generate (stops earlier at end of generation); with -i, a reply")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  auto *chat = cmd->add_flag("--chat", opts->chat,
                             "Write the prompt as a conversation in the model's chat format (from its "
                             "tokenizer.chat_template): --prompt is the user's message, the reply ends with the "
                             "assistant's turn");
  auto *system = cmd->add_option("--system", opts->system, "A system message before the user's (with --chat or -i)");
  auto *chatTemplate = cmd->add_option("--chat-template", opts->chatTemplate,
                                       std::string("Use this chat format instead of the model's (") +
                                           ChatTemplate::names() + "); implies --chat")
                           ->type_name("NAME");
  auto *interactive = cmd->add_flag("-i,--interactive", opts->interactive,
                                    "Chat on the terminal: each line read from standard input (a line ending in \\ "
                                    "continues) is a user message, answered in turn, the conversation kept in the "
                                    "KV cache (its oldest exchanges dropped when a turn and a reply of -n no longer "
                                    "fit the context); ends at the end of the input (Ctrl-D). Implies --chat");
  auto *messages = cmd->add_option("--messages", opts->messages,
                                   "The conversation so far, a JSON array of {\"role\": \"system\"|\"user\"|"
                                   "\"assistant\", \"content\": TEXT} ending with a user message, to be "
                                   "answered (implies --chat; with --system, that system message goes first)")
                       ->type_name("FILE.json");
  auto *noThink = cmd->add_flag("--no-think", opts->noThink,
                                "Qwen3's chat format: reply without thinking (its template's enable_thinking=false: "
                                "the reply opens with an empty <think></think> block). Implies --chat");
  tokens->excludes(chat)->excludes(chatTemplate)->excludes(interactive)->excludes(system)->excludes(messages)->excludes(
      noThink);
  prompt->excludes(messages);
  file->excludes(messages);
  cmd->add_option("--temp", opts->sampler.temperature, "Temperature; 0 is greedy")->capture_default_str();
  cmd->add_option("--top-k", opts->sampler.topK, "Keep the k most likely tokens (0: all)")->capture_default_str();
  cmd->add_option("--top-p", opts->sampler.topP, "Nucleus sampling threshold (1: off)")->capture_default_str();
  cmd->add_option("--min-p", opts->sampler.minP, "Drop tokens below min-p x the most likely (0: off)")
      ->capture_default_str();
  cmd->add_option("--repeat-penalty", opts->sampler.repeatPenalty, "Penalty for the last --repeat-last-n tokens (1: off)")
      ->capture_default_str();
  cmd->add_option("--repeat-last-n", opts->sampler.repeatLastN, "Tokens the repetition penalty looks at")
      ->capture_default_str();
  cmd->add_option("--seed", opts->sampler.seed, "Random seed for sampling")->capture_default_str();
  cmd->add_option("-t,--threads", opts->threads, "Threads (default: one per core)");
  auto *ids = cmd->add_flag("--ids", opts->ids, "Print the generated token ids instead of text");
  ids->excludes(interactive);
  cmd->add_flag("--ignore-eos", opts->ignoreEos, "Do not stop at end of generation (benchmarks, comparisons)");
  cmd->add_option("--prompt-cache", opts->promptCache,
                  "Keep the KV cache in this file after the run (the tokens fed and the cache), and start from it "
                  "when a later prompt begins with the same tokens: a long fixed prompt is fed once (as llama.cpp's "
                  "--prompt-cache; the file holds the cache's rows of those tokens, not the whole context); with -i, the "
                  "conversation's cache, whose system message the next chat reuses")
      ->type_name("FILE");
  cmd->add_option("--stop", opts->stops,
                  "End the text where this string appears in it (repeatable); neither it nor anything after it is "
                  "printed")
      ->type_name("TEXT")
      ->excludes(ids);
  cmd->add_flag("--no-special", opts->noSpecial, "Do not parse special tokens (<s>, <|im_start|>) in the prompt");
  cmd->add_flag("-q,--quiet", opts->quiet, "No statistics after the text");
  cmd->add_option("--dump-logits", opts->dumpLogits,
                  "Write the logits each token was chosen from to this .npy ([generated, vocab] f32: row 0 after "
                  "the prompt, row k after generated token k-1)")
      ->type_name("FILE.npy")
      ->excludes(interactive);
  cmd->add_option("--dump-prompt", opts->dumpPrompt,
                  "Write the prompt text as given to the tokenizer (with --chat, in the chat format; with -i, the "
                  "whole conversation at its end) to this file")
      ->type_name("FILE");
  addResidencyFlags(*cmd, opts->residency);
  cmd->callback([opts, prompt, file, tokens, system, messages] {
    const bool chatMode =
        opts->chat || opts->interactive || !opts->chatTemplate.empty() || messages->count() || opts->noThink;
    const bool promptGiven = prompt->count() || file->count();
    if (file->count()) opts->prompt = readTextFile(opts->promptFile);
    if (!opts->dumpLogits.empty()) checkOutputFile(opts->dumpLogits);
    if (!opts->dumpPrompt.empty()) checkOutputFile(opts->dumpPrompt);
    if (!opts->promptCache.empty()) checkOutputFile(opts->promptCache);  // before generating, not after
    if (!promptGiven && !tokens->count() && !messages->count() && !opts->interactive)
      throw CommandError("give a --prompt, --file, --tokens or --messages (or -i to chat)");
    if (system->count() && !chatMode) throw CommandError("--system needs --chat (or -i, --chat-template)");
    if (std::string why = opts->sampler.validate(); !why.empty()) throw CommandError(why);
    for (const std::string &stop : opts->stops)
      if (stop.empty()) throw CommandError("--stop: an empty string would stop before the first token");
    const double t0 = nowSeconds();
    const edgec_residency residency = chooseResidency(opts->package, opts->residency);
    std::unique_ptr<LlmSession> session = openSession(opts->package, opts->threads, residency);
    const double loaded = nowSeconds();
    const long faultsAtLoad = majorFaults();
    const Tokenizer &tokenizer = session->tokenizer();
    const LlmInfo &info = session->info();
    std::unique_ptr<ChatTemplate> chat;
    std::vector<ChatMessage> history;
    const std::string bos = ChatTemplate::bosText(tokenizer), eos = ChatTemplate::eosText(tokenizer);
    if (chatMode) {
      chat = chatTemplateFor(opts->chatTemplate, info, opts->package);
      if (opts->noThink && !chat->setThinking(false))
        throw CommandError(std::string("--no-think: the chat format ") + chat->name() +
                           (chat->format() == ChatTemplate::Format::Qwen3 ? " of this template always thinks"
                                                                         : " has no thinking to switch off"));
      if (system->count()) history.push_back({"system", opts->system});
      if (messages->count()) {
        const std::vector<ChatMessage> given = readMessages(opts->messages);
        history.insert(history.end(), given.begin(), given.end());
      }
    }
    Sampler sampler(opts->sampler);
    ReplyOptions ro;
    ro.n = opts->n;
    ro.ids = opts->ids;
    ro.ignoreEos = opts->ignoreEos;
    ro.stops = opts->stops;
    if (opts->interactive) {
      chatOnTerminal(*session, sampler, *chat, history, opts->prompt, ro, opts->quiet, opts->dumpPrompt,
                     opts->promptCache, loaded - t0, residency);
      return warnFaults(majorFaults() - faultsAtLoad, residency);
    }

    std::vector<int32_t> input;
    std::string promptText;  // --dump-prompt
    if (chatMode) {
      if (!messages->count()) history.push_back({"user", opts->prompt});
      if (history.empty() || history.back().role != "user")
        throw CommandError(opts->messages + ": the conversation must end with a user message, for the model to answer");
      std::string error;
      if (!chat->apply(history, true, bos, eos, promptText, error)) throw CommandError(error);
      input = ChatTemplate::encode(tokenizer, promptText);
    } else if (promptGiven) {
      promptText = opts->prompt;
      input = tokenizer.encode(opts->prompt, true, !opts->noSpecial);
    } else {
      input = parseIds(opts->tokens);
      std::string error;  // an id outside the vocabulary is feed()'s error, below
      if (!opts->dumpPrompt.empty() && !tokenizer.decode(input, promptText, error, /*special=*/true))
        throw CommandError("--tokens: " + error);
    }
    if (!opts->dumpPrompt.empty()) writeText(opts->dumpPrompt, promptText);
    if (input.empty()) throw CommandError("the prompt has no tokens");
    // The last generated token is never fed: prompt + n - 1 positions.
    if (int64_t(input.size()) + std::max(opts->n - 1, 0) > info.contextLength)
      throw CommandError("the prompt (" + std::to_string(input.size()) + " tokens) and -n " + std::to_string(opts->n) +
                         " do not fit the context of " + std::to_string(info.contextLength) +
                         " positions (compile with a larger --ctx)");

    if (!opts->promptCache.empty()) ro.cached = reusePromptCache(*session, opts->promptCache, input, opts->quiet);
    std::vector<float> rows;  // --dump-logits
    ro.logitRows = opts->dumpLogits.empty() ? nullptr : &rows;
    const Reply reply = respond(*session, sampler, input, ro);
    if (!opts->promptCache.empty())
      savePromptCache(*session, opts->promptCache, heldAfter(*session, {}, input, reply.ids), opts->quiet);
    std::printf("\n");
    std::fflush(stdout);  // the text before the statistics on stderr, also through a pipe
    if (!opts->dumpLogits.empty()) {
      NpyArray array;
      array.shape = {int64_t(reply.ids.size()), info.vocabSize};
      array.data.resize(rows.size() * sizeof(float));
      std::memcpy(array.data.data(), rows.data(), array.data.size());
      writeNpy(opts->dumpLogits, array);
    }
    if (opts->quiet) return;
    const size_t decoded = reply.ids.size() > 1 ? reply.ids.size() - 1 : 0;  // tokens that ran through decode
    const size_t fed = input.size() - ro.cached;  // the prompt's tokens fed this run
    std::string calls = ro.cached ? std::to_string(ro.cached) + " from the prompt cache, " : "";
    calls += "calls of ";  // the prompt's prefill calls (LlmSession's buckets)
    for (const int64_t call : session->prefillCalls(fed)) calls += (calls.back() == ' ' ? "" : " + ") + std::to_string(call);
    std::fprintf(stderr,
                 "load %.3f s; prompt %zu tokens (%s), time to first token %.3f s (prefill %.1f tok/s); %zu "
                 "tokens generated, decode %.1f tok/s; %d thread%s\n",
                 loaded - t0, input.size(), calls.c_str(), reply.firstToken - loaded,
                 double(fed) / (reply.prefilled - loaded), reply.ids.size(),
                 decoded ? double(decoded) / (reply.end - reply.firstToken) : 0.0, session->threads(),
                 session->threads() == 1 ? "" : "s");
    printMemory(*session, residency);
    warnFaults(majorFaults() - faultsAtLoad, residency);
  });
}

void addBenchCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand("bench", "Prefill and decode speed of an LLM package (tokens/s, as llama-bench)");
  struct Options {
    std::string package;
    int prompt = 512, n = 128, threads = 0, repeat = 3;
    bool json = false;
    ResidencyFlags residency{EDGEC_RESIDENCY_COPIED};
  };
  auto opts = std::make_shared<Options>();
  cmd->add_option("package", opts->package, "The .edgepkg compiled from a .gguf model")->required();
  cmd->add_option("-p,--n-prompt", opts->prompt, "Prompt tokens to prefill")->check(CLI::Range(1, 1 << 20))->capture_default_str();
  cmd->add_option("-n,--n-gen", opts->n, "Tokens to decode one at a time")->check(CLI::Range(0, 1 << 20))->capture_default_str();
  cmd->add_option("-t,--threads", opts->threads, "Threads (default: one per core)");
  cmd->add_option("-r,--repetitions", opts->repeat, "Runs of each test; the median is reported")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_flag("--json", opts->json,
                "Print the results as one JSON object (every run's rates, the per-token times, memory) instead of "
                "the table, for scripts and device pipelines");
  addResidencyFlags(*cmd, opts->residency);
  cmd->callback([opts] {
    const edgec_residency residency = chooseResidency(opts->package, opts->residency);
    std::unique_ptr<LlmSession> session = openSession(opts->package, opts->threads, residency);
    const LlmInfo &info = session->info();
    if (opts->prompt + opts->n > info.contextLength)
      throw CommandError("-p " + std::to_string(opts->prompt) + " + -n " + std::to_string(opts->n) +
                         " exceed the context of " + std::to_string(info.contextLength) + " positions");
    // Token ids as llama-bench uses them: arbitrary valid ids (speed does not depend on them).
    std::vector<int32_t> prompt(size_t(opts->prompt));
    for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = int32_t((i * 7919 + 13) % uint64_t(info.vocabSize));
    std::vector<double> prefill, decode;
    std::vector<double> tokenSeconds;  // every decode token's time, all runs
    const float *logits = nullptr;
    const long faultsAtLoad = majorFaults();
    for (int r = 0; r < opts->repeat; ++r) {
      session->reset();
      double t = nowSeconds();
      feedOrThrow(*session, prompt, logits);
      prefill.push_back(double(prompt.size()) / (nowSeconds() - t));
      if (opts->n == 0) continue;
      t = nowSeconds();
      int32_t next = prompt.back();
      double tokenStart = t;
      for (int i = 0; i < opts->n; ++i) {
        feedOrThrow(*session, {next}, logits);
        next = int32_t(std::max_element(logits, logits + info.vocabSize) - logits);
        const double now = nowSeconds();
        tokenSeconds.push_back(now - tokenStart);
        tokenStart = now;
      }
      decode.push_back(double(opts->n) / (tokenStart - t));
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v.empty() ? 0.0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    };
    const long faults = majorFaults() - faultsAtLoad;
    if (opts->json) {
      // The table's figures and what is behind them: every run's rate, every decode
      // token's time (ms, in order, all runs), the memory.
      auto array = [](const std::vector<double> &v, double scale) {
        llvm::json::Array a;
        for (double x : v) a.push_back(x * scale);
        return a;
      };
      llvm::json::Object out{
          {"package", opts->package},
          {"threads", session->threads()},
          {"repetitions", opts->repeat},
          {"weights", residencyName(residency)},
          {"prefill", llvm::json::Object{{"tokens", opts->prompt},
                                         {"tokens_per_s", median(prefill)},
                                         {"runs_tokens_per_s", array(prefill, 1.0)}}},
          {"weight_bytes", int64_t(info.weightBytes)},
          {"kv_cache", info.kvCache},
          {"kv_cache_bytes", int64_t(info.stateBytes)},
          {"context", info.contextLength},
          {"peak_rss_mib", peakRssMiB()},
          {"major_faults_while_timing", int64_t(faults)},
      };
      if (opts->n)
        out["decode"] = llvm::json::Object{{"tokens", opts->n},
                                           {"tokens_per_s", median(decode)},
                                           {"runs_tokens_per_s", array(decode, 1.0)},
                                           {"token_ms_median", 1e3 * median(tokenSeconds)},
                                           {"token_ms", array(tokenSeconds, 1e3)}};
      std::printf("%s\n", llvm::formatv("{0:2}", llvm::json::Value(std::move(out))).str().c_str());
      warnFaults(faults, residency);
      return;
    }
    std::printf("%-10s %8s %8s %12s\n", "test", "tokens", "threads", "tokens/s");
    std::printf("%-10s %8d %8d %12.2f\n", "prefill", opts->prompt, session->threads(), median(prefill));
    if (opts->n) std::printf("%-10s %8d %8d %12.2f\n", "decode", opts->n, session->threads(), median(decode));
    if (!tokenSeconds.empty()) {
      // The spread of single tokens: on a shared machine the tokens/s above (each run's
      // mean) hides how far apart they are, and the fastest token is what to compare with
      // the best pass of a memory benchmark (scripts/bench.sh llm does).
      const auto [fastest, slowest] = std::minmax_element(tokenSeconds.begin(), tokenSeconds.end());
      std::printf("decode per token: median %.2f ms, fastest %.2f ms, slowest %.2f ms (%zu tokens)\n",
                  1e3 * median(tokenSeconds), 1e3 * *fastest, 1e3 * *slowest, tokenSeconds.size());
    }
    std::printf("median of %d run%s; weights %s (%s), KV cache %s (%s), peak RSS %.1f MiB; "
                "major page faults while timing %ld\n",
                opts->repeat, opts->repeat == 1 ? "" : "s", mebibytes(info.weightBytes).c_str(), residencyName(residency),
                mebibytes(info.stateBytes).c_str(), cacheForm(info).c_str(), peakRssMiB(), faults);
    warnFaults(faults, residency);
  });
}

}  // namespace edgec::cli
