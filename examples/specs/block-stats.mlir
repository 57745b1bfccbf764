// Block statistics: block_max[b,h,qb,kb] = max over kept (i,j) with i div Bq = qb, j div Bk = kb of the normalised
// weight w(i,j) (0 where none, before any gate), [B, Hq, ceil(Sq/Bq), ceil(Skv/Bk)] f32, here Bq = Bk = 64.
// Source: SeerAttention (block-level attention ground truth for training the gate).
//
// @seer_ground_truth: causal prefill, GQA 32/8, D = 128, bf16.
// @with_gate: a row gate as well (statistics are taken before the gate), static 1024-token sequence, GQA 8/2, D = 64, f16.

func.func @seer_ground_truth(%q: tensor<?x32x?x128xbf16>, %k: tensor<?x8x?x128xbf16>,
                             %v: tensor<?x8x?x128xbf16>)
    -> (tensor<?x32x?x128xbf16>, tensor<?x32x?x?xf32>) {
  %o, %bmax = attn.attention %q, %k, %v masks [#attn.causal] block_stats([64, 64])
      : tensor<?x32x?x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>
      -> tensor<?x32x?x128xbf16>, block_max tensor<?x32x?x?xf32>
  return %o, %bmax : tensor<?x32x?x128xbf16>, tensor<?x32x?x?xf32>
}

// attn-run @with_gate: SQ=1024,SKV=1024
func.func @with_gate(%q: tensor<?x8x1024x64xf16>, %k: tensor<?x2x1024x64xf16>,
                     %v: tensor<?x2x1024x64xf16>, %gate: tensor<?x8x1024xf16>)
    -> (tensor<?x8x1024x64xf16>, tensor<?x8x1024xf32>, tensor<?x8x16x16xf32>) {
  %o, %lse, %bmax = attn.attention %q, %k, %v gate(%gate : tensor<?x8x1024xf16>) masks [#attn.causal]
      block_stats([64, 64])
      : tensor<?x8x1024x64xf16>, tensor<?x2x1024x64xf16>, tensor<?x2x1024x64xf16>
      -> tensor<?x8x1024x64xf16>, lse tensor<?x8x1024xf32>, block_max tensor<?x8x16x16xf32>
  return %o, %lse, %bmax : tensor<?x8x1024x64xf16>, tensor<?x8x1024xf32>, tensor<?x8x16x16xf32>
}
