// RUN: attn-opt %s -canonicalize -split-input-file | FileCheck %s

// attn.attention canonicalization (AttnCanonicalize.cpp): modifiers sort into
// their application order, no-op modifiers and defaults go, masks combine,
// regions with a named form become that attribute, unused captures go. Each
// pattern has a negative case that shows what it leaves alone.
// Q, K and V are [2, 4, 16, 64]: the default scale is exactly 0.125.

!t = tensor<2x4x16x64xf32>

//===----------------------------------------------------------------------===//
// SortModifiers
//===----------------------------------------------------------------------===//

// Modifiers sort by kind; modifiers of one kind keep their list order, so the
// k-th #attn.bias still reads the k-th bias operand.
// CHECK-LABEL: func.func @sort_modifiers(
// CHECK-SAME: %{{[^:]+}}: tensor<2x4x16x64xf32>, %{{[^:]+}}: tensor<2x4x16x64xf32>, %{{[^:]+}}: tensor<2x4x16x64xf32>, %[[TAU:[^:]+]]: tensor<4xf32>, %[[B0:[^:]+]]: tensor<16xf32>, %[[B1:[^:]+]]: tensor<1x16xf32>)
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} temperature(%[[TAU]] : tensor<4xf32>) bias(%[[B0]], %[[B1]] : tensor<16xf32>, tensor<1x16xf32>) modifiers [#attn.temperature, #attn.softcap<5.000000e+01>, #attn.softcap<3.000000e+01>, #attn.bias, #attn.bias, #attn.sink_calibration<columns = [0], factors = [2.000000e+00]>] :
func.func @sort_modifiers(%q: !t, %k: !t, %v: !t, %tau: tensor<4xf32>, %b0: tensor<16xf32>, %b1: tensor<1x16xf32>) -> !t {
  %o = attn.attention %q, %k, %v temperature(%tau : tensor<4xf32>) bias(%b0, %b1 : tensor<16xf32>, tensor<1x16xf32>)
      modifiers [#attn.sink_calibration<columns = [0], factors = [2.0]>, #attn.bias, #attn.softcap<50.0>,
                 #attn.temperature, #attn.bias, #attn.softcap<30.0>]
      : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// Every kind once, in reverse order.
// CHECK-LABEL: func.func @sort_every_kind(
// CHECK: modifiers [#attn.temperature, #attn.length_scaling<5.120000e+02>, #attn.softcap<3.000000e+01>, #attn.alibi, #attn.relative_position<max_distance = 8>, #attn.bias, #attn.sink_calibration<columns = [0, 1], factors = [3.000000e+00]>] :
func.func @sort_every_kind(%q: !t, %k: !t, %v: !t, %tau: tensor<4xf32>, %slopes: tensor<4xf32>, %table: tensor<4x17xf32>, %b: tensor<16x16xf32>) -> !t {
  %o = attn.attention %q, %k, %v temperature(%tau : tensor<4xf32>) alibi_slopes(%slopes : tensor<4xf32>)
      position_table(%table : tensor<4x17xf32>) bias(%b : tensor<16x16xf32>)
      modifiers [#attn.sink_calibration<columns = [0, 1], factors = [3.0]>, #attn.bias, #attn.relative_position<max_distance = 8>,
                 #attn.alibi, #attn.softcap<30.0>, #attn.length_scaling<512.0>, #attn.temperature]
      : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// Already in order: left alone.
// CHECK-LABEL: func.func @sorted_modifiers_unchanged(
// CHECK: modifiers [#attn.softcap<5.000000e+01>, #attn.alibi<symmetric = true>, #attn.sink_calibration<columns = [1], factors = [2.000000e+00]>] :
func.func @sorted_modifiers_unchanged(%q: !t, %k: !t, %v: !t, %slopes: tensor<4xf32>) -> !t {
  %o = attn.attention %q, %k, %v alibi_slopes(%slopes : tensor<4xf32>)
      modifiers [#attn.softcap<50.0>, #attn.alibi<symmetric = true>, #attn.sink_calibration<columns = [1], factors = [2.0]>]
      : !t, !t, !t -> !t
  return %o : !t
}

// -----

//===----------------------------------------------------------------------===//
// DropNoOpModifiers
//===----------------------------------------------------------------------===//

!t = tensor<2x4x16x64xf32>

// A sink calibration whose factors are all 1 goes, as does one of no column;
// one with some factors of 1 loses those columns.
// CHECK-LABEL: func.func @drop_noop_sink_calibration(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<2x4x16x64xf32>
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} modifiers [#attn.softcap<3.000000e+01>] :
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} modifiers [#attn.sink_calibration<columns = [0, 2], factors = [2.000000e+00, 5.000000e-01]>] :
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<2x4x16x64xf32>
func.func @drop_noop_sink_calibration(%q: !t, %k: !t, %v: !t) -> (!t, !t, !t, !t) {
  %o1 = attn.attention %q, %k, %v modifiers [#attn.sink_calibration<columns = [0, 1, 2], factors = [1.0]>] : !t, !t, !t -> !t
  %o2 = attn.attention %q, %k, %v modifiers [#attn.softcap<30.0>, #attn.sink_calibration<columns = [0, 1], factors = [1.0, 1.0]>] : !t, !t, !t -> !t
  %o3 = attn.attention %q, %k, %v modifiers [#attn.sink_calibration<columns = [0, 1, 2, 3], factors = [2.0, 1.0, 0.5, 1.0]>] : !t, !t, !t -> !t
  %o4 = attn.attention %q, %k, %v modifiers [#attn.sink_calibration<columns = [], factors = [2.0]>] : !t, !t, !t -> !t
  return %o1, %o2, %o3, %o4 : !t, !t, !t, !t
}

// -----

!t = tensor<2x4x16x64xf32>

// No factor is 1: left alone.
// CHECK-LABEL: func.func @keep_sink_calibration(
// CHECK: modifiers [#attn.sink_calibration<columns = [0, 1], factors = [2.000000e+00]>, #attn.sink_calibration<columns = [4, 5], factors = [2.500000e-01, 1.000000e+01]>] :
func.func @keep_sink_calibration(%q: !t, %k: !t, %v: !t) -> !t {
  %o = attn.attention %q, %k, %v
      modifiers [#attn.sink_calibration<columns = [0, 1], factors = [2.0]>, #attn.sink_calibration<columns = [4, 5], factors = [0.25, 10.0]>]
      : !t, !t, !t -> !t
  return %o : !t
}

// -----

//===----------------------------------------------------------------------===//
// DropDefaultAttributes
//===----------------------------------------------------------------------===//

!t = tensor<2x4x16x64xf32>

// scale(1/sqrt(64)) and normalizer(#attn.softmax) are the defaults.
// CHECK-LABEL: func.func @drop_defaults(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, lse tensor<2x4x16xf32>
// CHECK-NOT: scale
// CHECK-NOT: normalizer
// CHECK: return
func.func @drop_defaults(%q: !t, %k: !t, %v: !t) -> (!t, tensor<2x4x16xf32>) {
  %o, %lse = attn.attention %q, %k, %v scale(0.125) normalizer(#attn.softmax) : !t, !t, !t -> !t, lse tensor<2x4x16xf32>
  return %o, %lse : !t, tensor<2x4x16xf32>
}

// -----

!t = tensor<2x4x16x64xf32>

// A scale that is not exactly 1/sqrt(D), and a normaliser other than softmax
// (even a normalised one), stay.
// CHECK-LABEL: func.func @keep_non_defaults(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} scale(0.125000001) normalizer(#attn.softplus) : tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>
// CHECK-NEXT: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} scale(2.500000e-01) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32> -> tensor<2x4x16x32xf32>
// CHECK-NEXT: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} scale(1.250000e-01) normalizer(#attn.clipped_softmax<zeta = 1.000000e+00, gamma = 0.000000e+00>) : tensor<2x4x16x32xf32>
func.func @keep_non_defaults(%q: !t, %k: !t, %v: !t, %q32: tensor<2x4x16x32xf32>, %k32: tensor<2x4x16x32xf32>) -> (!t, tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>) {
  // One ulp-ish off the default scale; softplus is not the default.
  %o1 = attn.attention %q, %k, %v scale(0.125000001) normalizer(#attn.softplus) : !t, !t, !t -> !t
  // D = 32: 1/sqrt(32) != 0.25.
  %o2 = attn.attention %q32, %k32, %k32 scale(0.25) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32> -> tensor<2x4x16x32xf32>
  // D = 32: 0.125 is not its default.
  %o3 = attn.attention %q32, %k32, %k32 scale(0.125) normalizer(#attn.clipped_softmax<zeta = 1.0, gamma = 0.0>) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32> -> tensor<2x4x16x32xf32>
  return %o1, %o2, %o3 : !t, tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>
}

// -----

//===----------------------------------------------------------------------===//
// CombineMasks
//===----------------------------------------------------------------------===//

!t = tensor<2x4x16x64xf32>

// Duplicates of one mask go.
// CHECK-LABEL: func.func @duplicate_masks(
// CHECK: masks [#attn.causal, #attn.neighborhood<grid = [4, 4], kernel = [3, 3]>] :
func.func @duplicate_masks(%q: !t, %k: !t, %v: !t) -> !t {
  %o = attn.attention %q, %k, %v
      masks [#attn.neighborhood<grid = [4, 4], kernel = [3, 3]>, #attn.causal, #attn.neighborhood<grid = [4, 4], kernel = [3, 3]>, #attn.causal]
      : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// prefix_lm<0> is causal.
// CHECK-LABEL: func.func @prefix_lm_zero(
// CHECK: masks [#attn.causal] :
func.func @prefix_lm_zero(%q: !t, %k: !t, %v: !t) -> !t {
  %o = attn.attention %q, %k, %v masks [#attn.prefix_lm<0>] : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// A prefix_lm with a non-empty prefix is not causal.
// CHECK-LABEL: func.func @keep_prefix_lm(
// CHECK: masks [#attn.prefix_lm<4>] :
func.func @keep_prefix_lm(%q: !t, %k: !t, %v: !t) -> !t {
  %o = attn.attention %q, %k, %v masks [#attn.prefix_lm<4>] : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// A window unbounded on both sides keeps every key, with or without sinks.
// CHECK-LABEL: func.func @unbounded_window(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<2x4x16x64xf32>
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} key_limit(%{{[a-z0-9_]+}} : tensor<2x16xi32>) masks [#attn.key_limit] :
func.func @unbounded_window(%q: !t, %k: !t, %v: !t, %limit: tensor<2x16xi32>) -> (!t, !t) {
  %o1 = attn.attention %q, %k, %v masks [#attn.sliding_window<>] : !t, !t, !t -> !t
  %o2 = attn.attention %q, %k, %v key_limit(%limit : tensor<2x16xi32>) masks [#attn.sliding_window<sinks = 4>, #attn.key_limit] : !t, !t, !t -> !t
  return %o1, %o2 : !t, !t
}

// -----

!t = tensor<2x4x16x64xf32>

// causal AND [p - 128, unbounded) is [p - 128, p].
// CHECK-LABEL: func.func @causal_and_window(
// CHECK: masks [#attn.sliding_window<left = 128, right = 0>] :
func.func @causal_and_window(%q: !t, %k: !t, %v: !t) -> !t {
  %o = attn.attention %q, %k, %v masks [#attn.causal, #attn.sliding_window<left = 128>] : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// causal AND a window bounded on the right only is causal; a window that
// keeps nothing right of p(i) is causal too.
// CHECK-LABEL: func.func @window_as_causal(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.causal] :
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.causal] :
func.func @window_as_causal(%q: !t, %k: !t, %v: !t) -> (!t, !t) {
  %o1 = attn.attention %q, %k, %v masks [#attn.sliding_window<right = 8>, #attn.causal] : !t, !t, !t -> !t
  %o2 = attn.attention %q, %k, %v masks [#attn.sliding_window<right = 0>] : !t, !t, !t -> !t
  return %o1, %o2 : !t, !t
}

// -----

!t = tensor<2x4x16x64xf32>

// Two windows intersect side by side; the combined window comes first, the
// other masks keep their order.
// CHECK-LABEL: func.func @window_and_window(
// CHECK: masks [#attn.sliding_window<left = 64, right = 4>, #attn.neighborhood<grid = [16], kernel = [5]>, #attn.prefix_lm<8>] :
func.func @window_and_window(%q: !t, %k: !t, %v: !t) -> !t {
  %o = attn.attention %q, %k, %v
      masks [#attn.neighborhood<grid = [16], kernel = [5]>, #attn.sliding_window<left = 128, right = 4>, #attn.prefix_lm<8>, #attn.sliding_window<left = 64, right = 16>]
      : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// prefix_lm<0>, causal and a window all intersect.
// CHECK-LABEL: func.func @prefix_zero_and_window(
// CHECK: masks [#attn.sliding_window<left = 32, right = 0>] :
func.func @prefix_zero_and_window(%q: !t, %k: !t, %v: !t) -> !t {
  %o = attn.attention %q, %k, %v masks [#attn.sliding_window<left = 32, right = 2>, #attn.prefix_lm<0>] : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// A prefix_lm keeps a superset of a window that keeps nothing right of p(i):
// beside prefix_lm<0> (causal) it goes, so the result is valid (the verifier
// rejects prefix_lm together with causal). Beside a window open to the right
// it stays.
// CHECK-LABEL: func.func @prefix_lm_beside_causal(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.causal] :
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.sliding_window<left = 16, right = 0>] :
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.sliding_window<left = 16, right = 1>, #attn.prefix_lm<4>] :
func.func @prefix_lm_beside_causal(%q: !t, %k: !t, %v: !t) -> (!t, !t, !t) {
  %o1 = attn.attention %q, %k, %v masks [#attn.prefix_lm<4>, #attn.prefix_lm<0>] : !t, !t, !t -> !t
  %o2 = attn.attention %q, %k, %v masks [#attn.prefix_lm<4>, #attn.sliding_window<left = 16, right = 0>] : !t, !t, !t -> !t
  %o3 = attn.attention %q, %k, %v masks [#attn.prefix_lm<4>, #attn.sliding_window<left = 16, right = 1>] : !t, !t, !t -> !t
  return %o1, %o2, %o3 : !t, !t, !t
}

// -----

!t = tensor<2x4x16x64xf32>

// A window with sinks keeps keys outside the interval: it is not merged with
// causal or with another window.
// CHECK-LABEL: func.func @window_with_sinks_not_merged(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.causal, #attn.sliding_window<left = 128, sinks = 4>] :
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.sliding_window<left = 8>, #attn.sliding_window<left = 128, sinks = 4>] :
func.func @window_with_sinks_not_merged(%q: !t, %k: !t, %v: !t) -> (!t, !t) {
  %o1 = attn.attention %q, %k, %v masks [#attn.causal, #attn.sliding_window<left = 128, sinks = 4>] : !t, !t, !t -> !t
  %o2 = attn.attention %q, %k, %v masks [#attn.sliding_window<left = 128, sinks = 4>, #attn.sliding_window<left = 8>] : !t, !t, !t -> !t
  return %o1, %o2 : !t, !t
}

// -----

!t = tensor<2x4x16x64xf32>

// Nothing to combine: left alone.
// CHECK-LABEL: func.func @masks_unchanged(
// CHECK: masks [#attn.sliding_window<left = 4, right = 4>, #attn.key_limit, #attn.neighborhood<grid = [16], kernel = [3], causal = [true]>] :
func.func @masks_unchanged(%q: !t, %k: !t, %v: !t, %limit: tensor<2x16xi32>) -> !t {
  %o = attn.attention %q, %k, %v key_limit(%limit : tensor<2x16xi32>)
      masks [#attn.sliding_window<left = 4, right = 4>, #attn.key_limit, #attn.neighborhood<grid = [16], kernel = [3], causal = [true]>]
      : !t, !t, !t -> !t
  return %o : !t
}

// -----

//===----------------------------------------------------------------------===//
// NamedMaskFromRegion
//===----------------------------------------------------------------------===//

!t = tensor<2x4x16x64xf32>

// j <= p(i), written either way round, is #attn.causal.
// CHECK-LABEL: func.func @causal_mask_region(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.causal] : tensor<2x4x16x64xf32>
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.causal] : tensor<2x4x16x64xf32>
// CHECK-NOT: mask {
// CHECK-NOT: attn.position
// CHECK: return
func.func @causal_mask_region(%q: !t, %k: !t, %v: !t) -> (!t, !t) {
  %o1 = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %p = attn.position %b, %i
    %keep = arith.cmpi sle, %j, %p : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  %o2 = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %p = attn.position %b, %i
    %keep = arith.cmpi sge, %p, %j : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  return %o1, %o2 : !t, !t
}

// -----

!t = tensor<2x4x16x64xf32>

// Under top-left alignment p(i) = i, so j <= i is causal there.
// CHECK-LABEL: func.func @causal_mask_region_top_left(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} alignment({{ ?}}top_left) masks [#attn.causal] : tensor<2x4x16x64xf32>
// CHECK-NOT: mask {
func.func @causal_mask_region_top_left(%q: !t, %k: !t, %v: !t) -> !t {
  %o = attn.attention %q, %k, %v alignment(top_left) mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %keep = arith.cmpi sle, %j, %i : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// Under bottom-right alignment (the default) j <= i is not causal: p(i) =
// i + Skv - Sq. The region stays.
// CHECK-LABEL: func.func @j_le_i_bottom_right(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} mask {
// CHECK-NEXT: ^bb0(%{{[a-z0-9_]+}}: index, %{{[a-z0-9_]+}}: index, %[[I:[^:]+]]: index, %[[J:[^:]+]]: index):
// CHECK-NEXT: %[[KEEP:[^ ]+]] = arith.cmpi sle, %[[J]], %[[I]] : index
// CHECK-NEXT: attn.yield %[[KEEP]] : i1
// CHECK-NEXT: } :
// CHECK-NOT: #attn.causal
func.func @j_le_i_bottom_right(%q: !t, %k: !t, %v: !t) -> !t {
  %o = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %keep = arith.cmpi sle, %j, %i : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// Strictly below the diagonal (j < p(i)) has no named form (a window never
// excludes p(i) itself); the transposed comparison p(i) <= j is the window
// with no right bound and left = 0.
// CHECK-LABEL: func.func @not_causal_mask_regions(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} mask {
// CHECK: arith.cmpi slt
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.sliding_window<left = 0>] :
// CHECK-NOT: #attn.causal
func.func @not_causal_mask_regions(%q: !t, %k: !t, %v: !t) -> (!t, !t) {
  %o1 = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %p = attn.position %b, %i
    %keep = arith.cmpi slt, %j, %p : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  %o2 = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %p = attn.position %b, %i
    %keep = arith.cmpi sle, %p, %j : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  return %o1, %o2 : !t, !t
}

// -----

!t = tensor<2x4x16x64xf32>

// A mask region that keeps every pair goes; its captures go with it.
// CHECK-LABEL: func.func @true_mask_region(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.sliding_window<left = 8>] : tensor<2x4x16x64xf32>
// CHECK-NOT: captures
// CHECK-NOT: mask {
// CHECK: return
func.func @true_mask_region(%q: !t, %k: !t, %v: !t, %c: tensor<2xindex>) -> !t {
  %o = attn.attention %q, %k, %v captures(%c : tensor<2xindex>) masks [#attn.sliding_window<left = 8>] mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index, %cc: tensor<2xindex>):
    %t = arith.constant true
    attn.yield %t : i1
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// A mask region that keeps nothing has no named form.
// CHECK-LABEL: func.func @false_mask_region(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} mask {
// CHECK: %[[F:[^ ]+]] = arith.constant false
// CHECK-NEXT: attn.yield %[[F]] : i1
func.func @false_mask_region(%q: !t, %k: !t, %v: !t) -> !t {
  %o = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %f = arith.constant false
    attn.yield %f : i1
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// A causal region beside a window: the new causal mask combines with it.
// CHECK-LABEL: func.func @causal_region_and_window(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.sliding_window<left = 256, right = 0>] : tensor<2x4x16x64xf32>
func.func @causal_region_and_window(%q: !t, %k: !t, %v: !t) -> !t {
  %o = attn.attention %q, %k, %v masks [#attn.sliding_window<left = 256>] mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %p = attn.position %b, %i
    %keep = arith.cmpi sle, %j, %p : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// A causal region beside prefix_lm: the intersection is causal, and the
// result is valid (prefix_lm and causal together are rejected).
// CHECK-LABEL: func.func @causal_region_and_prefix_lm(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} masks [#attn.causal] : tensor<2x4x16x64xf32>
func.func @causal_region_and_prefix_lm(%q: !t, %k: !t, %v: !t) -> !t {
  %o = attn.attention %q, %k, %v masks [#attn.prefix_lm<4>] mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %p = attn.position %b, %i
    %keep = arith.cmpi sle, %j, %p : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

//===----------------------------------------------------------------------===//
// NamedModifierFromRegion
//===----------------------------------------------------------------------===//

!t = tensor<2x4x16x64xf32>

// c * tanh(s / c) is #attn.softcap<c>, with the operands of the product in
// either order; it goes after the named modifiers of its kind.
// CHECK-LABEL: func.func @softcap_region(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} modifiers [#attn.softcap<3.000000e+01>] : tensor<2x4x16x64xf32>
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} temperature(%{{[a-z0-9_]+}} : tensor<4xf32>) modifiers [#attn.temperature, #attn.softcap<5.000000e+01>, #attn.softcap<2.000000e+01>] : tensor<2x4x16x64xf32>
// CHECK-NOT: score {
// CHECK-NOT: math.tanh
// CHECK: return
func.func @softcap_region(%q: !t, %k: !t, %v: !t, %tau: tensor<4xf32>) -> (!t, !t) {
  %o1 = attn.attention %q, %k, %v score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %c = arith.constant 30.0 : f32
    %d = arith.divf %s, %c : f32
    %t = math.tanh %d : f32
    %r = arith.mulf %c, %t : f32
    attn.yield %r : f32
  } : !t, !t, !t -> !t
  %o2 = attn.attention %q, %k, %v temperature(%tau : tensor<4xf32>) modifiers [#attn.temperature, #attn.softcap<50.0>] score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %c = arith.constant 20.0 : f32
    %d = arith.divf %s, %c : f32
    %t = math.tanh %d : f32
    %r = arith.mulf %t, %c : f32
    attn.yield %r : f32
  } : !t, !t, !t -> !t
  return %o1, %o2 : !t, !t
}

// -----

!t = tensor<2x4x16x64xf32>

// The region applies after every named modifier; turning it into a softcap
// would move it before #attn.alibi (a later kind). It stays.
// CHECK-LABEL: func.func @softcap_region_before_later_kind(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} alibi_slopes(%{{[a-z0-9_]+}} : tensor<4xf32>) modifiers [#attn.alibi] score {
// CHECK: math.tanh
// CHECK: attn.yield
func.func @softcap_region_before_later_kind(%q: !t, %k: !t, %v: !t, %slopes: tensor<4xf32>) -> !t {
  %o = attn.attention %q, %k, %v alibi_slopes(%slopes : tensor<4xf32>) modifiers [#attn.alibi] score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %c = arith.constant 30.0 : f32
    %d = arith.divf %s, %c : f32
    %t = math.tanh %d : f32
    %r = arith.mulf %c, %t : f32
    attn.yield %r : f32
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// Not a softcap: the divisor differs from the factor, or the cap is negative.
// CHECK-LABEL: func.func @not_softcap_regions(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} score {
// CHECK: math.tanh
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} score {
// CHECK: math.tanh
// CHECK-NOT: #attn.softcap
func.func @not_softcap_regions(%q: !t, %k: !t, %v: !t) -> (!t, !t) {
  %o1 = attn.attention %q, %k, %v score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %c = arith.constant 30.0 : f32
    %c2 = arith.constant 15.0 : f32
    %d = arith.divf %s, %c2 : f32
    %t = math.tanh %d : f32
    %r = arith.mulf %c, %t : f32
    attn.yield %r : f32
  } : !t, !t, !t -> !t
  %o2 = attn.attention %q, %k, %v score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %c = arith.constant -30.0 : f32
    %d = arith.divf %s, %c : f32
    %t = math.tanh %d : f32
    %r = arith.mulf %c, %t : f32
    attn.yield %r : f32
  } : !t, !t, !t -> !t
  return %o1, %o2 : !t, !t
}

// -----

!t = tensor<2x4x16x64xf32>

// s + t[b, h, i, j] with t a [B, Hq, Sq, Skv] capture is #attn.bias reading t:
// the capture moves to the bias operands, after the biases already there.
// CHECK-LABEL: func.func @bias_region(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<2x4x16x64xf32>, %[[K:[^:]+]]: tensor<2x4x16x64xf32>, %[[V:[^:]+]]: tensor<2x4x16x64xf32>, %[[B0:[^:]+]]: tensor<16xf32>, %[[T:[^:]+]]: tensor<2x4x16x16xf32>)
// CHECK: attn.attention %[[Q]], %[[K]], %[[V]] bias(%[[B0]], %[[T]] : tensor<16xf32>, tensor<2x4x16x16xf32>) modifiers [#attn.softcap<3.000000e+01>, #attn.bias, #attn.bias] : tensor<2x4x16x64xf32>
// CHECK-NOT: captures
// CHECK-NOT: score {
// CHECK: return
func.func @bias_region(%q: !t, %k: !t, %v: !t, %b0: tensor<16xf32>, %t: tensor<2x4x16x16xf32>) -> !t {
  %o = attn.attention %q, %k, %v bias(%b0 : tensor<16xf32>) captures(%t : tensor<2x4x16x16xf32>)
      modifiers [#attn.softcap<30.0>, #attn.bias] score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %ct: tensor<2x4x16x16xf32>):
    %x = tensor.extract %ct[%b, %h, %i, %j] : tensor<2x4x16x16xf32>
    %r = arith.addf %x, %s : f32
    attn.yield %r : f32
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// A dynamic-shaped capture is read the same way; the other capture stays for
// the mask region that reads it.
// CHECK-LABEL: func.func @bias_region_dynamic_capture(
// CHECK-SAME: %[[T:[^:]+]]: tensor<?x4x?x?xf32>, %[[D:[^:]+]]: tensor<2xindex>)
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} bias(%[[T]] : tensor<?x4x?x?xf32>) captures(%[[D]] : tensor<2xindex>) modifiers [#attn.bias] mask {
// CHECK-NEXT: ^bb0(%[[B:[^:]+]]: index, %{{[a-z0-9_]+}}: index, %{{[a-z0-9_]+}}: index, %[[J:[^:]+]]: index, %[[CD:[^:]+]]: tensor<2xindex>):
// CHECK-NEXT: %[[X:[^ ]+]] = tensor.extract %[[CD]][%[[B]]] : tensor<2xindex>
// CHECK-NEXT: %[[KEEP:[^ ]+]] = arith.cmpi slt, %[[J]], %[[X]] : index
// CHECK-NEXT: attn.yield %[[KEEP]] : i1
// CHECK-NEXT: } :
// CHECK-NOT: score {
func.func @bias_region_dynamic_capture(%q: !t, %k: !t, %v: !t, %t: tensor<?x4x?x?xf32>, %d: tensor<2xindex>) -> !t {
  %o = attn.attention %q, %k, %v captures(%t, %d : tensor<?x4x?x?xf32>, tensor<2xindex>) score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %ct: tensor<?x4x?x?xf32>, %cd: tensor<2xindex>):
    %x = tensor.extract %ct[%b, %h, %i, %j] : tensor<?x4x?x?xf32>
    %r = arith.addf %s, %x : f32
    attn.yield %r : f32
  } mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index, %ct: tensor<?x4x?x?xf32>, %cd: tensor<2xindex>):
    %x = tensor.extract %cd[%b] : tensor<2xindex>
    %keep = arith.cmpi slt, %j, %x : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// Left alone: a capture that is not [B, Hq, Sq, Skv] (indexing is not
// broadcasting), indices in another order, and a bias region before a later
// named modifier (#attn.sink_calibration).
// CHECK-LABEL: func.func @not_bias_regions(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} captures(%{{[a-z0-9_]+}} : tensor<2x4x16x32xf32>) score {
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} captures(%{{[a-z0-9_]+}} : tensor<2x4x16x16xf32>) score {
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} captures(%{{[a-z0-9_]+}} : tensor<2x4x16x16xf32>) modifiers [#attn.sink_calibration<columns = [0], factors = [2.000000e+00]>] score {
// CHECK-NOT: bias(
// CHECK-NOT: #attn.bias
func.func @not_bias_regions(%q: !t, %k: !t, %v: !t, %wide: tensor<2x4x16x32xf32>, %t: tensor<2x4x16x16xf32>) -> (!t, !t, !t) {
  %o1 = attn.attention %q, %k, %v captures(%wide : tensor<2x4x16x32xf32>) score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %ct: tensor<2x4x16x32xf32>):
    %x = tensor.extract %ct[%b, %h, %i, %j] : tensor<2x4x16x32xf32>
    %r = arith.addf %s, %x : f32
    attn.yield %r : f32
  } : !t, !t, !t -> !t
  %o2 = attn.attention %q, %k, %v captures(%t : tensor<2x4x16x16xf32>) score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %ct: tensor<2x4x16x16xf32>):
    %x = tensor.extract %ct[%b, %h, %j, %i] : tensor<2x4x16x16xf32>
    %r = arith.addf %s, %x : f32
    attn.yield %r : f32
  } : !t, !t, !t -> !t
  %o3 = attn.attention %q, %k, %v captures(%t : tensor<2x4x16x16xf32>) modifiers [#attn.sink_calibration<columns = [0], factors = [2.0]>] score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %ct: tensor<2x4x16x16xf32>):
    %x = tensor.extract %ct[%b, %h, %i, %j] : tensor<2x4x16x16xf32>
    %r = arith.addf %s, %x : f32
    attn.yield %r : f32
  } : !t, !t, !t -> !t
  return %o1, %o2, %o3 : !t, !t, !t
}

// -----

// With a paged cache the bias is [B, Hq, Sq, max_pages * page_size]: a
// capture of that shape becomes a bias, one of the true key count does not.
// CHECK-LABEL: func.func @bias_region_paged(
// CHECK-SAME: %[[PADDED:[^:]+]]: tensor<2x8x1x128xf32>, %[[SHORT:[^:]+]]: tensor<2x8x1x100xf32>)
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} kv_len(%{{[a-z0-9_]+}} : tensor<2xi32>) page_table(%{{[a-z0-9_]+}} : tensor<2x8xi32>) bias(%[[PADDED]] : tensor<2x8x1x128xf32>) modifiers [#attn.bias] : tensor<2x8x1x32xf32>
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} kv_len(%{{[a-z0-9_]+}} : tensor<2xi32>) page_table(%{{[a-z0-9_]+}} : tensor<2x8xi32>) captures(%[[SHORT]] : tensor<2x8x1x100xf32>) score {
func.func @bias_region_paged(%q: tensor<2x8x1x32xf32>, %k: tensor<64x16x4x32xf32>, %v: tensor<64x16x4x32xf32>, %pt: tensor<2x8xi32>, %kvl: tensor<2xi32>,
                             %padded: tensor<2x8x1x128xf32>, %short: tensor<2x8x1x100xf32>) -> (tensor<2x8x1x32xf32>, tensor<2x8x1x32xf32>) {
  %o1 = attn.attention %q, %k, %v kv_len(%kvl : tensor<2xi32>) page_table(%pt : tensor<2x8xi32>) captures(%padded : tensor<2x8x1x128xf32>) score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %ct: tensor<2x8x1x128xf32>):
    %x = tensor.extract %ct[%b, %h, %i, %j] : tensor<2x8x1x128xf32>
    %r = arith.addf %s, %x : f32
    attn.yield %r : f32
  } : tensor<2x8x1x32xf32>, tensor<64x16x4x32xf32>, tensor<64x16x4x32xf32> -> tensor<2x8x1x32xf32>
  %o2 = attn.attention %q, %k, %v kv_len(%kvl : tensor<2xi32>) page_table(%pt : tensor<2x8xi32>) captures(%short : tensor<2x8x1x100xf32>) score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %ct: tensor<2x8x1x100xf32>):
    %x = tensor.extract %ct[%b, %h, %i, %j] : tensor<2x8x1x100xf32>
    %r = arith.addf %s, %x : f32
    attn.yield %r : f32
  } : tensor<2x8x1x32xf32>, tensor<64x16x4x32xf32>, tensor<64x16x4x32xf32> -> tensor<2x8x1x32xf32>
  return %o1, %o2 : tensor<2x8x1x32xf32>, tensor<2x8x1x32xf32>
}

// -----

!t = tensor<2x4x16x64xf32>

// A score region that yields s unchanged goes, with the captures only it read.
// CHECK-LABEL: func.func @identity_score_region(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} modifiers [#attn.softcap<3.000000e+01>] : tensor<2x4x16x64xf32>
// CHECK-NOT: captures
// CHECK-NOT: score {
// CHECK: return
func.func @identity_score_region(%q: !t, %k: !t, %v: !t, %c: tensor<4xf32>) -> !t {
  %o = attn.attention %q, %k, %v captures(%c : tensor<4xf32>) modifiers [#attn.softcap<30.0>] score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %cc: tensor<4xf32>):
    attn.yield %s : f32
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// A score region with no named form stays.
// CHECK-LABEL: func.func @custom_score_region(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} score {
// CHECK-NEXT: ^bb0(%[[S:[^:]+]]: f32, %{{[a-z0-9_]+}}: index, %{{[a-z0-9_]+}}: index, %{{[a-z0-9_]+}}: index, %{{[a-z0-9_]+}}: index):
// CHECK-NEXT: %[[C:[^ ]+]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: %[[R:[^ ]+]] = arith.mulf %[[S]], %[[C]] : f32
// CHECK-NEXT: attn.yield %[[R]] : f32
func.func @custom_score_region(%q: !t, %k: !t, %v: !t) -> !t {
  %o = attn.attention %q, %k, %v score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %c = arith.constant 2.0 : f32
    %r = arith.mulf %s, %c : f32
    attn.yield %r : f32
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

//===----------------------------------------------------------------------===//
// DropUnusedCaptures
//===----------------------------------------------------------------------===//

!t = tensor<2x4x16x64xf32>

// Captures no region reads go, with their region arguments in every region.
// CHECK-LABEL: func.func @drop_unused_captures(
// CHECK-SAME: %{{[^:]+}}: tensor<2x4x16x64xf32>, %{{[^:]+}}: tensor<2x4x16x64xf32>, %{{[^:]+}}: tensor<2x4x16x64xf32>, %{{[^:]+}}: tensor<4xf32>, %[[USED:[^:]+]]: tensor<4xf32>, %{{[^:]+}}: tensor<2xindex>)
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} captures(%[[USED]] : tensor<4xf32>) score {
// CHECK-NEXT: ^bb0(%[[S:[^:]+]]: f32, %{{[a-z0-9_]+}}: index, %[[H:[^:]+]]: index, %{{[a-z0-9_]+}}: index, %{{[a-z0-9_]+}}: index, %[[C:[^:]+]]: tensor<4xf32>):
// CHECK-NEXT: %[[X:[^ ]+]] = tensor.extract %[[C]][%[[H]]] : tensor<4xf32>
// CHECK-NEXT: %[[R:[^ ]+]] = arith.mulf %[[S]], %[[X]] : f32
// CHECK-NEXT: attn.yield %[[R]] : f32
// CHECK-NEXT: } mask {
// CHECK-NEXT: ^bb0(%{{[a-z0-9_]+}}: index, %{{[a-z0-9_]+}}: index, %[[I:[^:]+]]: index, %[[J:[^:]+]]: index, %{{[a-z0-9_]+}}: tensor<4xf32>):
// CHECK-NEXT: %[[KEEP:[^ ]+]] = arith.cmpi ne, %[[I]], %[[J]] : index
// CHECK-NEXT: attn.yield %[[KEEP]] : i1
// CHECK-NEXT: } :
func.func @drop_unused_captures(%q: !t, %k: !t, %v: !t, %unused: tensor<4xf32>, %used: tensor<4xf32>, %unused2: tensor<2xindex>) -> !t {
  %o = attn.attention %q, %k, %v captures(%unused, %used, %unused2 : tensor<4xf32>, tensor<4xf32>, tensor<2xindex>) score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %c0: tensor<4xf32>, %c1: tensor<4xf32>, %c2: tensor<2xindex>):
    %x = tensor.extract %c1[%h] : tensor<4xf32>
    %r = arith.mulf %s, %x : f32
    attn.yield %r : f32
  } mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index, %c0: tensor<4xf32>, %c1: tensor<4xf32>, %c2: tensor<2xindex>):
    %keep = arith.cmpi ne, %i, %j : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// Every capture read (one by each region): left alone.
// CHECK-LABEL: func.func @captures_all_used(
// CHECK: attn.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} captures(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<4xf32>, tensor<2xindex>) score {
func.func @captures_all_used(%q: !t, %k: !t, %v: !t, %c: tensor<4xf32>, %d: tensor<2xindex>) -> !t {
  %o = attn.attention %q, %k, %v captures(%c, %d : tensor<4xf32>, tensor<2xindex>) score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %cc: tensor<4xf32>, %cd: tensor<2xindex>):
    %x = tensor.extract %cc[%h] : tensor<4xf32>
    %r = arith.mulf %s, %x : f32
    attn.yield %r : f32
  } mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index, %cc: tensor<4xf32>, %cd: tensor<2xindex>):
    %x = tensor.extract %cd[%b] : tensor<2xindex>
    %keep = arith.cmpi slt, %j, %x : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// Everything at once: the spec of a softcapped, causal, windowed attention
// written with regions, defaults and modifiers out of order.
// CHECK-LABEL: func.func @everything(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<2x4x16x64xf32>, %[[K:[^:]+]]: tensor<2x4x16x64xf32>, %[[V:[^:]+]]: tensor<2x4x16x64xf32>, %[[TAU:[^:]+]]: tensor<4xf32>, %{{[^:]+}}: tensor<8xf32>)
// CHECK-NEXT: %[[O:[^ ]+]] = attn.attention %[[Q]], %[[K]], %[[V]] temperature(%[[TAU]] : tensor<4xf32>) masks [#attn.sliding_window<left = 512, right = 0>] modifiers [#attn.temperature, #attn.softcap<5.000000e+01>] : tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>
// CHECK-NEXT: return %[[O]]
func.func @everything(%q: !t, %k: !t, %v: !t, %tau: tensor<4xf32>, %c: tensor<8xf32>) -> !t {
  %o = attn.attention %q, %k, %v temperature(%tau : tensor<4xf32>) captures(%c : tensor<8xf32>) scale(0.125)
      masks [#attn.sliding_window<left = 512>, #attn.sliding_window<>]
      modifiers [#attn.sink_calibration<columns = [0], factors = [1.0]>, #attn.temperature]
      normalizer(#attn.softmax) score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %cc: tensor<8xf32>):
    %cap = arith.constant 50.0 : f32
    %d = arith.divf %s, %cap : f32
    %t = math.tanh %d : f32
    %r = arith.mulf %cap, %t : f32
    attn.yield %r : f32
  } mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index, %cc: tensor<8xf32>):
    %p = attn.position %b, %i
    %keep = arith.cmpi sle, %j, %p : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  return %o : !t
}

// -----

!t = tensor<2x4x16x64xf32>

// Window regions in any signed comparison form become named windows: an AND
// of bounds around p(i), ORed with sinks; ANDs of windows become several
// named masks, which then combine.
// CHECK-LABEL: func.func @window_mask_regions(
// CHECK: attn.attention %{{.*}} masks [#attn.sliding_window<left = 8, right = 2>] :
// CHECK: attn.attention %{{.*}} masks [#attn.prefix_lm<4>] :
// CHECK: attn.attention %{{.*}} masks [#attn.causal, #attn.sliding_window<left = 8, sinks = 2>] :
// CHECK-NOT: mask {
func.func @window_mask_regions(%q: !t, %k: !t, %v: !t) -> (!t, !t, !t) {
  // p - 8 <= j < p + 3, written with the constant on the left.
  %o1 = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %c8 = arith.constant 8 : index
    %c3 = arith.constant 3 : index
    %p = attn.position %b, %i
    %lo = arith.subi %p, %c8 : index
    %hi = arith.addi %c3, %p : index
    %above = arith.cmpi sle, %lo, %j : index
    %below = arith.cmpi slt, %j, %hi : index
    %keep = arith.andi %above, %below : i1
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  // j < 4 or j <= p: the prefix LM.
  %o2 = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %c4 = arith.constant 4 : index
    %p = attn.position %b, %i
    %prefix = arith.cmpi sgt, %c4, %j : index
    %causal = arith.cmpi sge, %p, %j : index
    %keep = arith.ori %causal, %prefix : i1
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  // causal AND (j >= p - 8 OR j < 2): two named masks.
  %o3 = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %c8 = arith.constant 8 : index
    %c2 = arith.constant 2 : index
    %p = attn.position %b, %i
    %causal = arith.cmpi sle, %j, %p : index
    %lo = arith.subi %p, %c8 : index
    %recent = arith.cmpi sge, %j, %lo : index
    %sink = arith.cmpi slt, %j, %c2 : index
    %window = arith.ori %recent, %sink : i1
    %keep = arith.andi %causal, %window : i1
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  return %o1, %o2, %o3 : !t, !t, !t
}

// -----

!t = tensor<2x4x16x64xf32>

// Unsigned comparisons wrap for negative positions and stay regions, as does
// a bound on j that does not involve p(i) from below.
// CHECK-LABEL: func.func @not_window_mask_regions(
// CHECK: mask {
// CHECK: arith.cmpi ule
// CHECK: mask {
// CHECK: arith.cmpi sge
func.func @not_window_mask_regions(%q: !t, %k: !t, %v: !t) -> (!t, !t) {
  %o1 = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %p = attn.position %b, %i
    %keep = arith.cmpi ule, %j, %p : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  %o2 = attn.attention %q, %k, %v mask {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %c4 = arith.constant 4 : index
    %keep = arith.cmpi sge, %j, %c4 : index
    attn.yield %keep : i1
  } : !t, !t, !t -> !t
  return %o1, %o2 : !t, !t
}

// -----

// Temperature, ALiBi and a bias read through extf become named modifiers
// reading the captured tensor.
// CHECK-LABEL: func.func @named_score_regions(
// CHECK: attn.attention %{{.*}} temperature(%arg3 : tensor<4xf32>) modifiers [#attn.temperature] :
// CHECK: attn.attention %{{.*}} alibi_slopes(%arg3 : tensor<4xf32>) masks [#attn.causal] modifiers [#attn.alibi] :
// CHECK: attn.attention %{{.*}} bias(%arg4 : tensor<2x4x16x16xf16>) modifiers [#attn.bias] :
// CHECK-NOT: score {
func.func @named_score_regions(%q: tensor<2x4x16x64xf32>, %k: tensor<2x4x16x64xf32>,
    %v: tensor<2x4x16x64xf32>, %t: tensor<4xf32>, %bias: tensor<2x4x16x16xf16>)
    -> (tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>) {
  %o1 = attn.attention %q, %k, %v captures(%t : tensor<4xf32>) score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %tau: tensor<4xf32>):
    %x = tensor.extract %tau[%h] : tensor<4xf32>
    %r = arith.divf %s, %x : f32
    attn.yield %r : f32
  } : tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>
  %o2 = attn.attention %q, %k, %v captures(%t : tensor<4xf32>) masks [#attn.causal] score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %m: tensor<4xf32>):
    %p = attn.position %b, %i
    %d = arith.subi %j, %p : index
    %d64 = arith.index_cast %d : index to i64
    %df = arith.sitofp %d64 : i64 to f32
    %slope = tensor.extract %m[%h] : tensor<4xf32>
    %x = arith.mulf %df, %slope : f32
    %r = arith.addf %x, %s : f32
    attn.yield %r : f32
  } : tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>
  %o3 = attn.attention %q, %k, %v captures(%bias : tensor<2x4x16x16xf16>) score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %t16: tensor<2x4x16x16xf16>):
    %x = tensor.extract %t16[%b, %h, %i, %j] : tensor<2x4x16x16xf16>
    %x32 = arith.extf %x : f16 to f32
    %r = arith.addf %s, %x32 : f32
    attn.yield %r : f32
  } : tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>
  return %o1, %o2, %o3 : tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>
}

// -----

// A temperature region cannot become the (first-applied) named temperature
// when a named modifier of a later kind exists: the region applies last.
// CHECK-LABEL: func.func @temperature_region_after_softcap(
// CHECK: modifiers [#attn.softcap<{{.*}}>] score {
func.func @temperature_region_after_softcap(%q: tensor<2x4x16x64xf32>, %t: tensor<4xf32>)
    -> tensor<2x4x16x64xf32> {
  %o = attn.attention %q, %q, %q captures(%t : tensor<4xf32>) modifiers [#attn.softcap<30.0>] score {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %tau: tensor<4xf32>):
    %x = tensor.extract %tau[%h] : tensor<4xf32>
    %r = arith.divf %s, %x : f32
    attn.yield %r : f32
  } : tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>
  return %o : tensor<2x4x16x64xf32>
}
