// RUN: attn-opt %s -split-input-file -allow-unregistered-dialect -verify-diagnostics

// Malformed attn.attention ops, one per diagnostic of AttnVerify.cpp and of
// the result-type parser in AttnOps.cpp. Unless a case says otherwise:
// B = 2, Hq = 8, Hkv = 4, Sq = 16, Skv = 32, D = Dv = 32.
// -allow-unregistered-dialect lets a region end in a terminator other than
// attn.yield (the core verifier rejects a region with no terminator first).

//===----------------------------------------------------------------------===//
// Query, key and value
//===----------------------------------------------------------------------===//

func.func @query_rank(%q: tensor<2x8x16xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op query must be a rank-4 tensor [B, Hq, Sq, D], got 'tensor<2x8x16xf32>'}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @key_rank(%q: tensor<2x8x16x32xf32>, %k: tensor<4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op key must be a rank-4 tensor [B, Hkv, Skv, D], got 'tensor<4x32x32xf32>'}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @paged_value_rank(%q: tensor<2x8x1x32xf32>, %k: tensor<64x16x4x32xf32>, %v: tensor<64x16x4x32x1xf32>, %pt: tensor<2x8xi32>, %kvl: tensor<2xi32>) {
  // expected-error @+1 {{'attn.attention' op value must be a rank-4 tensor [num_pages, page_size, Hkv, D], got 'tensor<64x16x4x32x1xf32>'}}
  %o = attn.attention %q, %k, %v kv_len(%kvl : tensor<2xi32>) page_table(%pt : tensor<2x8xi32>) : tensor<2x8x1x32xf32>, tensor<64x16x4x32xf32>, tensor<64x16x4x32x1xf32> -> tensor<2x8x1x32xf32>
  return
}

// -----

func.func @query_element_type(%q: tensor<2x8x16x32xf64>, %k: tensor<2x4x32x32xf64>, %v: tensor<2x4x32x32xf64>) {
  // expected-error @+1 {{'attn.attention' op query element type must be f16, bf16 or f32, got 'f64'}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf64>, tensor<2x4x32x32xf64>, tensor<2x4x32x32xf64> -> tensor<2x8x16x32xf64>
  return
}

// -----

func.func @key_element_type(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf16>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op key element type 'f16' does not match query element type 'f32'}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf16>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @value_element_type(%q: tensor<2x8x16x32xbf16>, %k: tensor<2x4x32x32xbf16>, %v: tensor<2x4x32x32xf16>) {
  // expected-error @+1 {{'attn.attention' op value element type 'f16' does not match query element type 'bf16'}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xbf16>, tensor<2x4x32x32xbf16>, tensor<2x4x32x32xf16> -> tensor<2x8x16x32xbf16>
  return
}

// -----

func.func @dynamic_heads(%q: tensor<2x?x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op head counts must be static}}
  %o = attn.attention %q, %k, %v : tensor<2x?x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x?x16x32xf32>
  return
}

// -----

func.func @dynamic_head_dim(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x?xf32>) {
  // expected-error @+1 {{'attn.attention' op head dimensions must be static}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x?xf32> -> tensor<2x8x16x?xf32>
  return
}

// -----

func.func @zero_kv_heads(%q: tensor<2x8x16x32xf32>, %k: tensor<2x0x32x32xf32>, %v: tensor<2x0x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op head counts must be >= 1, got 8 query heads and 0 key/value heads}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x0x32x32xf32>, tensor<2x0x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @heads_not_multiple(%q: tensor<2x6x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op query heads 6 not a multiple of key/value heads 4}}
  %o = attn.attention %q, %k, %v : tensor<2x6x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x6x16x32xf32>
  return
}

// -----

func.func @key_head_dim(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x64xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op key head dimension 64 does not match query head dimension 32}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x32x64xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @value_heads(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op value heads 2 do not match key heads 4}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @value_length(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x31x32xf32>) {
  // expected-error @+1 {{'attn.attention' op value dimension 2 is 31 but key dimension 2 is 32}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x31x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @value_batch_vs_key(%q: tensor<?x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<3x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op value dimension 0 is 3 but key dimension 0 is 2}}
  %o = attn.attention %q, %k, %v : tensor<?x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<3x4x32x32xf32> -> tensor<?x8x16x32xf32>
  return
}

// -----

func.func @key_batch(%q: tensor<2x8x16x32xf32>, %k: tensor<3x4x32x32xf32>, %v: tensor<3x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op key batch 3 does not match query batch 2}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<3x4x32x32xf32>, tensor<3x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// A dynamic key batch does not hide a value batch that differs from the
// query's.
func.func @value_batch(%q: tensor<2x8x16x32xf32>, %k: tensor<?x4x32x32xf32>, %v: tensor<3x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op value batch 3 does not match query batch 2}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<?x4x32x32xf32>, tensor<3x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @paged_page_size(%q: tensor<2x8x1x32xf32>, %k: tensor<64x16x4x32xf32>, %v: tensor<64x8x4x32xf32>, %pt: tensor<2x8xi32>, %kvl: tensor<2xi32>) {
  // expected-error @+1 {{'attn.attention' op value dimension 1 is 8 but key dimension 1 is 16}}
  %o = attn.attention %q, %k, %v kv_len(%kvl : tensor<2xi32>) page_table(%pt : tensor<2x8xi32>) : tensor<2x8x1x32xf32>, tensor<64x16x4x32xf32>, tensor<64x8x4x32xf32> -> tensor<2x8x1x32xf32>
  return
}

// -----

func.func @paged_heads(%q: tensor<2x8x1x32xf32>, %k: tensor<64x16x3x32xf32>, %v: tensor<64x16x3x32xf32>, %pt: tensor<2x8xi32>, %kvl: tensor<2xi32>) {
  // expected-error @+1 {{'attn.attention' op query heads 8 not a multiple of key/value heads 3}}
  %o = attn.attention %q, %k, %v kv_len(%kvl : tensor<2xi32>) page_table(%pt : tensor<2x8xi32>) : tensor<2x8x1x32xf32>, tensor<64x16x3x32xf32>, tensor<64x16x3x32xf32> -> tensor<2x8x1x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Attributes of the op itself
//===----------------------------------------------------------------------===//

func.func @normalizer_not_a_normalizer(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op normalizer #attn.causal is not an attn normaliser attribute}}
  %o = attn.attention %q, %k, %v normalizer(#attn.causal) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @scale_infinite(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op scale must be finite, got INF}}
  %o = attn.attention %q, %k, %v scale(0x7FF0000000000000) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @scale_nan(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op scale must be finite, got nan}}
  %o = attn.attention %q, %k, %v scale(0x7FF8000000000000) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Results: output, lse, block_max; the gate
//===----------------------------------------------------------------------===//

func.func @output_rank(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op output must be [B, Hq, Sq, Dv] (rank 4), got 'tensor<2x8x512xf32>'}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x512xf32>
  return
}

// -----

func.func @output_value_dim(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x16xf32>) {
  // expected-error @+1 {{'attn.attention' op output dimension 3 is 32, expected 16 ([B, Hq, Sq, Dv])}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x16xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @output_heads(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op output dimension 1 is 4, expected 8 ([B, Hq, Sq, Dv])}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x4x16x32xf32>
  return
}

// -----

func.func @output_element_type(%q: tensor<2x8x16x32xf16>, %k: tensor<2x4x32x32xf16>, %v: tensor<2x4x32x32xf16>) {
  // expected-error @+1 {{'attn.attention' op output element type 'f32' does not match query element type 'f16'}}
  %o = attn.attention %q, %k, %v : tensor<2x8x16x32xf16>, tensor<2x4x32x32xf16>, tensor<2x4x32x32xf16> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @lse_sigmoid(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op an lse result needs a normalised normaliser, but #attn.sigmoid is not normalised}}
  %o, %lse = attn.attention %q, %k, %v normalizer(#attn.sigmoid) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, lse tensor<2x8x16xf32>
  return
}

// -----

func.func @lse_unnormalized_relu(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op an lse result needs a normalised normaliser, but #attn.relu<power = 2.000000e+00> is not normalised}}
  %o, %lse = attn.attention %q, %k, %v normalizer(#attn.relu<power = 2.0>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, lse tensor<2x8x16xf32>
  return
}

// -----

func.func @lse_none(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op an lse result needs a normalised normaliser, but #attn.none is not normalised}}
  %o, %lse = attn.attention %q, %k, %v normalizer(#attn.none) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, lse tensor<2x8x16xf32>
  return
}

// -----

func.func @lse_rank(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op lse must be [B, Hq, Sq] (rank 3), got 'tensor<2x8x16x1xf32>'}}
  %o, %lse = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, lse tensor<2x8x16x1xf32>
  return
}

// -----

func.func @lse_shape(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op lse dimension 2 is 32, expected 16 ([B, Hq, Sq])}}
  %o, %lse = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, lse tensor<2x8x32xf32>
  return
}

// -----

func.func @lse_element_type(%q: tensor<2x8x16x32xf16>, %k: tensor<2x4x32x32xf16>, %v: tensor<2x4x32x32xf16>) {
  // expected-error @+1 {{'attn.attention' op lse element type must be f32}}
  %o, %lse = attn.attention %q, %k, %v : tensor<2x8x16x32xf16>, tensor<2x4x32x32xf16>, tensor<2x4x32x32xf16> -> tensor<2x8x16x32xf16>, lse tensor<2x8x16xf16>
  return
}

// -----

func.func @block_stats_without_result(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op block_stats(...) and a block_max result go together: give both or neither}}
  %o = attn.attention %q, %k, %v block_stats([4, 8]) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @block_max_without_stats(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op block_stats(...) and a block_max result go together: give both or neither}}
  %o, %bm = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, block_max tensor<2x8x4x4xf32>
  return
}

// -----

func.func @block_max_unnormalized(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op block statistics need a normalised normaliser, but #attn.sigmoid<log_length = true> is not normalised}}
  %o, %bm = attn.attention %q, %k, %v normalizer(#attn.sigmoid<log_length = true>) block_stats([4, 8]) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, block_max tensor<2x8x4x4xf32>
  return
}

// -----

func.func @block_stats_one_size(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op block_stats must be [Bq, Bk] with both >= 1}}
  %o, %bm = attn.attention %q, %k, %v block_stats([4]) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, block_max tensor<2x8x4x4xf32>
  return
}

// -----

func.func @block_stats_zero(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op block_stats must be [Bq, Bk] with both >= 1}}
  %o, %bm = attn.attention %q, %k, %v block_stats([4, 0]) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, block_max tensor<2x8x4x4xf32>
  return
}

// -----

func.func @block_max_shape(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // ceil(32 / 6) = 6 key blocks.
  // expected-error @+1 {{'attn.attention' op block_max dimension 3 is 5, expected 6 ([B, Hq, ceil(Sq/Bq), ceil(Skv/Bk)])}}
  %o, %bm = attn.attention %q, %k, %v block_stats([4, 6]) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, block_max tensor<2x8x4x5xf32>
  return
}

// -----

func.func @block_max_element_type(%q: tensor<2x8x16x32xbf16>, %k: tensor<2x4x32x32xbf16>, %v: tensor<2x4x32x32xbf16>) {
  // expected-error @+1 {{'attn.attention' op block_max element type must be f32}}
  %o, %bm = attn.attention %q, %k, %v block_stats([4, 8]) : tensor<2x8x16x32xbf16>, tensor<2x4x32x32xbf16>, tensor<2x4x32x32xbf16> -> tensor<2x8x16x32xbf16>, block_max tensor<2x8x4x4xbf16>
  return
}

// -----

func.func @gate_rank(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %g: tensor<2x8xf32>) {
  // expected-error @+1 {{'attn.attention' op gate must be [B, Hq, Sq] or [B, Hq, Sq, Dv], got 'tensor<2x8xf32>'}}
  %o = attn.attention %q, %k, %v gate(%g : tensor<2x8xf32>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @gate_per_row_shape(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %g: tensor<2x4x16xf32>) {
  // expected-error @+1 {{'attn.attention' op gate dimension 1 is 4, expected 1 or 8 ([B, Hq, Sq])}}
  %o = attn.attention %q, %k, %v gate(%g : tensor<2x4x16xf32>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @gate_per_element_shape(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %g: tensor<2x8x16x3xf32>) {
  // expected-error @+1 {{'attn.attention' op gate dimension 3 is 3, expected 1 or 32 ([B, Hq, Sq, Dv])}}
  %o = attn.attention %q, %k, %v gate(%g : tensor<2x8x16x3xf32>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Lengths and pages
//===----------------------------------------------------------------------===//

func.func @q_len_shape(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %ql: tensor<3xi32>) {
  // expected-error @+1 {{'attn.attention' op q_len dimension 0 is 3, expected 2 ([B])}}
  %o = attn.attention %q, %k, %v q_len(%ql : tensor<3xi32>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @kv_len_rank(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %kvl: tensor<2x1xi32>) {
  // expected-error @+1 {{'attn.attention' op kv_len must be [B] (rank 1), got 'tensor<2x1xi32>'}}
  %o = attn.attention %q, %k, %v kv_len(%kvl : tensor<2x1xi32>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @paged_without_kv_len(%q: tensor<2x8x1x32xf32>, %k: tensor<64x16x4x32xf32>, %v: tensor<64x16x4x32xf32>, %pt: tensor<2x8xi32>) {
  // expected-error @+1 {{'attn.attention' op a paged key/value cache needs kv_len}}
  %o = attn.attention %q, %k, %v page_table(%pt : tensor<2x8xi32>) : tensor<2x8x1x32xf32>, tensor<64x16x4x32xf32>, tensor<64x16x4x32xf32> -> tensor<2x8x1x32xf32>
  return
}

// -----

func.func @page_table_rank(%q: tensor<2x8x1x32xf32>, %k: tensor<64x16x4x32xf32>, %v: tensor<64x16x4x32xf32>, %pt: tensor<16xi32>, %kvl: tensor<2xi32>) {
  // expected-error @+1 {{'attn.attention' op page_table must be [B, max_pages] (rank 2), got 'tensor<16xi32>'}}
  %o = attn.attention %q, %k, %v kv_len(%kvl : tensor<2xi32>) page_table(%pt : tensor<16xi32>) : tensor<2x8x1x32xf32>, tensor<64x16x4x32xf32>, tensor<64x16x4x32xf32> -> tensor<2x8x1x32xf32>
  return
}

// -----

func.func @page_table_batch(%q: tensor<2x8x1x32xf32>, %k: tensor<64x16x4x32xf32>, %v: tensor<64x16x4x32xf32>, %pt: tensor<4x8xi32>, %kvl: tensor<2xi32>) {
  // expected-error @+1 {{'attn.attention' op page_table dimension 0 is 4, expected 2 ([B, max_pages])}}
  %o = attn.attention %q, %k, %v kv_len(%kvl : tensor<2xi32>) page_table(%pt : tensor<4x8xi32>) : tensor<2x8x1x32xf32>, tensor<64x16x4x32xf32>, tensor<64x16x4x32xf32> -> tensor<2x8x1x32xf32>
  return
}

// -----

// Key-indexed operands of a paged cache use the padded key length
// max_pages * page_size = 8 * 16.
func.func @paged_bias_length(%q: tensor<2x8x1x32xf32>, %k: tensor<64x16x4x32xf32>, %v: tensor<64x16x4x32xf32>, %pt: tensor<2x8xi32>, %kvl: tensor<2xi32>, %b: tensor<1x8x1x100xf32>) {
  // expected-error @+1 {{'attn.attention' op bias dimension 3 is 100, expected 1 or 128 ([B, Hq, Sq, Skv])}}
  %o = attn.attention %q, %k, %v kv_len(%kvl : tensor<2xi32>) page_table(%pt : tensor<2x8xi32>) bias(%b : tensor<1x8x1x100xf32>) modifiers [#attn.bias] : tensor<2x8x1x32xf32>, tensor<64x16x4x32xf32>, tensor<64x16x4x32xf32> -> tensor<2x8x1x32xf32>
  return
}

// -----

func.func @paged_block_layout_length(%q: tensor<2x8x1x32xf32>, %k: tensor<64x16x4x32xf32>, %v: tensor<64x16x4x32xf32>, %pt: tensor<2x8xi32>, %kvl: tensor<2xi32>, %layout: tensor<2x8x1x4xi8>) {
  // expected-error @+1 {{'attn.attention' op block_layout dimension 3 is 4, expected 2 ([B or 1, Hq or 1, ceil(Sq/Bq), ceil(Skv/Bk)])}}
  %o = attn.attention %q, %k, %v kv_len(%kvl : tensor<2xi32>) page_table(%pt : tensor<2x8xi32>) block_layout(%layout : tensor<2x8x1x4xi8>) masks [#attn.block_sparse<q_block = 1, kv_block = 64, format = bitmap>] : tensor<2x8x1x32xf32>, tensor<64x16x4x32xf32>, tensor<64x16x4x32xf32> -> tensor<2x8x1x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Masks
//===----------------------------------------------------------------------===//

func.func @mask_not_a_mask(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op masks entry #attn.softcap<3.000000e+01> is not an attn mask attribute}}
  %o = attn.attention %q, %k, %v masks [#attn.causal, #attn.softcap<30.0>] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @mask_not_attn(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op masks entry "causal" is not an attn mask attribute}}
  %o = attn.attention %q, %k, %v masks ["causal"] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @data_mask_twice(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %limit: tensor<2x16xi32>) {
  // expected-error @+1 {{'attn.attention' op mask #attn.key_limit is given twice; it reads one operand}}
  %o = attn.attention %q, %k, %v key_limit(%limit : tensor<2x16xi32>) masks [#attn.key_limit, #attn.causal, #attn.key_limit] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// Two block-sparse masks with different block sizes still read one layout.
func.func @block_sparse_twice(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %layout: tensor<2x8x4x4xi8>) {
  // expected-error @+1 {{'attn.attention' op mask #attn.block_sparse<q_block = 8, kv_block = 8, format = bitmap> is given twice; it reads one operand}}
  %o = attn.attention %q, %k, %v block_layout(%layout : tensor<2x8x4x4xi8>) masks [#attn.block_sparse<q_block = 4, kv_block = 8, format = bitmap>, #attn.block_sparse<q_block = 8, kv_block = 8, format = bitmap>] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @causal_and_prefix_lm(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op prefix_lm replaces causal; give one of them}}
  %o = attn.attention %q, %k, %v masks [#attn.prefix_lm<4>, #attn.causal] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @document_without_segment_ids(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op mask #attn.document needs the segment_ids operand}}
  %o = attn.attention %q, %k, %v masks [#attn.document] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @segment_ids_without_document(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %seg: tensor<2x16xi32>) {
  // expected-error @+1 {{'attn.attention' op segment_ids given but no #attn.document mask reads it}}
  %o = attn.attention %q, %k, %v segment_ids(%seg : tensor<2x16xi32>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @kv_segment_ids_alone(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %kvseg: tensor<2x32xi32>) {
  // expected-error @+1 {{'attn.attention' op kv_segment_ids given without segment_ids}}
  %o = attn.attention %q, %k, %v kv_segment_ids(%kvseg : tensor<2x32xi32>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @segment_ids_shape(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %seg: tensor<2x32xi32>, %kvseg: tensor<2x32xi32>) {
  // expected-error @+1 {{'attn.attention' op segment_ids dimension 1 is 32, expected 1 or 16 ([B, Sq])}}
  %o = attn.attention %q, %k, %v segment_ids(%seg : tensor<2x32xi32>) kv_segment_ids(%kvseg : tensor<2x32xi32>) masks [#attn.document] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @kv_segment_ids_shape(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %seg: tensor<2x16xi32>, %kvseg: tensor<2x16xi32>) {
  // expected-error @+1 {{'attn.attention' op kv_segment_ids dimension 1 is 16, expected 1 or 32 ([B, Skv])}}
  %o = attn.attention %q, %k, %v segment_ids(%seg : tensor<2x16xi32>) kv_segment_ids(%kvseg : tensor<2x16xi32>) masks [#attn.document] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// seg_kv defaults to seg_q only when Sq = Skv.
func.func @document_needs_kv_segment_ids(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %seg: tensor<2x16xi32>) {
  // expected-error @+1 {{'attn.attention' op #attn.document needs kv_segment_ids [B, Skv] when the query length 16 differs from the key length 32}}
  %o = attn.attention %q, %k, %v segment_ids(%seg : tensor<2x16xi32>) masks [#attn.document] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @key_limit_without_operand(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op mask #attn.key_limit needs the key_limit operand}}
  %o = attn.attention %q, %k, %v masks [#attn.key_limit] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @key_limit_without_mask(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %limit: tensor<2x16xi32>) {
  // expected-error @+1 {{'attn.attention' op key_limit given but no #attn.key_limit mask reads it}}
  %o = attn.attention %q, %k, %v key_limit(%limit : tensor<2x16xi32>) masks [#attn.causal] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @key_limit_rank(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %limit: tensor<16xi32>) {
  // expected-error @+1 {{'attn.attention' op key_limit must be [B, Sq] or [B, Hq, Sq] (rank 2), got 'tensor<16xi32>'}}
  %o = attn.attention %q, %k, %v key_limit(%limit : tensor<16xi32>) masks [#attn.key_limit] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// Per-head limits are indexed by the query head, not the key/value head.
func.func @key_limit_per_head(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %limit: tensor<2x4x16xi32>) {
  // expected-error @+1 {{'attn.attention' op key_limit dimension 1 is 4, expected 1 or 8 ([B, Hq, Sq])}}
  %o = attn.attention %q, %k, %v key_limit(%limit : tensor<2x4x16xi32>) masks [#attn.key_limit] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @block_sparse_without_layout(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op mask #attn.block_sparse needs the block_layout operand}}
  %o = attn.attention %q, %k, %v masks [#attn.block_sparse<q_block = 4, kv_block = 8, format = bitmap>] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @layout_without_block_sparse(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %layout: tensor<2x8x4x4xi8>) {
  // expected-error @+1 {{'attn.attention' op block_layout given but no #attn.block_sparse mask reads it}}
  %o = attn.attention %q, %k, %v block_layout(%layout : tensor<2x8x4x4xi8>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @block_layout_float(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %layout: tensor<2x8x4x4xf32>) {
  // expected-error @+1 {{'attn.attention' op block_layout element type must be an integer, got 'f32'}}
  %o = attn.attention %q, %k, %v block_layout(%layout : tensor<2x8x4x4xf32>) masks [#attn.block_sparse<q_block = 4, kv_block = 8, format = bitmap>] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// The layout does not broadcast from the right: it must be rank 4.
func.func @block_layout_rank(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %layout: tensor<4x4xi1>) {
  // expected-error @+1 {{'attn.attention' op block_layout must broadcast to [B or 1, Hq or 1, ceil(Sq/Bq), ceil(Skv/Bk)], got 'tensor<4x4xi1>'}}
  %o = attn.attention %q, %k, %v block_layout(%layout : tensor<4x4xi1>) masks [#attn.block_sparse<q_block = 4, kv_block = 8, format = bitmap>] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @block_layout_heads(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %layout: tensor<1x4x4x4xi8>) {
  // expected-error @+1 {{'attn.attention' op block_layout dimension 1 is 4, expected 1 or 8 ([B or 1, Hq or 1, ceil(Sq/Bq), ceil(Skv/Bk)])}}
  %o = attn.attention %q, %k, %v block_layout(%layout : tensor<1x4x4x4xi8>) masks [#attn.block_sparse<q_block = 4, kv_block = 8, format = bitmap>] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @block_layout_query_blocks(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %layout: tensor<2x1x3x4xi32>) {
  // ceil(16 / 5) = 4 query blocks.
  // expected-error @+1 {{'attn.attention' op block_layout dimension 2 is 3, expected 4 ([B or 1, Hq or 1, ceil(Sq/Bq), K])}}
  %o = attn.attention %q, %k, %v block_layout(%layout : tensor<2x1x3x4xi32>) masks [#attn.block_sparse<q_block = 5, kv_block = 8, format = indices>] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @block_layout_key_blocks(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %layout: tensor<1x1x4x2xi8>) {
  // expected-error @+1 {{'attn.attention' op block_layout dimension 3 is 2, expected 4 ([B or 1, Hq or 1, ceil(Sq/Bq), ceil(Skv/Bk)])}}
  %o = attn.attention %q, %k, %v block_layout(%layout : tensor<1x1x4x2xi8>) masks [#attn.block_sparse<q_block = 4, kv_block = 8, format = bitmap>] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @selected_without_operand(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op mask #attn.selected_tokens needs the selected operand}}
  %o = attn.attention %q, %k, %v masks [#attn.selected_tokens] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @selected_without_mask(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %sel: tensor<2x8x4xi32>) {
  // expected-error @+1 {{'attn.attention' op selected given but no #attn.selected_tokens mask reads it}}
  %o = attn.attention %q, %k, %v selected(%sel : tensor<2x8x4xi32>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @selected_rank(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %sel: tensor<2x4xi32>) {
  // expected-error @+1 {{'attn.attention' op selected must be [B, Hq or Hkv, K] (rank 3), got 'tensor<2x4xi32>'}}
  %o = attn.attention %q, %k, %v selected(%sel : tensor<2x4xi32>) masks [#attn.selected_tokens] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @selected_heads(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %sel: tensor<2x2x4xi32>) {
  // expected-error @+1 {{'attn.attention' op selected dimension 1 is 2, expected 8 ([B, Hq or Hkv, K])}}
  %o = attn.attention %q, %k, %v selected(%sel : tensor<2x2x4xi32>) masks [#attn.selected_tokens] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @selected_batch(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %sel: tensor<3x4x4xi32>) {
  // expected-error @+1 {{'attn.attention' op selected dimension 0 is 3, expected 2 ([B, Hq or Hkv, K])}}
  %o = attn.attention %q, %k, %v selected(%sel : tensor<3x4x4xi32>) masks [#attn.selected_tokens] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @neighborhood_grid_size(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op neighborhood grid holds 16 tokens but the key length is 32}}
  %o = attn.attention %q, %k, %v masks [#attn.neighborhood<grid = [4, 4], kernel = [3, 3]>] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Score modifiers
//===----------------------------------------------------------------------===//

func.func @modifier_not_a_modifier(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op modifiers entry #attn.causal is not an attn score modifier attribute}}
  %o = attn.attention %q, %k, %v modifiers [#attn.softcap<30.0>, #attn.causal] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @temperature_without_operand(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %tau: tensor<8xf32>) {
  // expected-error @+1 {{'attn.attention' op 2 #attn.temperature modifiers but 1 temperature operands}}
  %o = attn.attention %q, %k, %v temperature(%tau : tensor<8xf32>) modifiers [#attn.temperature, #attn.temperature] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @temperature_without_modifier(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %tau: tensor<8xf32>) {
  // expected-error @+1 {{'attn.attention' op 0 #attn.temperature modifiers but 1 temperature operands}}
  %o = attn.attention %q, %k, %v temperature(%tau : tensor<8xf32>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @bias_count(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %b: tensor<32xf32>) {
  // expected-error @+1 {{'attn.attention' op 1 #attn.bias modifiers but 2 bias operands}}
  %o = attn.attention %q, %k, %v bias(%b, %b : tensor<32xf32>, tensor<32xf32>) modifiers [#attn.bias] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @two_alibis(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %slopes: tensor<8xf32>) {
  // expected-error @+1 {{'attn.attention' op at most one #attn.alibi and one #attn.relative_position modifier}}
  %o = attn.attention %q, %k, %v alibi_slopes(%slopes : tensor<8xf32>) modifiers [#attn.alibi, #attn.alibi<symmetric = true>] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @two_relative_positions(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %table: tensor<8x9xf32>) {
  // expected-error @+1 {{'attn.attention' op at most one #attn.alibi and one #attn.relative_position modifier}}
  %o = attn.attention %q, %k, %v position_table(%table : tensor<8x9xf32>) modifiers [#attn.relative_position<max_distance = 4>, #attn.relative_position<max_distance = 4>] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @alibi_without_slopes(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op modifier #attn.alibi needs the alibi_slopes operand}}
  %o = attn.attention %q, %k, %v modifiers [#attn.alibi] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @slopes_without_alibi(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %slopes: tensor<8xf32>) {
  // expected-error @+1 {{'attn.attention' op alibi_slopes given but no #attn.alibi modifier reads it}}
  %o = attn.attention %q, %k, %v alibi_slopes(%slopes : tensor<8xf32>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @relative_position_without_table(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op modifier #attn.relative_position needs the position_table operand}}
  %o = attn.attention %q, %k, %v modifiers [#attn.relative_position<max_distance = 4>] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @table_without_relative_position(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %table: tensor<8x9xf32>) {
  // expected-error @+1 {{'attn.attention' op position_table given but no #attn.relative_position modifier reads it}}
  %o = attn.attention %q, %k, %v position_table(%table : tensor<8x9xf32>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// Per-head temperatures are indexed by the query head.
func.func @temperature_per_head_shape(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %tau: tensor<4xf32>) {
  // expected-error @+1 {{'attn.attention' op temperature dimension 0 is 4, expected 1 or 8 ([Hq] or [B, Hq, Sq])}}
  %o = attn.attention %q, %k, %v temperature(%tau : tensor<4xf32>) modifiers [#attn.temperature] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @temperature_rank(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %tau: tensor<8xf32>, %tau2: tensor<8x16xf32>) {
  // expected-error @+1 {{'attn.attention' op temperature must be [Hq] or [B, Hq, Sq] (rank 3), got 'tensor<8x16xf32>'}}
  %o = attn.attention %q, %k, %v temperature(%tau, %tau2 : tensor<8xf32>, tensor<8x16xf32>) modifiers [#attn.temperature, #attn.temperature] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @temperature_per_query_shape(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %tau: tensor<2x8x32xf32>) {
  // expected-error @+1 {{'attn.attention' op temperature dimension 2 is 32, expected 1 or 16 ([Hq] or [B, Hq, Sq])}}
  %o = attn.attention %q, %k, %v temperature(%tau : tensor<2x8x32xf32>) modifiers [#attn.temperature] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @alibi_slopes_shape(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %slopes: tensor<4xf32>) {
  // expected-error @+1 {{'attn.attention' op alibi_slopes dimension 0 is 4, expected 1 or 8 ([Hq])}}
  %o = attn.attention %q, %k, %v alibi_slopes(%slopes : tensor<4xf32>) modifiers [#attn.alibi] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @position_table_shape(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %table: tensor<8x8xf32>) {
  // expected-error @+1 {{'attn.attention' op position_table dimension 1 is 8, expected 1 or 9 ([Hq, 2 * max_distance + 1])}}
  %o = attn.attention %q, %k, %v position_table(%table : tensor<8x8xf32>) modifiers [#attn.relative_position<max_distance = 4>] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @bias_rank(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %b: tensor<1x2x8x16x32xf32>) {
  // expected-error @+1 {{'attn.attention' op bias must broadcast to [B, Hq, Sq, Skv], got 'tensor<1x2x8x16x32xf32>'}}
  %o = attn.attention %q, %k, %v bias(%b : tensor<1x2x8x16x32xf32>) modifiers [#attn.bias] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// Biases broadcast from the right: a [16, 16] bias is [Sq, Skv] with the
// wrong key length.
func.func @bias_broadcast(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %b: tensor<16x16xf32>) {
  // expected-error @+1 {{'attn.attention' op bias dimension 1 is 16, expected 1 or 32 ([B, Hq, Sq, Skv])}}
  %o = attn.attention %q, %k, %v bias(%b : tensor<16x16xf32>) modifiers [#attn.bias] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// Biases are per query head: a bias over the key/value heads does not
// broadcast.
func.func @bias_kv_heads(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %b0: tensor<32xf32>, %b1: tensor<4x1x32xf32>) {
  // expected-error @+1 {{'attn.attention' op bias dimension 0 is 4, expected 1 or 8 ([B, Hq, Sq, Skv])}}
  %o = attn.attention %q, %k, %v bias(%b0, %b1 : tensor<32xf32>, tensor<4x1x32xf32>) modifiers [#attn.bias, #attn.bias] : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Regions and captures
//===----------------------------------------------------------------------===//

func.func @captures_without_region(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %c: tensor<8xf32>) {
  // expected-error @+1 {{'attn.attention' op captures given but there is no score or mask region to read them}}
  %o = attn.attention %q, %k, %v captures(%c : tensor<8xf32>) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @score_region_arity(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op score region must take (s: f32, b, h, i, j: index, captures...): 5 arguments, got 4}}
  %o = attn.attention %q, %k, %v score {
  ^bb0(%s: f32, %h: index, %i: index, %j: index):
    attn.yield %s : f32
  } : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// A capture adds one region argument to every region.
func.func @mask_region_missing_capture(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %c: tensor<2xindex>) {
  // expected-error @+1 {{'attn.attention' op mask region must take (b, h, i, j: index, captures...): 5 arguments, got 4}}
  %o = attn.attention %q, %k, %v captures(%c : tensor<2xindex>) score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %cc: tensor<2xindex>):
    attn.yield %s : f32
  } mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %t = arith.constant true
    attn.yield %t : i1
  } : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @score_region_score_type(%q: tensor<2x8x16x32xf16>, %k: tensor<2x4x32x32xf16>, %v: tensor<2x4x32x32xf16>) {
  // expected-error @+1 {{'attn.attention' op score region argument 0 must be 'f32', got 'f16'}}
  %o = attn.attention %q, %k, %v score {
  ^bb0(%s: f16, %b: index, %h: index, %i: index, %j: index):
    attn.yield %s : f16
  } : tensor<2x8x16x32xf16>, tensor<2x4x32x32xf16>, tensor<2x4x32x32xf16> -> tensor<2x8x16x32xf16>
  return
}

// -----

func.func @score_region_index_type(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op score region argument 3 must be 'index', got 'i32'}}
  %o = attn.attention %q, %k, %v score {
  ^bb0(%s: f32, %b: index, %h: index, %i: i32, %j: index):
    attn.yield %s : f32
  } : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// The mask region has no score argument.
func.func @mask_region_takes_score(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op mask region must take (b, h, i, j: index, captures...): 4 arguments, got 5}}
  %o = attn.attention %q, %k, %v mask {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %t = arith.constant true
    attn.yield %t : i1
  } : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @mask_region_index_type(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op mask region argument 0 must be 'index', got 'i64'}}
  %o = attn.attention %q, %k, %v mask {
  ^bb0(%b: i64, %h: index, %i: index, %j: index):
    %t = arith.constant true
    attn.yield %t : i1
  } : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @region_capture_type(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>, %c0: tensor<8xf32>, %c1: tensor<2xindex>) {
  // expected-error @+1 {{'attn.attention' op score region argument 6 has type 'tensor<2xi32>' but capture 1 is 'tensor<2xindex>'}}
  %o = attn.attention %q, %k, %v captures(%c0, %c1 : tensor<8xf32>, tensor<2xindex>) score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %a0: tensor<8xf32>, %a1: tensor<2xi32>):
    attn.yield %s : f32
  } : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @region_not_ending_in_yield(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{'attn.attention' op score region must end in attn.yield}}
  %o = attn.attention %q, %k, %v score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    "test.terminator"(%s) : (f32) -> ()
  } : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @score_yields_i1(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  %o = attn.attention %q, %k, %v score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %t = arith.constant true
    // expected-error @+1 {{'attn.yield' op in the score region must yield one 'f32' value}}
    attn.yield %t : i1
  } : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @score_yields_two(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  %o = attn.attention %q, %k, %v score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    // expected-error @+1 {{'attn.yield' op in the score region must yield one 'f32' value}}
    attn.yield %s, %s : f32, f32
  } : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @mask_yields_nothing(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  %o = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    // expected-error @+1 {{'attn.yield' op in the mask region must yield one 'i1' value}}
    attn.yield
  } : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @mask_yields_index(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  %o = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    // expected-error @+1 {{'attn.yield' op in the mask region must yield one 'i1' value}}
    attn.yield %j : index
  } : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @position_outside_region(%b: index, %i: index) -> index {
  // expected-error @+1 {{'attn.position' op is only valid inside a score or mask region of attn.attention}}
  %p = attn.position %b, %i
  return %p : index
}

// -----

func.func @yield_outside_region(%s: f32) {
  // expected-error @+1 {{'attn.yield' op expects parent op 'attn.attention'}}
  attn.yield %s : f32
}

// -----

//===----------------------------------------------------------------------===//
// Result type list (custom<AttentionResultTypes>)
//===----------------------------------------------------------------------===//

func.func @lse_twice(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{the lse result is given twice}}
  %o, %l1, %l2 = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, lse tensor<2x8x16xf32>, lse tensor<2x8x16xf32>
  return
}

// -----

func.func @lse_after_block_max(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{the lse result must come before block_max}}
  %o, %bm, %l = attn.attention %q, %k, %v block_stats([4, 8]) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, block_max tensor<2x8x4x4xf32>, lse tensor<2x8x16xf32>
  return
}

// -----

func.func @block_max_twice(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{the block_max result is given twice}}
  %o, %b1, %b2 = attn.attention %q, %k, %v block_stats([4, 8]) : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, block_max tensor<2x8x4x4xf32>, block_max tensor<2x8x4x4xf32>
  return
}

// -----

func.func @extra_result_without_keyword(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x32x32xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{expected 'lse' or 'block_max' before the type of an extra result}}
  %o, %l = attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>, tensor<2x8x16xf32>
  return
}
