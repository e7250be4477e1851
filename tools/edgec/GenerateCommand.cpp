// `edgec generate` (text from a prompt, streamed) and `edgec bench` (prefill and decode
// tokens/s, like llama-bench) on an LLM package, through the runtime's LlmSession.
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "Commands.h"
#include "edgec/llm_session.h"
#include "edgec/npy.h"
#include "edgec/sampler.h"

namespace edgec::cli {

namespace {

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

// "1,2,3" -> ids.
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

void feedOrThrow(LlmSession &session, const std::vector<int32_t> &tokens, const float *&logits) {
  std::string error;
  if (!session.feed(tokens, logits, error)) throw CommandError(error);
}

}  // namespace

void addGenerateCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand("generate", "Generate text with an LLM package (edgec compile model.gguf)");
  struct Options {
    std::string package, prompt, tokens, dumpLogits;
    int n = 64, threads = 0;
    bool ids = false, noSpecial = false, quiet = false, ignoreEos = false;
    SamplerParams sampler;
    ResidencyFlags residency{EDGEC_RESIDENCY_COPIED};
  };
  auto opts = std::make_shared<Options>();
  opts->sampler.temperature = 0;  // greedy unless asked
  cmd->add_option("package", opts->package, "The .edgepkg compiled from a .gguf model")->required();
  auto *prompt = cmd->add_option("-p,--prompt", opts->prompt, "Prompt text (tokenized with the model's tokenizer)");
  auto *tokens = cmd->add_option("--tokens", opts->tokens, "The prompt as token ids, comma separated (no BOS added)");
  prompt->excludes(tokens);
  cmd->add_option("-n,--n-predict", opts->n, "Tokens to generate (stops earlier at end of generation)")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
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
  cmd->add_flag("--ids", opts->ids, "Print the generated token ids instead of text");
  cmd->add_flag("--ignore-eos", opts->ignoreEos, "Do not stop at end of generation (benchmarks, comparisons)");
  cmd->add_flag("--no-special", opts->noSpecial, "Do not parse special tokens (<s>, <|im_start|>) in the prompt");
  cmd->add_flag("-q,--quiet", opts->quiet, "No statistics after the text");
  cmd->add_option("--dump-logits", opts->dumpLogits,
                  "Write the logits each token was chosen from to this .npy ([generated, vocab] f32: row 0 after "
                  "the prompt, row k after generated token k-1)")
      ->type_name("FILE.npy");
  addResidencyFlags(*cmd, opts->residency);
  cmd->callback([opts, prompt, tokens] {
    if (!opts->dumpLogits.empty()) checkOutputFile(opts->dumpLogits);
    if (!prompt->count() && !tokens->count()) throw CommandError("give a --prompt or --tokens");
    if (std::string why = opts->sampler.validate(); !why.empty()) throw CommandError(why);
    const double t0 = nowSeconds();
    const edgec_residency residency = chooseResidency(opts->package, opts->residency);
    std::unique_ptr<LlmSession> session = openSession(opts->package, opts->threads, residency);
    const double loaded = nowSeconds();
    const long faultsAtLoad = majorFaults();
    const Tokenizer &tokenizer = session->tokenizer();
    std::vector<int32_t> input = prompt->count() ? tokenizer.encode(opts->prompt, true, !opts->noSpecial)
                                                 : parseIds(opts->tokens);
    if (input.empty()) throw CommandError("the prompt has no tokens");
    const LlmInfo &info = session->info();
    // The last generated token is never fed: prompt + n - 1 positions.
    if (int64_t(input.size()) + std::max(opts->n - 1, 0) > info.contextLength)
      throw CommandError("the prompt (" + std::to_string(input.size()) + " tokens) and -n " + std::to_string(opts->n) +
                         " do not fit the context of " + std::to_string(info.contextLength) +
                         " positions (compile with a larger --ctx)");

    Sampler sampler(opts->sampler);
    for (int32_t t : input) sampler.accept(t);
    const float *logits = nullptr;
    feedOrThrow(*session, input, logits);
    const double prefilled = nowSeconds();
    TokenStreamDecoder stream(tokenizer);
    std::vector<int32_t> generated;
    std::string text, error;
    double firstToken = prefilled;
    std::vector<float> rows;  // --dump-logits
    for (int i = 0; i < opts->n; ++i) {
      if (!opts->dumpLogits.empty()) rows.insert(rows.end(), logits, logits + info.vocabSize);
      const int32_t next = sampler.sample(logits, size_t(info.vocabSize));
      if (i == 0) firstToken = nowSeconds();
      sampler.accept(next);
      generated.push_back(next);
      const bool stop = !opts->ignoreEos && tokenizer.isEog(next);
      if (opts->ids) {
        std::printf("%s%d", i ? "," : "", next);  // the end-of-generation token too
      } else if (stop) {
        // not printed: it ends the text
      } else if (stream.push(next, text, error)) {
        std::fputs(text.c_str(), stdout);
      } else {
        throw CommandError(error);
      }
      std::fflush(stdout);
      if (stop) break;
      if (i + 1 < opts->n) feedOrThrow(*session, {next}, logits);
    }
    if (!opts->ids) std::fputs(stream.finish().c_str(), stdout);
    std::printf("\n");
    const double end = nowSeconds();
    if (!opts->dumpLogits.empty()) {
      NpyArray array;
      array.shape = {int64_t(generated.size()), info.vocabSize};
      array.data.resize(rows.size() * sizeof(float));
      std::memcpy(array.data.data(), rows.data(), array.data.size());
      writeNpy(opts->dumpLogits, array);
    }
    if (opts->quiet) return;
    const size_t decoded = generated.size() > 1 ? generated.size() - 1 : 0;  // tokens that ran through decode
    std::string calls;  // the prompt's prefill calls (LlmSession's buckets)
    for (const int64_t call : session->prefillCalls(input.size()))
      calls += (calls.empty() ? "" : " + ") + std::to_string(call);
    std::fprintf(stderr,
                 "load %.3f s; prompt %zu tokens (calls of %s), time to first token %.3f s (prefill %.1f tok/s); %zu "
                 "tokens generated, decode %.1f tok/s; %d thread%s\n",
                 loaded - t0, input.size(), calls.c_str(), firstToken - loaded, double(input.size()) / (prefilled - loaded),
                 generated.size(), decoded ? double(decoded) / (end - firstToken) : 0.0, session->threads(),
                 session->threads() == 1 ? "" : "s");
    std::fprintf(stderr,
                 "memory: weights %s (%s) + KV cache %s (%s, %lld positions) + activations %s; peak RSS %.1f MiB\n",
                 mebibytes(info.weightBytes).c_str(), residencyName(residency), mebibytes(info.stateBytes).c_str(), info.kvCache.c_str(),
                 (long long)info.contextLength, mebibytes(info.arenaBytes).c_str(), peakRssMiB());
    warnFaults(majorFaults() - faultsAtLoad, residency);
  });
}

void addBenchCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand("bench", "Prefill and decode speed of an LLM package (tokens/s, as llama-bench)");
  struct Options {
    std::string package;
    int prompt = 512, n = 128, threads = 0, repeat = 3;
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
    const long faults = majorFaults() - faultsAtLoad;
    std::printf("median of %d run%s; weights %s (%s), KV cache %s (%s, %lld positions), peak RSS %.1f MiB; "
                "major page faults while timing %ld\n",
                opts->repeat, opts->repeat == 1 ? "" : "s", mebibytes(info.weightBytes).c_str(), residencyName(residency),
                mebibytes(info.stateBytes).c_str(),
                info.kvCache.c_str(), (long long)info.contextLength, peakRssMiB(), faults);
    warnFaults(faults, residency);
  });
}

}  // namespace edgec::cli
