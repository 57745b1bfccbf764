// Document (packed sequences) mask: keep(i,j) = seg_q[b,i] == seg_kv[b,j]; seg_kv defaults to seg_q (Sq = Skv).
// Source: varlen packing (several documents packed into one row, e.g. packed BERT / LM pretraining).
//
// @packed_bidirectional: encoder over packed documents, MHA 12 heads, D = 64, f16.
// @packed_causal: causal LM training on packed documents (document AND causal), GQA 32/8, D = 128, bf16.

// attn-run @packed_bidirectional: SKV=SQ
func.func @packed_bidirectional(%q: tensor<?x12x?x64xf16>, %k: tensor<?x12x?x64xf16>,
                                %v: tensor<?x12x?x64xf16>, %seg: tensor<?x?xi32>)
    -> tensor<?x12x?x64xf16> {
  %o = attn.attention %q, %k, %v segment_ids(%seg : tensor<?x?xi32>) masks [#attn.document]
      : tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>
      -> tensor<?x12x?x64xf16>
  return %o : tensor<?x12x?x64xf16>
}

// attn-run @packed_causal: SKV=SQ
func.func @packed_causal(%q: tensor<?x32x?x128xbf16>, %k: tensor<?x8x?x128xbf16>,
                         %v: tensor<?x8x?x128xbf16>, %seg: tensor<?x?xi32>)
    -> tensor<?x32x?x128xbf16> {
  %o = attn.attention %q, %k, %v segment_ids(%seg : tensor<?x?xi32>)
      masks [#attn.causal, #attn.document]
      : tensor<?x32x?x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>
      -> tensor<?x32x?x128xbf16>
  return %o : tensor<?x32x?x128xbf16>
}
