// Additive bias tensor: s(i,j) becomes s(i,j) + bias[...], bias broadcast (NumPy, right-aligned) over [B, Hq, Sq, Skv].
// Source: VARIANTS.md section 3 (precomputed attention biases: DeBERTa c2p/p2c terms, Swin, T5 buckets).
//
// @full_bias: a bias per batch, head, query and key [B, Hq, Sq, Skv] (f16, dynamic like Q/K).
// @shared_bias: one bias for the whole batch [1, Hq, Sq, Skv] (f32), causal.
// GQA 8/2, D = 64, f16.

func.func @full_bias(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                     %v: tensor<?x2x?x64xf16>, %bias: tensor<?x8x?x?xf16>)
    -> tensor<?x8x?x64xf16> {
  %o = attn.attention %q, %k, %v bias(%bias : tensor<?x8x?x?xf16>) modifiers [#attn.bias]
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

func.func @shared_bias(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                       %v: tensor<?x2x?x64xf16>, %bias: tensor<1x8x?x?xf32>)
    -> tensor<?x8x?x64xf16> {
  %o = attn.attention %q, %k, %v bias(%bias : tensor<1x8x?x?xf32>)
      masks [#attn.causal] modifiers [#attn.bias]
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}
