// Softmax normalizer: w(i,j) = exp(s - m_i) / sum_j exp(s - m_i) over kept keys, lse_i = m_i + log(sum).
// Source: "Attention Is All You Need" (Vaswani et al.); online softmax as in FlashAttention.
//
// The default normalizer, written out, with the lse output. Causal, GQA 8/2, D = 64, f16.

func.func @softmax_lse(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                       %v: tensor<?x2x?x64xf16>) -> (tensor<?x8x?x64xf16>, tensor<?x8x?xf32>) {
  %o, %lse = attn.attention %q, %k, %v masks [#attn.causal] normalizer(#attn.softmax)
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>, lse tensor<?x8x?xf32>
  return %o, %lse : tensor<?x8x?x64xf16>, tensor<?x8x?xf32>
}
