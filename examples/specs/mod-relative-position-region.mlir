// Clamped relative position table (R = 16) as a `score` region over a captured table [Hq, 2R + 1]:
// s(i,j) becomes s(i,j) + table[h, clamp(j - p(i), -R, R) + R].
// Source: Shaw et al., "Self-Attention with Relative Position Representations"; region form as a FlexAttention `score_mod`.
//
// Same numbers as mod-relative-position.mlir. MHA 8 heads, D = 64, f32.

func.func @relative_position_region(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>,
                                    %v: tensor<?x8x?x64xf32>, %table: tensor<8x33xf32>)
    -> tensor<?x8x?x64xf32> {
  %o = attn.attention %q, %k, %v captures(%table : tensor<8x33xf32>)
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %t: tensor<8x33xf32>):
      %r_max = arith.constant 16 : index
      %r_min = arith.constant -16 : index
      %p = attn.position %b, %i
      %dist = arith.subi %j, %p : index
      %low = arith.maxsi %dist, %r_min : index
      %clamped = arith.minsi %low, %r_max : index
      %column = arith.addi %clamped, %r_max : index
      %bias = tensor.extract %t[%h, %column] : tensor<8x33xf32>
      %r = arith.addf %s, %bias : f32
      attn.yield %r : f32
    }
    : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>
    -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}
