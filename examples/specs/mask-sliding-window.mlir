// Sliding window mask (left wl, right wr): keep(i,j) = p(i) - wl <= j <= p(i) + wr.
// Source: Longformer (Beltagy et al., "Longformer: The Long-Document Transformer"); Mistral 7B.
//
// @symmetric_window: Longformer-style local attention of an encoder, 256 keys each side.
// @causal_window: Mistral-style, right = 0, so each query sees itself and the 4095 keys before it.
// @left_unbounded: only the right side is bounded (either side may be unbounded).

func.func @symmetric_window(%q: tensor<?x12x?x64xf16>, %k: tensor<?x12x?x64xf16>,
                            %v: tensor<?x12x?x64xf16>) -> tensor<?x12x?x64xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.sliding_window<left = 256, right = 256>]
      : tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>
      -> tensor<?x12x?x64xf16>
  return %o : tensor<?x12x?x64xf16>
}

func.func @causal_window(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                         %v: tensor<?x8x?x128xf16>) -> tensor<?x32x?x128xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.sliding_window<left = 4095, right = 0>]
      : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x?x128xf16>
  return %o : tensor<?x32x?x128xf16>
}

func.func @left_unbounded(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>,
                          %v: tensor<?x8x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %o = attn.attention %q, %k, %v masks [#attn.sliding_window<right = 16>]
      : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>
      -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}
