//===- RuntimeTests.cpp - Compiled kernels through attnrt's C API ---------===//
//
// The kernels of RuntimeTestSpecs.mlir (compiled by attn-compile at build
// time) run through the generated entry points and the generic API, and
// their results are compared with an attention computed here in double
// precision (RuntimeTestUtils.h), not with the oracle. Also: the registry,
// output shapes, strides the runtime accepts, threads and devices.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestSpecs.h"
#include "RuntimeTestUtils.h"

#include "gtest/gtest.h"

#include <string>

using namespace attn::testing;

namespace {

TEST(RuntimeResults, BlockLayoutAndStatisticsMatchReference) {
  // One compiled kernel at two lengths; keep(i, j) = layout[b, h, i / 4,
  // j / 4]; block_max[b, h, i / 4, j / 8] is the largest softmax weight of
  // the kept pairs in the block (0 where none).
  std::mt19937 rng(3);
  for (auto [queries, keys] : {std::pair(9, 13), std::pair(16, 30)}) {
    int64_t qBlocks = (queries + 3) / 4, kBlocks = (keys + 3) / 4;
    HostTensor q(kF32, {2, 2, queries, 8}), k(kF32, {2, 2, keys, 8}),
        v(kF32, {2, 2, keys, 8}), layout(kI8, {2, 2, qBlocks, kBlocks});
    q.fillRandom(rng);
    k.fillRandom(rng);
    v.fillRandom(rng);
    std::bernoulli_distribution set(0.5);
    for (int64_t n = 0; n < layout.elements; ++n)
      layout.set(n, set(rng) ? 1.0 : 0.0);
    int64_t statBlocks = (keys + 7) / 8;
    HostTensor out(kF32, {2, 2, queries, 8}),
        stats(kF32, {2, 2, qBlocks, statBlocks});
    ASSERT_EQ(attn_layout_stats_f32(q.dl(), k.dl(), v.dl(), layout.dl(),
                                    out.dl(), stats.dl()),
              ATTN_SUCCESS)
        << attnGetLastError();
    auto keep = [&](int64_t b, int64_t h, int64_t i, int64_t j) {
      return layout.get(((b * 2 + h) * qBlocks + i / 4) * kBlocks + j / 4) != 0;
    };
    ReferenceOptions options;
    options.scale = 1.0 / std::sqrt(8.0);
    options.keep = keep;
    std::vector<double> expected, expectedLse;
    referenceAttention(q, k, v, options, expected, expectedLse);
    EXPECT_LT(maxDifference(out, expected), 1e-5) << queries << "x" << keys;
    // Block maxima from the reference's own weights: exp(s - lse).
    std::vector<double> expectedStats(stats.elements, 0.0);
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t h = 0; h < 2; ++h)
        for (int64_t i = 0; i < queries; ++i)
          for (int64_t j = 0; j < keys; ++j) {
            if (!keep(b, h, i, j))
              continue;
            double s = 0;
            for (int64_t d = 0; d < 8; ++d)
              s += q.get(q.at4(b, h, i, d)) * k.get(k.at4(b, h, j, d));
            double w = std::exp(options.scale * s -
                                expectedLse[(b * 2 + h) * queries + i]);
            double &cell =
                expectedStats[((b * 2 + h) * qBlocks + i / 4) * statBlocks +
                              j / 8];
            cell = std::max(cell, w);
          }
    EXPECT_LT(maxDifference(stats, expectedStats), 1e-5)
        << queries << "x" << keys;
  }
}

TEST(RuntimeResults, LinearAttentionWithDecayMatchesReference) {
  // One compiled chunked kernel at lengths below, at and past the 64-position
  // chunk: o_i = sum_{j <= p} lambda^(p - j) (phi(q_i) . phi(k_j)) v_j over
  // the same sum without v (+ 1e-6), p = i + kv_len[b] - Sq.
  std::mt19937 rng(4);
  const double decay[4] = {0.9, 0.95, 0.99, 1.0};
  auto phi = [](double x) { return x > 0 ? x + 1.0 : std::exp(x); };
  for (auto [queries, keys] :
       {std::pair(5, 9), std::pair(64, 64), std::pair(70, 150)}) {
    HostTensor q(kF32, {2, 4, queries, 8}), k(kF32, {2, 2, keys, 8}),
        v(kF32, {2, 2, keys, 8}), kvLen(kI32, {2});
    q.fillRandom(rng);
    k.fillRandom(rng);
    v.fillRandom(rng);
    kvLen.set(0, keys);
    kvLen.set(1, keys - 3);
    HostTensor out(kF32, {2, 4, queries, 8});
    ASSERT_EQ(
        attn_linear_decay_f32(q.dl(), k.dl(), v.dl(), kvLen.dl(), out.dl()),
        ATTN_SUCCESS)
        << attnGetLastError();
    std::vector<double> expected(out.elements, 0.0);
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t h = 0; h < 4; ++h)
        for (int64_t i = 0; i < queries; ++i) {
          int64_t p = i + int64_t(kvLen.get(b)) - queries;
          double numerator[8] = {}, denominator = 0.0;
          for (int64_t j = 0; j <= p; ++j) {
            double w = 0.0;
            for (int64_t d = 0; d < 8; ++d)
              w += phi(q.get(q.at4(b, h, i, d))) *
                   phi(k.get(k.at4(b, h / 2, j, d)));
            w *= std::pow(decay[h], double(p - j));
            denominator += w;
            for (int64_t d = 0; d < 8; ++d)
              numerator[d] += w * v.get(v.at4(b, h / 2, j, d));
          }
          for (int64_t d = 0; d < 8; ++d)
            expected[out.at4(b, h, i, d)] =
                p < 0 ? 0.0 : numerator[d] / (denominator + 1e-6);
        }
    EXPECT_LT(maxDifference(out, expected), 1e-5) << queries << "x" << keys;
  }
}

TEST(RuntimeResults, CausalGqaMatchesReference) {
  std::mt19937 rng(1);
  // Sq != Skv: queries are aligned with the last keys.
  for (auto [queries, keys] : {std::pair(5, 9), std::pair(7, 7),
                               std::pair(1, 33), std::pair(40, 70)}) {
    HostTensor q(kF32, {2, 4, queries, 8}), k(kF32, {2, 2, keys, 8}),
        v(kF32, {2, 2, keys, 8});
    q.fillRandom(rng);
    k.fillRandom(rng);
    v.fillRandom(rng);
    HostTensor out(kF32, {2, 4, queries, 8}), lse(kF32, {2, 4, queries});
    ASSERT_EQ(attn_causal_gqa(q.dl(), k.dl(), v.dl(), out.dl(), lse.dl()),
              ATTN_SUCCESS)
        << attnGetLastError();
    EXPECT_STREQ(attnGetLastError(), "");
    ReferenceOptions options;
    options.scale = 0.5;
    options.causal = true;
    std::vector<double> expected, expectedLse;
    referenceAttention(q, k, v, options, expected, expectedLse);
    EXPECT_LT(maxDifference(out, expected), 1e-5) << queries << "x" << keys;
    EXPECT_LT(maxDifference(lse, expectedLse), 1e-5) << queries << "x" << keys;
  }
}

TEST(RuntimeResults, VarlenF16MatchesReference) {
  std::mt19937 rng(2);
  const int64_t queries = 6, keys = 11;
  HostTensor q(kF16, {3, 2, queries, 16}), k(kF16, {3, 2, keys, 16}),
      v(kF16, {3, 2, keys, 16}), kvLen(kI32, {3}),
      bias(kF32, {1, 1, queries, keys}), t(kF32, {});
  q.fillRandom(rng);
  k.fillRandom(rng);
  v.fillRandom(rng);
  bias.fillRandom(rng);
  t.set(0, 0.7);
  // A full cache, a short one, and an empty one (rows without keys give 0).
  std::vector<int64_t> lengths = {11, 4, 0};
  for (int b = 0; b < 3; ++b)
    kvLen.set(b, double(lengths[b]));
  HostTensor out(kF16, {3, 2, queries, 16});
  out.fill(NAN);
  ASSERT_EQ(attn_varlen_f16(q.dl(), k.dl(), v.dl(), kvLen.dl(), bias.dl(),
                            t.dl(), out.dl()),
            ATTN_SUCCESS)
      << attnGetLastError();
  ReferenceOptions options;
  options.scale = 0.25; // 1 / sqrt(16)
  options.kvLen = lengths;
  options.modify = [&](int64_t b, int64_t h, int64_t i, int64_t j, double s) {
    return (s + bias.get(bias.at4(b, h, i, j))) * 0.7f;
  };
  std::vector<double> expected, expectedLse;
  referenceAttention(q, k, v, options, expected, expectedLse);
  // f16 outputs: half an ulp of values below 1 is 2^-12.
  EXPECT_LT(maxDifference(out, expected), 1e-3);
  for (int64_t n = 2 * 2 * queries * 16; n < out.size(); ++n)
    ASSERT_EQ(out.get(n), 0.0) << "element " << n << " of the empty entry";
}

TEST(RuntimeResults, BlocksBf16MatchesReference) {
  std::mt19937 rng(3);
  const int64_t queries = 9, keys = 13;
  HostTensor q(kBF16, {2, 2, queries, 8}), k(kBF16, {2, 2, keys, 8}),
      v(kBF16, {2, 2, keys, 8});
  q.fillRandom(rng);
  k.fillRandom(rng);
  v.fillRandom(rng);
  // ceil(9 / 4) x ceil(13 / 4) blocks are needed; a larger layout is fine.
  for (int64_t extra : {0, 2}) {
    HostTensor layout(kI8, {2, 2, 3 + extra, 4 + extra});
    for (int64_t n = 0; n < layout.size(); ++n)
      layout.set(n, (rng() % 3) != 0);
    HostTensor out(kBF16, {2, 2, queries, 8});
    ASSERT_EQ(attn_blocks_bf16(q.dl(), k.dl(), v.dl(), layout.dl(), out.dl()),
              ATTN_SUCCESS)
        << attnGetLastError();
    ReferenceOptions options;
    options.scale = 1.0 / std::sqrt(8.0);
    options.keep = [&](int64_t b, int64_t h, int64_t i, int64_t j) {
      return layout.get(layout.at4(b, h, i / 4, j / 4)) != 0;
    };
    std::vector<double> expected, expectedLse;
    referenceAttention(q, k, v, options, expected, expectedLse);
    // bf16 outputs: half an ulp of values below 1 is 2^-9.
    EXPECT_LT(maxDifference(out, expected), 4e-3) << "extra " << extra;
  }
}

TEST(RuntimeResults, PagedCacheMatchesReference) {
  std::mt19937 rng(8);
  const int64_t queries = 3, pages = 7, maxPages = 4;
  HostTensor q(kF32, {2, 4, queries, 8}), kPages(kF32, {pages, 4, 2, 8}),
      vPages(kF32, {pages, 4, 2, 8}), pageTable(kI32, {2, maxPages}),
      kvLen(kI32, {2});
  q.fillRandom(rng);
  kPages.fillRandom(rng);
  vPages.fillRandom(rng);
  // Entry 0 uses pages 6, 1, 3, 0 (16 keys), entry 1 pages 2, 5 (6 keys; the
  // rest of its table is never read).
  int table[2][maxPages] = {{6, 1, 3, 0}, {2, 5, 4, 4}};
  for (int b = 0; b < 2; ++b)
    for (int p = 0; p < maxPages; ++p)
      pageTable.set(b * maxPages + p, table[b][p]);
  kvLen.set(0, 16);
  kvLen.set(1, 6);
  HostTensor out(kF32, {2, 4, queries, 8}), lse(kF32, {2, 4, queries});
  ASSERT_EQ(attn_paged_f32(q.dl(), kPages.dl(), vPages.dl(), pageTable.dl(),
                           kvLen.dl(), out.dl(), lse.dl()),
            ATTN_SUCCESS)
      << attnGetLastError();
  ReferenceOptions options;
  options.scale = 1.0 / std::sqrt(8.0);
  options.causal = true;
  options.kvLen = {16, 6};
  options.pageTable = &pageTable;
  std::vector<double> expected, expectedLse;
  referenceAttention(q, kPages, vPages, options, expected, expectedLse);
  EXPECT_LT(maxDifference(out, expected), 1e-5);
  EXPECT_LT(maxDifference(lse, expectedLse), 1e-5);
}

TEST(RuntimeResults, MergeMatchesReference) {
  std::mt19937 rng(9);
  HostTensor o1(kF32, {2, 4, 3, 8}), o2(kF32, {2, 4, 3, 8}),
      l1(kF32, {2, 4, 3}), l2(kF32, {2, 4, 3});
  o1.fillRandom(rng);
  o2.fillRandom(rng);
  l1.fillRandom(rng);
  l2.fillRandom(rng);
  l2.set(5, -INFINITY); // A part that saw no key.
  HostTensor out(kF32, {2, 4, 3, 8}), lse(kF32, {2, 4, 3});
  ASSERT_EQ(
      attn_merge_f32(o1.dl(), o2.dl(), l1.dl(), l2.dl(), out.dl(), lse.dl()),
      ATTN_SUCCESS)
      << attnGetLastError();
  std::vector<double> expected(out.size()), expectedLse(lse.size());
  for (int64_t row = 0; row < lse.size(); ++row) {
    double a = l1.get(row), b = l2.get(row);
    double m = std::max(a, b);
    double total = m + std::log(std::exp(a - m) + std::exp(b - m));
    expectedLse[row] = total;
    for (int64_t d = 0; d < 8; ++d)
      expected[row * 8 + d] = std::exp(a - total) * o1.get(row * 8 + d) +
                              std::exp(b - total) * o2.get(row * 8 + d);
  }
  EXPECT_LT(maxDifference(out, expected), 1e-5);
  EXPECT_LT(maxDifference(lse, expectedLse), 1e-5);
}

TEST(RuntimeApi, GenericLaunchMatchesTypedEntryPoint) {
  std::mt19937 rng(4);
  HostTensor q(kF32, {1, 4, 3, 8}), k(kF32, {1, 2, 5, 8}),
      v(kF32, {1, 2, 5, 8});
  q.fillRandom(rng);
  k.fillRandom(rng);
  v.fillRandom(rng);
  HostTensor out1(kF32, {1, 4, 3, 8}), lse1(kF32, {1, 4, 3});
  HostTensor out2(kF32, {1, 4, 3, 8}), lse2(kF32, {1, 4, 3});
  ASSERT_EQ(attn_causal_gqa(q.dl(), k.dl(), v.dl(), out1.dl(), lse1.dl()),
            ATTN_SUCCESS);
  const attnKernel *kernel = nullptr;
  ASSERT_EQ(attnRegisterKernel(&attn_causal_gqa_kernel, &kernel), ATTN_SUCCESS);
  const DLTensor *arguments[] = {q.dl(), k.dl(), v.dl(), out2.dl(), lse2.dl()};
  ASSERT_EQ(attnCheckArguments(kernel, arguments, 5), ATTN_SUCCESS);
  ASSERT_EQ(attnLaunch(kernel, arguments, 5), ATTN_SUCCESS);
  EXPECT_EQ(std::memcmp(out1.bytes(), out2.bytes(), 4 * out1.size()), 0);
  EXPECT_EQ(std::memcmp(lse1.bytes(), lse2.bytes(), 4 * lse1.size()), 0);
}

TEST(RuntimeApi, RegistryFindsKernelsByName) {
  const attnKernel *registered = nullptr, *again = nullptr, *found = nullptr;
  ASSERT_EQ(attnRegisterKernel(&attn_varlen_f16_kernel, &registered),
            ATTN_SUCCESS);
  ASSERT_EQ(attnRegisterKernel(&attn_varlen_f16_kernel, &again), ATTN_SUCCESS);
  EXPECT_EQ(registered, again);
  ASSERT_EQ(attnFindKernel("RuntimeTestSpecs.varlen_f16", &found),
            ATTN_SUCCESS);
  EXPECT_EQ(found, registered);
  EXPECT_EQ(attnGetKernelDescriptor(found), &attn_varlen_f16_kernel);
  EXPECT_STREQ(attn_varlen_f16_kernel.function, "varlen_f16");
  EXPECT_EQ(attn_varlen_f16_kernel.numInputs, 6);
  EXPECT_EQ(attn_varlen_f16_kernel.numOutputs, 1);

  EXPECT_EQ(attnFindKernel("RuntimeTestSpecs.nothing", &found),
            ATTN_ERROR_NOT_FOUND);
  EXPECT_EQ(found, nullptr);
  EXPECT_STREQ(attnGetLastError(), "attnFindKernel: no kernel named "
                                   "'RuntimeTestSpecs.nothing' is registered");
  EXPECT_EQ(attnFindKernel(nullptr, &found), ATTN_ERROR_NULL_POINTER);
  EXPECT_EQ(attnRegisterKernel(&attn_varlen_f16_kernel, nullptr),
            ATTN_ERROR_NULL_POINTER);
}

TEST(RuntimeApi, OutputShapesFollowFromTheInputs) {
  HostTensor q(kF32, {3, 4, 7, 8}), k(kF32, {3, 2, 10, 8}),
      v(kF32, {3, 2, 10, 8});
  const attnKernel *kernel;
  ASSERT_EQ(attnRegisterKernel(&attn_causal_gqa_kernel, &kernel), ATTN_SUCCESS);
  const DLTensor *inputs[] = {q.dl(), k.dl(), v.dl()};
  int64_t out[4] = {0}, lse[3] = {0};
  ASSERT_EQ(attnGetOutputShape(kernel, inputs, 3, 0, out), ATTN_SUCCESS);
  ASSERT_EQ(attnGetOutputShape(kernel, inputs, 3, 1, lse), ATTN_SUCCESS);
  EXPECT_EQ(std::vector<int64_t>(out, out + 4),
            (std::vector<int64_t>{3, 4, 7, 8}));
  EXPECT_EQ(std::vector<int64_t>(lse, lse + 3),
            (std::vector<int64_t>{3, 4, 7}));
  EXPECT_EQ(attnGetOutputShape(kernel, inputs, 3, 2, lse),
            ATTN_ERROR_INVALID_VALUE);
  EXPECT_STREQ(attnGetLastError(),
               "causal_gqa: output 2 does not exist (it has 2 outputs)");
  // The inputs are checked as for a launch.
  HostTensor badV(kF32, {3, 2, 11, 8});
  const DLTensor *bad[] = {q.dl(), k.dl(), badV.dl()};
  EXPECT_EQ(attnGetOutputShape(kernel, bad, 3, 0, out), ATTN_ERROR_SHAPE);
}

TEST(RuntimeApi, AcceptsExplicitStridesAndByteOffsets) {
  std::mt19937 rng(5);
  HostTensor q(kF32, {1, 4, 1, 8}), k(kF32, {1, 2, 6, 8}),
      v(kF32, {1, 2, 6, 8});
  q.fillRandom(rng);
  k.fillRandom(rng);
  v.fillRandom(rng);
  HostTensor out(kF32, {1, 4, 1, 8}), lse(kF32, {1, 4, 1});
  ASSERT_EQ(attn_causal_gqa(q.dl(), k.dl(), v.dl(), out.dl(), lse.dl()),
            ATTN_SUCCESS);
  std::vector<double> first(out.size());
  for (int64_t n = 0; n < out.size(); ++n)
    first[n] = out.get(n);

  // Compact strides written out; any stride for the size-1 dimensions (as
  // PyTorch gives them); k's data 16 bytes into its buffer.
  int64_t qStrides[] = {999, 8, 12345, 1};
  int64_t kStrides[] = {96, 48, 8, 1};
  q.tensor.strides = qStrides;
  k.tensor.strides = kStrides;
  std::memmove(k.bytes() + 16, k.bytes(), 4 * k.size());
  k.tensor.byte_offset = 16;
  out.fill(0);
  ASSERT_EQ(attn_causal_gqa(q.dl(), k.dl(), v.dl(), out.dl(), lse.dl()),
            ATTN_SUCCESS)
      << attnGetLastError();
  EXPECT_EQ(maxDifference(out, first), 0.0);
}

TEST(RuntimeApi, EmptyBatchRuns) {
  HostTensor q(kF32, {0, 4, 3, 8}), k(kF32, {0, 2, 5, 8}),
      v(kF32, {0, 2, 5, 8}), out(kF32, {0, 4, 3, 8}), lse(kF32, {0, 4, 3});
  EXPECT_EQ(attn_causal_gqa(q.dl(), k.dl(), v.dl(), out.dl(), lse.dl()),
            ATTN_SUCCESS)
      << attnGetLastError();
}

TEST(RuntimeApi, ThreadCount) {
  int32_t threads = 0, defaultThreads = 0;
  ASSERT_EQ(attnSetNumThreads(0), ATTN_SUCCESS);
  ASSERT_EQ(attnGetNumThreads(&defaultThreads), ATTN_SUCCESS);
  EXPECT_GE(defaultThreads, 1);
  EXPECT_EQ(attnSetNumThreads(-2), ATTN_ERROR_INVALID_VALUE);
  EXPECT_STREQ(attnGetLastError(),
               "attnSetNumThreads: the thread count must be >= 0 (0 for the "
               "default), got -2");
  EXPECT_EQ(attnGetNumThreads(nullptr), ATTN_ERROR_NULL_POINTER);

  // One thread and two give the same results.
  std::mt19937 rng(6);
  HostTensor q(kF32, {2, 4, 70, 8}), k(kF32, {2, 2, 90, 8}),
      v(kF32, {2, 2, 90, 8});
  q.fillRandom(rng);
  k.fillRandom(rng);
  v.fillRandom(rng);
  HostTensor out1(kF32, {2, 4, 70, 8}), lse1(kF32, {2, 4, 70});
  HostTensor out2(kF32, {2, 4, 70, 8}), lse2(kF32, {2, 4, 70});
  ASSERT_EQ(attnSetNumThreads(1), ATTN_SUCCESS);
  ASSERT_EQ(attnGetNumThreads(&threads), ATTN_SUCCESS);
  EXPECT_EQ(threads, 1);
  ASSERT_EQ(attn_causal_gqa(q.dl(), k.dl(), v.dl(), out1.dl(), lse1.dl()),
            ATTN_SUCCESS);
  if (attnSetNumThreads(2) == ATTN_SUCCESS) {
    ASSERT_EQ(attnGetNumThreads(&threads), ATTN_SUCCESS);
    EXPECT_EQ(threads, 2);
  } else {
    EXPECT_EQ(attnSetNumThreads(2), ATTN_ERROR_UNSUPPORTED); // No OpenMP.
  }
  ASSERT_EQ(attn_causal_gqa(q.dl(), k.dl(), v.dl(), out2.dl(), lse2.dl()),
            ATTN_SUCCESS);
  for (int64_t n = 0; n < out1.size(); ++n)
    ASSERT_EQ(out1.get(n), out2.get(n)) << n;
  ASSERT_EQ(attnSetNumThreads(0), ATTN_SUCCESS);
  ASSERT_EQ(attnGetNumThreads(&threads), ATTN_SUCCESS);
  EXPECT_EQ(threads, defaultThreads);
}

TEST(RuntimeApi, Devices) {
  int32_t count = -1;
  ASSERT_EQ(attnGetDeviceCount(kDLCPU, &count), ATTN_SUCCESS);
  EXPECT_EQ(count, 1);
  EXPECT_EQ(attnGetDeviceCount(kDLVulkan, &count), ATTN_ERROR_UNSUPPORTED);
  EXPECT_EQ(count, 0);
  EXPECT_STREQ(attnGetLastError(), "attnGetDeviceCount: this build of attnrt "
                                   "has no backend for Vulkan devices (it has: "
                                   "CPU, CUDA, ROCm)");
  EXPECT_EQ(attnGetDeviceCount(kDLCPU, nullptr), ATTN_ERROR_NULL_POINTER);
}

TEST(RuntimeApi, StatusNames) {
  EXPECT_STREQ(attnGetStatusName(ATTN_SUCCESS), "ATTN_SUCCESS");
  EXPECT_STREQ(attnGetStatusName(ATTN_ERROR_STRIDES), "ATTN_ERROR_STRIDES");
  EXPECT_STREQ(attnGetStatusName(static_cast<attnStatus>(99)),
               "unknown status");
}

} // namespace
