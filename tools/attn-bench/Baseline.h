//===- Baseline.h - What attn-bench compares the kernels with --*- C++ -*-===//
//
// The yardsticks of attn-bench, written as a user without the compiler would:
// the unfused attention (OpenBLAS sgemm for Q K^T, a masked softmax over the
// full score matrix, sgemm for P V), the same two sgemm calls alone (the
// machine's matmul limit at those shapes), a streaming read of K and V (the
// bandwidth limit of decode) and an exact double-precision row to judge both.
// Tensors are row-major f32: Q [B, H, Sq, D], K [B, Hkv, Skv, D],
// V [B, Hkv, Skv, Dv], O [B, H, Sq, Dv].
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TOOLS_ATTN_BENCH_BASELINE_H
#define ATTN_TOOLS_ATTN_BENCH_BASELINE_H

#include <cstdint>
#include <vector>

namespace attn_bench {

/// The sizes and the mask of one workload. Query i sits at position
/// p = i + Skv - Sq (bottom-right alignment); with `causal`, key j is kept
/// when j <= p, and with a `window` of W keys also when j > p - W.
struct Shape {
  int64_t batch = 1, heads = 1, kvHeads = 1, queryLen = 1, keyLen = 1;
  int64_t headDim = 64, valueDim = 64;
  bool causal = false;
  int64_t window = 0;

  int64_t group() const { return heads / kvHeads; }
  /// The kept keys [first, last] of query row i (empty when last < first).
  void keptRange(int64_t i, int64_t &first, int64_t &last) const;
  /// Kept pairs summed over batch, heads and rows, from keptRange.
  int64_t keptPairs() const;
};

/// The unfused baseline and sgemm alone, with the score buffer they share:
/// one (G * Sq) x Skv matrix, G query heads of one key/value head at a time.
class Baseline {
public:
  explicit Baseline(const Shape &shape);

  /// O = softmax(mask(scale * Q K^T)) V, unfused: the full score matrix of
  /// each key/value head is computed, masked, normalised (threads over
  /// rows) and multiplied by V.
  void attention(const float *q, const float *k, const float *v, float *o);
  /// The same two sgemm calls without the softmax.
  void sgemmOnly(const float *q, const float *k, const float *v, float *o);

private:
  Shape shape;
  float scale;
  std::vector<float> scores;
};

/// Reads `count` floats at `data` with every thread; returns their sum so
/// that the read is not optimised away.
double streamRead(const float *data, int64_t count);

/// Row (b, h, i) of the output in double precision from the f32 inputs.
void exactRow(const Shape &shape, const float *q, const float *k,
              const float *v, int64_t b, int64_t h, int64_t i, double *out);

} // namespace attn_bench

#endif // ATTN_TOOLS_ATTN_BENCH_BASELINE_H
