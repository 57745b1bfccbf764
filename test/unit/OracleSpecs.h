//===- OracleSpecs.h - Small spec texts for the oracle's tests -*- C++ -*-===//
//
// Builders for the one-op specs the oracle's unit tests evaluate, so a test
// states only what it varies (shapes, extra operands, attributes) and the
// rest of the text cannot drift. Also the "uniform probe" used to read a
// mask's kept key sets off the output.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TEST_UNIT_ORACLESPECS_H
#define ATTN_TEST_UNIT_ORACLESPECS_H

#include "OracleTestUtils.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace mlir::attn::testing {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// "tensor<1x2x?x4xf32>"; a negative extent is dynamic.
inline std::string tensorType(const std::vector<int64_t> &shape,
                              const std::string &element = "f32") {
  std::string text = "tensor<";
  for (int64_t d : shape)
    text += (d < 0 ? std::string("?") : std::to_string(d)) + "x";
  return text + element + ">";
}

/// A function @f around one attn.attention op on %q, %k, %v. The function
/// returns the output, then the lse, then the block maxima when asked for.
struct AttentionSpec {
  std::vector<int64_t> q, k, v;
  /// Extra function arguments, e.g. ", %seg: tensor<1x4xi32>".
  std::string args;
  /// Everything between "%q, %k, %v" and the ":" of the op, in the op's
  /// syntax order (operand groups, scale, alignment, masks, modifiers,
  /// normalizer, block_stats, regions).
  std::string clauses;
  /// The op's attribute dictionary (after the regions), e.g.
  /// "{scale = 1.0 : f64}"; empty for none.
  std::string attrDict;
  bool lse = false;
  /// The shape of a block_max result; empty for none.
  std::vector<int64_t> blockMax;

  std::string str() const {
    std::vector<int64_t> oShape = {q[0], q[1], q[2], v.back()};
    std::vector<int64_t> lShape = {q[0], q[1], q[2]};
    std::string o = tensorType(oShape), l = tensorType(lShape),
                m = tensorType(blockMax);
    std::string results = "%o", types = o, opResults = o;
    if (lse) {
      results += ", %lse";
      types += ", " + l;
      opResults += ", lse " + l;
    }
    if (!blockMax.empty()) {
      results += ", %bmax";
      types += ", " + m;
      opResults += ", block_max " + m;
    }
    std::string qt = tensorType(q), kt = tensorType(k), vt = tensorType(v);
    return "func.func @f(%q: " + qt + ", %k: " + kt + ", %v: " + vt + args +
           ") -> (" + types + ") {\n  " + results +
           " = attn.attention %q, %k, %v " + clauses + " " + attrDict +
           "\n      : " + qt + ", " + kt + ", " + vt + " -> " + opResults +
           "\n  return " + results + " : " + types + "\n}\n";
  }
};

/// A function @f around one attn.linear_attention op.
struct LinearSpec {
  std::string featureMap;
  std::vector<int64_t> q, k, v;
  std::string args;
  /// Everything between "%q, %k, %v" and the ":" (operands, causal, decay,
  /// attribute dictionary).
  std::string clauses;

  std::string str() const {
    std::string qt = tensorType(q), kt = tensorType(k), vt = tensorType(v),
                ot = tensorType({q[0], q[1], q[2], v.back()});
    return "func.func @f(%q: " + qt + ", %k: " + kt + ", %v: " + vt + args +
           ") -> " + ot + " {\n  %o = attn.linear_attention " + featureMap +
           " %q, %k, %v " + clauses + "\n      : " + qt + ", " + kt + ", " +
           vt + " -> " + ot + "\n  return %o : " + ot + "\n}\n";
  }
};

/// The uniform probe: D = 1, every key 0, so every kept score is 0 and
/// softmax weighs the n kept keys of a row 1/n each (lse = log n); the values
/// are one-hot, V[b, kvh, j] = e_j, so row i of the output is exactly that
/// weight vector. Rows with no kept key give 0 and lse = -inf.
inline Tensor probeQuery(int64_t batch, int64_t heads, int64_t queryLen) {
  return Tensor({batch, heads, queryLen, 1}, 1.0);
}
inline Tensor probeKey(int64_t batch, int64_t kvHeads, int64_t keyLen) {
  return Tensor({batch, kvHeads, keyLen, 1}, 0.0);
}
inline Tensor probeValue(int64_t batch, int64_t kvHeads, int64_t keyLen) {
  return makeTensorFrom({batch, kvHeads, keyLen, keyLen}, [&](int64_t n) {
    return (n / keyLen) % keyLen == n % keyLen ? 1.0 : 0.0;
  });
}

/// The output the probe gives for rows (in (b, h, i) order) keeping `kept`.
inline std::vector<double>
uniformRows(const std::vector<std::vector<int64_t>> &kept, int64_t keyLen) {
  std::vector<double> out;
  for (const std::vector<int64_t> &row : kept) {
    std::vector<double> weights(keyLen, 0.0);
    for (int64_t j : row)
      weights[j] = 1.0 / static_cast<double>(row.size());
    out.insert(out.end(), weights.begin(), weights.end());
  }
  return out;
}

/// The lse the probe gives: log n, or -inf for an empty row.
inline std::vector<double>
uniformLse(const std::vector<std::vector<int64_t>> &kept) {
  std::vector<double> out;
  for (const std::vector<int64_t> &row : kept)
    out.push_back(row.empty() ? -kInf
                              : std::log(static_cast<double>(row.size())));
  return out;
}

} // namespace mlir::attn::testing

#endif // ATTN_TEST_UNIT_ORACLESPECS_H
