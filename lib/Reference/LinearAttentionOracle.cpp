//===- LinearAttentionOracle.cpp - Reference linear attention -------------===//
//
// VARIANTS.md section 6 evaluated directly: for every query, the sum over its
// keys of (phi(q) . phi(k)) v, weighted by the decay, with the normaliser.
// Quadratic on purpose: the chunked lowering is checked against this.
//
//===----------------------------------------------------------------------===//

#include "OracleInternal.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::reference;

namespace {

/// phi(x) of `map` for query head `h` (random features read `weights`).
/// Sums and exponents pass through `accumulate` (the narrow model computes
/// them in f32, as an implementation does; exact: the identity).
void featureMap(FeatureMap map, const double *x, int64_t d, int64_t h,
                const Tensor *weights,
                llvm::function_ref<double(double)> accumulate,
                std::vector<double> &phi) {
  phi.clear();
  switch (map) {
  case FeatureMap::identity:
    phi.assign(x, x + d);
    return;
  case FeatureMap::elu_plus_one:
    for (int64_t n = 0; n < d; ++n)
      phi.push_back(x[n] > 0 ? x[n] + 1.0 : std::exp(x[n]));
    return;
  case FeatureMap::relu:
    for (int64_t n = 0; n < d; ++n)
      phi.push_back(std::max(x[n], 0.0));
    return;
  case FeatureMap::exp:
    for (int64_t n = 0; n < d; ++n)
      phi.push_back(std::exp(x[n]));
    return;
  case FeatureMap::softmax: {
    double m = *std::max_element(x, x + d), sum = 0.0;
    for (int64_t n = 0; n < d; ++n)
      sum = accumulate(sum + std::exp(accumulate(x[n] - m)));
    for (int64_t n = 0; n < d; ++n)
      phi.push_back(std::exp(accumulate(x[n] - m)) / sum);
    return;
  }
  case FeatureMap::random_features: {
    bool perHead = weights->rank() == 3;
    int64_t f = weights->dim(perHead ? 1 : 0);
    double norm = 0.0;
    for (int64_t n = 0; n < d; ++n)
      norm = accumulate(norm + x[n] * x[n]);
    for (int64_t r = 0; r < f; ++r) {
      const double *w = &weights->data[perHead ? weights->offset({h, r, 0})
                                               : weights->offset({r, 0})];
      double dot = 0.0;
      for (int64_t n = 0; n < d; ++n)
        dot = accumulate(dot + w[n] * x[n]);
      phi.push_back(std::exp(accumulate(dot - norm / 2.0)) /
                    std::sqrt(double(f)));
    }
    return;
  }
  case FeatureMap::taylor:
    phi.push_back(1.0);
    phi.insert(phi.end(), x, x + d);
    for (int64_t a = 0; a < d; ++a)
      for (int64_t b = 0; b < d; ++b)
        phi.push_back(x[a] * x[b] / std::sqrt(2.0));
    return;
  }
}

double dot(const std::vector<double> &a, const std::vector<double> &b) {
  double sum = 0.0;
  for (size_t n = 0; n < a.size(); ++n)
    sum += a[n] * b[n];
  return sum;
}

} // namespace

namespace mlir::attn::reference {
FailureOr<std::vector<Tensor>>
evaluateLinearAttention(LinearAttentionOp op, ValueLookup lookup,
                        const EvaluationOptions &options) {
  // The narrow model (see EvaluationOptions): what such an implementation
  // stores is rounded, its sums accumulate in f32.
  auto rounded = [round = options.roundIntermediate](double x) {
    return round ? round(x) : x;
  };
  auto accumulated = [narrow = options.roundIntermediate != nullptr](double x) {
    return narrow ? static_cast<double>(static_cast<float>(x)) : x;
  };
  const Tensor &q = *lookup(op.getQuery()), &k = *lookup(op.getKey()),
               &v = *lookup(op.getValue());
  const Tensor *qLen = op.getQLen() ? lookup(op.getQLen()) : nullptr;
  const Tensor *kvLen = op.getKvLen() ? lookup(op.getKvLen()) : nullptr;
  const Tensor *weights = op.getWeights() ? lookup(op.getWeights()) : nullptr;
  int64_t batch = q.dim(0), heads = q.dim(1), queryLen = q.dim(2), d = q.dim(3),
          kvHeads = k.dim(1), keyLen = k.dim(2), valueDim = v.dim(3);
  for (auto [name, t] :
       {std::pair<StringRef, const Tensor *>{"key", &k}, {"value", &v}})
    if (t->dim(0) != batch || t->dim(2) != keyLen)
      return op.emitError()
             << name << " has shape " << t->shapeString()
             << ", which does not match query " << q.shapeString()
             << " and key " << k.shapeString();
  for (auto [name, t, bound] :
       {std::tuple<StringRef, const Tensor *, int64_t>{"q_len", qLen, queryLen},
        {"kv_len", kvLen, keyLen}}) {
    if (!t)
      continue;
    if (t->rank() != 1 || t->dim(0) != batch)
      return op.emitError() << name << " has shape " << t->shapeString()
                            << ", expected [" << batch << "]";
    for (int64_t b = 0; b < batch; ++b)
      if (t->data[b] < 0 || t->data[b] > bound)
        return op.emitError()
               << name << "[" << b << "] = " << static_cast<int64_t>(t->data[b])
               << " is outside [0, " << bound << "]";
  }
  int64_t group = heads / kvHeads;
  bool causal = op.getCausal();
  double eps = op.getEps().convertToDouble();
  int64_t featureDim = op.getFeatureDim();
  Tensor output({batch, heads, queryLen, valueDim});
  std::vector<double> phiQ;
  std::vector<std::vector<double>> phiK(keyLen);
  for (int64_t b = 0; b < batch; ++b) {
    int64_t rows = qLen ? static_cast<int64_t>(qLen->data[b]) : queryLen;
    int64_t keys = kvLen ? static_cast<int64_t>(kvLen->data[b]) : keyLen;
    int64_t offset =
        op.getAlignment() == Alignment::bottom_right ? keys - rows : 0;
    for (int64_t h = 0; h < heads; ++h) {
      int64_t kvh = h / group;
      double lambda = op.getDecayAt(h);
      for (int64_t j = 0; j < keys; ++j) {
        featureMap(op.getFeatureMap(), &k.data[k.offset({b, kvh, j, 0})], d, h,
                   weights, accumulated, phiK[j]);
        for (double &x : phiK[j])
          x = rounded(x);
      }
      if (options.roundIntermediate) {
        // The narrow model is the state form a linear-cost implementation
        // uses (its rounding differs from the quadratic form's: phi(q)^T
        // (sum_j phi(k_j) v_j^T) cancels differently from sum_j (phi(q) .
        // phi(k_j)) v_j): per key, S = lambda S + phi(k) v^T and z = lambda
        // z + phi(k) in f32; per row, S and z decayed to its position.
        std::vector<double> state(featureDim * valueDim), norm(featureDim);
        int64_t added = 0; // Keys in the state, all decayed to added - 1.
        for (int64_t i = 0; i < rows; ++i) {
          int64_t p = i + offset;
          int64_t last = causal ? std::min(p, keys - 1) : keys - 1;
          if (last < 0)
            continue; // No keys: o = 0.
          for (; added <= last; ++added) {
            const double *vj = &v.data[v.offset({b, kvh, added, 0})];
            for (int64_t f = 0; f < featureDim; ++f) {
              double phi = phiK[added][f];
              for (int64_t n = 0; n < valueDim; ++n) {
                double &s = state[f * valueDim + n];
                s = accumulated(accumulated(lambda * s) + phi * vj[n]);
              }
              norm[f] = accumulated(accumulated(lambda * norm[f]) + phi);
            }
          }
          featureMap(op.getFeatureMap(), &q.data[q.offset({b, h, i, 0})], d, h,
                     weights, accumulated, phiQ);
          double scale = causal ? std::pow(lambda, double(p - last)) : 1.0;
          double denominator = 0.0;
          double *oi = &output.data[output.offset({b, h, i, 0})];
          for (int64_t f = 0; f < featureDim; ++f) {
            double phi = rounded(phiQ[f]) * scale;
            denominator = accumulated(denominator + phi * norm[f]);
            for (int64_t n = 0; n < valueDim; ++n)
              oi[n] = accumulated(oi[n] + phi * state[f * valueDim + n]);
          }
          for (int64_t n = 0; n < valueDim; ++n)
            oi[n] = rounded(op.getNormalize() ? oi[n] / (denominator + eps)
                                              : oi[n]);
        }
        continue;
      }
      for (int64_t i = 0; i < rows; ++i) {
        featureMap(op.getFeatureMap(), &q.data[q.offset({b, h, i, 0})], d, h,
                   weights, accumulated, phiQ);
        int64_t p = i + offset;
        int64_t last = causal ? std::min(p, keys - 1) : keys - 1;
        if (last < 0)
          continue; // No keys: o = 0.
        double denominator = 0.0;
        double *oi = &output.data[output.offset({b, h, i, 0})];
        for (int64_t j = 0; j <= last; ++j) {
          double weight = dot(phiQ, phiK[j]);
          if (causal && lambda != 1.0)
            weight *= std::pow(lambda, static_cast<double>(p - j));
          denominator += weight;
          const double *vj = &v.data[v.offset({b, kvh, j, 0})];
          for (int64_t n = 0; n < valueDim; ++n)
            oi[n] += weight * vj[n];
        }
        if (op.getNormalize())
          for (int64_t n = 0; n < valueDim; ++n)
            oi[n] /= denominator + eps;
      }
    }
  }
  std::vector<Tensor> results;
  results.push_back(std::move(output));
  return results;
}
} // namespace mlir::attn::reference
