// Gemma 2 attention: causal AND sliding window (4096 keys: p(i) - 4095 <= j) on local layers, causal only on global
// layers, both with softcap c = 50: s becomes 50 * tanh(s / 50); scale = query_pre_attn_scalar^-1/2 = 1/sqrt(144).
// Source: Gemma 2 (Gemma Team, "Gemma 2: Improving Open Language Models at a Practical Size"), 27B configuration.
//
// GQA 32 query / 16 key-value heads, D = 128, bf16. @local_layer / @global_layer alternate in the model.

func.func @local_layer(%q: tensor<?x32x?x128xbf16>, %k: tensor<?x16x?x128xbf16>,
                       %v: tensor<?x16x?x128xbf16>) -> tensor<?x32x?x128xbf16> {
  %o = attn.attention %q, %k, %v scale(0.083333333333333329)
      masks [#attn.causal, #attn.sliding_window<left = 4095>] modifiers [#attn.softcap<50.0>]
      : tensor<?x32x?x128xbf16>, tensor<?x16x?x128xbf16>, tensor<?x16x?x128xbf16>
      -> tensor<?x32x?x128xbf16>
  return %o : tensor<?x32x?x128xbf16>
}

func.func @global_layer(%q: tensor<?x32x?x128xbf16>, %k: tensor<?x16x?x128xbf16>,
                        %v: tensor<?x16x?x128xbf16>) -> tensor<?x32x?x128xbf16> {
  %o = attn.attention %q, %k, %v scale(0.083333333333333329)
      masks [#attn.causal] modifiers [#attn.softcap<50.0>]
      : tensor<?x32x?x128xbf16>, tensor<?x16x?x128xbf16>, tensor<?x16x?x128xbf16>
      -> tensor<?x32x?x128xbf16>
  return %o : tensor<?x32x?x128xbf16>
}
