// Paged KV cache decode: K, V as pages [num_pages, page_size, Hkv, D] behind one page table [B, max_pages];
// logical key index = page slot * page_size + offset; keys j >= kv_len[b] ignored; Sq = 1.
// Source: PagedAttention (Kwon et al., "Efficient Memory Management for Large Language Model Serving with
//         PagedAttention", vLLM); Flash-Decoding for the split.
//
// 16-token pages, GQA 32/8, D = 128, f16, with the lse output.

func.func @paged_decode(%q: tensor<?x32x1x128xf16>, %k_pages: tensor<?x16x8x128xf16>,
                        %v_pages: tensor<?x16x8x128xf16>, %page_table: tensor<?x?xi32>,
                        %kv_len: tensor<?xi32>)
    -> (tensor<?x32x1x128xf16>, tensor<?x32x1xf32>) {
  %o, %lse = attn.attention %q, %k_pages, %v_pages kv_len(%kv_len : tensor<?xi32>)
      page_table(%page_table : tensor<?x?xi32>)
      : tensor<?x32x1x128xf16>, tensor<?x16x8x128xf16>, tensor<?x16x8x128xf16>
      -> tensor<?x32x1x128xf16>, lse tensor<?x32x1xf32>
  return %o, %lse : tensor<?x32x1x128xf16>, tensor<?x32x1xf32>
}
