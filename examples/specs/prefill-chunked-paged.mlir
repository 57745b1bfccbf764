// Chunked prefill against a paged KV cache: keep(i,j) = j <= p(i) AND j < kv_len[b], p(i) = i + (kv_len[b] - q_len[b]);
// K, V pages [num_pages, page_size, Hkv, D], page table [B, max_pages].
// Source: PagedAttention (vLLM); chunked prefill (Sarathi); bottom-right alignment as in VARIANTS.md section 1.
//
// 64-token pages, GQA 32/8, D = 128, bf16.

func.func @chunked_prefill(%q: tensor<?x32x?x128xbf16>, %k_pages: tensor<?x64x8x128xbf16>,
                           %v_pages: tensor<?x64x8x128xbf16>, %page_table: tensor<?x?xi32>,
                           %q_len: tensor<?xi32>, %kv_len: tensor<?xi32>)
    -> tensor<?x32x?x128xbf16> {
  %o = attn.attention %q, %k_pages, %v_pages q_len(%q_len : tensor<?xi32>)
      kv_len(%kv_len : tensor<?xi32>) page_table(%page_table : tensor<?x?xi32>)
      masks [#attn.causal]
      : tensor<?x32x?x128xbf16>, tensor<?x64x8x128xbf16>, tensor<?x64x8x128xbf16>
      -> tensor<?x32x?x128xbf16>
  return %o : tensor<?x32x?x128xbf16>
}
