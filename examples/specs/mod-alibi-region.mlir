// ALiBi as a `score` region over captured slopes [Hq]: s(i,j) becomes s(i,j) + slope[h] * (j - p(i)).
// Source: ALiBi (Press et al.); region form as a FlexAttention `score_mod`.
//
// Same numbers as mod-alibi.mlir. Causal, MHA 16 heads, D = 128, f16.

func.func @alibi_causal_region(%q: tensor<?x16x?x128xf16>, %k: tensor<?x16x?x128xf16>,
                               %v: tensor<?x16x?x128xf16>, %slopes: tensor<16xf32>)
    -> tensor<?x16x?x128xf16> {
  %o = attn.attention %q, %k, %v captures(%slopes : tensor<16xf32>) masks [#attn.causal]
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %m: tensor<16xf32>):
      %p = attn.position %b, %i
      %dist = arith.subi %j, %p : index
      %dist_i64 = arith.index_cast %dist : index to i64
      %dist_f = arith.sitofp %dist_i64 : i64 to f32
      %slope = tensor.extract %m[%h] : tensor<16xf32>
      %bias = arith.mulf %slope, %dist_f : f32
      %r = arith.addf %s, %bias : f32
      attn.yield %r : f32
    }
    : tensor<?x16x?x128xf16>, tensor<?x16x?x128xf16>, tensor<?x16x?x128xf16>
    -> tensor<?x16x?x128xf16>
  return %o : tensor<?x16x?x128xf16>
}
