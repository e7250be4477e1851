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
//
// --kl-base BASE.edgepkg also runs a package of the same model in other types (its F16 or
// F32 compile) on the same chunks and says how far this one's predictions are from it, as
// llama-perplexity's --kl-divergence does: both perplexities and the log of their ratio,
// the KL divergence of this package's next-token distribution from the base's at each
// scored position (mean, median, 99th percentile, maximum), and how often both rank the
// same token first. Perplexity alone hides errors that cancel over a text; these do not.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "Commands.h"
#include "LlmCommands.h"
#include "edgec/sampler.h"

namespace edgec::cli {

namespace {

// max + log(sum exp(logits - max)): log softmax(logits)[i] is logits[i] minus it. In double.
double logSumExp(const float *logits, int64_t vocab) {
  double max = logits[0];
  for (int64_t i = 1; i < vocab; ++i) max = std::max(max, double(logits[i]));
  double sum = 0;
  for (int64_t i = 0; i < vocab; ++i) sum += std::exp(double(logits[i]) - max);
  return max + std::log(sum);
}

// KL(base || other) = sum p_base (log p_base - log p_other), from both rows' logits and
// their logSumExp.
double klDivergence(const float *base, double baseLse, const float *other, double otherLse, int64_t vocab) {
  double kl = 0;
  for (int64_t i = 0; i < vocab; ++i) {
    const double logBase = double(base[i]) - baseLse;
    kl += std::exp(logBase) * (logBase - (double(other[i]) - otherLse));
  }
  return std::max(kl, 0.0);  // rounding can leave -1e-17 where the rows are equal
}

// The scored positions' logits of one chunk, a row at a time, whichever way the package
// gives them: through its score function, N rows a call (--score-chunk), or decoding the
// scored half a token at a time. Each row stays valid until the next call of next().
class ScoredRows {
public:
  // Runs the chunk's first half (prefill calls) from an empty cache.
  ScoredRows(LlmSession &session, const std::vector<int32_t> &chunk, int64_t first)
      : session_(session), chunk_(chunk), next_(first), scoreChunk_(session.scoreChunk()) {
    session_.reset();
    const int64_t fed = scoreChunk_ > 0 ? first : first + 1;
    feedOrThrow(session_, std::vector<int32_t>(chunk_.begin(), chunk_.begin() + fed), rows_);
    if (scoreChunk_ == 0) left_ = 1;  // the prefill's row is position `first`'s
  }

  // Position j's row (j = first, first + 1, ... up to the chunk's size - 2), which predicts token j + 1.
  const float *next() {
    const int64_t vocab = session_.info().vocabSize;
    if (left_ == 0) {
      if (scoreChunk_ > 0) {
        const int64_t n = std::min(scoreChunk_, int64_t(chunk_.size()) - 1 - next_);
        std::string error;
        if (!session_.score(std::vector<int32_t>(chunk_.begin() + next_, chunk_.begin() + next_ + n), rows_, error))
          throw CommandError(error);
        left_ = n;
      } else {
        feedOrThrow(session_, {chunk_[size_t(next_)]}, rows_);
        left_ = 1;
      }
      taken_ = 0;
    }
    --left_;
    ++next_;
    return rows_ + taken_++ * vocab;
  }

private:
  LlmSession &session_;
  const std::vector<int32_t> &chunk_;
  int64_t next_, scoreChunk_, left_ = 0, taken_ = 0;
  const float *rows_ = nullptr;
};

// Mean and llama.cpp's uncertainty of it (the standard error) of a running sum.
struct Mean {
  double sum = 0, sum2 = 0;
  int64_t count = 0;
  void add(double x) { sum += x, sum2 += x * x, ++count; }
  double mean() const { return count ? sum / double(count) : 0.0; }
  double error() const {
    const double m = mean(), variance = count ? sum2 / double(count) - m * m : 0.0;
    return count > 1 && variance > 0 ? std::sqrt(variance / double(count - 1)) : 0.0;
  }
};

// What --kl-base measures: the base's own log-likelihoods, the divergences, the top-token matches.
struct BaseComparison {
  Mean baseNll, logRatio, kl, sameTop;
  std::vector<double> kls;

  void add(const float *row, const float *baseRow, int64_t vocab, int32_t target, double nll) {
    const double lse = logSumExp(row, vocab), baseLse = logSumExp(baseRow, vocab);
    const double baseNllHere = baseLse - double(baseRow[target]);
    baseNll.add(baseNllHere);
    logRatio.add(nll - baseNllHere);
    kls.push_back(klDivergence(baseRow, baseLse, row, lse, vocab));
    kl.add(kls.back());
    sameTop.add(std::max_element(row, row + vocab) - row == std::max_element(baseRow, baseRow + vocab) - baseRow);
  }

  void print(const std::string &base) {
    std::sort(kls.begin(), kls.end());
    auto quantile = [&](double q) { return kls[std::min(kls.size() - 1, size_t(q * double(kls.size())))]; };
    const double ppl = std::exp(baseNll.mean());
    std::printf("Base %s: PPL = %.4f +/- %.5f\n", base.c_str(), ppl, baseNll.error() * ppl);
    std::printf("ln(PPL / base PPL) = %.6f +/- %.6f\n", logRatio.mean(), logRatio.error());
    std::printf("KL divergence from the base: mean %.6f +/- %.6f, median %.6f, 99%% %.6f, max %.6f\n", kl.mean(),
                kl.error(), quantile(0.5), quantile(0.99), kls.back());
    std::printf("Same top token as the base: %.3f%% +/- %.3f%%\n", 100 * sameTop.mean(), 100 * sameTop.error());
  }
};

}  // namespace

void addPerplexityCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand(
      "perplexity", "Perplexity of an LLM package on a text file, as llama.cpp's llama-perplexity computes it");
  struct Options {
    std::string package, file, tokens, klBase;
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
  cmd->add_option("--kl-base", opts->klBase,
                  "Also run this package of the same model in other types (its F16 or F32 compile) on the same chunks: "
                  "its perplexity, the KL divergence of this package's predictions from its, how often both rank "
                  "the same token first (as llama-perplexity --kl-divergence)")
      ->type_name("BASE.edgepkg");
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
    std::unique_ptr<LlmSession> base;
    if (!opts->klBase.empty()) {
      base = openSession(opts->klBase, opts->threads, chooseResidency(opts->klBase, opts->residency));
      // The same model: the same vocabulary, which reads the text into the same tokens.
      if (base->info().vocabSize != info.vocabSize ||
          (!opts->file.empty() && base->tokenizer().encode(text, true, false) != tokens))
        throw CommandError("--kl-base " + opts->klBase + ": not the same model as " + opts->package + " (" +
                           (base->info().vocabSize != info.vocabSize
                                ? "a vocabulary of " + std::to_string(base->info().vocabSize) + " tokens against " +
                                      std::to_string(info.vocabSize)
                                : std::string("its tokenizer reads the text otherwise")) +
                           ")");
      if (ctx > base->info().contextLength)
        throw CommandError("-c " + std::to_string(ctx) + " exceeds --kl-base's context of " +
                           std::to_string(base->info().contextLength) + " positions");
    }
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

    Mean nll;
    BaseComparison comparison;
    const long faultsAtLoad = majorFaults();
    const double start = nowSeconds();
    for (int64_t c = 0; c < chunks; ++c) {
      std::vector<int32_t> chunk(tokens.begin() + c * ctx, tokens.begin() + (c + 1) * ctx);
      if (bosFirst) chunk[0] = vocab.bos;
      auto check = [&](const float *logits, int64_t j, const std::string &which) {
        if (Sampler::brokenLogits(logits, size_t(info.vocabSize)))
          throw CommandError(which + "the logits at position " + std::to_string(j) + " of chunk " +
                             std::to_string(c + 1) + " hold NaN or +inf: the model's weights or activations are not finite");
      };
      ScoredRows rows(*session, chunk, first);
      std::unique_ptr<ScoredRows> baseRows = base ? std::make_unique<ScoredRows>(*base, chunk, first) : nullptr;
      for (int64_t j = first; j + 1 < ctx; ++j) {
        const float *logits = rows.next();
        check(logits, j, "");
        const int32_t target = chunk[size_t(j + 1)];
        const double here = logSumExp(logits, info.vocabSize) - double(logits[target]);
        nll.add(here);
        if (baseRows) {
          const float *baseLogits = baseRows->next();
          check(baseLogits, j, "--kl-base: ");
          comparison.add(logits, baseLogits, info.vocabSize, target, here);
        }
      }
      std::printf("[%lld]%.4f,", (long long)(c + 1), std::exp(nll.mean()));
      std::fflush(stdout);
    }
    const double seconds = nowSeconds() - start;
    const double ppl = std::exp(nll.mean());
    // llama.cpp's uncertainty: the standard error of the mean log-likelihood, through exp.
    const double error = nll.error() * ppl;
    const int64_t count = nll.count;
    std::printf("\nFinal estimate: PPL = %.4f +/- %.5f\n", ppl, error);
    if (base) comparison.print(opts->klBase);
    std::fflush(stdout);
    std::fprintf(stderr, "%lld tokens scored in %.2f s (%.1f tokens/s through %s)\n", (long long)count, seconds,
                 double(chunks * (ctx - 1)) / seconds, base ? "both packages" : "the model");
    printMemory(*session, residency);
    warnFaults(majorFaults() - faultsAtLoad, residency);
  });
}

}  // namespace edgec::cli
