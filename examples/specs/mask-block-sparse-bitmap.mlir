// Block-sparse mask, bitmap layout: keep(i,j) = layout[b, h, i div Bq, j div Bk] != 0,
// layout [B or 1, Hq or 1, ceil(Sq/Bq), ceil(Skv/Bk)], here Bq = Bk = 64, ANDed with causal.
// Source: SeerAttention (learned block-level attention gating); Direct3D-S2.
//
// @seer_prefill: per-batch, per-head gate bitmap. @shared_layout: one layout for the whole batch (B = 1).
// GQA 32/8, D = 128, f16, dynamic lengths.

func.func @seer_prefill(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                        %v: tensor<?x8x?x128xf16>, %layout: tensor<?x32x?x?xi8>)
    -> tensor<?x32x?x128xf16> {
  %o = attn.attention %q, %k, %v block_layout(%layout : tensor<?x32x?x?xi8>)
      masks [#attn.causal, #attn.block_sparse<q_block = 64, kv_block = 64, format = bitmap>]
      : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x?x128xf16>
  return %o : tensor<?x32x?x128xf16>
}

func.func @shared_layout(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                         %v: tensor<?x8x?x128xf16>, %layout: tensor<1x32x?x?xi1>)
    -> tensor<?x32x?x128xf16> {
  %o = attn.attention %q, %k, %v block_layout(%layout : tensor<1x32x?x?xi1>)
      masks [#attn.causal, #attn.block_sparse<q_block = 64, kv_block = 64, format = bitmap>]
      : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x?x128xf16>
  return %o : tensor<?x32x?x128xf16>
}
