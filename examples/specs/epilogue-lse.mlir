// lse output: lse_i = log of the row's weight sum before normalisation (logsumexp of the modified kept scores for
// softmax), [B, Hq, Sq] f32; -inf for a row with no kept key.
// Source: FlashAttention (the saved logsumexp used by the backward pass and by merging, e.g. ring attention).
//
// Causal with softcap, GQA 32/8, D = 128, f16.

func.func @causal_with_lse(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                           %v: tensor<?x8x?x128xf16>)
    -> (tensor<?x32x?x128xf16>, tensor<?x32x?xf32>) {
  %o, %lse = attn.attention %q, %k, %v masks [#attn.causal] modifiers [#attn.softcap<50.0>]
      : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x?x128xf16>, lse tensor<?x32x?xf32>
  return %o, %lse : tensor<?x32x?x128xf16>, tensor<?x32x?xf32>
}
