// Selected tokens over a paged KV cache: keep(i,j) iff j is in idx[b,h,:] (logical key indices into the paged
// sequence, j = page slot * page_size + offset), AND j < kv_len[b]; positional modifiers use the original index j.
// Source: TidalDecode / HiP (token selection) on a PagedAttention (vLLM) cache.
//
// With ALiBi to show that positions are the original key positions. Sq = 1, 16-token pages, GQA 32/8, D = 128, f16.

func.func @paged_selected_alibi(%q: tensor<?x32x1x128xf16>, %k_pages: tensor<?x16x8x128xf16>,
                                %v_pages: tensor<?x16x8x128xf16>, %page_table: tensor<?x?xi32>,
                                %kv_len: tensor<?xi32>, %idx: tensor<?x32x?xi32>,
                                %slopes: tensor<32xf32>) -> tensor<?x32x1x128xf16> {
  %o = attn.attention %q, %k_pages, %v_pages kv_len(%kv_len : tensor<?xi32>)
      page_table(%page_table : tensor<?x?xi32>) selected(%idx : tensor<?x32x?xi32>)
      alibi_slopes(%slopes : tensor<32xf32>) masks [#attn.selected_tokens] modifiers [#attn.alibi]
      : tensor<?x32x1x128xf16>, tensor<?x16x8x128xf16>, tensor<?x16x8x128xf16>
      -> tensor<?x32x1x128xf16>
  return %o : tensor<?x32x1x128xf16>
}
