// RUN: attn-opt %s -split-input-file | attn-opt -split-input-file | FileCheck %s
// RUN: attn-opt %s -split-input-file -mlir-print-op-generic | attn-opt -split-input-file | FileCheck %s

// Round trip of the attn dialect: every mask, score modifier and normaliser
// (with and without its optional parameters), every optional operand group and
// extra result of attn.attention, score/mask regions, attn.linear_attention
// and attn.merge. The second RUN line goes through the generic form.

// CHECK-LABEL: func.func @minimal(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<2x8x16x64xf32>, %[[K:[^:]+]]: tensor<2x8x16x64xf32>, %[[V:[^:]+]]: tensor<2x8x16x64xf32>)
// CHECK: %[[O:[^ ,:]+]] = attn.attention %[[Q]], %[[K]], %[[V]] : tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32> -> tensor<2x8x16x64xf32>
// CHECK-NEXT: return %[[O]]
func.func @minimal(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32> {
  %o = attn.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

// Dynamic batch and sequence lengths, grouped-query heads, Dv != D, f16.
// CHECK-LABEL: func.func @dynamic_gqa(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x64xf16> -> tensor<?x32x?x64xf16>
func.func @dynamic_gqa(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>, %v: tensor<?x8x?x64xf16>) -> tensor<?x32x?x64xf16> {
  %o = attn.attention %q, %k, %v : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x64xf16> -> tensor<?x32x?x64xf16>
  return %o : tensor<?x32x?x64xf16>
}

// -----

// Multi-query attention in bf16 with an explicit scale and top-left alignment.
// CHECK-LABEL: func.func @mqa_scale_alignment(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} scale(2.500000e-01) alignment({{ ?}}top_left) : tensor<1x16x4x16xbf16>, tensor<1x1x32x16xbf16>, tensor<1x1x32x16xbf16> -> tensor<1x16x4x16xbf16>
func.func @mqa_scale_alignment(%q: tensor<1x16x4x16xbf16>, %k: tensor<1x1x32x16xbf16>, %v: tensor<1x1x32x16xbf16>) -> tensor<1x16x4x16xbf16> {
  %o = attn.attention %q, %k, %v scale(0.25) alignment(top_left) : tensor<1x16x4x16xbf16>, tensor<1x1x32x16xbf16>, tensor<1x1x32x16xbf16> -> tensor<1x16x4x16xbf16>
  return %o : tensor<1x16x4x16xbf16>
}

// -----

// An explicit bottom_right alignment is the default and is not printed.
// CHECK-LABEL: func.func @default_alignment(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<1x4x8x16xf32>
// CHECK-NOT: alignment
func.func @default_alignment(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %o = attn.attention %q, %k, %v alignment(bottom_right) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// Every formula mask, each optional parameter present and absent.
// CHECK-LABEL: func.func @formula_masks(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.causal, #attn.sliding_window<left = 128>, #attn.sliding_window<right = 2>, #attn.sliding_window<left = 8, right = 4, sinks = 4>, #attn.sliding_window<sinks = 1>, #attn.sliding_window<>, #attn.neighborhood<grid = [256], kernel = [7]>, #attn.neighborhood<grid = [16, 16], kernel = [3, 5], dilation = [1, 2], stride = [2, 1], causal = [true, false], sinks = 2>, #attn.neighborhood<grid = [4, 8, 8], kernel = [3, 3, 3], causal = [true, false, false]>] : tensor<1x4x256x16xf32>, tensor<1x4x256x16xf32>, tensor<1x4x256x16xf32> -> tensor<1x4x256x16xf32>
func.func @formula_masks(%q: tensor<1x4x256x16xf32>, %k: tensor<1x4x256x16xf32>, %v: tensor<1x4x256x16xf32>) -> tensor<1x4x256x16xf32> {
  %o = attn.attention %q, %k, %v
      masks [#attn.causal,
             #attn.sliding_window<left = 128>,
             #attn.sliding_window<right = 2>,
             #attn.sliding_window<left = 8, right = 4, sinks = 4>,
             #attn.sliding_window<sinks = 1>,
             #attn.sliding_window<>,
             #attn.neighborhood<grid = [256], kernel = [7]>,
             #attn.neighborhood<grid = [16, 16], kernel = [3, 5], dilation = [1, 2], stride = [2, 1], causal = [true, false], sinks = 2>,
             #attn.neighborhood<grid = [4, 8, 8], kernel = [3, 3, 3], causal = [true, false, false]>]
      : tensor<1x4x256x16xf32>, tensor<1x4x256x16xf32>, tensor<1x4x256x16xf32> -> tensor<1x4x256x16xf32>
  return %o : tensor<1x4x256x16xf32>
}

// -----

// Default-valued parameters are not printed.
// CHECK-LABEL: func.func @mask_defaults_elided(
// CHECK: masks [#attn.sliding_window<left = 4>, #attn.neighborhood<grid = [8], kernel = [3], dilation = [1], stride = [1], causal = [false]>] :
func.func @mask_defaults_elided(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %o = attn.attention %q, %k, %v
      masks [#attn.sliding_window<left = 4, sinks = 0>,
             #attn.neighborhood<grid = [8], kernel = [3], dilation = [1], stride = [1], causal = [false], sinks = 0>]
      : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// CHECK-LABEL: func.func @prefix_lm(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.prefix_lm<16>, #attn.sliding_window<left = 64>] :
func.func @prefix_lm(%q: tensor<1x4x?x16xf32>, %k: tensor<1x4x?x16xf32>, %v: tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32> {
  %o = attn.attention %q, %k, %v masks [#attn.prefix_lm<16>, #attn.sliding_window<left = 64>]
      : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// Every data mask with its operand: document (with kv_segment_ids),
// key_limit [B, Sq], block_sparse bitmap, selected_tokens [B, Hq, K].
// CHECK-LABEL: func.func @data_masks(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<2x8x16x32xf32>, %[[K:[^:]+]]: tensor<2x4x64x32xf32>, %[[V:[^:]+]]: tensor<2x4x64x32xf32>, %[[SEG:[^:]+]]: tensor<2x16xi32>, %[[KVSEG:[^:]+]]: tensor<2x64xi32>, %[[LIMIT:[^:]+]]: tensor<2x16xi64>, %[[LAYOUT:[^:]+]]: tensor<1x8x2x4xi8>, %[[SEL:[^:]+]]: tensor<2x8x?xi32>)
// CHECK: attn.attention %[[Q]], %[[K]], %[[V]] segment_ids(%[[SEG]] : tensor<2x16xi32>) kv_segment_ids(%[[KVSEG]] : tensor<2x64xi32>) key_limit(%[[LIMIT]] : tensor<2x16xi64>) block_layout(%[[LAYOUT]] : tensor<1x8x2x4xi8>) selected(%[[SEL]] : tensor<2x8x?xi32>) masks [#attn.document, #attn.key_limit, #attn.block_sparse<q_block = 8, kv_block = 16, format = bitmap>, #attn.selected_tokens] : tensor<2x8x16x32xf32>, tensor<2x4x64x32xf32>, tensor<2x4x64x32xf32> -> tensor<2x8x16x32xf32>
func.func @data_masks(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x64x32xf32>, %v: tensor<2x4x64x32xf32>, %seg: tensor<2x16xi32>, %kvseg: tensor<2x64xi32>, %limit: tensor<2x16xi64>, %layout: tensor<1x8x2x4xi8>, %sel: tensor<2x8x?xi32>) -> tensor<2x8x16x32xf32> {
  %o = attn.attention %q, %k, %v segment_ids(%seg : tensor<2x16xi32>) kv_segment_ids(%kvseg : tensor<2x64xi32>)
      key_limit(%limit : tensor<2x16xi64>) block_layout(%layout : tensor<1x8x2x4xi8>) selected(%sel : tensor<2x8x?xi32>)
      masks [#attn.document, #attn.key_limit, #attn.block_sparse<q_block = 8, kv_block = 16, format = bitmap>, #attn.selected_tokens]
      : tensor<2x8x16x32xf32>, tensor<2x4x64x32xf32>, tensor<2x4x64x32xf32> -> tensor<2x8x16x32xf32>
  return %o : tensor<2x8x16x32xf32>
}

// -----

// The other operand layouts: document without kv_segment_ids, key_limit
// [B, Hq, Sq], block_sparse index lists, selected_tokens [B, Hkv, K].
// CHECK-LABEL: func.func @data_mask_layouts(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<?x8x?x32xf16>, %[[K:[^:]+]]: tensor<?x2x?x32xf16>, %[[V:[^:]+]]: tensor<?x2x?x32xf16>, %[[SEG:[^:]+]]: tensor<?x?xindex>, %[[LIMIT:[^:]+]]: tensor<?x8x?xi32>, %[[LAYOUT:[^:]+]]: tensor<?x1x?x6xi32>, %[[SEL:[^:]+]]: tensor<?x2x64xi64>)
// CHECK: attn.attention %[[Q]], %[[K]], %[[V]] segment_ids(%[[SEG]] : tensor<?x?xindex>) key_limit(%[[LIMIT]] : tensor<?x8x?xi32>) block_layout(%[[LAYOUT]] : tensor<?x1x?x6xi32>) selected(%[[SEL]] : tensor<?x2x64xi64>) masks [#attn.selected_tokens, #attn.block_sparse<q_block = 64, kv_block = 64, format = indices>, #attn.key_limit, #attn.document] :
func.func @data_mask_layouts(%q: tensor<?x8x?x32xf16>, %k: tensor<?x2x?x32xf16>, %v: tensor<?x2x?x32xf16>, %seg: tensor<?x?xindex>, %limit: tensor<?x8x?xi32>, %layout: tensor<?x1x?x6xi32>, %sel: tensor<?x2x64xi64>) -> tensor<?x8x?x32xf16> {
  %o = attn.attention %q, %k, %v segment_ids(%seg : tensor<?x?xindex>) key_limit(%limit : tensor<?x8x?xi32>)
      block_layout(%layout : tensor<?x1x?x6xi32>) selected(%sel : tensor<?x2x64xi64>)
      masks [#attn.selected_tokens, #attn.block_sparse<q_block = 64, kv_block = 64, format = indices>, #attn.key_limit, #attn.document]
      : tensor<?x8x?x32xf16>, tensor<?x2x?x32xf16>, tensor<?x2x?x32xf16> -> tensor<?x8x?x32xf16>
  return %o : tensor<?x8x?x32xf16>
}

// -----

// Every score modifier, each optional parameter present and absent, with the
// operands they read: two temperatures (per head, per query), ALiBi slopes,
// a relative position table and three biases of different broadcast ranks.
// CHECK-LABEL: func.func @modifiers(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<2x4x16x8xf32>, %[[K:[^:]+]]: tensor<2x4x16x8xf32>, %[[V:[^:]+]]: tensor<2x4x16x8xf32>, %[[TAU1:[^:]+]]: tensor<4xf32>, %[[TAU2:[^:]+]]: tensor<2x4x16xf32>, %[[SLOPES:[^:]+]]: tensor<4xf32>, %[[TABLE:[^:]+]]: tensor<4x9xf32>, %[[B1:[^:]+]]: tensor<2x4x16x16xf32>, %[[B2:[^:]+]]: tensor<16xf16>, %[[B3:[^:]+]]: tensor<1x?x1x16xf32>)
// CHECK: attn.attention %[[Q]], %[[K]], %[[V]] temperature(%[[TAU1]], %[[TAU2]] : tensor<4xf32>, tensor<2x4x16xf32>) alibi_slopes(%[[SLOPES]] : tensor<4xf32>) position_table(%[[TABLE]] : tensor<4x9xf32>) bias(%[[B1]], %[[B2]], %[[B3]] : tensor<2x4x16x16xf32>, tensor<16xf16>, tensor<1x?x1x16xf32>) modifiers [#attn.temperature, #attn.temperature, #attn.length_scaling<5.120000e+02>, #attn.softcap<3.000000e+01>, #attn.softcap<5.000000e-01>, #attn.alibi<symmetric = true>, #attn.relative_position<max_distance = 4>, #attn.bias, #attn.bias, #attn.bias, #attn.sink_calibration<columns = [0], factors = [2.000000e+00]>, #attn.sink_calibration<columns = [0, 1, 3], factors = [2.000000e+00, 5.000000e-01, 2.000000e+00]>] :
func.func @modifiers(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x8xf32>, %tau1: tensor<4xf32>, %tau2: tensor<2x4x16xf32>, %slopes: tensor<4xf32>, %table: tensor<4x9xf32>, %b1: tensor<2x4x16x16xf32>, %b2: tensor<16xf16>, %b3: tensor<1x?x1x16xf32>) -> tensor<2x4x16x8xf32> {
  %o = attn.attention %q, %k, %v temperature(%tau1, %tau2 : tensor<4xf32>, tensor<2x4x16xf32>)
      alibi_slopes(%slopes : tensor<4xf32>) position_table(%table : tensor<4x9xf32>)
      bias(%b1, %b2, %b3 : tensor<2x4x16x16xf32>, tensor<16xf16>, tensor<1x?x1x16xf32>)
      modifiers [#attn.temperature, #attn.temperature, #attn.length_scaling<512.0>, #attn.softcap<30.0>, #attn.softcap<0.5>,
                 #attn.alibi<symmetric = true>, #attn.relative_position<max_distance = 4>,
                 #attn.bias, #attn.bias, #attn.bias,
                 #attn.sink_calibration<columns = [0], factors = [2.0]>,
                 #attn.sink_calibration<columns = [0, 1, 3], factors = [2.0, 0.5, 2.0]>]
      : tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32> -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

// ALiBi in its default (non-symmetric) form, spelled both ways; a relative
// position table with R = 0; a column listed twice with the same factor.
// CHECK-LABEL: func.func @modifier_defaults(
// CHECK: modifiers [#attn.alibi] :
// CHECK: modifiers [#attn.alibi] :
// CHECK: modifiers [#attn.relative_position<max_distance = 0>, #attn.sink_calibration<columns = [5, 5], factors = [3.000000e+00]>] :
func.func @modifier_defaults(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>, %slopes: tensor<4xf32>, %table: tensor<4x1xf32>) -> (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) {
  %o1 = attn.attention %q, %k, %v alibi_slopes(%slopes : tensor<4xf32>) modifiers [#attn.alibi]
      : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %o2 = attn.attention %q, %k, %v alibi_slopes(%slopes : tensor<4xf32>) modifiers [#attn.alibi<symmetric = false>]
      : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %o3 = attn.attention %q, %k, %v position_table(%table : tensor<4x1xf32>)
      modifiers [#attn.relative_position<max_distance = 0>, #attn.sink_calibration<columns = [5, 5], factors = [3.0]>]
      : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  return %o1, %o2, %o3 : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>
}

// -----

// Every normaliser, each optional parameter present and absent; parameters
// equal to their defaults are not printed.
// CHECK-LABEL: func.func @normalizers(
// CHECK: normalizer(#attn.softmax) :
// CHECK: normalizer(#attn.softplus) :
// CHECK: normalizer(#attn.softplus) :
// CHECK: normalizer(#attn.softplus<power = 2.000000e+00>) :
// CHECK: normalizer(#attn.relu) :
// CHECK: normalizer(#attn.relu<power = 2.000000e+00>) :
// CHECK: normalizer(#attn.relu<normalized = true>) :
// CHECK: normalizer(#attn.relu<power = 2.000000e+00, normalized = true>) :
// CHECK: normalizer(#attn.sigmoid) :
// CHECK: normalizer(#attn.sigmoid<bias = -1.000000e+01>) :
// CHECK: normalizer(#attn.sigmoid<log_length = true>) :
// CHECK: normalizer(#attn.clipped_softmax<zeta = 1.250000e+00, gamma = -1.250000e-01>) :
// CHECK: normalizer(#attn.none) :
func.func @normalizers(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) {
  %0 = attn.attention %q, %k, %v normalizer(#attn.softmax) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %1 = attn.attention %q, %k, %v normalizer(#attn.softplus) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %2 = attn.attention %q, %k, %v normalizer(#attn.softplus<power = 1.0>) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %3 = attn.attention %q, %k, %v normalizer(#attn.softplus<power = 2.0>) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %4 = attn.attention %q, %k, %v normalizer(#attn.relu) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %5 = attn.attention %q, %k, %v normalizer(#attn.relu<power = 2.0>) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %6 = attn.attention %q, %k, %v normalizer(#attn.relu<normalized = true>) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %7 = attn.attention %q, %k, %v normalizer(#attn.relu<power = 2.0, normalized = true>) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %8 = attn.attention %q, %k, %v normalizer(#attn.sigmoid) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %9 = attn.attention %q, %k, %v normalizer(#attn.sigmoid<bias = -10.0>) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %10 = attn.attention %q, %k, %v normalizer(#attn.sigmoid<log_length = true>) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %11 = attn.attention %q, %k, %v normalizer(#attn.clipped_softmax<zeta = 1.25, gamma = -0.125>) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %12 = attn.attention %q, %k, %v normalizer(#attn.none) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  return
}

// -----

// Per-sequence lengths, a paged cache and an output gate per row.
// CHECK-LABEL: func.func @paged_lengths_gate(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<?x8x1x64xbf16>, %[[K:[^:]+]]: tensor<100x16x2x64xbf16>, %[[V:[^:]+]]: tensor<100x16x2x32xbf16>, %[[PT:[^:]+]]: tensor<?x?xi32>, %[[QL:[^:]+]]: tensor<?xindex>, %[[KVL:[^:]+]]: tensor<?xi32>, %[[GATE:[^:]+]]: tensor<?x8x1xbf16>)
// CHECK: attn.attention %[[Q]], %[[K]], %[[V]] q_len(%[[QL]] : tensor<?xindex>) kv_len(%[[KVL]] : tensor<?xi32>) page_table(%[[PT]] : tensor<?x?xi32>) gate(%[[GATE]] : tensor<?x8x1xbf16>) : tensor<?x8x1x64xbf16>, tensor<100x16x2x64xbf16>, tensor<100x16x2x32xbf16> -> tensor<?x8x1x32xbf16>
func.func @paged_lengths_gate(%q: tensor<?x8x1x64xbf16>, %k: tensor<100x16x2x64xbf16>, %v: tensor<100x16x2x32xbf16>, %pt: tensor<?x?xi32>, %ql: tensor<?xindex>, %kvl: tensor<?xi32>, %gate: tensor<?x8x1xbf16>) -> tensor<?x8x1x32xbf16> {
  %o = attn.attention %q, %k, %v q_len(%ql : tensor<?xindex>) kv_len(%kvl : tensor<?xi32>) page_table(%pt : tensor<?x?xi32>) gate(%gate : tensor<?x8x1xbf16>)
      : tensor<?x8x1x64xbf16>, tensor<100x16x2x64xbf16>, tensor<100x16x2x32xbf16> -> tensor<?x8x1x32xbf16>
  return %o : tensor<?x8x1x32xbf16>
}

// -----

// With a paged cache, key-indexed operands use the padded key length
// max_pages * page_size = 8 * 16.
// CHECK-LABEL: func.func @paged_key_indexed_operands(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} kv_len(%{{[a-z0-9_]+}} : tensor<2xi32>) page_table(%{{[a-z0-9_]+}} : tensor<2x8xi32>) segment_ids(%{{[a-z0-9_]+}} : tensor<2x4xi32>) kv_segment_ids(%{{[a-z0-9_]+}} : tensor<2x128xi32>) bias(%{{[a-z0-9_]+}} : tensor<2x1x4x128xf32>) masks [#attn.document] modifiers [#attn.bias] block_stats([4, 32]) : tensor<2x8x4x64xf16>, tensor<64x16x2x64xf16>, tensor<64x16x2x64xf16> -> tensor<2x8x4x64xf16>, block_max tensor<2x8x1x4xf32>
func.func @paged_key_indexed_operands(%q: tensor<2x8x4x64xf16>, %k: tensor<64x16x2x64xf16>, %v: tensor<64x16x2x64xf16>, %pt: tensor<2x8xi32>, %kvl: tensor<2xi32>,
                                      %seg: tensor<2x4xi32>, %kvseg: tensor<2x128xi32>, %bias: tensor<2x1x4x128xf32>) -> (tensor<2x8x4x64xf16>, tensor<2x8x1x4xf32>) {
  %o, %bm = attn.attention %q, %k, %v kv_len(%kvl : tensor<2xi32>) page_table(%pt : tensor<2x8xi32>)
      segment_ids(%seg : tensor<2x4xi32>) kv_segment_ids(%kvseg : tensor<2x128xi32>) bias(%bias : tensor<2x1x4x128xf32>)
      masks [#attn.document] modifiers [#attn.bias] block_stats([4, 32])
      : tensor<2x8x4x64xf16>, tensor<64x16x2x64xf16>, tensor<64x16x2x64xf16> -> tensor<2x8x4x64xf16>, block_max tensor<2x8x1x4xf32>
  return %o, %bm : tensor<2x8x4x64xf16>, tensor<2x8x1x4xf32>
}

// -----

// An element-wise gate and kv_len without a paged cache.
// CHECK-LABEL: func.func @gate_per_element(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} kv_len(%{{[a-z0-9_]+}} : tensor<2xi64>) gate(%{{[a-z0-9_]+}} : tensor<2x4x8x32xf32>) :
func.func @gate_per_element(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x32xf32>, %kvl: tensor<2xi64>, %gate: tensor<2x4x8x32xf32>) -> tensor<2x4x8x32xf32> {
  %o = attn.attention %q, %k, %v kv_len(%kvl : tensor<2xi64>) gate(%gate : tensor<2x4x8x32xf32>)
      : tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32> -> tensor<2x4x8x32xf32>
  return %o : tensor<2x4x8x32xf32>
}

// -----

// The lse and block_max results, alone and together, with normalised
// normalisers (softmax by default, clipped softmax, normalised ReLU).
// CHECK-LABEL: func.func @extra_results(
// CHECK: %[[O1:[^ ,:]+]], %[[LSE1:[^ ,:]+]] = attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x8xf32> -> tensor<2x4x16x8xf32>, lse tensor<2x4x16xf32>
// CHECK: %[[O2:[^ ,:]+]], %[[BM2:[^ ,:]+]] = attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} normalizer(#attn.clipped_softmax<zeta = 1.000000e+00, gamma = 0.000000e+00>) block_stats([4, 8]) : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x8xf32> -> tensor<2x4x16x8xf32>, block_max tensor<2x4x4x4xf32>
// CHECK: %[[O3:[^ ,:]+]], %[[LSE3:[^ ,:]+]], %[[BM3:[^ ,:]+]] = attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} normalizer(#attn.relu<normalized = true>) block_stats([5, 5]) : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x8xf32> -> tensor<2x4x16x8xf32>, lse tensor<2x4x16xf32>, block_max tensor<2x4x4x7xf32>
// CHECK: return %[[O1]], %[[LSE1]], %[[O2]], %[[BM2]], %[[O3]], %[[LSE3]], %[[BM3]] :
func.func @extra_results(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x32x8xf32>, %v: tensor<2x4x32x8xf32>)
    -> (tensor<2x4x16x8xf32>, tensor<2x4x16xf32>, tensor<2x4x16x8xf32>, tensor<2x4x4x4xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16xf32>, tensor<2x4x4x7xf32>) {
  %o1, %lse1 = attn.attention %q, %k, %v
      : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x8xf32> -> tensor<2x4x16x8xf32>, lse tensor<2x4x16xf32>
  %o2, %bm2 = attn.attention %q, %k, %v normalizer(#attn.clipped_softmax<zeta = 1.0, gamma = 0.0>) block_stats([4, 8])
      : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x8xf32> -> tensor<2x4x16x8xf32>, block_max tensor<2x4x4x4xf32>
  // ceil(16 / 5) = 4 query blocks, ceil(32 / 5) = 7 key blocks.
  %o3, %lse3, %bm3 = attn.attention %q, %k, %v normalizer(#attn.relu<normalized = true>) block_stats([5, 5])
      : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x8xf32> -> tensor<2x4x16x8xf32>, lse tensor<2x4x16xf32>, block_max tensor<2x4x4x7xf32>
  return %o1, %lse1, %o2, %bm2, %o3, %lse3, %bm3
      : tensor<2x4x16x8xf32>, tensor<2x4x16xf32>, tensor<2x4x16x8xf32>, tensor<2x4x4x4xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16xf32>, tensor<2x4x4x7xf32>
}

// -----

// Score and mask regions reading captures, with attn.position.
// CHECK-LABEL: func.func @regions(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<2x4x16x32xf32>, %[[K:[^:]+]]: tensor<2x4x16x32xf32>, %[[V:[^:]+]]: tensor<2x4x16x32xf32>, %[[T:[^:]+]]: tensor<2x4x16x16xf32>, %[[D:[^:]+]]: tensor<2xindex>)
// CHECK: attn.attention %[[Q]], %[[K]], %[[V]] captures(%[[T]], %[[D]] : tensor<2x4x16x16xf32>, tensor<2xindex>) masks [#attn.causal] score {
// CHECK-NEXT: ^bb0(%[[S:[^ ,:]+]]: f32, %[[B:[^ ,:]+]]: index, %[[H:[^ ,:]+]]: index, %[[I:[^ ,:]+]]: index, %[[J:[^ ,:]+]]: index, %[[CT:[^ ,:]+]]: tensor<2x4x16x16xf32>, %[[CD:[^ ,:]+]]: tensor<2xindex>):
// CHECK-NEXT: %[[X:[^ ,:]+]] = tensor.extract %[[CT]][%[[B]], %[[H]], %[[I]], %[[J]]] : tensor<2x4x16x16xf32>
// CHECK-NEXT: %[[R:[^ ,:]+]] = arith.addf %[[S]], %[[X]] : f32
// CHECK-NEXT: attn.yield %[[R]] : f32
// CHECK-NEXT: } mask {
// CHECK-NEXT: ^bb0(%[[MB:[^ ,:]+]]: index, %[[MH:[^ ,:]+]]: index, %[[MI:[^ ,:]+]]: index, %[[MJ:[^ ,:]+]]: index, %[[MT:[^ ,:]+]]: tensor<2x4x16x16xf32>, %[[MD:[^ ,:]+]]: tensor<2xindex>):
// CHECK-NEXT: %[[P:[^ ,:]+]] = attn.position %[[MB]], %[[MI]]
// CHECK-NEXT: %[[W:[^ ,:]+]] = tensor.extract %[[MD]][%[[MB]]] : tensor<2xindex>
// CHECK-NEXT: %[[LO:[^ ,:]+]] = arith.subi %[[P]], %[[W]] : index
// CHECK-NEXT: %[[KEEP:[^ ,:]+]] = arith.cmpi sge, %[[MJ]], %[[LO]] : index
// CHECK-NEXT: attn.yield %[[KEEP]] : i1
// CHECK-NEXT: } : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32> -> tensor<2x4x16x32xf32>
func.func @regions(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x32xf32>, %t: tensor<2x4x16x16xf32>, %d: tensor<2xindex>) -> tensor<2x4x16x32xf32> {
  %o = attn.attention %q, %k, %v captures(%t, %d : tensor<2x4x16x16xf32>, tensor<2xindex>) masks [#attn.causal]
  score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %ct: tensor<2x4x16x16xf32>, %cd: tensor<2xindex>):
    %x = tensor.extract %ct[%b, %h, %i, %j] : tensor<2x4x16x16xf32>
    %r = arith.addf %s, %x : f32
    attn.yield %r : f32
  } mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index, %ct: tensor<2x4x16x16xf32>, %cd: tensor<2xindex>):
    %p = attn.position %b, %i
    %w = tensor.extract %cd[%b] : tensor<2xindex>
    %lo = arith.subi %p, %w : index
    %keep = arith.cmpi sge, %j, %lo : index
    attn.yield %keep : i1
  } : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32> -> tensor<2x4x16x32xf32>
  return %o : tensor<2x4x16x32xf32>
}

// -----

// A score region alone, without captures, on top of named modifiers; a mask
// region alone.
// CHECK-LABEL: func.func @regions_without_captures(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} modifiers [#attn.softcap<5.000000e+01>] score {
// CHECK-NEXT: ^bb0(%[[S:[^ ,:]+]]: f32, %{{[a-z0-9_]+}}: index, %{{[a-z0-9_]+}}: index, %{{[a-z0-9_]+}}: index, %{{[a-z0-9_]+}}: index):
// CHECK-NEXT: %[[C:[^ ,:]+]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: %[[R:[^ ,:]+]] = arith.mulf %[[S]], %[[C]] : f32
// CHECK-NEXT: attn.yield %[[R]] : f32
// CHECK-NEXT: } :
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} mask {
// CHECK-NEXT: ^bb0(%{{[a-z0-9_]+}}: index, %[[H:[^ ,:]+]]: index, %{{[a-z0-9_]+}}: index, %{{[a-z0-9_]+}}: index):
// CHECK-NEXT: %[[C0:[^ ,:]+]] = arith.constant 0 : index
// CHECK-NEXT: %[[E:[^ ,:]+]] = arith.cmpi eq, %[[H]], %[[C0]] : index
// CHECK-NEXT: attn.yield %[[E]] : i1
// CHECK-NEXT: } :
func.func @regions_without_captures(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) {
  %o1 = attn.attention %q, %k, %v modifiers [#attn.softcap<50.0>] score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %c = arith.constant 2.0 : f32
    %r = arith.mulf %s, %c : f32
    attn.yield %r : f32
  } : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  %o2 = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %c0 = arith.constant 0 : index
    %e = arith.cmpi eq, %h, %c0 : index
    attn.yield %e : i1
  } : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  return %o1, %o2 : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>
}

// -----

// Everything at once: the operand groups print in their fixed order whatever
// order the attributes have.
// CHECK-LABEL: func.func @everything(
// CHECK: %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} = attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} q_len(%{{[a-z0-9_]+}} : tensor<?xi32>) kv_len(%{{[a-z0-9_]+}} : tensor<?xi32>) segment_ids(%{{[a-z0-9_]+}} : tensor<?x?xi32>) key_limit(%{{[a-z0-9_]+}} : tensor<?x?xi32>) temperature(%{{[a-z0-9_]+}} : tensor<8xf32>) alibi_slopes(%{{[a-z0-9_]+}} : tensor<8xf32>) bias(%{{[a-z0-9_]+}} : tensor<1x8x?x?xf32>) gate(%{{[a-z0-9_]+}} : tensor<?x8x?x64xf16>) captures(%{{[a-z0-9_]+}} : tensor<8xf32>) scale(6.250000e-02) alignment({{ ?}}top_left) masks [#attn.causal, #attn.sliding_window<left = 128, sinks = 4>, #attn.document, #attn.key_limit] modifiers [#attn.temperature, #attn.softcap<3.000000e+01>, #attn.alibi, #attn.bias] normalizer(#attn.softplus<power = 2.000000e+00>) block_stats([64, 64]) score {
// CHECK: } mask {
// CHECK: } : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x?x64xf16>, lse tensor<?x8x?xf32>, block_max tensor<?x8x?x?xf32>
func.func @everything(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>, %v: tensor<?x2x?x64xf16>, %ql: tensor<?xi32>, %kvl: tensor<?xi32>,
                      %seg: tensor<?x?xi32>, %limit: tensor<?x?xi32>, %tau: tensor<8xf32>, %slopes: tensor<8xf32>, %bias: tensor<1x8x?x?xf32>,
                      %gate: tensor<?x8x?x64xf16>, %c: tensor<8xf32>)
    -> (tensor<?x8x?x64xf16>, tensor<?x8x?xf32>, tensor<?x8x?x?xf32>) {
  %o, %lse, %bm = attn.attention %q, %k, %v q_len(%ql : tensor<?xi32>) kv_len(%kvl : tensor<?xi32>)
      segment_ids(%seg : tensor<?x?xi32>) key_limit(%limit : tensor<?x?xi32>) temperature(%tau : tensor<8xf32>)
      alibi_slopes(%slopes : tensor<8xf32>) bias(%bias : tensor<1x8x?x?xf32>) gate(%gate : tensor<?x8x?x64xf16>)
      captures(%c : tensor<8xf32>) scale(0.0625) alignment(top_left)
      masks [#attn.causal, #attn.sliding_window<left = 128, sinks = 4>, #attn.document, #attn.key_limit]
      modifiers [#attn.temperature, #attn.softcap<30.0>, #attn.alibi, #attn.bias]
      normalizer(#attn.softplus<power = 2.0>) block_stats([64, 64])
  score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %cc: tensor<8xf32>):
    %x = tensor.extract %cc[%h] : tensor<8xf32>
    %r = arith.mulf %s, %x : f32
    attn.yield %r : f32
  } mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index, %cc: tensor<8xf32>):
    %p = attn.position %b, %i
    %r = arith.cmpi ne, %j, %p : index
    attn.yield %r : i1
  } : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x?x64xf16>, lse tensor<?x8x?xf32>, block_max tensor<?x8x?x?xf32>
  return %o, %lse, %bm : tensor<?x8x?x64xf16>, tensor<?x8x?xf32>, tensor<?x8x?x?xf32>
}

// -----

// attn.linear_attention with every feature map.
// CHECK-LABEL: func.func @linear_feature_maps(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<2x4x16x32xf32>, %[[K:[^:]+]]: tensor<2x2x16x32xf32>, %[[V:[^:]+]]: tensor<2x2x16x8xf32>, %[[W:[^:]+]]: tensor<64x32xf32>)
// CHECK: attn.linear_attention identity %[[Q]], %[[K]], %[[V]] : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
// CHECK: attn.linear_attention elu_plus_one %[[Q]], %[[K]], %[[V]] :
// CHECK: attn.linear_attention relu %[[Q]], %[[K]], %[[V]] :
// CHECK: attn.linear_attention exp %[[Q]], %[[K]], %[[V]] :
// CHECK: attn.linear_attention softmax %[[Q]], %[[K]], %[[V]] :
// CHECK: attn.linear_attention random_features %[[Q]], %[[K]], %[[V]] weights(%[[W]] : tensor<64x32xf32>) :
// CHECK: attn.linear_attention taylor %[[Q]], %[[K]], %[[V]] :
func.func @linear_feature_maps(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>, %w: tensor<64x32xf32>) {
  %0 = attn.linear_attention identity %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  %1 = attn.linear_attention elu_plus_one %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  %2 = attn.linear_attention relu %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  %3 = attn.linear_attention exp %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  %4 = attn.linear_attention softmax %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  %5 = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<64x32xf32>) : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  %6 = attn.linear_attention taylor %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32> -> tensor<2x4x16x8xf32>
  return
}

// -----

// attn.linear_attention with every option: lengths, per-head random
// features, causal with one decay or one per head, no denominator, eps,
// alignment. Default-valued options are not printed.
// CHECK-LABEL: func.func @linear_options(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<?x4x?x16xf16>, %[[K:[^:]+]]: tensor<?x4x?x16xf16>, %[[V:[^:]+]]: tensor<?x4x?x16xf16>, %[[W:[^:]+]]: tensor<4x32x16xf16>, %[[QL:[^:]+]]: tensor<?xi32>, %[[KVL:[^:]+]]: tensor<?xindex>)
// CHECK: attn.linear_attention random_features %[[Q]], %[[K]], %[[V]] q_len(%[[QL]] : tensor<?xi32>) kv_len(%[[KVL]] : tensor<?xindex>) weights(%[[W]] : tensor<4x32x16xf16>) causal decay([7.500000e-01]) : tensor<?x4x?x16xf16>, tensor<?x4x?x16xf16>, tensor<?x4x?x16xf16> -> tensor<?x4x?x16xf16>
// The alignment may print as alignment(top_left) or in the attribute
// dictionary.
// CHECK: attn.linear_attention elu_plus_one %[[Q]], %[[K]], %[[V]] causal decay([5.000000e-01, 7.500000e-01, 8.750000e-01, 1.000000e+00]) {{.*}}top_left{{.*}}eps = 0.000000e+00 : f64, normalize = false} :
// CHECK: attn.linear_attention relu %[[Q]], %[[K]], %[[V]] causal {eps = 1.000000e-03 : f64} :
// CHECK: attn.linear_attention exp %[[Q]], %[[K]], %[[V]] decay([1.000000e+00]) :
// CHECK: attn.linear_attention identity %[[Q]], %[[K]], %[[V]] :
func.func @linear_options(%q: tensor<?x4x?x16xf16>, %k: tensor<?x4x?x16xf16>, %v: tensor<?x4x?x16xf16>, %w: tensor<4x32x16xf16>, %ql: tensor<?xi32>, %kvl: tensor<?xindex>) {
  %0 = attn.linear_attention random_features %q, %k, %v q_len(%ql : tensor<?xi32>) kv_len(%kvl : tensor<?xindex>) weights(%w : tensor<4x32x16xf16>) causal decay([0.75])
      : tensor<?x4x?x16xf16>, tensor<?x4x?x16xf16>, tensor<?x4x?x16xf16> -> tensor<?x4x?x16xf16>
  %1 = attn.linear_attention elu_plus_one %q, %k, %v causal decay([0.5, 0.75, 0.875, 1.0]) {normalize = false, eps = 0.0, alignment = #attn<alignment top_left>}
      : tensor<?x4x?x16xf16>, tensor<?x4x?x16xf16>, tensor<?x4x?x16xf16> -> tensor<?x4x?x16xf16>
  %2 = attn.linear_attention relu %q, %k, %v causal {eps = 1.0e-3}
      : tensor<?x4x?x16xf16>, tensor<?x4x?x16xf16>, tensor<?x4x?x16xf16> -> tensor<?x4x?x16xf16>
  // decay 1 is no decay: allowed without causal.
  %3 = attn.linear_attention exp %q, %k, %v decay([1.0])
      : tensor<?x4x?x16xf16>, tensor<?x4x?x16xf16>, tensor<?x4x?x16xf16> -> tensor<?x4x?x16xf16>
  %4 = attn.linear_attention identity %q, %k, %v {normalize = true, eps = 1.0e-6, alignment = #attn<alignment bottom_right>}
      : tensor<?x4x?x16xf16>, tensor<?x4x?x16xf16>, tensor<?x4x?x16xf16> -> tensor<?x4x?x16xf16>
  return
}

// -----

// attn.merge of one part, two parts and three parts.
// CHECK-LABEL: func.func @merge(
// CHECK-SAME: %[[O1:[^:]+]]: tensor<1x8x1x64xf32>, %[[O2:[^:]+]]: tensor<1x8x1x64xf32>, %[[O3:[^:]+]]: tensor<1x8x1x64xf32>, %[[L1:[^:]+]]: tensor<1x8x1xf32>, %[[L2:[^:]+]]: tensor<1x8x1xf32>, %[[L3:[^:]+]]: tensor<1x8x1xf32>)
// CHECK: attn.merge %[[O1]] lse %[[L1]] : tensor<1x8x1x64xf32> lse tensor<1x8x1xf32> -> tensor<1x8x1x64xf32>, tensor<1x8x1xf32>
// CHECK: attn.merge %[[O1]], %[[O2]] lse %[[L1]], %[[L2]] : tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32> lse tensor<1x8x1xf32>, tensor<1x8x1xf32> -> tensor<1x8x1x64xf32>, tensor<1x8x1xf32>
// CHECK: %[[M:[^ ,:]+]], %[[ML:[^ ,:]+]] = attn.merge %[[O1]], %[[O2]], %[[O3]] lse %[[L1]], %[[L2]], %[[L3]] : tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32> lse tensor<1x8x1xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32> -> tensor<1x8x1x64xf32>, tensor<1x8x1xf32>
// CHECK: return %[[M]], %[[ML]]
func.func @merge(%o1: tensor<1x8x1x64xf32>, %o2: tensor<1x8x1x64xf32>, %o3: tensor<1x8x1x64xf32>, %l1: tensor<1x8x1xf32>, %l2: tensor<1x8x1xf32>, %l3: tensor<1x8x1xf32>) -> (tensor<1x8x1x64xf32>, tensor<1x8x1xf32>) {
  %a, %al = attn.merge %o1 lse %l1 : tensor<1x8x1x64xf32> lse tensor<1x8x1xf32> -> tensor<1x8x1x64xf32>, tensor<1x8x1xf32>
  %b, %bl = attn.merge %o1, %o2 lse %l1, %l2 : tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32> lse tensor<1x8x1xf32>, tensor<1x8x1xf32> -> tensor<1x8x1x64xf32>, tensor<1x8x1xf32>
  %m:2 = attn.merge %o1, %o2, %o3 lse %l1, %l2, %l3 : tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32> lse tensor<1x8x1xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32> -> tensor<1x8x1x64xf32>, tensor<1x8x1xf32>
  return %m#0, %m#1 : tensor<1x8x1x64xf32>, tensor<1x8x1xf32>
}

// -----

// attn.merge of dynamic-shaped bf16 parts, fed by attention results.
// CHECK-LABEL: func.func @merge_split_kv(
// CHECK: %[[A:[^ ,:]+]], %[[LA:[^ ,:]+]] = attn.attention
// CHECK: %[[B:[^ ,:]+]], %[[LB:[^ ,:]+]] = attn.attention
// CHECK: attn.merge %[[A]], %[[B]] lse %[[LA]], %[[LB]] : tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16> lse tensor<?x8x?xf32>, tensor<?x8x?xf32> -> tensor<?x8x?x64xbf16>, tensor<?x8x?xf32>
func.func @merge_split_kv(%q: tensor<?x8x?x64xbf16>, %k1: tensor<?x8x?x64xbf16>, %v1: tensor<?x8x?x64xbf16>, %k2: tensor<?x8x?x64xbf16>, %v2: tensor<?x8x?x64xbf16>) -> (tensor<?x8x?x64xbf16>, tensor<?x8x?xf32>) {
  %a, %la = attn.attention %q, %k1, %v1 : tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16> -> tensor<?x8x?x64xbf16>, lse tensor<?x8x?xf32>
  %b, %lb = attn.attention %q, %k2, %v2 : tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16> -> tensor<?x8x?x64xbf16>, lse tensor<?x8x?xf32>
  %o, %l = attn.merge %a, %b lse %la, %lb : tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16> lse tensor<?x8x?xf32>, tensor<?x8x?xf32> -> tensor<?x8x?x64xbf16>, tensor<?x8x?xf32>
  return %o, %l : tensor<?x8x?x64xbf16>, tensor<?x8x?xf32>
}

// -----

// Per-row operands broadcast like NumPy: size-1 dimensions repeat.
// CHECK-LABEL: func.func @broadcast_operands
func.func @broadcast_operands(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>,
    %v: tensor<2x2x16x32xf32>, %seg: tensor<1x16xi32>, %lim: tensor<2x1x16xi32>,
    %tau: tensor<1x8x1xf32>, %slopes: tensor<1xf32>, %gate: tensor<1x1x16x1xf32>)
    -> tensor<2x8x16x32xf32> {
  // CHECK: attn.attention {{.*}} segment_ids(%{{.*}} : tensor<1x16xi32>) key_limit(%{{.*}} : tensor<2x1x16xi32>) temperature(%{{.*}} : tensor<1x8x1xf32>) alibi_slopes(%{{.*}} : tensor<1xf32>) gate(%{{.*}} : tensor<1x1x16x1xf32>)
  %o = attn.attention %q, %k, %v segment_ids(%seg : tensor<1x16xi32>)
      key_limit(%lim : tensor<2x1x16xi32>) temperature(%tau : tensor<1x8x1xf32>)
      alibi_slopes(%slopes : tensor<1xf32>) gate(%gate : tensor<1x1x16x1xf32>)
      masks [#attn.document, #attn.key_limit] modifiers [#attn.temperature, #attn.alibi]
      : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32>
      -> tensor<2x8x16x32xf32>
  return %o : tensor<2x8x16x32xf32>
}
