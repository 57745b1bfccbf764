//===- RuntimeErrorTests.cpp - Bad arguments rejected by attnrt -----------===//
//
// Every kind of bad argument a caller can pass to a compiled kernel is
// rejected before the kernel runs, with its status and the exact message
// (which argument, what it holds, what was expected). The outputs start as
// NaN and must stay NaN: a rejected call writes nothing.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestSpecs.h"
#include "RuntimeTestUtils.h"

#include "gtest/gtest.h"

#include <string>

using namespace attn::testing;

namespace {

/// The arguments of @causal_gqa (q [B, 4, Sq, 8], k/v [B, 2, Skv, 8], out,
/// lse), valid until a test breaks one.
class CausalGqaCall : public ::testing::Test {
protected:
  CausalGqaCall()
      : q(kF32, {2, 4, 5, 8}), k(kF32, {2, 2, 9, 8}), v(kF32, {2, 2, 9, 8}),
        out(kF32, {2, 4, 5, 8}), lse(kF32, {2, 4, 5}) {
    std::mt19937 rng(7);
    q.fillRandom(rng);
    k.fillRandom(rng);
    v.fillRandom(rng);
    out.fill(NAN);
    lse.fill(NAN);
  }

  attnStatus call() {
    return attn_causal_gqa(qArg, kArg, vArg, outArg, lseArg);
  }

  /// Calls with the current arguments, expecting `status` and `message`, and
  /// that nothing was written.
  void expectRejected(attnStatus status, const std::string &message) {
    EXPECT_EQ(call(), status) << attnGetLastError();
    EXPECT_EQ(std::string(attnGetLastError()), message);
    for (int64_t n = 0; n < out.size(); ++n)
      ASSERT_TRUE(std::isnan(out.get(n))) << "the kernel ran";
  }

  HostTensor q, k, v, out, lse;
  DLTensor *qArg = q.dl(), *kArg = k.dl(), *vArg = v.dl(), *outArg = out.dl(),
           *lseArg = lse.dl();
};

TEST_F(CausalGqaCall, ValidArgumentsRun) {
  ASSERT_EQ(call(), ATTN_SUCCESS) << attnGetLastError();
  EXPECT_FALSE(std::isnan(out.get(0)));
}

TEST_F(CausalGqaCall, NullTensor) {
  kArg = nullptr;
  expectRejected(ATTN_ERROR_NULL_POINTER,
                 "causal_gqa: argument 'k' (input 1, key): the DLTensor "
                 "pointer is null");
  kArg = k.dl();
  lseArg = nullptr;
  expectRejected(ATTN_ERROR_NULL_POINTER,
                 "causal_gqa: argument 'lse' (output 1, lse): the DLTensor "
                 "pointer is null");
}

TEST_F(CausalGqaCall, NullData) {
  v.tensor.data = nullptr;
  expectRejected(ATTN_ERROR_NULL_POINTER,
                 "causal_gqa: argument 'v' (input 2, value): the data "
                 "pointer is null");
}

TEST_F(CausalGqaCall, NullShape) {
  q.tensor.shape = nullptr;
  expectRejected(ATTN_ERROR_NULL_POINTER,
                 "causal_gqa: argument 'q' (input 0, query): the shape "
                 "pointer is null");
}

TEST_F(CausalGqaCall, WrongDtype) {
  HostTensor half(kF16, {2, 4, 5, 8});
  qArg = half.dl();
  expectRejected(ATTN_ERROR_DTYPE,
                 "causal_gqa: argument 'q' (input 0, query): has element "
                 "type float16, expected float32 (f32)");
  qArg = q.dl();
  lse.tensor.dtype = {kDLFloat, 64, 1};
  expectRejected(ATTN_ERROR_DTYPE,
                 "causal_gqa: argument 'lse' (output 1, lse): has element "
                 "type float64, expected float32 (f32)");
  lse.tensor.dtype = {kDLFloat, 32, 4};
  expectRejected(ATTN_ERROR_DTYPE,
                 "causal_gqa: argument 'lse' (output 1, lse): has element "
                 "type float32x4, expected float32 (f32)");
}

TEST_F(CausalGqaCall, WrongRank) {
  HostTensor flat(kF32, {2, 4, 40});
  qArg = flat.dl();
  expectRejected(ATTN_ERROR_RANK,
                 "causal_gqa: argument 'q' (input 0, query): has 3 "
                 "dimensions [2, 4, 40], expected 4 [B, 4, Sq, 8]");
}

TEST_F(CausalGqaCall, WrongStaticSize) {
  HostTensor wide(kF32, {2, 4, 5, 16});
  qArg = wide.dl();
  expectRejected(ATTN_ERROR_SHAPE,
                 "causal_gqa: argument 'q' (input 0, query): dimension 3 is "
                 "16, expected 8 (D); shape [2, 4, 5, 16], expected "
                 "[B, 4, Sq, 8]");
}

TEST_F(CausalGqaCall, MismatchedHeads) {
  // The spec serves 4 query heads from 2 key/value heads.
  HostTensor threeHeads(kF32, {2, 3, 9, 8});
  kArg = threeHeads.dl();
  expectRejected(ATTN_ERROR_SHAPE,
                 "causal_gqa: argument 'k' (input 1, key): dimension 1 is 3, "
                 "expected 2 (Hkv); shape [2, 3, 9, 8], expected "
                 "[B, 2, Skv, 8]");
  kArg = k.dl();
  HostTensor eightHeads(kF32, {2, 8, 5, 8});
  qArg = eightHeads.dl();
  expectRejected(ATTN_ERROR_SHAPE,
                 "causal_gqa: argument 'q' (input 0, query): dimension 1 is "
                 "8, expected 4 (Hq); shape [2, 8, 5, 8], expected "
                 "[B, 4, Sq, 8]");
}

TEST_F(CausalGqaCall, MismatchedBatch) {
  HostTensor otherBatch(kF32, {3, 2, 9, 8});
  vArg = otherBatch.dl();
  expectRejected(ATTN_ERROR_SHAPE,
                 "causal_gqa: argument 'v' (input 2, value): dimension 0 is "
                 "3, but B is 2 (from dimension 0 of 'q'); shape [3, 2, 9, "
                 "8], expected [B, 2, Skv, 8]");
}

TEST_F(CausalGqaCall, MismatchedKeyLength) {
  HostTensor shorter(kF32, {2, 2, 8, 8});
  vArg = shorter.dl();
  expectRejected(ATTN_ERROR_SHAPE,
                 "causal_gqa: argument 'v' (input 2, value): dimension 2 is "
                 "8, but Skv is 9 (from dimension 2 of 'k'); shape [2, 2, 8, "
                 "8], expected [B, 2, Skv, 8]");
}

TEST_F(CausalGqaCall, WrongOutputShape) {
  HostTensor longer(kF32, {2, 4, 6, 8});
  longer.fill(NAN);
  outArg = longer.dl();
  EXPECT_EQ(call(), ATTN_ERROR_SHAPE);
  EXPECT_STREQ(attnGetLastError(),
               "causal_gqa: argument 'out' (output 0, output): dimension 2 is "
               "6, but Sq is 5 (from dimension 2 of 'q'); shape [2, 4, 6, "
               "8], expected [B, 4, Sq, 8]");
  outArg = out.dl();
  HostTensor shortLse(kF32, {2, 4, 4});
  lseArg = shortLse.dl();
  expectRejected(ATTN_ERROR_SHAPE,
                 "causal_gqa: argument 'lse' (output 1, lse): dimension 2 is "
                 "4, but Sq is 5 (from dimension 2 of 'q'); shape [2, 4, 4], "
                 "expected [B, 4, Sq]");
}

TEST_F(CausalGqaCall, NegativeSize) {
  int64_t shape[] = {2, 4, -5, 8};
  q.tensor.shape = shape;
  expectRejected(ATTN_ERROR_SHAPE,
                 "causal_gqa: argument 'q' (input 0, query): dimension 2 is "
                 "-5, a size must be >= 0");
}

TEST_F(CausalGqaCall, NonCompactStrides) {
  // k viewed as [B, Hkv, D, Skv] transposed back: strides of a permutation.
  int64_t transposed[] = {144, 72, 1, 9};
  k.tensor.strides = transposed;
  expectRejected(ATTN_ERROR_STRIDES,
                 "causal_gqa: argument 'k' (input 1, key): strides [144, 72, "
                 "1, 9] of shape [2, 2, 9, 8] are not the compact row-major "
                 "strides [144, 72, 8, 1]; pass a contiguous tensor");
  // A slice with padding between rows.
  int64_t padded[] = {160, 80, 10, 1};
  k.tensor.strides = padded;
  EXPECT_EQ(call(), ATTN_ERROR_STRIDES);
}

TEST_F(CausalGqaCall, WrongDevice) {
  q.tensor.device = {kDLCUDA, 0};
  expectRejected(ATTN_ERROR_DEVICE,
                 "causal_gqa: argument 'q' (input 0, query): is on CUDA:0, "
                 "but the kernel was compiled only for: CPU");
  q.tensor.device = {kDLCPU, 0};
  lse.tensor.device = {kDLROCM, 1};
  expectRejected(ATTN_ERROR_DEVICE,
                 "causal_gqa: argument 'lse' (output 1, lse): is on ROCm:1 "
                 "but argument 'q' is on CPU:0; every argument must be on one "
                 "device");
}

TEST_F(CausalGqaCall, Misaligned) {
  q.tensor.byte_offset = 2;
  EXPECT_EQ(call(), ATTN_ERROR_ALIGNMENT);
  std::string message = attnGetLastError();
  EXPECT_EQ(message.find("causal_gqa: argument 'q' (input 0, query): data + "
                         "byte_offset ("),
            0u)
      << message;
  EXPECT_NE(message.find(") is not a multiple of 4 bytes, the alignment "
                         "float32 (f32) elements need"),
            std::string::npos)
      << message;
}

TEST_F(CausalGqaCall, OutputAliasesAnInput) {
  HostTensor alias(kF32, {2, 4, 5, 8});
  alias.tensor.data = q.tensor.data; // Same memory as q.
  outArg = alias.dl();
  EXPECT_EQ(call(), ATTN_ERROR_ALIASING);
  EXPECT_STREQ(attnGetLastError(),
               "causal_gqa: argument 'out' (output 0, output): overlaps "
               "argument 'q'; an output needs memory of its own");
  // lse inside out's buffer.
  outArg = out.dl();
  lse.tensor.data = out.tensor.data;
  lse.tensor.byte_offset = 64;
  expectRejected(ATTN_ERROR_ALIASING,
                 "causal_gqa: argument 'out' (output 0, output): overlaps "
                 "argument 'lse'; an output needs memory of its own");
}

TEST_F(CausalGqaCall, GenericLaunchChecksTheCount) {
  const attnKernel *kernel;
  ASSERT_EQ(attnRegisterKernel(&attn_causal_gqa_kernel, &kernel), ATTN_SUCCESS);
  const DLTensor *arguments[] = {q.dl(), k.dl(), v.dl(), out.dl()};
  EXPECT_EQ(attnLaunch(kernel, arguments, 4), ATTN_ERROR_INVALID_VALUE);
  EXPECT_STREQ(attnGetLastError(), "causal_gqa: got 4 arguments, expected 5 "
                                   "(3 inputs and 2 outputs)");
  EXPECT_EQ(attnLaunch(kernel, nullptr, 5), ATTN_ERROR_NULL_POINTER);
  EXPECT_STREQ(attnGetLastError(), "causal_gqa: the argument array is null");
  EXPECT_EQ(attnLaunch(nullptr, arguments, 4), ATTN_ERROR_NULL_POINTER);
  EXPECT_STREQ(attnGetLastError(), "attnLaunch: null kernel");
}

/// @varlen_f16: kv_len values, a broadcast bias, a scalar.
class VarlenCall : public ::testing::Test {
protected:
  VarlenCall()
      : q(kF16, {2, 2, 5, 16}), k(kF16, {2, 2, 9, 16}), v(kF16, {2, 2, 9, 16}),
        kvLen(kI32, {2}), bias(kF32, {2, 1, 5, 9}), t(kF32, {}),
        out(kF16, {2, 2, 5, 16}) {
    kvLen.set(0, 9);
    kvLen.set(1, 3);
    t.set(0, 1.0);
  }
  attnStatus call() {
    return attn_varlen_f16(q.dl(), k.dl(), v.dl(), kvLen.dl(), bias.dl(),
                           t.dl(), out.dl());
  }
  HostTensor q, k, v, kvLen, bias, t, out;
};

TEST_F(VarlenCall, LengthsOutOfRange) {
  ASSERT_EQ(call(), ATTN_SUCCESS) << attnGetLastError();
  kvLen.set(1, 10);
  EXPECT_EQ(call(), ATTN_ERROR_DATA);
  EXPECT_STREQ(attnGetLastError(),
               "varlen_f16: argument 'kv_len' (input 3, kv_len): element 1 is "
               "10, expected 0 <= kv_len[...] <= Skv = 9");
  kvLen.set(1, -1);
  EXPECT_EQ(call(), ATTN_ERROR_DATA);
  HostTensor wide(DLDataType{kDLInt, 64, 1}, {2});
  EXPECT_EQ(attn_varlen_f16(q.dl(), k.dl(), v.dl(), wide.dl(), bias.dl(),
                            t.dl(), out.dl()),
            ATTN_ERROR_DTYPE);
  EXPECT_STREQ(attnGetLastError(),
               "varlen_f16: argument 'kv_len' (input 3, kv_len): has element "
               "type int64, expected int32 (i32)");
}

/// @linear_decay_f32: linear attention's operands are checked like
/// attention's (the key/value heads, the value length, kv_len in range).
TEST(LinearCall, ShapesAndLengths) {
  HostTensor q(kF32, {2, 4, 5, 8}), k(kF32, {2, 2, 9, 8}),
      v(kF32, {2, 2, 9, 8}), kvLen(kI32, {2}), out(kF32, {2, 4, 5, 8});
  kvLen.set(0, 9);
  kvLen.set(1, 4);
  ASSERT_EQ(attn_linear_decay_f32(q.dl(), k.dl(), v.dl(), kvLen.dl(), out.dl()),
            ATTN_SUCCESS)
      << attnGetLastError();
  kvLen.set(1, 10);
  EXPECT_EQ(attn_linear_decay_f32(q.dl(), k.dl(), v.dl(), kvLen.dl(), out.dl()),
            ATTN_ERROR_DATA);
  EXPECT_STREQ(attnGetLastError(),
               "linear_decay_f32: argument 'kv_len' (input 3, kv_len): element "
               "1 is 10, expected 0 <= kv_len[...] <= Skv = 9");
  kvLen.set(1, 4);
  HostTensor shortValues(kF32, {2, 2, 8, 8});
  EXPECT_NE(attn_linear_decay_f32(q.dl(), k.dl(), shortValues.dl(), kvLen.dl(),
                                  out.dl()),
            ATTN_SUCCESS);
  EXPECT_NE(std::string(attnGetLastError()).find("'v'"), std::string::npos)
      << attnGetLastError();
}

TEST_F(VarlenCall, BroadcastDimensions) {
  // Each of B, Sq and Skv may be 1 in the bias.
  HostTensor small(kF32, {1, 1, 1, 9});
  EXPECT_EQ(attn_varlen_f16(q.dl(), k.dl(), v.dl(), kvLen.dl(), small.dl(),
                            t.dl(), out.dl()),
            ATTN_SUCCESS)
      << attnGetLastError();
  HostTensor wrong(kF32, {2, 1, 3, 9});
  EXPECT_EQ(attn_varlen_f16(q.dl(), k.dl(), v.dl(), kvLen.dl(), wrong.dl(),
                            t.dl(), out.dl()),
            ATTN_ERROR_SHAPE);
  EXPECT_STREQ(attnGetLastError(),
               "varlen_f16: argument 'bias' (input 4, bias): dimension 2 is "
               "3, expected 1 or Sq = 5 (it broadcasts)");
}

TEST_F(VarlenCall, ScalarArgument) {
  HostTensor vector(kF32, {1});
  EXPECT_EQ(attn_varlen_f16(q.dl(), k.dl(), v.dl(), kvLen.dl(), bias.dl(),
                            vector.dl(), out.dl()),
            ATTN_ERROR_RANK);
  EXPECT_STREQ(attnGetLastError(),
               "varlen_f16: argument 't' (input 5, captures): has 1 "
               "dimensions [1], expected 0 (a scalar as a 0-d tensor)");
  t.tensor.data = nullptr;
  EXPECT_EQ(call(), ATTN_ERROR_NULL_POINTER);
}

TEST(BlocksCall, CapturedLayoutMustCoverTheRegionsIndices) {
  HostTensor q(kBF16, {1, 2, 5, 8}), k(kBF16, {1, 2, 9, 8}),
      v(kBF16, {1, 2, 9, 8}), out(kBF16, {1, 2, 5, 8});
  // ceil(5 / 4) = 2 query blocks and ceil(9 / 4) = 3 key blocks.
  HostTensor fits(kI8, {1, 2, 2, 3}), shortRows(kI8, {1, 2, 1, 3}),
      shortColumns(kI8, {1, 2, 2, 2});
  EXPECT_EQ(attn_blocks_bf16(q.dl(), k.dl(), v.dl(), fits.dl(), out.dl()),
            ATTN_SUCCESS)
      << attnGetLastError();
  EXPECT_EQ(attn_blocks_bf16(q.dl(), k.dl(), v.dl(), shortRows.dl(), out.dl()),
            ATTN_ERROR_SHAPE);
  EXPECT_STREQ(attnGetLastError(),
               "blocks_bf16: argument 'layout' (input 3, captures): dimension "
               "2 is 1, expected at least 2 = ceil(Sq / 4), Sq = 5 (the kernel "
               "indexes it over that range)");
  EXPECT_EQ(
      attn_blocks_bf16(q.dl(), k.dl(), v.dl(), shortColumns.dl(), out.dl()),
      ATTN_ERROR_SHAPE);
  HostTensor wrongType(kF32, {1, 2, 2, 3});
  EXPECT_EQ(attn_blocks_bf16(q.dl(), k.dl(), v.dl(), wrongType.dl(), out.dl()),
            ATTN_ERROR_DTYPE);
  EXPECT_STREQ(attnGetLastError(),
               "blocks_bf16: argument 'layout' (input 3, captures): has "
               "element type float32, expected int8 (i8)");
  HostTensor halfQuery(kF16, {1, 2, 5, 8});
  EXPECT_EQ(
      attn_blocks_bf16(halfQuery.dl(), k.dl(), v.dl(), fits.dl(), out.dl()),
      ATTN_ERROR_DTYPE);
  EXPECT_STREQ(attnGetLastError(),
               "blocks_bf16: argument 'q' (input 0, query): has element type "
               "float16, expected bfloat16 (bf16)");
}

/// @paged_f32: pages of 4 keys, a page table and lengths.
class PagedCall : public ::testing::Test {
protected:
  PagedCall()
      : q(kF32, {2, 4, 3, 8}), kPages(kF32, {5, 4, 2, 8}),
        vPages(kF32, {5, 4, 2, 8}), pageTable(kI32, {2, 3}), kvLen(kI32, {2}),
        out(kF32, {2, 4, 3, 8}), lse(kF32, {2, 4, 3}) {
    for (int n = 0; n < 6; ++n)
      pageTable.set(n, (n * 3) % 5);
    kvLen.set(0, 12);
    kvLen.set(1, 5);
  }
  attnStatus call(const DLTensor *table = nullptr) {
    return attn_paged_f32(q.dl(), kPages.dl(), vPages.dl(),
                          table ? table : pageTable.dl(), kvLen.dl(), out.dl(),
                          lse.dl());
  }
  HostTensor q, kPages, vPages, pageTable, kvLen, out, lse;
};

TEST_F(PagedCall, PageTableMustPointIntoTheCache) {
  ASSERT_EQ(call(), ATTN_SUCCESS) << attnGetLastError();
  pageTable.set(4, 5);
  EXPECT_EQ(call(), ATTN_ERROR_DATA);
  EXPECT_STREQ(attnGetLastError(),
               "paged_f32: argument 'page_table' (input 3, page_table): "
               "element 4 is 5, expected 0 <= page_table[...] < Pages = 5");
  pageTable.set(4, -1);
  EXPECT_EQ(call(), ATTN_ERROR_DATA);
}

TEST_F(PagedCall, LengthsMustFitTheTable) {
  // 3 pages of 4 keys: at most 12 keys per entry.
  kvLen.set(1, 13);
  EXPECT_EQ(call(), ATTN_ERROR_DATA);
  EXPECT_STREQ(attnGetLastError(),
               "paged_f32: argument 'kv_len' (input 4, kv_len): element 1 is "
               "13, expected 0 <= kv_len[...] <= Skv = 12 (MaxPages * "
               "PageSize = 3 * 4)");
}

TEST_F(PagedCall, CacheShapes) {
  HostTensor fewerPages(kF32, {4, 4, 2, 8});
  EXPECT_EQ(attn_paged_f32(q.dl(), kPages.dl(), fewerPages.dl(), pageTable.dl(),
                           kvLen.dl(), out.dl(), lse.dl()),
            ATTN_ERROR_SHAPE);
  EXPECT_STREQ(attnGetLastError(),
               "paged_f32: argument 'v_pages' (input 2, value): dimension 0 "
               "is 4, but Pages is 5 (from dimension 0 of 'k_pages'); shape "
               "[4, 4, 2, 8], expected [Pages, 4, 2, 8]");
  HostTensor otherBatch(kI32, {3, 3});
  EXPECT_EQ(call(otherBatch.dl()), ATTN_ERROR_SHAPE);
  EXPECT_STREQ(attnGetLastError(),
               "paged_f32: argument 'page_table' (input 3, page_table): "
               "dimension 0 is 3, but B is 2 (from dimension 0 of 'q'); "
               "shape [3, 3], expected [B, MaxPages]");
}

TEST(LayoutStatsCall, LayoutAndStatisticsMustCoverTheBlocks) {
  HostTensor q(kF32, {1, 2, 5, 8}), k(kF32, {1, 2, 9, 8}),
      v(kF32, {1, 2, 9, 8}), out(kF32, {1, 2, 5, 8});
  // Layout: ceil(5 / 4) = 2 x ceil(9 / 4) = 3 blocks; statistics:
  // ceil(5 / 4) = 2 x ceil(9 / 8) = 2.
  HostTensor layout(kI8, {1, 2, 2, 3}), stats(kF32, {1, 2, 2, 2});
  HostTensor shortLayout(kI8, {1, 2, 2, 2}), shortStats(kF32, {1, 2, 1, 2});
  EXPECT_EQ(attn_layout_stats_f32(q.dl(), k.dl(), v.dl(), layout.dl(), out.dl(),
                                  stats.dl()),
            ATTN_SUCCESS)
      << attnGetLastError();
  EXPECT_EQ(attn_layout_stats_f32(q.dl(), k.dl(), v.dl(), shortLayout.dl(),
                                  out.dl(), stats.dl()),
            ATTN_ERROR_SHAPE);
  EXPECT_STREQ(attnGetLastError(),
               "layout_stats_f32: argument 'layout' (input 3, block_layout): "
               "dimension 3 is 2, expected at least 3 = ceil(Skv / 4), Skv = "
               "9 (the kernel indexes it over that range)");
  EXPECT_EQ(attn_layout_stats_f32(q.dl(), k.dl(), v.dl(), layout.dl(), out.dl(),
                                  shortStats.dl()),
            ATTN_ERROR_SHAPE);
  EXPECT_STREQ(attnGetLastError(),
               "layout_stats_f32: argument 'block_max' (output 1, block_max): "
               "dimension 2 is 1, expected at least 2 = ceil(Sq / 4), Sq = 5 "
               "(the kernel indexes it over that range)");
}

TEST(MergeCall, PartsMustAgree) {
  HostTensor o1(kF32, {2, 4, 3, 8}), o2(kF32, {2, 4, 3, 8}),
      l1(kF32, {2, 4, 3}), l2(kF32, {2, 4, 4}), out(kF32, {2, 4, 3, 8}),
      lse(kF32, {2, 4, 3});
  EXPECT_EQ(
      attn_merge_f32(o1.dl(), o2.dl(), l1.dl(), l2.dl(), out.dl(), lse.dl()),
      ATTN_ERROR_SHAPE);
  EXPECT_STREQ(attnGetLastError(),
               "merge_f32: argument 'l2' (input 3, partial_lse): dimension 2 "
               "is 4, but Sq is 3 (from dimension 2 of 'o1'); shape [2, 4, "
               "4], expected [B, 4, Sq]");
}

} // namespace
