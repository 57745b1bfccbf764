//===- ReferenceEpilogueTests.cpp - The oracle's epilogues ----------------===//
//
// VARIANTS.md section 5: the output gate (per row, per element), the lse
// output, block statistics and attn.merge (including all -inf parts and a
// split-KV attention merged back), plus padded entries that the epilogue
// operands hold (section 1: NaN there must not leak).
//
//===----------------------------------------------------------------------===//

#include "OracleSpecs.h"

using namespace mlir::attn::testing;
using mlir::attn::reference::Tensor;

namespace {

const double kLn3 = std::log(3.0);

/// sigmoid(x), written out.
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

//===----------------------------------------------------------------------===//
// gate
//===----------------------------------------------------------------------===//

TEST(ReferenceEpilogue, GatePerRow) {
  // K = 0 over 2 keys, v = [2, 4]: every row's o = 3, lse = log 2.
  // gate [B, Hq, Sq] = [0, ln 3] -> sigmoid = 1/2, 3/4 -> o = 1.5, 2.25;
  // lse unchanged.
  AttentionSpec spec;
  spec.q = {1, 1, 2, 1};
  spec.k = {1, 1, 2, 1};
  spec.v = {1, 1, 2, 1};
  spec.args = ", %g: tensor<1x1x2xf32>";
  spec.clauses = "gate(%g : tensor<1x1x2xf32>)";
  spec.lse = true;
  OracleRun run = runOracle(spec.str(), {Tensor({1, 1, 2, 1}, 1.0),
                                         Tensor({1, 1, 2, 1}, 0.0),
                                         makeTensor({1, 1, 2, 1}, {2, 4}),
                                         makeTensor({1, 1, 2}, {0, kLn3})});
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {1.5, 2.25});
  expectNear(run.results[1], {std::log(2.0), std::log(2.0)});
}

TEST(ReferenceEpilogue, GatePerElement) {
  // K = 0 over 2 keys, v = [[2, 4], [4, 8]]: o = [3, 6] for both heads.
  // gate [B, Hq, Sq, Dv]: head 0 [0, ln 3] -> [1.5, 4.5];
  // head 1 [-ln 3, 2] -> [3/4, 6 sigmoid(2)].
  AttentionSpec spec;
  spec.q = {1, 2, 1, 1};
  spec.k = {1, 1, 2, 1};
  spec.v = {1, 1, 2, 2};
  spec.args = ", %g: tensor<1x2x1x2xf32>";
  spec.clauses = "gate(%g : tensor<1x2x1x2xf32>)";
  spec.lse = true;
  OracleRun run = runOracle(
      spec.str(), {Tensor({1, 2, 1, 1}, 1.0), Tensor({1, 1, 2, 1}, 0.0),
                   makeTensor({1, 1, 2, 2}, {2, 4, 4, 8}),
                   makeTensor({1, 2, 1, 2}, {0, kLn3, -kLn3, 2})});
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {1.5, 4.5, 0.75, 6 * sigmoid(2)});
  expectNear(run.results[1], {std::log(2.0), std::log(2.0)});
}

TEST(ReferenceEpilogue, GateAndBiasPaddingNeverRead) {
  // B = 2, Sq = 2, Skv = 3, q_len = [1, 2], kv_len = [2, 3], scale 1, q = 1.
  // k = [0, ln 3, *] in b0 -> row 0 (p 1) keeps {0, 1}: weights 1/4, 3/4;
  // v = [0, 4, *] -> o = 3, gated by sigmoid(0) -> 1.5. Row 1 is padded:
  // o = 0, lse = -inf. The padded key, the padded row's gate and the bias of
  // padded entries hold NaN.
  // b1: k = [0, 0, 0], v = [1, 2, 3], bias 0; p(i) = i + 1, no mask: every
  // row keeps all three keys -> o = 2, gate 0 -> 1, lse = log 3.
  AttentionSpec spec;
  spec.q = {2, 1, 2, 1};
  spec.k = {2, 1, 3, 1};
  spec.v = {2, 1, 3, 1};
  spec.args = ", %ql: tensor<2xi32>, %kl: tensor<2xi32>, %b: "
              "tensor<2x1x2x3xf32>, %g: tensor<2x1x2xf32>";
  spec.clauses = "q_len(%ql : tensor<2xi32>) kv_len(%kl : tensor<2xi32>) "
                 "bias(%b : tensor<2x1x2x3xf32>) gate(%g : "
                 "tensor<2x1x2xf32>) scale(1.0) modifiers [#attn.bias]";
  spec.lse = true;
  Tensor bias = makeTensor({2, 1, 2, 3},
                           {0, 0, kNaN, kNaN, kNaN, kNaN, 0, 0, 0, 0, 0, 0});
  OracleRun run = runOracle(
      spec.str(),
      {makeTensor({2, 1, 2, 1}, {1, kNaN, 1, 1}),
       makeTensor({2, 1, 3, 1}, {0, kLn3, kNaN, 0, 0, 0}),
       makeTensor({2, 1, 3, 1}, {0, 4, kNaN, 1, 2, 3}), makeTensor({2}, {1, 2}),
       makeTensor({2}, {2, 3}), bias,
       makeTensor({2, 1, 2}, {0, kNaN, std::log(1e300), std::log(1e300)})});
  ASSERT_TRUE(run.ok()) << run.error;
  // sigmoid(log 1e300) = 1 / (1 + 1e-300) = 1 in double precision.
  expectNear(run.results[0], {1.5, 0, 2, 2});
  expectNear(run.results[1],
             {std::log(4.0), -kInf, std::log(3.0), std::log(3.0)});
}

//===----------------------------------------------------------------------===//
// block statistics
//===----------------------------------------------------------------------===//

TEST(ReferenceEpilogue, BlockStatistics) {
  // Sq = 3, Skv = 5, Bq = Bk = 2 -> block_max [1, 1, 2, 3]. Top-left causal,
  // s = [0, ln 2, ln 3, ln 4, ln 5]:
  //   row 0 keeps {0}:       weight 1
  //   row 1 keeps {0, 1}:    1/3, 2/3
  //   row 2 keeps {0, 1, 2}: 1/6, 2/6, 3/6
  // Blocks (query block, key block):
  //   (0, 0): rows 0-1, keys 0-1 -> max(1, 1/3, 2/3) = 1
  //   (0, 1), (0, 2): nothing kept -> 0
  //   (1, 0): row 2, keys 0-1 -> max(1/6, 2/6) = 1/3
  //   (1, 1): row 2, keys 2-3 -> 1/2 (key 3 not kept)
  //   (1, 2): key 4 not kept -> 0
  // A gate of 0 halves the output but not the statistics.
  // v = [6, 6, 6, 6, 6]: o = 6 * 1/2 = 3 in every row.
  AttentionSpec spec;
  spec.q = {1, 1, 3, 1};
  spec.k = {1, 1, 5, 1};
  spec.v = {1, 1, 5, 1};
  spec.args = ", %g: tensor<1x1x3xf32>";
  spec.clauses = "gate(%g : tensor<1x1x3xf32>) scale(1.0) "
                 "alignment(top_left) masks [#attn.causal] "
                 "block_stats([2, 2])";
  spec.lse = true;
  spec.blockMax = {1, 1, 2, 3};
  OracleRun run = runOracle(
      spec.str(), {Tensor({1, 1, 3, 1}, 1.0),
                   makeTensor({1, 1, 5, 1}, {0, std::log(2.0), kLn3,
                                             std::log(4.0), std::log(5.0)}),
                   Tensor({1, 1, 5, 1}, 6.0), Tensor({1, 1, 3}, 0.0)});
  ASSERT_TRUE(run.ok()) << run.error << spec.str();
  ASSERT_EQ(run.results.size(), 3u);
  expectNear(run.results[0], {3, 3, 3});
  expectNear(run.results[1], {0, std::log(3.0), std::log(6.0)});
  expectNear(run.results[2], {1, 0, 0, 1.0 / 3, 0.5, 0});
}

TEST(ReferenceEpilogue, BlockStatisticsOfSampledRows) {
  // The spec of BlockStatistics with row 2 not evaluated: query block 1
  // (row 2 alone) is unknown (NaN); query block 0 keeps its values.
  AttentionSpec spec;
  spec.q = {1, 1, 3, 1};
  spec.k = {1, 1, 5, 1};
  spec.v = {1, 1, 5, 1};
  spec.clauses = "scale(1.0) alignment(top_left) masks [#attn.causal] "
                 "block_stats([2, 2])";
  spec.blockMax = {1, 1, 2, 3};
  mlir::attn::reference::EvaluationOptions options;
  options.includeRow = [](int64_t, int64_t, int64_t i) { return i != 2; };
  OracleRun run =
      runOracle(spec.str(),
                {Tensor({1, 1, 3, 1}, 1.0),
                 makeTensor({1, 1, 5, 1}, {0, std::log(2.0), kLn3,
                                           std::log(4.0), std::log(5.0)}),
                 Tensor({1, 1, 5, 1}, 6.0)},
                "", options);
  ASSERT_TRUE(run.ok()) << run.error << spec.str();
  const Tensor &blocks = run.results[1];
  EXPECT_DOUBLE_EQ(blocks.data[0], 1.0);
  EXPECT_DOUBLE_EQ(blocks.data[1], 0.0);
  EXPECT_DOUBLE_EQ(blocks.data[2], 0.0);
  for (int64_t kb = 3; kb < 6; ++kb)
    EXPECT_TRUE(std::isnan(blocks.data[kb])) << kb;
}

TEST(ReferenceEpilogue, BlockStatisticsPerHeadAndBatch) {
  // B = 2, Hq = 2, Hkv = 1, Sq = 1, Skv = 2, Bq = 1, Bk = 1, K = 0 except
  // that b1 reads k = [0, ln 3]: b0 weights 1/2, 1/2 for both heads;
  // b1 1/4, 3/4. Each (b, h) gets its own [1, 2] grid of cells.
  AttentionSpec spec;
  spec.q = {2, 2, 1, 1};
  spec.k = {2, 1, 2, 1};
  spec.v = {2, 1, 2, 1};
  spec.clauses = "scale(1.0) block_stats([1, 1])";
  spec.blockMax = {2, 2, 1, 2};
  OracleRun run =
      runOracle(spec.str(), {Tensor({2, 2, 1, 1}, 1.0),
                             makeTensor({2, 1, 2, 1}, {0, 0, 0, kLn3}),
                             Tensor({2, 1, 2, 1}, 1.0)});
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[1], {0.5, 0.5, 0.5, 0.5, 0.25, 0.75, 0.25, 0.75});
}

//===----------------------------------------------------------------------===//
// merge
//===----------------------------------------------------------------------===//

TEST(ReferenceEpilogue, MergeHandValues) {
  // Three parts, rows of width 2 ([1, 1, 3, 2] outputs, [1, 1, 3] lse):
  //   row 0: lse = [0, ln 3, -inf] -> lse = log 4, weights 1/4, 3/4, 0:
  //          o = [1, 2] / 4 + [3, 4] * 3/4 = [2.5, 3.5] (the -inf part's
  //          output [100, 100] weighs 0)
  //   row 1: every part -inf -> o = 0, lse = -inf
  //   row 2: lse = 1000 + [ln 2, 0, ln 5] -> lse = 1000 + log 8, weights
  //          2/8, 1/8, 5/8: o = [8, 0] / 4 + [0, 8] / 8 + [8, 8] * 5/8
  //          = [7, 6]
  const char *spec = R"mlir(
func.func @f(%o0: tensor<1x1x3x2xf32>, %o1: tensor<1x1x3x2xf32>,
             %o2: tensor<1x1x3x2xf32>, %l0: tensor<1x1x3xf32>,
             %l1: tensor<1x1x3xf32>, %l2: tensor<1x1x3xf32>)
    -> (tensor<1x1x3x2xf32>, tensor<1x1x3xf32>) {
  %o, %lse = attn.merge %o0, %o1, %o2 lse %l0, %l1, %l2
      : tensor<1x1x3x2xf32>, tensor<1x1x3x2xf32>, tensor<1x1x3x2xf32>
        lse tensor<1x1x3xf32>, tensor<1x1x3xf32>, tensor<1x1x3xf32>
      -> tensor<1x1x3x2xf32>, tensor<1x1x3xf32>
  return %o, %lse : tensor<1x1x3x2xf32>, tensor<1x1x3xf32>
}
)mlir";
  double ln2 = std::log(2.0), ln5 = std::log(5.0);
  OracleRun run =
      runOracle(spec, {makeTensor({1, 1, 3, 2}, {1, 2, 5, 5, 8, 0}),
                       makeTensor({1, 1, 3, 2}, {3, 4, 5, 5, 0, 8}),
                       makeTensor({1, 1, 3, 2}, {100, 100, 5, 5, 8, 8}),
                       makeTensor({1, 1, 3}, {0, -kInf, 1000 + ln2}),
                       makeTensor({1, 1, 3}, {kLn3, -kInf, 1000}),
                       makeTensor({1, 1, 3}, {-kInf, -kInf, 1000 + ln5})});
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {2.5, 3.5, 0, 0, 7, 6});
  expectNear(run.results[1], {std::log(4.0), -kInf, 1000 + std::log(8.0)});
}

TEST(ReferenceEpilogue, SplitKeysMergedBack) {
  // One query over keys 0-1 and keys 2-3 (K = 0, v = [1, 2, 3, 4]):
  // part A o = 1.5, lse = log 2; part B o = 3.5, lse = log 2. Merged:
  // lse = log 4, o = 2.5 = the mean over all four keys.
  const char *spec = R"mlir(
func.func @f(%q: tensor<1x1x1x1xf32>, %k0: tensor<1x1x2x1xf32>,
             %v0: tensor<1x1x2x1xf32>, %k1: tensor<1x1x2x1xf32>,
             %v1: tensor<1x1x2x1xf32>)
    -> (tensor<1x1x1x1xf32>, tensor<1x1x1xf32>) {
  %o0, %lse0 = attn.attention %q, %k0, %v0
      : tensor<1x1x1x1xf32>, tensor<1x1x2x1xf32>, tensor<1x1x2x1xf32>
      -> tensor<1x1x1x1xf32>, lse tensor<1x1x1xf32>
  %o1, %lse1 = attn.attention %q, %k1, %v1
      : tensor<1x1x1x1xf32>, tensor<1x1x2x1xf32>, tensor<1x1x2x1xf32>
      -> tensor<1x1x1x1xf32>, lse tensor<1x1x1xf32>
  %o, %lse = attn.merge %o0, %o1 lse %lse0, %lse1
      : tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32> lse tensor<1x1x1xf32>, tensor<1x1x1xf32>
      -> tensor<1x1x1x1xf32>, tensor<1x1x1xf32>
  return %o, %lse : tensor<1x1x1x1xf32>, tensor<1x1x1xf32>
}
)mlir";
  OracleRun run = runOracle(
      spec, {Tensor({1, 1, 1, 1}, 1.0), Tensor({1, 1, 2, 1}, 0.0),
             makeTensor({1, 1, 2, 1}, {1, 2}), Tensor({1, 1, 2, 1}, 0.0),
             makeTensor({1, 1, 2, 1}, {3, 4})});
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {2.5});
  expectNear(run.results[1], {std::log(4.0)});
}

//===----------------------------------------------------------------------===//
// errors the verifier owns for section 5
//===----------------------------------------------------------------------===//

TEST(ReferenceEpilogue, LseNeedsANormalisedNormaliser) {
  AttentionSpec spec;
  spec.q = {1, 1, 1, 1};
  spec.k = {1, 1, 2, 1};
  spec.v = {1, 1, 2, 1};
  spec.clauses = "normalizer(#attn.sigmoid)";
  spec.lse = true;
  OracleRun run = runOracle(spec.str(), {});
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error.find("needs a normalised normaliser"), std::string::npos)
      << run.error;
}

TEST(ReferenceEpilogue, BlockStatisticsNeedANormalisedNormaliser) {
  AttentionSpec spec;
  spec.q = {1, 1, 1, 1};
  spec.k = {1, 1, 2, 1};
  spec.v = {1, 1, 2, 1};
  spec.clauses = "normalizer(#attn.none) block_stats([1, 1])";
  spec.blockMax = {1, 1, 1, 2};
  OracleRun run = runOracle(spec.str(), {});
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error.find("block statistics need a normalised normaliser"),
            std::string::npos)
      << run.error;
}

TEST(ReferenceEpilogue, GateMustBeRankThreeOrFour) {
  AttentionSpec spec;
  spec.q = {1, 1, 1, 1};
  spec.k = {1, 1, 2, 1};
  spec.v = {1, 1, 2, 1};
  spec.args = ", %g: tensor<1x1xf32>";
  spec.clauses = "gate(%g : tensor<1x1xf32>)";
  OracleRun run = runOracle(spec.str(), {});
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error.find("gate must be [B, Hq, Sq] or [B, Hq, Sq, Dv]"),
            std::string::npos)
      << run.error;
}

} // namespace

namespace mlir::attn::testing {
namespace {

TEST(ReferenceEpilogue, PerRowOperandsBroadcast) {
  // Size-1 dimensions repeat (NumPy rules, VARIANTS.md section 1).
  // B = 2, Hq = 2, Sq = 2 over 2 keys with K = 0 and v = [2, 4]: every row's
  // o = 3 before the gate. gate [1, 1, Sq, 1] = [0, ln 3] for rows i = 0, 1
  // in every batch and head -> o = 1.5, 2.25. A per-query temperature
  // [1, Hq, 1] divides scores that are all 0, so it changes nothing; a
  // per-query key limit [B, 1, Sq] keeps only key 0 in batch 1 -> o = 2 there.
  AttentionSpec spec;
  spec.q = {2, 2, 2, 1};
  spec.k = {2, 2, 2, 1};
  spec.v = {2, 2, 2, 1};
  spec.args = ", %g: tensor<1x1x2x1xf32>, %t: tensor<1x2x1xf32>, "
              "%l: tensor<2x1x2xi32>";
  spec.clauses = "key_limit(%l : tensor<2x1x2xi32>) "
                 "temperature(%t : tensor<1x2x1xf32>) "
                 "gate(%g : tensor<1x1x2x1xf32>) masks [#attn.key_limit] "
                 "modifiers [#attn.temperature]";
  Tensor v({2, 2, 2, 1});
  for (int64_t n = 0; n < v.numElements(); ++n)
    v.data[n] = n % 2 == 0 ? 2.0 : 4.0;
  Tensor limit = makeTensor({2, 1, 2}, {2, 2, 1, 1});
  limit.kind = reference::ElementKind::Integer;
  OracleRun run = runOracle(
      spec.str(), {Tensor({2, 2, 2, 1}, 1.0), Tensor({2, 2, 2, 1}, 0.0), v,
                   makeTensor({1, 1, 2, 1}, {0, std::log(3.0)}),
                   makeTensor({1, 2, 1}, {0.5, 2.0}), limit});
  ASSERT_TRUE(run.ok()) << run.error;
  // [b][h][i]: batch 0 keeps both keys (o = 3), batch 1 only key 0 (o = 2);
  // times sigmoid(gate[i]) = 1/2, 3/4.
  expectNear(run.results[0], {1.5, 2.25, 1.5, 2.25, 1.0, 1.5, 1.0, 1.5});
}

TEST(ReferenceEpilogue, BroadcastChecksSizes) {
  // A gate dimension that is neither 1 nor the row count is an error.
  AttentionSpec spec;
  spec.q = {1, 1, 3, 1};
  spec.k = {1, 1, 2, 1};
  spec.v = {1, 1, 2, 1};
  spec.args = ", %g: tensor<1x1x?xf32>";
  spec.clauses = "gate(%g : tensor<1x1x?xf32>)";
  OracleRun run = runOracle(
      spec.str(), {Tensor({1, 1, 3, 1}, 1.0), Tensor({1, 1, 2, 1}, 0.0),
                   Tensor({1, 1, 2, 1}, 1.0), Tensor({1, 1, 2}, 0.0)});
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error.find("gate dimension 2 is 2, expected 1 or 3 (Sq)"),
            std::string::npos)
      << run.error;
}

} // namespace
} // namespace mlir::attn::testing
