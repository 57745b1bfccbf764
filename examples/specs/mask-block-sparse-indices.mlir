// Block-sparse mask, index-list layout: keep(i,j) iff j div Bk is listed in layout[b, h, i div Bq, :],
// layout [B or 1, Hq or 1, ceil(Sq/Bq), K] of key-block numbers, -1 as padding; here Bq = Bk = 128, K = 16.
// Source: FlexPrefill; LongHeads; HiP (per-query-block lists of selected key blocks).
//
// Causal long-context prefill where each 128-query block reads at most 16 key blocks.
// GQA 32/8, D = 128, bf16.

func.func @block_index_prefill(%q: tensor<?x32x?x128xbf16>, %k: tensor<?x8x?x128xbf16>,
                               %v: tensor<?x8x?x128xbf16>, %blocks: tensor<?x32x?x16xi32>)
    -> tensor<?x32x?x128xbf16> {
  %o = attn.attention %q, %k, %v block_layout(%blocks : tensor<?x32x?x16xi32>)
      masks [#attn.causal, #attn.block_sparse<q_block = 128, kv_block = 128, format = indices>]
      : tensor<?x32x?x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>
      -> tensor<?x32x?x128xbf16>
  return %o : tensor<?x32x?x128xbf16>
}
