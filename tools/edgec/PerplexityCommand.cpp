// `edgec perplexity`: how well an LLM package predicts a text, measured as llama.cpp's
// llama-perplexity measures it, so that a model's types (Q4_0, Q4_K, Q8_0, an int8 KV
// cache) can be compared with each other and with llama.cpp's figures for the same file.
//
// The text is tokenized whole (BOS as the vocabulary asks, special tokens not parsed), or
// --tokens taken as they are, and cut into chunks of -c tokens; each chunk starts from an
// empty cache, its first token replaced by BOS when the vocabulary adds one, and the
// tokens of its second half are scored: at each position j from c/2 to c - 2, -log p(token j + 1 | tokens 0 .. j). The
// perplexity is exp of their mean, with llama.cpp's uncertainty (the standard error of
// that mean, times the perplexity). llama.cpp gets the logits of the whole chunk from one
// batch. Here the first half runs through prefill; a package compiled with --score-chunk N
// runs the scored half through its `score` function, N rows' logits a call, and another
// package decodes it one token at a time (the package's prefill returns one row's logits):
// for TinyLlama's shapes in Q4_0 at -c 512 on 2 threads of the Zen 4 VM, 263-266 tokens/s
// through the model with --score-chunk 64 against 92-98 decoding (docs/gguf.md).
#include <cmath>
#include <cstdio>

#include "Commands.h"
#include "LlmCommands.h"
#include "edgec/sampler.h"

namespace edgec::cli {

namespace {

// -log softmax(logits)[target], in double.
double negativeLogLikelihood(const float *logits, int64_t vocab, int32_t target) {
  double max = logits[0];
  for (int64_t i = 1; i < vocab; ++i) max = std::max(max, double(logits[i]));
  double sum = 0;
  for (int64_t i = 0; i < vocab; ++i) sum += std::exp(double(logits[i]) - max);
  return -(double(logits[target]) - max - std::log(sum));
}

}  // namespace

void addPerplexityCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand(
      "perplexity", "Perplexity of an LLM package on a text file, as llama.cpp's llama-perplexity computes it");
  struct Options {
    std::string package, file, tokens;
    int ctx = 0, chunks = 0, threads = 0;
    ResidencyFlags residency{EDGEC_RESIDENCY_COPIED};
  };
  auto opts = std::make_shared<Options>();
  cmd->add_option("package", opts->package, "The .edgepkg compiled from a .gguf model")->required();
  auto *file = cmd->add_option("-f,--file", opts->file, "The text (UTF-8) to score");
  auto *tokens = cmd->add_option("--tokens", opts->tokens, "Score these token ids (comma separated) instead of a text");
  file->excludes(tokens);
  cmd->add_option("-c,--ctx", opts->ctx, "Tokens a chunk (default: 512, or the package's context if smaller)")
      ->check(CLI::Range(4, 1 << 20));
  cmd->add_option("--chunks", opts->chunks, "Score at most this many chunks (default: all the text holds)")
      ->check(CLI::Range(1, 1 << 30));
  cmd->add_option("-t,--threads", opts->threads, "Threads (default: one per core)");
  addResidencyFlags(*cmd, opts->residency);
  cmd->callback([opts] {
    if (opts->file.empty() && opts->tokens.empty()) throw CommandError("give the text to score (-f FILE) or --tokens");
    const std::string text = opts->file.empty() ? std::string() : readTextFile(opts->file);
    const edgec_residency residency = chooseResidency(opts->package, opts->residency);
    std::unique_ptr<LlmSession> session = openSession(opts->package, opts->threads, residency);
    const LlmInfo &info = session->info();
    const int64_t ctx = opts->ctx ? opts->ctx : std::min<int64_t>(512, info.contextLength);
    if (ctx > info.contextLength)
      throw CommandError("-c " + std::to_string(ctx) + " exceeds the package's context of " +
                         std::to_string(info.contextLength) + " positions (compile with a larger --ctx)");
    const Tokenizer &tokenizer = session->tokenizer();
    const std::vector<int32_t> tokens = opts->file.empty()
                                            ? parseIds(opts->tokens)
                                            : tokenizer.encode(text, /*addSpecial=*/true, /*parseSpecial=*/false);
    int64_t chunks = int64_t(tokens.size()) / ctx;
    if (chunks == 0)
      throw CommandError((opts->file.empty() ? "--tokens" : opts->file) + ": " + std::to_string(tokens.size()) +
                         " tokens, fewer than one chunk of " + std::to_string(ctx) + " (-c)");
    if (opts->chunks) chunks = std::min<int64_t>(chunks, opts->chunks);
    // Each chunk's last token is only ever a target, never fed (which would check it).
    for (int64_t i = 0; i < chunks * ctx; ++i)
      if (tokens[size_t(i)] < 0 || tokens[size_t(i)] >= info.vocabSize)
        throw CommandError("token id " + std::to_string(tokens[size_t(i)]) + " is outside the vocabulary of " +
                           std::to_string(info.vocabSize));
    const TokenizerVocab &vocab = tokenizer.vocab();
    const bool bosFirst = vocab.addBos && vocab.bos >= 0;
    const int64_t first = ctx / 2;
    std::fprintf(stderr, "perplexity: %zu tokens, %lld chunks of %lld, scoring the last %lld of each (%s); %d thread%s\n",
                 tokens.size(), (long long)chunks, (long long)ctx, (long long)(ctx - 1 - first),
                 session->scoreChunk() ? ("score calls of " + std::to_string(session->scoreChunk())).c_str()
                                       : "decoded a token at a time; compile with --score-chunk for every row's logits a call",
                 session->threads(), session->threads() == 1 ? "" : "s");

    double sum = 0, sum2 = 0;
    int64_t count = 0;
    const long faultsAtLoad = majorFaults();
    const double start = nowSeconds();
    const int64_t scoreChunk = session->scoreChunk();
    for (int64_t c = 0; c < chunks; ++c) {
      std::vector<int32_t> chunk(tokens.begin() + c * ctx, tokens.begin() + (c + 1) * ctx);
      if (bosFirst) chunk[0] = vocab.bos;
      // Position j's logits predict token j + 1.
      auto scorePosition = [&](const float *logits, int64_t j) {
        if (Sampler::brokenLogits(logits, size_t(info.vocabSize)))
          throw CommandError("the logits at position " + std::to_string(j) + " of chunk " + std::to_string(c + 1) +
                             " hold NaN or +inf: the model's weights or activations are not finite");
        const double nll = negativeLogLikelihood(logits, info.vocabSize, chunk[size_t(j + 1)]);
        sum += nll;
        sum2 += nll * nll;
        ++count;
      };
      auto piece = [&](int64_t from, int64_t to) {
        return std::vector<int32_t>(chunk.begin() + from, chunk.begin() + to);
      };
      session->reset();
      const float *logits = nullptr;
      if (scoreChunk > 0) {
        // The first half in prefill calls, then the scored positions through the package's
        // score function, every row's logits a call.
        feedOrThrow(*session, piece(0, first), logits);
        for (int64_t j = first; j + 1 < ctx; j += scoreChunk) {
          const int64_t n = std::min(scoreChunk, ctx - 1 - j);
          std::string error;
          if (!session->score(piece(j, j + n), logits, error)) throw CommandError(error);
          for (int64_t r = 0; r < n; ++r) scorePosition(logits + r * info.vocabSize, j + r);
        }
      } else {
        feedOrThrow(*session, piece(0, first + 1), logits);
        for (int64_t j = first; j + 1 < ctx; ++j) {
          if (j > first) feedOrThrow(*session, {chunk[size_t(j)]}, logits);
          scorePosition(logits, j);
        }
      }
      std::printf("[%lld]%.4f,", (long long)(c + 1), std::exp(sum / double(count)));
      std::fflush(stdout);
    }
    const double seconds = nowSeconds() - start;
    const double mean = sum / double(count), ppl = std::exp(mean);
    // llama.cpp's uncertainty: the standard error of the mean log-likelihood, through exp.
    const double variance = sum2 / double(count) - mean * mean;
    const double error = count > 1 && variance > 0 ? std::sqrt(variance / double(count - 1)) * ppl : 0.0;
    std::printf("\nFinal estimate: PPL = %.4f +/- %.5f\n", ppl, error);
    std::fflush(stdout);
    std::fprintf(stderr, "%lld tokens scored in %.2f s (%.1f tokens/s through the model)\n", (long long)count,
                 seconds, double(chunks * (ctx - 1)) / seconds);
    printMemory(*session, residency);
    warnFaults(majorFaults() - faultsAtLoad, residency);
  });
}

}  // namespace edgec::cli
