// Output gate, one gate per element: o_i[d] becomes o_i[d] * sigmoid(gate[b,h,i,d]), gate [B, Hq, Sq, Dv].
// Source: Quantizable Transformers (Bondarenko et al.), "gated attention".
//
// Causal, GQA 32/8, D = 128, bf16.

func.func @gated_per_element(%q: tensor<?x32x?x128xbf16>, %k: tensor<?x8x?x128xbf16>,
                             %v: tensor<?x8x?x128xbf16>, %gate: tensor<?x32x?x128xbf16>)
    -> tensor<?x32x?x128xbf16> {
  %o = attn.attention %q, %k, %v gate(%gate : tensor<?x32x?x128xbf16>) masks [#attn.causal]
      : tensor<?x32x?x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>
      -> tensor<?x32x?x128xbf16>
  return %o : tensor<?x32x?x128xbf16>
}
