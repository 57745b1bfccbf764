// Selected-tokens mask: keep(i,j) iff j is in idx[b,h,:] (idx [B, Hq or Hkv, K], -1 as padding,
// duplicates count once), ANDed with causal; computed as a gather over the listed keys.
// Source: HiP attention (top-k key selection per head); TidalDecode.
//
// Per query head selection of K = 2048 keys. GQA 32/8, D = 128, f16.

func.func @topk_per_query_head(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                               %v: tensor<?x8x?x128xf16>, %idx: tensor<?x32x2048xi32>)
    -> tensor<?x32x?x128xf16> {
  %o = attn.attention %q, %k, %v selected(%idx : tensor<?x32x2048xi32>)
      masks [#attn.causal, #attn.selected_tokens]
      : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x?x128xf16>
  return %o : tensor<?x32x?x128xf16>
}
