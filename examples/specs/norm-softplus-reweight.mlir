// Softplus attention with re-weighting: s' = s * log(n_i) / log(512), w(i,j) = softplus(s')^3 / sum_j softplus(s')^3.
// Source: Softplus Attention with re-weighting (entropy-invariant length scaling, power g > 1).
//
// Length scaling and softplus power 3. Causal, GQA 16/4, D = 64, bf16.

func.func @softplus_reweighted(%q: tensor<?x16x?x64xbf16>, %k: tensor<?x4x?x64xbf16>,
                               %v: tensor<?x4x?x64xbf16>) -> tensor<?x16x?x64xbf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal] modifiers [#attn.length_scaling<512.0>]
      normalizer(#attn.softplus<power = 3.0>)
      : tensor<?x16x?x64xbf16>, tensor<?x4x?x64xbf16>, tensor<?x4x?x64xbf16>
      -> tensor<?x16x?x64xbf16>
  return %o : tensor<?x16x?x64xbf16>
}
