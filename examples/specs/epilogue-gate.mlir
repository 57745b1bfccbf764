// Output gate, one gate per row: o_i becomes o_i * sigmoid(gate[b,h,i]), gate [B, Hq, Sq]; lse is unchanged.
// Source: Quantizable Transformers (Bondarenko et al.), "gated attention".
//
// Causal, GQA 8/2, D = 64, f16, with the (ungated) lse output.

func.func @gated_per_row(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                         %v: tensor<?x2x?x64xf16>, %gate: tensor<?x8x?xf16>)
    -> (tensor<?x8x?x64xf16>, tensor<?x8x?xf32>) {
  %o, %lse = attn.attention %q, %k, %v gate(%gate : tensor<?x8x?xf16>) masks [#attn.causal]
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>, lse tensor<?x8x?xf32>
  return %o, %lse : tensor<?x8x?x64xf16>, tensor<?x8x?xf32>
}
