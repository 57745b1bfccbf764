//===- ReferenceLinearTests.cpp - The oracle's linear attention -----------===//
//
// VARIANTS.md section 6: every feature map, causal (both alignments), decay
// (one value and per head), normalize = false, eps, GQA, and q_len/kv_len
// with NaN padding. Expected values are hand sums of
// (phi(q) . phi(k_j)) v_j / (sum_j phi(q) . phi(k_j) + eps), with phi
// evaluated by hand in the comments.
//
//===----------------------------------------------------------------------===//

#include "OracleSpecs.h"

#include "attn/Support/Npy.h"

using namespace mlir::attn::testing;
using mlir::attn::reference::Tensor;

namespace {

const double kEps = 1e-6; // the default eps

LinearSpec linear(std::string map, std::vector<int64_t> q,
                  std::vector<int64_t> k, std::vector<int64_t> v,
                  std::string clauses = "", std::string args = "") {
  LinearSpec spec;
  spec.featureMap = std::move(map);
  spec.q = std::move(q);
  spec.k = std::move(k);
  spec.v = std::move(v);
  spec.clauses = std::move(clauses);
  spec.args = std::move(args);
  return spec;
}

/// Runs `spec` on Q, K, V given as flat data in the spec's shapes.
OracleRun
runLinear(const LinearSpec &spec, std::vector<double> q, std::vector<double> k,
          std::vector<double> v, std::vector<Tensor> extra = {},
          const mlir::attn::reference::EvaluationOptions &options = {}) {
  std::vector<Tensor> inputs = {
      makeTensor(std::vector<int64_t>(spec.q), std::move(q)),
      makeTensor(std::vector<int64_t>(spec.k), std::move(k)),
      makeTensor(std::vector<int64_t>(spec.v), std::move(v))};
  for (Tensor &t : extra)
    inputs.push_back(std::move(t));
  OracleRun run = runOracle(spec.str(), inputs, "", options);
  EXPECT_TRUE(run.ok()) << run.error << spec.str();
  return run;
}

//===----------------------------------------------------------------------===//
// feature maps (non-causal)
//===----------------------------------------------------------------------===//

TEST(ReferenceLinear, IdentityDefaultEps) {
  // D = 1, q = [1, 2], k = [1, 2], v = [3, 5]:
  // S = 1 * 3 + 2 * 5 = 13, z = 3; o_0 = 13 / (3 + eps),
  // o_1 = 26 / (6 + eps). No scale is applied.
  LinearSpec spec =
      linear("identity", {1, 1, 2, 1}, {1, 1, 2, 1}, {1, 1, 2, 1});
  OracleRun run = runLinear(spec, {1, 2}, {1, 2}, {3, 5});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {13 / (3 + kEps), 26 / (6 + kEps)});
}

TEST(ReferenceLinear, ExplicitEps) {
  // As above with eps = 0.5: 13 / 3.5, 26 / 6.5 = 4.
  LinearSpec spec = linear("identity", {1, 1, 2, 1}, {1, 1, 2, 1}, {1, 1, 2, 1},
                           "{eps = 0.5 : f64}");
  OracleRun run = runLinear(spec, {1, 2}, {1, 2}, {3, 5});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {13 / 3.5, 4});
}

TEST(ReferenceLinear, EluPlusOne) {
  // phi(x) = x + 1 for x > 0, e^x otherwise. q = 0.5 -> 1.5; k = [-1, 2, 0]
  // -> [1/e, 3, 1]; v = [1, 10, 100]:
  // o = 1.5 (1/e + 30 + 100) / (1.5 (1/e + 3 + 1) + eps).
  LinearSpec spec =
      linear("elu_plus_one", {1, 1, 1, 1}, {1, 1, 3, 1}, {1, 1, 3, 1});
  OracleRun run = runLinear(spec, {0.5}, {-1, 2, 0}, {1, 10, 100});
  ASSERT_TRUE(run.ok());
  double ie = std::exp(-1.0);
  expectNear(run.results[0], {1.5 * (ie + 130) / (1.5 * (ie + 4) + kEps)});
}

TEST(ReferenceLinear, Relu) {
  // D = 2, q = [1, -1] -> [1, 0]; k0 = [1, 5] -> [1, 5] (dot 1);
  // k1 = [2, -1] -> [2, 0] (dot 2); k2 = [-3, 4] -> [0, 4] (dot 0).
  // v = [1, 10, 100]: o = (1 + 20) / (3 + eps).
  LinearSpec spec = linear("relu", {1, 1, 1, 2}, {1, 1, 3, 2}, {1, 1, 3, 1});
  OracleRun run = runLinear(spec, {1, -1}, {1, 5, 2, -1, -3, 4}, {1, 10, 100});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {21 / (3 + kEps)});
}

TEST(ReferenceLinear, Exp) {
  // phi = exp. q = [0, ln 2] -> phi = 1, 2; k = [0, ln 2] -> 1, 2.
  // v = [3, 6]: row 0: (3 + 12) / (3 + eps); row 1: (6 + 24) / (6 + eps).
  LinearSpec spec = linear("exp", {1, 1, 2, 1}, {1, 1, 2, 1}, {1, 1, 2, 1});
  double ln2 = std::log(2.0);
  OracleRun run = runLinear(spec, {0, ln2}, {0, ln2}, {3, 6});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {15 / (3 + kEps), 30 / (6 + kEps)});
}

TEST(ReferenceLinear, SoftmaxOverFeatures) {
  // q = [0, ln 3] -> [1/4, 3/4]; k0 = [0, 0] -> [1/2, 1/2] (dot 1/2);
  // k1 = [ln 3, 0] -> [3/4, 1/4] (dot 3/16 + 3/16 = 3/8).
  // v = [8, 16]: o = (4 + 6) / (7/8 + eps).
  LinearSpec spec = linear("softmax", {1, 1, 1, 2}, {1, 1, 2, 2}, {1, 1, 2, 1});
  double ln3 = std::log(3.0);
  OracleRun run = runLinear(spec, {0, ln3}, {0, 0, ln3, 0}, {8, 16});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {10 / (0.875 + kEps)});
}

TEST(ReferenceLinear, RandomFeatures) {
  // W [F = 2, D = 2] = [[1, 2], [0, -1]], phi(x) = exp(W x - |x|^2 / 2) /
  // sqrt 2.
  //   q = [1, 0]:  W q = [1, 0],  |q|^2/2 = 1/2 -> [e^0.5, e^-0.5] / sqrt 2
  //   k0 = [0, 1]: W k = [2, -1], |k|^2/2 = 1/2 -> [e^1.5, e^-1.5] / sqrt 2
  //   k1 = [0, 0]: [1, 1] / sqrt 2
  //   phi(q) . phi(k0) = (e^2 + e^-2) / 2, phi(q) . phi(k1) =
  //   (e^0.5 + e^-0.5) / 2.
  // v = [1, 3].
  LinearSpec spec =
      linear("random_features", {1, 1, 1, 2}, {1, 1, 2, 2}, {1, 1, 2, 1},
             "weights(%w : tensor<2x2xf32>)", ", %w: tensor<2x2xf32>");
  OracleRun run = runLinear(spec, {1, 0}, {0, 1, 0, 0}, {1, 3},
                            {makeTensor({2, 2}, {1, 2, 0, -1})});
  ASSERT_TRUE(run.ok());
  double a = (std::exp(2.0) + std::exp(-2.0)) / 2;
  double b = (std::exp(0.5) + std::exp(-0.5)) / 2;
  expectNear(run.results[0], {(a + 3 * b) / (a + b + kEps)});
}

TEST(ReferenceLinear, RandomFeaturesPerHead) {
  // W [Hq = 2, F = 1, D = 1] = [[[1]], [[2]]], shared K (Hkv = 1):
  // phi_h(x) = exp(w_h x - x^2 / 2). q = 0 -> 1 for both heads.
  // k0 = 0 -> 1; k1 = 1 -> e^(w_h - 1/2): head 0 e^0.5, head 1 e^1.5
  // (head 1 must use its own W for the keys too). v = [0, 1]:
  // o_h = c_h / (1 + c_h + eps).
  LinearSpec spec =
      linear("random_features", {1, 2, 1, 1}, {1, 1, 2, 1}, {1, 1, 2, 1},
             "weights(%w : tensor<2x1x1xf32>)", ", %w: tensor<2x1x1xf32>");
  OracleRun run =
      runLinear(spec, {0, 0}, {0, 1}, {0, 1}, {makeTensor({2, 1, 1}, {1, 2})});
  ASSERT_TRUE(run.ok());
  double c0 = std::exp(0.5), c1 = std::exp(1.5);
  expectNear(run.results[0], {c0 / (1 + c0 + kEps), c1 / (1 + c1 + kEps)});
}

TEST(ReferenceLinear, TaylorOneDimension) {
  // phi(x) = [1, x, x^2 / sqrt 2]: phi(q) . phi(k) = 1 + q k + (q k)^2 / 2.
  // q = 1, k = [0, 2]: dots 1 and 1 + 2 + 2 = 5. v = [1, 2]:
  // o = (1 + 10) / (6 + eps).
  LinearSpec spec = linear("taylor", {1, 1, 1, 1}, {1, 1, 2, 1}, {1, 1, 2, 1});
  OracleRun run = runLinear(spec, {1}, {0, 2}, {1, 2});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {11 / (6 + kEps)});
}

TEST(ReferenceLinear, TaylorCrossTerms) {
  // D = 2: phi(q) . phi(k) = 1 + q.k + (q.k)^2 / 2 (vec(q q^T) .
  // vec(k k^T) = (q.k)^2, halved by the two 1/sqrt 2).
  // q = [1, 1]; k0 = [1, 0] (q.k = 1) -> 2.5; k1 = [1, -2] (q.k = -1) ->
  // 0.5. v = [2, 4]: o = (5 + 2) / (3 + eps).
  LinearSpec spec = linear("taylor", {1, 1, 1, 2}, {1, 1, 2, 2}, {1, 1, 2, 1});
  OracleRun run = runLinear(spec, {1, 1}, {1, 0, 1, -2}, {2, 4});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {7 / (3 + kEps)});
}

//===----------------------------------------------------------------------===//
// causal, decay, normalize
//===----------------------------------------------------------------------===//

TEST(ReferenceLinear, Causal) {
  // Identity, eps = 0, q = 1, k = [1, 2, 3], v = [1, 2, 3]:
  // row i sums j <= i: 1/1, (1 + 4)/3, (1 + 4 + 9)/6.
  LinearSpec spec = linear("identity", {1, 1, 3, 1}, {1, 1, 3, 1}, {1, 1, 3, 1},
                           "causal {eps = 0.0 : f64}");
  OracleRun run = runLinear(spec, {1, 1, 1}, {1, 2, 3}, {1, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {1, 5.0 / 3, 14.0 / 6});
}

TEST(ReferenceLinear, CausalBottomRightAndTopLeft) {
  // Sq = 2, Skv = 3. Bottom-right: p(i) = i + 1 -> rows 5/3, 14/6.
  // Top-left: p(i) = i -> rows 1, 5/3.
  LinearSpec spec = linear("identity", {1, 1, 2, 1}, {1, 1, 3, 1}, {1, 1, 3, 1},
                           "causal {eps = 0.0 : f64}");
  OracleRun run = runLinear(spec, {1, 1}, {1, 2, 3}, {1, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {5.0 / 3, 14.0 / 6});
  spec.clauses = "causal {alignment = #attn<alignment top_left>, eps = 0.0 : "
                 "f64}";
  run = runLinear(spec, {1, 1}, {1, 2, 3}, {1, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {1, 5.0 / 3});
}

TEST(ReferenceLinear, CausalRowWithoutKeys) {
  // Sq = 3, Skv = 2, bottom-right: p(i) = i - 1, row 0 has no key -> 0 (not
  // 0 / 0 with eps = 0). Row 1: 1 * 1 / 1 = 1; row 2: (1 + 4) / 3.
  LinearSpec spec = linear("identity", {1, 1, 3, 1}, {1, 1, 2, 1}, {1, 1, 2, 1},
                           "causal {eps = 0.0 : f64}");
  OracleRun run = runLinear(spec, {1, 1, 1}, {1, 2}, {1, 2});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {0, 1, 5.0 / 3});
}

TEST(ReferenceLinear, CausalDecayPerHead) {
  // Hq = 2, decay [0.5, 1], identity, eps = 0, q = 1, k = [1, 2, 3],
  // v = [1, 2, 3]; term j of row i weighs lambda^(i - j):
  //   head 0: row 0: 1;
  //           row 1: term weights 0.5 * 1, 1 * 2 ->
  //                  (0.5 * 1 + 2 * 2) / (0.5 + 2) = 1.8;
  //           row 2: term weights 0.25 * 1, 0.5 * 2, 1 * 3 ->
  //                  (0.25 * 1 + 1 * 2 + 3 * 3) / (0.25 + 1 + 3) = 11.25 / 4.25
  //   head 1: no decay: 1, 5/3, 14/6
  // Both query heads share one kv head: the decay follows the query head.
  LinearSpec spec = linear("identity", {1, 2, 3, 1}, {1, 1, 3, 1}, {1, 1, 3, 1},
                           "causal decay([0.5, 1.0]) {eps = 0.0 : f64}");
  OracleRun run = runLinear(spec, {1, 1, 1, 1, 1, 1}, {1, 2, 3}, {1, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {1, 1.8, 11.25 / 4.25, 1, 5.0 / 3, 14.0 / 6});
}

TEST(ReferenceLinear, CausalOneDecayForAllHeads) {
  // decay [0.5] applies to both heads; with Sq = 1, Skv = 3 (p = 2):
  // weights 0.25 * 1, 0.5 * 2, 1 * 3 -> (0.25 + 2 + 9) / 4.25.
  LinearSpec spec = linear("identity", {1, 2, 1, 1}, {1, 2, 3, 1}, {1, 2, 3, 1},
                           "causal decay([0.5]) {eps = 0.0 : f64}");
  OracleRun run =
      runLinear(spec, {1, 1}, {1, 2, 3, 1, 2, 3}, {1, 2, 3, 1, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {11.25 / 4.25, 11.25 / 4.25});
}

TEST(ReferenceLinear, NormalizeFalse) {
  // No denominator: causal identity rows 1, 1 + 4, 1 + 4 + 9; with decay
  // 0.5 the last row is 0.25 + 2 + 9.
  LinearSpec spec = linear("identity", {1, 1, 3, 1}, {1, 1, 3, 1}, {1, 1, 3, 1},
                           "causal {normalize = false}");
  OracleRun run = runLinear(spec, {1, 1, 1}, {1, 2, 3}, {1, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {1, 5, 14});
  spec.clauses = "causal decay([0.5]) {normalize = false}";
  run = runLinear(spec, {1, 1, 1}, {1, 2, 3}, {1, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {1, 0.5 + 4, 11.25});
  // Non-causal: S = 1 + 4 + 9 = 14 for q = 1, 28 for q = 2.
  spec.clauses = "{normalize = false}";
  run = runLinear(spec, {1, 2, 0}, {1, 2, 3}, {1, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {14, 28, 0});
}

TEST(ReferenceLinear, NarrowModelIsTheStateForm) {
  // The narrow model (the yardstick of --check's tolerance) carries the
  // state S = lambda S + phi(k) v^T key by key in f32. On values f32 holds
  // exactly it must give the exact results, including the decay of the
  // state for top-left rows past the last key. Identity, decay 0.5, no
  // denominator, Sq = 4, Skv = 2, k = [1, 2], v = [1, 2], q = 1, p(i) = i:
  //   row 0: 1; row 1: 0.5 * 1 + 2 * 2 = 4.5;
  //   row 2: 0.25 * 1 + 0.5 * 4 = 2.25; row 3: 0.125 + 0.25 * 4 = 1.125.
  mlir::attn::reference::EvaluationOptions narrow;
  narrow.roundIntermediate = mlir::attn::roundToF32;
  LinearSpec spec = linear(
      "identity", {1, 1, 4, 1}, {1, 1, 2, 1}, {1, 1, 2, 1},
      "causal decay([0.5]) {alignment = #attn<alignment top_left>, normalize "
      "= false}");
  for (const auto &options :
       {mlir::attn::reference::EvaluationOptions{}, narrow}) {
    OracleRun run = runLinear(spec, {1, 1, 1, 1}, {1, 2}, {1, 2}, {}, options);
    ASSERT_TRUE(run.ok());
    expectNear(run.results[0], {1, 4.5, 2.25, 1.125});
  }
  // Padded keys (NaN) are never read by the state form either.
  LinearSpec padded =
      linear("identity", {2, 1, 3, 1}, {2, 1, 3, 1}, {2, 1, 3, 1},
             "q_len(%ql : tensor<2xi32>) kv_len(%kl : tensor<2xi32>) causal "
             "{eps = 0.0 : f64}",
             ", %ql: tensor<2xi32>, %kl: tensor<2xi32>");
  OracleRun run =
      runLinear(padded, {1, 1, kNaN, 1, kNaN, kNaN}, {1, 2, kNaN, 1, 2, 3},
                {1, 2, kNaN, 1, 2, 3},
                {makeTensor({2}, {2, 1}), makeTensor({2}, {2, 3})}, narrow);
  ASSERT_TRUE(run.ok());
  // The outputs are stored in f32.
  expectNear(run.results[0], {1, mlir::attn::roundToF32(5.0 / 3), 0,
                              mlir::attn::roundToF32(14.0 / 6), 0, 0});
}

//===----------------------------------------------------------------------===//
// heads and lengths
//===----------------------------------------------------------------------===//

TEST(ReferenceLinear, GroupedQueryHeads) {
  // Hq = 4, Hkv = 2: head h reads kv head h / 2. Identity, eps = 0,
  // k = [[1, 1], [1, 3]] in both kv heads; v = [3, 5] (kv head 0),
  // [7, 9] (kv head 1). q_h = [1, 0], [0, 1], [1, 0], [0, 1]:
  //   head 0: dots 1, 1 -> (3 + 5) / 2 = 4
  //   head 1: dots 1, 3 -> (3 + 15) / 4 = 4.5
  //   head 2: (7 + 9) / 2 = 8;   head 3: (7 + 27) / 4 = 8.5
  LinearSpec spec = linear("identity", {1, 4, 1, 2}, {1, 2, 2, 2}, {1, 2, 2, 1},
                           "{eps = 0.0 : f64}");
  OracleRun run = runLinear(spec, {1, 0, 0, 1, 1, 0, 0, 1},
                            {1, 1, 1, 3, 1, 1, 1, 3}, {3, 5, 7, 9});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {4, 4.5, 8, 8.5});
}

TEST(ReferenceLinear, LengthsWithNaNPadding) {
  // B = 2, Sq = Skv = 3, causal identity, eps = 0, q = 1, k = v = [1, 2, 3].
  //   b0: q_len 2, kv_len 2 -> p(i) = i: rows 1, 5/3, then padded 0.
  //   b1: q_len 1, kv_len 3 -> p(0) = 2: row 0 = 14/6; rows 1, 2 padded.
  // Every padded entry holds NaN.
  LinearSpec spec = linear("identity", {2, 1, 3, 1}, {2, 1, 3, 1}, {2, 1, 3, 1},
                           "q_len(%ql : tensor<2xi32>) kv_len(%kl : "
                           "tensor<2xi32>) causal {eps = 0.0 : f64}",
                           ", %ql: tensor<2xi32>, %kl: tensor<2xi32>");
  OracleRun run = runLinear(spec, {1, 1, kNaN, 1, kNaN, kNaN},
                            {1, 2, kNaN, 1, 2, 3}, {1, 2, kNaN, 1, 2, 3},
                            {makeTensor({2}, {2, 1}), makeTensor({2}, {2, 3})});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {1, 5.0 / 3, 0, 14.0 / 6, 0, 0});
}

TEST(ReferenceLinear, NonCausalKvLength) {
  // Non-causal identity, eps = 0, q = 1, k = [1, 2, NaN], v = [3, 5, NaN]:
  //   b0: kv_len 0 -> no keys -> 0 (not 0 / 0)
  //   b1: kv_len 2 -> (3 + 10) / 3; key 2 holds NaN, never read
  LinearSpec spec = linear("identity", {2, 1, 1, 1}, {2, 1, 3, 1}, {2, 1, 3, 1},
                           "kv_len(%kl : tensor<2xi32>) {eps = 0.0 : f64}",
                           ", %kl: tensor<2xi32>");
  OracleRun run =
      runLinear(spec, {1, 1}, {kNaN, kNaN, kNaN, 1, 2, kNaN},
                {kNaN, kNaN, kNaN, 3, 5, kNaN}, {makeTensor({2}, {0, 2})});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {0, 13.0 / 3});
}

} // namespace
