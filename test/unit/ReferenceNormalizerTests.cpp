//===- ReferenceNormalizerTests.cpp - The oracle's normalisers ------------===//
//
// VARIANTS.md section 4 (every normaliser, with its lse where it has one)
// and the scale of section 1. Scores are chosen so the weights are simple
// fractions: with D = 1, scale 1 and q = 1 the score of key j is k_j.
//
//===----------------------------------------------------------------------===//

#include "OracleSpecs.h"

using namespace mlir::attn::testing;
using mlir::attn::reference::Tensor;

namespace {

const double kLn2 = std::log(2.0), kLn3 = std::log(3.0);

/// MHA spec, Q [1, 1, Sq, 1], K [1, 1, Skv, 1], V [1, 1, Skv, Dv], scale 1.
AttentionSpec normSpec(int64_t queryLen, int64_t keyLen, int64_t valueDim,
                       std::string clauses, bool lse, std::string args = "") {
  AttentionSpec spec;
  spec.q = {1, 1, queryLen, 1};
  spec.k = {1, 1, keyLen, 1};
  spec.v = {1, 1, keyLen, valueDim};
  spec.args = std::move(args);
  spec.clauses = std::move(clauses);
  spec.attrDict = "{scale = 1.0 : f64}";
  spec.lse = lse;
  return spec;
}

/// Runs `spec` with q = 1, keys `k` (the scores) and values `v`.
OracleRun runScores(const AttentionSpec &spec, std::vector<double> k,
                    std::vector<double> v, std::vector<Tensor> extra = {}) {
  std::vector<Tensor> inputs = {
      Tensor(std::vector<int64_t>(spec.q), 1.0),
      makeTensor(std::vector<int64_t>(spec.k), std::move(k)),
      makeTensor(std::vector<int64_t>(spec.v), std::move(v))};
  for (Tensor &t : extra)
    inputs.push_back(std::move(t));
  OracleRun run = runOracle(spec.str(), inputs);
  EXPECT_TRUE(run.ok()) << run.error << spec.str();
  return run;
}

/// softplus(x) = log(1 + e^x), written out.
double softplus(double x) { return std::log(1.0 + std::exp(x)); }

//===----------------------------------------------------------------------===//
// softmax and the scale
//===----------------------------------------------------------------------===//

TEST(ReferenceNormalizer, SoftmaxHandValues) {
  // s = [0, ln 2, ln 3] -> exp = 1, 2, 3 -> weights 1/6, 2/6, 3/6;
  // v = [1, 2, 3] -> o = 14/6; lse = log 6.
  OracleRun run =
      runScores(normSpec(1, 3, 1, "", true), {0, kLn2, kLn3}, {1, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {14.0 / 6});
  expectNear(run.results[1], {std::log(6.0)});
}

TEST(ReferenceNormalizer, SoftmaxExplicitNormalizerAttribute) {
  OracleRun run =
      runScores(normSpec(1, 3, 1, "normalizer(#attn.softmax)", true),
                {0, kLn2, kLn3}, {1, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {14.0 / 6});
  expectNear(run.results[1], {std::log(6.0)});
}

TEST(ReferenceNormalizer, DefaultScaleIsInverseSqrtD) {
  // D = 4, scale 1/2: q = e_0, k_0 = 0, k_1 = (2 ln 2) e_0 -> s = [0, ln 2]
  // -> weights 1/3, 2/3; v = [3, 6] -> o = 5, lse = log 3.
  AttentionSpec spec;
  spec.q = {1, 1, 1, 4};
  spec.k = {1, 1, 2, 4};
  spec.v = {1, 1, 2, 1};
  spec.lse = true;
  OracleRun run = runOracle(
      spec.str(), {makeTensor({1, 1, 1, 4}, {1, 0, 0, 0}),
                   makeTensor({1, 1, 2, 4}, {0, 0, 0, 0, 2 * kLn2, 0, 0, 0}),
                   makeTensor({1, 1, 2, 1}, {3, 6})});
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {5});
  expectNear(run.results[1], {kLn3});
}

TEST(ReferenceNormalizer, ExplicitScale) {
  // scale 0.25, q = 2, k = [0, 2 ln 3] -> s = [0, ln 3] -> 1/4, 3/4;
  // v = [0, 4] -> o = 3.
  AttentionSpec spec;
  spec.q = {1, 1, 1, 1};
  spec.k = {1, 1, 2, 1};
  spec.v = {1, 1, 2, 1};
  spec.clauses = "scale(0.25)";
  OracleRun run =
      runOracle(spec.str(), {makeTensor({1, 1, 1, 1}, {2}),
                             makeTensor({1, 1, 2, 1}, {0, 2 * kLn3}),
                             makeTensor({1, 1, 2, 1}, {0, 4})});
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {3});
}

TEST(ReferenceNormalizer, SoftmaxLargeScores) {
  // s = [1000, 1000 + ln 3] -> weights 1/4, 3/4 (no overflow);
  // v = [0, 4] -> o = 3; lse = 1000 + log 4.
  OracleRun run =
      runScores(normSpec(1, 2, 1, "", true), {1000, 1000 + kLn3}, {0, 4});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {3});
  expectNear(run.results[1], {1000 + std::log(4.0)});
}

TEST(ReferenceNormalizer, SoftmaxMinusInfinityScores) {
  // K = 0 plus a bias: row 0 all -inf -> o = 0, lse = -inf (never NaN);
  // row 1 [-inf, 0] -> weights 0, 1, lse = 0.
  AttentionSpec spec =
      normSpec(2, 2, 1, "bias(%b : tensor<2x2xf32>) modifiers [#attn.bias]",
               true, ", %b: tensor<2x2xf32>");
  OracleRun run = runScores(spec, {0, 0}, {3, 5},
                            {makeTensor({2, 2}, {-kInf, -kInf, -kInf, 0})});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {0, 5});
  expectNear(run.results[1], {-kInf, 0});
}

//===----------------------------------------------------------------------===//
// softplus
//===----------------------------------------------------------------------===//

TEST(ReferenceNormalizer, Softplus) {
  // s = [0, ln 3, ln 7] -> softplus = ln 2, ln 4, ln 8 = (1, 2, 3) ln 2
  // -> weights (1, 2, 3) / 6; v = [1, 2, 3] -> 14/6; lse = log(6 ln 2).
  OracleRun run =
      runScores(normSpec(1, 3, 1, "normalizer(#attn.softplus)", true),
                {0, kLn3, std::log(7.0)}, {1, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {14.0 / 6});
  expectNear(run.results[1], {std::log(6 * kLn2)});
}

TEST(ReferenceNormalizer, SoftplusPower) {
  // power 2: (1, 4, 9) (ln 2)^2 -> weights (1, 4, 9) / 14;
  // o = (1 + 8 + 27) / 14 = 36/14; lse = log(14 (ln 2)^2).
  OracleRun run = runScores(
      normSpec(1, 3, 1, "normalizer(#attn.softplus<power = 2.0>)", true),
      {0, kLn3, std::log(7.0)}, {1, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {36.0 / 14});
  expectNear(run.results[1], {std::log(14 * kLn2 * kLn2)});
}

TEST(ReferenceNormalizer, SoftplusNegativeAndLargeScores) {
  // s = [-ln 3, ln 3, 30]: softplus = log(4/3), log 4, log(1 + e^30).
  std::vector<double> sp = {std::log(4.0 / 3), std::log(4.0), softplus(30)};
  double sum = sp[0] + sp[1] + sp[2];
  OracleRun run =
      runScores(normSpec(1, 3, 1, "normalizer(#attn.softplus)", true),
                {-kLn3, kLn3, 30}, {1, 10, 100});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {(sp[0] + 10 * sp[1] + 100 * sp[2]) / sum});
  expectNear(run.results[1], {std::log(sum)});
}

//===----------------------------------------------------------------------===//
// ReLU
//===----------------------------------------------------------------------===//

TEST(ReferenceNormalizer, ReluNotNormalisedByDefault) {
  // s = [-1, 0.5, 2] -> relu = 0, 0.5, 2 (no division);
  // v = [100, 2, 3] -> o = 1 + 6 = 7.
  OracleRun run = runScores(normSpec(1, 3, 1, "normalizer(#attn.relu)", false),
                            {-1, 0.5, 2}, {100, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {7});
}

TEST(ReferenceNormalizer, ReluSquaredNotNormalised) {
  // relu^2 = 0, 0.25, 4 -> o = 0.5 + 12 = 12.5.
  OracleRun run =
      runScores(normSpec(1, 3, 1, "normalizer(#attn.relu<power = 2.0>)", false),
                {-1, 0.5, 2}, {100, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {12.5});
}

TEST(ReferenceNormalizer, ReluSquaredNormalised) {
  // Causal, Sq = Skv = 3, s = [-1, 0.5, 2], v = [100, 2, 3]:
  //   row 0 keeps key 0 only: relu = 0, the L1 sum is 0 -> o = 0,
  //         lse = -inf
  //   row 1: 0, 0.25 -> weights 0, 1 -> o = 2, lse = log 0.25
  //   row 2: 0, 0.25, 4 -> / 4.25 -> o = 12.5 / 4.25, lse = log 4.25
  OracleRun run = runScores(
      normSpec(3, 3, 1,
               "masks [#attn.causal] normalizer(#attn.relu<power = 2.0, "
               "normalized = true>)",
               true),
      {-1, 0.5, 2}, {100, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {0, 2, 12.5 / 4.25});
  expectNear(run.results[1], {-kInf, std::log(0.25), std::log(4.25)});
}

TEST(ReferenceNormalizer, ReluNormalisedPowerOne) {
  // relu = 0, 0.5, 2 -> / 2.5 -> o = (1 + 6) / 2.5; lse = log 2.5.
  OracleRun run = runScores(
      normSpec(1, 3, 1, "normalizer(#attn.relu<normalized = true>)", true),
      {-1, 0.5, 2}, {100, 2, 3});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {7 / 2.5});
  expectNear(run.results[1], {std::log(2.5)});
}

//===----------------------------------------------------------------------===//
// sigmoid
//===----------------------------------------------------------------------===//

TEST(ReferenceNormalizer, SigmoidDefaultBias) {
  // s = [0, ln 3] -> sigmoid = 1/2, 3/4 (not normalised); v = [4, 8] ->
  // o = 2 + 6 = 8.
  OracleRun run = runScores(
      normSpec(1, 2, 1, "normalizer(#attn.sigmoid)", false), {0, kLn3}, {4, 8});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {8});
}

TEST(ReferenceNormalizer, SigmoidConstantBias) {
  // bias 1: s + 1 = [1, ln 3] for s = [0, ln 3 - 1] -> sigmoid(1), 3/4.
  OracleRun run = runScores(
      normSpec(1, 2, 1, "normalizer(#attn.sigmoid<bias = 1.0>)", false),
      {0, kLn3 - 1}, {4, 8});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {4 / (1 + std::exp(-1.0)) + 6});
}

TEST(ReferenceNormalizer, SigmoidLogLength) {
  // b = -log(n_i), causal, Sq = Skv = 3, s = [0, ln 2, ln 6], one-hot V:
  //   row 0 (n 1): sigmoid(0) = 1/2
  //   row 1 (n 2): sigmoid(-ln 2) = 1/3, sigmoid(0) = 1/2
  //   row 2 (n 3): sigmoid(-ln 3) = 1/4, sigmoid(ln 2/3) = 2/5,
  //                sigmoid(ln 2) = 2/3
  OracleRun run = runScores(
      normSpec(3, 3, 3,
               "masks [#attn.causal] normalizer(#attn.sigmoid<log_length = "
               "true>)",
               false),
      {0, kLn2, std::log(6.0)}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {0.5, 0, 0, 1.0 / 3, 0.5, 0, 0.25, 0.4, 2.0 / 3});
}

//===----------------------------------------------------------------------===//
// clipped softmax
//===----------------------------------------------------------------------===//

TEST(ReferenceNormalizer, ClippedSoftmax) {
  // Causal, Sq = Skv = 2, s = [0, ln 9], one-hot V.
  // zeta 1.2, gamma 0.1: w = clip(1.1 softmax + 0.1, 0, 1).
  //   row 0: softmax [1] -> 1.2 -> 1; the masked key weighs 0, not 0.1.
  //   row 1: softmax [0.1, 0.9] -> 0.21, 1.09 -> 1.
  //   lse (logsumexp of the kept scores): 0, log 10.
  OracleRun run = runScores(
      normSpec(2, 2, 2,
               "masks [#attn.causal] normalizer(#attn.clipped_softmax<zeta "
               "= 1.2, gamma = 0.1>)",
               true),
      {0, std::log(9.0)}, {1, 0, 0, 1});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {1, 0, 0.21, 1});
  expectNear(run.results[1], {0, std::log(10.0)});
}

TEST(ReferenceNormalizer, ClippedSoftmaxClipsAtZero) {
  // zeta 1, gamma -0.5: w = clip(1.5 softmax - 0.5, 0, 1).
  // s = [0, ln 9] -> softmax 0.1, 0.9 -> -0.35 -> 0, 0.85.
  OracleRun run = runScores(
      normSpec(1, 2, 2,
               "normalizer(#attn.clipped_softmax<zeta = 1.0, gamma = -0.5>)",
               true),
      {0, std::log(9.0)}, {1, 0, 0, 1});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {0, 0.85});
  expectNear(run.results[1], {std::log(10.0)});
}

//===----------------------------------------------------------------------===//
// none
//===----------------------------------------------------------------------===//

TEST(ReferenceNormalizer, NoneIsRawWeightedSum) {
  // w = s = [1, 2, -3], v = [1, 10, 100] -> 1 + 20 - 300 = -279.
  OracleRun run = runScores(normSpec(1, 3, 1, "normalizer(#attn.none)", false),
                            {1, 2, -3}, {1, 10, 100});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {-279});
}

TEST(ReferenceNormalizer, NoneWithCausalAndAllMinusInfinity) {
  // Causal, s = [1, 2], v = [1, 10]; row 0: 1, row 1: 1 + 20 = 21.
  // A bias of -inf on every key of row 1 would make it all -inf: o = 0.
  AttentionSpec spec = normSpec(
      2, 2, 1,
      "bias(%b : tensor<2x2xf32>) masks [#attn.causal] modifiers [#attn.bias] "
      "normalizer(#attn.none)",
      false, ", %b: tensor<2x2xf32>");
  OracleRun run =
      runScores(spec, {1, 2}, {1, 10}, {makeTensor({2, 2}, {0, 0, 0, 0})});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {1, 21});
  run = runScores(spec, {1, 2}, {1, 10},
                  {makeTensor({2, 2}, {0, 0, -kInf, -kInf})});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {1, 0});
}

} // namespace
