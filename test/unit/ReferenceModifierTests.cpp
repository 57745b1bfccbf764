//===- ReferenceModifierTests.cpp - The oracle's score modifiers ----------===//
//
// VARIANTS.md section 3: every named score modifier, the score region, and
// the fixed application order across kinds (list order within one kind).
//
// The specs use D = 1, scale 1 and q = 1, so the raw score of key j is
// exactly k_j. Expected outputs are hand values, or the closed form
// sum_j exp(s'_j) v_j / sum_j exp(s'_j) with s' written out in the test.
//
//===----------------------------------------------------------------------===//

#include "OracleSpecs.h"

using namespace mlir::attn::testing;
using mlir::attn::reference::Tensor;

namespace {

const double kLn2 = std::log(2.0), kLn3 = std::log(3.0);

/// The softmax average sum_j exp(s_j) v_j / sum_j exp(s_j), written out.
double softmaxAverage(const std::vector<double> &s,
                      const std::vector<double> &v) {
  double num = 0.0, den = 0.0;
  for (size_t j = 0; j < s.size(); ++j) {
    num += std::exp(s[j]) * v[j];
    den += std::exp(s[j]);
  }
  return num / den;
}

/// MHA spec with Q [B, H, Sq, 1], K [B, H, Skv, 1], V [B, H, Skv, Dv],
/// scale 1, and the lse result.
AttentionSpec scoreSpec(int64_t batch, int64_t heads, int64_t queryLen,
                        int64_t keyLen, int64_t valueDim, std::string clauses,
                        std::string args = "") {
  AttentionSpec spec;
  spec.q = {batch, heads, queryLen, 1};
  spec.k = {batch, heads, keyLen, 1};
  spec.v = {batch, heads, keyLen, valueDim};
  spec.args = std::move(args);
  spec.clauses = std::move(clauses);
  spec.attrDict = "{scale = 1.0 : f64}";
  spec.lse = true;
  return spec;
}

/// `spec` with one key/value head shared by every query head (MQA), so
/// per-head tensors must be read with the query head.
AttentionSpec sharedKv(AttentionSpec spec) {
  spec.k[1] = 1;
  spec.v[1] = 1;
  return spec;
}

/// Q = 1 for `spec`.
Tensor ones(const AttentionSpec &spec) {
  return Tensor(std::vector<int64_t>(spec.q), 1.0);
}

/// One-hot values V[b, h, j] = e_j for `spec` (Dv = Skv).
Tensor oneHot(const AttentionSpec &spec) {
  int64_t n = spec.k[2];
  return makeTensorFrom(std::vector<int64_t>(spec.v), [n](int64_t e) {
    return (e / n) % n == e % n ? 1.0 : 0.0;
  });
}

OracleRun runSpec(const AttentionSpec &spec, std::vector<Tensor> inputs) {
  OracleRun run = runOracle(spec.str(), inputs);
  EXPECT_TRUE(run.ok()) << run.error << spec.str();
  return run;
}

//===----------------------------------------------------------------------===//
// temperature
//===----------------------------------------------------------------------===//

TEST(ReferenceModifier, TemperaturePerHead) {
  // tau = [2, 0.5], indexed by the query head; Hq = 2 share one kv head with
  // k = [0, ln 4], v = [0, 3].
  //   head 0: s / 2 = [0, ln 2] -> weights 1/3, 2/3 -> o = 2, lse log 3
  //   head 1: s / 0.5 = [0, ln 16] -> 1/17, 16/17 -> o = 48/17, lse log 17
  AttentionSpec spec = sharedKv(
      scoreSpec(1, 2, 1, 2, 1,
                "temperature(%t : tensor<2xf32>) modifiers [#attn.temperature]",
                ", %t: tensor<2xf32>"));
  OracleRun run = runSpec(
      spec, {ones(spec), makeTensor({1, 1, 2, 1}, {0, std::log(4.0)}),
             makeTensor({1, 1, 2, 1}, {0, 3}), makeTensor({2}, {2, 0.5})});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {2, 48.0 / 17});
  expectNear(run.results[1], {std::log(3.0), std::log(17.0)});
}

TEST(ReferenceModifier, TemperaturePerQuery) {
  // tau [B, H, Sq] = b0 [1, 0.5], b1 [2, 1]; k = [0, ln 3], v = [0, 4]
  // in both batches.
  //   b0 row 0: [0, ln 3] -> 3/4 -> o = 3
  //   b0 row 1: [0, 2 ln 3] = [0, ln 9] -> 9/10 -> o = 3.6
  //   b1 row 0: [0, ln 3 / 2] -> sqrt 3 / (1 + sqrt 3) -> o = 4 * that
  //   b1 row 1: [0, ln 3] -> o = 3
  AttentionSpec spec = scoreSpec(
      2, 1, 2, 2, 1,
      "temperature(%t : tensor<2x1x2xf32>) modifiers [#attn.temperature]",
      ", %t: tensor<2x1x2xf32>");
  OracleRun run =
      runSpec(spec, {ones(spec), makeTensor({2, 1, 2, 1}, {0, kLn3, 0, kLn3}),
                     makeTensor({2, 1, 2, 1}, {0, 4, 0, 4}),
                     makeTensor({2, 1, 2}, {1, 0.5, 2, 1})});
  ASSERT_TRUE(run.ok());
  double r3 = std::sqrt(3.0);
  expectNear(run.results[0], {3, 3.6, 4 * r3 / (1 + r3), 3});
}

TEST(ReferenceModifier, TwoTemperaturesBothApply) {
  // s / tau1[h] / tau2[b, h, i] with tau1 = [2], tau2 = [0.5, 0.25]:
  // row 0 divides by 1, row 1 by 0.5. k = [0, ln 3], v = [0, 4]:
  // row 0 -> 3, row 1 -> [0, ln 9] -> 3.6.
  AttentionSpec spec = scoreSpec(
      1, 1, 2, 2, 1,
      "temperature(%t1, %t2 : tensor<1xf32>, tensor<1x1x2xf32>) modifiers "
      "[#attn.temperature, #attn.temperature]",
      ", %t1: tensor<1xf32>, %t2: tensor<1x1x2xf32>");
  OracleRun run =
      runSpec(spec, {ones(spec), makeTensor({1, 1, 2, 1}, {0, kLn3}),
                     makeTensor({1, 1, 2, 1}, {0, 4}), makeTensor({1}, {2}),
                     makeTensor({1, 1, 2}, {0.5, 0.25})});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {3, 3.6});
}

//===----------------------------------------------------------------------===//
// length scaling
//===----------------------------------------------------------------------===//

TEST(ReferenceModifier, LengthScalingCausal) {
  // L0 = 2, causal, k = [1, 2, 3], v = [1, 10, 100]; s *= log(n_i) / log 2.
  //   row 0: n = 1 -> factor 0 -> o = v0 = 1 (lse 0)
  //   row 1: n = 2 -> factor 1 -> softmax([1, 2])
  //   row 2: n = 3 -> factor log 3 / log 2
  AttentionSpec spec =
      scoreSpec(1, 1, 3, 3, 1,
                "masks [#attn.causal] modifiers [#attn.length_scaling<2.0>]");
  OracleRun run =
      runSpec(spec, {ones(spec), makeTensor({1, 1, 3, 1}, {1, 2, 3}),
                     makeTensor({1, 1, 3, 1}, {1, 10, 100})});
  ASSERT_TRUE(run.ok());
  double f = kLn3 / kLn2;
  expectNear(run.results[0], {1, softmaxAverage({1, 2}, {1, 10}),
                              softmaxAverage({f, 2 * f, 3 * f}, {1, 10, 100})});
  expectNear(run.results[1],
             {0, std::log(std::exp(1) + std::exp(2)),
              std::log(std::exp(f) + std::exp(2 * f) + std::exp(3 * f))});
}

TEST(ReferenceModifier, LengthScalingCountsKeysAfterEveryMask) {
  // Skv = 4, kv_len = 3 drops key 3; the mask region drops key 1: n = 2
  // (keys 0 and 2). L0 = 4: factor log 2 / log 4 = 1/2.
  // k = [1, 5, 3, 7] -> kept scores [0.5, 1.5]; v = [1, *, 2, *]:
  // o = (1 + 2e) / (1 + e).
  AttentionSpec spec = scoreSpec(1, 1, 1, 4, 1,
                                 R"mlir(kv_len(%kl : tensor<1xi32>)
      modifiers [#attn.length_scaling<4.0>]
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index):
      %c1 = arith.constant 1 : index
      %keep = arith.cmpi ne, %j, %c1 : index
      attn.yield %keep : i1
    })mlir",
                                 ", %kl: tensor<1xi32>");
  OracleRun run = runSpec(
      spec, {ones(spec), makeTensor({1, 1, 4, 1}, {1, 5, 3, 7}),
             makeTensor({1, 1, 4, 1}, {1, 50, 2, 70}), makeTensor({1}, {3})});
  ASSERT_TRUE(run.ok());
  double e = std::exp(1.0);
  expectNear(run.results[0], {(1 + 2 * e) / (1 + e)});
  expectNear(run.results[1], {0.5 + std::log(1 + e)});
}

//===----------------------------------------------------------------------===//
// softcap
//===----------------------------------------------------------------------===//

TEST(ReferenceModifier, Softcap) {
  // cap 2: s' = 2 tanh(s / 2); k = [0, 2, 100], v = [1, 10, 100]:
  // s' = [0, 2 tanh 1, 2 tanh 50 (= 2 to double precision)].
  AttentionSpec spec =
      scoreSpec(1, 1, 1, 3, 1, "modifiers [#attn.softcap<2.0>]");
  OracleRun run =
      runSpec(spec, {ones(spec), makeTensor({1, 1, 3, 1}, {0, 2, 100}),
                     makeTensor({1, 1, 3, 1}, {1, 10, 100})});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0],
             {softmaxAverage({0, 2 * std::tanh(1.0), 2.0}, {1, 10, 100})});
}

TEST(ReferenceModifier, SameKindAppliesInListOrder) {
  // softcap<1> then softcap<3>: s' = 3 tanh(tanh(s) / 3). (The other order
  // would give tanh(3 tanh(s / 3)).) k = [0, 2], v = [0, 1].
  AttentionSpec spec = scoreSpec(
      1, 1, 1, 2, 1, "modifiers [#attn.softcap<1.0>, #attn.softcap<3.0>]");
  OracleRun run = runSpec(spec, {ones(spec), makeTensor({1, 1, 2, 1}, {0, 2}),
                                 makeTensor({1, 1, 2, 1}, {0, 1})});
  ASSERT_TRUE(run.ok());
  double s1 = 3 * std::tanh(std::tanh(2.0) / 3);
  expectNear(run.results[0], {softmaxAverage({0, s1}, {0, 1})});
}

//===----------------------------------------------------------------------===//
// ALiBi
//===----------------------------------------------------------------------===//

TEST(ReferenceModifier, Alibi) {
  // Sq = 1, Skv = 3: p(0) = 2. K = 0, one-hot V. slopes [ln 2, ln 3]:
  //   head 0: ln 2 * (j - 2) -> exp = 1/4, 1/2, 1 -> weights (1, 2, 4) / 7,
  //           lse = log(7/4)
  //   head 1: ln 3 * (j - 2) -> 1/9, 1/3, 1 -> (1, 3, 9) / 13,
  //           lse = log(13/9)
  // Both query heads share one kv head: the slopes follow the query head.
  AttentionSpec spec = sharedKv(
      scoreSpec(1, 2, 1, 3, 3,
                "alibi_slopes(%sl : tensor<2xf32>) modifiers [#attn.alibi]",
                ", %sl: tensor<2xf32>"));
  OracleRun run = runSpec(spec, {ones(spec), Tensor({1, 1, 3, 1}, 0.0),
                                 oneHot(spec), makeTensor({2}, {kLn2, kLn3})});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0],
             {1.0 / 7, 2.0 / 7, 4.0 / 7, 1.0 / 13, 3.0 / 13, 9.0 / 13});
  expectNear(run.results[1], {std::log(7.0 / 4), std::log(13.0 / 9)});
}

TEST(ReferenceModifier, AlibiTopLeftPosition) {
  // The same with top_left: p(0) = 0, ln 2 * j -> exp = 1, 2, 4: same
  // weights, lse = log 7 (ALiBi is shift invariant in the weights; the lse
  // shows which p(i) was used).
  AttentionSpec spec = scoreSpec(
      1, 1, 1, 3, 3,
      "alibi_slopes(%sl : tensor<1xf32>) alignment(top_left) modifiers "
      "[#attn.alibi]",
      ", %sl: tensor<1xf32>");
  OracleRun run = runSpec(spec, {ones(spec), Tensor({1, 1, 3, 1}, 0.0),
                                 oneHot(spec), makeTensor({1}, {kLn2})});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {1.0 / 7, 2.0 / 7, 4.0 / 7});
  expectNear(run.results[1], {std::log(7.0)});
}

TEST(ReferenceModifier, AlibiSymmetric) {
  // Sq = Skv = 3, slope ln 2, s - ln 2 * |j - i|, K = 0:
  //   row 0: 1, 1/2, 1/4 -> (4, 2, 1) / 7, lse log(7/4)
  //   row 1: 1/2, 1, 1/2 -> (1, 2, 1) / 4, lse log 2
  //   row 2: (1, 2, 4) / 7, lse log(7/4)
  AttentionSpec spec = scoreSpec(
      1, 1, 3, 3, 3,
      "alibi_slopes(%sl : tensor<1xf32>) modifiers [#attn.alibi<symmetric = "
      "true>]",
      ", %sl: tensor<1xf32>");
  OracleRun run = runSpec(spec, {ones(spec), Tensor({1, 1, 3, 1}, 0.0),
                                 oneHot(spec), makeTensor({1}, {kLn2})});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {4.0 / 7, 2.0 / 7, 1.0 / 7, 0.25, 0.5, 0.25,
                              1.0 / 7, 2.0 / 7, 4.0 / 7});
  expectNear(run.results[1],
             {std::log(7.0 / 4), std::log(2.0), std::log(7.0 / 4)});
}

//===----------------------------------------------------------------------===//
// relative position table
//===----------------------------------------------------------------------===//

TEST(ReferenceModifier, RelativePositionClamped) {
  // R = 1, Sq = Skv = 3, K = 0, bucket = clamp(j - i, -1, 1) + 1.
  //   row 0: j - i = 0, 1, 2 -> buckets 1, 2, 2
  //   row 1: -1, 0, 1        -> buckets 0, 1, 2
  //   row 2: -2, -1, 0       -> buckets 0, 0, 1
  // head 0 table [0, ln 2, ln 4]:
  //   row 0: exp = 2, 4, 4 -> (.2, .4, .4); row 1: 1, 2, 4 -> (1, 2, 4) / 7;
  //   row 2: 1, 1, 2 -> (.25, .25, .5)
  // head 1 table [ln 4, 0, 0]:
  //   row 0: 1, 1, 1 -> 1/3 each; row 1: 4, 1, 1 -> (4, 1, 1) / 6;
  //   row 2: 4, 4, 1 -> (4, 4, 1) / 9
  // Both query heads share one kv head: the table rows follow the query head.
  AttentionSpec spec =
      sharedKv(scoreSpec(1, 2, 3, 3, 3,
                         "position_table(%pt : tensor<2x3xf32>) modifiers "
                         "[#attn.relative_position<max_distance = 1>]",
                         ", %pt: tensor<2x3xf32>"));
  double l4 = std::log(4.0);
  OracleRun run =
      runSpec(spec, {ones(spec), Tensor({1, 1, 3, 1}, 0.0), oneHot(spec),
                     makeTensor({2, 3}, {0, kLn2, l4, l4, 0, 0})});
  ASSERT_TRUE(run.ok());
  double t = 1.0 / 3;
  expectNear(run.results[0],
             {0.2, 0.4, 0.4, 1.0 / 7, 2.0 / 7, 4.0 / 7, 0.25, 0.25, 0.5, t, t,
              t, 4.0 / 6, 1.0 / 6, 1.0 / 6, 4.0 / 9, 4.0 / 9, 1.0 / 9});
}

TEST(ReferenceModifier, RelativePositionBottomRight) {
  // Sq = 1, Skv = 4: p(0) = 3, j - p = -3 .. 0 -> buckets 0, 0, 0, 1 with
  // R = 1. table [0, ln 3, 100]: exp = 1, 1, 1, 3 -> (1, 1, 1, 3) / 6.
  AttentionSpec spec =
      scoreSpec(1, 1, 1, 4, 4,
                "position_table(%pt : tensor<1x3xf32>) modifiers "
                "[#attn.relative_position<max_distance = 1>]",
                ", %pt: tensor<1x3xf32>");
  OracleRun run =
      runSpec(spec, {ones(spec), Tensor({1, 1, 4, 1}, 0.0), oneHot(spec),
                     makeTensor({1, 3}, {0, kLn3, 100})});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {1.0 / 6, 1.0 / 6, 1.0 / 6, 0.5});
}

//===----------------------------------------------------------------------===//
// bias
//===----------------------------------------------------------------------===//

TEST(ReferenceModifier, BiasBroadcasting) {
  // B = H = Sq = Skv = 2, K = 0, one-hot V. Four biases, each adding to key 1
  // only, broadcast right-aligned:
  //   [1, 2, 1, 2]: h -> [0, h ln 5]
  //   [2, 1, 1, 2]: b -> [0, b ln 7]
  //   [2, 2] (= [Sq, Skv]): i -> [0, i ln 11]
  //   [2] (= [Skv]): [0, ln 13]
  // so exp(s_1 - s_0) = r = 5^h 7^b 11^i 13 and the weights are
  // (1, r) / (1 + r): each factor shows one index was read correctly.
  AttentionSpec spec = scoreSpec(
      2, 2, 2, 2, 2,
      "bias(%b1, %b2, %b3, %b4 : tensor<1x2x1x2xf32>, tensor<2x1x1x2xf32>, "
      "tensor<2x2xf32>, tensor<2xf32>) modifiers [#attn.bias, #attn.bias, "
      "#attn.bias, #attn.bias]",
      ", %b1: tensor<1x2x1x2xf32>, %b2: tensor<2x1x1x2xf32>, %b3: "
      "tensor<2x2xf32>, %b4: tensor<2xf32>");
  OracleRun run =
      runSpec(spec, {ones(spec), Tensor({2, 2, 2, 1}, 0.0), oneHot(spec),
                     makeTensor({1, 2, 1, 2}, {0, 0, 0, std::log(5.0)}),
                     makeTensor({2, 1, 1, 2}, {0, 0, 0, std::log(7.0)}),
                     makeTensor({2, 2}, {0, 0, 0, std::log(11.0)}),
                     makeTensor({2}, {0, std::log(13.0)})});
  ASSERT_TRUE(run.ok());
  std::vector<double> expected;
  for (int b = 0; b < 2; ++b)
    for (int h = 0; h < 2; ++h)
      for (int i = 0; i < 2; ++i) {
        double r = std::pow(5.0, h) * std::pow(7.0, b) * std::pow(11.0, i) * 13;
        expected.push_back(1 / (1 + r));
        expected.push_back(r / (1 + r));
      }
  expectNear(run.results[0], expected);
}

//===----------------------------------------------------------------------===//
// sink calibration
//===----------------------------------------------------------------------===//

TEST(ReferenceModifier, SinkCalibration) {
  // Skv = 3, K = 0, one-hot V: exp(s_j) is the factor of column j, else 1.
  const char *spec = R"mlir(
func.func @scalar(%q: tensor<1x1x1x1xf32>, %k: tensor<1x1x3x1xf32>,
                  %v: tensor<1x1x3x3xf32>) -> tensor<1x1x1x3xf32> {
  %o = attn.attention %q, %k, %v
      modifiers [#attn.sink_calibration<columns = [0, 5], factors = [0.5]>]
      : tensor<1x1x1x1xf32>, tensor<1x1x3x1xf32>, tensor<1x1x3x3xf32>
      -> tensor<1x1x1x3xf32>
  return %o : tensor<1x1x1x3xf32>
}
func.func @scalar_two_columns(%q: tensor<1x1x1x1xf32>, %k: tensor<1x1x3x1xf32>,
                  %v: tensor<1x1x3x3xf32>) -> tensor<1x1x1x3xf32> {
  %o = attn.attention %q, %k, %v
      modifiers [#attn.sink_calibration<columns = [0, 2], factors = [0.5]>]
      : tensor<1x1x1x1xf32>, tensor<1x1x3x1xf32>, tensor<1x1x3x3xf32>
      -> tensor<1x1x1x3xf32>
  return %o : tensor<1x1x1x3xf32>
}
func.func @per_column(%q: tensor<1x1x1x1xf32>, %k: tensor<1x1x3x1xf32>,
                      %v: tensor<1x1x3x3xf32>) -> tensor<1x1x1x3xf32> {
  %o = attn.attention %q, %k, %v
      modifiers [#attn.sink_calibration<columns = [0, 2], factors = [2.0, 3.0]>]
      : tensor<1x1x1x1xf32>, tensor<1x1x3x1xf32>, tensor<1x1x3x3xf32>
      -> tensor<1x1x1x3xf32>
  return %o : tensor<1x1x1x3xf32>
}
func.func @twice_same(%q: tensor<1x1x1x1xf32>, %k: tensor<1x1x3x1xf32>,
                      %v: tensor<1x1x3x3xf32>) -> tensor<1x1x1x3xf32> {
  %o = attn.attention %q, %k, %v
      modifiers [#attn.sink_calibration<columns = [1, 1], factors = [2.0, 2.0]>]
      : tensor<1x1x1x1xf32>, tensor<1x1x3x1xf32>, tensor<1x1x3x3xf32>
      -> tensor<1x1x1x3xf32>
  return %o : tensor<1x1x1x3xf32>
}
)mlir";
  std::vector<Tensor> inputs = {
      Tensor({1, 1, 1, 1}, 1.0), Tensor({1, 1, 3, 1}, 0.0),
      makeTensor({1, 1, 3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1})};
  // Column 0 times 0.5, column 5 is out of range and ignored: 0.5, 1, 1.
  OracleRun run = runOracle(spec, inputs, "scalar");
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {0.2, 0.4, 0.4});
  // One factor for two columns: 0.5, 1, 0.5.
  run = runOracle(spec, inputs, "scalar_two_columns");
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {0.25, 0.5, 0.25});
  // 2, 1, 3 -> (2, 1, 3) / 6.
  run = runOracle(spec, inputs, "per_column");
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {2.0 / 6, 1.0 / 6, 3.0 / 6});
  // The column set holds column 1 once: 1, 2, 1 (applying it twice would
  // give 1, 4, 1).
  run = runOracle(spec, inputs, "twice_same");
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {0.25, 0.5, 0.25});
}

TEST(ReferenceModifier, SinkCalibrationConflictingFactorsRejected) {
  AttentionSpec spec = scoreSpec(
      1, 1, 1, 3, 1,
      "modifiers [#attn.sink_calibration<columns = [1, 1], factors = [2.0, "
      "3.0]>]");
  OracleRun run = runOracle(spec.str(), {});
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error.find("listed twice with different factors"),
            std::string::npos)
      << run.error;
}

//===----------------------------------------------------------------------===//
// score region
//===----------------------------------------------------------------------===//

TEST(ReferenceModifier, CustomScoreRegion) {
  // s' = s + log(j + 1) with K = 0: exp(s') = 1, 2, 3 -> (1, 2, 3) / 6.
  AttentionSpec spec = scoreSpec(1, 1, 1, 3, 3, R"mlir(
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
      %c1 = arith.constant 1 : index
      %j1 = arith.addi %j, %c1 : index
      %j64 = arith.index_cast %j1 : index to i64
      %jf = arith.sitofp %j64 : i64 to f32
      %l = math.log %jf : f32
      %r = arith.addf %s, %l : f32
      attn.yield %r : f32
    })mlir");
  OracleRun run =
      runSpec(spec, {ones(spec), Tensor({1, 1, 3, 1}, 0.0), oneHot(spec)});
  ASSERT_TRUE(run.ok());
  expectNear(run.results[0], {1.0 / 6, 2.0 / 6, 3.0 / 6});
  expectNear(run.results[1], {std::log(6.0)});
}

TEST(ReferenceModifier, CustomScoreRegionScalarCaptureAndPosition) {
  // s' = alpha * s - (p(i) - j), alpha a scalar f32 capture = 2;
  // Sq = 1, Skv = 2, p(0) = 1, k = [0, ln 3]:
  // s' = [0 - 1, 2 ln 3 - 0] -> exp = 1/e, 9; v = [0, 1] -> o = 9 / (9 + 1/e).
  AttentionSpec spec = scoreSpec(1, 1, 1, 2, 1, R"mlir(captures(%a : f32)
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %alpha: f32):
      %p = attn.position %b, %i
      %d = arith.subi %p, %j : index
      %d64 = arith.index_cast %d : index to i64
      %df = arith.sitofp %d64 : i64 to f32
      %x = arith.mulf %alpha, %s : f32
      %r = arith.subf %x, %df : f32
      attn.yield %r : f32
    })mlir",
                                 ", %a: f32");
  OracleRun run =
      runSpec(spec, {ones(spec), makeTensor({1, 1, 2, 1}, {0, kLn3}),
                     makeTensor({1, 1, 2, 1}, {0, 1}), Tensor({}, 2.0)});
  ASSERT_TRUE(run.ok());
  double ie = std::exp(-1.0);
  expectNear(run.results[0], {9 / (9 + ie)});
}

//===----------------------------------------------------------------------===//
// application order across kinds
//===----------------------------------------------------------------------===//

TEST(ReferenceModifier, FixedOrderAcrossKinds) {
  // The modifiers are listed in reverse; they must apply as temperature,
  // length scaling, softcap, ALiBi, relative position, bias, sink
  // calibration, then the score region. Sq = 1, Skv = 2 (p(0) = 1),
  // k = [0.5, 2], v = [0, 1]:
  //   temperature 0.5:          [1, 4]
  //   length scaling L0 = 4:    n = 2, factor 1/2 -> [0.5, 2]
  //   softcap 1:                [tanh 0.5, tanh 2]
  //   ALiBi slope 0.25:         + 0.25 (j - 1) = [-0.25, 0]
  //   relative position, R = 1: j - p = -1, 0 -> table[0], table[1] =
  //                             [0.1, 0.2]
  //   bias:                     [0.05, -0.05]
  //   sink calibration:         key 1 + log 2
  //   region:                   times 3
  AttentionSpec spec = scoreSpec(1, 1, 1, 2, 1, R"mlir(
      temperature(%t : tensor<1xf32>) alibi_slopes(%sl : tensor<1xf32>)
      position_table(%pt : tensor<1x3xf32>) bias(%bb : tensor<1x1x1x2xf32>)
      modifiers [#attn.sink_calibration<columns = [1], factors = [2.0]>,
                 #attn.bias, #attn.relative_position<max_distance = 1>,
                 #attn.alibi, #attn.softcap<1.0>, #attn.length_scaling<4.0>,
                 #attn.temperature]
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
      %c3 = arith.constant 3.0 : f32
      %r = arith.mulf %s, %c3 : f32
      attn.yield %r : f32
    })mlir",
                                 ", %t: tensor<1xf32>, %sl: tensor<1xf32>, "
                                 "%pt: tensor<1x3xf32>, %bb: "
                                 "tensor<1x1x1x2xf32>");
  OracleRun run = runSpec(
      spec, {ones(spec), makeTensor({1, 1, 2, 1}, {0.5, 2}),
             makeTensor({1, 1, 2, 1}, {0, 1}), makeTensor({1}, {0.5}),
             makeTensor({1}, {0.25}), makeTensor({1, 3}, {0.1, 0.2, 0.3}),
             makeTensor({1, 1, 1, 2}, {0.05, -0.05})});
  ASSERT_TRUE(run.ok());
  double s0 = 3 * (std::tanh(0.5) - 0.25 + 0.1 + 0.05);
  double s1 = 3 * (std::tanh(2.0) + 0.0 + 0.2 - 0.05 + kLn2);
  expectNear(run.results[0], {softmaxAverage({s0, s1}, {0, 1})});
  expectNear(run.results[1], {std::log(std::exp(s0) + std::exp(s1))});
}

} // namespace
