// Mistral 7B attention: causal AND sliding window of 4096 keys, keep(i,j) = p(i) - 4095 <= j <= p(i).
// Source: Mistral 7B (Jiang et al., "Mistral 7B").
//
// GQA 32 query / 8 key-value heads, D = 128, f16.
// @prefill: dense K/V. @paged_decode: one new token against a paged cache of 16-token pages (the window also
// applies here: only the last 4096 cached keys are read), with the lse output for split-KV merging.

func.func @prefill(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                   %v: tensor<?x8x?x128xf16>) -> tensor<?x32x?x128xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal, #attn.sliding_window<left = 4095>]
      : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x?x128xf16>
  return %o : tensor<?x32x?x128xf16>
}

func.func @paged_decode(%q: tensor<?x32x1x128xf16>, %k_pages: tensor<?x16x8x128xf16>,
                        %v_pages: tensor<?x16x8x128xf16>, %page_table: tensor<?x?xi32>,
                        %kv_len: tensor<?xi32>)
    -> (tensor<?x32x1x128xf16>, tensor<?x32x1xf32>) {
  %o, %lse = attn.attention %q, %k_pages, %v_pages kv_len(%kv_len : tensor<?xi32>)
      page_table(%page_table : tensor<?x?xi32>)
      masks [#attn.causal, #attn.sliding_window<left = 4095>]
      : tensor<?x32x1x128xf16>, tensor<?x16x8x128xf16>, tensor<?x16x8x128xf16>
      -> tensor<?x32x1x128xf16>, lse tensor<?x32x1xf32>
  return %o, %lse : tensor<?x32x1x128xf16>, tensor<?x32x1xf32>
}
