// Softplus normalizer (power g = 1): w(i,j) = softplus(s) / sum_j softplus(s) over kept keys; lse_i = log sum_j softplus(s).
// Source: Softplus Attention.
//
// Causal, GQA 8/2, D = 64, f16, with the lse output (the log of the L1 weight sum).

func.func @softplus(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                    %v: tensor<?x2x?x64xf16>) -> (tensor<?x8x?x64xf16>, tensor<?x8x?xf32>) {
  %o, %lse = attn.attention %q, %k, %v masks [#attn.causal] normalizer(#attn.softplus)
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>, lse tensor<?x8x?xf32>
  return %o, %lse : tensor<?x8x?x64xf16>, tensor<?x8x?xf32>
}
