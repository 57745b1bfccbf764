//===- ReferenceErrorTests.cpp - The oracle's run-time diagnostics --------===//
//
// Data the verifier cannot see (lengths, index lists, page tables, dynamic
// extents, region arithmetic) is checked when the oracle runs: each bad input
// must give a diagnostic naming the problem, and no result.
//
//===----------------------------------------------------------------------===//

#include "OracleSpecs.h"

using namespace mlir::attn::testing;
using mlir::attn::reference::Tensor;

namespace {

/// Runs `spec` on `inputs` and expects failure with `needle` in the message.
void expectError(const std::string &spec, const std::vector<Tensor> &inputs,
                 const std::string &needle) {
  OracleRun run = runOracle(spec, inputs);
  ASSERT_FALSE(run.ok()) << "expected an error containing '" << needle << "'\n"
                         << spec;
  EXPECT_TRUE(run.results.empty());
  EXPECT_NE(run.error.find(needle), std::string::npos)
      << "message: " << run.error << "\nexpected: " << needle;
}

/// Q [1, 1, Sq, 1], K [1, 1, Skv, 1], V [1, 1, Skv, 1] with the given extra
/// arguments and clauses; negative extents are dynamic.
std::string spec(int64_t queryLen, int64_t keyLen, std::string clauses,
                 std::string args = "") {
  AttentionSpec s;
  s.q = {1, 1, queryLen, 1};
  s.k = {1, 1, keyLen, 1};
  s.v = {1, 1, keyLen, 1};
  s.clauses = std::move(clauses);
  s.args = std::move(args);
  return s.str();
}

std::vector<Tensor> qkv(int64_t queryLen, int64_t keyLen) {
  return {Tensor({1, 1, queryLen, 1}, 1.0), Tensor({1, 1, keyLen, 1}, 0.0),
          Tensor({1, 1, keyLen, 1}, 1.0)};
}

std::vector<Tensor> with(std::vector<Tensor> inputs,
                         std::vector<Tensor> extra) {
  for (Tensor &t : extra)
    inputs.push_back(std::move(t));
  return inputs;
}

//===----------------------------------------------------------------------===//
// lengths
//===----------------------------------------------------------------------===//

TEST(ReferenceError, KvLenOutOfRange) {
  std::string text =
      spec(1, 4, "kv_len(%kl : tensor<1xi32>)", ", %kl: tensor<1xi32>");
  expectError(text, with(qkv(1, 4), {makeTensor({1}, {5})}),
              "kv_len[0] = 5 is outside [0, 4]");
  expectError(text, with(qkv(1, 4), {makeTensor({1}, {-1})}),
              "kv_len[0] = -1 is outside [0, 4]");
  // Within range is fine.
  EXPECT_TRUE(runOracle(text, with(qkv(1, 4), {makeTensor({1}, {4})})).ok());
}

TEST(ReferenceError, QLenOutOfRange) {
  expectError(spec(2, 4, "q_len(%ql : tensor<1xi32>)", ", %ql: tensor<1xi32>"),
              with(qkv(2, 4), {makeTensor({1}, {3})}),
              "q_len[0] = 3 is outside [0, 2]");
}

TEST(ReferenceError, LinearKvLenOutOfRange) {
  LinearSpec s;
  s.featureMap = "identity";
  s.q = {1, 1, 1, 1};
  s.k = {1, 1, 4, 1};
  s.v = {1, 1, 4, 1};
  s.args = ", %kl: tensor<1xi32>";
  s.clauses = "kv_len(%kl : tensor<1xi32>)";
  expectError(s.str(), with(qkv(1, 4), {makeTensor({1}, {5})}),
              "kv_len[0] = 5 is outside [0, 4]");
}

//===----------------------------------------------------------------------===//
// index data
//===----------------------------------------------------------------------===//

TEST(ReferenceError, BlockIndexOutOfRange) {
  // Skv = 4, Bk = 2: key blocks 0 and 1; -1 pads, 2 and -2 are errors.
  std::string text =
      spec(1, 4,
           "block_layout(%l : tensor<1x1x1x2xi32>) masks "
           "[#attn.block_sparse<q_block = 1, kv_block = 2, format = indices>]",
           ", %l: tensor<1x1x1x2xi32>");
  expectError(text, with(qkv(1, 4), {makeTensor({1, 1, 1, 2}, {0, 2})}),
              "block_layout entry 2 (row 0, slot 1) is neither -1 nor a key "
              "block in [0, 2)");
  expectError(text, with(qkv(1, 4), {makeTensor({1, 1, 1, 2}, {-2, 1})}),
              "block_layout entry -2 (row 0, slot 0) is neither -1 nor a key "
              "block in [0, 2)");
  EXPECT_TRUE(
      runOracle(text, with(qkv(1, 4), {makeTensor({1, 1, 1, 2}, {-1, 1})}))
          .ok());
}

TEST(ReferenceError, SelectedIndexOutOfRange) {
  std::string text = spec(
      1, 3, "selected(%idx : tensor<1x1x2xi32>) masks [#attn.selected_tokens]",
      ", %idx: tensor<1x1x2xi32>");
  expectError(text, with(qkv(1, 3), {makeTensor({1, 1, 2}, {0, 3})}),
              "selected entry 3 (row 0, slot 1) is neither -1 nor a key in "
              "[0, 3)");
  expectError(text, with(qkv(1, 3), {makeTensor({1, 1, 2}, {-5, 0})}),
              "selected entry -5 (row 0, slot 0) is neither -1 nor a key in "
              "[0, 3)");
}

TEST(ReferenceError, PageTableEntryOutOfRange) {
  // 2 pages of 2 slots; kv_len 3 reads page_table[0, 0] and [0, 1].
  const char *text = R"mlir(
func.func @f(%q: tensor<1x1x1x1xf32>, %k: tensor<2x2x1x1xf32>,
             %v: tensor<2x2x1x1xf32>, %pt: tensor<1x2xi32>, %kl: tensor<1xi32>)
    -> tensor<1x1x1x1xf32> {
  %o = attn.attention %q, %k, %v kv_len(%kl : tensor<1xi32>)
      page_table(%pt : tensor<1x2xi32>)
      : tensor<1x1x1x1xf32>, tensor<2x2x1x1xf32>, tensor<2x2x1x1xf32>
      -> tensor<1x1x1x1xf32>
  return %o : tensor<1x1x1x1xf32>
}
)mlir";
  std::vector<Tensor> base = {Tensor({1, 1, 1, 1}, 1.0),
                              Tensor({2, 2, 1, 1}, 0.0),
                              Tensor({2, 2, 1, 1}, 1.0)};
  expectError(text,
              with(base, {makeTensor({1, 2}, {0, 2}), makeTensor({1}, {3})}),
              "page_table[0, 1] = 2 is not a page in [0, 2)");
  expectError(text,
              with(base, {makeTensor({1, 2}, {-1, 0}), makeTensor({1}, {3})}),
              "page_table[0, 0] = -1 is not a page in [0, 2)");
  // The same bad entry past kv_len is never read.
  EXPECT_TRUE(runOracle(text, with(base, {makeTensor({1, 2}, {0, 2}),
                                          makeTensor({1}, {2})}))
                  .ok());
}

//===----------------------------------------------------------------------===//
// dynamic extents
//===----------------------------------------------------------------------===//

TEST(ReferenceError, NeighborhoodGridNotMatchingKeyLength) {
  // A dynamic key length of 5 against a grid of 4 tokens.
  expectError(
      spec(-1, -1, "masks [#attn.neighborhood<grid = [4], kernel = [3]>]"),
      qkv(5, 5), "neighborhood grid holds 4 tokens but the key length is 5");
  // With kv_len the grid must hold kv_len[b] tokens.
  expectError(spec(1, 6,
                   "kv_len(%kl : tensor<1xi32>) masks "
                   "[#attn.neighborhood<grid = [6], kernel = [3]>]",
                   ", %kl: tensor<1xi32>"),
              with(qkv(1, 6), {makeTensor({1}, {5})}),
              "neighborhood grid holds 6 tokens but the key length is 5");
}

TEST(ReferenceError, NeighborhoodQueryOutsideGrid) {
  // Sq = 3, Skv = 2: p(0) = -1 lies outside the grid.
  expectError(
      spec(-1, -1, "masks [#attn.neighborhood<grid = [2], kernel = [1]>]"),
      qkv(3, 2),
      "query position -1 falls outside the neighborhood grid of 2 tokens");
}

TEST(ReferenceError, DocumentNeedsKvSegmentIds) {
  std::string text = spec(-1, -1,
                          "segment_ids(%seg : tensor<1x?xi32>) masks "
                          "[#attn.document]",
                          ", %seg: tensor<1x?xi32>");
  expectError(text, with(qkv(2, 3), {makeTensor({1, 2}, {0, 0})}),
              "kv_segment_ids is needed when Sq (2) differs from Skv (3)");
  // Sq = Skv is fine.
  EXPECT_TRUE(
      runOracle(text, with(qkv(2, 2), {makeTensor({1, 2}, {0, 0})})).ok());
}

TEST(ReferenceError, ArgumentsNotMatchingTheSignature) {
  std::string text = spec(2, 2, "");
  expectError(text, qkv(3, 2),
              "argument 0 has shape [1, 1, 3, 1] but the function takes");
  expectError(text,
              {Tensor({1, 1, 2}, 1.0), Tensor({1, 1, 2, 1}, 0.0),
               Tensor({1, 1, 2, 1}, 1.0)},
              "argument 0 has shape [1, 1, 2] but the function takes");
  expectError(text, {Tensor({1, 1, 2, 1}, 1.0), Tensor({1, 1, 2, 1}, 0.0)},
              "the function takes 3 arguments, 2 given");
  // A dynamic extent takes any size, but the ops still check consistency.
  expectError(spec(-1, -1, ""),
              {Tensor({1, 1, 2, 1}, 1.0), Tensor({1, 1, 3, 1}, 0.0),
               Tensor({1, 1, 2, 1}, 1.0)},
              "value dimension 2 is 2, expected 3 (Skv)");
}

//===----------------------------------------------------------------------===//
// regions
//===----------------------------------------------------------------------===//

TEST(ReferenceError, RegionExtractOutOfBounds) {
  // The score region reads c[j] from a capture of 2 elements; Skv = 3.
  expectError(spec(1, 3, R"mlir(captures(%c : tensor<2xf32>)
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %t: tensor<2xf32>):
      %x = tensor.extract %t[%j] : tensor<2xf32>
      %r = arith.addf %s, %x : f32
      attn.yield %r : f32
    })mlir",
                   ", %c: tensor<2xf32>"),
              with(qkv(1, 3), {makeTensor({2}, {0, 0})}),
              "in the score region at (b=0, h=0, i=0, j=2): tensor.extract "
              "index 2 out of bounds for dimension 0 of capture 0 with shape "
              "[2]");
  // The mask region reads t[i] from a capture of 1 element; Sq = 2.
  expectError(spec(2, 2, R"mlir(captures(%c : tensor<1xi1>)
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index, %t: tensor<1xi1>):
      %x = tensor.extract %t[%i] : tensor<1xi1>
      attn.yield %x : i1
    })mlir",
                   ", %c: tensor<1xi1>"),
              with(qkv(2, 2), {makeTensor({1}, {1})}),
              "in the mask region at (b=0, h=0, i=1, j=0): tensor.extract "
              "index 1 out of bounds");
}

TEST(ReferenceError, RegionIntegerDivisionByZero) {
  // j / i in the mask region: row 0 divides by zero.
  expectError(spec(2, 2, R"mlir(
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index):
      %c0 = arith.constant 0 : index
      %x = arith.divsi %j, %i : index
      %keep = arith.cmpi sge, %x, %c0 : index
      attn.yield %keep : i1
    })mlir"),
              qkv(2, 2),
              "in the mask region at (b=0, h=0, i=0, j=0): integer division "
              "by zero");
  // j rem (j - 1) in the score region: key 1 divides by zero.
  expectError(spec(1, 2, R"mlir(
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
      %c1 = arith.constant 1 : index
      %d = arith.subi %j, %c1 : index
      %x = arith.remui %j, %d : index
      attn.yield %s : f32
    })mlir"),
              qkv(1, 2),
              "in the score region at (b=0, h=0, i=0, j=1): integer division "
              "by zero");
}

} // namespace
