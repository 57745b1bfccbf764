// Linear attention, elu+1 feature map phi(x) = elu(x) + 1, non-causal:
// o_i = phi(q_i)^T S / (phi(q_i)^T z + eps), S = sum_j phi(k_j) v_j^T, z = sum_j phi(k_j).
// Source: "Transformers are RNNs: Fast Autoregressive Transformers with Linear Attention" (Katharopoulos et al.).
//
// GQA 8/2, D = 64, f16.

func.func @linear_elu(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                      %v: tensor<?x2x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}
