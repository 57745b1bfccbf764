//===- Baseline.cpp - What attn-bench compares the kernels with -----------===//
//
// Built with -march=native and glibc's vector math (libmvec), so the softmax
// runs vectorised exps, as a user's -O3 code or a framework's would; the
// matrix products are OpenBLAS's. Threads: OpenBLAS's own in sgemm, OpenMP
// over rows in the softmax and the streaming read.
//
//===----------------------------------------------------------------------===//

#include "Baseline.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>

using namespace attn_bench;

void Shape::keptRange(int64_t i, int64_t &first, int64_t &last) const {
  int64_t p = i + keyLen - queryLen;
  first = 0;
  last = keyLen - 1;
  if (causal)
    last = std::min(last, p);
  if (window > 0)
    first = std::max<int64_t>(first, p - window + 1);
}

int64_t Shape::keptPairs() const {
  int64_t rowTotal = 0;
  for (int64_t i = 0; i < queryLen; ++i) {
    int64_t first, last;
    keptRange(i, first, last);
    rowTotal += std::max<int64_t>(0, last - first + 1);
  }
  return rowTotal * batch * heads;
}

Baseline::Baseline(const Shape &shape)
    : shape(shape), scale(1.0f / std::sqrt(static_cast<float>(shape.headDim))),
      scores(
          static_cast<size_t>(shape.group() * shape.queryLen * shape.keyLen)) {}

/// A masked softmax of `rows` rows of the score matrix, in place: the kept
/// range is normalised and everything else becomes 0.
static void maskedSoftmax(const Shape &shape, float *scores, int64_t rows) {
  int64_t width = shape.keyLen;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    float *row = scores + r * width;
    int64_t first, last;
    shape.keptRange(r % shape.queryLen, first, last);
    if (last < first) {
      std::fill(row, row + width, 0.0f);
      continue;
    }
    std::fill(row, row + first, 0.0f);
    std::fill(row + last + 1, row + width, 0.0f);
    float m = -INFINITY;
#pragma omp simd reduction(max : m)
    for (int64_t j = first; j <= last; ++j)
      m = std::max(m, row[j]);
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t j = first; j <= last; ++j) {
      row[j] = std::exp(row[j] - m);
      sum += row[j];
    }
    float inverse = 1.0f / sum;
#pragma omp simd
    for (int64_t j = first; j <= last; ++j)
      row[j] *= inverse;
  }
}

/// The two products of key/value head (b, kvh), with the softmax between
/// them when `softmax` is set.
static void products(const Shape &shape, float scale, float *scores,
                     const float *q, const float *k, const float *v, float *o,
                     bool softmax) {
  int64_t g = shape.group(), sq = shape.queryLen, skv = shape.keyLen;
  int64_t d = shape.headDim, dv = shape.valueDim;
  int64_t rows = g * sq; // The group's query heads are consecutive.
  for (int64_t b = 0; b < shape.batch; ++b)
    for (int64_t kvh = 0; kvh < shape.kvHeads; ++kvh) {
      int64_t h = kvh * g;
      const float *qg = q + (b * shape.heads + h) * sq * d;
      const float *kg = k + (b * shape.kvHeads + kvh) * skv * d;
      const float *vg = v + (b * shape.kvHeads + kvh) * skv * dv;
      float *og = o + (b * shape.heads + h) * sq * dv;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, skv, d, scale,
                  qg, d, kg, d, 0.0f, scores, skv);
      if (softmax)
        maskedSoftmax(shape, scores, rows);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, dv, skv,
                  1.0f, scores, skv, vg, dv, 0.0f, og, dv);
    }
}

void Baseline::attention(const float *q, const float *k, const float *v,
                         float *o) {
  products(shape, scale, scores.data(), q, k, v, o, /*softmax=*/true);
}

void Baseline::sgemmOnly(const float *q, const float *k, const float *v,
                         float *o) {
  products(shape, scale, scores.data(), q, k, v, o, /*softmax=*/false);
}

double attn_bench::streamRead(const float *data, int64_t count) {
  float sum = 0.0f;
#pragma omp parallel for simd reduction(+ : sum) schedule(static)
  for (int64_t n = 0; n < count; ++n)
    sum += data[n];
  return sum;
}

void attn_bench::exactRow(const Shape &shape, const float *q, const float *k,
                          const float *v, int64_t b, int64_t h, int64_t i,
                          double *out) {
  int64_t d = shape.headDim, dv = shape.valueDim, kvh = h / shape.group();
  const float *qi = q + ((b * shape.heads + h) * shape.queryLen + i) * d;
  const float *kb = k + (b * shape.kvHeads + kvh) * shape.keyLen * d;
  const float *vb = v + (b * shape.kvHeads + kvh) * shape.keyLen * dv;
  std::fill(out, out + dv, 0.0);
  int64_t first, last;
  shape.keptRange(i, first, last);
  if (last < first)
    return;
  double scale = 1.0 / std::sqrt(static_cast<double>(d));
  std::vector<double> s(last - first + 1);
  double m = -INFINITY;
  for (int64_t j = first; j <= last; ++j) {
    double dot = 0.0;
    for (int64_t c = 0; c < d; ++c)
      dot += static_cast<double>(qi[c]) * kb[j * d + c];
    s[j - first] = scale * dot;
    m = std::max(m, s[j - first]);
  }
  double sum = 0.0;
  for (double &x : s)
    sum += (x = std::exp(x - m));
  for (int64_t j = first; j <= last; ++j)
    for (int64_t c = 0; c < dv; ++c)
      out[c] += s[j - first] / sum * vb[j * dv + c];
}
