// Clipped softmax (zeta = 1, gamma = -0.03): w(i,j) = clip((zeta - gamma) * softmax(s)(i,j) + gamma, 0, 1) on kept keys;
// masked keys weigh 0. Needs the final row sum first: a two-pass lowering.
// Source: Quantizable Transformers (Bondarenko et al., "Quantizable Transformers: Removing Outliers by Helping
//         Attention Heads Do Nothing").
//
// Bidirectional encoder, MHA 12 heads, D = 64, f16, with the lse output (logsumexp of the kept scores).

func.func @clipped_softmax(%q: tensor<?x12x?x64xf16>, %k: tensor<?x12x?x64xf16>,
                           %v: tensor<?x12x?x64xf16>)
    -> (tensor<?x12x?x64xf16>, tensor<?x12x?xf32>) {
  %o, %lse = attn.attention %q, %k, %v
      normalizer(#attn.clipped_softmax<zeta = 1.0, gamma = -0.03>)
      : tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>
      -> tensor<?x12x?x64xf16>, lse tensor<?x12x?xf32>
  return %o, %lse : tensor<?x12x?x64xf16>, tensor<?x12x?xf32>
}
