// Per-query key limit: keep(i,j) = j < limit[b,i] (or j < limit[b,h,i] per head).
// Source: Video-CCAM (causal cross-attention masks: each text query sees only the video frames before it).
//
// @key_limit_per_query: text queries cross-attending to visual tokens, limit [B, Sq]; MHA 16 heads, D = 64, f16.
// @key_limit_per_head: a limit per query head, limit [B, Hq, Sq]; GQA 16/4, D = 128, bf16.

func.func @key_limit_per_query(%q: tensor<?x16x?x64xf16>, %k: tensor<?x16x?x64xf16>,
                               %v: tensor<?x16x?x64xf16>, %limit: tensor<?x?xi32>)
    -> tensor<?x16x?x64xf16> {
  %o = attn.attention %q, %k, %v key_limit(%limit : tensor<?x?xi32>) masks [#attn.key_limit]
      : tensor<?x16x?x64xf16>, tensor<?x16x?x64xf16>, tensor<?x16x?x64xf16>
      -> tensor<?x16x?x64xf16>
  return %o : tensor<?x16x?x64xf16>
}

func.func @key_limit_per_head(%q: tensor<?x16x?x128xbf16>, %k: tensor<?x4x?x128xbf16>,
                              %v: tensor<?x4x?x128xbf16>, %limit: tensor<?x16x?xi32>)
    -> tensor<?x16x?x128xbf16> {
  %o = attn.attention %q, %k, %v key_limit(%limit : tensor<?x16x?xi32>) masks [#attn.key_limit]
      : tensor<?x16x?x128xbf16>, tensor<?x4x?x128xbf16>, tensor<?x4x?x128xbf16>
      -> tensor<?x16x?x128xbf16>
  return %o : tensor<?x16x?x128xbf16>
}
