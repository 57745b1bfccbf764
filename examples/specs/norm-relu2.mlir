// ReLU^2 normalizer, L1-normalised: w(i,j) = relu(s)^2 / sum_j relu(s)^2 over kept keys; lse_i = log sum_j relu(s)^2.
// Source: ReLU attention (ReLU^2 variant, power p = 2, normalised).
//
// Causal, GQA 8/2, D = 64, f16, with the lse output.

func.func @relu_squared_normalized(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                                   %v: tensor<?x2x?x64xf16>)
    -> (tensor<?x8x?x64xf16>, tensor<?x8x?xf32>) {
  %o, %lse = attn.attention %q, %k, %v masks [#attn.causal]
      normalizer(#attn.relu<power = 2.0, normalized = true>)
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>, lse tensor<?x8x?xf32>
  return %o, %lse : tensor<?x8x?x64xf16>, tensor<?x8x?xf32>
}
