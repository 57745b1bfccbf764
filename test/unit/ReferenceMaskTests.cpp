//===- ReferenceMaskTests.cpp - The oracle's masks ------------------------===//
//
// VARIANTS.md section 2 (every named mask and the mask region), and the parts
// of sections 1 and 7 that decide which keys a row reads: q_len/kv_len,
// empty rows, GQA/MQA head mapping and the paged KV cache.
//
// Most tests use the uniform probe of OracleSpecs.h: K = 0 and one-hot V, so
// output row i is 1/n_i on exactly the keys row i keeps. The kept sets are
// derived by hand from VARIANTS.md in the comments.
//
//===----------------------------------------------------------------------===//

#include "OracleSpecs.h"

using namespace mlir::attn::testing;
using mlir::attn::reference::Tensor;

namespace {

using KeptSets = std::vector<std::vector<int64_t>>;

/// A probe spec: Q [B, Hq, Sq, 1], K [B, Hkv, Skv, 1], V [B, Hkv, Skv, Skv],
/// with the lse result.
AttentionSpec probe(int64_t batch, int64_t heads, int64_t kvHeads,
                    int64_t queryLen, int64_t keyLen, std::string clauses,
                    std::string args = "") {
  AttentionSpec spec;
  spec.q = {batch, heads, queryLen, 1};
  spec.k = {batch, kvHeads, keyLen, 1};
  spec.v = {batch, kvHeads, keyLen, keyLen};
  spec.args = std::move(args);
  spec.clauses = std::move(clauses);
  spec.lse = true;
  return spec;
}

/// Runs `spec` (a probe) on the probe inputs and `extra`, and checks that the
/// rows, in (b, h, i) order, keep exactly `kept`.
void expectKept(const AttentionSpec &spec, std::vector<Tensor> extra,
                const KeptSets &kept) {
  std::vector<Tensor> inputs = {probeQuery(spec.q[0], spec.q[1], spec.q[2]),
                                probeKey(spec.k[0], spec.k[1], spec.k[2]),
                                probeValue(spec.v[0], spec.v[1], spec.v[2])};
  for (Tensor &t : extra)
    inputs.push_back(std::move(t));
  OracleRun run = runOracle(spec.str(), inputs);
  ASSERT_TRUE(run.ok()) << run.error << spec.str();
  ASSERT_EQ(run.results.size(), 2u);
  expectNear(run.results[0], uniformRows(kept, spec.k[2]));
  expectNear(run.results[1], uniformLse(kept));
}

/// Kept keys of one query on a row-major grid: every combination of the
/// per-dimension kept coordinates (the N-D rule is the AND of the 1-D ones).
std::vector<int64_t> gridKeys(const std::vector<int64_t> &extents,
                              const std::vector<std::vector<int64_t>> &perDim) {
  std::vector<int64_t> keys = {0};
  for (size_t d = 0; d < extents.size(); ++d) {
    std::vector<int64_t> next;
    for (int64_t prefix : keys)
      for (int64_t c : perDim[d])
        next.push_back(prefix * extents[d] + c);
    keys = next;
  }
  return keys;
}

//===----------------------------------------------------------------------===//
// none, causal
//===----------------------------------------------------------------------===//

TEST(ReferenceMask, NoneKeepsEveryKey) {
  expectKept(probe(1, 1, 1, 2, 3, ""), {}, {{0, 1, 2}, {0, 1, 2}});
}

TEST(ReferenceMask, CausalSquare) {
  // p(i) = i: row i keeps 0..i.
  expectKept(probe(1, 1, 1, 3, 3, "masks [#attn.causal]"), {},
             {{0}, {0, 1}, {0, 1, 2}});
}

TEST(ReferenceMask, CausalBottomRightFewerQueries) {
  // Sq = 2, Skv = 4: p(i) = i + 2. Row 0 keeps 0..2, row 1 keeps 0..3.
  expectKept(probe(1, 1, 1, 2, 4, "masks [#attn.causal]"), {},
             {{0, 1, 2}, {0, 1, 2, 3}});
}

TEST(ReferenceMask, CausalBottomRightMoreQueries) {
  // Sq = 3, Skv = 2: p(i) = i - 1. Row 0 (p = -1) keeps nothing: o = 0 and
  // lse = -inf. Row 1 keeps {0}, row 2 keeps {0, 1}.
  expectKept(probe(1, 1, 1, 3, 2, "masks [#attn.causal]"), {},
             {{}, {0}, {0, 1}});
}

TEST(ReferenceMask, CausalTopLeft) {
  // Sq = 2, Skv = 4, top_left: p(i) = i. Row 0 keeps {0}, row 1 {0, 1}.
  expectKept(probe(1, 1, 1, 2, 4, "alignment(top_left) masks [#attn.causal]"),
             {}, {{0}, {0, 1}});
}

//===----------------------------------------------------------------------===//
// sliding window
//===----------------------------------------------------------------------===//

TEST(ReferenceMask, SlidingWindowBothSides) {
  // left = 1, right = 1, Sq = Skv = 5: row i keeps i-1..i+1 within [0, 5).
  expectKept(
      probe(1, 1, 1, 5, 5, "masks [#attn.sliding_window<left = 1, right = 1>]"),
      {}, {{0, 1}, {0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4}});
}

TEST(ReferenceMask, SlidingWindowSinks) {
  // left = 1, right = 0, sinks = 2, Sq = Skv = 5: window {i-1, i} OR j < 2.
  // The sinks are kept even after p(i) (row 0 keeps key 1): the window mask
  // alone is not causal.
  expectKept(probe(1, 1, 1, 5, 5,
                   "masks [#attn.sliding_window<left = 1, right = 0, sinks = "
                   "2>]"),
             {}, {{0, 1}, {0, 1}, {0, 1, 2}, {0, 1, 2, 3}, {0, 1, 3, 4}});
}

TEST(ReferenceMask, SlidingWindowSinksWithCausal) {
  // AND with causal (right side unbounded): (j >= i - 1 or j < 2) and
  // j <= i. Row 0 now keeps only {0}; row 4 keeps {0, 1, 3, 4}.
  expectKept(probe(1, 1, 1, 5, 5,
                   "masks [#attn.causal, #attn.sliding_window<left = 1, sinks "
                   "= 2>]"),
             {}, {{0}, {0, 1}, {0, 1, 2}, {0, 1, 2, 3}, {0, 1, 3, 4}});
}

TEST(ReferenceMask, SlidingWindowLeftUnbounded) {
  // right = 0 only: j <= p(i), no lower bound (causal).
  expectKept(probe(1, 1, 1, 4, 4, "masks [#attn.sliding_window<right = 0>]"),
             {}, {{0}, {0, 1}, {0, 1, 2}, {0, 1, 2, 3}});
}

TEST(ReferenceMask, SlidingWindowRightUnbounded) {
  // left = 1 only: j >= p(i) - 1, no upper bound.
  expectKept(probe(1, 1, 1, 4, 4, "masks [#attn.sliding_window<left = 1>]"), {},
             {{0, 1, 2, 3}, {0, 1, 2, 3}, {1, 2, 3}, {2, 3}});
}

TEST(ReferenceMask, SlidingWindowBottomRight) {
  // Sq = 2, Skv = 5, left = 1, right = 0: p(i) = i + 3. Row 0 keeps {2, 3},
  // row 1 keeps {3, 4}.
  expectKept(
      probe(1, 1, 1, 2, 5, "masks [#attn.sliding_window<left = 1, right = 0>]"),
      {}, {{2, 3}, {3, 4}});
}

//===----------------------------------------------------------------------===//
// prefix LM
//===----------------------------------------------------------------------===//

TEST(ReferenceMask, PrefixLM) {
  // prefix 2, Sq = Skv = 4: j < 2 or j <= i.
  expectKept(probe(1, 1, 1, 4, 4, "masks [#attn.prefix_lm<2>]"), {},
             {{0, 1}, {0, 1}, {0, 1, 2}, {0, 1, 2, 3}});
}

TEST(ReferenceMask, PrefixLMBottomRight) {
  // prefix 3, Sq = 2, Skv = 5: p(i) = i + 3. Row 0: j < 3 or j <= 3 -> 0..3;
  // row 1: 0..4.
  expectKept(probe(1, 1, 1, 2, 5, "masks [#attn.prefix_lm<3>]"), {},
             {{0, 1, 2, 3}, {0, 1, 2, 3, 4}});
  // Top-left: p(i) = i. Row 0: j < 3 -> {0, 1, 2}; row 1: same.
  expectKept(
      probe(1, 1, 1, 2, 5, "alignment(top_left) masks [#attn.prefix_lm<3>]"),
      {}, {{0, 1, 2}, {0, 1, 2}});
}

//===----------------------------------------------------------------------===//
// document
//===----------------------------------------------------------------------===//

TEST(ReferenceMask, DocumentSharedIds) {
  // seg b0 = [0, 0, 1, 1], b1 = [5, 6, 6, 6]; seg_kv defaults to seg_q.
  expectKept(
      probe(2, 1, 1, 4, 4,
            "segment_ids(%seg : tensor<2x4xi32>) "
            "masks [#attn.document]",
            ", %seg: tensor<2x4xi32>"),
      {makeTensor({2, 4}, {0, 0, 1, 1, 5, 6, 6, 6})},
      {{0, 1}, {0, 1}, {2, 3}, {2, 3}, {0}, {1, 2, 3}, {1, 2, 3}, {1, 2, 3}});
}

TEST(ReferenceMask, DocumentKvSegmentIds) {
  // Sq = 2, Skv = 4: seg_q = [1, 7], seg_kv = [1, 1, 2, 1]. Row 0 keeps
  // {0, 1, 3}; segment 7 has no key: row 1 is empty.
  expectKept(probe(1, 1, 1, 2, 4,
                   "segment_ids(%sq : tensor<1x2xi32>) kv_segment_ids(%skv : "
                   "tensor<1x4xi32>) masks [#attn.document]",
                   ", %sq: tensor<1x2xi32>, %skv: tensor<1x4xi32>"),
             {makeTensor({1, 2}, {1, 7}), makeTensor({1, 4}, {1, 1, 2, 1})},
             {{0, 1, 3}, {}});
}

TEST(ReferenceMask, DocumentKvSegmentIdsSquare) {
  // Sq = Skv = 3 with explicit seg_kv, which must be used instead of seg_q:
  // seg_q = [0, 1, 2], seg_kv = [1, 1, 0]. Row 0 keeps {2}, row 1 {0, 1},
  // row 2 nothing.
  expectKept(probe(1, 1, 1, 3, 3,
                   "segment_ids(%sq : tensor<1x3xi32>) kv_segment_ids(%skv : "
                   "tensor<1x3xi32>) masks [#attn.document]",
                   ", %sq: tensor<1x3xi32>, %skv: tensor<1x3xi32>"),
             {makeTensor({1, 3}, {0, 1, 2}), makeTensor({1, 3}, {1, 1, 0})},
             {{2}, {0, 1}, {}});
}

//===----------------------------------------------------------------------===//
// per-query key limit
//===----------------------------------------------------------------------===//

TEST(ReferenceMask, KeyLimitPerQuery) {
  // limit [B, Sq]: b0 = [1, 4, 0], b1 = [2, 3, 9]; keep j < limit[b, i].
  expectKept(probe(2, 1, 1, 3, 4,
                   "key_limit(%lim : tensor<2x3xi32>) masks [#attn.key_limit]",
                   ", %lim: tensor<2x3xi32>"),
             {makeTensor({2, 3}, {1, 4, 0, 2, 3, 9})},
             {{0}, {0, 1, 2, 3}, {}, {0, 1}, {0, 1, 2}, {0, 1, 2, 3}});
}

TEST(ReferenceMask, KeyLimitPerHead) {
  // limit [B, Hq, Sq], GQA Hq = 2, Hkv = 1: head 0 = [1, 2], head 1 = [3, 0].
  expectKept(probe(1, 2, 1, 2, 3,
                   "key_limit(%lim : tensor<1x2x2xi32>) masks "
                   "[#attn.key_limit]",
                   ", %lim: tensor<1x2x2xi32>"),
             {makeTensor({1, 2, 2}, {1, 2, 3, 0})},
             {{0}, {0, 1}, {0, 1, 2}, {}});
}

//===----------------------------------------------------------------------===//
// neighborhood (VARIANTS.md 2.1)
//===----------------------------------------------------------------------===//

TEST(ReferenceMask, Neighborhood1DOddKernel) {
  // S = 6, k = 3, d = t = 1: n = 6, c = u = i,
  // start = clamp(i - 1, 0, 3), window [start, start + 3).
  // i: 0 -> 0, 1 -> 0, 2 -> 1, 3 -> 2, 4 -> 3, 5 -> clamp(4) = 3.
  expectKept(
      probe(1, 1, 1, 6, 6,
            "masks [#attn.neighborhood<grid = [6], kernel = [3]>]"),
      {}, {{0, 1, 2}, {0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 5}, {3, 4, 5}});
}

TEST(ReferenceMask, Neighborhood1DEvenKernel) {
  // S = 6, k = 4: start = clamp(i - 2, 0, 2), window [start, start + 4).
  // i: 0, 1, 2 -> 0; 3 -> 1; 4 -> 2; 5 -> clamp(3) = 2.
  expectKept(probe(1, 1, 1, 6, 6,
                   "masks [#attn.neighborhood<grid = [6], kernel = [4]>]"),
             {},
             {{0, 1, 2, 3},
              {0, 1, 2, 3},
              {0, 1, 2, 3},
              {1, 2, 3, 4},
              {2, 3, 4, 5},
              {2, 3, 4, 5}});
}

TEST(ReferenceMask, Neighborhood1DKernelLargerThanExtent) {
  // S = 3, k = 5: start = clamp(c - 2, 0, max(3 - 5, 0) = 0) = 0, window
  // [0, min(5, 3)) = every key.
  expectKept(probe(1, 1, 1, 3, 3,
                   "masks [#attn.neighborhood<grid = [3], kernel = [5]>]"),
             {}, {{0, 1, 2}, {0, 1, 2}, {0, 1, 2}});
}

TEST(ReferenceMask, Neighborhood1DDilation) {
  // S = 7, k = 3, d = 2. Groups: g = 0 -> positions 0, 2, 4, 6 (n = 4);
  // g = 1 -> 1, 3, 5 (n = 3). u = i div 2, start = clamp(u - 1, 0, n - 3).
  //   i = 0 (u 0): start 0 -> group idx 0..2 -> {0, 2, 4}
  //   i = 2 (u 1): start 0 -> {0, 2, 4}
  //   i = 4 (u 2): start 1 -> {2, 4, 6}
  //   i = 6 (u 3): start clamp(2, 0, 1) = 1 -> {2, 4, 6}
  //   i = 1, 3, 5 (g 1, n 3): start 0 -> {1, 3, 5}
  expectKept(probe(1, 1, 1, 7, 7,
                   "masks [#attn.neighborhood<grid = [7], kernel = [3], "
                   "dilation = [2]>]"),
             {},
             {{0, 2, 4},
              {1, 3, 5},
              {0, 2, 4},
              {1, 3, 5},
              {2, 4, 6},
              {1, 3, 5},
              {2, 4, 6}});
}

TEST(ReferenceMask, Neighborhood1DDilationEvenKernel) {
  // S = 5, k = 2, d = 2. g = 0: 0, 2, 4 (n = 3); g = 1: 1, 3 (n = 2).
  // start = clamp(u - 1, 0, n - 2).
  //   i = 0 (u 0): 0 -> {0, 2};  i = 2 (u 1): 0 -> {0, 2};
  //   i = 4 (u 2): 1 -> {2, 4};  i = 1, 3: n = 2, start 0 -> {1, 3}.
  expectKept(probe(1, 1, 1, 5, 5,
                   "masks [#attn.neighborhood<grid = [5], kernel = [2], "
                   "dilation = [2]>]"),
             {}, {{0, 2}, {1, 3}, {0, 2}, {1, 3}, {2, 4}});
}

TEST(ReferenceMask, Neighborhood1DStride) {
  // S = 8, k = 3, t = 2. Query blocks (in u) [0,1], [2,3], [4,5], [6,7] with
  // centres c = min(7, 2 * (u div 2) + 1) = 1, 3, 5, 7;
  // start = clamp(c - 1, 0, 5) = 0, 2, 4, 5.
  expectKept(probe(1, 1, 1, 8, 8,
                   "masks [#attn.neighborhood<grid = [8], kernel = [3], "
                   "stride = [2]>]"),
             {},
             {{0, 1, 2},
              {0, 1, 2},
              {2, 3, 4},
              {2, 3, 4},
              {4, 5, 6},
              {4, 5, 6},
              {5, 6, 7},
              {5, 6, 7}});
}

TEST(ReferenceMask, Neighborhood1DBlocked) {
  // t = k = 3, S = 7 (blocked attention, partial last block). Blocks [0..2],
  // [3..5], [6]: c = min(6, 3 * (u div 3) + 1) = 1, 4, min(6, 7) = 6;
  // start = clamp(c - 1, 0, 4) = 0, 3, 4.
  expectKept(probe(1, 1, 1, 7, 7,
                   "masks [#attn.neighborhood<grid = [7], kernel = [3], "
                   "stride = [3]>]"),
             {},
             {{0, 1, 2},
              {0, 1, 2},
              {0, 1, 2},
              {3, 4, 5},
              {3, 4, 5},
              {3, 4, 5},
              {4, 5, 6}});
}

TEST(ReferenceMask, Neighborhood1DCausal) {
  // S = 5, k = 3, causal, t = 1: leader l = u; keep w <= u and u - w < 3.
  expectKept(probe(1, 1, 1, 5, 5,
                   "masks [#attn.neighborhood<grid = [5], kernel = [3], "
                   "causal = [true]>]"),
             {}, {{0}, {0, 1}, {0, 1, 2}, {1, 2, 3}, {2, 3, 4}});
}

TEST(ReferenceMask, Neighborhood1DCausalStride) {
  // S = 5, k = 3, causal, t = 2. Leader l = min(2 * (u div 2) + 1, 4):
  //   u 0, 1 -> l 1: w <= u and w > -2 -> {0}, {0, 1}
  //   u 2, 3 -> l 3: w <= u and w > 0  -> {1, 2}, {1, 2, 3}
  //   u 4    -> l = min(5, 4) = 4: w > 1 -> {2, 3, 4}
  expectKept(probe(1, 1, 1, 5, 5,
                   "masks [#attn.neighborhood<grid = [5], kernel = [3], "
                   "stride = [2], causal = [true]>]"),
             {}, {{0}, {0, 1}, {1, 2}, {1, 2, 3}, {2, 3, 4}});
}

TEST(ReferenceMask, Neighborhood1DCausalDilation) {
  // S = 6, k = 2, d = 2, causal. g 0: 0, 2, 4; g 1: 1, 3, 5. Keep group index
  // w with w <= u and u - w < 2:
  //   i 0 -> {0}; i 1 -> {1}; i 2 (u 1) -> {0, 2}; i 3 -> {1, 3};
  //   i 4 (u 2) -> {2, 4}; i 5 -> {3, 5}.
  expectKept(probe(1, 1, 1, 6, 6,
                   "masks [#attn.neighborhood<grid = [6], kernel = [2], "
                   "dilation = [2], causal = [true]>]"),
             {}, {{0}, {1}, {0, 2}, {1, 3}, {2, 4}, {3, 5}});
}

TEST(ReferenceMask, Neighborhood1DBottomRight) {
  // Sq = 3, Skv = 6 (the grid covers the keys): p(i) = i + 3. k = 3:
  // p 3 -> start 2 -> {2, 3, 4}; p 4 -> 3 -> {3, 4, 5}; p 5 -> 3.
  expectKept(probe(1, 1, 1, 3, 6,
                   "masks [#attn.neighborhood<grid = [6], kernel = [3]>]"),
             {}, {{2, 3, 4}, {3, 4, 5}, {3, 4, 5}});
}

TEST(ReferenceMask, NeighborhoodSinksNonCausal) {
  // S = 4, k = 1, sinks = 2: the window is {i}; keys 0 and 1 are always kept,
  // even after p(i), since no dimension is causal.
  expectKept(probe(1, 1, 1, 4, 4,
                   "masks [#attn.neighborhood<grid = [4], kernel = [1], sinks "
                   "= 2>]"),
             {}, {{0, 1}, {0, 1}, {0, 1, 2}, {0, 1, 3}});
}

TEST(ReferenceMask, NeighborhoodSinksCausal) {
  // S = 6, k = 2, causal, sinks = 2: window {i-1, i}; sinks 0, 1 kept only
  // where j <= p(i) = i (row 0 must not keep key 1).
  expectKept(
      probe(1, 1, 1, 6, 6,
            "masks [#attn.neighborhood<grid = [6], kernel = [2], "
            "causal = [true], sinks = 2>]"),
      {}, {{0}, {0, 1}, {0, 1, 2}, {0, 1, 2, 3}, {0, 1, 3, 4}, {0, 1, 4, 5}});
}

TEST(ReferenceMask, Neighborhood2D) {
  // Grid 3 x 4 (token = 4 x + y), kernel [2, 3].
  // dim 0 (extent 3, k 2): start = clamp(x - 1, 0, 1):
  //   x 0 -> {0, 1}, x 1 -> {0, 1}, x 2 -> {1, 2}
  // dim 1 (extent 4, k 3): start = clamp(y - 1, 0, 1):
  //   y 0 -> {0, 1, 2}, y 1 -> {0, 1, 2}, y 2 -> {1, 2, 3}, y 3 -> {1, 2, 3}
  // E.g. token 11 (x 2, y 3) keeps {5, 6, 7, 9, 10, 11}.
  std::vector<std::vector<int64_t>> dim0 = {{0, 1}, {0, 1}, {1, 2}};
  std::vector<std::vector<int64_t>> dim1 = {
      {0, 1, 2}, {0, 1, 2}, {1, 2, 3}, {1, 2, 3}};
  KeptSets kept;
  for (int64_t x = 0; x < 3; ++x)
    for (int64_t y = 0; y < 4; ++y)
      kept.push_back(gridKeys({3, 4}, {dim0[x], dim1[y]}));
  EXPECT_EQ(kept[11], (std::vector<int64_t>{5, 6, 7, 9, 10, 11}));
  expectKept(probe(1, 1, 1, 12, 12,
                   "masks [#attn.neighborhood<grid = [3, 4], kernel = [2, "
                   "3]>]"),
             {}, kept);
}

TEST(ReferenceMask, Neighborhood2DDilationStride) {
  // Grid 4 x 4, kernel [2, 2], dilation [2, 1], stride [1, 2].
  // dim 0 (d 2): g 0 = {0, 2}, g 1 = {1, 3}, both n = 2 = k: the whole group.
  //   x 0, 2 -> {0, 2}; x 1, 3 -> {1, 3}
  // dim 1 (t 2): blocks [0, 1] (c 1, start 0) and [2, 3] (c 3, start 2).
  //   y 0, 1 -> {0, 1}; y 2, 3 -> {2, 3}
  // E.g. token 6 (x 1, y 2) keeps {6, 7, 14, 15}.
  std::vector<std::vector<int64_t>> dim0 = {{0, 2}, {1, 3}, {0, 2}, {1, 3}};
  std::vector<std::vector<int64_t>> dim1 = {{0, 1}, {0, 1}, {2, 3}, {2, 3}};
  KeptSets kept;
  for (int64_t x = 0; x < 4; ++x)
    for (int64_t y = 0; y < 4; ++y)
      kept.push_back(gridKeys({4, 4}, {dim0[x], dim1[y]}));
  EXPECT_EQ(kept[6], (std::vector<int64_t>{6, 7, 14, 15}));
  expectKept(probe(1, 1, 1, 16, 16,
                   "masks [#attn.neighborhood<grid = [4, 4], kernel = [2, 2], "
                   "dilation = [2, 1], stride = [1, 2]>]"),
             {}, kept);
}

TEST(ReferenceMask, Neighborhood3DCausalTime) {
  // Grid 3 x 2 x 3 (token = 6 x + 3 y + z), kernel [2, 1, 2], causal in x.
  // dim 0 (extent 3, k 2, causal): w <= x and x - w < 2:
  //   x 0 -> {0}, x 1 -> {0, 1}, x 2 -> {1, 2}
  // dim 1 (extent 2, k 1): start = clamp(y, 0, 1) -> {y}
  // dim 2 (extent 3, k 2): start = clamp(z - 1, 0, 1):
  //   z 0 -> {0, 1}, z 1 -> {0, 1}, z 2 -> {1, 2}
  // E.g. token 17 (x 2, y 1, z 2) keeps {10, 11, 16, 17}.
  std::vector<std::vector<int64_t>> dim0 = {{0}, {0, 1}, {1, 2}};
  std::vector<std::vector<int64_t>> dim1 = {{0}, {1}};
  std::vector<std::vector<int64_t>> dim2 = {{0, 1}, {0, 1}, {1, 2}};
  KeptSets kept;
  for (int64_t x = 0; x < 3; ++x)
    for (int64_t y = 0; y < 2; ++y)
      for (int64_t z = 0; z < 3; ++z)
        kept.push_back(gridKeys({3, 2, 3}, {dim0[x], dim1[y], dim2[z]}));
  EXPECT_EQ(kept[17], (std::vector<int64_t>{10, 11, 16, 17}));
  expectKept(probe(1, 1, 1, 18, 18,
                   "masks [#attn.neighborhood<grid = [3, 2, 3], kernel = [2, "
                   "1, 2], causal = [true, false, false]>]"),
             {}, kept);
}

//===----------------------------------------------------------------------===//
// block-sparse
//===----------------------------------------------------------------------===//

TEST(ReferenceMask, BlockSparseBitmapBroadcast) {
  // B = 2, Hq = 2, Sq = 3, Skv = 5, Bq = Bk = 2: 2 query blocks, 3 key blocks
  // (the last ones partial). One layout [1, 1, 2, 3] for every (b, h):
  //   query block 0 (rows 0, 1): [2, 0, 1] -> key blocks 0, 2 -> {0, 1, 4}
  //   query block 1 (row 2):     [0, 1, 0] -> key block 1    -> {2, 3}
  // (any non-zero entry keeps).
  KeptSets one = {{0, 1, 4}, {0, 1, 4}, {2, 3}};
  KeptSets kept;
  for (int r = 0; r < 4; ++r)
    kept.insert(kept.end(), one.begin(), one.end());
  expectKept(probe(2, 2, 1, 3, 5,
                   "block_layout(%l : tensor<1x1x2x3xi8>) masks "
                   "[#attn.block_sparse<q_block = 2, kv_block = 2, format = "
                   "bitmap>]",
                   ", %l: tensor<1x1x2x3xi8>"),
             {makeTensor({1, 1, 2, 3}, {2, 0, 1, 0, 1, 0})}, kept);
}

TEST(ReferenceMask, BlockSparseBitmapPerBatchAndHead) {
  // B = 2, Hq = 2, Sq = 2, Skv = 4, Bq = Bk = 2: one query block, 2 key
  // blocks. (b0,h0) [1, 0] -> {0, 1}; (b0,h1) [0, 1] -> {2, 3};
  // (b1,h0) [1, 1] -> all; (b1,h1) [0, 0] -> nothing.
  expectKept(
      probe(2, 2, 2, 2, 4,
            "block_layout(%l : tensor<2x2x1x2xi32>) masks "
            "[#attn.block_sparse<q_block = 2, kv_block = 2, format = "
            "bitmap>]",
            ", %l: tensor<2x2x1x2xi32>"),
      {makeTensor({2, 2, 1, 2}, {1, 0, 0, 1, 1, 1, 0, 0})},
      {{0, 1}, {0, 1}, {2, 3}, {2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3}, {}, {}});
}

TEST(ReferenceMask, BlockSparseIndexListsPerBatch) {
  // B = 2, Hq = 2, Sq = 3, Skv = 5, Bq = Bk = 2 (3 key blocks), lists of
  // K = 3, layout [B, 1, 2, 3] broadcast over heads; -1 pads, duplicates
  // are harmless.
  //   b0: block 0 [2, -1, 2] -> {4};         block 1 [-1, -1, -1] -> none
  //   b1: block 0 [0, 0, -1] -> {0, 1};      block 1 [1, 2, -1] -> {2, 3, 4}
  KeptSets b0 = {{4}, {4}, {}}, b1 = {{0, 1}, {0, 1}, {2, 3, 4}};
  KeptSets kept;
  for (const KeptSets *sets : {&b0, &b0, &b1, &b1})
    kept.insert(kept.end(), sets->begin(), sets->end());
  expectKept(
      probe(2, 2, 1, 3, 5,
            "block_layout(%l : tensor<2x1x2x3xi32>) masks "
            "[#attn.block_sparse<q_block = 2, kv_block = 2, format = "
            "indices>]",
            ", %l: tensor<2x1x2x3xi32>"),
      {makeTensor({2, 1, 2, 3}, {2, -1, 2, -1, -1, -1, 0, 0, -1, 1, 2, -1})},
      kept);
}

TEST(ReferenceMask, BlockSparseIndexListsBroadcastAndPerHead) {
  // [1, 1, ...]: Sq = 4, Skv = 6, Bq = 2, Bk = 3 (2 key blocks), K = 2.
  //   block 0 [1, -1] -> {3, 4, 5}; block 1 [0, 1] -> all 6.
  expectKept(probe(2, 1, 1, 4, 6,
                   "block_layout(%l : tensor<1x1x2x2xi32>) masks "
                   "[#attn.block_sparse<q_block = 2, kv_block = 3, format = "
                   "indices>]",
                   ", %l: tensor<1x1x2x2xi32>"),
             {makeTensor({1, 1, 2, 2}, {1, -1, 0, 1})},
             {{3, 4, 5},
              {3, 4, 5},
              {0, 1, 2, 3, 4, 5},
              {0, 1, 2, 3, 4, 5},
              {3, 4, 5},
              {3, 4, 5},
              {0, 1, 2, 3, 4, 5},
              {0, 1, 2, 3, 4, 5}});
  // [1, Hq, ...] with GQA (Hq = 2, Hkv = 1): the layout is indexed by the
  // query head. Sq = 1, Skv = 4, Bk = 2. h0 [1] -> {2, 3}; h1 [0] -> {0, 1}.
  expectKept(probe(1, 2, 1, 1, 4,
                   "block_layout(%l : tensor<1x2x1x1xi32>) masks "
                   "[#attn.block_sparse<q_block = 2, kv_block = 2, format = "
                   "indices>]",
                   ", %l: tensor<1x2x1x1xi32>"),
             {makeTensor({1, 2, 1, 1}, {1, 0})}, {{2, 3}, {0, 1}});
}

//===----------------------------------------------------------------------===//
// selected tokens
//===----------------------------------------------------------------------===//

TEST(ReferenceMask, SelectedTokensPerQueryHead) {
  // idx [B, Hq, K] with Hq = 2, Hkv = 1, Skv = 5. h0 [3, 3, 1]: {1, 3}, each
  // 1/2 (a duplicate counted twice would give key 3 weight 2/3); h1
  // [-1, 4, -1]: {4}.
  expectKept(probe(1, 2, 1, 1, 5,
                   "selected(%idx : tensor<1x2x3xi32>) masks "
                   "[#attn.selected_tokens]",
                   ", %idx: tensor<1x2x3xi32>"),
             {makeTensor({1, 2, 3}, {3, 3, 1, -1, 4, -1})}, {{1, 3}, {4}});
}

TEST(ReferenceMask, SelectedTokensPerKvHead) {
  // idx [B, Hkv, K] with Hq = 4, Hkv = 2: query head h reads the list of kv
  // head h / 2. b0: kvh0 [0, -1] -> {0}, kvh1 [2, 1] -> {1, 2};
  // b1: kvh0 [-1, -1] -> nothing, kvh1 [3, 3] -> {3}.
  expectKept(probe(2, 4, 2, 1, 4,
                   "selected(%idx : tensor<2x2x2xi32>) masks "
                   "[#attn.selected_tokens]",
                   ", %idx: tensor<2x2x2xi32>"),
             {makeTensor({2, 2, 2}, {0, -1, 2, 1, -1, -1, 3, 3})},
             {{0}, {0}, {1, 2}, {1, 2}, {}, {}, {3}, {3}});
}

TEST(ReferenceMask, SelectedTokensWithCausal) {
  // Sq = 2, Skv = 4, p(i) = i + 2; idx [3, 1, 0] AND causal:
  // row 0 (p 2) keeps {0, 1}; row 1 (p 3) keeps {0, 1, 3}.
  expectKept(probe(1, 1, 1, 2, 4,
                   "selected(%idx : tensor<1x1x3xi32>) masks [#attn.causal, "
                   "#attn.selected_tokens]",
                   ", %idx: tensor<1x1x3xi32>"),
             {makeTensor({1, 1, 3}, {3, 1, 0})}, {{0, 1}, {0, 1, 3}});
}

TEST(ReferenceMask, SelectedTokensKeepOriginalKeyIndex) {
  // Positional modifiers use the original key index, not the slot in the
  // list: idx [0, 2], Sq = 1, Skv = 3 (p = 2), ALiBi slope ln 2, K = 0.
  // Key 0: ln 2 * (0 - 2) -> exp 1/4; key 2: 0 -> exp 1; weights 1/5, 4/5
  // (slots 0, 1 would give key 2 the bias of distance -1: 1/3, 2/3).
  AttentionSpec spec =
      probe(1, 1, 1, 1, 3,
            "selected(%idx : tensor<1x1x2xi32>) alibi_slopes(%sl : "
            "tensor<1xf32>) masks [#attn.selected_tokens] modifiers "
            "[#attn.alibi]",
            ", %idx: tensor<1x1x2xi32>, %sl: tensor<1xf32>");
  OracleRun run =
      runOracle(spec.str(), {probeQuery(1, 1, 1), probeKey(1, 1, 3),
                             probeValue(1, 1, 3), makeTensor({1, 1, 2}, {0, 2}),
                             makeTensor({1}, {std::log(2.0)})});
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {0.2, 0, 0.8});
  expectNear(run.results[1], {std::log(1.25)});
}

//===----------------------------------------------------------------------===//
// mask region
//===----------------------------------------------------------------------===//

const char *kEvenOrDiagonalRegion = R"mlir(
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index):
      %c0 = arith.constant 0 : index
      %c2 = arith.constant 2 : index
      %p = attn.position %b, %i
      %r = arith.remui %j, %c2 : index
      %even = arith.cmpi eq, %r, %c0 : index
      %diag = arith.cmpi eq, %j, %p : index
      %keep = arith.ori %even, %diag : i1
      attn.yield %keep : i1
    })mlir";

TEST(ReferenceMask, CustomRegion) {
  // keep iff j is even or j == p(i); Sq = Skv = 4.
  expectKept(probe(1, 1, 1, 4, 4, kEvenOrDiagonalRegion), {},
             {{0, 2}, {0, 1, 2}, {0, 2}, {0, 2, 3}});
}

TEST(ReferenceMask, CustomRegionAndNamedMask) {
  // The region is ANDed with the named masks: with causal,
  // row 0 {0}, row 1 {0, 1}, row 2 {0, 2}, row 3 {0, 2, 3}.
  expectKept(probe(1, 1, 1, 4, 4,
                   std::string("masks [#attn.causal]") + kEvenOrDiagonalRegion),
             {}, {{0}, {0, 1}, {0, 2}, {0, 2, 3}});
}

TEST(ReferenceMask, CustomRegionWithCaptureAndPosition) {
  // keep iff p(i) - j < w[h], w = [1, 3]; Sq = 2, Skv = 4, p(i) = i + 2.
  //   h0: row 0 (p 2) j > 1 -> {2, 3}; row 1 (p 3) j > 2 -> {3}
  //   h1: row 0 j > -1 -> all;           row 1 j > 0 -> {1, 2, 3}
  expectKept(probe(1, 2, 2, 2, 4, R"mlir(captures(%w : tensor<2xi64>)
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index, %wt: tensor<2xi64>):
      %p = attn.position %b, %i
      %d = arith.subi %p, %j : index
      %wh = tensor.extract %wt[%h] : tensor<2xi64>
      %wi = arith.index_cast %wh : i64 to index
      %keep = arith.cmpi slt, %d, %wi : index
      attn.yield %keep : i1
    })mlir",
                   ", %w: tensor<2xi64>"),
             {makeTensor({2}, {1, 3})}, {{2, 3}, {3}, {0, 1, 2, 3}, {1, 2, 3}});
}

TEST(ReferenceMask, CustomRegionPositionWithLengths) {
  // keep iff j <= attn.position(b, i), with q_len = [1, 2], kv_len = [3, 2],
  // Sq = 2, Skv = 3: p(i) = i + kv_len[b] - q_len[b].
  //   b0: offset 2: row 0 (p 2) keeps {0, 1, 2}; row 1 is padded.
  //   b1: offset 0: row 0 {0}, row 1 {0, 1}.
  expectKept(probe(2, 1, 1, 2, 3, R"mlir(q_len(%ql : tensor<2xi32>)
    kv_len(%kl : tensor<2xi32>)
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index):
      %p = attn.position %b, %i
      %keep = arith.cmpi sle, %j, %p : index
      attn.yield %keep : i1
    })mlir",
                   ", %ql: tensor<2xi32>, %kl: tensor<2xi32>"),
             {makeTensor({2}, {1, 2}), makeTensor({2}, {3, 2})},
             {{0, 1, 2}, {}, {0}, {0, 1}});
}

//===----------------------------------------------------------------------===//
// q_len / kv_len, empty rows (section 1)
//===----------------------------------------------------------------------===//

TEST(ReferenceMask, LengthsWithNaNPadding) {
  // B = 3, Sq = 3, Skv = 4, causal, q_len = [2, 3, 2], kv_len = [2, 4, 0].
  //   b0: p(i) = i + (2 - 2) = i: row 0 {0}, row 1 {0, 1}, row 2 padded.
  //   b1: p(i) = i + 1: {0, 1}, {0, 1, 2}, {0, 1, 2, 3}.
  //   b2: no key at all: every row is 0 with lse = -inf.
  // Every padded entry of Q, K and V holds NaN; none may reach the output.
  AttentionSpec spec =
      probe(3, 1, 1, 3, 4,
            "q_len(%ql : tensor<3xi32>) kv_len(%kl : tensor<3xi32>) masks "
            "[#attn.causal]",
            ", %ql: tensor<3xi32>, %kl: tensor<3xi32>");
  Tensor q = probeQuery(3, 1, 3), k = probeKey(3, 1, 4),
         v = probeValue(3, 1, 4);
  q.at({0, 0, 2, 0}) = kNaN;
  q.at({2, 0, 2, 0}) = kNaN;
  k.at({0, 0, 2, 0}) = kNaN;
  k.at({0, 0, 3, 0}) = kNaN;
  for (int64_t j = 0; j < 4; ++j)
    k.at({2, 0, j, 0}) = kNaN;
  for (int64_t d = 0; d < 4; ++d) {
    v.at({0, 0, 2, d}) = kNaN;
    v.at({0, 0, 3, d}) = kNaN;
    for (int64_t j = 0; j < 4; ++j)
      v.at({2, 0, j, d}) = kNaN;
  }
  OracleRun run = runOracle(spec.str(), {q, k, v, makeTensor({3}, {2, 3, 2}),
                                         makeTensor({3}, {2, 4, 0})});
  ASSERT_TRUE(run.ok()) << run.error;
  KeptSets kept = {{0},    {0, 1},    {},           // b0
                   {0, 1}, {0, 1, 2}, {0, 1, 2, 3}, // b1
                   {},     {},        {}};          // b2
  expectNear(run.results[0], uniformRows(kept, 4));
  expectNear(run.results[1], uniformLse(kept));
}

TEST(ReferenceMask, QueryLengthOnlyOffset) {
  // q_len = [2] without kv_len: p(i) = i + (Skv - q_len) = i + 1 (Sq = Skv =
  // 3). Row 0 {0, 1}, row 1 {0, 1, 2}, row 2 padded.
  expectKept(probe(1, 1, 1, 3, 3,
                   "q_len(%ql : tensor<1xi32>) masks [#attn.causal]",
                   ", %ql: tensor<1xi32>"),
             {makeTensor({1}, {2})}, {{0, 1}, {0, 1, 2}, {}});
}

TEST(ReferenceMask, LengthsTopLeft) {
  // Top-left ignores the lengths for p(i) = i: q_len 2, kv_len 3, Sq = 3,
  // Skv = 4, causal: row 0 {0}, row 1 {0, 1}, row 2 padded.
  expectKept(probe(1, 1, 1, 3, 4,
                   "q_len(%ql : tensor<1xi32>) kv_len(%kl : tensor<1xi32>) "
                   "alignment(top_left) masks [#attn.causal]",
                   ", %ql: tensor<1xi32>, %kl: tensor<1xi32>"),
             {makeTensor({1}, {2}), makeTensor({1}, {3})}, {{0}, {0, 1}, {}});
}

TEST(ReferenceMask, KvLengthWithoutMask) {
  // kv_len = [2, 3] alone: keys j >= kv_len[b] are never kept.
  expectKept(probe(2, 1, 1, 1, 3, "kv_len(%kl : tensor<2xi32>)",
                   ", %kl: tensor<2xi32>"),
             {makeTensor({2}, {2, 3})}, {{0, 1}, {0, 1, 2}});
}

TEST(ReferenceMask, KvLengthOnlyOffset) {
  // kv_len = [3] without q_len, Sq = 2, Skv = 4, causal:
  // p(i) = i + (kv_len - Sq) = i + 1. Row 0 {0, 1}, row 1 {0, 1, 2}.
  expectKept(probe(1, 1, 1, 2, 4,
                   "kv_len(%kl : tensor<1xi32>) masks [#attn.causal]",
                   ", %kl: tensor<1xi32>"),
             {makeTensor({1}, {3})}, {{0, 1}, {0, 1, 2}});
}

//===----------------------------------------------------------------------===//
// GQA / MQA head mapping (section 1)
//===----------------------------------------------------------------------===//

TEST(ReferenceMask, GroupedQueryHeadMapping) {
  // Hq = 4, Hkv = 2 (G = 2): head h reads kv head h / 2, i.e. 0, 0, 1, 1
  // (h mod Hkv would read 0, 1, 0, 1). D = 1, scale 1, q = 1:
  //   kv head 0: k = [0, ln 3] -> weights 1/4, 3/4; v = [0, 4] -> o = 3
  //   kv head 1: k = [ln 3, 0] -> weights 3/4, 1/4; v = [8, 0] -> o = 6
  AttentionSpec spec;
  spec.q = {1, 4, 1, 1};
  spec.k = {1, 2, 2, 1};
  spec.v = {1, 2, 2, 1};
  spec.clauses = "scale(1.0)";
  OracleRun run =
      runOracle(spec.str(),
                {Tensor({1, 4, 1, 1}, 1.0),
                 makeTensor({1, 2, 2, 1}, {0, std::log(3.0), std::log(3.0), 0}),
                 makeTensor({1, 2, 2, 1}, {0, 4, 8, 0})});
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {3, 3, 6, 6});
}

TEST(ReferenceMask, MultiQueryHeadMapping) {
  // Hq = 3, Hkv = 1: every head reads the one kv head with its own query.
  // k = [0, ln 2], v = [0, 1], q_h = h + 1: s = [0, (h + 1) ln 2], so the
  // weight of key 1 is 2^(h+1) / (1 + 2^(h+1)) = 2/3, 4/5, 8/9.
  AttentionSpec spec;
  spec.q = {1, 3, 1, 1};
  spec.k = {1, 1, 2, 1};
  spec.v = {1, 1, 2, 1};
  spec.clauses = "scale(1.0)";
  OracleRun run =
      runOracle(spec.str(), {makeTensor({1, 3, 1, 1}, {1, 2, 3}),
                             makeTensor({1, 1, 2, 1}, {0, std::log(2.0)}),
                             makeTensor({1, 1, 2, 1}, {0, 1})});
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {2.0 / 3, 4.0 / 5, 8.0 / 9});
}

//===----------------------------------------------------------------------===//
// paged KV cache (section 7)
//===----------------------------------------------------------------------===//

TEST(ReferenceMask, PagedPageTableIndirection) {
  // 3 pages of 2 slots, Hkv = 1; K = 0 and V one-hot over the physical slot
  // (page * 2 + offset), so the output shows which slots each row read.
  // page_table b0 = [2, 0], kv_len 3: logical keys 0, 1, 2 live in page 2
  // offsets 0, 1 and page 0 offset 0 -> slots {4, 5, 0}, 1/3 each.
  // b1 = [1, 7], kv_len 2: keys 0, 1 in page 1 -> slots {2, 3}, 1/2 each;
  // its second entry lies past the length and is never read. Slot 1 (page 0,
  // offset 1) is past b0's length and holds NaN.
  const char *spec = R"mlir(
func.func @f(%q: tensor<2x1x1x1xf32>, %k: tensor<3x2x1x1xf32>,
             %v: tensor<3x2x1x6xf32>, %pt: tensor<2x2xi32>, %kl: tensor<2xi32>)
    -> (tensor<2x1x1x6xf32>, tensor<2x1x1xf32>) {
  %o, %lse = attn.attention %q, %k, %v kv_len(%kl : tensor<2xi32>)
      page_table(%pt : tensor<2x2xi32>)
      : tensor<2x1x1x1xf32>, tensor<3x2x1x1xf32>, tensor<3x2x1x6xf32>
      -> tensor<2x1x1x6xf32>, lse tensor<2x1x1xf32>
  return %o, %lse : tensor<2x1x1x6xf32>, tensor<2x1x1xf32>
}
)mlir";
  Tensor k({3, 2, 1, 1}, 0.0);
  Tensor v = makeTensorFrom(
      {3, 2, 1, 6}, [](int64_t n) { return n / 6 == n % 6 ? 1.0 : 0.0; });
  k.at({0, 1, 0, 0}) = kNaN;
  for (int64_t d = 0; d < 6; ++d)
    v.at({0, 1, 0, d}) = kNaN;
  OracleRun run = runOracle(spec, {Tensor({2, 1, 1, 1}, 1.0), k, v,
                                   makeTensor({2, 2}, {2, 0, 1, 7}),
                                   makeTensor({2}, {3, 2})});
  ASSERT_TRUE(run.ok()) << run.error;
  double third = 1.0 / 3;
  expectNear(run.results[0],
             {third, 0, 0, 0, third, third, 0, 0, 0.5, 0.5, 0, 0});
  expectNear(run.results[1], {std::log(3.0), std::log(2.0)});
}

TEST(ReferenceMask, PagedKvHeads) {
  // One page of 2 slots holding Hkv = 2 heads, Hq = 2 (head h reads kv head
  // h). K = 0; V[page 0, offset o, kv head c] = e_(2 o + c), so head h
  // averages entries h and 2 + h: 1/2 each.
  const char *spec = R"mlir(
func.func @f(%q: tensor<1x2x1x1xf32>, %k: tensor<1x2x2x1xf32>,
             %v: tensor<1x2x2x4xf32>, %pt: tensor<1x1xi32>, %kl: tensor<1xi32>)
    -> tensor<1x2x1x4xf32> {
  %o = attn.attention %q, %k, %v kv_len(%kl : tensor<1xi32>)
      page_table(%pt : tensor<1x1xi32>)
      : tensor<1x2x1x1xf32>, tensor<1x2x2x1xf32>, tensor<1x2x2x4xf32>
      -> tensor<1x2x1x4xf32>
  return %o : tensor<1x2x1x4xf32>
}
)mlir";
  Tensor v = makeTensorFrom(
      {1, 2, 2, 4}, [](int64_t n) { return n / 4 == n % 4 ? 1.0 : 0.0; });
  OracleRun run =
      runOracle(spec, {Tensor({1, 2, 1, 1}, 1.0), Tensor({1, 2, 2, 1}, 0.0), v,
                       makeTensor({1, 1}, {0}), makeTensor({1}, {2})});
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {0.5, 0, 0.5, 0, 0, 0.5, 0, 0.5});
}

TEST(ReferenceMask, PagedChunkedPrefillWithPaddedBias) {
  // 2 pages of 2 slots, page_table [1, 0], kv_len 3, Sq = 2, causal:
  // p(i) = i + 1, row 0 keeps logical {0, 1}, row 1 keeps {0, 1, 2}.
  // Logical keys 0, 1, 2 live in slots 2, 3, 0 (page * 2 + offset). K = 0;
  // the bias is indexed by the padded key length 2 * 2 = 4:
  //   row 0: [0, ln 3, *, *] -> weights 1/4, 3/4
  //   row 1: [0, ln 2, ln 3, NaN] -> weights 1/6, 2/6, 3/6 (key 3 is past
  //   kv_len; its NaN must not leak).
  // V one-hot over the 4 slots: row 0 = slots (2, 3) = (1/4, 3/4);
  // row 1 = slots (2, 3, 0) = (1/6, 2/6, 3/6).
  const char *spec = R"mlir(
func.func @f(%q: tensor<1x1x2x1xf32>, %k: tensor<2x2x1x1xf32>,
             %v: tensor<2x2x1x4xf32>, %pt: tensor<1x2xi32>, %kl: tensor<1xi32>,
             %bias: tensor<1x1x2x4xf32>) -> tensor<1x1x2x4xf32> {
  %o = attn.attention %q, %k, %v kv_len(%kl : tensor<1xi32>)
      page_table(%pt : tensor<1x2xi32>) bias(%bias : tensor<1x1x2x4xf32>)
      masks [#attn.causal] modifiers [#attn.bias]
      : tensor<1x1x2x1xf32>, tensor<2x2x1x1xf32>, tensor<2x2x1x4xf32>
      -> tensor<1x1x2x4xf32>
  return %o : tensor<1x1x2x4xf32>
}
)mlir";
  Tensor v = makeTensorFrom(
      {2, 2, 1, 4}, [](int64_t n) { return n / 4 == n % 4 ? 1.0 : 0.0; });
  double l2 = std::log(2.0), l3 = std::log(3.0);
  OracleRun run = runOracle(
      spec, {Tensor({1, 1, 2, 1}, 1.0), Tensor({2, 2, 1, 1}, 0.0), v,
             makeTensor({1, 2}, {1, 0}), makeTensor({1}, {3}),
             makeTensor({1, 1, 2, 4}, {0, l3, 100, 100, 0, l2, l3, kNaN})});
  ASSERT_TRUE(run.ok()) << run.error;
  expectNear(run.results[0], {0, 0, 0.25, 0.75, 3.0 / 6, 0, 1.0 / 6, 2.0 / 6});
}

} // namespace
