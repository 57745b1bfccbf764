// Linear attention, softmax-over-features map phi(x) = softmax(x) (over the D features), non-causal:
// o_i = phi(q_i)^T S / (phi(q_i)^T z + eps).
// Source: Efficient Attention (Shen et al., "Efficient Attention: Attention with Linear Complexities").
//
// Bidirectional: MHA 8 heads, D = 64, f16, dynamic batch and lengths.

func.func @efficient_attention(%q: tensor<?x8x?x64xf16>, %k: tensor<?x8x?x64xf16>,
                               %v: tensor<?x8x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = attn.linear_attention softmax %q, %k, %v
      : tensor<?x8x?x64xf16>, tensor<?x8x?x64xf16>, tensor<?x8x?x64xf16>
      -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}
