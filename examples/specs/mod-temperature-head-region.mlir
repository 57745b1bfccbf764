// Temperature per head as a `score` region over captured tau [Hq]: s(i,j) becomes s(i,j) / tau[h].
// Source: VARIANTS.md section 3 (learned per-head temperature); region form as a FlexAttention `score_mod`.
//
// Same numbers as mod-temperature-head.mlir. Causal, GQA 8/2, D = 64, f16.

func.func @temperature_per_head_region(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                                       %v: tensor<?x2x?x64xf16>, %tau: tensor<8xf32>)
    -> tensor<?x8x?x64xf16> {
  %o = attn.attention %q, %k, %v captures(%tau : tensor<8xf32>) masks [#attn.causal]
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %t: tensor<8xf32>):
      %tau_h = tensor.extract %t[%h] : tensor<8xf32>
      %r = arith.divf %s, %tau_h : f32
      attn.yield %r : f32
    }
    : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
    -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}
