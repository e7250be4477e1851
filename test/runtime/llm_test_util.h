// Independent double-precision references for the LLM kernels (ref/llm.h), written from
// the contracts in runtime/kernels/README.md as naive loops, and the tensors their tests
// build (cache rows past the valid prefix hold NaN, so a kernel that reads them shows it).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "kernel_test_util.h"
#include "ref/util.h"

namespace edgec::rt::testing {

// y = x / sqrt(mean(x^2) + eps) * scale over rows of E.
inline std::vector<double> naiveRmsNorm(const std::vector<float> &x, const std::vector<float> &scale, float eps) {
  const size_t E = scale.size();
  std::vector<double> y(x.size());
  for (size_t r = 0; r < x.size() / E; ++r) {
    double ss = 0;
    for (size_t i = 0; i < E; ++i) ss += double(x[r * E + i]) * x[r * E + i];
    const double inv = 1.0 / std::sqrt(ss / double(E) + eps);
    for (size_t i = 0; i < E; ++i) y[r * E + i] = x[r * E + i] * inv * scale[i];
  }
  return y;
}

// cos/sin caches [P, half] for angles p * base^(-2i / (2 half)), as llama's RoPE builds them.
inline void ropeCaches(int64_t P, int64_t half, double base, std::vector<float> &cosC, std::vector<float> &sinC) {
  cosC.resize(size_t(P * half));
  sinC.resize(size_t(P * half));
  for (int64_t p = 0; p < P; ++p)
    for (int64_t i = 0; i < half; ++i) {
      const double theta = double(p) * std::pow(base, -2.0 * double(i) / double(2 * half));
      cosC[size_t(p * half + i)] = float(std::cos(theta));
      sinC[size_t(p * half + i)] = float(std::sin(theta));
    }
}

// Each head's first R elements as R/2 complex numbers z_i = (x[a_i], x[b_i]) multiplied by
// (c + i s): a_i = 2i, b_i = 2i + 1 when interleaved, else a_i = i, b_i = i + R/2.
inline std::vector<double> naiveRotary(const std::vector<float> &x, int64_t rows, int64_t heads, int64_t D, int64_t R,
                                       bool interleaved, const std::vector<float> &cosC,
                                       const std::vector<float> &sinC, const std::vector<int64_t> &ids) {
  std::vector<double> y(x.begin(), x.end());
  const int64_t half = R / 2;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < half; ++i) {
        const int64_t base = (r * heads + h) * D;
        const int64_t a = base + (interleaved ? 2 * i : i), b = base + (interleaved ? 2 * i + 1 : i + half);
        const double c = cosC[size_t(ids[r] * half + i)], s = sinC[size_t(ids[r] * half + i)];
        y[a] = double(x[a]) * c - double(x[b]) * s;
        y[b] = double(x[a]) * s + double(x[b]) * c;
      }
  return y;
}

// A query head's row as i8 caches see it (the contract: scale = max|q| / 127 in f32,
// codes round-half-even(q / scale) in f32, clamped to [-127, 127]): codes times scale.
inline std::vector<double> quantizedQueryRow(const float *q, int64_t D) {
  float maxAbs = 0.f;
  for (int64_t d = 0; d < D; ++d) maxAbs = std::max(maxAbs, std::fabs(q[d]));
  const float scale = maxAbs / 127.f;
  std::vector<double> row(size_t(D), 0.0);
  if (scale > 0)
    for (int64_t d = 0; d < D; ++d)
      row[size_t(d)] = std::clamp(std::nearbyint(q[d] / scale), -127.f, 127.f) * double(scale);
  return row;
}

// Caches as the attention kernel reads them, already as real values (f16 widened, i8
// codes times their row's scale), [Hkv, C, D]; with i8Query (i8 caches) each query head's
// row quantized as quantizedQueryRow; with window > 0 each query attends only the window's
// most recent positions; with softcap > 0 each scaled score x becomes softcap tanh(x / softcap).
inline std::vector<double> naiveAttention(const std::vector<float> &q, const std::vector<double> &k,
                                          const std::vector<double> &v, int64_t S, int64_t Hq, int64_t Hkv, int64_t D,
                                          int64_t pos, double scale, bool i8Query = false, int64_t window = 0,
                                          double softcap = 0) {
  std::vector<double> y(size_t(S * Hq * D));
  const int64_t C = int64_t(k.size()) / (Hkv * D);
  for (int64_t s = 0; s < S; ++s)
    for (int64_t h = 0; h < Hq; ++h) {
      const int64_t kvh = h / (Hq / Hkv), n = pos + s + 1;
      // llama.cpp's sliding-window mask as it states it: the key at p0 is masked for the
      // query at p1 = pos + s when p1 - p0 >= window (window > 0).
      auto masked = [&](int64_t j) { return window > 0 && pos + s - j >= window; };
      const float *qf = q.data() + (s * Hq + h) * D;
      const std::vector<double> qh = i8Query ? quantizedQueryRow(qf, D) : std::vector<double>(qf, qf + D);
      std::vector<double> score(static_cast<size_t>(n));
      double mx = -INFINITY;
      for (int64_t j = 0; j < n; ++j) {
        if (masked(j)) continue;
        double dot = 0;
        for (int64_t d = 0; d < D; ++d) dot += qh[size_t(d)] * k[size_t((kvh * C + j) * D + d)];
        score[j] = dot * scale;
        if (softcap > 0) score[j] = softcap * std::tanh(score[j] / softcap);  // Gemma 2's soft cap
        mx = std::max(mx, score[j]);
      }
      double sum = 0;
      for (int64_t j = 0; j < n; ++j) sum += (score[j] = masked(j) ? 0.0 : std::exp(score[j] - mx));
      for (int64_t d = 0; d < D; ++d) {
        double acc = 0;
        for (int64_t j = 0; j < n; ++j)
          if (!masked(j)) acc += score[j] * v[size_t((kvh * C + j) * D + d)];
        y[size_t((s * Hq + h) * D + d)] = acc / sum;
      }
    }
  return y;
}

// A KV cache pair of one dtype, rows [validFrom, valid) random and the rest NaN (garbage a
// kernel must not read: past the last query row, or before a sliding window), with the
// real values the references use. The random values do not depend on validFrom.
struct KvCache {
  Tensor k, v;
  Tensor kScale{DType::f32, {0}}, vScale{DType::f32, {0}};
  std::vector<double> kReal, vReal;
  bool i8 = false;
};

inline KvCache makeKvCache(DType dtype, int64_t C, int64_t Hkv, int64_t D, int64_t valid, uint32_t seed,
                           int64_t validFrom = 0) {
  const std::vector<int64_t> shape = {Hkv, C, D};
  const int64_t n = Hkv * C * D;
  auto isValid = [&](int64_t row) { return row % C >= validFrom && row % C < valid; };  // row: h C + j
  KvCache c{Tensor(dtype, shape), Tensor(dtype, shape)};
  c.i8 = dtype == DType::i8;
  c.kReal.assign(size_t(n), 0);
  c.vReal.assign(size_t(n), 0);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(-1.f, 1.f);
  if (c.i8) {
    c.kScale = Tensor(DType::f32, {Hkv, C});
    c.vScale = Tensor(DType::f32, {Hkv, C});
  }
  for (int which = 0; which < 2; ++which) {
    Tensor &t = which ? c.v : c.k;
    std::vector<double> &real = which ? c.vReal : c.kReal;
    for (int64_t i = 0; i < n; ++i) {
      const bool ok = isValid(i / D);
      const float x = unit(rng);
      if (dtype == DType::f32) {
        t.view().as<float>()[i] = ok ? x : NAN;
        real[i] = x;
      } else if (dtype == DType::f16) {
        const uint16_t h = ok ? ref::halfFromDouble(x) : uint16_t(0x7e00);
        t.view().as<uint16_t>()[i] = h;
        real[i] = ref::halfToFloat(h);
      } else {
        t.view().as<int8_t>()[i] = int8_t(std::lround(x * 127));
      }
    }
    if (c.i8) {
      float *sc = (which ? c.vScale : c.kScale).view().as<float>();
      for (int64_t r = 0; r < Hkv * C; ++r) sc[r] = isValid(r) ? (0.5f + 0.5f * std::fabs(unit(rng))) / 127 : NAN;
      for (int64_t i = 0; i < n; ++i)
        if (isValid(i / D)) real[i] = double(t.view().as<int8_t>()[i]) * sc[i / D];
    }
  }
  return c;
}

// Positions p0 .. p0 + n - 1 (axis 1) of t [H, C, ...] as a tensor [H, n, ...].
inline Tensor rowsOf(Tensor &t, int64_t p0, int64_t n) {
  std::vector<int64_t> shape = t.shape();
  const int64_t C = shape[1];
  shape[1] = n;
  Tensor r(t.view().dtype, shape);
  const size_t row = t.view().nbytes() / size_t(shape[0] * C);
  for (int64_t h = 0; h < shape[0]; ++h)
    std::memcpy(static_cast<uint8_t *>(r.view().data) + size_t(h * n) * row,
                static_cast<const uint8_t *>(t.view().data) + size_t(h * C + p0) * row, size_t(n) * row);
  return r;
}

// The mirrored ring of `ring` rows that KVCacheAttention's `ring` reads ([Hkv, 2 ring, D],
// an i8 cache's scales [Hkv, 2 ring]) holding positions 0 .. upTo - 1 of `full` ([Hkv, C,
// D]) as a session leaves it: written `step` positions a call (the last call fewer) by the
// KVCacheRingWrite kernel, in place as the host target plans it, over rows of NaN (so
// that reading a row never written shows).
inline KvCache ringOf(KvCache &full, int64_t ring, int64_t upTo, int64_t step) {
  const int64_t Hkv = full.k.shape()[0], D = full.k.shape()[2];
  const DType dt = full.k.view().dtype;
  KvCache r{Tensor(dt, {Hkv, 2 * ring, D}), Tensor(dt, {Hkv, 2 * ring, D})};
  r.i8 = full.i8;
  if (r.i8) {
    r.kScale = Tensor(DType::f32, {Hkv, 2 * ring});
    r.vScale = Tensor(DType::f32, {Hkv, 2 * ring});
  }
  for (Tensor *t : {&r.k, &r.v, &r.kScale, &r.vScale}) {
    const size_t bytes = t->view().nbytes();
    if (dt == DType::i8 && t->view().dtype == DType::i8) std::memset(t->view().data, 0x80, bytes);  // -128: no code
    else if (t->view().dtype == DType::f16) std::fill_n(t->view().as<uint16_t>(), bytes / 2, uint16_t(0x7e00));
    else std::fill_n(t->view().as<float>(), bytes / 4, NAN);
  }
  AttrList a;
  a.i("ring", ring);
  for (int64_t p = 0; p < upTo; p += step) {
    const int64_t n = std::min(step, upTo - p);
    Tensor pos = Tensor::of<int64_t>({1}, {p});
    std::pair<Tensor *, Tensor *> parts[] = {{&full.k, &r.k}, {&full.v, &r.v}, {&full.kScale, &r.kScale},
                                             {&full.vScale, &r.vScale}};
    for (auto &[from, to] : parts) {
      if (to->shape()[0] == 0) continue;  // no scales
      Tensor rows = rowsOf(*from, p, n);
      runKernel("KVCacheRingWrite", {to, &rows, &pos}, {to}, a);
    }
  }
  return r;
}

// |actual - expected| <= atol for every element (NaN nowhere).
inline void expectClose(const std::vector<float> &actual, const std::vector<double> &expected, double atol,
                        const std::string &what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i)
    ASSERT_NEAR(double(actual[i]), expected[i], atol) << what << " at " << i;
}

}  // namespace edgec::rt::testing
