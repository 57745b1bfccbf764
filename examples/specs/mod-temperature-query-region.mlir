// Temperature per query as a `score` region over captured tau [B, Hq, Sq]: s(i,j) becomes s(i,j) / tau[b,h,i].
// Source: Selective Attention ("Selective Self-Attention" temperature scaling); region form as a FlexAttention `score_mod`.
//
// Same numbers as mod-temperature-query.mlir. Causal, GQA 8/2, D = 64, f16.

func.func @temperature_per_query_region(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                                        %v: tensor<?x2x?x64xf16>, %tau: tensor<?x8x?xf32>)
    -> tensor<?x8x?x64xf16> {
  %o = attn.attention %q, %k, %v captures(%tau : tensor<?x8x?xf32>) masks [#attn.causal]
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %t: tensor<?x8x?xf32>):
      %tau_i = tensor.extract %t[%b, %h, %i] : tensor<?x8x?xf32>
      %r = arith.divf %s, %tau_i : f32
      attn.yield %r : f32
    }
    : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
    -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}
