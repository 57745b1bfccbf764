// Selected-token decode: keep(i,j) iff j is in idx[b,h,:], idx [B, Hkv, K] (shared by the query heads of a group),
// -1 as padding, duplicates count once; a gather over the listed keys; keys j >= kv_len[b] ignored.
// Source: TidalDecode (position-persistent sparse attention for decoding); HiP top-k.
//
// Sq = 1, K = 2048 selected keys per key/value head, GQA 32/8, D = 128, f16.

func.func @tidal_decode(%q: tensor<?x32x1x128xf16>, %k: tensor<?x8x?x128xf16>,
                        %v: tensor<?x8x?x128xf16>, %kv_len: tensor<?xi32>,
                        %idx: tensor<?x8x2048xi32>) -> tensor<?x32x1x128xf16> {
  %o = attn.attention %q, %k, %v kv_len(%kv_len : tensor<?xi32>) selected(%idx : tensor<?x8x2048xi32>)
      masks [#attn.selected_tokens]
      : tensor<?x32x1x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x1x128xf16>
  return %o : tensor<?x32x1x128xf16>
}
