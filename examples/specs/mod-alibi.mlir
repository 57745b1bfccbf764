// ALiBi: s(i,j) becomes s(i,j) + slope[h] * (j - p(i)), slopes [Hq] (geometric, 2^(-8(h+1)/H) in the paper).
// Source: ALiBi (Press et al., "Train Short, Test Long: Attention with Linear Biases"); BLOOM, MPT.
//
// Causal decoder, MHA 16 heads, D = 128, f16.

func.func @alibi_causal(%q: tensor<?x16x?x128xf16>, %k: tensor<?x16x?x128xf16>,
                        %v: tensor<?x16x?x128xf16>, %slopes: tensor<16xf32>)
    -> tensor<?x16x?x128xf16> {
  %o = attn.attention %q, %k, %v alibi_slopes(%slopes : tensor<16xf32>)
      masks [#attn.causal] modifiers [#attn.alibi]
      : tensor<?x16x?x128xf16>, tensor<?x16x?x128xf16>, tensor<?x16x?x128xf16>
      -> tensor<?x16x?x128xf16>
  return %o : tensor<?x16x?x128xf16>
}
