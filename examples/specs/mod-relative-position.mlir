// Clamped relative position table (R = 16): s(i,j) becomes s(i,j) + table[h, clamp(j - p(i), -R, R) + R],
// table [Hq, 2R + 1].
// Source: Shaw et al., "Self-Attention with Relative Position Representations"; DeBERTa (disentangled relative positions).
//
// Bidirectional encoder, MHA 8 heads, D = 64, f32.

func.func @relative_position(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>,
                             %v: tensor<?x8x?x64xf32>, %table: tensor<8x33xf32>)
    -> tensor<?x8x?x64xf32> {
  %o = attn.attention %q, %k, %v position_table(%table : tensor<8x33xf32>)
      modifiers [#attn.relative_position<max_distance = 16>]
      : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>
      -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}
