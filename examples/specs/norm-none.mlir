// No normalizer: w(i,j) = s(i,j), o_i = sum_{kept j} s(i,j) v_j (the raw weighted sum).
// Source: VARIANTS.md section 4 (unnormalised attention: linear attention written quadratically).
//
// Causal, GQA 8/2, D = 64, f32; scale 1 (no 1/sqrt(D)).

func.func @unnormalized(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>,
                        %v: tensor<?x2x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %o = attn.attention %q, %k, %v scale(1.0) masks [#attn.causal] normalizer(#attn.none)
      : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>
      -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}
