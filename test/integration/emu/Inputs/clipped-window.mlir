// Clipped softmax under a causal sliding window of 24 keys: each row's
// softmax spreads over at most 24 keys, so the clipped weights are mostly
// above zero, and rows cross key tiles (64 keys) for Skv > 64.
func.func @clipped_window(%q: tensor<?x4x?x64xbf16>, %k: tensor<?x2x?x64xbf16>,
                          %v: tensor<?x2x?x64xbf16>)
    -> (tensor<?x4x?x64xbf16>, tensor<?x4x?xf32>) {
  %o, %lse = attn.attention %q, %k, %v
      masks [#attn.sliding_window<left = 23, right = 0>]
      normalizer(#attn.clipped_softmax<zeta = 1.0, gamma = -0.03>)
      : tensor<?x4x?x64xbf16>, tensor<?x2x?x64xbf16>, tensor<?x2x?x64xbf16>
      -> tensor<?x4x?x64xbf16>, lse tensor<?x4x?xf32>
  return %o, %lse : tensor<?x4x?x64xbf16>, tensor<?x4x?xf32>
}
