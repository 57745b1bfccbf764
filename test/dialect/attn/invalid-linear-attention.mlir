// RUN: attn-opt %s -split-input-file -verify-diagnostics

// Malformed attn.linear_attention ops, one per diagnostic of its verifier.
// Unless a case says otherwise: B = 2, Hq = 4, Hkv = 2, S = 16, D = 32,
// Dv = 8.

func.func @query_rank(%q: tensor<4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op query must be a rank-4 tensor [B, H, S, D], got 'tensor<4x16x32xf32>'}}
  %o = attn.linear_attention identity %q, %k, %v : tensor<4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @value_rank(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8x1xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op value must be a rank-4 tensor [B, H, S, D], got 'tensor<2x2x16x8x1xf32>'}}
  %o = attn.linear_attention identity %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8x1xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @dynamic_heads(%q: tensor<2x4x16x32xf32>, %k: tensor<2x?x16x32xf32>, %v: tensor<2x?x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op head counts and head dimensions must be static}}
  %o = attn.linear_attention relu %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x?x16x32xf32>, tensor<2x?x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @dynamic_value_dim(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x?xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op head counts and head dimensions must be static}}
  %o = attn.linear_attention relu %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x?xf32> -> tensor<2x4x16x?xf32>
  return
}

// -----

func.func @zero_kv_heads(%q: tensor<2x4x16x32xf32>, %k: tensor<2x0x16x32xf32>, %v: tensor<2x0x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op head counts must be >= 1, got 4 query heads and 0 key/value heads}}
  %o = attn.linear_attention relu %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x0x16x32xf32>, tensor<2x0x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @heads_not_multiple(%q: tensor<2x4x16x32xf32>, %k: tensor<2x3x16x32xf32>, %v: tensor<2x3x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op query heads 4 not a multiple of key/value heads 3}}
  %o = attn.linear_attention elu_plus_one %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x3x16x32xf32>, tensor<2x3x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @key_head_dim(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x16xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op key head dimension 16 does not match query head dimension 32}}
  %o = attn.linear_attention elu_plus_one %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x16xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @value_heads(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x4x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op value heads 4 do not match key heads 2}}
  %o = attn.linear_attention exp %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x4x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @value_length(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x12x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op value length 12 does not match key length 16}}
  %o = attn.linear_attention exp %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x12x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @key_batch(%q: tensor<2x4x16x32xf32>, %k: tensor<1x2x16x32xf32>, %v: tensor<?x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op key batch 1 does not match query batch 2}}
  %o = attn.linear_attention softmax %q, %k, %v : tensor<2x4x16x32xf32>, tensor<1x2x16x32xf32>, tensor<?x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @value_batch(%q: tensor<2x4x16x32xf32>, %k: tensor<?x2x16x32xf32>, %v: tensor<3x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op value batch 3 does not match query batch 2}}
  %o = attn.linear_attention softmax %q, %k, %v : tensor<2x4x16x32xf32>, tensor<?x2x16x32xf32>, tensor<3x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @output_value_dim(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op output must be [B, Hq, Sq, Dv] = [2, 4, 16, 8], got 'tensor<2x4x16x32xf32>'}}
  %o = attn.linear_attention identity %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x32xf32>
  return
}

// -----

// The output has the query heads, not the key/value heads.
func.func @output_heads(%q: tensor<?x4x?x32xf32>, %k: tensor<?x2x?x32xf32>, %v: tensor<?x2x?x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op output must be [B, Hq, Sq, Dv] = [?, 4, ?, 8], got 'tensor<?x2x?x8xf32>'}}
  %o = attn.linear_attention identity %q, %k, %v : tensor<?x4x?x32xf32>, tensor<?x2x?x32xf32>, tensor<?x2x?x8xf32> -> tensor<?x2x?x8xf32>
  return
}

// -----

func.func @output_rank(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op output must be [B, Hq, Sq, Dv] = [2, 4, 16, 8], got 'tensor<2x4x128xf32>'}}
  %o = attn.linear_attention identity %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x128xf32>
  return
}

// -----

func.func @q_len_shape(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>, %ql: tensor<4xi32>) {
  // expected-error @+1 {{'attn.linear_attention' op q_len must be a [B] tensor, got 'tensor<4xi32>'}}
  %o = attn.linear_attention identity %q, %k, %v q_len(%ql : tensor<4xi32>) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @kv_len_rank(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>, %kvl: tensor<2x1xindex>) {
  // expected-error @+1 {{'attn.linear_attention' op kv_len must be a [B] tensor, got 'tensor<2x1xindex>'}}
  %o = attn.linear_attention identity %q, %k, %v kv_len(%kvl : tensor<2x1xindex>) causal : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Feature maps and their weights
//===----------------------------------------------------------------------===//

func.func @random_features_without_weights(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op random_features needs a weights operand [F, D] or [Hq, F, D]}}
  %o = attn.linear_attention random_features %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @weights_without_random_features(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>, %w: tensor<64x32xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op weights given but feature map taylor reads none}}
  %o = attn.linear_attention taylor %q, %k, %v weights(%w : tensor<64x32xf32>) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @weights_rank(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>, %w: tensor<2048xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op weights must be [F, 32] or [4, F, 32] with F static, got 'tensor<2048xf32>'}}
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<2048xf32>) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @weights_head_dim(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>, %w: tensor<64x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op weights must be [F, 32] or [4, F, 32] with F static, got 'tensor<64x8xf32>'}}
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<64x8xf32>) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

// Per-head random features are per query head.
func.func @weights_per_head(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>, %w: tensor<2x64x32xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op weights must be [F, 32] or [4, F, 32] with F static, got 'tensor<2x64x32xf32>'}}
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<2x64x32xf32>) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @weights_dynamic_features(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>, %w: tensor<?x32xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op weights must be [F, 32] or [4, F, 32] with F static, got 'tensor<?x32xf32>'}}
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<?x32xf32>) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @unknown_feature_map(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{unknown feature_map 'gelu' (expected one of: identity, elu_plus_one, relu, exp, softmax, random_features, taylor)}}
  %o = attn.linear_attention gelu %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Decay and eps
//===----------------------------------------------------------------------===//

func.func @decay_count(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // One decay per key/value head is not enough: decay is per query head.
  // expected-error @+1 {{'attn.linear_attention' op decay needs 1 or 4 (query heads) values, got 2}}
  %o = attn.linear_attention identity %q, %k, %v causal decay([0.9, 0.8]) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @decay_empty(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op decay needs 1 or 4 (query heads) values, got 0}}
  %o = attn.linear_attention identity %q, %k, %v causal decay([]) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @decay_zero(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op decay values must be in (0, 1], got 0.000000e+00}}
  %o = attn.linear_attention identity %q, %k, %v causal decay([0.9, 0.0, 0.9, 0.9]) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @decay_above_one(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op decay values must be in (0, 1], got 1.500000e+00}}
  %o = attn.linear_attention identity %q, %k, %v causal decay([1.5]) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @decay_nan(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op decay values must be in (0, 1], got nan}}
  %o = attn.linear_attention identity %q, %k, %v causal decay([0x7FF8000000000000]) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @decay_without_causal(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op decay < 1 needs causal}}
  %o = attn.linear_attention elu_plus_one %q, %k, %v decay([1.0, 1.0, 0.99, 1.0]) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @eps_negative(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op eps must be finite and >= 0, got -1.000000e-06}}
  %o = attn.linear_attention elu_plus_one %q, %k, %v {eps = -1.0e-6} : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @eps_infinite(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op eps must be finite and >= 0, got INF}}
  %o = attn.linear_attention elu_plus_one %q, %k, %v {eps = 0x7FF0000000000000 : f64} : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @eps_nan(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op eps must be finite and >= 0, got nan}}
  %o = attn.linear_attention elu_plus_one %q, %k, %v {eps = 0x7FF8000000000000 : f64} : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @element_types_differ(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf16>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{'attn.linear_attention' op key element type 'f16' does not match query element type 'f32'}}
  %o = attn.linear_attention elu_plus_one %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf16>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

func.func @unknown_alignment(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) {
  // expected-error @+1 {{unknown alignment 'bottom_left' (expected one of: bottom_right, top_left)}}
  %o = attn.linear_attention elu_plus_one %q, %k, %v causal alignment(bottom_left) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}
