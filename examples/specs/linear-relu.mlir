// Linear attention, relu feature map phi(x) = max(x, 0), causal: o_i = phi(q_i)^T S_i / (phi(q_i)^T z_i + eps).
// Source: linear attention with a ReLU kernel (VARIANTS.md section 6).
//
// eps = 1e-5 instead of the default 1e-6. MHA 8 heads, D = 64, bf16.

func.func @linear_relu_causal(%q: tensor<?x8x?x64xbf16>, %k: tensor<?x8x?x64xbf16>,
                              %v: tensor<?x8x?x64xbf16>) -> tensor<?x8x?x64xbf16> {
  %o = attn.linear_attention relu %q, %k, %v causal {eps = 1.0e-05 : f64}
      : tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16> -> tensor<?x8x?x64xbf16>
  return %o : tensor<?x8x?x64xbf16>
}
