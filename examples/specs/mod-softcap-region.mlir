// Softcap (c = 30) as a `score` region: s(i,j) becomes c * tanh(s(i,j) / c).
// Source: Grok-1; Gemma 2; region form as a FlexAttention `score_mod` (tanh soft-capping).
//
// Same numbers as mod-softcap.mlir. Causal, GQA 48/8, D = 128, bf16.

func.func @softcap_causal_region(%q: tensor<?x48x?x128xbf16>, %k: tensor<?x8x?x128xbf16>,
                                 %v: tensor<?x8x?x128xbf16>) -> tensor<?x48x?x128xbf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
      %cap = arith.constant 30.0 : f32
      %x = arith.divf %s, %cap : f32
      %t = math.tanh %x : f32
      %r = arith.mulf %t, %cap : f32
      attn.yield %r : f32
    }
    : tensor<?x48x?x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>
    -> tensor<?x48x?x128xbf16>
  return %o : tensor<?x48x?x128xbf16>
}
