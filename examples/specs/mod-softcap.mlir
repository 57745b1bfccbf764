// Softcap (c = 30): s(i,j) becomes c * tanh(s(i,j) / c).
// Source: Grok-1 (attention logit cap 30); Gemma 2 (cap 50, see gemma2.mlir).
//
// Causal, GQA 48 query / 8 key-value heads, D = 128, bf16.

func.func @softcap_causal(%q: tensor<?x48x?x128xbf16>, %k: tensor<?x8x?x128xbf16>,
                          %v: tensor<?x8x?x128xbf16>) -> tensor<?x48x?x128xbf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal] modifiers [#attn.softcap<30.0>]
      : tensor<?x48x?x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>
      -> tensor<?x48x?x128xbf16>
  return %o : tensor<?x48x?x128xbf16>
}
