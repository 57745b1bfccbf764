// Temperature per query: s(i,j) becomes s(i,j) / tau[b,h,i], tau [B, Hq, Sq] computed from the query.
// Source: Selective Attention ("Selective Self-Attention" temperature scaling).
//
// Causal, GQA 8/2, D = 64, f16; tau is f32 with the query's dynamic batch and length.

func.func @temperature_per_query(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                                 %v: tensor<?x2x?x64xf16>, %tau: tensor<?x8x?xf32>)
    -> tensor<?x8x?x64xf16> {
  %o = attn.attention %q, %k, %v temperature(%tau : tensor<?x8x?xf32>)
      masks [#attn.causal] modifiers [#attn.temperature]
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}
