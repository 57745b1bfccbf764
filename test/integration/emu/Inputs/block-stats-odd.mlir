// Block statistics whose blocks do not follow the GPU's tiles: query blocks
// of 16 rows (several per query tile, each with G = 2 heads interleaved)
// and key blocks of 48 keys (a key tile of 64 or 32 touches two of them),
// under a sliding window that leaves some blocks without a kept pair (0);
// then clipped softmax's clipped weights.
func.func @odd_blocks(%q: tensor<?x4x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                      %v: tensor<?x2x?x64xf16>)
    -> (tensor<?x4x?x64xf16>, tensor<?x4x?x?xf32>) {
  %o, %bmax = attn.attention %q, %k, %v
      masks [#attn.sliding_window<left = 40, right = 0>] block_stats([16, 48])
      : tensor<?x4x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x4x?x64xf16>, block_max tensor<?x4x?x?xf32>
  return %o, %bmax : tensor<?x4x?x64xf16>, tensor<?x4x?x?xf32>
}

func.func @clipped_blocks(%q: tensor<?x2x?x64xbf16>, %k: tensor<?x2x?x64xbf16>,
                          %v: tensor<?x2x?x64xbf16>)
    -> (tensor<?x2x?x64xbf16>, tensor<?x2x?xf32>, tensor<?x2x?x?xf32>) {
  %o, %lse, %bmax = attn.attention %q, %k, %v masks [#attn.causal]
      normalizer(#attn.clipped_softmax<zeta = 1.0, gamma = -0.03>)
      block_stats([32, 24])
      : tensor<?x2x?x64xbf16>, tensor<?x2x?x64xbf16>, tensor<?x2x?x64xbf16>
      -> tensor<?x2x?x64xbf16>, lse tensor<?x2x?xf32>, block_max tensor<?x2x?x?xf32>
  return %o, %lse, %bmax : tensor<?x2x?x64xbf16>, tensor<?x2x?xf32>, tensor<?x2x?x?xf32>
}
