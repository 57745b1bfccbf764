// No mask (bidirectional softmax attention): keep(i,j) = true,
//   o_i = sum_j softmax_j(s(i,j)) v_j with s(i,j) = dot(q_i, k_j) / sqrt(D).
// Source: "Attention Is All You Need" (Vaswani et al.); BERT-style encoder self-attention.
//
// Multi-head (12 query heads = 12 key/value heads), D = 64, f16, dynamic batch and length.

func.func @bidirectional_mha(%q: tensor<?x12x?x64xf16>, %k: tensor<?x12x?x64xf16>,
                             %v: tensor<?x12x?x64xf16>) -> tensor<?x12x?x64xf16> {
  %o = attn.attention %q, %k, %v
      : tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>
      -> tensor<?x12x?x64xf16>
  return %o : tensor<?x12x?x64xf16>
}
