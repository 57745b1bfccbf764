// Causal linear attention, elu+1 feature map: o_i = phi(q_i)^T S_i / (phi(q_i)^T z_i + eps),
// S_i = sum_{j <= p(i)} phi(k_j) v_j^T, z_i = sum_{j <= p(i)} phi(k_j) (computed chunk-wise with a carried state).
// Source: "Transformers are RNNs" (Katharopoulos et al.).
//
// GQA 8/2, D = 64, f16.

func.func @linear_elu_causal(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                             %v: tensor<?x2x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v causal
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}
