// Reference TfIdfVectorizer (ONNX opset 9) over int32/int64 tokens, as ONNX's reference
// implementation: the pool's n-grams of the sizes in [min_gram_length, max_gram_length]
// go into a trie at prepare (a node's id is its n-gram's number + 1, 0 for a prefix that
// is no n-gram of those sizes); each row is then walked from every start, for every skip
// distance, counting the n-grams the walk passes.
#include <map>

#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

class RefTfIdfVectorizer final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, x, Types<int32_t, int64_t>{}, "TfIdfVectorizer input");
    requireDType(sig, y, Types<float>{}, "TfIdfVectorizer output");
    if (x.rank() != 1 && x.rank() != 2) kernelFail(sig, "X must be [C] or [N, C], got " + shapeStr(x.shape));
    const std::string mode = sig.attrs.s("mode");
    if (mode == "TF") mode_ = Mode::TF;
    else if (mode == "IDF") mode_ = Mode::IDF;
    else if (mode == "TFIDF") mode_ = Mode::TFIDF;
    else kernelFail(sig, "mode must be TF, IDF or TFIDF, got '" + mode + "'");
    minLength_ = sig.attrs.i("min_gram_length");
    maxLength_ = sig.attrs.i("max_gram_length");
    maxSkip_ = sig.attrs.i("max_skip_count");
    if (minLength_ < 1 || maxLength_ < minLength_ || maxSkip_ < 0)
      kernelFail(sig, "needs 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0");
    indexes_ = sig.attrs.ints("ngram_indexes");
    weights_ = sig.attrs.floats("weights", {});
    columns_ = 0;
    for (int64_t c : indexes_) {
      if (c < 0) kernelFail(sig, "ngram_indexes must be >= 0");
      columns_ = std::max(columns_, c + 1);
    }
    if (!weights_.empty() && int64_t(weights_.size()) < columns_)
      kernelFail(sig, "weights must cover every output column");
    rows_ = x.rank() == 2 ? x.shape[0] : 1;
    rowLength_ = x.shape.back();
    std::vector<int64_t> expect = x.shape;
    expect.back() = columns_;
    requireShape(sig, y, expect, "output");
    buildTrie(sig, sig.attrs.ints("ngram_counts"), sig.attrs.ints("pool_int64s"));
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    std::vector<int64_t> counts(size_t(rows_ * columns_), 0);
    for (int64_t r = 0; r < rows_; ++r) {
      if (in[0]->dtype == DType::i32) countRow(in[0]->as<int32_t>() + r * rowLength_, &counts[size_t(r * columns_)]);
      else countRow(in[0]->as<int64_t>() + r * rowLength_, &counts[size_t(r * columns_)]);
    }
    float *y = out[0]->as<float>();
    for (size_t i = 0; i < counts.size(); ++i) {
      const float w = weights_.empty() ? 1.f : weights_[i % size_t(columns_)];
      switch (mode_) {
      case Mode::TF: y[i] = float(counts[i]); break;
      case Mode::IDF: y[i] = counts[i] > 0 ? w : 0.f; break;
      case Mode::TFIDF: y[i] = weights_.empty() ? float(counts[i]) : w * float(counts[i]); break;
      }
    }
  }

private:
  enum class Mode { TF, IDF, TFIDF };
  struct Node {
    int64_t id = 0;                     // the n-gram's number + 1; 0: none ends here
    std::map<int64_t, int32_t> next;  // token -> node
  };

  // Numbers the pool's n-grams over all sizes (ngram_counts[n - 1] starts those of size
  // n) and puts those of the counted sizes into the trie; a repeated n-gram keeps the
  // last number, as the reference's map does.
  void buildTrie(const KernelSignature &sig, const std::vector<int64_t> &starts, const std::vector<int64_t> &pool) {
    nodes_.assign(1, Node{});
    int64_t id = 1;
    for (size_t i = 0; i < starts.size(); ++i) {
      const int64_t size = int64_t(i) + 1, begin = starts[i];
      const int64_t end = i + 1 < starts.size() ? starts[i + 1] : int64_t(pool.size());
      if (begin < 0 || begin > end || end > int64_t(pool.size()) || (end - begin) % size != 0)
        kernelFail(sig, "ngram_counts do not split pool_int64s into whole n-grams");
      const int64_t ngrams = (end - begin) / size;
      if (size < minLength_ || size > maxLength_) {
        id += ngrams;
        continue;
      }
      for (int64_t g = 0; g < ngrams; ++g, ++id) {
        int32_t node = 0;
        for (int64_t k = 0; k < size; ++k) {
          const int64_t token = pool[size_t(begin + g * size + k)];
          auto it = nodes_[size_t(node)].next.find(token);
          if (it == nodes_[size_t(node)].next.end()) {
            nodes_.emplace_back();
            it = nodes_[size_t(node)].next.emplace(token, int32_t(nodes_.size() - 1)).first;
          }
          node = it->second;
        }
        nodes_[size_t(node)].id = id;
      }
    }
    if (id - 1 != int64_t(indexes_.size()))
      kernelFail(sig, "ngram_indexes must have one entry per n-gram of the pool (" + std::to_string(id - 1) + "), got " +
                          std::to_string(indexes_.size()));
  }

  // The reference's walk: for each skip distance, from each start, follow the trie while
  // the tokens match, counting every n-gram of at least the smallest counted size; with
  // unigrams counted, they are counted for the first distance only.
  template <typename T> void countRow(const T *x, int64_t *counts) const {
    int64_t smallest = minLength_;
    for (int64_t skip = 1; skip <= maxSkip_ + 1; ++skip) {
      for (int64_t start = 0; start < rowLength_; ++start) {
        if (start + skip * (smallest - 1) >= rowLength_) break;
        int32_t node = 0;
        for (int64_t size = 1, item = start; size <= maxLength_ && item < rowLength_; ++size, item += skip) {
          const auto &next = nodes_[size_t(node)].next;
          auto it = next.find(int64_t(x[item]));
          if (it == next.end()) break;
          node = it->second;
          if (size >= smallest && nodes_[size_t(node)].id != 0) ++counts[indexes_[size_t(nodes_[size_t(node)].id - 1)]];
        }
      }
      if (smallest == 1) {
        ++smallest;
        if (smallest > maxLength_) break;
      }
    }
  }

  Mode mode_ = Mode::TF;
  int64_t minLength_ = 1, maxLength_ = 1, maxSkip_ = 0, columns_ = 0, rows_ = 0, rowLength_ = 0;
  std::vector<int64_t> indexes_;
  std::vector<float> weights_;
  std::vector<Node> nodes_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefTfIdf(KernelRegistry &r) { r.add<ref::RefTfIdfVectorizer>("TfIdfVectorizer", Isa::Ref); }
}  // namespace edgec::rt
