// Causal mask: keep(i,j) = j <= p(i), p(i) = i + (Skv - Sq) (bottom-right alignment).
// Source: GPT (Radford et al., "Improving Language Understanding by Generative Pre-Training").
//
// Grouped-query attention as in Llama-style decoders: 32 query heads read 8 key/value
// heads (G = 4), D = 128, f16, dynamic batch and sequence lengths.

func.func @causal_gqa(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                      %v: tensor<?x8x?x128xf16>) -> tensor<?x32x?x128xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
      : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x?x128xf16>
  return %o : tensor<?x32x?x128xf16>
}
