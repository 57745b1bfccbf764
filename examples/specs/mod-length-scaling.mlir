// Length scaling: s(i,j) becomes s(i,j) * log(n_i) / log(L0), n_i = number of kept keys of row i after every
// mask, here L0 = 512 (the training length).
// Source: Softplus Attention with re-weighting (entropy-invariance scale).
//
// Causal (n_i = p(i) + 1) with softmax. GQA 16/4, D = 64, f16. Not expressible as a region: regions do not see n_i.

func.func @length_scaled_causal(%q: tensor<?x16x?x64xf16>, %k: tensor<?x4x?x64xf16>,
                                %v: tensor<?x4x?x64xf16>) -> tensor<?x16x?x64xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal] modifiers [#attn.length_scaling<512.0>]
      : tensor<?x16x?x64xf16>, tensor<?x4x?x64xf16>, tensor<?x4x?x64xf16>
      -> tensor<?x16x?x64xf16>
  return %o : tensor<?x16x?x64xf16>
}
