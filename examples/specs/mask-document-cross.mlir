// Document mask with separate key segment ids: keep(i,j) = seg_q[b,i] == seg_kv[b,j] (Sq != Skv allowed).
// Source: varlen packing (packed encoder-decoder cross-attention, each target document reads its own source).
//
// Cross-attention of packed targets [B, Sq] onto packed sources [B, Skv]. MHA 8 heads, D = 64, f32.

func.func @packed_cross_attention(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>,
                                  %v: tensor<?x8x?x64xf32>, %seg_q: tensor<?x?xi32>,
                                  %seg_kv: tensor<?x?xi32>) -> tensor<?x8x?x64xf32> {
  %o = attn.attention %q, %k, %v segment_ids(%seg_q : tensor<?x?xi32>)
      kv_segment_ids(%seg_kv : tensor<?x?xi32>) masks [#attn.document]
      : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>
      -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}
