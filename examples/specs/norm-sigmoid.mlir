// Sigmoid normalizer (not normalised): w(i,j) = sigmoid(s(i,j) + b), with a constant b or b = -log(n_i).
// Source: sigmoid attention (Ramapuram et al., "Theory, Analysis, and Best Practices for Sigmoid Self-Attention").
//
// @sigmoid_constant_bias: b = -10. @sigmoid_log_length: b = -log(n_i), n_i the kept keys of row i.
// Causal, GQA 8/2, D = 64, f16. No lse: sigmoid weights are not normalised.

func.func @sigmoid_constant_bias(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                                 %v: tensor<?x2x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal] normalizer(#attn.sigmoid<bias = -10.0>)
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

func.func @sigmoid_log_length(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                              %v: tensor<?x2x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
      normalizer(#attn.sigmoid<log_length = true>)
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}
